package twiliotest_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// wantReports checks that events are the delivery reports of sid, in order, with the given
// statuses and error codes, each with the reference and a distinct id.
func wantReports(t *testing.T, events []sms.Event, sid, ref string, statuses []sms.Status, codes []string) {
	t.Helper()
	if len(events) != len(statuses) {
		t.Fatalf("%d events, want %d: %+v", len(events), len(statuses), events)
	}
	ids := map[string]bool{}
	for i, ev := range events {
		if ev.Type != sms.EventDeliveryReport || ev.Provider != "twilio" || ev.MessageID != sid || ev.Status != statuses[i] ||
			ev.ErrorCode != codes[i] || ev.Reference != ref || ev.From != sender || ev.To == "" {
			t.Errorf("event %d: %+v, want report %v (%q) for %s ref %q", i, ev, statuses[i], codes[i], sid, ref)
		}
		if ev.ID == "" || ids[ev.ID] {
			t.Errorf("event %d: id %q empty or repeated", i, ev.ID)
		}
		ids[ev.ID] = true
	}
}

func TestStatusCallbacksEndToEnd(t *testing.T) {
	srv := newServer(t, nil)
	a := newApp(t, srv, nil)

	t.Run("delivered", func(t *testing.T) {
		sid := a.send(t, recipient, "order-42")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), sid, "order-42", []sms.Status{sms.StatusSent, sms.StatusDelivered}, []string{"", ""})
	})
	t.Run("undelivered", func(t *testing.T) {
		to := "+14155550111"
		srv.SetOutcome(to, sms.StatusUndelivered, "30003")
		sid := a.send(t, to, "order-43")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		evs := a.sink.take()
		wantReports(t, evs, sid, "order-43", []sms.Status{sms.StatusSent, sms.StatusUndelivered}, []string{"", "30003"})
		if evs[1].ErrorDescription == "" || evs[1].RawStatus != "undelivered" {
			t.Errorf("undelivered event %+v", evs[1])
		}
	})
	t.Run("failed", func(t *testing.T) {
		to := "+14155550112"
		srv.SetOutcome(to, sms.StatusFailed, "30007")
		sid := a.send(t, to, "order-44")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), sid, "order-44", []sms.Status{sms.StatusFailed}, []string{"30007"})
	})
	t.Run("failed without a code", func(t *testing.T) {
		to := "+14155550113"
		srv.SetOutcome(to, sms.StatusFailed, "")
		sid := a.send(t, to, "")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), sid, "", []sms.Status{sms.StatusFailed}, []string{"30008"})
	})
	t.Run("sent is final", func(t *testing.T) {
		to := "+14155550114"
		srv.SetOutcome(to, sms.StatusSent, "")
		sid := a.send(t, to, "r")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), sid, "r", []sms.Status{sms.StatusSent}, []string{""})
	})
	t.Run("queued gets no callback", func(t *testing.T) {
		to := "+14155550115"
		srv.SetOutcome(to, sms.StatusQueued, "")
		sid := a.send(t, to, "r")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if evs := a.sink.take(); len(evs) != 0 {
			t.Fatalf("Twilio sends no callback for the initial status; got %+v", evs)
		}
		if st, err := a.p.FetchStatus(ctxT(t), sid); err != nil || st != sms.StatusQueued {
			t.Fatalf("status %v %v, want queued", st, err)
		}
	})

	for _, d := range srv.Deliveries() {
		if d.State != emulator.StateDelivered || d.StatusCode != 200 || len(d.Attempts) != 1 {
			t.Errorf("delivery %d to %s: %s %d after %d attempts", d.ID, d.URL, d.State, d.StatusCode, len(d.Attempts))
		}
		if strings.Contains(d.URL, "#") || !strings.HasPrefix(d.URL, a.srv.URL+"/status") {
			t.Errorf("delivery URL %q", d.URL)
		}
	}
}

