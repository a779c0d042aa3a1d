package acs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// Callback secrets of the tests: two tokens (a rotation) and a Basic-auth pair.
const (
	cbOldToken = "old-token-3f9a"
	cbNewToken = "new-token-8c1e"
	cbPath     = "/sms/acs?" + CallbackTokenParam + "=" + cbNewToken
)

func cbFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cbProvider is a provider with only its callback half configured, by cfg.
func cbProvider(cfg Config) *Provider {
	return &Provider{cfg: cfg, cb: newCallbackVerifier(&cfg)}
}

// cbTokenProvider accepts the two callback tokens.
func cbTokenProvider() *Provider {
	return cbProvider(Config{CallbackTokens: []sms.Secret{sms.NewSecret(cbOldToken), sms.NewSecret(cbNewToken)}})
}

// cbRequest is a POST of body to uri as Event Grid sends it.
func cbRequest(uri string, body []byte, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, uri, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("aeg-event-type", "Notification")
	return r
}

func cbParse(t *testing.T, p *Provider, r *http.Request, body []byte) *sms.Callback {
	t.Helper()
	cb, err := p.ParseCallback(context.Background(), r, body)
	if err != nil {
		t.Fatalf("ParseCallback: %v", err)
	}
	if cb == nil {
		t.Fatal("ParseCallback returned a nil callback and no error")
	}
	return cb
}

func cbWantCode(t *testing.T, err error, code sms.Code) *sms.Error {
	t.Helper()
	var e *sms.Error
	if !errors.As(err, &e) || e.Code != code || e.Provider != Name {
		t.Fatalf("error %v, want an *sms.Error with code %v and provider %q", err, code, Name)
	}
	return e
}

func cbTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func cbUnreadableID(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return sms.EventID(Name, "", "unreadable", hex.EncodeToString(sum[:]))
}

// The events of the fixtures, as ParseCallback must decode them.
var (
	cbWireDelivered = sms.Event{
		ID: "b0a1c2d3-0000-4000-8000-000000000001", Type: sms.EventDeliveryReport, Provider: "acs",
		MessageID: "Outgoing_20261123120000d6b3a9f0-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
		From:      "+14155550199", To: "+14155550100",
		Status: sms.StatusDelivered, ErrorDescription: "No error.", Segments: 1,
		Timestamp: cbTime("2026-11-23T12:00:07.2855749Z"), Reference: "acceptance-tag", RawStatus: "Delivered",
	}
	cbWireFailed = sms.Event{
		ID: "b0a1c2d3-0000-4000-8000-000000000002", Type: sms.EventDeliveryReport, Provider: "acs",
		MessageID: "Outgoing_20261123120001e7c4b0a1-2d3e-4f6a-9b0c-1d2e3f4a5b6c",
		From:      "+14155550199", To: "+14155550100",
		Status: sms.StatusFailed, ErrorDescription: "Sample failure text; the service's wording varies.",
		Segments: 1, Timestamp: cbTime("2026-11-23T12:01:09.5Z"), RawStatus: "Failed",
	}
	cbWireReceived = sms.Event{
		ID: "c1d2e3f4-0000-4000-8000-000000000001", Type: sms.EventInbound, Provider: "acs",
		MessageID: "Incoming_20261123120500a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
		From:      "+14155550100", To: "+14155550199", Body: "Re: hi ✓ 1+1=2 & 50% off? 🚀", Segments: 1,
		Timestamp: cbTime("2026-11-23T12:05:00.32Z"), Scope: sms.ScopeSender, ScopeID: "+14155550199",
	}
	// Microsoft's samples use the message id as the event id: the event's ID is then a hash
	// of the report, never the message id alone.
	cbMSDeliveredID = sms.EventID("acs", "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910", "Delivered", "No error.")
	cbMSDelivered   = sms.Event{
		ID: cbMSDeliveredID, Type: sms.EventDeliveryReport, Provider: "acs",
		MessageID: "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
		From:      "+15555555555", To: "+15555555555", // the sample's "15555555555" gets its "+"
		Status: sms.StatusDelivered, ErrorDescription: "No error.", Segments: 1,
		Timestamp: cbTime("2020-09-18T00:22:20.2855749Z"), RawStatus: "Delivered",
	}
	cbMSReceived = sms.Event{
		ID: "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e", Type: sms.EventInbound, Provider: "acs",
		MessageID: "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
		From:      "+15555555555", To: "+15555555555",
		Body: "Great to connect with Azure Communication Services events", Segments: 1,
		Timestamp: cbTime("2020-09-18T00:27:45.32Z"), Scope: sms.ScopeSender, ScopeID: "+15555555555",
	}
)

