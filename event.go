package sms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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

// String returns the snake_case name of the event type ("delivery_report", "opt_out", …).
func (t EventType) String() string { return enumString(eventTypeNames[:], int(t), "event_type") }

// MarshalText implements encoding.TextMarshaler with the name String returns.
func (t EventType) MarshalText() ([]byte, error) {
	return enumMarshal(eventTypeNames[:], int(t), "event type")
}

// UnmarshalText implements encoding.TextUnmarshaler; a name String does not return is an error.
func (t *EventType) UnmarshalText(b []byte) error {
	return enumUnmarshal(eventTypeNames[:], (*int)(t), b, "event type")
}

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

var scopeNames = [...]string{"sender", "service", "account"}

// String returns the name of the scope: "sender", "service" or "account".
func (s OptOutScope) String() string { return enumString(scopeNames[:], int(s), "scope") }

// MarshalText implements encoding.TextMarshaler with the name String returns.
func (s OptOutScope) MarshalText() ([]byte, error) {
	return enumMarshal(scopeNames[:], int(s), "opt-out scope")
}

// UnmarshalText implements encoding.TextUnmarshaler; a name String does not return is an error.
func (s *OptOutScope) UnmarshalText(b []byte) error {
	return enumUnmarshal(scopeNames[:], (*int)(s), b, "opt-out scope")
}

// Event is one delivery report or inbound message, in the same shape for every vendor.
//
// Events round-trip through encoding/json (applications put them on queues): keys are stable
// snake_case ("id", "type", "provider", "message_id", "from", "to", "body", "media_urls",
// "status", "code", "error_code", "error_description", "segments", "part", "parts",
// "timestamp", "reference", "keyword", "scope", "scope_id", "raw_status", "raw"), every enum
// is its name (String), empty fields are omitted, and "scope" is written for opt-out, opt-in
// and help events and whenever ScopeID or Scope is set. Raw is written as "raw" holding the
// payload itself when it is a JSON object or array that encoding/json reproduces byte for byte
// (compact, no '<', '>', '&', U+2028 or U+2029), else as "raw" holding a JSON string when the
// payload is valid UTF-8, else as "raw_base64" (standard encoding). Decoding reverses each form
// (compacting a "raw" object or array that was re-indented), so Raw comes back byte for byte. See testdata/event_delivery_report.json for an example.
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
	// ScopeID is the sender, service or account id the opt-out applies to. For ScopeSender it
	// has the form of Sender.Value for that sender (E.164 for a number, the bare digits of a
	// short code, the pool id), so a suppression lookup keyed by the sending Sender.Value
	// finds it; providers convert a vendor's own form (LINK's "NO-2333") to it.
	ScopeID   string
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

// eventJSON is the JSON form of Event (see Event).
type eventJSON struct {
	ID               string          `json:"id,omitempty"`
	Type             EventType       `json:"type"`
	Provider         string          `json:"provider,omitempty"`
	MessageID        string          `json:"message_id,omitempty"`
	From             string          `json:"from,omitempty"`
	To               string          `json:"to,omitempty"`
	Body             string          `json:"body,omitempty"`
	MediaURLs        []string        `json:"media_urls,omitempty"`
	Status           Status          `json:"status,omitzero"`
	Code             Code            `json:"code,omitzero"`
	ErrorCode        string          `json:"error_code,omitempty"`
	ErrorDescription string          `json:"error_description,omitempty"`
	Segments         int             `json:"segments,omitempty"`
	Part             int             `json:"part,omitempty"`
	Parts            int             `json:"parts,omitempty"`
	Timestamp        time.Time       `json:"timestamp,omitzero"`
	Reference        string          `json:"reference,omitempty"`
	Keyword          string          `json:"keyword,omitempty"`
	Scope            *OptOutScope    `json:"scope,omitempty"`
	ScopeID          string          `json:"scope_id,omitempty"`
	RawStatus        string          `json:"raw_status,omitempty"`
	Raw              json.RawMessage `json:"raw,omitempty"`
	RawBase64        []byte          `json:"raw_base64,omitempty"`
}

