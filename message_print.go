package sms

import (
	"fmt"
	"log/slog"

	"github.com/smsbridge/sms/internal/redact"
)

// printableMessage is Message without its methods, so that fmt prints it field by field.
type printableMessage Message

// printable returns m with CallbackURL's query values and userinfo redacted: a callback URL
// carries the secret token that authenticates the vendor's callbacks (?token=…).
func (m Message) printable() printableMessage {
	m.CallbackURL = redact.URL(m.CallbackURL)
	return printableMessage(m)
}

// String describes the message with field names; CallbackURL keeps its scheme, host and
// path, and its query values (a callback token) are redacted.
func (m Message) String() string { return fmt.Sprintf("%+v", m.printable()) }

// GoString is the %#v form of the message, CallbackURL redacted as in String.
func (m Message) GoString() string { return redact.GoString(m.printable(), "sms.Message") }

// Format prints the message with CallbackURL redacted, for every verb. JSON encoding is not
// redacted: a message put on a queue must keep its callback URL.
func (m Message) Format(f fmt.State, verb rune) { redact.Format(f, verb, m) }

// LogValue implements slog.LogValuer: String.
func (m Message) LogValue() slog.Value { return slog.StringValue(m.String()) }