// TestCallbackSignatures checks the signatures of the callbacks the emulator sent with
// twilio.Verifier: they cover the URL with its port and query string (the reference).
func TestCallbackSignatures(t *testing.T) {
	srv := newServer(t, nil)
	a := newApp(t, srv, nil)
	a.send(t, recipient, "ref with spaces & symbols")
	if err := srv.WaitCallbacks(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	ds := srv.Deliveries()
	if len(ds) != 2 {
		t.Fatalf("%d deliveries, want 2", len(ds))
	}
	good, err := twilio.NewVerifier(a.srv.URL, sms.NewSecret(srv.AuthToken()))
	if err != nil {
		t.Fatal(err)
	}
	other, err := twilio.NewVerifier(a.srv.URL, sms.NewSecret(badToken))
	if err != nil {
		t.Fatal(err)
	}
	wrongPort, err := twilio.NewVerifier("http://127.0.0.1:1", sms.NewSecret(srv.AuthToken()))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Fatal(err)
		}
		if u.Port() == "" || u.Query().Get(twilio.ReferenceParam) != "ref with spaces & symbols" {
			t.Fatalf("callback URL %q lacks a port or the reference", d.URL)
		}
		if d.Header.Get(twilio.IdempotencyHeader) == "" || d.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("headers %v", d.Header)
		}
		req := func(body []byte) *http.Request {
			r := httptest.NewRequest(http.MethodPost, d.URL, bytes.NewReader(body))
			r.RequestURI = u.RequestURI()
			r.Header = d.Header.Clone()
			return r
		}
		if err := good.Verify(req(d.Body), d.Body); err != nil {
			t.Errorf("delivery %d: %v", d.ID, err)
		}
		if err := other.Verify(req(d.Body), d.Body); err == nil {
			t.Errorf("delivery %d verifies with another token", d.ID)
		}
		if err := wrongPort.Verify(req(d.Body), d.Body); err == nil {
			t.Errorf("delivery %d verifies for another port", d.ID)
		}
		forged := bytes.Replace(d.Body, []byte("MessageStatus="), []byte("MessageStatus=x"), 1)
		if err := good.Verify(req(forged), forged); err == nil {
			t.Errorf("delivery %d verifies with a changed body", d.ID)
		}
	}
	// The application accepted both, so its handler verified them too.
	if n := len(a.sink.take()); n != 2 {
		t.Fatalf("sink got %d events, want 2", n)
	}
}

