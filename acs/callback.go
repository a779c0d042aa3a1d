package acs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
	"github.com/smsbridge/sms/internal/norm"
)

// Event Grid event types this file reads. Matched without regard to case.
const (
	eventTypeDeliveryReport = "Microsoft.Communication.SMSDeliveryReportReceived"
	eventTypeReceived       = "Microsoft.Communication.SMSReceived"
	eventTypeValidation     = "Microsoft.EventGrid.SubscriptionValidationEvent"
)

// Headers of the Event Grid handshakes.
const (
	headerEventType     = "Aeg-Event-Type"         // Notification | SubscriptionValidation | SubscriptionDeletion
	headerRequestOrigin = "Webhook-Request-Origin" // CloudEvents abuse protection, request
	headerAllowedOrigin = "WebHook-Allowed-Origin" // … and answer
	headerAllowedRate   = "WebHook-Allowed-Rate"
)

// MaxCallbackEvents is the most events one callback request may carry: Event Grid's
// documented maximum of a subscription's "max events per batch" ("Must be between 1 and
// 5,000. This number will never be exceeded", Microsoft Learn, "Event Grid message
// delivery and retry"). A request with more items is refused before they are decoded.
const MaxCallbackEvents = 5000

// newCallbackVerifier builds the callback authentication of cfg.
func newCallbackVerifier(cfg *Config) *cbauth.Verifier {
	c := cbauth.Config{
		Provider:         Name,
		TokenParam:       CallbackTokenParam,
		Tokens:           cfg.CallbackTokens,
		Realm:            "Event Grid",
		InsecureSkipAuth: cfg.InsecureSkipCallbackAuth,
		Hint: "set Config.CallbackTokens and add ?" + CallbackTokenParam +
			"=… to the Event Grid subscription URL (or set CallbackUser and CallbackPassword)",
	}
	if !cfg.CallbackPassword.IsZero() {
		c.Basic = []cbauth.Basic{{User: cfg.CallbackUser, Password: cfg.CallbackPassword}}
	}
	return cbauth.New(c)
}

// CallbackMethods implements sms.CallbackMethoder: Event Grid sends the CloudEvents
// abuse-protection handshake as an OPTIONS request to the subscription's URL.
func (p *Provider) CallbackMethods() []string { return []string{http.MethodOptions} }

// ParseCallback authenticates, then decodes, one Event Grid delivery to the webhook: a
// subscription-validation or CloudEvents handshake (answered with a Reply whose Handshake is
// set), or SMS delivery reports and inbound messages in the Event Grid or the CloudEvents 1.0
// schema, one event per item.
//
// Authentication comes first and fails closed (CodeUnauthenticated): the query parameter
// CallbackTokenParam must equal one of Config.CallbackTokens, or the request's Basic auth must
// match CallbackUser and CallbackPassword; every comparison is constant-time and every token is
// tried. Without any protection configured every callback is refused, unless
// Config.InsecureSkipCallbackAuth is set, which accepts every request unchecked.
//
// The envelope is told by the first byte of the body after an optional UTF-8 byte-order mark
// and white space, whatever the Content-Type: '[' is an array of Event Grid events or a
// CloudEvents batch (each item is told apart by its keys: eventType, or type with
// specversion), '{' is one CloudEvent. An array of more than MaxCallbackEvents items is
// CodeInvalidArgument (400) before any item is decoded. Keys are matched without regard to
// case at every level, since Microsoft's own samples spell them in camelCase and PascalCase.
// A body that is not JSON is CodeInvalidArgument (400). An item that is not an object, whose
// data is not an object, or whose event type is not an SMS event becomes one
// sms.EventUnknown event instead, so that the batch is acknowledged: Event Grid drops a batch
// answered 400 without retrying. A value of the wrong JSON type (a segmentCount in quotes) is
// skipped and the rest of the item is read.
//
// A subscription-validation event is answered with {"validationResponse": "<validationCode>"}
// and no events. Event Grid never batches it with other events; if it were, the other items
// would be ignored and Event Grid would not deliver them again.
//
// Inbound messages are reported as sms.EventInbound whatever their text: keywords (STOP, …)
// are classified once, by the webhook package.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if err := p.cb.Verify(r); err != nil {
		return nil, err
	}
	if r.Method == http.MethodOptions {
		return abuseProtectionReply(r)
	}

	b := bytes.TrimRight(trimJSONStart(body), jsonSpace)
	var spans []itemSpan
	switch {
	case len(b) == 0:
		return nil, invalidCallback("empty callback body")
	case b[0] == '[':
		var ok bool
		if spans, ok = arraySpans(b, MaxCallbackEvents); !ok {
			return nil, invalidCallback(fmt.Sprintf("callback batch of more than %d events: Event Grid sends at most %d", MaxCallbackEvents, MaxCallbackEvents))
		}
	case b[0] == '{':
		spans = []itemSpan{objectSpan(b, 0)}
	default:
		return nil, invalidCallback("callback body is neither a JSON array of events nor a CloudEvent")
	}

	// One pass of encoding/json over the body, array, envelopes and data at once; the spans
	// (found by a scan that neither validates nor allocates per byte) give each item's raw
	// bytes and whether it and its data are objects.
	envs := make([]envelope, len(spans))
	var err error
	if b[0] == '[' {
		err = json.Unmarshal(b, &envs)
	} else {
		err = json.Unmarshal(b, &envs[0])
	}
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) {
		e := invalidCallback("callback body is not valid JSON")
		e.Err = err
		return nil, e
	}
	if len(envs) != len(spans) { // cannot happen for valid JSON; never index out of range
		return nil, invalidCallback("callback body is not a JSON array of events")
	}
	// Raw of each event is a copy of its item, all in one allocation, so that the caller's
	// body buffer may be reused.
	raw := bytes.Clone(b)

	validationHeader := strings.EqualFold(strings.TrimSpace(r.Header.Get(headerEventType)), "SubscriptionValidation")
	for i := range envs {
		env := &envs[i]
		if !spans[i].object {
			continue
		}
		if validationHeader || strings.EqualFold(env.eventType(), eventTypeValidation) {
			if d := env.data(spans[i]); d != nil && d.ValidationCode != "" {
				return validationReply(d.ValidationCode)
			}
			if !validationHeader {
				return nil, invalidCallback("subscription validation event without a validationCode")
			}
		}
	}
	if validationHeader {
		return nil, invalidCallback("subscription validation request without a validationCode")
	}

	cb := &sms.Callback{Events: make([]sms.Event, len(envs))}
	for i := range envs {
		s := spans[i]
		itemRaw := raw[s.start:s.end:s.end]
		cb.Events[i] = decodeItem(itemRaw, &envs[i], s)
	}
	return cb, nil
}