func cbWith(ev sms.Event, f func(*sms.Event)) sms.Event {
	f(&ev)
	return ev
}

// cbConcat returns one JSON array of the items of arrays a and b.
func cbConcat(t *testing.T, a, b []byte) []byte {
	var x, y []json.RawMessage
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(append(x, y...))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var cbIgnoreRaw = cmpopts.IgnoreFields(sms.Event{}, "Raw")

func TestParseCallbackFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []sms.Event
	}{
		// Serialised with the official Azure Go types, in both envelopes.
		{"eventgrid-deliveryreport.json", []sms.Event{cbWireDelivered, cbWireFailed}},
		{"cloudevents-deliveryreport.json", []sms.Event{cbWireDelivered}},
		{"eventgrid-received.json", []sms.Event{cbWireReceived}},
		{"cloudevents-received.json", []sms.Event{cbWireReceived}},
		{"derived-cloudevents-batch.json", []sms.Event{cbWireDelivered, cbWireReceived}},
		// Microsoft's published samples: "Tag", PascalCase data keys, "specVersion", no "+".
		{"ms-eventgrid-deliveryreport.json", []sms.Event{cbWith(cbMSDelivered, func(e *sms.Event) {
			e.Reference = "Optional customer-tag set in the original message"
		})}},
		{"ms-cloudevents-deliveryreport.json", []sms.Event{cbMSDelivered}},
		{"ms-eventgrid-received.json", []sms.Event{cbMSReceived}},
		{"ms-cloudevents-received.json", []sms.Event{cbWith(cbMSReceived, func(e *sms.Event) {
			e.Body, e.Segments = "Great to connect with ACS events", 0 // no segmentCount in this sample
		})}},
		// A failure with a code (a number that does not exist: InvalidRecipient), a short-code
		// sender, attempts listed newest first.
		{"derived-eventgrid-deliveryreport-4004.json", []sms.Event{{
			ID: "b0a1c2d3-0000-4000-8000-000000000003", Type: sms.EventDeliveryReport, Provider: "acs",
			MessageID: "Outgoing_20261123123000b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
			From:      "12345", To: "+14155550100",
			Status: sms.StatusUndelivered, Code: sms.CodeInvalidRecipient, ErrorCode: "4004", ErrorDescription: "4004: Destination number does not exist",
			Segments: 2, Timestamp: cbTime("2026-11-23T12:40:05Z"), Reference: "order-42", RawStatus: "Failed",
		}}},
		// ACS relays STOP as text: the provider reports an inbound message, and the webhook
		// classifies the keyword (once).
		{"derived-eventgrid-received-stop.json", []sms.Event{{
			ID: "c1d2e3f4-0000-4000-8000-000000000002", Type: sms.EventInbound, Provider: "acs",
			MessageID: "Incoming_20261123122000a9b8c7d6-e5f4-4321-8765-4a3b2c1d0e9f",
			From:      "+14155550100", To: "+14155550199", Body: " stop ", Segments: 1,
			Timestamp: cbTime("2026-11-23T12:20:00.1234567Z"), Scope: sms.ScopeSender, ScopeID: "+14155550199",
		}}},
		// Delivery report, inbound message and an event type of no interest, in order.
		{"derived-eventgrid-batch-mixed.json", []sms.Event{cbWireDelivered, cbWireReceived, {
			ID: "d2e3f4a5-0000-4000-8000-000000000001", Type: sms.EventUnknown, Provider: "acs",
			RawStatus: "Microsoft.EventGrid.SubscriptionDeletedEvent", Timestamp: cbTime("2026-11-23T12:10:00Z"),
		}}},
		// Items that cannot be read are Unknown events; a value of the wrong type is skipped.
		{"derived-eventgrid-unreadable.json", []sms.Event{
			{ID: cbUnreadableID("42"), Type: sms.EventUnknown, Provider: "acs"},
			{ID: cbUnreadableID("null"), Type: sms.EventUnknown, Provider: "acs"},
			{ID: "b0a1c2d3-0000-4000-8000-000000000009", Type: sms.EventUnknown, Provider: "acs",
				RawStatus: "Microsoft.Communication.SMSDeliveryReportReceived", Timestamp: cbTime("2026-11-23T12:14:00Z")},
			{ID: "c1d2e3f4-0000-4000-8000-000000000009", Type: sms.EventInbound, Provider: "acs",
				MessageID: "Incoming_20261123121500f0e1d2c3-b4a5-4687-9a0b-1c2d3e4f5a6b",
				From:      "+14155550100", To: "+14155550199", Body: "hello", // segmentCount "one" skipped
				Timestamp: cbTime("2026-11-23T12:15:00Z"), Scope: sms.ScopeSender, ScopeID: "+14155550199"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := cbFixture(t, tt.file)
			ct := "application/json; charset=utf-8"
			if body[0] == '{' {
				ct = "application/cloudevents+json; charset=utf-8"
			}
			cb := cbParse(t, cbTokenProvider(), cbRequest(cbPath, body, ct), body)
			if cb.Reply != nil {
				t.Errorf("Reply = %+v, want none", cb.Reply)
			}
			if diff := cmp.Diff(tt.want, cb.Events, cbIgnoreRaw); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			// Raw is the item's own JSON.
			var items []json.RawMessage
			if body[0] == '[' {
				if err := json.Unmarshal(body, &items); err != nil {
					t.Fatal(err)
				}
			} else {
				items = []json.RawMessage{bytes.TrimSpace(body)}
			}
			if len(items) != len(cb.Events) {
				t.Fatalf("%d events for %d items", len(cb.Events), len(items))
			}
			for i, ev := range cb.Events {
				if !bytes.Equal(ev.Raw, items[i]) {
					t.Errorf("event %d: Raw = %s, want %s", i, ev.Raw, items[i])
				}
			}
		})
	}
}

