package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/messaging"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azsystemevents"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/webhook"
)

// There is no official Go client for ACS SMS, so the ACS side is proved against the official
// Azure Go event types: events built with azsystemevents and serialised by the SDK itself
// (azsystemevents.EventGridEvent for the Event Grid schema, azcore/messaging.CloudEvent for
// CloudEvents 1.0) must be read field by field by (*acs.Provider).ParseCallback; and the events
// acs/acstest emits must be read by the SDK's own UnmarshalJSON methods without a key lost.

const (
	acsTopic = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/interop-rg/providers/microsoft.communication/communicationservices/interop-acs"
	acsToken = "t0k"
	acsHook  = "/acs/events?token=" + acsToken
	// acsText has two-, three- and four-byte UTF-8 and the characters JSON encoders like to
	// escape (& < >).
	acsText = "Re: Grüße ✓ 1+1=2 & <50%> off? 🚀"
)

// newACSProvider is the provider under test, with the callback token of acsHook.
func newACSProvider(t testing.TB) *acs.Provider {
	t.Helper()
	p, err := acs.New(acs.Config{
		Endpoint:       "https://example.communication.azure.com",
		AccessKey:      sms.NewSecret("cHc="),
		CallbackTokens: []sms.Secret{sms.NewSecret(acsToken)},
	}, nil)
	if err != nil {
		t.Fatalf("acs.New: %v", err)
	}
	return p
}