// abuseProtectionReply answers the CloudEvents webhook validation request (an OPTIONS with
// WebHook-Request-Origin) by allowing the origin that asked, at any rate.
func abuseProtectionReply(r *http.Request) (*sms.Callback, error) {
	origin := strings.TrimSpace(r.Header.Get(headerRequestOrigin))
	if origin == "" {
		return nil, invalidCallback("OPTIONS request without " + headerRequestOrigin + ": not a CloudEvents abuse-protection handshake")
	}
	return &sms.Callback{Reply: &sms.Reply{
		Handshake:  true,
		StatusCode: http.StatusOK,
		Header: map[string]string{
			headerAllowedOrigin: origin,
			headerAllowedRate:   "*",
			"Allow":             "POST, OPTIONS",
		},
	}}, nil
}

// validationReply answers Event Grid's subscription validation synchronously: HTTP 200 (202
// is not accepted) with the validation code.
func validationReply(code string) (*sms.Callback, error) {
	body, err := json.Marshal(struct {
		ValidationResponse string `json:"validationResponse"`
	}{code})
	if err != nil { // a string always marshals
		e := newError(sms.CodeInternal, "encoding the validation response")
		e.Err = err
		return nil, e
	}
	return &sms.Callback{Reply: &sms.Reply{
		Handshake:   true,
		StatusCode:  http.StatusOK,
		ContentType: "application/json",
		Body:        body,
	}}, nil
}

func invalidCallback(msg string) *sms.Error { return newError(sms.CodeInvalidArgument, msg) }

// jsonSpace is JSON's insignificant white space.
const jsonSpace = " \t\r\n"

// trimJSONStart drops a UTF-8 byte-order mark and the white space before the first value.
func trimJSONStart(b []byte) []byte {
	b = bytes.TrimLeft(b, jsonSpace)
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(b, jsonSpace)
}

// envelope is one item of either schema, with the data of every event type this package
// reads, decoded in the same pass. encoding/json matches object keys to these tags without
// regard to case (an exact match first), so specVersion, EventType, Id, MessageId, … are read
// too.
type envelope struct {
	ID          string    `json:"id"`
	EventType   string    `json:"eventType"`   // Event Grid schema
	Type        string    `json:"type"`        // CloudEvents
	SpecVersion string    `json:"specversion"` // CloudEvents ("specVersion" in one Microsoft sample)
	EventTime   string    `json:"eventTime"`   // Event Grid schema
	Time        string    `json:"time"`        // CloudEvents
	Data        eventData `json:"data"`
	DataBase64  string    `json:"data_base64"` // CloudEvents binary data; not used by Event Grid for SMS
}

