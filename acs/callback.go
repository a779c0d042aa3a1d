package acs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/smsbridge/sms"
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
// specversion), '{' is one CloudEvent. Keys are matched without regard to case at every level,
// since Microsoft's own samples spell them in camelCase and PascalCase. A body that is not JSON
// is CodeInvalidArgument (400). An item that is not an object, whose data is not an object, or
// whose event type is not an SMS event becomes one sms.EventUnknown event instead, so that the
// batch is acknowledged: Event Grid drops a batch answered 400 without retrying. A value of the
// wrong JSON type (a segmentCount in quotes) is skipped and the rest of the item is read.
//
// A subscription-validation event is answered with {"validationResponse": "<validationCode>"}
// and no events. Event Grid never batches it with other events; if it were, the other items
// would be ignored and Event Grid would not deliver them again.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if err := p.authenticateCallback(r); err != nil {
		return nil, err
	}
	if r.Method == http.MethodOptions {
		return abuseProtectionReply(r)
	}

	b := trimJSONStart(body)
	var items []json.RawMessage
	switch {
	case len(b) == 0:
		return nil, invalidCallback("empty callback body")
	case b[0] == '[':
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "callback body is not a valid JSON array", Err: err}
		}
	case b[0] == '{':
		if !json.Valid(b) {
			return nil, invalidCallback("callback body is not a valid JSON object")
		}
		items = []json.RawMessage{bytes.TrimRight(b, jsonSpace)}
	default:
		return nil, invalidCallback("callback body is neither a JSON array of events nor a CloudEvent")
	}

	envs := make([]callbackEnvelope, len(items))
	validationHeader := strings.EqualFold(strings.TrimSpace(r.Header.Get(headerEventType)), "SubscriptionValidation")
	for i, raw := range items {
		env := &envs[i]
		if env.decode(raw); !env.readable {
			continue
		}
		if strings.EqualFold(env.eventType(), eventTypeValidation) || validationHeader {
			var d validationData
			if env.decodeData(&d) && d.ValidationCode != "" {
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

	cb := &sms.Callback{Events: make([]sms.Event, 0, len(items))}
	for i, raw := range items {
		cb.Events = append(cb.Events, decodeCallbackItem(raw, &envs[i]))
	}
	return cb, nil
}

// authenticateCallback checks the callback token or Basic auth (see ParseCallback).
func (p *Provider) authenticateCallback(r *http.Request) error {
	c := &p.cfg
	if c.InsecureSkipCallbackAuth {
		return nil
	}
	useBasic := !c.CallbackPassword.IsZero()
	useTokens := false
	for _, t := range c.CallbackTokens {
		useTokens = useTokens || !t.IsZero()
	}
	if !useTokens && !useBasic {
		return &sms.Error{Code: sms.CodeUnauthenticated, Provider: Name,
			Message: "callback authentication is not configured: set Config.CallbackTokens and add ?" +
				CallbackTokenParam + "=… to the Event Grid subscription URL (or set CallbackUser and CallbackPassword)"}
	}

	presented := false
	ok := 0
	if useTokens && r.URL != nil && r.URL.RawQuery != "" {
		if got := r.URL.Query().Get(CallbackTokenParam); got != "" {
			presented = true
			g := sha256.Sum256([]byte(got))
			for _, t := range c.CallbackTokens {
				if t.IsZero() {
					continue
				}
				w := sha256.Sum256([]byte(t.Reveal()))
				ok |= subtle.ConstantTimeCompare(g[:], w[:])
			}
		}
	}
	if useBasic {
		if user, pass, has := r.BasicAuth(); has {
			presented = true
			gu, wu := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(c.CallbackUser))
			gp, wp := sha256.Sum256([]byte(pass)), sha256.Sum256([]byte(c.CallbackPassword.Reveal()))
			ok |= subtle.ConstantTimeCompare(gu[:], wu[:]) & subtle.ConstantTimeCompare(gp[:], wp[:])
		}
	}
	switch {
	case ok == 1:
		return nil
	case !presented:
		return &sms.Error{Code: sms.CodeUnauthenticated, Provider: Name, Message: "missing callback token or credentials"}
	}
	return &sms.Error{Code: sms.CodeUnauthenticated, Provider: Name, Message: "invalid callback token or credentials"}
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
		return nil, &sms.Error{Code: sms.CodeInternal, Provider: Name, Message: "encoding the validation response", Err: err}
	}
	return &sms.Callback{Reply: &sms.Reply{
		Handshake:   true,
		StatusCode:  http.StatusOK,
		ContentType: "application/json",
		Body:        body,
	}}, nil
}

