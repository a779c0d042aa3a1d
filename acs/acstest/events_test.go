package acstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/emulator"
)

// wireKeys returns the key paths of the first event of a wire file (testdata/wire), an
// array (Event Grid) or an object (CloudEvents).
func wireKeys(t *testing.T, file string, index int) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile("testdata/wire/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if arr, ok := v.([]any); ok {
		v = arr[index]
	}
	return keyPaths(v, "", nil)
}

func sameKeys(t *testing.T, what string, got, want map[string]bool) {
	t.Helper()
	if g, w := sortedKeys(got), sortedKeys(want); !slices.Equal(g, w) {
		t.Errorf("%s keys\n got %v\nwant %v (the wire file's)", what, g, w)
	}
}

func TestEventGridDelivery(t *testing.T) {
	a := newApp(t)
	srv := newServer(t, &acstest.Options{EventGridURL: a.url(), DeliveryHeaders: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}})
	if srv.ValidationState() != acstest.ValidationPending {
		t.Fatalf("state %q", srv.ValidationState())
	}
	it := sendOne(t, srv, recipient, "", "order-42", true)
	if err := srv.WaitCallbacks(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	reqs := a.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want the handshake then the report: %+v", len(reqs), reqs)
	}

	t.Run("handshake first", func(t *testing.T) {
		hs := reqs[0]
		if hs.Method != "POST" || hs.URI != "/acs/events?token=s3cret" || hs.Header.Get("aeg-event-type") != "SubscriptionValidation" ||
			hs.Header.Get("aeg-subscription-name") != "ACSTEST-EVENTS" || hs.Header.Get("Authorization") != "Basic dXNlcjpwYXNz" {
			t.Errorf("handshake %s %s %v", hs.Method, hs.URI, hs.Header)
		}
		evs := egEvents(t, hs.Body)
		sameKeys(t, "validation event", keyPaths(evs[0], "", nil), wireKeys(t, "eventgrid-subscriptionvalidation.json", 0))
		if evs[0]["eventType"] != acstest.EventTypeSubscriptionValidation || evs[0]["dataVersion"] != "1" || evs[0]["metadataVersion"] != "1" ||
			evs[0]["subject"] != "" || evs[0]["topic"] != "/subscriptions/00000000-0000-0000-0000-000000000000" {
			t.Errorf("validation event %s", hs.Body)
		}
		data := evs[0]["data"].(map[string]any)
		if vu := fmt.Sprint(data["validationUrl"]); !strings.HasPrefix(vu, "https://rp-westus2.eventgrid.azure.net:553/eventsubscriptions/acstest-events/validate?id=") {
			t.Errorf("validationUrl %s", vu)
		}
		if srv.ValidationState() != acstest.ValidationValidated {
			t.Errorf("state %q", srv.ValidationState())
		}
		if h := srv.Handshakes(); len(h) != 1 || !h[0].OK || h[0].StatusCode != 200 || h[0].Method != "POST" {
			t.Errorf("handshakes %+v", h)
		}
	})

	t.Run("delivery report", func(t *testing.T) {
		n := reqs[1]
		want := map[string]string{
			"aeg-event-type": "Notification", "aeg-subscription-name": "ACSTEST-EVENTS", "aeg-delivery-count": "0",
			"aeg-data-version": "1.0", "aeg-metadata-version": "1", "Content-Type": "application/json; charset=utf-8",
			"Authorization": "Basic dXNlcjpwYXNz",
		}
		for k, v := range want {
			if got := n.Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		if n.URI != "/acs/events?token=s3cret" {
			t.Errorf("URI %q", n.URI)
		}
		evs := egEvents(t, n.Body)
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		sameKeys(t, "delivery report", keyPaths(evs[0], "", nil), wireKeys(t, "eventgrid-deliveryreport.json", 0))
		ev := evs[0]
		d := ev["data"].(map[string]any)
		att := d["deliveryAttempts"].([]any)[0].(map[string]any)
		if ev["id"] != it.MessageID || ev["eventType"] != acstest.EventTypeDeliveryReport || ev["subject"] != "/phonenumber/14155550199" ||
			ev["topic"] != acstest.DefaultTopic || ev["dataVersion"] != "1.0" || ev["metadataVersion"] != "1" ||
			d["messageId"] != it.MessageID || d["from"] != sender || d["to"] != recipient || d["deliveryStatus"] != "Delivered" ||
			d["deliveryStatusDetails"] != "2000: No Error" || d["tag"] != "order-42" ||
			!sevenFrac.MatchString(fmt.Sprint(d["receivedTimestamp"])) || !sevenFrac.MatchString(fmt.Sprint(att["timestamp"])) ||
			att["segmentsSucceeded"] != float64(1) || att["segmentsFailed"] != float64(0) {
			t.Errorf("event %s", n.Body)
		}
		if _, err := time.Parse(time.RFC3339Nano, fmt.Sprint(ev["eventTime"])); err != nil {
			t.Errorf("eventTime: %v", err)
		}
		ds := srv.Deliveries()
		if len(ds) != 1 || ds[0].State != emulator.StateDelivered || len(ds[0].Attempts) != 1 {
			t.Errorf("deliveries %+v", ds)
		}
	})

	t.Run("no report unless asked", func(t *testing.T) {
		sendOne(t, srv, recipient, "", "", false)
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if n := len(a.notifications()); n != 1 {
			t.Errorf("%d notifications", n)
		}
	})

	t.Run("failed with a code", func(t *testing.T) {
		to := "+14155550111"
		srv.SetOutcome(to, sms.StatusFailed, "4004")
		it := sendOne(t, srv, to, "", "", true)
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		ns := a.notifications()
		ev := egEvents(t, ns[len(ns)-1].Body)[0]
		d := ev["data"].(map[string]any)
		att := d["deliveryAttempts"].([]any)[0].(map[string]any)
		if ev["id"] != it.MessageID || d["deliveryStatus"] != "Failed" || d["deliveryStatusDetails"] != "4004: Destination number does not exist" ||
			att["segmentsFailed"] != float64(1) || att["segmentsSucceeded"] != float64(0) {
			t.Errorf("event %v", ev)
		}
		if _, ok := d["tag"]; ok {
			t.Error("tag present without one sent (the wire file omits it)")
		}
		sameKeys(t, "failed report", keyPaths(ev, "", nil), wireKeys(t, "eventgrid-deliveryreport.json", 1))
	})

	t.Run("default codes", func(t *testing.T) {
		for st, want := range map[sms.Status]string{
			sms.StatusUndelivered: "4006: Destination not reachable", sms.StatusExpired: "5002: Delivery timeout",
			sms.StatusFailed: "5000: Failed, contact support", sms.StatusRejected: "4005: Blocked by destination carrier",
		} {
			to := fmt.Sprintf("+1415555%04d", 200+int(st))
			srv.SetOutcome(to, st, "")
			it := sendOne(t, srv, to, "", "", true)
			if err := srv.WaitCallbacks(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			for _, ev := range srv.Events() {
				if ev.ID == it.MessageID {
					if d := ev.Data.(acstest.DeliveryReportData); d.DeliveryStatus != "Failed" || d.DeliveryStatusDetails != want {
						t.Errorf("%v: %+v", st, d)
					}
				}
			}
		}
	})

	t.Run("no report for a non-final outcome", func(t *testing.T) {
		to := "+14155550112"
		srv.SetOutcome(to, sms.StatusSent, "")
		before := len(srv.Events())
		sendOne(t, srv, to, "", "", true)
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if len(srv.Events()) != before {
			t.Error("a report for a message that is only sent")
		}
	})
}

func TestValidationFailures(t *testing.T) {
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, code string)
		reason string
	}{
		{"202 with the code", func(w http.ResponseWriter, code string) {
			w.WriteHeader(http.StatusAccepted)
			json.NewEncoder(w).Encode(map[string]string{"validationResponse": code})
		}, "answered 202"},
		{"200 without a body", func(w http.ResponseWriter, code string) {}, "not a JSON object"},
		{"200 with another code", func(w http.ResponseWriter, code string) {
			json.NewEncoder(w).Encode(map[string]string{"validationResponse": "nope"})
		}, "does not echo"},
		{"200 with another key", func(w http.ResponseWriter, code string) {
			json.NewEncoder(w).Encode(map[string]string{"validationCode": code})
		}, "no validationResponse"},
		{"500", func(w http.ResponseWriter, code string) { w.WriteHeader(500) }, "answered 500"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := newApp(t)
			bad.validation = c.answer
			srv := newServer(t, &acstest.Options{EventGridURL: bad.url()})
			sendOne(t, srv, recipient, "", "", true)
			err := srv.WaitCallbacks(ctxT(t))
			require.ErrorContains(t, err, c.reason, "a failed validation is not hidden")
			require.ErrorContains(t, err, "1 event(s) held")
			require.NoError(t, srv.WaitCallbacks(ctxT(t)), "reported once")
			if n := len(bad.notifications()); n != 0 || len(bad.requests()) != 1 {
				t.Fatalf("the app got %d events, %d requests", n, len(bad.requests()))
			}
			if srv.ValidationState() != acstest.ValidationFailed || len(srv.Held()) != 1 || len(srv.Deliveries()) != 0 {
				t.Fatalf("state %q, %d held", srv.ValidationState(), len(srv.Held()))
			}
			if h := srv.Handshakes(); len(h) != 1 || h[0].OK || !strings.Contains(h[0].Reason, c.reason) {
				t.Errorf("handshakes %+v, want reason %q", h, c.reason)
			}
			// More events wait too, without a new handshake.
			sendOne(t, srv, recipient, "", "", true)
			if err := srv.WaitCallbacks(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			if len(bad.requests()) != 1 || len(srv.Held()) != 2 {
				t.Fatalf("%d requests, %d held", len(bad.requests()), len(srv.Held()))
			}
			if err := srv.Validate(ctxT(t)); err == nil || !strings.Contains(err.Error(), c.reason) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Validate: %v", err)
			}
			// A fixed endpoint gets the held events after its handshake.
			good := newApp(t)
			if err := srv.SetEventGrid(good.url(), ""); err != nil {
				t.Fatal(err)
			}
			if err := srv.WaitCallbacks(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			if n := len(good.notifications()); n != 2 || srv.ValidationState() != acstest.ValidationValidated || len(srv.Held()) != 0 {
				t.Fatalf("%d notifications, state %q", n, srv.ValidationState())
			}
		})
	}
}