// acsRequest is the POST Event Grid makes to the subscription URL (RequestURI set).
func acsRequest(method, uri, contentType string, header http.Header, body []byte) *http.Request {
	r := httptest.NewRequest(method, uri, bytes.NewReader(body))
	r.RequestURI = uri
	for k, vs := range header {
		r.Header[k] = slices.Clone(vs)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// notificationHeader is what Event Grid sends with a delivery of events.
func notificationHeader() http.Header {
	return http.Header{
		"Aeg-Event-Type":        {"Notification"},
		"Aeg-Subscription-Name": {"INTEROP-SUB"},
		"Aeg-Delivery-Count":    {"0"},
		"Aeg-Data-Version":      {"1.0"},
		"Aeg-Metadata-Version":  {"1"},
	}
}

func parseACS(t *testing.T, p *acs.Provider, contentType string, header http.Header, body []byte) *sms.Callback {
	t.Helper()
	cb, err := p.ParseCallback(context.Background(), acsRequest(http.MethodPost, acsHook, contentType, header, body), body)
	if err != nil {
		t.Fatalf("ParseCallback: %v\nbody: %s", err, body)
	}
	if cb == nil {
		t.Fatalf("ParseCallback returned a nil callback\nbody: %s", body)
	}
	return cb
}

// acsFixture is one ACS event, its data an azsystemevents value, and the event ParseCallback
// must make of it (ID, which depends on the envelope, is set by the test).
type acsFixture struct {
	name      string
	id        string // Event Grid event id
	eventType string
	subject   string
	eventTime time.Time
	data      any // an azsystemevents *EventData value
	want      sms.Event
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// acsFixtures are the SDK-typed events the parser must read: a delivered report with a tag,
// a failed one (4007, numbers without "+", attempts out of order, no tag), an inbound message
// with non-ASCII text and an inbound opt-out.
func acsFixtures(t testing.TB) []acsFixture {
	t.Helper()
	var fx []acsFixture

	{
		rcv := mustTime(t, "2026-11-23T12:00:07.2855749Z")
		d := azsystemevents.ACSSMSDeliveryReportReceivedEventData{
			DeliveryAttempts: []azsystemevents.ACSSMSDeliveryAttemptProperties{{
				SegmentsFailed:    to.Ptr[int32](0),
				SegmentsSucceeded: to.Ptr[int32](2),
				Timestamp:         to.Ptr(mustTime(t, "2026-11-23T12:00:02.9315918Z")),
			}},
			DeliveryStatus:        to.Ptr("Delivered"),
			DeliveryStatusDetails: to.Ptr("No error."),
			From:                  to.Ptr("+14155550199"),
			MessageID:             to.Ptr("Outgoing_20261123120000d6b3a9f0-1c2d-4e5f-8a9b-0c1d2e3f4a5b"),
			ReceivedTimestamp:     &rcv,
			Tag:                   to.Ptr("order-1234"),
			To:                    to.Ptr("+14155550100"),
		}
		st, _, code := acs.ReportStatus(*d.DeliveryStatus, *d.DeliveryStatusDetails)
		fx = append(fx, acsFixture{
			name: "delivered", id: "b0a1c2d3-0000-4000-8000-000000000001",
			eventType: azsystemevents.TypeACSSMSDeliveryReportReceived,
			subject:   "/phonenumber/14155550199", eventTime: rcv.Truncate(time.Second), data: d,
			want: sms.Event{
				Type: sms.EventDeliveryReport, Provider: acs.Name, MessageID: *d.MessageID,
				From: "+14155550199", To: "+14155550100", Status: st, ErrorCode: code,
				ErrorDescription: "No error.", Segments: 2, Timestamp: rcv, Reference: "order-1234",
				RawStatus: "Delivered",
			},
		})
	}
	{
		rcv := mustTime(t, "2026-11-23T12:01:09.5Z")
		d := azsystemevents.ACSSMSDeliveryReportReceivedEventData{
			// ACS lists attempts in no documented order: the later one first.
			DeliveryAttempts: []azsystemevents.ACSSMSDeliveryAttemptProperties{
				{SegmentsFailed: to.Ptr[int32](3), SegmentsSucceeded: to.Ptr[int32](0), Timestamp: to.Ptr(mustTime(t, "2026-11-23T12:01:03Z"))},
				{SegmentsFailed: to.Ptr[int32](2), SegmentsSucceeded: to.Ptr[int32](0), Timestamp: to.Ptr(mustTime(t, "2026-11-23T12:00:03Z"))},
			},
			DeliveryStatus:        to.Ptr("Failed"),
			DeliveryStatusDetails: to.Ptr("4007: Destination opted out"),
			From:                  to.Ptr("14155550199"), // Microsoft's samples omit the "+"
			MessageID:             to.Ptr("Outgoing_20261123120001e7c4b0a1-2d3e-4f6a-9b0c-1d2e3f4a5b6c"),
			ReceivedTimestamp:     &rcv,
			To:                    to.Ptr("+14155550100"),
		}
		st, _, code := acs.ReportStatus(*d.DeliveryStatus, *d.DeliveryStatusDetails)
		if st != sms.StatusRejected || code != "4007" {
			t.Fatalf("acs.ReportStatus(Failed, 4007: …) = %v, %q; the table in vendors/acs.md §4.2 says Rejected, 4007", st, code)
		}
		fx = append(fx, acsFixture{
			name: "failed 4007", id: "b0a1c2d3-0000-4000-8000-000000000002",
			eventType: azsystemevents.TypeACSSMSDeliveryReportReceived,
			subject:   "/phonenumber/14155550199", eventTime: rcv.Truncate(time.Second), data: d,
			want: sms.Event{
				Type: sms.EventDeliveryReport, Provider: acs.Name, MessageID: *d.MessageID,
				From: "+14155550199", To: "+14155550100", Status: st, ErrorCode: code,
				ErrorDescription: "4007: Destination opted out", Segments: 3, Timestamp: rcv,
				RawStatus: "Failed",
			},
		})
	}
	{
		rcv := mustTime(t, "2026-11-23T12:05:00.32Z")
		segs := int32(sms.CountSegments(acsText).Segments)
		d := azsystemevents.ACSSMSReceivedEventData{
			From:              to.Ptr("+14155550100"),
			Message:           to.Ptr(acsText),
			MessageID:         to.Ptr("Incoming_20261123120500a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"),
			ReceivedTimestamp: &rcv,
			SegmentCount:      &segs,
			To:                to.Ptr("14155550199"),
		}
		fx = append(fx, acsFixture{
			name: "inbound", id: "c1d2e3f4-0000-4000-8000-000000000001",
			eventType: azsystemevents.TypeACSSMSReceived,
			subject:   "/phonenumber/14155550100", eventTime: rcv.Truncate(time.Second), data: d,
			want: sms.Event{
				Type: sms.EventInbound, Provider: acs.Name, MessageID: *d.MessageID,
				From: "+14155550100", To: "+14155550199", Body: acsText, Segments: int(segs),
				Timestamp: rcv, Scope: sms.ScopeSender, ScopeID: "+14155550199",
			},
		})
	}
	{
		rcv := mustTime(t, "2026-11-23T12:06:00.1234567Z")
		d := azsystemevents.ACSSMSReceivedEventData{
			From:              to.Ptr("+14155550100"),
			Message:           to.Ptr("Stop"),
			MessageID:         to.Ptr("Incoming_20261123120600b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"),
			ReceivedTimestamp: &rcv,
			SegmentCount:      to.Ptr[int32](1),
			To:                to.Ptr("+14155550199"),
		}
		fx = append(fx, acsFixture{
			name: "inbound STOP", id: "c1d2e3f4-0000-4000-8000-000000000002",
			eventType: azsystemevents.TypeACSSMSReceived,
			subject:   "/phonenumber/14155550100", eventTime: rcv.Truncate(time.Second), data: d,
			// ACS relays STOP as text: the provider reports an inbound message and the webhook
			// classifies the keyword.
			want: sms.Event{
				Type: sms.EventInbound, Provider: acs.Name, MessageID: *d.MessageID,
				From: "+14155550100", To: "+14155550199", Body: "Stop", Segments: 1,
				Timestamp: rcv, Scope: sms.ScopeSender, ScopeID: "+14155550199",
			},
		})
	}
	return fx
}

// egEvent is the fixture in the SDK's Event Grid schema envelope.
func (f acsFixture) egEvent() azsystemevents.EventGridEvent {
	return azsystemevents.EventGridEvent{
		Data:            f.data,
		DataVersion:     to.Ptr("1.0"),
		EventTime:       to.Ptr(f.eventTime),
		EventType:       to.Ptr(f.eventType),
		ID:              to.Ptr(f.id),
		MetadataVersion: to.Ptr("1"),
		Subject:         to.Ptr(f.subject),
		Topic:           to.Ptr(acsTopic),
	}
}

// cloudEvent is the fixture as a CloudEvent made by messaging.NewCloudEvent (which gives it a
// random id). With binary set the data is handed over as the SDK-marshalled JSON bytes, which
// the SDK writes as data_base64.
func (f acsFixture) cloudEvent(t testing.TB, binary bool) messaging.CloudEvent {
	t.Helper()
	data := f.data
	opts := &messaging.CloudEventOptions{Subject: to.Ptr(f.subject), Time: to.Ptr(f.eventTime)}
	if binary {
		b, err := json.Marshal(f.data)
		if err != nil {
			t.Fatalf("marshalling %T with the SDK: %v", f.data, err)
		}
		data, opts.DataContentType = b, to.Ptr("application/json")
	}
	ce, err := messaging.NewCloudEvent(acsTopic, f.eventType, data, opts)
	if err != nil {
		t.Fatalf("messaging.NewCloudEvent: %v", err)
	}
	return ce
}

func marshalEG(t testing.TB, fx ...acsFixture) []byte {
	t.Helper()
	evs := make([]azsystemevents.EventGridEvent, len(fx))
	for i, f := range fx {
		evs[i] = f.egEvent()
	}
	b, err := json.Marshal(evs)
	if err != nil {
		t.Fatalf("marshalling []azsystemevents.EventGridEvent: %v", err)
	}
	return b
}

// checkACSEvent compares every field of got with want; Raw must be the item's JSON, which
// the SDK reads back with the same id.
func checkACSEvent(t *testing.T, got, want sms.Event, cloud bool) {
	t.Helper()
	if got.ID != want.ID {
		t.Errorf("ID = %q, want %q (the event id)", got.ID, want.ID)
	}
	if got.Type != want.Type {
		t.Errorf("Type = %v, want %v", got.Type, want.Type)
	}
	for _, c := range []struct{ field, got, want string }{
		{"Provider", got.Provider, want.Provider},
		{"MessageID", got.MessageID, want.MessageID},
		{"From", got.From, want.From},
		{"To", got.To, want.To},
		{"Body", got.Body, want.Body},
		{"ErrorCode", got.ErrorCode, want.ErrorCode},
		{"ErrorDescription", got.ErrorDescription, want.ErrorDescription},
		{"Reference", got.Reference, want.Reference},
		{"Keyword", got.Keyword, want.Keyword},
		{"ScopeID", got.ScopeID, want.ScopeID},
		{"RawStatus", got.RawStatus, want.RawStatus},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if got.Status != want.Status {
		t.Errorf("Status = %v, want %v", got.Status, want.Status)
	}
	if got.Segments != want.Segments {
		t.Errorf("Segments = %d, want %d", got.Segments, want.Segments)
	}
	if !got.Timestamp.Equal(want.Timestamp) {
		t.Errorf("Timestamp = %v, want %v (receivedTimestamp)", got.Timestamp, want.Timestamp)
	}
	if got.Scope != want.Scope {
		t.Errorf("Scope = %v, want %v", got.Scope, want.Scope)
	}
	if len(got.MediaURLs) != 0 {
		t.Errorf("MediaURLs = %q, want none", got.MediaURLs)
	}
	if cloud {
		var ce messaging.CloudEvent
		if err := ce.UnmarshalJSON(got.Raw); err != nil || ce.ID != want.ID {
			t.Errorf("Raw is not the CloudEvent %s: %v\n%s", want.ID, err, got.Raw)
		}
	} else {
		var eg azsystemevents.EventGridEvent
		if err := json.Unmarshal(got.Raw, &eg); err != nil || eg.ID == nil || *eg.ID != want.ID {
			t.Errorf("Raw is not the Event Grid event %s: %v\n%s", want.ID, err, got.Raw)
		}
	}
}

// TestACSParsesSDKEventGridEvents: an array of azsystemevents.EventGridEvent, one event per
// delivery (Event Grid's default) and all in one batch.
func TestACSParsesSDKEventGridEvents(t *testing.T) {
	p := newACSProvider(t)
	fx := acsFixtures(t)
	const ct = "application/json; charset=utf-8"

	for _, f := range fx {
		t.Run(f.name, func(t *testing.T) {
			body := marshalEG(t, f)
			cb := parseACS(t, p, ct, notificationHeader(), body)
			if cb.Reply != nil {
				t.Errorf("Reply = %+v, want none for a notification", cb.Reply)
			}
			if len(cb.Events) != 1 {
				t.Fatalf("%d events, want 1\nbody: %s", len(cb.Events), body)
			}
			want := f.want
			want.ID = f.id
			checkACSEvent(t, cb.Events[0], want, false)
		})
	}

	t.Run("batch", func(t *testing.T) {
		body := marshalEG(t, fx...)
		cb := parseACS(t, p, ct, notificationHeader(), body)
		if len(cb.Events) != len(fx) {
			t.Fatalf("%d events, want %d\nbody: %s", len(cb.Events), len(fx), body)
		}
		for i, f := range fx {
			want := f.want
			want.ID = f.id
			t.Run(f.name, func(t *testing.T) { checkACSEvent(t, cb.Events[i], want, false) })
		}
	})
}

// TestACSParsesSDKCloudEvents: messaging.CloudEvent marshalled by its own MarshalJSON, one
// per request (application/cloudevents+json), as a batch (a JSON array), and with the data
// given as bytes, which the SDK writes as data_base64.
func TestACSParsesSDKCloudEvents(t *testing.T) {
	p := newACSProvider(t)
	fx := acsFixtures(t)

	for _, binary := range []bool{false, true} {
		suffix := ""
		if binary {
			suffix = " data_base64"
		}
		for _, f := range fx {
			t.Run(f.name+suffix, func(t *testing.T) {
				ce := f.cloudEvent(t, binary)
				body, err := ce.MarshalJSON()
				if err != nil {
					t.Fatalf("CloudEvent.MarshalJSON: %v", err)
				}
				if binary != bytes.Contains(body, []byte(`"data_base64"`)) {
					t.Fatalf("the SDK wrote data_base64 = %v, want %v:\n%s", !binary, binary, body)
				}
				cb := parseACS(t, p, "application/cloudevents+json; charset=utf-8", notificationHeader(), body)
				if len(cb.Events) != 1 {
					t.Fatalf("%d events, want 1\nbody: %s", len(cb.Events), body)
				}
				want := f.want
				want.ID = ce.ID
				checkACSEvent(t, cb.Events[0], want, true)
			})
		}
	}

	t.Run("batch", func(t *testing.T) {
		ces := make([]messaging.CloudEvent, len(fx))
		for i, f := range fx {
			ces[i] = f.cloudEvent(t, i%2 == 1) // mixed: data and data_base64
		}
		body, err := json.Marshal(ces)
		if err != nil {
			t.Fatalf("marshalling []messaging.CloudEvent: %v", err)
		}
		cb := parseACS(t, p, "application/cloudevents-batch+json; charset=utf-8", notificationHeader(), body)
		if len(cb.Events) != len(fx) {
			t.Fatalf("%d events, want %d\nbody: %s", len(cb.Events), len(fx), body)
		}
		for i, f := range fx {
			want := f.want
			want.ID = ces[i].ID
			t.Run(f.name, func(t *testing.T) { checkACSEvent(t, cb.Events[i], want, true) })
		}
	})
}

// validationBody is Event Grid's subscription validation event, built with the SDK.
func validationBody(t testing.TB, code string) []byte {
	t.Helper()
	ev := azsystemevents.EventGridEvent{
		Data: azsystemevents.SubscriptionValidationEventData{
			ValidationCode: to.Ptr(code),
			ValidationURL: to.Ptr("https://rp-westus2.eventgrid.azure.net:553/eventsubscriptions/interop-sub/validate" +
				"?id=0123456789ABCDEF0123456789ABCDEF&t=2026-11-23T12:00:00.0000000Z&apiVersion=2018-05-01-preview&token=sample"),
		},
		DataVersion:     to.Ptr("1"),
		EventTime:       to.Ptr(mustTime(t, "2026-11-23T12:00:00.4556811Z")),
		EventType:       to.Ptr(azsystemevents.TypeSubscriptionValidation),
		ID:              to.Ptr("2d1781af-3a4c-4d7c-bd0c-e34b19da4e66"),
		MetadataVersion: to.Ptr("1"),
		Subject:         to.Ptr(""),
		Topic:           to.Ptr("/subscriptions/00000000-0000-0000-0000-000000000000"),
	}
	b, err := json.Marshal([]azsystemevents.EventGridEvent{ev})
	if err != nil {
		t.Fatalf("marshalling the validation event: %v", err)
	}
	return b
}

// readValidationResponse decodes an answer with the SDK's SubscriptionValidationResponse.
func readValidationResponse(t *testing.T, body []byte) string {
	t.Helper()
	var vr azsystemevents.SubscriptionValidationResponse
	if err := json.Unmarshal(body, &vr); err != nil {
		t.Fatalf("the SDK cannot read the validation answer %s: %v", body, err)
	}
	if vr.ValidationResponse == nil {
		t.Fatalf("the SDK finds no validationResponse in %s", body)
	}
	return *vr.ValidationResponse
}

// TestACSSubscriptionValidationSDK: the SDK's SubscriptionValidationEventData is answered with
// {"validationResponse": code}, which the SDK's SubscriptionValidationResponse reads, with or
// without the aeg-event-type header, directly and through webhook.Handler.
func TestACSSubscriptionValidationSDK(t *testing.T) {
	p := newACSProvider(t)
	const code = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"
	body := validationBody(t, code)

	for _, withHeader := range []bool{true, false} {
		name := "aeg-event-type header"
		h := http.Header{}
		if withHeader {
			h.Set("Aeg-Event-Type", "SubscriptionValidation")
			h.Set("Aeg-Data-Version", "1")
			h.Set("Aeg-Metadata-Version", "1")
		} else {
			name = "no header"
		}
		t.Run(name, func(t *testing.T) {
			cb := parseACS(t, p, "application/json; charset=utf-8", h, body)
			if len(cb.Events) != 0 {
				t.Errorf("%d events, want none for a handshake", len(cb.Events))
			}
			r := cb.Reply
			if r == nil {
				t.Fatal("no Reply for a subscription validation")
			}
			if !r.Handshake {
				t.Error("Reply.Handshake = false, want true")
			}
			if r.StatusCode != 0 && r.StatusCode != http.StatusOK {
				t.Errorf("Reply.StatusCode = %d, want 200 (Event Grid does not accept 202)", r.StatusCode)
			}
			if !strings.HasPrefix(r.ContentType, "application/json") {
				t.Errorf("Reply.ContentType = %q, want application/json", r.ContentType)
			}
			if got := readValidationResponse(t, r.Body); got != code {
				t.Errorf("validationResponse = %q, want %q", got, code)
			}

			sinkCalls := 0
			hd := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error {
				sinkCalls++
				return nil
			}), nil)
			rec := httptest.NewRecorder()
			hd.ServeHTTP(rec, acsRequest(http.MethodPost, acsHook, "application/json; charset=utf-8", h, body))
			if rec.Code != http.StatusOK {
				t.Fatalf("webhook.Handler answered %d, want 200: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("webhook.Handler Content-Type = %q, want application/json", ct)
			}
			if got := readValidationResponse(t, rec.Body.Bytes()); got != code {
				t.Errorf("webhook.Handler validationResponse = %q, want %q", got, code)
			}
			if sinkCalls != 0 {
				t.Errorf("the sink was called %d times for a handshake", sinkCalls)
			}
		})
	}
}

// TestACSWebhookHandlerSDKEnvelopes runs SDK-serialised bodies of each envelope through
// webhook.Handler: 200, every event reaches the sink once, and a redelivery is acknowledged
// without reaching it again. A wrong or missing token is 401.
func TestACSWebhookHandlerSDKEnvelopes(t *testing.T) {
	p := newACSProvider(t)
	fx := acsFixtures(t)

	ces := make([]messaging.CloudEvent, len(fx))
	for i, f := range fx {
		ces[i] = f.cloudEvent(t, false)
	}
	single, err := ces[0].MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	batch, err := json.Marshal(ces)
	if err != nil {
		t.Fatal(err)
	}
	egIDs := make([]string, len(fx))
	for i, f := range fx {
		egIDs[i] = f.id
	}
	ceIDs := make([]string, len(ces))
	for i, ce := range ces {
		ceIDs[i] = ce.ID
	}

	for _, tc := range []struct {
		name, contentType string
		body              []byte
		ids               []string
	}{
		{"eventgrid", "application/json; charset=utf-8", marshalEG(t, fx...), egIDs},
		{"cloudevent", "application/cloudevents+json; charset=utf-8", single, ceIDs[:1]},
		{"cloudevents batch", "application/cloudevents-batch+json; charset=utf-8", batch, ceIDs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu  sync.Mutex
				got [][]sms.Event
			)
			hd := webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, evs)
				return nil
			}), nil)

			for attempt := range 2 { // a redelivery (aeg-delivery-count 1) is de-duplicated
				h := notificationHeader()
				h.Set("Aeg-Delivery-Count", strconv.Itoa(attempt))
				rec := httptest.NewRecorder()
				hd.ServeHTTP(rec, acsRequest(http.MethodPost, acsHook, tc.contentType, h, tc.body))
				if rec.Code != http.StatusOK {
					t.Fatalf("attempt %d: webhook.Handler answered %d, want 200: %s", attempt, rec.Code, rec.Body)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("the sink was called %d times, want once (the redelivery is a duplicate)", len(got))
			}
			ids := make([]string, len(got[0]))
			for i, ev := range got[0] {
				ids[i] = ev.ID
			}
			if !slices.Equal(ids, tc.ids) {
				t.Errorf("sink got ids %q, want %q", ids, tc.ids)
			}
			want := fx[len(tc.ids)-1].want // the handler applies the keywords (STOP → opt-out)
			kw := sms.DefaultKeywords()
			kw.Apply(&want)
			if got[0][len(got[0])-1].Type != want.Type {
				t.Errorf("last event type %v, want %v", got[0][len(got[0])-1].Type, want.Type)
			}
		})
	}

	for _, uri := range []string{"/acs/events?token=wrong", "/acs/events"} {
		t.Run("unauthenticated "+uri, func(t *testing.T) {
			body := marshalEG(t, fx[0])
			_, err := p.ParseCallback(context.Background(), acsRequest(http.MethodPost, uri, "application/json", notificationHeader(), body), body)
			var se *sms.Error
			if !errors.As(err, &se) || se.Code != sms.CodeUnauthenticated {
				t.Errorf("ParseCallback error %v, want CodeUnauthenticated", err)
			}
			hd := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error {
				t.Error("the sink was called for an unauthenticated request")
				return nil
			}), nil)
			rec := httptest.NewRecorder()
			hd.ServeHTTP(rec, acsRequest(http.MethodPost, uri, "application/json", notificationHeader(), body))
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("webhook.Handler answered %d, want 401", rec.Code)
			}
		})
	}
}