func TestCallbackRetriesFollowConnectionOverrides(t *testing.T) {
	attempts := func(ds []emulator.Delivery) []int {
		var n []int
		for _, d := range ds {
			n = append(n, len(d.Attempts))
		}
		return n
	}
	t.Run("no overrides: no retry", func(t *testing.T) {
		srv := newServer(t, &twiliotest.Options{CallbackWait: time.Millisecond})
		a := newApp(t, srv, nil)
		a.sink.setFail(-1)
		a.send(t, recipient, "r")
		requireFailed(t, srv.WaitCallbacks(ctxT(t)), 2)
		require.NoError(t, srv.WaitCallbacks(ctxT(t)), "a failure is reported once")
		ds := srv.Deliveries()
		if !slices.Equal(attempts(ds), []int{1, 1}) {
			t.Fatalf("attempts %v, want one per callback", attempts(ds))
		}
		for _, d := range ds {
			if d.State == emulator.StateDelivered || d.StatusCode != http.StatusInternalServerError {
				t.Errorf("delivery %d: %s %d", d.ID, d.State, d.StatusCode)
			}
		}
	})
	t.Run("rc=2: two retries", func(t *testing.T) {
		srv := newServer(t, &twiliotest.Options{CallbackWait: time.Millisecond})
		a := newApp(t, srv, func(c *twilio.Config) { c.ConnectionOverrides = "rc=2" })
		a.sink.setFail(-1)
		a.send(t, recipient, "r")
		requireFailed(t, srv.WaitCallbacks(ctxT(t)), 2)
		require.NoError(t, srv.WaitCallbacks(ctxT(t)), "a failure is reported once")
		ds := srv.Deliveries()
		if !slices.Equal(attempts(ds), []int{3, 3}) {
			t.Fatalf("attempts %v, want 3 per callback", attempts(ds))
		}
		for _, d := range ds {
			if d.State == emulator.StateDelivered || strings.Contains(d.URL, "#") {
				t.Errorf("delivery %d to %q: %s", d.ID, d.URL, d.State)
			}
			for _, at := range d.Attempts {
				if at.StatusCode != http.StatusInternalServerError {
					t.Errorf("attempt answered %d", at.StatusCode)
				}
			}
		}
		a.sink.mu.Lock()
		calls := a.sink.calls
		a.sink.mu.Unlock()
		if calls != 6 {
			t.Errorf("sink called %d times, want 6", calls)
		}
	})
	t.Run("rc=2: recovers", func(t *testing.T) {
		srv := newServer(t, &twiliotest.Options{CallbackWait: time.Millisecond})
		a := newApp(t, srv, func(c *twilio.Config) { c.ConnectionOverrides = "rc=2" })
		a.sink.setFail(1) // the first request fails once
		sid := a.send(t, recipient, "r")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		ds := srv.Deliveries()
		if !slices.Equal(attempts(ds), []int{2, 1}) || ds[0].State != emulator.StateDelivered || ds[1].State != emulator.StateDelivered {
			t.Fatalf("attempts %v states %v %v", attempts(ds), ds[0].State, ds[1].State)
		}
		// A retry carries the same idempotency token; the sink saw each report once, in order.
		wantReports(t, a.sink.take(), sid, "r", []sms.Status{sms.StatusSent, sms.StatusDelivered}, []string{"", ""})
	})
	t.Run("CallbackRetries option", func(t *testing.T) {
		srv := newServer(t, &twiliotest.Options{CallbackWait: time.Millisecond, CallbackRetries: 1})
		a := newApp(t, srv, nil)
		a.sink.setFail(-1)
		a.send(t, recipient, "r")
		requireFailed(t, srv.WaitCallbacks(ctxT(t)), 2)
		require.NoError(t, srv.WaitCallbacks(ctxT(t)), "a failure is reported once")
		if got := attempts(srv.Deliveries()); !slices.Equal(got, []int{2, 2}) {
			t.Fatalf("attempts %v, want 2 per callback", got)
		}
	})
}

// responseRecorder is a CallbackClient transport that keeps the answers' headers.
type responseRecorder struct {
	mu      sync.Mutex
	headers []http.Header
}

func (rr *responseRecorder) client() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if h := r.URL.Hostname(); h != "127.0.0.1" {
			return nil, errors.New("not a loopback callback: " + h)
		}
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			rr.mu.Lock()
			rr.headers = append(rr.headers, resp.Header.Clone())
			rr.mu.Unlock()
		}
		return resp, err
	})}
}