func TestParseCallbackKeysAnyCase(t *testing.T) {
	body := []byte(`[{"ID":"ev-1","EVENTTYPE":"microsoft.communication.smsdeliveryreportreceived","EventTime":"2026-01-02T03:04:05Z",
		"DATA":{"MESSAGEID":"Outgoing_1","FROM":"14155550199","TO":"14155550100","DELIVERYSTATUS":"Failed",
		"DeliveryStatusDetails":"4007: Destination opted out","TAG":"ref-1",
		"deliveryattempts":[{"TIMESTAMP":"2026-01-02T03:04:01Z","SEGMENTSSUCCEEDED":0,"SEGMENTSFAILED":3}],
		"ReceivedTimestamp":"2026-01-02T03:04:05.1234567Z"}}]`)
	cb := cbParse(t, cbTokenProvider(), cbRequest(cbPath, body, "application/json"), body)
	want := []sms.Event{{
		ID: "ev-1", Type: sms.EventDeliveryReport, Provider: "acs", MessageID: "Outgoing_1",
		From: "+14155550199", To: "+14155550100", Status: sms.StatusRejected, Code: sms.CodeOptedOut, ErrorCode: "4007",
		ErrorDescription: "4007: Destination opted out", Segments: 3,
		Timestamp: cbTime("2026-01-02T03:04:05.1234567Z"), Reference: "ref-1", RawStatus: "Failed",
	}}
	if diff := cmp.Diff(want, cb.Events, cbIgnoreRaw); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestParseCallbackTimestampFallbacks(t *testing.T) {
	// No receivedTimestamp: the latest attempt's time; no attempts either: the envelope's.
	body := []byte(`[
		{"id":"a","eventType":"Microsoft.Communication.SMSDeliveryReportReceived","eventTime":"2026-01-01T00:00:09Z",
		 "data":{"messageId":"m","deliveryStatus":"Delivered","deliveryAttempts":[
		   {"timestamp":"2026-01-01T00:00:05Z","segmentsSucceeded":1},
		   {"timestamp":"bad","segmentsSucceeded":7},
		   {"timestamp":"2026-01-01T00:00:03Z","segmentsSucceeded":2}]}},
		{"id":"b","eventType":"Microsoft.Communication.SMSDeliveryReportReceived","eventTime":"2026-01-01T00:00:09Z",
		 "data":{"messageId":"m","deliveryStatus":"Delivered"}},
		{"id":"c","eventType":"Microsoft.Communication.SMSReceived","eventTime":"2026-01-01T00:00:10.5Z",
		 "data":{"messageId":"i","message":"x","receivedTimestamp":"2026-01-01T00:00:08.1234567"}}]`)
	cb := cbParse(t, cbProvider(Config{InsecureSkipCallbackAuth: true}), cbRequest("/", body, ""), body)
	if len(cb.Events) != 3 {
		t.Fatalf("%d events", len(cb.Events))
	}
	if e := cb.Events[0]; !e.Timestamp.Equal(cbTime("2026-01-01T00:00:05Z")) || e.Segments != 1 {
		t.Errorf("latest attempt: Timestamp %v Segments %d", e.Timestamp, e.Segments)
	}
	if e := cb.Events[1]; !e.Timestamp.Equal(cbTime("2026-01-01T00:00:09Z")) || e.Segments != 0 {
		t.Errorf("envelope time: Timestamp %v Segments %d", e.Timestamp, e.Segments)
	}
	if e := cb.Events[2]; !e.Timestamp.Equal(cbTime("2026-01-01T00:00:08.1234567Z")) {
		t.Errorf("zone-less receivedTimestamp taken as UTC: %v", e.Timestamp)
	}
}

func TestParseCallbackSubscriptionValidation(t *testing.T) {
	wantBody := `{"validationResponse":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}`
	var compact bytes.Buffer
	if err := json.Compact(&compact, cbFixture(t, "eventgrid-subscriptionvalidation-response.json")); err != nil {
		t.Fatal(err)
	}
	if compact.String() != wantBody {
		t.Fatalf("fixture %s", compact.String())
	}
	wire := cbFixture(t, "eventgrid-subscriptionvalidation.json")
	deliveries := cbFixture(t, "eventgrid-deliveryreport.json")
	tests := []struct {
		name   string
		body   []byte
		header string // aeg-event-type
	}{
		{"wire", wire, "SubscriptionValidation"},
		{"microsoft sample", cbFixture(t, "ms-eventgrid-subscriptionvalidation.json"), "SubscriptionValidation"},
		{"no header", wire, ""},
		{"header only", bytes.Replace(wire, []byte("Microsoft.EventGrid.SubscriptionValidationEvent"), []byte("Other"), 1), "subscriptionvalidation"},
		// Never sent by Event Grid: the validation is answered and the other item ignored.
		{"batched", cbConcat(t, deliveries, wire), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cbRequest(cbPath, tt.body, "application/json")
			r.Header.Set("aeg-event-type", tt.header)
			cb := cbParse(t, cbTokenProvider(), r, tt.body)
			want := &sms.Reply{Handshake: true, StatusCode: 200, ContentType: "application/json", Body: []byte(wantBody)}
			if diff := cmp.Diff(want, cb.Reply); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
			if cb.Events != nil {
				t.Errorf("events %+v, want none", cb.Events)
			}
		})
	}

	for name, body := range map[string]string{
		"no code":               `[{"id":"v","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{"validationUrl":"https://x"}}]`,
		"code not a string":     `[{"id":"v","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{"validationCode":42}}]`,
		"header without a code": `[{"id":"v","eventType":"Microsoft.Communication.SMSReceived","data":{"message":"hi"}}]`,
	} {
		t.Run(name, func(t *testing.T) {
			r := cbRequest(cbPath, []byte(body), "application/json")
			if strings.HasPrefix(name, "header") {
				r.Header.Set("aeg-event-type", "SubscriptionValidation")
			}
			_, err := cbTokenProvider().ParseCallback(context.Background(), r, []byte(body))
			cbWantCode(t, err, sms.CodeInvalidArgument)
		})
	}
}

