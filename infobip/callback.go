package infobip

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

// callbackBody is a delivery-report or inbound push: {"results": [...]} plus, for inbound,
// messageCount and pendingMessageCount, which are not read.
type callbackBody struct {
	Results []callbackItem `json:"results"`
}

// callbackItem holds the fields of both item kinds in both versions (vendors/infobip.md §5b,
// §6). A report has a status object; an inbound message has from and text (or receivedAt)
// and no status.
type callbackItem struct {
	MessageID    string     `json:"messageId"`
	To           string     `json:"to"`
	From         string     `json:"from"`   // v2 report sender; inbound sender
	Sender       string     `json:"sender"` // v3 report sender
	SentAt       string     `json:"sentAt"`
	DoneAt       string     `json:"doneAt"`
	SMSCount     int        `json:"smsCount"`     // v2 report, inbound
	MessageCount int        `json:"messageCount"` // v3 report
	CallbackData string     `json:"callbackData"`
	Status       *statusObj `json:"status"`
	Error        *errorObj  `json:"error"`
	Text         *string    `json:"text"` // inbound
	ReceivedAt   string     `json:"receivedAt"`
}

// ParseCallback implements sms.Provider. It authenticates the request (authenticate: a
// callback token or Basic credentials, then Config.VerifyCallback; fail closed), then decodes
// one JSON push of Infobip's — delivery reports in the v3 or v2 shape, or inbound messages —
// into one event per item of results[] (Infobip batches up to 100 by default):
//
//   - an item with a status object is an sms.EventDeliveryReport: Status and Code from the
//     status table (StatusOf, DELIVERED_TO_OPERATOR is Sent, not final) and, for a failure
//     without a class of its own, the error table (ErrorClass); RawStatus the status name;
//     ErrorCode and ErrorDescription the error object's id and description (unless NO_ERROR);
//     Reference the callbackData; Segments smsCount or messageCount; Timestamp doneAt, else
//     sentAt; the price and everything else stay in Raw;
//   - a report with status REJECTED_DUPLICATE_MESSAGE_ID is an sms.EventUnknown carrying the
//     messageId: it reports a refused resend, not the state of the message that has the id,
//     so it must not overwrite that message's status;
//   - an item with from and text and no status is an sms.EventInbound (From and To in E.164
//     when they are numbers: Infobip writes them without '+'), whatever its text: keywords
//     are classified once, by the webhook package;
//   - any other item (not an object, no status, no text) is an sms.EventUnknown with its raw
//     bytes, so that the batch is still acknowledged.
//
// A body that is not a JSON object with a results array is CodeInvalidArgument (400).
// Timestamps are read with and without a colon in the offset. Event.ID is set from
// authenticated content only, since Infobip sends no delivery id: sms.EventID over the
// provider, messageId, the status's numeric "groupId/id" (names vary between Infobip's
// sources for one id) and the error id; for inbound messages, over the provider and the
// inbound messageId. Raw of each event is a copy of its item.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if err := p.authenticate(r, body); err != nil {
		return nil, err
	}
	return parseCallback(body)
}

// parseCallback decodes an authenticated push (see ParseCallback).
func parseCallback(body []byte) (*sms.Callback, error) {
	var cb callbackBody
	err := json.Unmarshal(body, &cb)
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) {
		e := newError(sms.CodeInvalidArgument, "callback body is not JSON")
		e.NotAccepted, e.Err = true, err
		return nil, e
	}
	spans, ok := resultSpans(body)
	if !ok || len(spans) != len(cb.Results) {
		e := newError(sms.CodeInvalidArgument, "callback body is not an Infobip push: no results array")
		e.NotAccepted = true
		return nil, e
	}
	raw := bytes.Clone(body) // one allocation for every event's Raw
	out := &sms.Callback{Events: make([]sms.Event, len(spans))}
	for i, s := range spans {
		out.Events[i] = decodeItem(&cb.Results[i], raw[s.start:s.end:s.end], s.object)
	}
	return out, nil
}

