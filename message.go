package sms

import "time"

// MessageType lets vendors that distinguish traffic classes route and bill correctly.
type MessageType int

// Message types.
const (
	TypeDefault       MessageType = iota // the vendor's default
	TypeTransactional                    // notifications, alerts
	TypeMarketing                        // promotional; consent rules apply
	TypeOTP                              // one-time passcodes
)

var messageTypeNames = [...]string{"default", "transactional", "marketing", "otp"}

// String returns the snake_case name of the message type ("default", "marketing", …).
func (t MessageType) String() string { return enumString(messageTypeNames[:], int(t), "message_type") }

// MarshalText implements encoding.TextMarshaler with the name String returns.
func (t MessageType) MarshalText() ([]byte, error) {
	return enumMarshal(messageTypeNames[:], int(t), "message type")
}

// UnmarshalText implements encoding.TextUnmarshaler; a name String does not return is an error.
func (t *MessageType) UnmarshalText(b []byte) error {
	return enumUnmarshal(messageTypeNames[:], (*int)(t), b, "message type")
}

// Message is one SMS to one or more recipients.
type Message struct {
	// To holds the recipients in E.164 ("+14155552671"); common punctuation and a "00"
	// prefix are accepted and normalised.
	To []string
	// From is the originator.
	From Sender
	// Body is the text. Its limit is in the provider's unit (Capabilities.MaxBody).
	Body string
	// Reference is the application's own id, echoed in every Event for this message
	// (ACS tag, Infobip callbackData, Telesign external_id, LINK refId, or a query
	// parameter on the callback URL where the vendor echoes nothing).
	Reference string
	// IdempotencyKey identifies this send across retries. The client sets a random one when
	// empty and returns it on every SendResult. Vendors that de-duplicate
	// (Capabilities.IdempotentSends: ACS) derive their per-recipient repeatability ids from it
	// and the recipient.
	//
	// Resending after CodeOutcomeUnknown: persist SendResult.IdempotencyKey and
	// SendResult.FirstAttempt of the ambiguous recipient, then resend the same message to that
	// recipient with both fields set to the persisted values, from this process or another,
	// seconds or minutes later. A de-duplicating vendor recognises the resend and creates no
	// second message; a vendor that does not de-duplicate may (resolve OutcomeUnknown there
	// through StatusFetcher or the vendor's message list instead).
	IdempotencyKey string
	// FirstAttempt is when the first attempt of this send was made. The client sets it (when
	// zero) from its Clock before the first request, keeps it on every retry and returns it on
	// every SendResult; vendors that de-duplicate resent requests (ACS repeatabilityFirstSent)
	// send it unchanged, and need it unchanged on a resend: see IdempotencyKey for the recipe.
	FirstAttempt time.Time
	// CallbackURL overrides the provider's configured delivery-report URL for this message.
	CallbackURL string
	// Validity is how long the vendor may keep trying; zero means the vendor default.
	Validity time.Duration
	// Type is the traffic class for vendors that distinguish one.
	Type MessageType
	// Options holds typed vendor options (for example twilio.Options). A provider reads the
	// ones of its own type and ignores the others, so one Message can carry options for
	// every provider of a failover.
	Options []any
}

// Option returns the first option in m.Options of type T, for providers reading their own.
func Option[T any](m *Message) (T, bool) {
	for _, o := range m.Options {
		switch v := o.(type) {
		case T:
			return v, true
		case *T:
			if v != nil {
				return *v, true
			}
		}
	}
	var zero T
	return zero, false
}

// clone returns a shallow copy of m with its own To slice.
func (m *Message) clone(to []string) *Message {
	c := *m
	c.To = to
	return &c
}

// SendResult is the outcome of a send for one recipient.
type SendResult struct {
	To        string // the recipient in canonical E.164, or as given when it is not a valid number
	MessageID string // the vendor's message id; empty when Err is set
	Status    Status // the status the vendor reported at acceptance (usually accepted or queued)
	Segments  int    // segments the vendor reported, or the library's estimate
	Attempts  int    // requests made for this recipient (retries included)
	Err       error  // nil on success; an *Error otherwise
	// IdempotencyKey and FirstAttempt are the values the Client sent this recipient's
	// attempts with (the caller's, or the ones it generated). Persist them with a recipient
	// whose Err is CodeOutcomeUnknown to resend safely: see Message.IdempotencyKey. They are
	// set by Client.Send; a Provider called directly leaves them empty.
	IdempotencyKey string
	FirstAttempt   time.Time
	// Provider is the Name of the provider the recipient was sent through (or refused by),
	// and From the sender used: with a Router, the route that decided this recipient's
	// outcome. A recipient refused before any provider was chosen (a Router's malformed
	// recipient, or one no route serves) has neither. Set by Client.Send and Router.Send.
	Provider string
	From     Sender
}

// OK reports whether the recipient's message was accepted.
func (r SendResult) OK() bool { return r.Err == nil }