func TestParseCallbackAbuseProtection(t *testing.T) {
	r := httptest.NewRequest(http.MethodOptions, cbPath, nil)
	r.Header.Set("WebHook-Request-Origin", "eventgrid.azure.net")
	cb := cbParse(t, cbTokenProvider(), r, nil)
	want := &sms.Reply{Handshake: true, StatusCode: 200, Header: map[string]string{
		"WebHook-Allowed-Origin": "eventgrid.azure.net", "WebHook-Allowed-Rate": "*", "Allow": "POST, OPTIONS",
	}}
	if diff := cmp.Diff(want, cb.Reply); diff != "" || cb.Events != nil {
		t.Errorf("reply (-want +got):\n%s\nevents %v", diff, cb.Events)
	}

	r = httptest.NewRequest(http.MethodOptions, cbPath, nil)
	_, err := cbTokenProvider().ParseCallback(context.Background(), r, nil)
	cbWantCode(t, err, sms.CodeInvalidArgument)

	// The handshake is authenticated like any callback.
	r = httptest.NewRequest(http.MethodOptions, "/sms/acs", nil)
	r.Header.Set("WebHook-Request-Origin", "eventgrid.azure.net")
	_, err = cbTokenProvider().ParseCallback(context.Background(), r, nil)
	cbWantCode(t, err, sms.CodeUnauthenticated)

	if got := (&Provider{}).CallbackMethods(); !cmp.Equal(got, []string{"OPTIONS"}) {
		t.Errorf("CallbackMethods = %v", got)
	}
}

