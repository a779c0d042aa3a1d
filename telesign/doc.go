// Package telesign will send SMS through Telesign and parse its delivery reports and inbound
// messages. It is not implemented yet: only this package documentation exists, so that the
// module's layout is fixed.
package telesign
