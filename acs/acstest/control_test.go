package acstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs/acstest"
)

func TestControlAPI(t *testing.T) {
	srv := newServer(t, nil)
	a := newApp(t)

	t.Run("config", func(t *testing.T) {
		if code, b := control(t, srv, "POST", "/config", `{"schema":"xml"}`); code != 400 {
			t.Fatalf("bad schema: %d %s", code, b)
		}
		if code, b := control(t, srv, "POST", "/config", `{"event_grid_url":"`+a.url()+`","schema":"eventgrid"}`); code != http.StatusNoContent {
			t.Fatalf("config: %d %s", code, b)
		}
		code, b := control(t, srv, "GET", "/config", "")
		var cfg struct {
			URL    string `json:"event_grid_url"`
			Schema string `json:"schema"`
			State  string `json:"validation_state"`
		}
		if code != 200 || json.Unmarshal(b, &cfg) != nil || cfg.URL != a.url() || cfg.Schema != "eventgrid" || cfg.State != "pending" {
			t.Fatalf("GET config: %d %s", code, b)
		}
		if code, b := control(t, srv, "POST", "/validate", ""); code != 200 || !strings.Contains(string(b), "validated") {
			t.Fatalf("validate: %d %s", code, b)
		}
	})

	t.Run("messages and outcomes", func(t *testing.T) {
		if code, b := control(t, srv, "POST", "/outcomes", `{"to":"+14155550111","status":"failed","error_code":"4007"}`); code != 200 {
			t.Fatalf("outcomes: %d %s", code, b)
		}
		it := sendOne(t, srv, "+14155550111", "", "ref", true)
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		code, b := control(t, srv, "GET", "/messages", "")
		var msgs []map[string]any
		if code != 200 || json.Unmarshal(b, &msgs) != nil || len(msgs) != 1 || msgs[0]["messageId"] != it.MessageID ||
			msgs[0]["to"] != "+14155550111" || msgs[0]["deliveryStatus"] != "Failed" ||
			msgs[0]["deliveryStatusDetails"] != "4007: Destination opted out" || msgs[0]["request"] == "" {
			t.Fatalf("messages: %d %s", code, b)
		}
		code, b = control(t, srv, "GET", "/events", "")
		if code != 200 || !strings.Contains(string(b), it.MessageID) {
			t.Fatalf("events: %d %s", code, b)
		}
	})

	t.Run("inbound", func(t *testing.T) {
		if code, b := control(t, srv, "POST", "/inbound", `{"from":"","to":"+1"}`); code != 400 {
			t.Fatalf("no from: %d %s", code, b)
		}
		code, b := control(t, srv, "POST", "/inbound", `{"from":"+14155550100","to":"+14155550199","body":"HELP"}`)
		var ev struct {
			ID   string `json:"id"`
			Type string `json:"type"`
			Data struct {
				Message string `json:"message"`
			} `json:"data"`
		}
		if code != 200 || json.Unmarshal(b, &ev) != nil || !incomingID.MatchString(ev.ID) || ev.Type != acstest.EventTypeReceived || ev.Data.Message != "HELP" {
			t.Fatalf("inbound: %d %s", code, b)
		}
		ns := a.notifications()
		if !strings.Contains(string(ns[len(ns)-1].Body), ev.ID) {
			t.Error("the inbound event did not reach the app")
		}
	})

	t.Run("recipient failures", func(t *testing.T) {
		for _, body := range []string{`{"status":503}`, `{"to":"+14155550160","status":42}`, `{"to":"+1","nope":1}`} {
			if code, b := control(t, srv, "POST", "/recipient-failures", body); code != 400 {
				t.Errorf("%s: %d %s", body, code, b)
			}
		}
		if code, b := control(t, srv, "POST", "/recipient-failures", `{"to":"+14155550160","status":503,"times":1}`); code != http.StatusNoContent {
			t.Fatalf("%d %s", code, b)
		}
		if it := sendOne(t, srv, "+14155550160", "", "", false); it.HTTPStatusCode != 503 {
			t.Fatalf("%+v", it)
		}
		control(t, srv, "POST", "/recipient-failures", `{"to":"+14155550160","status":500,"times":-1}`)
		if code, _ := control(t, srv, "DELETE", "/recipient-failures", ""); code != http.StatusNoContent {
			t.Fatal(code)
		}
		if it := sendOne(t, srv, "+14155550160", "", "", false); !it.Successful {
			t.Fatalf("%+v", it)
		}
	})

	t.Run("faults get Azure's body", func(t *testing.T) {
		if code, b := control(t, srv, "POST", "/faults", `{"status":429,"retry_after":"3s","path":"/sms"}`); code != http.StatusCreated {
			t.Fatalf("%d %s", code, b)
		}
		res := send(t, srv, `{}`)
		e, _ := res.JSON["error"].(map[string]any)
		if res.Status != 429 || e["code"] != "TooManyRequests" || res.Header.Get("Retry-After") != "3" {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		if code, _ := control(t, srv, "POST", "/faults", `{"status":"x"}`); code != 400 {
			t.Errorf("bad fault: %d", code)
		}
	})

	t.Run("flush and reset", func(t *testing.T) {
		if code, _ := control(t, srv, "POST", "/flush", ""); code != http.StatusNoContent {
			t.Fatal(code)
		}
		if code, _ := control(t, srv, "POST", "/reset", ""); code != http.StatusNoContent {
			t.Fatal(code)
		}
		if srv.Accepted() != 0 || srv.Requests() != 0 {
			t.Errorf("after reset: %d messages, %d requests", srv.Accepted(), srv.Requests())
		}
		if code, b := control(t, srv, "GET", "/messages", ""); code != 200 || strings.TrimSpace(string(b)) != "[]" {
			t.Errorf("messages after reset: %s", b)
		}
	})

	t.Run("validate without a subscription", func(t *testing.T) {
		plain := newServer(t, nil)
		if code, b := control(t, plain, "POST", "/validate", ""); code != http.StatusConflict {
			t.Errorf("%d %s", code, b)
		}
		if code, b := control(t, plain, "POST", "/inbound", `{"from":"+14155550100","to":"+14155550199","body":"x"}`); code != http.StatusConflict {
			t.Errorf("inbound without a subscription: %d %s", code, b)
		}
	})
}

// TestRequestBuilders checks the requests a conformance harness hands to a webhook handler.
func TestRequestBuilders(t *testing.T) {
	srv := newServer(t, nil)
	it := sendOne(t, srv, recipient, "", "ref-9", false)
	const target = "https://app.example.com/acs/events?token=s3cret#frag"

	serve := func(req *http.Request) (*http.Request, []byte) {
		var got *http.Request
		var body []byte
		rec := httptest.NewRecorder()
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r
			body, _ = io.ReadAll(r.Body)
		}).ServeHTTP(rec, req)
		return got, body
	}

	t.Run("delivery report", func(t *testing.T) {
		req := srv.DeliveryReportRequest(target, it.MessageID, recipient, sms.StatusUndelivered, "4004", "")
		r, body := serve(req)
		if r.Method != "POST" || r.RequestURI != "/acs/events?token=s3cret" || r.Host != "app.example.com" ||
			r.Header.Get("aeg-event-type") != "Notification" || r.Header.Get("aeg-delivery-count") != "0" ||
			r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("%s %s %v", r.Method, r.RequestURI, r.Header)
		}
		ev := egEvents(t, body)[0]
		d := ev["data"].(map[string]any)
		if ev["id"] != it.MessageID || d["deliveryStatus"] != "Failed" || d["deliveryStatusDetails"] != "4004: Destination number does not exist" ||
			d["tag"] != "ref-9" || d["from"] != sender || d["to"] != recipient {
			t.Errorf("%s", body)
		}
		sameKeys(t, "built report", keyPaths(ev, "", nil), wireKeys(t, "eventgrid-deliveryreport.json", 0))
	})
	t.Run("raw status", func(t *testing.T) {
		_, body := serve(srv.DeliveryReportRequest(target, "Outgoing_x", recipient, sms.StatusUnknown, "", "Pending"))
		d := egEvents(t, body)[0]["data"].(map[string]any)
		if d["deliveryStatus"] != "Pending" || d["deliveryStatusDetails"] != "9999: Unknown error" || d["from"] != "+14155550199" {
			t.Errorf("%s", body)
		}
	})
	t.Run("inbound", func(t *testing.T) {
		_, body := serve(srv.InboundRequest(target, recipient, sender, "STOP"))
		ev := egEvents(t, body)[0]
		if ev["eventType"] != acstest.EventTypeReceived || ev["data"].(map[string]any)["message"] != "STOP" {
			t.Errorf("%s", body)
		}
	})
	t.Run("batch", func(t *testing.T) {
		_, body := serve(srv.EventsRequest(target,
			srv.DeliveryReportEvent(it.MessageID, recipient, sms.StatusDelivered, "", ""),
			srv.InboundEvent(recipient, sender, "hi")))
		if evs := egEvents(t, body); len(evs) != 2 || evs[0]["eventType"] != acstest.EventTypeDeliveryReport || evs[1]["eventType"] != acstest.EventTypeReceived {
			t.Errorf("%s", body)
		}
	})
	t.Run("validation", func(t *testing.T) {
		req, code := srv.SubscriptionValidationRequest(target)
		r, body := serve(req)
		ev := egEvents(t, body)[0]
		if r.Header.Get("aeg-event-type") != "SubscriptionValidation" || ev["data"].(map[string]any)["validationCode"] != code || code == "" {
			t.Errorf("%v %s", r.Header, body)
		}
		opt, _ := serve(srv.AbuseProtectionRequest(target))
		if opt.Method != http.MethodOptions || opt.Header.Get("WebHook-Request-Origin") != acstest.DefaultRequestOrigin || opt.RequestURI != "/acs/events?token=s3cret" {
			t.Errorf("%s %v", opt.Method, opt.Header)
		}
	})
	t.Run("cloudevents", func(t *testing.T) {
		ce := newServer(t, &acstest.Options{Schema: acstest.SchemaCloudEvents})
		r, body := serve(ce.InboundRequest(target, recipient, sender, "hi"))
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil || obj["specversion"] != "1.0" || r.Header.Get("Content-Type") != "application/cloudevents+json; charset=utf-8" {
			t.Errorf("%v %s", err, body)
		}
		defer func() {
			if recover() == nil {
				t.Error("two CloudEvents without batching did not panic")
			}
		}()
		ce.EventsRequest(target, ce.InboundEvent(recipient, sender, "a"), ce.InboundEvent(recipient, sender, "b"))
	})
	t.Run("relative URL panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		srv.InboundRequest("/acs/events", recipient, sender, "x")
	})
	if n := len(srv.Events()); n != 0 {
		t.Errorf("builders published %d events", n)
	}
}
