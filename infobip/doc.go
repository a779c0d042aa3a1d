// Package infobip will send SMS through Infobip and parse its delivery reports and inbound
// messages. It is not implemented yet: only this package documentation exists, so that the
// module's layout is fixed.
package infobip