func TestParseCallbackAuth(t *testing.T) {
	body := cbFixture(t, "eventgrid-deliveryreport.json")
	basic := Config{CallbackUser: "eventgrid", CallbackPassword: sms.NewSecret("basic-pass-77")}
	both := basic
	both.CallbackTokens = []sms.Secret{sms.NewSecret(cbNewToken)}
	tokens := cbTokenProvider().cfg
	tests := []struct {
		name       string
		cfg        Config
		uri        string
		user, pass string // Basic auth when user or pass is set
		ok         bool
		msg        string // a part of the error message
	}{
		{name: "nothing configured", cfg: Config{}, uri: cbPath, msg: "CallbackTokens"},
		{name: "empty tokens only", cfg: Config{CallbackTokens: []sms.Secret{{}, sms.NewSecret("")}}, uri: cbPath, msg: "CallbackTokens"},
		{name: "insecure", cfg: Config{InsecureSkipCallbackAuth: true}, uri: "/sms/acs", ok: true},
		{name: "no token", cfg: tokens, uri: "/sms/acs", msg: "missing"},
		{name: "empty token", cfg: tokens, uri: "/sms/acs?token=", msg: "missing"},
		{name: "wrong token", cfg: tokens, uri: "/sms/acs?token=new-token-8c1f", msg: "invalid"},
		{name: "token prefix", cfg: tokens, uri: "/sms/acs?token=new-token", msg: "invalid"},
		{name: "token in another parameter", cfg: tokens, uri: "/sms/acs?code=" + cbNewToken, msg: "missing"},
		{name: "first token", cfg: tokens, uri: "/sms/acs?token=" + cbOldToken, ok: true},
		{name: "rotated token", cfg: tokens, uri: "/sms/acs?x=1&token=" + cbNewToken, ok: true},
		{name: "escaped token", cfg: Config{CallbackTokens: []sms.Secret{sms.NewSecret("a+b/c=")}}, uri: "/sms/acs?token=a%2Bb%2Fc%3D", ok: true},
		{name: "basic", cfg: basic, uri: "/sms/acs", user: "eventgrid", pass: "basic-pass-77", ok: true},
		{name: "basic wrong password", cfg: basic, uri: "/sms/acs", user: "eventgrid", pass: "basic-pass-78", msg: "invalid"},
		{name: "basic wrong user", cfg: basic, uri: "/sms/acs", user: "eventgrig", pass: "basic-pass-77", msg: "invalid"},
		{name: "basic missing", cfg: basic, uri: cbPath, msg: "missing"},
		{name: "basic not configured", cfg: tokens, uri: "/sms/acs", user: "eventgrid", pass: "basic-pass-77", msg: "missing"},
		{name: "both, token", cfg: both, uri: cbPath, ok: true},
		{name: "both, basic", cfg: both, uri: "/sms/acs?token=nope", user: "eventgrid", pass: "basic-pass-77", ok: true},
		{name: "both, neither", cfg: both, uri: "/sms/acs?token=nope", user: "eventgrid", pass: "nope", msg: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cbRequest(tt.uri, body, "application/json")
			if tt.user != "" || tt.pass != "" {
				r.SetBasicAuth(tt.user, tt.pass)
			}
			cb, err := cbProvider(tt.cfg).ParseCallback(context.Background(), r, body)
			if tt.ok {
				if err != nil || len(cb.Events) != 2 {
					t.Fatalf("ParseCallback = %v, %v; want 2 events", cb, err)
				}
				return
			}
			want := sms.CodeUnauthenticated
			if strings.HasSuffix(tt.name, "only") || tt.name == "nothing configured" {
				want = sms.CodeInternal // a server configuration problem, not a forgery
			}
			e := cbWantCode(t, err, want)
			if cb != nil {
				t.Errorf("callback %+v with an error", cb)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q, want it to contain %q", e.Message, tt.msg)
			}
			for _, secret := range []string{cbOldToken, cbNewToken, "basic-pass-77", "new-token"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q reveals a secret", err)
				}
			}
		})
	}

	// Authentication comes before decoding: a malformed body without a token is a 401.
	_, err := cbTokenProvider().ParseCallback(context.Background(), cbRequest("/sms/acs", []byte("not json"), ""), []byte("not json"))
	cbWantCode(t, err, sms.CodeUnauthenticated)
}