// eventData is the data of the SMS events and of the validation event, merged: their fields
// do not collide.
type eventData struct {
	// Microsoft.Communication.SMSDeliveryReportReceived and SMSReceived.
	MessageID         string `json:"messageId"`
	From              string `json:"from"`
	To                string `json:"to"`
	ReceivedTimestamp string `json:"receivedTimestamp"`
	// SMSDeliveryReportReceived.
	DeliveryStatus        string            `json:"deliveryStatus"`
	DeliveryStatusDetails string            `json:"deliveryStatusDetails"`
	DeliveryAttempts      []callbackAttempt `json:"deliveryAttempts"`
	Tag                   string            `json:"tag"`
	// SMSReceived.
	Message      string `json:"message"`
	SegmentCount int    `json:"segmentCount"`
	// Microsoft.EventGrid.SubscriptionValidationEvent.
	ValidationCode string `json:"validationCode"`
	ValidationURL  string `json:"validationUrl"`
}

type callbackAttempt struct {
	Timestamp         string `json:"timestamp"`
	SegmentsSucceeded int    `json:"segmentsSucceeded"`
	SegmentsFailed    int    `json:"segmentsFailed"`
}

// eventType returns the event type: eventType for the Event Grid schema, type for
// CloudEvents (an item with both is read as an Event Grid event).
func (e *envelope) eventType() string {
	if e.EventType != "" {
		return e.EventType
	}
	return e.Type
}

// time returns the envelope's time, or the zero time.
func (e *envelope) time() time.Time {
	if e.EventTime != "" {
		return norm.Time(e.EventTime)
	}
	return norm.Time(e.Time)
}

// data returns the event's data when it is a JSON object — data, else the JSON object that
// data_base64 encodes — or nil.
func (e *envelope) data(s itemSpan) *eventData {
	switch {
	case s.data == '{':
		return &e.Data
	case s.data == 0 && e.DataBase64 != "":
		b, err := base64.StdEncoding.DecodeString(e.DataBase64)
		if err != nil {
			return nil
		}
		b = trimJSONStart(b)
		var d eventData
		var te *json.UnmarshalTypeError
		if len(b) == 0 || b[0] != '{' {
			return nil
		}
		if err := json.Unmarshal(b, &d); err != nil && !errors.As(err, &te) {
			return nil
		}
		return &d
	}
	return nil
}

// decodeItem maps one item to one event; it never fails.
func decodeItem(raw []byte, env *envelope, s itemSpan) sms.Event {
	if !s.object {
		return unknownEvent(raw, nil)
	}
	typ := env.eventType()
	deliveryReport := strings.EqualFold(typ, eventTypeDeliveryReport)
	if !deliveryReport && !strings.EqualFold(typ, eventTypeReceived) {
		return unknownEvent(raw, env)
	}
	d := env.data(s)
	if d == nil {
		return unknownEvent(raw, env)
	}
	if deliveryReport {
		return deliveryReportEvent(raw, env, d)
	}
	return receivedEvent(raw, env, d)
}

// deliveryReportEvent maps a delivery report.
//
// Segments come from the latest delivery attempt by timestamp (ACS lists attempts in no
// documented order): segmentsSucceeded + segmentsFailed. Timestamp is receivedTimestamp, when
// ACS received the carrier's report; an attempt later than it does not move it. Without a
// readable receivedTimestamp, the latest attempt's time is used, then the envelope's.
//
// ID is the Event Grid event id, except when it equals the message id (as in Microsoft's
// published samples): then it is sms.EventID of the message id, status and details, so that two
// different reports of one message are never taken for duplicates, while a redelivery of the
// same event still is.
func deliveryReportEvent(raw []byte, env *envelope, d *eventData) sms.Event {
	ev := sms.Event{
		ID:               env.ID,
		Type:             sms.EventDeliveryReport,
		Provider:         Name,
		MessageID:        d.MessageID,
		From:             norm.Phone(d.From),
		To:               norm.Phone(d.To),
		ErrorDescription: d.DeliveryStatusDetails,
		Reference:        d.Tag,
		RawStatus:        d.DeliveryStatus,
		Raw:              raw,
	}
	ev.Status, ev.Code, ev.ErrorCode = ReportStatus(d.DeliveryStatus, d.DeliveryStatusDetails)
	if ev.ID == "" || ev.ID == d.MessageID {
		ev.ID = sms.EventID(Name, d.MessageID, d.DeliveryStatus, d.DeliveryStatusDetails)
	}

	latest, latestAt := -1, time.Time{}
	for i := range d.DeliveryAttempts {
		t := norm.Time(d.DeliveryAttempts[i].Timestamp)
		if latest < 0 || !t.Before(latestAt) { // ties and unreadable times: the later entry wins
			latest, latestAt = i, t
		}
	}
	if latest >= 0 {
		a := d.DeliveryAttempts[latest]
		ev.Segments = max(0, a.SegmentsSucceeded) + max(0, a.SegmentsFailed)
	}
	ev.Timestamp = norm.Time(d.ReceivedTimestamp)
	if ev.Timestamp.IsZero() {
		ev.Timestamp = latestAt
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = env.time()
	}
	return ev
}