// MarshalJSON implements json.Marshaler with the stable form described on Event.
func (e Event) MarshalJSON() ([]byte, error) {
	j := eventJSON{
		ID: e.ID, Type: e.Type, Provider: e.Provider, MessageID: e.MessageID, From: e.From, To: e.To,
		Body: e.Body, MediaURLs: e.MediaURLs, Status: e.Status, Code: e.Code, ErrorCode: e.ErrorCode,
		ErrorDescription: e.ErrorDescription, Segments: e.Segments, Part: e.Part, Parts: e.Parts,
		Timestamp: e.Timestamp, Reference: e.Reference, Keyword: e.Keyword, ScopeID: e.ScopeID,
		RawStatus: e.RawStatus,
	}
	if e.Type == EventOptOut || e.Type == EventOptIn || e.Type == EventHelp || e.Scope != ScopeSender || e.ScopeID != "" {
		scope := e.Scope
		j.Scope = &scope
	}
	switch {
	case len(e.Raw) == 0:
	case rawIsStableJSON(e.Raw):
		j.Raw = json.RawMessage(e.Raw)
	case utf8.Valid(e.Raw):
		b, err := json.Marshal(string(e.Raw))
		if err != nil {
			return nil, err
		}
		j.Raw = b
	default:
		j.RawBase64 = e.Raw
	}
	return json.Marshal(j)
}

// UnmarshalJSON implements json.Unmarshaler for the form MarshalJSON writes. Unknown keys are
// ignored; an enum name this version does not know is an error (a Status name becomes
// StatusUnknown, as Status is an open set).
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Event{
		ID: j.ID, Type: j.Type, Provider: j.Provider, MessageID: j.MessageID, From: j.From, To: j.To,
		Body: j.Body, MediaURLs: j.MediaURLs, Status: j.Status, Code: j.Code, ErrorCode: j.ErrorCode,
		ErrorDescription: j.ErrorDescription, Segments: j.Segments, Part: j.Part, Parts: j.Parts,
		Timestamp: j.Timestamp, Reference: j.Reference, Keyword: j.Keyword, ScopeID: j.ScopeID,
		RawStatus: j.RawStatus,
	}
	if j.Scope != nil {
		e.Scope = *j.Scope
	}
	switch {
	case len(j.Raw) > 0 && j.Raw[0] == '"':
		var s string
		if err := json.Unmarshal(j.Raw, &s); err != nil {
			return err
		}
		e.Raw = []byte(s)
	case len(j.Raw) > 0 && string(j.Raw) != "null":
		// The payload was written compact; a re-indented document (a pretty-printed queue
		// message, MarshalIndent) gets its original bytes back.
		var buf bytes.Buffer
		if err := json.Compact(&buf, j.Raw); err != nil {
			return err
		}
		e.Raw = buf.Bytes()
	case len(j.RawBase64) > 0:
		e.Raw = j.RawBase64
	}
	return nil
}

// rawIsStableJSON reports whether b is a JSON object or array that encoding/json writes back
// unchanged: valid, compact, and free of the characters its HTML-safe output escapes.
func rawIsStableJSON(b []byte) bool {
	if b[0] != '{' && b[0] != '[' {
		return false
	}
	if bytes.ContainsAny(b, "<>&\u2028\u2029") || !json.Valid(b) {
		return false
	}
	var buf bytes.Buffer
	buf.Grow(len(b))
	if err := json.Compact(&buf, b); err != nil {
		return false
	}
	return bytes.Equal(buf.Bytes(), b)
}

// enumString returns names[v], or prefix(v) for a value without a name.
func enumString(names []string, v int, prefix string) string {
	if v >= 0 && v < len(names) {
		return names[v]
	}
	return prefix + "(" + strconv.Itoa(v) + ")"
}

// enumMarshal returns names[v] as text, or an error for a value without a name.
func enumMarshal(names []string, v int, what string) ([]byte, error) {
	if v >= 0 && v < len(names) {
		return []byte(names[v]), nil
	}
	return nil, fmt.Errorf("sms: %s %d has no name", what, v)
}

// enumUnmarshal sets *v to the index of b in names, or returns an error naming b.
func enumUnmarshal(names []string, v *int, b []byte, what string) error {
	for i, n := range names {
		if n == string(b) {
			*v = i
			return nil
		}
	}
	return fmt.Errorf("sms: unknown %s %q", what, b)
}
