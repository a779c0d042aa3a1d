// Package vibes will send SMS through Vibes (US/Canada) and parse its delivery reports and
// inbound messages. It is not implemented yet: only this package documentation exists, so that
// the module's layout is fixed.
package vibes