// receivedEvent maps an inbound message. ACS keeps its opt-out database per sender and
// recipient, so opt-outs are scoped to the number that received the message. ACS marks no
// message as an opt-out itself (it relays STOP as text): keywords are the webhook's.
func receivedEvent(raw []byte, env *envelope, d *eventData) sms.Event {
	ev := sms.Event{
		ID:        env.ID,
		Type:      sms.EventInbound,
		Provider:  Name,
		MessageID: d.MessageID,
		From:      norm.Phone(d.From),
		To:        norm.Phone(d.To),
		Body:      d.Message,
		Segments:  max(0, d.SegmentCount),
		Timestamp: norm.Time(d.ReceivedTimestamp),
		Scope:     sms.ScopeSender,
		Raw:       raw,
	}
	ev.ScopeID = ev.To
	if ev.ID == "" {
		ev.ID = sms.EventID(Name, d.MessageID, "", "")
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = env.time()
	}
	return ev
}

// unknownEvent is the event of an item that is not an SMS event or cannot be read (env nil).
// Its ID is the event id, else a hash of the item.
func unknownEvent(raw []byte, env *envelope) sms.Event {
	ev := sms.Event{Type: sms.EventUnknown, Provider: Name, Raw: raw}
	if env != nil {
		ev.ID, ev.RawStatus, ev.Timestamp = env.ID, env.eventType(), env.time()
	}
	if ev.ID == "" {
		sum := sha256.Sum256(raw)
		ev.ID = sms.EventID(Name, "", "unreadable", hex.EncodeToString(sum[:]))
	}
	return ev
}

// itemSpan locates one item of a callback body: its bytes, whether it is a JSON object, and
// the first byte of the value of its (last) "data" key, 0 when it has none.
type itemSpan struct {
	start, end int
	object     bool
	data       byte
}

// arraySpans returns the spans of the items of the JSON array b (b[0] == '['), or false when
// it has more than max items. It does not validate: on malformed JSON the spans are
// meaningless but the scan stays in bounds, and encoding/json rejects the body afterwards.
func arraySpans(b []byte, max int) ([]itemSpan, bool) {
	var spans []itemSpan
	i := skipSpace(b, 1)
	for i < len(b) && b[i] != ']' {
		if len(spans) == max {
			return nil, false
		}
		var s itemSpan
		if b[i] == '{' {
			s = objectSpan(b, i)
		} else {
			s = itemSpan{start: i, end: skipValue(b, i)}
		}
		spans = append(spans, s)
		i = skipSpace(b, s.end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		} else {
			break
		}
	}
	return spans, true
}

// objectSpan scans the object starting at b[i] == '{', noting the first byte of the value of
// its data key (ASCII case-insensitive, as encoding/json matches it; the last one wins).
func objectSpan(b []byte, i int) itemSpan {
	s := itemSpan{start: i, object: true}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		ks := i
		i = skipString(b, i)
		key := b[ks+1 : max(ks+1, i-1)]
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			break
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			break
		}
		if isDataKey(key) {
			s.data = b[i]
		}
		i = skipSpace(b, skipValue(b, i))
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	if i < len(b) && b[i] == '}' {
		i++
	}
	s.end = min(i, len(b))
	return s
}

// isDataKey reports whether a raw key is "data" in any letter case, escapes decoded.
func isDataKey(key []byte) bool {
	if bytes.IndexByte(key, '\\') < 0 {
		return len(key) == 4 && bytes.EqualFold(key, []byte("data"))
	}
	var k string
	if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k) != nil {
		return false
	}
	return strings.EqualFold(k, "data")
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', ']', '}', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}