func TestInbound(t *testing.T) {
	rr := &responseRecorder{}
	srv := newServer(t, &twiliotest.Options{CallbackClient: rr.client()})
	a := newApp(t, srv, nil)

	if _, err := srv.SendInbound(ctxT(t), recipient, sender, "hi"); err == nil {
		t.Fatal("SendInbound without an inbound URL succeeded")
	}
	srv.SetInboundURL(a.srv.URL + "/inbound")

	t.Run("STOP", func(t *testing.T) {
		d, err := srv.SendInbound(ctxT(t), recipient, sender, "STOP")
		if err != nil {
			t.Fatal(err)
		}
		if d.State != emulator.StateDelivered || d.StatusCode != 200 || len(d.Attempts) != 1 {
			t.Fatalf("delivery %s %d after %d attempts", d.State, d.StatusCode, len(d.Attempts))
		}
		var twiml struct {
			XMLName xml.Name
			Inner   string `xml:",innerxml"`
		}
		if err := xml.Unmarshal(d.ResponseBody, &twiml); err != nil || twiml.XMLName.Local != "Response" || strings.TrimSpace(twiml.Inner) != "" {
			t.Fatalf("answer %q is not empty TwiML (%v)", d.ResponseBody, err)
		}
		rr.mu.Lock()
		ct := rr.headers[len(rr.headers)-1].Get("Content-Type")
		rr.mu.Unlock()
		if !strings.HasPrefix(ct, "text/xml") {
			t.Fatalf("answer Content-Type %q, want text/xml", ct)
		}
		evs := a.sink.take()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		ev := evs[0]
		if ev.Type != sms.EventOptOut || ev.Keyword != "STOP" || ev.From != recipient || ev.To != sender || ev.Body != "STOP" ||
			ev.Provider != "twilio" || !smsSID.MatchString(ev.MessageID) || ev.ID == "" || ev.Scope != sms.ScopeSender || ev.ScopeID != sender {
			t.Fatalf("event %+v", ev)
		}
	})
	t.Run("media", func(t *testing.T) {
		media := []string{"https://media.example.com/cat.jpg", "https://media.example.com/dog.jpg"}
		if _, err := srv.SendInbound(ctxT(t), recipient, sender, "look", media...); err != nil {
			t.Fatal(err)
		}
		evs := a.sink.take()
		if len(evs) != 1 || evs[0].Type != sms.EventInbound || evs[0].Body != "look" || !slices.Equal(evs[0].MediaURLs, media) {
			t.Fatalf("events %+v", evs)
		}
	})
	t.Run("signed for the inbound URL", func(t *testing.T) {
		d, err := srv.SendInbound(ctxT(t), recipient, sender, "hello")
		if err != nil {
			t.Fatal(err)
		}
		v, _ := twilio.NewVerifier(a.srv.URL, sms.NewSecret(srv.AuthToken()))
		r := httptest.NewRequest(http.MethodPost, d.URL, bytes.NewReader(d.Body))
		r.RequestURI = "/inbound"
		r.Header = d.Header.Clone()
		if err := v.Verify(r, d.Body); err != nil {
			t.Fatal(err)
		}
		a.sink.take()
	})
	t.Run("a failing application is not retried", func(t *testing.T) {
		a.sink.setFail(-1)
		defer a.sink.setFail(0)
		d, err := srv.SendInbound(ctxT(t), recipient, sender, "hi")
		de := requireFailed(t, err, 1)
		require.Equal(t, d.ID, de.Deliveries[0].ID)
		require.Contains(t, err.Error(), "answered 500")
		require.NoError(t, srv.WaitCallbacks(ctxT(t)), "SendInbound reported it")
		if d.StatusCode != 500 || len(d.Attempts) != 1 || d.State == emulator.StateDelivered {
			t.Fatalf("delivery %s %d after %d attempts, want one failed attempt", d.State, d.StatusCode, len(d.Attempts))
		}
	})
	t.Run("rc on the inbound URL", func(t *testing.T) {
		srv.SetInboundURL(a.srv.URL + "/inbound#rc=1")
		a.sink.setFail(1)
		d, err := srv.SendInbound(ctxT(t), recipient, sender, "hi again")
		if err != nil {
			t.Fatal(err)
		}
		if d.State != emulator.StateDelivered || len(d.Attempts) != 2 || strings.Contains(d.URL, "#") {
			t.Fatalf("delivery to %q: %s after %d attempts", d.URL, d.State, len(d.Attempts))
		}
	})
	t.Run("unparseable inbound URL", func(t *testing.T) {
		srv.SetInboundURL("http://[::1")
		if _, err := srv.SendInbound(ctxT(t), recipient, sender, "hi"); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestRequestBuilders(t *testing.T) {
	srv := newServer(t, nil)
	a := newApp(t, srv, nil)
	req := srv.StatusCallbackRequest(a.srv.URL+"/status?"+twilio.ReferenceParam+"=r1", "SM00000000000000000000000000000001", recipient, "delivered", "")
	rec := httptest.NewRecorder()
	a.srv.Config.Handler.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status callback answered %d: %s", rec.Code, rec.Body)
	}
	req = srv.InboundRequest(a.srv.URL+"/inbound", recipient, sender, "HELP")
	rec = httptest.NewRecorder()
	a.srv.Config.Handler.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") {
		t.Fatalf("inbound answered %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	evs := a.sink.take()
	if len(evs) != 2 || evs[0].Status != sms.StatusDelivered || evs[0].Reference != "r1" || evs[1].Type != sms.EventHelp {
		t.Fatalf("events %+v", evs)
	}
	defer func() {
		if recover() == nil {
			t.Error("a bad URL did not panic")
		}
	}()
	srv.InboundRequest("http://[::1", recipient, sender, "x")
}

func TestFetchAndList(t *testing.T) {
	t.Run("status follows the reports", func(t *testing.T) {
		srv := newServer(t, nil)
		a := newApp(t, srv, nil)
		var mu sync.Mutex
		var seen []sms.Status
		a.sink.mu.Lock()
		a.sink.onEv = func(ev sms.Event) {
			// What the application reads back while handling each report.
			st, err := a.p.FetchStatus(t.Context(), ev.MessageID)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			seen = append(seen, st)
			mu.Unlock()
		}
		a.sink.mu.Unlock()
		sid := a.send(t, recipient, "r")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(seen, []sms.Status{sms.StatusSent, sms.StatusDelivered}) {
			t.Fatalf("statuses read while handling the reports: %v, want sent then delivered", seen)
		}
		if st, err := a.p.FetchStatus(ctxT(t), sid); err != nil || st != sms.StatusDelivered {
			t.Fatalf("after callbacks: %v %v", st, err)
		}
		if m := srv.Messages()[0]; m.Status != "delivered" || m.ErrorCode != "" {
			t.Fatalf("message %+v", m)
		}
	})
	t.Run("queued until reported", func(t *testing.T) {
		srv := newServer(t, &twiliotest.Options{SentDelay: time.Hour})
		a := newApp(t, srv, nil)
		sid := a.send(t, recipient, "r")
		if st, err := a.p.FetchStatus(ctxT(t), sid); err != nil || st != sms.StatusQueued {
			t.Fatalf("before any report: %v %v, want queued", st, err)
		}
		if m := srv.Messages()[0]; m.Status != "queued" {
			t.Fatalf("message %+v", m)
		}
	})
	t.Run("undelivered with its code", func(t *testing.T) {
		srv := newServer(t, nil)
		a := newApp(t, srv, nil)
		srv.SetOutcome(recipient, sms.StatusUndelivered, "30003")
		sid := a.send(t, recipient, "r")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		m, err := a.p.FetchMessage(ctxT(t), sid)
		if err != nil || m.Status != "undelivered" || m.ErrorCode != "30003" || m.SID != sid || m.To != recipient || m.From != sender || m.Segments != 1 || m.Created.IsZero() {
			t.Fatalf("%+v %v", m, err)
		}
	})
	t.Run("without a status callback", func(t *testing.T) {
		srv := newServer(t, nil)
		p := newProvider(t, srv, nil)
		res, err := sms.NewClient(p, nil).Send(ctxT(t), message(recipient))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := p.FetchStatus(ctxT(t), res[0].MessageID); err != nil || st != sms.StatusDelivered {
			t.Fatalf("%v %v, want delivered at once", st, err)
		}
		if len(srv.Deliveries()) != 0 {
			t.Fatalf("callbacks without a callback URL: %+v", srv.Deliveries())
		}
		slow := newServer(t, &twiliotest.Options{SentDelay: time.Hour})
		p = newProvider(t, slow, nil)
		res, err = sms.NewClient(p, nil).Send(ctxT(t), message(recipient))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := p.FetchStatus(ctxT(t), res[0].MessageID); err != nil || st != sms.StatusQueued {
			t.Fatalf("%v %v, want queued for an hour", st, err)
		}
	})
	t.Run("account-level status callback", func(t *testing.T) {
		srv := newServer(t, nil)
		a := newApp(t, srv, func(c *twilio.Config) { c.StatusCallback = "" })
		srv.SetStatusCallback(a.srv.URL + "/status")
		sid := a.send(t, recipient, "")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), sid, "", []sms.Status{sms.StatusSent, sms.StatusDelivered}, []string{"", ""})
	})
	t.Run("unknown SID", func(t *testing.T) {
		srv := newServer(t, nil)
		p := newProvider(t, srv, nil)
		_, err := p.FetchStatus(ctxT(t), "SM0123456789abcdef0123456789abcdef")
		var e *sms.Error
		if !errors.As(err, &e) || e.Code != sms.CodeNotFound || e.VendorCode != "20404" || !errors.Is(err, sms.ErrNotFound) {
			t.Fatalf("want NotFound 20404, got %v", err)
		}
	})
	t.Run("find", func(t *testing.T) {
		srv := newServer(t, nil)
		a := newApp(t, srv, nil)
		first := a.send(t, recipient, "")
		a.send(t, "+14155550199", "")
		second := a.send(t, recipient, "")
		got, err := a.p.FindMessages(ctxT(t), twilio.MessageFilter{To: recipient})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].SID != second || got[1].SID != first || got[0].To != recipient || got[0].From != sender {
			t.Fatalf("found %+v, want %s then %s", got, second, first)
		}
		if got, err := a.p.FindMessages(ctxT(t), twilio.MessageFilter{To: recipient, From: "+15005550007"}); err != nil || len(got) != 0 {
			t.Fatalf("filter by From: %+v %v", got, err)
		}
		if got, err := a.p.FindMessages(ctxT(t), twilio.MessageFilter{To: "+14155550999", CreatedSince: time.Now().Add(-time.Hour)}); err != nil || len(got) != 0 {
			t.Fatalf("another recipient: %+v %v", got, err)
		}
	})
}