// ---- The reverse: the SDK reads what acs/acstest emits. ----

// jsonKeys returns the keys of a JSON object.
func jsonKeys(t *testing.T, what string, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s is not a JSON object: %v\n%s", what, err, b)
	}
	return slices.Sorted(maps.Keys(m))
}

// sameKeys checks that the emulator wrote exactly the keys the SDK writes for the value it
// read: none the SDK would ignore (a misspelling, a wrong case), none it expects missing.
func sameKeys(t *testing.T, what string, emulator []byte, sdk any) {
	t.Helper()
	b, err := json.Marshal(sdk)
	if err != nil {
		t.Fatalf("re-marshalling %T: %v", sdk, err)
	}
	if e, s := jsonKeys(t, what, emulator), jsonKeys(t, what+" (SDK)", b); !slices.Equal(e, s) {
		t.Errorf("%s keys %q, the SDK's %T has %q", what, e, sdk, s)
	}
}

// sdkReport reads a delivery report's data with the SDK and checks its keys.
func sdkReport(t *testing.T, data []byte) azsystemevents.ACSSMSDeliveryReportReceivedEventData {
	t.Helper()
	var d azsystemevents.ACSSMSDeliveryReportReceivedEventData
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("the SDK cannot read the delivery report data: %v\n%s", err, data)
	}
	sameKeys(t, "delivery report data", data, d)
	for i, a := range d.DeliveryAttempts {
		if a.Timestamp == nil || a.SegmentsFailed == nil || a.SegmentsSucceeded == nil {
			t.Errorf("deliveryAttempts[%d] lacks a required field for the SDK: %s", i, data)
		}
	}
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{"deliveryStatus", d.DeliveryStatus != nil}, {"deliveryStatusDetails", d.DeliveryStatusDetails != nil},
		{"from", d.From != nil}, {"messageId", d.MessageID != nil}, {"receivedTimestamp", d.ReceivedTimestamp != nil},
		{"to", d.To != nil},
	} {
		if !f.ok {
			t.Errorf("the SDK finds no %s (REQUIRED in its model) in %s", f.name, data)
		}
	}
	return d
}

