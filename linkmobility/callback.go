package linkmobility

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

// report is a delivery report pushed to a JSON gate (vendors/linkmobility.md §5b), with the
// fields of an inbound message (§6) beside it: the two are told apart by content (inbound)
// and resultCode (report).
type report struct {
	RefID              string            `json:"refId"`
	ID                 string            `json:"id"`
	Operator           string            `json:"operator"`
	SentTimestamp      string            `json:"sentTimestamp"`
	Timestamp          string            `json:"timestamp"`
	ResultCode         *int              `json:"resultCode"`
	OperatorResultCode string            `json:"operatorResultCode"`
	Segments           int               `json:"segments"`
	Source             string            `json:"source"`
	Destination        string            `json:"destination"`
	CustomParameters   map[string]string `json:"customParameters"`

	// inbound
	MessageID string   `json:"messageId"`
	Content   *content `json:"content"`
}

type content struct {
	Type     string `json:"type"`
	UserData string `json:"userData"`
	Encoding string `json:"encoding"`
}

// ParseCallback implements sms.Provider. It authenticates the request first (authenticate:
// Config.CallbackSources when set, then the gate's Basic credentials or a URL token; fail
// closed), then decodes one JSON push of a LINK gate — LINK posts one report or one inbound
// message per request — into one event:
//
//   - with resultCode: an sms.EventDeliveryReport. Status and Code from the resultCode table
//     (StatusOf); RawStatus the code; for a failure ErrorCode the code and ErrorDescription
//     LINK's text, with operatorResultCode kept in Raw only; Reference refId; Segments
//     segments; Timestamp timestamp (else sentTimestamp; customParameters.received is local
//     time of an unstated zone and is not used); To and From from destination and source, at
//     the top level or in customParameters. A multipart report's id "msgId$n" gives
//     MessageID msgId, Part n+1 and Parts segments (see # Assumptions), which webhook folds
//     into one message status. Event.ID is over the id (with its part) and the code; a report
//     without an id leaves it empty, for webhook to derive from the raw payload.
//   - with content: an sms.EventInbound. From the handset (E.164), To the receiving service
//     as LINK writes it ("NO-2333", not a phone number), Body content.userData, MessageID
//     messageId, Timestamp timestamp. Scope is ScopeSender with ScopeID in the form of the
//     send source ("2333"; a number stays E.164), so an opt-out keyword the webhook
//     classifies suppresses that sender. Keywords are not classified here.
//   - any other JSON object: an sms.EventUnknown with the raw body, acknowledged.
//
// A body that is not a JSON object is CodeInvalidArgument (400): configure the gate for
// application/json. The answer is a bare 200, or Config.AckBody for a gate with acknowledge
// set. Raw is a copy of the body.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if err := p.authenticate(r); err != nil {
		return nil, err
	}
	cb, err := parseCallback(body)
	if err != nil {
		return nil, err
	}
	if p.ack != "" {
		cb.Reply = &sms.Reply{ContentType: "text/plain; charset=utf-8", Body: []byte(p.ack)}
	}
	return cb, nil
}

// notObject is the error of a body that is not a JSON object.
func notObject(err error) *sms.Error {
	e := newError(sms.CodeInvalidArgument, "callback body is not a JSON object: configure the gate for application/json")
	e.NotAccepted, e.Err = true, err
	return e
}

// parseCallback decodes an authenticated callback (see ParseCallback).
func parseCallback(body []byte) (*sms.Callback, error) {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, notObject(nil)
	}
	var b report
	if err := json.Unmarshal(body, &b); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) { // a field of an unexpected type leaves it empty
			return nil, notObject(err)
		}
	}
	ev := sms.Event{Type: sms.EventUnknown, Provider: Name, Raw: bytes.Clone(body)}
	switch {
	case b.Content != nil:
		ev.Type = sms.EventInbound
		ev.MessageID = b.MessageID
		ev.From = norm.Phone(b.Source)
		ev.To = b.Destination
		ev.Body = b.Content.UserData
		ev.Timestamp = norm.Time(b.Timestamp)
		ev.Scope, ev.ScopeID = sms.ScopeSender, ScopeID(b.Destination)
		if b.MessageID != "" {
			ev.ID = sms.EventID(Name, b.MessageID, "mo", "")
		}
	case b.ResultCode != nil:
		code := *b.ResultCode
		ev.Type = sms.EventDeliveryReport
		ev.MessageID, ev.Part = SplitPartID(b.ID)
		if ev.Part > 0 && b.Segments >= ev.Part && b.Segments > 1 {
			ev.Parts = b.Segments
		}
		ev.RawStatus = strconv.Itoa(code)
		ev.Status, ev.Code = StatusOf(code)
		ev.Reference = b.RefID
		ev.Segments = b.Segments
		ev.Timestamp = norm.Time(b.Timestamp)
		if ev.Timestamp.IsZero() {
			ev.Timestamp = norm.Time(b.SentTimestamp)
		}
		to, from := b.Destination, b.Source
		if to == "" {
			to = b.CustomParameters["destination"]
		}
		if from == "" {
			from = b.CustomParameters["source"]
		}
		ev.To, ev.From = norm.Phone(to), norm.Phone(from)
		if ev.Status.IsFinal() && ev.Status != sms.StatusDelivered || ev.Status == sms.StatusUnknown {
			ev.ErrorCode, ev.ErrorDescription = ev.RawStatus, statusText(code)
		}
		if b.ID != "" { // else webhook derives it from the raw payload
			ev.ID = sms.EventID(Name, b.ID, ev.RawStatus, "")
		}
	}
	return &sms.Callback{Events: []sms.Event{ev}}, nil
}

// SplitPartID splits a delivery report id: "msgId$n" (one part of a multipart message, n
// from 0) is (msgId, n+1); any other id is (id, 0).
func SplitPartID(id string) (string, int) {
	i := strings.LastIndexByte(id, '$')
	if i <= 0 || i == len(id)-1 {
		return id, 0
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil || n < 0 || n >= MaxSegments || id[i+1] == '+' {
		return id, 0
	}
	return id[:i], n + 1
}

// ScopeID converts the receiving number of an inbound message to the form of the send source
// that reaches it: LINK's "NO-2333" (ISO country code, '-', short number) becomes "2333"; a
// number ("+4799…") is E.164; anything else is kept.
func ScopeID(destination string) string {
	d := strings.TrimSpace(destination)
	if len(d) > 3 && d[2] == '-' && isUpperAlpha(d[0]) && isUpperAlpha(d[1]) {
		return d[3:]
	}
	return norm.Phone(d)
}

func isUpperAlpha(c byte) bool { return c >= 'A' && c <= 'Z' }
