// Package acs sends SMS through Azure Communication Services and verifies and decodes its
// Event Grid delivery reports and inbound messages into sms.Events.
package acs

// Name is the provider name in events, errors and logs.
const Name = "acs"
