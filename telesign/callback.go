package telesign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/norm"
)

// userResponse is the inbound part of an mo_sms callback (vendors/telesign.md §6).
type userResponse struct {
	PhoneNumber    string `json:"phone_number"`
	SenderID       string `json:"sender_id"`
	MOMessage      string `json:"mo_message"`
	ISOCountryCode string `json:"iso_country_code"`
	Action         string `json:"action"`
	Keyword        string `json:"keyword"`
}

// callbackBody is the part of envelope a callback reads, shaped to decode with fewer
// allocations on the hot path: external_id and additional_info are values (absent, null and
// empty all give the same event, since only their contents are read), sub_resource is not
// decoded (it is never read; a body encoding/json refuses is still refused, and a field of an
// unexpected type was already tolerated). status and user_response stay pointers: their
// presence chooses the event type. A value field differs from a pointer only when a null
// follows an earlier value of the same key (a pointer is reset, a value kept), so a body
// holding a null decodes through envelope instead (decodeCallback).
type callbackBody struct {
	ReferenceID    string          `json:"reference_id"`
	Status         *statusObj      `json:"status"`
	ExternalID     string          `json:"external_id"`
	Errors         json.RawMessage `json:"errors"` // an array, or {} in inbound callbacks
	AdditionalInfo additionalInfo  `json:"additional_info"`
	SubmitTime     string          `json:"submit_timestamp"`
	UserResponse   *userResponse   `json:"user_response"`
}

// firstError returns the first entry of an errors array, if errors is one.
func (b *callbackBody) firstError() *errorItem {
	return (&envelope{Errors: b.Errors}).firstError()
}

var nullLit = []byte("null")

// decodeCallback decodes body into b as json.Unmarshal into envelope would, field for field.
func decodeCallback(body []byte, b *callbackBody) error {
	if scanCallback(body, b) {
		return nil
	}
	*b = callbackBody{}
	if !bytes.Contains(body, nullLit) {
		return json.Unmarshal(body, b)
	}
	var e envelope
	err := json.Unmarshal(body, &e)
	*b = e.callback()
	return err
}

// callback is the part of e a callback reads.
func (e *envelope) callback() callbackBody {
	b := callbackBody{ReferenceID: e.ReferenceID, Status: e.Status, Errors: e.Errors, SubmitTime: e.SubmitTime, UserResponse: e.UserResponse}
	if e.ExternalID != nil {
		b.ExternalID = *e.ExternalID
	}
	if e.AdditionalInfo != nil {
		b.AdditionalInfo = *e.AdditionalInfo
	}
	return b
}

// callbackOne holds a Callback and its one event in one allocation.
type callbackOne struct {
	cb sms.Callback
	ev [1]sms.Event
}

// actionTypes maps Telesign's keyword action (lower-case for SMS, upper-case for other
// channels) to the event type it signals.
var actionTypes = map[string]sms.EventType{"stop": sms.EventOptOut, "start": sms.EventOptIn, "help": sms.EventHelp}

// ParseCallback implements sms.Provider. It verifies the TSA signature over the raw body
// (authenticate; fail closed), then decodes one JSON callback of Telesign's — Telesign posts
// one event per request — into one event:
//
//   - with user_response (sub_resource "mo_sms"): an inbound message. From is the handset in
//     E.164 (Telesign writes digits without '+'), To the code that received it, Body
//     mo_message. Telesign's own keyword action is the vendor's signal: "stop" is an
//     sms.EventOptOut (so a French "arrêt" Telesign mapped stays an opt-out), "start"
//     EventOptIn, "help" EventHelp, with Keyword the matched keyword upper-cased and the
//     scope the receiving code (ScopeSender); "generic" is a plain EventInbound, which the
//     webhook package classifies once. Event.ID is over the provider and reference_id.
//   - with a status object: a delivery report. MessageID reference_id; Status and Code from
//     the status table (StatusOf; 290, 292, 203 and 295 are intermediate); RawStatus the
//     status code; for a failure ErrorCode the code (or the first errors[] code) and
//     ErrorDescription its text; Reference external_id (the AttemptID when the send had no
//     Reference); Segments additional_info.message_parts_count; To the cleansed number and
//     From the sender ID actually used, when Telesign adds them; Timestamp status.updated_on.
//     Event.ID is over the provider, reference_id and status code: Telesign sends
//     intermediate and final statuses of one message, and retries a callback that was not
//     answered 200. Without a reference_id it is left empty (the webhook derives it from the
//     raw body).
//   - any other JSON object: an sms.EventUnknown with the raw body, acknowledged.
//
// A body that is not a JSON object is CodeInvalidArgument (400). Raw is a copy of the body.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if err := p.authenticate(r, body); err != nil {
		return nil, err
	}
	return parseCallback(body)
}

