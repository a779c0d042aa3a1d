// Package linkmobility will send SMS through LINK Mobility and parse its delivery reports and
// inbound messages. It is not implemented yet: only this package documentation exists, so that
// the module's layout is fixed.
package linkmobility
