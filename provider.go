package sms

import (
	"context"
	"log/slog"
	"net/http"
)

// Provider is one SMS vendor (or a custom channel). Implementations do only the vendor's part:
// one Send is one vendor call per request (no retries, no rate limiting); validation, retries,
// limits, suppression and logging are added once by Client, which itself implements Provider.
//
// After v1 this method set is frozen; new abilities arrive as optional interfaces
// (StatusFetcher, SenderValidator, MessageValidator, CallbackMethoder, IdleCloser,
// LoggerSource, …) found by type assertion.
// Client forwards each of them to the provider it wraps.
type Provider interface {
	// Name is the provider's short lower-case name ("twilio", "acs", …).
	Name() string
	// Capabilities describes what the provider can do; Client checks messages against it.
	Capabilities() Capabilities
	// Send sends msg, whose recipients Client has already normalised and checked and whose
	// count is at most Capabilities.MaxRecipients. A provider returns one result per
	// recipient, or (nil, err) when the request failed as a whole; the client copies err
	// (code and NotAccepted unchanged) into every recipient's result. An error returned
	// beside one result per recipient is read as a summary: each result that carries a
	// message id or its own error stands, and only a result with neither takes err. Each
	// result carries a vendor message id or that recipient's own *Error. Content the vendor
	// cannot carry is refused earlier, through MessageValidator. An error after the request was
	// written must be CodeOutcomeUnknown unless the vendor documents that it was not
	// processed; a context error before the request was written is returned as the context
	// error (or NotAttempted). Providers must not retry: Client decides.
	Send(ctx context.Context, msg *Message) ([]SendResult, error)
	// ParseCallback verifies, then decodes, one callback request whose body has already
	// been read (r.Body must not be used). A provider without callbacks returns an error
	// wrapping errors.ErrUnsupported. Verification failures are *Error with
	// CodeUnauthenticated (401) or CodePermissionDenied (403); a receiver that cannot verify
	// because of its own configuration is CodeInternal (500); malformed input is
	// CodeInvalidArgument (400).
	ParseCallback(ctx context.Context, r *http.Request, body []byte) (*Callback, error)
}

// BodyUnit is the unit a vendor counts its body limit in.
type BodyUnit int

// Body units.
const (
	UnitCharacters BodyUnit = iota // Unicode code points
	UnitUTF16                      // UTF-16 code units
	UnitBytes                      // UTF-8 bytes
	UnitSegments                   // SMS segments (see CountSegments)
)

var bodyUnitNames = [...]string{"characters", "utf16_units", "bytes", "segments"}

// String returns the name of the unit: "characters", "utf16_units", "bytes" or "segments".
func (u BodyUnit) String() string { return enumString(bodyUnitNames[:], int(u), "body_unit") }

// MarshalText implements encoding.TextMarshaler with the name String returns.
func (u BodyUnit) MarshalText() ([]byte, error) {
	return enumMarshal(bodyUnitNames[:], int(u), "body unit")
}

// UnmarshalText implements encoding.TextUnmarshaler; a name String does not return is an error.
func (u *BodyUnit) UnmarshalText(b []byte) error {
	return enumUnmarshal(bodyUnitNames[:], (*int)(u), b, "body unit")
}

// phrase names the unit in a sentence ("UTF-16 units").
func (u BodyUnit) phrase() string {
	if u == UnitUTF16 {
		return "UTF-16 units"
	}
	return u.String()
}

// Capabilities describes a provider. The zero value allows nothing; every provider fills it.
type Capabilities struct {
	SenderTypes     []SenderType // supported sender types
	MaxRecipients   int          // recipients per vendor request; Client splits larger sends (0 = 1)
	MaxBody         int          // body limit in BodyUnit; 0 = no limit
	BodyUnit        BodyUnit
	DeliveryReports bool     // delivery reports arrive through ParseCallback
	Inbound         bool     // inbound messages arrive through ParseCallback
	IdempotentSends bool     // the vendor de-duplicates a resent request with the same IdempotencyKey
	Countries       []string // ISO 3166-1 alpha-2 codes served; nil = not restricted
	// CallbackURL reports that the provider honours Message.CallbackURL (a per-message
	// delivery-report URL). Client rejects a message that sets it otherwise.
	CallbackURL bool
	// MessageTypes lists the Message.Type values other than TypeDefault that the provider
	// honours. Client rejects a message of another type.
	MessageTypes []MessageType
}

// SupportsSender reports whether t is among c.SenderTypes.
func (c Capabilities) SupportsSender(t SenderType) bool {
	for _, s := range c.SenderTypes {
		if s == t {
			return true
		}
	}
	return false
}

// SenderValidator is implemented by providers that narrow the root sender rules (an
// alphanumeric ID of at most 11 characters with a letter, …) to their vendor's. Client calls
// it before any request.
type SenderValidator interface {
	ValidateSender(s Sender) error
}

// MessageValidator is implemented by providers whose vendor refuses message content the
// root rules allow (LINK Mobility cannot carry characters outside the Basic Multilingual
// Plane). Client calls it once per send, after the root's message-level rules and before any
// request; an error fails the whole send with CodeInvalidArgument and no results. It must
// not look at the recipients: a recipient's problem is that recipient's result.
type MessageValidator interface {
	ValidateMessage(m *Message) error
}

// StatusFetcher is implemented by providers that can look a message up, for example to
// resolve an OutcomeUnknown by listing what the vendor holds.
type StatusFetcher interface {
	FetchStatus(ctx context.Context, messageID string) (Status, error)
}

// CallbackMethoder is implemented by providers whose vendor calls the webhook with methods
// other than POST (the CloudEvents OPTIONS handshake of Event Grid, GET webhooks). The webhook
// handler passes the listed methods to ParseCallback and answers 405 to the others.
type CallbackMethoder interface {
	CallbackMethods() []string
}

// IdleCloser is implemented by providers that hold idle HTTP connections (a vendor client
// with its own http.Transport). CloseIdleConnections closes the connections not in use, as
// http.Client.CloseIdleConnections does; the provider stays usable. It is found by type
// assertion, and Client.CloseIdleConnections forwards to it.
type IdleCloser interface {
	CloseIdleConnections()
}

// Unwrapper is implemented by a Provider that wraps another (Client, middleware); Client and
// composites use it to run the root layer exactly once.
type Unwrapper interface {
	Unwrap() Provider
}

// LoggerSource is implemented by providers that were given a logger (a vendor's
// Options.Logger). It is how a logger is set once: NewClient and webhook.Handler log through
// the provider's logger when their own options give none (see LoggerOf). Logger returns nil
// when the provider has no logger.
type LoggerSource interface {
	Logger() *slog.Logger
}

// LoggerOf returns the logger of the first provider in p's Unwrap chain that is a LoggerSource
// with a logger, or nil (silent) when there is none.
func LoggerOf(p Provider) *slog.Logger {
	for i := 0; p != nil && i < 32; i++ { // bounded, in case of a cycle
		if s, ok := p.(LoggerSource); ok {
			if l := s.Logger(); l != nil {
				return l
			}
		}
		u, ok := p.(Unwrapper)
		if !ok {
			return nil
		}
		p = u.Unwrap()
	}
	return nil
}
