package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// stubProvider stands in for a vendor package: it accepts callbacks carrying the right token
// and decodes a JSON array of inbound messages.
type stubProvider struct{}

func (stubProvider) Name() string                   { return "stub" }
func (stubProvider) Capabilities() sms.Capabilities { return sms.Capabilities{Inbound: true} }
func (stubProvider) Send(context.Context, *sms.Message) ([]sms.SendResult, error) {
	return nil, sms.Errorf(sms.CodeUnsupported, "stub: no sending")
}

func (stubProvider) ParseCallback(_ context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if r.URL.Query().Get("token") != "s3cret" { // verify first…
		return nil, sms.Errorf(sms.CodeUnauthenticated, "stub: bad token")
	}
	var items []struct{ ID, From, Text string } // …then decode
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, sms.Errorf(sms.CodeInvalidArgument, "stub: %v", err)
	}
	cb := &sms.Callback{}
	for _, it := range items {
		cb.Events = append(cb.Events, sms.Event{ID: it.ID, Type: sms.EventInbound, Provider: "stub", From: it.From, Body: it.Text})
	}
	return cb, nil
}

func ExampleHandler() {
	sink := webhook.SinkFunc(func(ctx context.Context, events []sms.Event) error {
		for _, ev := range events {
			fmt.Printf("%s %s from %s %q keyword=%q\n", ev.Type, ev.ID, ev.From, ev.Body, ev.Keyword)
		}
		return nil // the events are marked seen only now
	})
	mux := http.NewServeMux()
	mux.Handle("/sms/stub", webhook.Handler(stubProvider{}, sink, nil))

	body := `[{"ID":"in-1","From":"+14155552671","Text":"Hello"},{"ID":"in-2","From":"+14155552671","Text":" stop "}]`
	for _, target := range []string{
		"/sms/stub?token=s3cret", // delivered
		"/sms/stub?token=s3cret", // the vendor retries: already seen, the sink is not called
		"/sms/stub?token=forged", // rejected before decoding
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, strings.NewReader(body)))
		fmt.Println(w.Code)
	}
	// Output:
	// inbound in-1 from +14155552671 "Hello" keyword=""
	// opt_out in-2 from +14155552671 " stop " keyword="STOP"
	// 200
	// 200
	// 401
}

// partsProvider reports each part of a long message, as LINK Mobility and Vibes do.
type partsProvider struct{ stubProvider }

func (partsProvider) ParseCallback(_ context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	var items []struct {
		Msg, Status string
		Part, Parts int
	}
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, sms.Errorf(sms.CodeInvalidArgument, "parts: %v", err)
	}
	cb := &sms.Callback{}
	for _, it := range items {
		cb.Events = append(cb.Events, sms.Event{Type: sms.EventDeliveryReport, MessageID: it.Msg,
			Part: it.Part, Parts: it.Parts, Status: sms.ParseStatus(it.Status), RawStatus: it.Status})
	}
	return cb, nil
}

// The sink sees one event per change of the message's folded status, not one per part.
func ExamplePartStore() {
	sink := webhook.SinkFunc(func(ctx context.Context, events []sms.Event) error {
		for _, ev := range events {
			fmt.Printf("%s %s (part %d of %d reported %s)\n", ev.MessageID, ev.Status, ev.Part, ev.Parts, ev.RawStatus)
		}
		return nil
	})
	h := webhook.Handler(partsProvider{}, sink, &webhook.Options{Parts: webhook.NewMemoryPartStore(1000)})
	for _, body := range []string{
		`[{"Msg":"m1","Part":1,"Parts":3,"Status":"delivered"}]`,
		`[{"Msg":"m1","Part":2,"Parts":3,"Status":"delivered"}]`, // no change: still sent
		`[{"Msg":"m1","Part":3,"Parts":3,"Status":"delivered"}]`,
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/sms/parts", strings.NewReader(body)))
	}
	// Output:
	// m1 sent (part 1 of 3 reported delivered)
	// m1 delivered (part 3 of 3 reported delivered)
}