// sdkReceived reads an inbound message's data with the SDK and checks its keys.
func sdkReceived(t *testing.T, data []byte) azsystemevents.ACSSMSReceivedEventData {
	t.Helper()
	var d azsystemevents.ACSSMSReceivedEventData
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("the SDK cannot read the inbound data: %v\n%s", err, data)
	}
	sameKeys(t, "inbound data", data, d)
	if d.From == nil || d.To == nil || d.Message == nil || d.MessageID == nil || d.ReceivedTimestamp == nil || d.SegmentCount == nil {
		t.Errorf("the SDK misses a REQUIRED field of ACSSMSReceivedEventData in %s", data)
	}
	return d
}

// sdkItem is one event of an emulator delivery as the SDK read it.
type sdkItem struct {
	id, eventType string
	data          []byte
}

// readEGWithSDK reads an Event Grid schema body with azsystemevents.EventGridEvent.
func readEGWithSDK(t *testing.T, body []byte) []sdkItem {
	t.Helper()
	var evs []azsystemevents.EventGridEvent
	if err := json.Unmarshal(body, &evs); err != nil {
		t.Fatalf("the SDK cannot read the Event Grid body: %v\n%s", err, body)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		t.Fatal(err)
	}
	items := make([]sdkItem, len(evs))
	for i, ev := range evs {
		if ev.ID == nil || ev.EventType == nil || ev.Subject == nil || ev.EventTime == nil || ev.DataVersion == nil || ev.MetadataVersion == nil || ev.Topic == nil {
			t.Errorf("event %d: the SDK misses an envelope field: %s", i, raws[i])
			continue
		}
		if *ev.DataVersion != "1.0" || *ev.MetadataVersion != "1" || *ev.Topic != acstest.DefaultTopic ||
			!strings.HasPrefix(*ev.Subject, "/phonenumber/") {
			t.Errorf("event %d: envelope dataVersion %q metadataVersion %q topic %q subject %q", i,
				*ev.DataVersion, *ev.MetadataVersion, *ev.Topic, *ev.Subject)
		}
		data, ok := ev.Data.([]byte)
		if !ok {
			t.Fatalf("event %d: the SDK's Data is %T, want []byte", i, ev.Data)
		}
		env := ev
		env.Data = map[string]any{} // only the keys are compared
		sameKeys(t, "Event Grid envelope", raws[i], env)
		items[i] = sdkItem{id: *ev.ID, eventType: *ev.EventType, data: data}
	}
	return items
}

