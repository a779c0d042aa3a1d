package sms

import (
	"strings"
	"time"
)

// SenderType says what kind of originator a message is sent from. Vendors support different
// sets (see Capabilities.SenderTypes) and reject the others before any request.
type SenderType int

// Sender types.
const (
	SenderAuto         SenderType = iota // infer from the value: E.164 → long code (NANP toll-free prefixes → toll-free), digits → short code, else alphanumeric
	SenderLongCode                       // a 10DLC or other geographic/mobile number in E.164
	SenderTollFree                       // a toll-free number in E.164
	SenderShortCode                      // a short code: 3–8 digits, no "+"
	SenderAlphanumeric                   // an alphanumeric sender ID (one-way)
	SenderPool                           // a vendor-side pool, e.g. a Twilio Messaging Service SID
)

var senderTypeNames = [...]string{"auto", "long_code", "toll_free", "short_code", "alphanumeric", "pool"}

// String returns the snake_case name of the sender type.
func (t SenderType) String() string {
	if t >= 0 && int(t) < len(senderTypeNames) {
		return senderTypeNames[t]
	}
	return "sender_type(?)"
}

// Sender is the originator of a message.
type Sender struct {
	Type  SenderType // SenderAuto infers it from Value
	Value string     // the number, short code, sender ID or pool id
	Name  string     // a friendly name for logs and dashboards; never sent
}

// ResolvedType returns Type, or the type inferred from Value when Type is SenderAuto.
func (s Sender) ResolvedType() SenderType {
	if s.Type != SenderAuto {
		return s.Type
	}
	v := s.Value
	switch {
	case v == "":
		return SenderAuto
	case v[0] == '+':
		if isNANPTollFree(v) {
			return SenderTollFree
		}
		return SenderLongCode
	case allDigits(v) && len(v) <= 8:
		return SenderShortCode
	case allDigits(v):
		return SenderLongCode
	}
	return SenderAlphanumeric
}

