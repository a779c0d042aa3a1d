// Package acs will send SMS through Azure Communication Services and parse its Event Grid
// delivery reports and inbound messages. It is not implemented yet: only this package
// documentation exists, so that the module's layout is fixed.
package acs