func TestValidationKeyCase(t *testing.T) {
	a := newApp(t)
	a.validation = func(w http.ResponseWriter, code string) {
		fmt.Fprintf(w, `{"ValidationResponse":%q}`, code)
	}
	srv := newServer(t, &acstest.Options{EventGridURL: a.url()})
	if err := srv.Validate(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if srv.ValidationState() != acstest.ValidationValidated {
		t.Fatal(srv.ValidationState())
	}
}

func TestDeliveryRetries(t *testing.T) {
	t.Run("500 is retried", func(t *testing.T) {
		a := newApp(t)
		a.statuses = []int{500, 404}
		srv := newServer(t, &acstest.Options{EventGridURL: a.url(), RetryWait: time.Millisecond})
		sendOne(t, srv, recipient, "", "", true)
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		ns := a.notifications()
		if len(ns) != 3 {
			t.Fatalf("%d attempts, want 3", len(ns))
		}
		for i, n := range ns {
			if got := n.Header.Get("aeg-delivery-count"); got != fmt.Sprint(i) {
				t.Errorf("attempt %d: aeg-delivery-count %q", i+1, got)
			}
			if string(n.Body) != string(ns[0].Body) {
				t.Errorf("attempt %d changed the body", i+1)
			}
		}
		ds := srv.Deliveries()
		if len(ds) != 1 || ds[0].State != emulator.StateDelivered || len(ds[0].Attempts) != 3 {
			t.Errorf("deliveries %+v", ds)
		}
	})
	for _, st := range []int{400, 401, 403, 413} {
		t.Run(fmt.Sprintf("%d is dropped", st), func(t *testing.T) {
			a := newApp(t)
			a.statuses = []int{st}
			srv := newServer(t, &acstest.Options{EventGridURL: a.url(), RetryWait: time.Millisecond})
			sendOne(t, srv, recipient, "", "", true)
			requireFailed(t, srv.WaitCallbacks(ctxT(t)), 1)
			ds := srv.Deliveries()
			if len(a.notifications()) != 1 || len(ds) != 1 || ds[0].State != emulator.StateDropped || ds[0].StatusCode != st {
				t.Errorf("%d notifications, deliveries %+v", len(a.notifications()), ds)
			}
		})
	}
	t.Run("retries run out", func(t *testing.T) {
		a := newApp(t)
		a.statuses = []int{503, 503, 503, 503}
		srv := newServer(t, &acstest.Options{EventGridURL: a.url(), RetryWait: time.Millisecond, DeliveryRetries: 2})
		sendOne(t, srv, recipient, "", "", true)
		requireFailed(t, srv.WaitCallbacks(ctxT(t)), 1)
		ds := srv.Deliveries()
		if len(a.notifications()) != 3 || ds[0].State != emulator.StateExhausted {
			t.Errorf("%d notifications, %+v", len(a.notifications()), ds)
		}
	})
	t.Run("no retries", func(t *testing.T) {
		a := newApp(t)
		a.statuses = []int{503}
		srv := newServer(t, &acstest.Options{EventGridURL: a.url(), DeliveryRetries: -1})
		sendOne(t, srv, recipient, "", "", true)
		requireFailed(t, srv.WaitCallbacks(ctxT(t)), 1)
		if len(a.notifications()) != 1 {
			t.Errorf("%d notifications", len(a.notifications()))
		}
	})
}

func TestCloudEvents(t *testing.T) {
	a := newApp(t)
	srv := newServer(t, &acstest.Options{EventGridURL: a.url(), Schema: acstest.SchemaCloudEvents})
	it := sendOne(t, srv, recipient, "", "order-7", true)
	if err := srv.WaitCallbacks(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	reqs := a.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if hs := reqs[0]; hs.Method != http.MethodOptions || hs.Header.Get("WebHook-Request-Origin") != acstest.DefaultRequestOrigin || hs.URI != "/acs/events?token=s3cret" {
		t.Errorf("handshake %s %s %v", hs.Method, hs.URI, hs.Header)
	}
	n := reqs[1]
	if ct := n.Header.Get("Content-Type"); ct != "application/cloudevents+json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if n.Header.Get("aeg-event-type") != "Notification" || n.Header.Get("aeg-delivery-count") != "0" {
		t.Errorf("headers %v", n.Header)
	}
	var ce map[string]any
	if err := json.Unmarshal(n.Body, &ce); err != nil {
		t.Fatalf("not one object: %v %s", err, n.Body)
	}
	sameKeys(t, "CloudEvent", keyPaths(ce, "", nil), wireKeys(t, "cloudevents-deliveryreport.json", 0))
	if ce["specversion"] != "1.0" || ce["type"] != acstest.EventTypeDeliveryReport || ce["id"] != it.MessageID ||
		ce["source"] != acstest.DefaultTopic || ce["subject"] != "/phonenumber/14155550199" ||
		ce["data"].(map[string]any)["tag"] != "order-7" {
		t.Errorf("CloudEvent %s", n.Body)
	}

	t.Run("inbound", func(t *testing.T) {
		ev, err := srv.SendInbound(ctxT(t), recipient, sender, "Re: hi ✓ & 50% off? 🚀")
		if err != nil {
			t.Fatal(err)
		}
		ns := a.notifications()
		var ce map[string]any
		if err := json.Unmarshal(ns[len(ns)-1].Body, &ce); err != nil {
			t.Fatal(err)
		}
		sameKeys(t, "inbound CloudEvent", keyPaths(ce, "", nil), wireKeys(t, "cloudevents-received.json", 0))
		if ce["id"] != ev.ID || ce["type"] != acstest.EventTypeReceived || ce["subject"] != "/phonenumber/14155550100" {
			t.Errorf("%s", ns[len(ns)-1].Body)
		}
	})

	t.Run("wrong origin", func(t *testing.T) {
		bad := newApp(t)
		bad.origin = "example.com"
		srv := newServer(t, &acstest.Options{EventGridURL: bad.url(), Schema: acstest.SchemaCloudEvents})
		sendOne(t, srv, recipient, "", "", true)
		require.ErrorContains(t, srv.WaitCallbacks(ctxT(t)), "WebHook-Allowed-Origin")
		if len(bad.requests()) != 1 || srv.ValidationState() != acstest.ValidationFailed {
			t.Fatalf("%d requests, %s", len(bad.requests()), srv.ValidationState())
		}
		if h := srv.Handshakes(); len(h) != 1 || !strings.Contains(h[0].Reason, "WebHook-Allowed-Origin") {
			t.Errorf("%+v", h)
		}
	})
	t.Run("star and custom origin", func(t *testing.T) {
		star := newApp(t)
		star.origin = "*"
		srv := newServer(t, &acstest.Options{EventGridURL: star.url(), Schema: acstest.SchemaCloudEvents, RequestOrigin: "eventgrid.azure.us"})
		if err := srv.Validate(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if got := star.requests()[0].Header.Get("WebHook-Request-Origin"); got != "eventgrid.azure.us" {
			t.Errorf("origin %q", got)
		}
	})
}

func TestBatching(t *testing.T) {
	for _, schema := range []string{acstest.SchemaEventGrid, acstest.SchemaCloudEvents} {
		t.Run(schema, func(t *testing.T) {
			a := newApp(t)
			srv := newServer(t, &acstest.Options{EventGridURL: a.url(), Schema: schema, MaxEventsPerBatch: 2, BatchWindow: time.Minute})
			if err := srv.Validate(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i := range 3 {
				ids = append(ids, sendOne(t, srv, fmt.Sprintf("+1415555%04d", 300+i), "", "", true).MessageID)
			}
			// The full batch went at once; the third event waits for the window or a flush.
			deadline := time.Now().Add(5 * time.Second)
			for len(a.notifications()) < 1 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if err := srv.WaitCallbacks(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			ns := a.notifications()
			if len(ns) != 2 {
				t.Fatalf("%d deliveries, want 2", len(ns))
			}
			var got []string
			sizes := map[int]bool{}
			for _, n := range ns {
				want := "application/json; charset=utf-8"
				if schema == acstest.SchemaCloudEvents {
					want = "application/cloudevents-batch+json; charset=utf-8"
				}
				if ct := n.Header.Get("Content-Type"); ct != want {
					t.Errorf("Content-Type %q, want %q", ct, want)
				}
				evs := egEvents(t, n.Body) // both schemas batch as arrays
				sizes[len(evs)] = true
				for _, ev := range evs {
					got = append(got, fmt.Sprint(ev["id"]))
				}
			}
			slices.Sort(got)
			slices.Sort(ids)
			if !slices.Equal(got, ids) || !sizes[1] || !sizes[2] {
				t.Errorf("events %v in batches of %v, want %v", got, sizes, ids)
			}
		})
	}
	// partial sends n events into a batch of 10 with a one-hour window on a manual clock, and
	// checks that they wait for it.
	partial := func(t *testing.T, n int) (*app, *acstest.Server, *emulator.ManualClock) {
		a := newApp(t)
		clock := emulator.NewManualClock(time.Now())
		srv := newServer(t, &acstest.Options{EventGridURL: a.url(), MaxEventsPerBatch: 10, BatchWindow: time.Hour, Clock: clock})
		require.NoError(t, srv.Validate(ctxT(t)))
		for range n {
			sendOne(t, srv, recipient, "", "", true)
		}
		require.NoError(t, clock.WaitSleepers(ctxT(t), 1), "the partial batch does not wait for the window")
		require.Empty(t, a.notifications(), "a partial batch went before the window")
		return a, srv, clock
	}
	t.Run("window", func(t *testing.T) {
		a, _, clock := partial(t, 1)
		clock.Advance(time.Hour)
		for deadline := time.Now().Add(30 * time.Second); len(a.notifications()) == 0; time.Sleep(time.Millisecond) {
			require.True(t, time.Now().Before(deadline), "the window did not send the partial batch")
		}
		require.Len(t, a.notifications(), 1)
	})
	t.Run("flush", func(t *testing.T) {
		a, srv, _ := partial(t, 2)
		srv.Flush()
		require.NoError(t, srv.WaitCallbacks(ctxT(t)))
		ns := a.notifications()
		require.Len(t, ns, 1)
		require.Len(t, egEvents(t, ns[0].Body), 2)
	})
}

func TestInbound(t *testing.T) {
	srv := newServer(t, nil)
	ev, err := srv.SendInbound(ctxT(t), recipient, sender, "STOP")
	if err == nil || !strings.Contains(err.Error(), "no Event Grid URL") {
		t.Fatalf("without a subscription: %v", err)
	}
	if len(srv.Held()) != 1 || srv.Held()[0].ID != ev.ID || !incomingID.MatchString(ev.ID) {
		t.Fatalf("held %+v", srv.Held())
	}
	a := newApp(t)
	if err := srv.SetEventGrid(a.url(), acstest.SchemaEventGrid); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitCallbacks(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	ev2, err := srv.SendInbound(ctxT(t), recipient, sender, "Re: hi ✓ 1+1=2 & 50% off? 🚀")
	if err != nil {
		t.Fatal(err)
	}
	ns := a.notifications()
	if len(ns) != 2 {
		t.Fatalf("%d notifications", len(ns))
	}
	first := egEvents(t, ns[0].Body)[0]
	if first["id"] != ev.ID {
		t.Errorf("the held event did not go first: %v", first)
	}
	e := egEvents(t, ns[1].Body)[0]
	sameKeys(t, "inbound", keyPaths(e, "", nil), wireKeys(t, "eventgrid-received.json", 0))
	d := e["data"].(map[string]any)
	if e["id"] != ev2.ID || d["messageId"] != ev2.ID || e["eventType"] != acstest.EventTypeReceived || d["from"] != recipient ||
		d["to"] != sender || d["message"] != "Re: hi ✓ 1+1=2 & 50% off? 🚀" || d["segmentCount"] != float64(1) ||
		e["subject"] != "/phonenumber/14155550100" || !sevenFrac.MatchString(fmt.Sprint(d["receivedTimestamp"])) {
		t.Errorf("inbound %s", ns[1].Body)
	}
	if !strings.Contains(string(ns[1].Body), `\u0026`) {
		t.Error(`"&" is not escaped as the official Go types escape it`)
	}
	if _, err := srv.SendInbound(ctxT(t), "", sender, "x"); err == nil {
		t.Error("no from accepted")
	}
}

// TestOutcomeDelay checks that a delayed outcome is neither reported nor retrievable before
// its delay has passed on the emulator's clock, and is both once it has.
func TestOutcomeDelay(t *testing.T) {
	a := newApp(t)
	clock := emulator.NewManualClock(time.Now())
	srv := newServer(t, &acstest.Options{EventGridURL: a.url(), Clock: clock})
	srv.SetOutcomeDelay(recipient, sms.StatusDelivered, "", time.Minute)
	it := sendOne(t, srv, recipient, "", "", true)
	require.NoError(t, clock.WaitSleepers(ctxT(t), 1), "the emulator never waited for the outcome")

	report := func() apiResponse {
		return roundTrip(t, signed(t, "GET", srv.URL+"/deliveryReports/"+it.MessageID+"?api-version=2026-01-23", nil, srv.AccessKey(), clock.Now()))
	}
	require.Equal(t, http.StatusNotFound, report().Status, "report before its time")
	require.Empty(t, a.notifications(), "event before its time")

	clock.Advance(time.Minute)
	require.NoError(t, srv.WaitCallbacks(ctxT(t)))
	require.Len(t, a.notifications(), 1)
	require.Equal(t, http.StatusOK, report().Status)
}

func TestResetForgetsEverything(t *testing.T) {
	a := newApp(t)
	srv := newServer(t, &acstest.Options{EventGridURL: a.url()})
	sendOne(t, srv, recipient, "1f8fad5b-d9cb-469f-a165-70867728950e", "", true)
	srv.SetRecipientFailure("+14155550150", 503, -1)
	if err := srv.WaitCallbacks(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	srv.Reset()
	if srv.Accepted() != 0 || len(srv.Events()) != 0 || len(srv.Handshakes()) != 0 || srv.Requests() != 0 ||
		srv.ValidationState() != acstest.ValidationPending || len(srv.Deliveries()) != 0 {
		t.Fatalf("after Reset: %d messages, %d events, state %s", srv.Accepted(), len(srv.Events()), srv.ValidationState())
	}
	if it := sendOne(t, srv, "+14155550150", "", "", true); !it.Successful {
		t.Errorf("recipient failure survived Reset: %+v", it)
	}
	// The repeatability id is forgotten too: a new message.
	sendOne(t, srv, recipient, "1f8fad5b-d9cb-469f-a165-70867728950e", "", true)
	if srv.Accepted() != 2 {
		t.Errorf("%d messages", srv.Accepted())
	}
	if err := srv.WaitCallbacks(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if h := srv.Handshakes(); len(h) != 1 {
		t.Errorf("%d handshakes after Reset, want a new one", len(h))
	}
}

func TestCloseStopsDeliveries(t *testing.T) {
	a := newApp(t)
	a.statuses = slices.Repeat([]int{503}, 100)
	srv := acstest.NewServer(&acstest.Options{EventGridURL: a.url(), RetryWait: 50 * time.Millisecond})
	sendOne(t, srv, recipient, "", "", true)
	for deadline := time.Now().Add(30 * time.Second); len(a.notifications()) == 0; time.Sleep(time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "no delivery attempt within 10s")
	}
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung on a retrying delivery")
	}
}

// TestHandshakeFailureHidesToken checks that a handshake nobody answered is explained
// without the subscription's token, in the record and in Validate's error.
func TestHandshakeFailureHidesToken(t *testing.T) {
	const token = "s3cretT0ken"
	refused := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		},
	}}
	srv := newServer(t, &acstest.Options{EventGridURL: "http://127.0.0.1:9/acs/events?token=" + token, CallbackClient: refused})
	err := srv.Validate(ctxT(t))
	require.Error(t, err)
	require.NotContains(t, err.Error(), token)
	hs := srv.Handshakes()
	require.Len(t, hs, 1)
	require.NotContains(t, hs[0].Reason, token)
	require.Contains(t, hs[0].Reason, "connection refused")
}

// requireFailed asserts that err is an *emulator.DeliveryError naming n deliveries.
func requireFailed(t *testing.T, err error, n int) *emulator.DeliveryError {
	t.Helper()
	var de *emulator.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Deliveries, n, "%v", err)
	return de
}

func TestSendInboundReportsARefusedDelivery(t *testing.T) {
	a := newApp(t)
	a.statuses = []int{http.StatusUnauthorized}
	srv := newServer(t, &acstest.Options{EventGridURL: a.url()})
	ev, err := srv.SendInbound(ctxT(t), recipient, sender, "hi")
	de := requireFailed(t, err, 1)
	require.Equal(t, emulator.StateDropped, de.Deliveries[0].State)
	require.Contains(t, err.Error(), "answered 401")
	require.NotContains(t, err.Error(), "s3cret", "the webhook token is redacted")
	require.Contains(t, string(de.Deliveries[0].Body), ev.ID)
	require.Equal(t, acstest.ValidationValidated, srv.ValidationState(), "the handshake succeeded")
	require.NoError(t, srv.WaitCallbacks(ctxT(t)), "SendInbound reported it")

	_, err = srv.SendInbound(ctxT(t), recipient, sender, "again")
	require.NoError(t, err, "the next delivery is acknowledged")
}

func TestConsentStopThenStart(t *testing.T) {
	a := newApp(t)
	srv := newServer(t, &acstest.Options{EventGridURL: a.url()})
	_, err := srv.SendInbound(ctxT(t), recipient, sender, "Stop")
	require.NoError(t, err)
	require.Equal(t, []emulator.OptOut{{From: sender, To: recipient}}, srv.OptOuts())

	it := sendOne(t, srv, recipient, "", "", true)
	require.NoError(t, srv.WaitCallbacks(ctxT(t)))
	m := srv.Messages()[len(srv.Messages())-1]
	require.Equal(t, it.MessageID, m.MessageID, "ACS accepts the send")
	require.Equal(t, "Failed", m.DeliveryStatus)
	require.Equal(t, "4007: "+acstest.OptedOutDetails, m.DeliveryStatusDetails)

	_, err = srv.SendInbound(ctxT(t), recipient, sender, "UNSTOP")
	require.NoError(t, err)
	require.Empty(t, srv.OptOuts())
	sendOne(t, srv, recipient, "", "", true)
	require.NoError(t, srv.WaitCallbacks(ctxT(t)))
	require.Equal(t, "Delivered", srv.Messages()[len(srv.Messages())-1].DeliveryStatus)
}

func TestPushDeliveryReport(t *testing.T) {
	a := newApp(t)
	srv := newServer(t, &acstest.Options{EventGridURL: a.url()})
	srv.SetOutcome(recipient, sms.StatusSent, "") // not final: no report of its own
	it := sendOne(t, srv, recipient, "", "", true)
	require.NoError(t, srv.WaitCallbacks(ctxT(t)))
	require.Empty(t, a.notifications())

	require.NoError(t, srv.PushDeliveryReport(it.MessageID, sms.StatusUndelivered, "4004"))
	require.NoError(t, srv.WaitCallbacks(ctxT(t)))
	require.Len(t, a.notifications(), 1)
	require.Contains(t, string(a.notifications()[0].Body), "4004: ")
	m := srv.Messages()[0]
	require.Equal(t, "Failed", m.DeliveryStatus)

	require.Error(t, srv.PushDeliveryReport(it.MessageID, sms.StatusSent, ""), "ACS reports only final statuses")
	require.Error(t, srv.PushDeliveryReport("Outgoing_nope", sms.StatusDelivered, ""))
}