// readCEWithSDK reads one CloudEvent (or a batch) with messaging.CloudEvent.UnmarshalJSON.
func readCEWithSDK(t *testing.T, body []byte, batch bool) []sdkItem {
	t.Helper()
	var ces []messaging.CloudEvent
	if batch {
		if err := json.Unmarshal(body, &ces); err != nil {
			t.Fatalf("the SDK cannot read the CloudEvents batch: %v\n%s", err, body)
		}
	} else {
		var ce messaging.CloudEvent
		if err := ce.UnmarshalJSON(body); err != nil {
			t.Fatalf("the SDK cannot read the CloudEvent: %v\n%s", err, body)
		}
		ces = []messaging.CloudEvent{ce}
	}
	items := make([]sdkItem, len(ces))
	for i, ce := range ces {
		if ce.SpecVersion != "1.0" || ce.Source != acstest.DefaultTopic {
			t.Errorf("CloudEvent %d: specversion %q source %q", i, ce.SpecVersion, ce.Source)
		}
		if len(ce.Extensions) != 0 {
			t.Errorf("CloudEvent %d: the SDK sees unknown attributes (extensions) %v", i, ce.Extensions)
		}
		if ce.Subject == nil || !strings.HasPrefix(*ce.Subject, "/phonenumber/") || ce.Time == nil || ce.Time.IsZero() {
			t.Errorf("CloudEvent %d: subject %v time %v", i, ce.Subject, ce.Time)
		}
		data, ok := ce.Data.([]byte)
		if !ok || len(data) == 0 || data[0] != '{' {
			t.Fatalf("CloudEvent %d: the SDK's Data is %T %q, want the JSON object", i, ce.Data, ce.Data)
		}
		items[i] = sdkItem{id: ce.ID, eventType: ce.Type, data: data}
	}
	return items
}