func TestParseCallbackEnvelopeDetection(t *testing.T) {
	array := cbFixture(t, "eventgrid-received.json")
	single := cbFixture(t, "cloudevents-received.json")
	for _, tt := range []struct {
		name, contentType string
		body              []byte
	}{
		{"array as text/plain", "text/plain", array},
		{"array without content type", "", array},
		{"cloudevent as application/json", "application/json", single},
		{"cloudevents batch content type", "application/cloudevents-batch+json", array},
		{"BOM and white space", "application/json", append([]byte("\xef\xbb\xbf \r\n\t"), array...)},
		{"white space then BOM", "application/json", append([]byte("\n\xef\xbb\xbf"), single...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cb := cbParse(t, cbTokenProvider(), cbRequest(cbPath, tt.body, tt.contentType), tt.body)
			if diff := cmp.Diff([]sms.Event{cbWireReceived}, cb.Events, cbIgnoreRaw); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("empty array", func(t *testing.T) {
		cb := cbParse(t, cbTokenProvider(), cbRequest(cbPath, []byte(" [ ] "), ""), []byte(" [ ] "))
		if len(cb.Events) != 0 || cb.Reply != nil {
			t.Errorf("callback %+v", cb)
		}
	})

	for _, body := range []string{"", "   ", "\xef\xbb\xbf", "hello", `"string"`, "42", "null", "true", "[", `[{"id":1}`, `{"id":`,
		`[] x`, `{} {}`, "\xef\xbb\xbf\xef\xbb\xbf[]", "<xml/>", "id=1&type=x"} {
		t.Run("invalid "+body, func(t *testing.T) {
			_, err := cbTokenProvider().ParseCallback(context.Background(), cbRequest(cbPath, []byte(body), "application/json"), []byte(body))
			cbWantCode(t, err, sms.CodeInvalidArgument)
		})
	}
}

// TestWebhookHandler runs the provider behind webhook.Handler, as an application mounts it.
func TestWebhookHandler(t *testing.T) {
	var calls [][]sms.Event
	sink := webhook.SinkFunc(func(_ context.Context, events []sms.Event) error {
		calls = append(calls, events)
		return nil
	})
	h := webhook.Handler(cbTokenProvider(), sink, nil)
	serve := func(method, uri string, body []byte, header map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, uri, bytes.NewReader(body))
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	// Subscription validation: exactly 200 and the code, and no sink call.
	w := serve(http.MethodPost, cbPath, cbFixture(t, "eventgrid-subscriptionvalidation.json"),
		map[string]string{"Content-Type": "application/json", "aeg-event-type": "SubscriptionValidation"})
	if w.Code != http.StatusOK || w.Body.String() != `{"validationResponse":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}` ||
		w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("validation: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	var got, want any
	_ = json.Unmarshal(w.Body.Bytes(), &got)
	_ = json.Unmarshal(cbFixture(t, "eventgrid-subscriptionvalidation-response.json"), &want)
	if !cmp.Equal(got, want) {
		t.Errorf("validation body %v, want %v", got, want)
	}

	// CloudEvents handshake through OPTIONS.
	w = serve(http.MethodOptions, cbPath, nil, map[string]string{"WebHook-Request-Origin": "eventgrid.azure.net"})
	if w.Code != http.StatusOK || w.Header().Get("WebHook-Allowed-Origin") != "eventgrid.azure.net" ||
		w.Header().Get("WebHook-Allowed-Rate") != "*" {
		t.Fatalf("OPTIONS: %d %v", w.Code, w.Header())
	}
	if len(calls) != 0 {
		t.Fatalf("the sink was called for a handshake: %v", calls)
	}

	// Unauthenticated, wrong method, malformed.
	dr := cbFixture(t, "cloudevents-deliveryreport.json")
	ce := map[string]string{"Content-Type": "application/cloudevents+json; charset=utf-8"}
	for _, c := range []struct {
		method, uri string
		body        []byte
		code        int
	}{
		{http.MethodPost, "/sms/acs", dr, http.StatusUnauthorized},
		{http.MethodPost, "/sms/acs?token=wrong", dr, http.StatusUnauthorized},
		{http.MethodGet, cbPath, nil, http.StatusMethodNotAllowed},
		{http.MethodPost, cbPath, []byte("not json"), http.StatusBadRequest},
	} {
		if w := serve(c.method, c.uri, c.body, ce); w.Code != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.uri, w.Code, c.code)
		}
	}
	if len(calls) != 0 {
		t.Fatalf("the sink was called for a rejected request: %v", calls)
	}

	// A delivery report reaches the sink once, however often Event Grid delivers it.
	for range 2 {
		if w := serve(http.MethodPost, cbPath, dr, ce); w.Code != http.StatusOK {
			t.Fatalf("delivery report: %d %s", w.Code, w.Body)
		}
	}
	if len(calls) != 1 || len(calls[0]) != 1 || calls[0][0].ID != "b0a1c2d3-0000-4000-8000-000000000001" ||
		calls[0][0].Status != sms.StatusDelivered {
		t.Fatalf("sink calls %+v, want one with the delivery report", calls)
	}
	// The same event in the other envelope is a duplicate too.
	if w := serve(http.MethodPost, cbPath, cbFixture(t, "eventgrid-deliveryreport.json"), nil); w.Code != http.StatusOK {
		t.Fatalf("batch: %d", w.Code)
	}
	if len(calls) != 2 || len(calls[1]) != 1 || calls[1][0].ID != "b0a1c2d3-0000-4000-8000-000000000002" {
		t.Fatalf("second call %+v, want only the new report", calls[1:])
	}

	// An inbound STOP arrives as an opt-out.
	if w := serve(http.MethodPost, cbPath, cbFixture(t, "derived-eventgrid-received-stop.json"), nil); w.Code != http.StatusOK {
		t.Fatalf("stop: %d", w.Code)
	}
	if len(calls) != 3 || calls[2][0].Type != sms.EventOptOut || calls[2][0].ScopeID != "+14155550199" {
		t.Fatalf("stop: %+v", calls[2:])
	}
}

// BenchmarkParseCallback compares ParseCallback on the wire Event Grid delivery reports with a
// bare json.Unmarshal of the same bytes, and the whole webhook.Handler path with a bare
// handler doing the least an application must: read the body, check the token in constant
// time, and json.Unmarshal it. Bodies differ by event id so that de-duplication does not
// short-cut the handler.
func BenchmarkParseCallback(b *testing.B) {
	body := cbFixture(b, "eventgrid-deliveryreport.json")
	p := cbTokenProvider()
	r := cbRequest(cbPath, body, "application/json")
	b.Run("ParseCallback", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			cb, err := p.ParseCallback(context.Background(), r, body)
			if err != nil || len(cb.Events) != 2 {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var v []map[string]any
			if err := json.Unmarshal(body, &v); err != nil || len(v) != 2 {
				b.Fatal(err)
			}
		}
	})

	const n = 1 << 14
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = bytes.ReplaceAll(body, []byte("b0a1c2d3-0000-4000-8000-00000000000"), fmt.Appendf(nil, "%08x-0000-4000-8000-00000000000", i))
	}
	want := sha256.Sum256([]byte(cbNewToken))
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.URL.Query().Get("token")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		var v []map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	nop := webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil })
	serve := func(h http.Handler) func(*testing.B) {
		r := httptest.NewRequest(http.MethodPost, cbPath, nil)
		r.Header.Set("Content-Type", "application/json")
		rd := bytes.NewReader(nil)
		w := &benchWriter{h: http.Header{}}
		i := 0
		return func(b *testing.B) {
			body := bodies[i%n]
			i++
			rd.Reset(body)
			r.Body, r.ContentLength = io.NopCloser(rd), int64(len(body))
			clear(w.h)
			h.ServeHTTP(w, r)
			if w.code != http.StatusOK {
				b.Fatalf("status %d", w.code)
			}
		}
	}
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare-token+json.Unmarshal", bare},
		{"webhook.Handler", webhook.Handler(p, nop, nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			op := serve(bc.h)
			b.ReportAllocs()
			for b.Loop() {
				op(b)
			}
		})
	}
	b.Run("webhook.Handler-paired", func(b *testing.B) {
		benchPaired(b, serve(bare), serve(webhook.Handler(p, nop, nil)))
	})
	b.Run("ParseCallback-paired", func(b *testing.B) {
		benchPaired(b, func(b *testing.B) {
			var v []map[string]any
			if err := json.Unmarshal(body, &v); err != nil || len(v) != 2 {
				b.Fatal(err)
			}
		}, func(b *testing.B) {
			if cb, err := p.ParseCallback(context.Background(), r, body); err != nil || len(cb.Events) != 2 {
				b.Fatal(err)
			}
		})
	})
}