func invalidCallback(msg string) *sms.Error {
	return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: msg}
}

// jsonSpace is JSON's insignificant white space.
const jsonSpace = " \t\r\n"

// trimJSONStart drops a UTF-8 byte-order mark and the white space before the first value.
func trimJSONStart(b []byte) []byte {
	b = bytes.TrimLeft(b, jsonSpace)
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(b, jsonSpace)
}

// callbackEnvelope is one item of either schema. encoding/json matches object keys to these
// tags without regard to case (an exact match first), so specVersion, EventType, Id, … are
// read too.
type callbackEnvelope struct {
	ID          string          `json:"id"`
	EventType   string          `json:"eventType"`   // Event Grid schema
	Type        string          `json:"type"`        // CloudEvents
	SpecVersion string          `json:"specversion"` // CloudEvents ("specVersion" in one Microsoft sample)
	EventTime   string          `json:"eventTime"`   // Event Grid schema
	Time        string          `json:"time"`        // CloudEvents
	Data        json.RawMessage `json:"data"`
	DataBase64  string          `json:"data_base64"` // CloudEvents binary data; not used by Event Grid for SMS

	readable bool // the item is an object
}

// decode reads one item. An item that is not a JSON object is not readable; a key whose value
// has the wrong JSON type is skipped (its field stays empty) and the rest is read.
func (e *callbackEnvelope) decode(raw []byte) {
	b := trimJSONStart(raw)
	e.readable = len(b) > 0 && b[0] == '{' && tolerableJSONError(json.Unmarshal(b, e))
}

// decodeData decodes the event's data into v and reports whether it is a JSON object; as in
// decode, keys of the wrong JSON type are skipped.
func (e *callbackEnvelope) decodeData(v any) bool {
	b := trimJSONStart(e.data())
	return len(b) > 0 && b[0] == '{' && tolerableJSONError(json.Unmarshal(b, v))
}

// tolerableJSONError reports whether err is nil or only says that some value had the wrong
// JSON type, which encoding/json skips while decoding the rest.
func tolerableJSONError(err error) bool {
	var te *json.UnmarshalTypeError
	return err == nil || errors.As(err, &te)
}

// eventType returns the event type: eventType for the Event Grid schema, type for
// CloudEvents (an item with both is read as an Event Grid event).
func (e *callbackEnvelope) eventType() string {
	if e.EventType != "" {
		return e.EventType
	}
	return e.Type
}

// time returns the envelope's time, or the zero time.
func (e *callbackEnvelope) time() time.Time {
	if e.EventTime != "" {
		return callbackTime(e.EventTime)
	}
	return callbackTime(e.Time)
}

// data returns the event's data as JSON: data, else the decoded data_base64, else null.
func (e *callbackEnvelope) data() []byte {
	if len(e.Data) > 0 {
		return e.Data
	}
	if e.DataBase64 != "" {
		if b, err := base64.StdEncoding.DecodeString(e.DataBase64); err == nil {
			return b
		}
	}
	return []byte("null")
}

// validationData is the data of a Microsoft.EventGrid.SubscriptionValidationEvent.
type validationData struct {
	ValidationCode string `json:"validationCode"`
	ValidationURL  string `json:"validationUrl"`
}

// deliveryReportData is the data of a Microsoft.Communication.SMSDeliveryReportReceived.
type deliveryReportData struct {
	MessageID             string            `json:"messageId"`
	From                  string            `json:"from"`
	To                    string            `json:"to"`
	DeliveryStatus        string            `json:"deliveryStatus"`
	DeliveryStatusDetails string            `json:"deliveryStatusDetails"`
	DeliveryAttempts      []callbackAttempt `json:"deliveryAttempts"`
	ReceivedTimestamp     string            `json:"receivedTimestamp"`
	Tag                   string            `json:"tag"`
}

type callbackAttempt struct {
	Timestamp         string `json:"timestamp"`
	SegmentsSucceeded int    `json:"segmentsSucceeded"`
	SegmentsFailed    int    `json:"segmentsFailed"`
}

// receivedData is the data of a Microsoft.Communication.SMSReceived.
type receivedData struct {
	MessageID         string `json:"messageId"`
	From              string `json:"from"`
	To                string `json:"to"`
	Message           string `json:"message"`
	ReceivedTimestamp string `json:"receivedTimestamp"`
	SegmentCount      int    `json:"segmentCount"`
}