// TestACSEmulatorEventsReadBySDK: the events acstest emits, in both schemas and in a
// CloudEvents batch, are read by the SDK's own types with every key known to it, and the SDK
// and ParseCallback agree on each of them.
func TestACSEmulatorEventsReadBySDK(t *testing.T) {
	const target = "http://127.0.0.1/acs/events?token=" + acsToken
	for _, tc := range []struct {
		name, schema, contentType string
		batch                     int
	}{
		{"eventgrid", acstest.SchemaEventGrid, "application/json", 1},
		{"cloudevents", acstest.SchemaCloudEvents, "application/cloudevents+json", 1},
		{"cloudevents batch", acstest.SchemaCloudEvents, "application/cloudevents-batch+json", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acstest.NewServer(&acstest.Options{Schema: tc.schema, MaxEventsPerBatch: tc.batch})
			t.Cleanup(srv.Close)

			// A real send through the provider, so that the reports carry its tag.
			sender, err := acs.New(acs.Config{
				Endpoint:  "https://example.communication.azure.com",
				AccessKey: sms.NewSecret(srv.AccessKey()),
			}, &acs.Options{BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			const ref = "order-42"
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := sms.NewClient(sender, nil).Send(ctx, &sms.Message{
				To:        []string{"+14155550100"},
				From:      sms.Sender{Type: sms.SenderLongCode, Value: "+14155550199"},
				Body:      "Your code is 123456",
				Reference: ref,
			})
			if err != nil || len(res) != 1 || res[0].MessageID == "" {
				t.Fatalf("send to the emulator: %v %+v", err, res)
			}
			msgID := res[0].MessageID

			events := []acstest.Event{
				srv.DeliveryReportEvent(msgID, "", sms.StatusDelivered, "", ""),
				srv.DeliveryReportEvent(msgID, "", sms.StatusRejected, "4007", ""),
				srv.InboundEvent("+14155550100", "+14155550199", acsText),
				srv.InboundEvent("+14155550100", "+14155550199", "STOP"),
			}
			var reqs []*http.Request
			if tc.schema == acstest.SchemaEventGrid || tc.batch > 1 {
				reqs = append(reqs, srv.EventsRequest(target, events...))
			} else {
				for _, ev := range events {
					reqs = append(reqs, srv.EventsRequest(target, ev))
				}
			}

			p := newACSProvider(t)
			var n int
			for _, req := range reqs {
				if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
					t.Errorf("Content-Type %q, want %s", ct, tc.contentType)
				}
				body, err := io.ReadAll(req.Body)
				if err != nil {
					t.Fatal(err)
				}
				req.Body = io.NopCloser(bytes.NewReader(body))

				var items []sdkItem
				if tc.schema == acstest.SchemaEventGrid {
					items = readEGWithSDK(t, body)
				} else {
					items = readCEWithSDK(t, body, tc.batch > 1)
				}
				cb, err := p.ParseCallback(context.Background(), req, body)
				if err != nil {
					t.Fatalf("ParseCallback of the emulator's body: %v\n%s", err, body)
				}
				if len(cb.Events) != len(items) {
					t.Fatalf("ParseCallback read %d events, the SDK %d", len(cb.Events), len(items))
				}
				for i, it := range items {
					ev, em := cb.Events[i], events[n]
					n++
					if it.id != em.ID || it.eventType != em.Type {
						t.Errorf("the SDK reads id %q type %q, the emulator sent %q %q", it.id, it.eventType, em.ID, em.Type)
					}
					switch it.eventType {
					case azsystemevents.TypeACSSMSDeliveryReportReceived:
						d := sdkReport(t, it.data)
						sent, ok := em.Data.(acstest.DeliveryReportData)
						if !ok {
							t.Fatalf("emulator data %T", em.Data)
						}
						if *d.MessageID != msgID || *d.DeliveryStatus != sent.DeliveryStatus ||
							*d.DeliveryStatusDetails != sent.DeliveryStatusDetails || d.Tag == nil || *d.Tag != ref {
							t.Errorf("the SDK reads messageId %q deliveryStatus %q details %q tag %v; sent %+v",
								*d.MessageID, *d.DeliveryStatus, *d.DeliveryStatusDetails, d.Tag, sent)
						}
						if *d.From != "+14155550199" || *d.To != "+14155550100" {
							t.Errorf("the SDK reads from %q to %q", *d.From, *d.To)
						}
						if len(d.DeliveryAttempts) != 1 {
							t.Errorf("the SDK reads %d delivery attempts, want 1", len(d.DeliveryAttempts))
						}
						// The SDK and the parser agree.
						st, _, code := acs.ReportStatus(*d.DeliveryStatus, *d.DeliveryStatusDetails)
						if ev.Type != sms.EventDeliveryReport || ev.MessageID != *d.MessageID || ev.RawStatus != *d.DeliveryStatus ||
							ev.Status != st || ev.ErrorCode != code || ev.Reference != *d.Tag || !ev.Timestamp.Equal(*d.ReceivedTimestamp) ||
							ev.From != *d.From || ev.To != *d.To {
							t.Errorf("ParseCallback %+v disagrees with the SDK %+v", ev, d)
						}
						if em := sent.DeliveryStatus; em == "Failed" && (st != sms.StatusRejected || code != "4007") {
							t.Errorf("4007 maps to %v %q, want Rejected 4007", st, code)
						}
					case azsystemevents.TypeACSSMSReceived:
						d := sdkReceived(t, it.data)
						sent, ok := em.Data.(acstest.ReceivedData)
						if !ok {
							t.Fatalf("emulator data %T", em.Data)
						}
						if *d.Message != sent.Message || *d.MessageID != sent.MessageID || int(*d.SegmentCount) != sent.SegmentCount {
							t.Errorf("the SDK reads message %q id %q segments %d; sent %+v", *d.Message, *d.MessageID, *d.SegmentCount, sent)
						}
						wantType := sms.EventInbound // keywords are the webhook's, not the provider's
						if ev.Type != wantType || ev.Body != *d.Message || ev.MessageID != *d.MessageID || ev.From != *d.From ||
							ev.To != *d.To || ev.Segments != int(*d.SegmentCount) || !ev.Timestamp.Equal(*d.ReceivedTimestamp) {
							t.Errorf("ParseCallback %+v disagrees with the SDK %+v", ev, d)
						}
					default:
						t.Errorf("unexpected event type %q", it.eventType)
					}
				}
			}
			if n != len(events) {
				t.Errorf("read %d events, sent %d", n, len(events))
			}
		})
	}
}