func TestFaults(t *testing.T) {
	t.Run("429 is retried after Retry-After", func(t *testing.T) {
		srv := newServer(t, nil)
		p := newProvider(t, srv, nil)
		clock := &smstest.FakeClock{}
		c := sms.NewClient(p, &sms.ClientOptions{Clock: clock})
		srv.Arm(twiliotest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second})
		res, err := c.Send(ctxT(t), message(recipient))
		if err != nil || !res[0].OK() || res[0].Attempts != 2 {
			t.Fatalf("%v %+v, want success on the second attempt", err, res)
		}
		if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
			t.Fatalf("client waited %v, want [7s]", got)
		}
		if srv.Requests() != 2 || len(srv.Messages()) != 1 {
			t.Fatalf("%d requests, %d messages; want 2 and 1", srv.Requests(), len(srv.Messages()))
		}
		if f := srv.RecordedRequests()[0].Fault; f != "status 429" {
			t.Fatalf("first request fault %q", f)
		}
	})
	t.Run("429 body and header", func(t *testing.T) {
		srv := newServer(t, nil)
		srv.Arm(twiliotest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1500 * time.Millisecond})
		r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}})
		if r.Header.Get("Retry-After") != "2" {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if r.Status != 429 || r.JSON["code"] != float64(20429) || r.JSON["status"] != float64(429) {
			t.Fatalf("%d %v", r.Status, r.JSON)
		}
		if len(srv.Messages()) != 0 {
			t.Fatal("a 429 accepted the message")
		}
		if r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}}); r.Status != 201 {
			t.Fatalf("the fault applied twice: %d", r.Status)
		}
	})
	t.Run("reset after processing is OutcomeUnknown", func(t *testing.T) {
		srv := newServer(t, nil)
		p := newProvider(t, srv, nil)
		clock := &smstest.FakeClock{}
		c := sms.NewClient(p, &sms.ClientOptions{Clock: clock})
		srv.Arm(twiliotest.Fault{Reset: true})
		res, err := c.Send(ctxT(t), message(recipient))
		if err == nil && len(res) == 1 {
			err = res[0].Err
		}
		if sms.ErrorCode(err) != sms.CodeOutcomeUnknown || !errors.Is(err, sms.ErrOutcomeUnknown) || sms.IsNotAccepted(err) {
			t.Fatalf("want OutcomeUnknown, got %v", err)
		}
		if len(srv.Messages()) != 1 || srv.Requests() != 1 || len(clock.Sleeps()) != 0 {
			t.Fatalf("%d messages, %d requests, sleeps %v; want exactly one message and no retry",
				len(srv.Messages()), srv.Requests(), clock.Sleeps())
		}
		// Reconciling finds the message the failed request created.
		found, err := p.FindMessages(ctxT(t), twilio.MessageFilter{To: recipient})
		if err != nil || len(found) != 1 || found[0].SID != srv.Messages()[0].SID {
			t.Fatalf("reconcile: %+v %v", found, err)
		}
	})
	t.Run("5xx with a Twilio body", func(t *testing.T) {
		srv := newServer(t, nil)
		srv.Arm(twiliotest.Fault{Status: http.StatusServiceUnavailable})
		r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}})
		if r.Status != 503 || r.JSON["code"] != float64(20500) {
			t.Fatalf("%d %v", r.Status, r.JSON)
		}
	})
	t.Run("times", func(t *testing.T) {
		srv := newServer(t, nil)
		srv.Arm(twiliotest.Fault{Status: http.StatusTooManyRequests, Code: 20429, Times: 2})
		for i, want := range []int{429, 429, 201} {
			if r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}}); r.Status != want {
				t.Fatalf("request %d: %d, want %d", i, r.Status, want)
			}
		}
	})
	t.Run("reset clears everything", func(t *testing.T) {
		srv := newServer(t, nil)
		a := newApp(t, srv, nil)
		srv.SetOutcome(recipient, sms.StatusFailed, "30003")
		a.send(t, recipient, "")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		srv.Arm(twiliotest.Fault{Status: 429})
		srv.Reset()
		if len(srv.Messages()) != 0 || srv.Requests() != 0 || len(srv.Deliveries()) != 0 {
			t.Fatalf("after Reset: %d messages, %d requests, %d deliveries", len(srv.Messages()), srv.Requests(), len(srv.Deliveries()))
		}
		a.sink.take()
		sid := a.send(t, recipient, "") // no fault, default outcome again
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), sid, "", []sms.Status{sms.StatusSent, sms.StatusDelivered}, []string{"", ""})
	})
}

