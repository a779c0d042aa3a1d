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
	// empty. Vendors that de-duplicate (ACS) derive their repeatability ids from it.
	IdempotencyKey string
	// FirstAttempt is when the first attempt of this send was made. The client sets it
	// (when zero) before the first request and keeps it on every retry; vendors that
	// de-duplicate resent requests (ACS repeatabilityFirstSent) send it unchanged. Persist it
	// with IdempotencyKey to retry safely from another process.
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
	To        string // the recipient, in canonical E.164
	MessageID string // the vendor's message id; empty when Err is set
	Status    Status // the status the vendor reported at acceptance (usually accepted or queued)
	Segments  int    // segments the vendor reported, or the library's estimate
	Attempts  int    // requests made for this recipient (retries included)
	Err       error  // nil on success; an *Error otherwise
}

// OK reports whether the recipient's message was accepted.
func (r SendResult) OK() bool { return r.Err == nil }