// TestACSEmulatorValidationReadBySDK: the emulator's subscription validation event is read by
// azsystemevents (SubscriptionValidationEventData, every key known to it), and the parser's
// answer echoes the code the SDK read.
func TestACSEmulatorValidationReadBySDK(t *testing.T) {
	srv := acstest.NewServer(nil)
	t.Cleanup(srv.Close)
	req, code := srv.SubscriptionValidationRequest("http://127.0.0.1/acs/events?token=" + acsToken)
	if got := req.Header.Get("Aeg-Event-Type"); got != "SubscriptionValidation" {
		t.Errorf("aeg-event-type %q, want SubscriptionValidation", got)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))

	var evs []azsystemevents.EventGridEvent
	if err := json.Unmarshal(body, &evs); err != nil || len(evs) != 1 {
		t.Fatalf("the SDK reads %d events, err %v:\n%s", len(evs), err, body)
	}
	ev := evs[0]
	if ev.EventType == nil || *ev.EventType != azsystemevents.TypeSubscriptionValidation || ev.ID == nil || ev.EventTime == nil ||
		ev.Subject == nil || ev.Topic == nil || ev.DataVersion == nil || ev.MetadataVersion == nil {
		t.Fatalf("the SDK reads envelope %+v", ev)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		t.Fatal(err)
	}
	env := ev
	env.Data = map[string]any{}
	sameKeys(t, "validation envelope", raws[0], env)

	data, _ := ev.Data.([]byte)
	var d azsystemevents.SubscriptionValidationEventData
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("the SDK cannot read the validation data: %v\n%s", err, data)
	}
	sameKeys(t, "validation data", data, d)
	if d.ValidationCode == nil || *d.ValidationCode != code || d.ValidationURL == nil || !strings.HasPrefix(*d.ValidationURL, "https://") {
		t.Errorf("the SDK reads validationCode %v validationUrl %v, want code %q", d.ValidationCode, d.ValidationURL, code)
	}

	cb, err := newACSProvider(t).ParseCallback(context.Background(), req, body)
	if err != nil {
		t.Fatalf("ParseCallback: %v", err)
	}
	if cb.Reply == nil || !cb.Reply.Handshake {
		t.Fatalf("no handshake Reply: %+v", cb.Reply)
	}
	if got := readValidationResponse(t, cb.Reply.Body); got != code {
		t.Errorf("validationResponse %q, want %q", got, code)
	}
}
