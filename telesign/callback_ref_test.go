package telesign

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/norm"
)

// FuzzParseCallbackSameAsEnvelope: parseCallback (callbackBody, decoded for speed) gives
// exactly the callback or the error class of parseCallbackRef, the decoding through envelope
// it replaced, for any body: the same event field for field, the same refusals.
func FuzzParseCallbackSameAsEnvelope(f *testing.F) {
	seeds(f, "dlr-delivered.json", "dlr-bulk-failure.json", "dlr-rfc1123.json",
		"inbound-start.json", "inbound-arret.json", "inbound-generic.json")
	for _, s := range []string{
		`{"status":"x","user_response":[],"errors":[1]}`,
		`{"status":{"code":"2e9"},"additional_info":{"message_parts_count":"-1"}}`,
		`{"reference_id":"A","status":{"code":207},"external_id":"x","external_id":null}`,
		`{"reference_id":"A","status":{"code":200},"additional_info":{"message_parts_count":2,"sender_id":"1415"},"additional_info":null}`,
		`{"reference_id":"A","status":{"code":200},"additional_info":5,"external_id":7,"sub_resource":1}`,
		`{"reference_id":"A","status":{"code":200},"Additional_Info":{"Cleansed_Phone_Number":"14155550100"},"EXTERNAL_ID":"r"}`,
		`{"reference_id":"A","status":{"code":200},"additional_info":[],"external_id":{}}`,
		`{"reference_id":"A","status":null,"user_response":null}`,
		`{"reference_id":"A","status":{"code":500},"errors":[{"code":"10031","description":"d"}]}`,
		`null`, ` [1]`, `{"a":1}x`, `"null"`,
		`{"reference_id":null,"status":null,"additional_info":null,"user_response":null,"external_id":null,"errors":null}`,
		`{"reference_id":"A","status":{"code":"203","x":[1,{"y":null}]},"sub_resource":"sms","errors":{}}`,
		`{"reference_\u0069d":"A","STATUS":{"Code":"5"},"status":{"code":-0,"code":1e2}}`,
		`{"reference_id":"A\u00e9\ud800","user_response":{"action":"STOP","keyword":" arr\u00eat ","mo_message":"x"}}`,
		"{\"reference_id\":\"A\xff\",\"status\":{\"code\":\"\",\"description\":\"\xc3\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gerr := parseCallback(body)
		want, werr := parseCallbackRef(body)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("error %v, envelope decoding %v", gerr, werr)
		}
		if gerr != nil {
			var g, w *sms.Error
			if !errors.As(gerr, &g) || !errors.As(werr, &w) || g.Code != w.Code || g.Message != w.Message || g.NotAccepted != w.NotAccepted {
				t.Fatalf("error %v, envelope decoding %v", gerr, werr)
			}
			return
		}
		if !reflect.DeepEqual(got.Events, want.Events) {
			t.Fatalf("events\n%+v\nenvelope decoding\n%+v", got.Events, want.Events)
		}
	})
}

// scanCallback takes the common callbacks itself and leaves every shape it does not reproduce
// to encoding/json.
func TestScanCallbackTakesCommonShapes(t *testing.T) {
	for _, c := range []struct {
		body string
		fast bool
	}{
		{"dlr-delivered.json", true},
		{"dlr-rfc1123.json", true},
		{"inbound-generic.json", true},
		{"inbound-start.json", true},
		{`{"reference_id":"A","status":{"code":"203","x":[1,{"y":null}]},"sub_resource":"sms"}`, true},
		{`{"reference_id":null,"status":null,"additional_info":null,"user_response":null,"external_id":null,"errors":null}`, true},
		{`{"reference_id":"A","errors":[{"code":1}]}`, true},
		{`{"reference_id":"A","Status":{"code":200}}`, false},
		{`{"reference_id":"A","reference_id":"B"}`, false},
		{`{"reference_id":"A","external_id":"x","external_id":null}`, false},
		{`{"reference_id":"A","errors":[],"errors":{}}`, false},
		{`{"reference_id":"A","status":{"code":200,"code":203}}`, false},
		{`{"reference_\u0069d":"A"}`, false},
		{`{"reference_ıd":"A"}`, false},
		{`{"status":{"code":{}}}`, false},
		{`{"reference_id":5}`, false},
		{`{"reference_id":"A"} x`, false},
		{`[]`, false},
	} {
		body := []byte(c.body)
		if strings.HasSuffix(c.body, ".json") {
			var err error
			if body, err = os.ReadFile(filepath.Join("testdata", c.body)); err != nil {
				t.Fatal(err)
			}
		}
		var b callbackBody
		if got := scanCallback(body, &b); got != c.fast {
			t.Errorf("%s: fast path %v, want %v", c.body, got, c.fast)
		}
	}
}

// parseCallbackRef is parseCallback as it was, decoding into envelope: the reference the
// fuzz target above holds the faster decoding to.
func parseCallbackRef(body []byte) (*sms.Callback, error) {
	var b envelope
	err := json.Unmarshal(body, &b)
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
		if b.ExternalID != nil {
			ev.Reference = *b.ExternalID
		}
		if ai := b.AdditionalInfo; ai != nil {
			ev.Segments = int(ai.MessagePartsCount)
			ev.To = norm.Phone(ai.CleansedPhone)
			ev.From = norm.Phone(ai.SenderID)
		}
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
	return &sms.Callback{Events: []sms.Event{ev}}, nil
}