// isNANPTollFree reports whether an E.164 number is a North American toll-free number.
func isNANPTollFree(v string) bool {
	if len(v) != 12 || v[1] != '1' {
		return false
	}
	switch v[2:5] {
	case "800", "833", "844", "855", "866", "877", "888":
		return true
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

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

// EventType says what an Event reports.
type EventType int

// Event types.
const (
	EventUnknown        EventType = iota // an item the provider could not read or does not know
	EventDeliveryReport                  // a status change of a sent message
	EventInbound                         // a message from a handset
	EventOptOut                          // an inbound opt-out keyword (STOP …) or vendor opt-out notice
	EventOptIn                           // an inbound opt-in keyword (START …)
	EventHelp                            // an inbound help keyword (HELP, INFO)
)

var eventTypeNames = [...]string{"unknown", "delivery_report", "inbound", "opt_out", "opt_in", "help"}

// String returns the snake_case name of the event type.
func (t EventType) String() string {
	if t >= 0 && int(t) < len(eventTypeNames) {
		return eventTypeNames[t]
	}
	return "event_type(?)"
}

// MarshalText implements encoding.TextMarshaler.
func (t EventType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// IsInbound reports whether the event carries a message from a handset (inbound, opt-out,
// opt-in or help).
func (t EventType) IsInbound() bool { return t >= EventInbound && t <= EventHelp }

// OptOutScope says how far a vendor applies an opt-out.
type OptOutScope int

// Opt-out scopes.
const (
	ScopeSender  OptOutScope = iota // the pair (sender number, recipient)
	ScopeService                    // a vendor pool such as a Twilio Messaging Service
	ScopeAccount                    // every sender of the vendor account
)

// Event is one delivery report or inbound message, in the same shape for every vendor.
type Event struct {
	// ID is a stable de-duplication key: the vendor's own delivery id where it has one,
	// else EventID(provider, message id, status, error code). Providers classify inbound
	// keywords with DefaultKeywords; the webhook handler re-applies its configured list. An
	// empty ID means the event cannot be de-duplicated.
	ID        string
	Type      EventType
	Provider  string
	MessageID string // the vendor's message id
	From      string // E.164 where it is a number
	To        string
	Body      string   // inbound only
	MediaURLs []string // inbound only
	Status    Status   // delivery reports; StatusUnknown otherwise
	// Code is the portable classification of a delivery failure (CodeOptedOut for a
	// consent-related refusal, CodeInvalidRecipient, …), CodeUnknown when the report is not a
	// failure or the vendor's code has no portable meaning. Providers set it from their
	// vendor code table, so applications never parse vendor codes.
	Code Code
	// ErrorCode and ErrorDescription are the vendor's delivery error, if any.
	ErrorCode        string
	ErrorDescription string
	Segments         int
	// Part and Parts locate a report of one part of a multipart message (LINK Mobility
	// "msgId$1", Vibes per-part receipts): Part counts from 1, Parts is the total when the
	// vendor says it. Both are 0 for a report of the whole message. webhook folds part
	// reports into one message status.
	Part      int
	Parts     int
	Timestamp time.Time // the vendor's time for the event; zero if it sent none
	Reference string    // Message.Reference of the send, when the vendor echoed it
	Keyword   string    // the matched keyword for opt-out/opt-in/help, upper-cased
	Scope     OptOutScope
	ScopeID   string // the sender, service or account id the opt-out applies to
	RawStatus string // the vendor's status word, kept even when Status is Unknown
	Raw       []byte // the vendor's payload for this item
}

// Callback is what a provider decoded from one callback request.
type Callback struct {
	Events []Event
	// Reply, if not nil, is written on success instead of a bare 200: Event Grid's
	// validation answer, Twilio's empty TwiML.
	Reply *Reply
}

// Reply is an HTTP answer a provider needs written for a callback.
type Reply struct {
	StatusCode  int // 0 means 200
	ContentType string
	Header      map[string]string
	Body        []byte
	// Handshake is true when the request was a protocol handshake with no events for the
	// application (Event Grid subscription validation).
	Handshake bool
}

// Keywords holds the inbound words that mean opt-out, opt-in and help. Matching is on the
// whole message, ignoring case and surrounding white space.
type Keywords struct {
	OptOut []string
	OptIn  []string
	Help   []string
}

// DefaultKeywords returns the standard English keywords of the US carriers and CTIA, as a
// fresh copy the caller may change (for example to add another language's words).
func DefaultKeywords() Keywords {
	return Keywords{
		OptOut: []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"},
		OptIn:  []string{"START", "UNSTOP", "YES"},
		Help:   []string{"HELP", "INFO"},
	}
}

// Classify returns the event type of an inbound body and the matched keyword (upper-cased),
// or EventInbound and "" when the body is not a keyword.
func (k Keywords) Classify(body string) (EventType, string) {
	b := strings.TrimSpace(body)
	if b == "" || len(b) > 32 {
		return EventInbound, ""
	}
	for _, set := range [...]struct {
		t  EventType
		ws []string
	}{{EventOptOut, k.OptOut}, {EventOptIn, k.OptIn}, {EventHelp, k.Help}} {
		for _, w := range set.ws {
			if strings.EqualFold(b, strings.TrimSpace(w)) {
				return set.t, strings.ToUpper(strings.TrimSpace(w))
			}
		}
	}
	return EventInbound, ""
}

// Apply classifies an inbound message once. A plain EventInbound whose body is a keyword
// becomes an opt-out, opt-in or help event with Keyword set. A type the vendor set itself (an
// opt-out flagged by the vendor, whatever the words) is never changed: when its body matches
// a keyword of that same type, only Keyword is filled in. Other events are left alone.
// webhook.Handler applies its Keywords exactly once per event; providers do not.
func (k Keywords) Apply(ev *Event) {
	if !ev.Type.IsInbound() {
		return
	}
	t, w := k.Classify(ev.Body)
	switch {
	case ev.Type == EventInbound:
		ev.Type, ev.Keyword = t, w
	case ev.Keyword == "" && t == ev.Type:
		ev.Keyword = w
	}
}