// TestConcurrentSends runs sends, fetches and callbacks at once, for the race detector.
func TestConcurrentSends(t *testing.T) {
	srv := newServer(t, nil)
	a := newApp(t, srv, nil)
	const n = 20
	var wg sync.WaitGroup
	sids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			m := message(recipient)
			res, err := a.c.Send(ctxT(t), m)
			if err != nil || !res[0].OK() {
				t.Error(err, res)
				return
			}
			sids[i] = res[0].MessageID
			if _, err := a.p.FetchStatus(ctxT(t), sids[i]); err != nil {
				t.Error(err)
			}
			_ = srv.Messages()
		})
	}
	wg.Wait()
	if err := srv.WaitCallbacks(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	evs := a.sink.take()
	if len(evs) != 2*n || len(srv.Messages()) != n {
		t.Fatalf("%d events, %d messages", len(evs), len(srv.Messages()))
	}
	last := map[string]sms.Status{}
	for _, ev := range evs {
		if prev, ok := last[ev.MessageID]; ok && (prev != sms.StatusSent || ev.Status != sms.StatusDelivered) {
			t.Errorf("%s: %v after %v", ev.MessageID, ev.Status, prev)
		}
		last[ev.MessageID] = ev.Status
	}
	for _, m := range srv.Messages() {
		if m.Status != "delivered" {
			t.Errorf("%s: %s", m.SID, m.Status)
		}
	}
}

// requireFailed asserts that err is an *emulator.DeliveryError naming n deliveries.
func requireFailed(t *testing.T, err error, n int) *emulator.DeliveryError {
	t.Helper()
	var de *emulator.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Deliveries, n, "%v", err)
	return de
}

func TestSendInboundReportsAnUnauthorizedAnswer(t *testing.T) {
	const token = "hush-hush-token"
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid signature for "+r.URL.String()+"\nsecond line", http.StatusUnauthorized)
	}))
	t.Cleanup(app.Close)
	srv := newServer(t, &twiliotest.Options{InboundURL: app.URL + "/in?token=" + token})
	d, err := srv.SendInbound(ctxT(t), recipient, sender, "hi")
	requireFailed(t, err, 1)
	require.Equal(t, http.StatusUnauthorized, d.StatusCode)
	require.Contains(t, err.Error(), "answered 401 Unauthorized: invalid signature for")
	require.NotContains(t, err.Error(), "second line", "only the first line")
	require.NotContains(t, err.Error(), token)
	require.NotContains(t, d.String(), token)
}
