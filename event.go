package sms

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

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

// EventID returns the de-duplication id for an event whose vendor sends no delivery id: a
// hash of provider, message id, status word and error code (never the message id alone,
// since one message has several reports). For inbound messages pass the vendor's inbound
// message id and an empty status.
func EventID(provider, messageID, rawStatus, errorCode string) string {
	h := sha256.New()
	for _, s := range [...]string{provider, messageID, rawStatus, errorCode} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return provider + ":" + hex.EncodeToString(h.Sum(sum[:0])[:16])
}