// benchWriter is a ResponseWriter with no per-request allocation.
type benchWriter struct {
	h    http.Header
	code int
}

func (d *benchWriter) Header() http.Header         { return d.h }
func (d *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *benchWriter) WriteHeader(code int)        { d.code = code }

// An Event Grid batch holds at most MaxCallbackEvents items (Event Grid's documented
// maximum). A larger one is refused (400) before its items are decoded: here the item after
// the cap is not even valid JSON, and the answer is still the cap.
func TestParseCallbackBatchCap(t *testing.T) {
	item := `{"id":"x","eventType":"Other","data":{}}`
	batch := func(n int, tail string) []byte {
		return []byte("[" + strings.Repeat(item+",", n-1) + item + tail + "]")
	}
	cb := cbParse(t, cbTokenProvider(), cbRequest(cbPath, batch(MaxCallbackEvents, ""), ""), batch(MaxCallbackEvents, ""))
	require.Len(t, cb.Events, MaxCallbackEvents)

	for name, body := range map[string][]byte{
		"one over":              batch(MaxCallbackEvents+1, ""),
		"over, then not JSON":   batch(MaxCallbackEvents+1, `, {"id": nope`),
		"tiny items, 70,000 of": []byte("[" + strings.Repeat("0,", 70000) + "0]"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := cbTokenProvider().ParseCallback(context.Background(), cbRequest(cbPath, body, ""), body)
			e := cbWantCode(t, err, sms.CodeInvalidArgument)
			require.Contains(t, e.Message, "5000")
			require.Equal(t, http.StatusBadRequest, webhook.StatusCode(err))
		})
	}
}