// decodeCallbackItem maps one item to one event; it never fails.
func decodeCallbackItem(raw []byte, env *callbackEnvelope) sms.Event {
	if !env.readable {
		return unknownCallbackEvent(raw, nil)
	}
	typ := env.eventType()
	switch {
	case strings.EqualFold(typ, eventTypeDeliveryReport):
		var d deliveryReportData
		if !env.decodeData(&d) {
			return unknownCallbackEvent(raw, env)
		}
		return deliveryReportEvent(raw, env, &d)
	case strings.EqualFold(typ, eventTypeReceived):
		var d receivedData
		if !env.decodeData(&d) {
			return unknownCallbackEvent(raw, env)
		}
		return receivedEvent(raw, env, &d)
	}
	return unknownCallbackEvent(raw, env)
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
func deliveryReportEvent(raw []byte, env *callbackEnvelope, d *deliveryReportData) sms.Event {
	ev := sms.Event{
		ID:               env.ID,
		Type:             sms.EventDeliveryReport,
		Provider:         Name,
		MessageID:        d.MessageID,
		From:             callbackNumber(d.From),
		To:               callbackNumber(d.To),
		ErrorDescription: d.DeliveryStatusDetails,
		Reference:        d.Tag,
		RawStatus:        d.DeliveryStatus,
		Raw:              raw,
	}
	ev.Status, ev.ErrorCode = MapStatus(d.DeliveryStatus, d.DeliveryStatusDetails)
	if ev.ID == "" || ev.ID == d.MessageID {
		ev.ID = sms.EventID(Name, d.MessageID, d.DeliveryStatus, d.DeliveryStatusDetails)
	}

	latest, latestAt := -1, time.Time{}
	for i := range d.DeliveryAttempts {
		t := callbackTime(d.DeliveryAttempts[i].Timestamp)
		if latest < 0 || !t.Before(latestAt) { // ties and unreadable times: the later entry wins
			latest, latestAt = i, t
		}
	}
	if latest >= 0 {
		a := d.DeliveryAttempts[latest]
		ev.Segments = max(0, a.SegmentsSucceeded) + max(0, a.SegmentsFailed)
	}
	ev.Timestamp = callbackTime(d.ReceivedTimestamp)
	if ev.Timestamp.IsZero() {
		ev.Timestamp = latestAt
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = env.time()
	}
	return ev
}

// receivedEvent maps an inbound message. ACS keeps its opt-out database per sender and
// recipient, so opt-outs are scoped to the number that received the message.
func receivedEvent(raw []byte, env *callbackEnvelope, d *receivedData) sms.Event {
	ev := sms.Event{
		ID:        env.ID,
		Type:      sms.EventInbound,
		Provider:  Name,
		MessageID: d.MessageID,
		From:      callbackNumber(d.From),
		To:        callbackNumber(d.To),
		Body:      d.Message,
		Segments:  max(0, d.SegmentCount),
		Timestamp: callbackTime(d.ReceivedTimestamp),
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
	sms.DefaultKeywords().Apply(&ev)
	return ev
}

// unknownCallbackEvent is the event of an item that is not an SMS event or cannot be read (env
// nil). Its ID is the event id, else a hash of the item.
func unknownCallbackEvent(raw []byte, env *callbackEnvelope) sms.Event {
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

// callbackNumber returns a number of an event in E.164. Microsoft's samples omit the "+":
// a value of more than 8 digits (longer than any short code) that is a valid number with a
// "+" gets one; short codes, alphanumeric senders and anything else are kept as sent.
func callbackNumber(s string) string {
	if s == "" {
		return s
	}
	if s[0] == '+' {
		if n, err := sms.NormalizePhone(s); err == nil {
			return n
		}
		return s
	}
	if len(s) <= 8 || len(s) > 15 {
		return s
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s
		}
	}
	if n, err := sms.NormalizePhone("+" + s); err == nil {
		return n
	}
	return s
}

// callbackTime parses an RFC 3339 time with any number of fractional digits (ACS writes
// seven); a time without a zone is taken as UTC. It returns the zero time for anything else.
func callbackTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	// RFC 3339 allows a lower-case t and z and (by its note) a space for the T; the Azure SDK
	// reads them, so do the same.
	if len(s) > 10 && (s[10] == ' ' || s[10] == 't') {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t
	}
	return time.Time{}
}