// parseCallback decodes an authenticated callback (see ParseCallback).
func parseCallback(body []byte) (*sms.Callback, error) {
	var b callbackBody
	err := decodeCallback(body, &b)
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) { // a field of an unexpected type leaves it empty
		e := newError(sms.CodeInvalidArgument, "callback body is not a JSON object")
		e.NotAccepted, e.Err = true, err
		return nil, e
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		e := newError(sms.CodeInvalidArgument, "callback body is not a JSON object")
		e.NotAccepted = true
		return nil, e
	}
	ev := sms.Event{Type: sms.EventUnknown, Provider: Name, MessageID: b.ReferenceID, Raw: bytes.Clone(body)}
	switch {
	case b.UserResponse != nil:
		u := b.UserResponse
		ev.Type = sms.EventInbound
		ev.From, ev.To, ev.Body = norm.Phone(u.PhoneNumber), norm.Phone(u.SenderID), u.MOMessage
		ev.Timestamp = parseTime(b.SubmitTime)
		if ev.Timestamp.IsZero() && b.Status != nil {
			ev.Timestamp = parseTime(b.Status.UpdatedOn)
		}
		if t, ok := actionTypes[strings.ToLower(strings.TrimSpace(u.Action))]; ok {
			ev.Type = t
			ev.Keyword = strings.ToUpper(strings.TrimSpace(u.Keyword))
			if ev.Keyword == "" {
				ev.Keyword = strings.ToUpper(strings.TrimSpace(u.MOMessage))
			}
			ev.Scope, ev.ScopeID = sms.ScopeSender, ev.To
		}
		if b.ReferenceID != "" {
			ev.ID = sms.EventID(Name, b.ReferenceID, "mo", "")
		}
	case b.Status != nil:
		code := int(b.Status.Code)
		ev.Type = sms.EventDeliveryReport
		ev.RawStatus = strconv.Itoa(code)
		ev.Status, ev.Code = StatusOf(code)
		ev.Reference = b.ExternalID
		ai := &b.AdditionalInfo
		ev.Segments = int(ai.MessagePartsCount)
		ev.To = norm.Phone(ai.CleansedPhone)
		ev.From = norm.Phone(ai.SenderID)
		ev.Timestamp = parseTime(b.Status.UpdatedOn)
		switch ev.Status {
		case sms.StatusRejected, sms.StatusFailed, sms.StatusUndelivered, sms.StatusExpired:
			ev.ErrorCode, ev.ErrorDescription = ev.RawStatus, b.Status.Description
		}
		if it := b.firstError(); it != nil && it.Code != 0 {
			ev.ErrorCode, ev.ErrorDescription = strconv.Itoa(int(it.Code)), it.Description
		}
		if b.ReferenceID != "" { // else the webhook derives it from the raw body
			ev.ID = sms.EventID(Name, b.ReferenceID, ev.RawStatus, "")
		}
	}
	one := &callbackOne{ev: [1]sms.Event{ev}}
	one.cb.Events = one.ev[:]
	return &one.cb, nil
}