// decodeItem maps one item of results[] to an event (see ParseCallback).
func decodeItem(it *callbackItem, raw []byte, object bool) sms.Event {
	ev := sms.Event{Type: sms.EventUnknown, Provider: Name, Raw: raw}
	if !object {
		return ev
	}
	ev.MessageID = it.MessageID
	switch {
	case it.Status != nil && (it.Status.GroupID != 0 || it.Status.ID != 0 || it.Status.Name != "" || it.Status.GroupName != ""):
		st := it.Status
		ev.RawStatus = rawStatus(st)
		ev.To = norm.Phone(it.To)
		ev.From = norm.Phone(it.Sender)
		if ev.From == "" {
			ev.From = norm.Phone(it.From)
		}
		ev.Reference = it.CallbackData
		ev.Segments = it.MessageCount
		if ev.Segments == 0 {
			ev.Segments = it.SMSCount
		}
		ev.Timestamp = norm.Time(it.DoneAt)
		if ev.Timestamp.IsZero() {
			ev.Timestamp = norm.Time(it.SentAt)
		}
		errID := ""
		if er := it.Error; er != nil && (er.ID != 0 || er.GroupID != 0) {
			errID = strconv.Itoa(er.ID)
			ev.ErrorCode, ev.ErrorDescription = errID, er.Description
			if ev.ErrorDescription == "" {
				ev.ErrorDescription = er.Name
			}
		}
		ev.ID = sms.EventID(Name, it.MessageID, strconv.Itoa(st.GroupID)+"/"+strconv.Itoa(st.ID), errID)
		if st.GroupID == GroupRejected && st.ID == StatusDuplicateMessageID {
			return ev // EventUnknown: a refused resend, not the status of the message
		}
		ev.Type = sms.EventDeliveryReport
		ev.Status, ev.Code = classOf(st, it.Error)
	case it.Text != nil && it.From != "":
		ev.Type = sms.EventInbound
		ev.From, ev.To, ev.Body = norm.Phone(it.From), norm.Phone(it.To), *it.Text
		ev.Segments = it.SMSCount
		ev.Timestamp = norm.Time(it.ReceivedAt)
		if it.MessageID != "" {
			ev.ID = sms.EventID(Name, it.MessageID, "", "")
		}
	}
	return ev
}

// span is where one item of results[] lies in the body, and whether it is an object.
type span struct {
	start, end int
	object     bool
}

// resultSpans finds the items of the top-level "results" array of a body that json.Unmarshal
// accepted (so it is valid JSON and needs no validation here). The last "results" key wins,
// as with encoding/json; keys are matched as encoding/json matches struct fields (without
// regard to ASCII case, escapes decoded). ok is false when the body is not an object or has no
// results array.
func resultSpans(b []byte) (spans []span, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		ks := i
		i = skipString(b, i)
		key := b[ks:i]
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipSpace(b, i+1)
		if isResultsKey(key) {
			switch {
			case i < len(b) && b[i] == '[':
				spans, ok = arraySpans(b, i), true
			case i+4 <= len(b) && string(b[i:i+4]) == "null":
				spans, ok = nil, false
			default:
				spans, ok = nil, false
			}
		}
		i = skipSpace(b, skipValue(b, i))
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return spans, ok
}

// isResultsKey reports whether a quoted raw key decodes to "results" as encoding/json
// matches field names (case folded, so "RESULTS" and "reſults" match too).
func isResultsKey(quoted []byte) bool {
	ascii := true
	for _, c := range quoted {
		if c == '\\' || c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return len(quoted) == 9 && bytes.EqualFold(quoted[1:8], []byte("results"))
	}
	var k string
	if json.Unmarshal(quoted, &k) != nil {
		return false
	}
	return strings.EqualFold(k, "results")
}

// arraySpans returns the spans of the items of the array starting at b[i] == '['.
func arraySpans(b []byte, i int) []span {
	spans := []span{}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] != ']' {
		s := span{start: i, object: b[i] == '{'}
		s.end = skipValue(b, i)
		spans = append(spans, s)
		i = skipSpace(b, s.end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		} else {
			break
		}
	}
	return spans
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
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

// skipValue returns the index after the (valid) JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}
