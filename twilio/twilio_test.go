package twilio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "tok-abcdef0123456789abcdef01234567"
	testSvc   = "MG0123456789abcdef0123456789abcdef"
)

// capture is a fake Twilio answering 201 and recording each request's form.
func capture(t *testing.T) (*httptest.Server, *[]url.Values) {
	var forms []url.Values
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		forms = append(forms, r.PostForm)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued","num_segments":"2"}`, len(forms))
	}))
	t.Cleanup(ts.Close)
	return ts, &forms
}

func TestSendForm(t *testing.T) {
	ts, forms := capture(t)
	p, err := twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken),
		StatusCallback: "https://hooks.example.com/twilio/status?tenant=acme", ConnectionOverrides: "rc=3&rp=all"},
		&twilio.Options{BaseURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), &sms.Message{
		To: []string{"+14155550100"}, From: sms.Sender{Value: testSvc, Type: sms.SenderPool},
		Body: "Hello ✓ 1+1=2 & 50% off?", Reference: "order 42", Validity: 90 * time.Second,
		Options: []any{twilio.SendOptions{SmartEncoded: true, ShortenURLs: true, SendAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), ContentRetention: "discard"}},
	})
	if err != nil || !res[0].OK() {
		t.Fatal(err, res)
	}
	if res[0].Segments != 2 || res[0].Status != sms.StatusQueued {
		t.Fatalf("result %+v", res[0])
	}
	f := (*forms)[0]
	want := map[string]string{
		"To": "+14155550100", "MessagingServiceSid": testSvc, "Body": "Hello ✓ 1+1=2 & 50% off?", "ValidityPeriod": "90",
		"SmartEncoded": "true", "ShortenUrls": "true", "SendAt": "2026-12-01T09:00:00Z", "ScheduleType": "fixed",
		"ContentRetention": "discard",
		"StatusCallback":   "https://hooks.example.com/twilio/status?tenant=acme&smsbridge_ref=order+42#rc=3&rp=all",
	}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, f.Get(k), v)
		}
	}
	if f.Has("From") {
		t.Error("From must be omitted with a Messaging Service")
	}
}

func TestSendFormPerMessageCallbackAndSenders(t *testing.T) {
	ts, forms := capture(t)
	p, _ := twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken)}, &twilio.Options{BaseURL: ts.URL})
	c := sms.NewClient(p, nil)
	for _, from := range []sms.Sender{{Value: "+14155550199"}, {Value: "+18005550199"}, {Value: "384387"}, {Value: "Acme Co"}} {
		m := &sms.Message{To: []string{"+447911123456"}, From: from, Body: "hi", CallbackURL: "https://x.example.com/cb"}
		if _, err := c.Send(context.Background(), m); err != nil {
			t.Fatalf("%v: %v", from, err)
		}
	}
	for i, f := range *forms {
		if f.Get("StatusCallback") != "https://x.example.com/cb" || f.Get("From") == "" {
			t.Errorf("form %d: %v", i, f)
		}
	}
	// Twilio's narrower alphanumeric rule, and scheduling without a service, fail before any request.
	n := len(*forms)
	for _, m := range []*sms.Message{
		{To: []string{"+447911123456"}, From: sms.Sender{Type: sms.SenderAlphanumeric, Value: "Acme.Co"}, Body: "x"},
		{To: []string{"+447911123456"}, From: sms.Sender{Type: sms.SenderPool, Value: "not-a-service"}, Body: "x"},
		{To: []string{"+447911123456"}, From: sms.Sender{Value: "+14155550199"}, Body: "x", Options: []any{twilio.SendOptions{SendAt: time.Now()}}},
		{To: []string{"+447911123456"}, From: sms.Sender{Value: "+14155550199"}, Body: "x", Validity: 11 * time.Hour},
		{To: []string{"+447911123456"}, From: sms.Sender{Value: "+14155550199"}, Body: strings.Repeat("x", 1601)},
	} {
		res, err := c.Send(context.Background(), m)
		if err == nil {
			err = res[0].Err
		}
		if sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("%+v: want InvalidArgument, got %v", m.From, err)
		}
	}
	if len(*forms) != n {
		t.Fatalf("invalid messages reached the server")
	}
}

func TestErrorTable(t *testing.T) {
	cases := []struct {
		status, code int
		want         sms.Code
		notAccepted  bool
	}{
		{401, 20003, sms.CodeUnauthenticated, true}, {429, 20429, sms.CodeRateLimited, true},
		{400, 21211, sms.CodeInvalidRecipient, true}, {400, 21614, sms.CodeInvalidRecipient, true},
		{400, 21612, sms.CodeInvalidRecipient, true}, {400, 21408, sms.CodePermissionDenied, true},
		{400, 21610, sms.CodeOptedOut, true}, {400, 21212, sms.CodeInvalidArgument, true},
		{400, 21606, sms.CodeInvalidArgument, true}, {400, 21611, sms.CodeRateLimited, true},
		{404, 20404, sms.CodeNotFound, true}, {400, 99999, sms.CodeInvalidArgument, true},
		{500, 20500, sms.CodeOutcomeUnknown, false}, {502, 0, sms.CodeOutcomeUnknown, false},
		{503, 20503, sms.CodeOutcomeUnknown, false}, {503, 0, sms.CodeOutcomeUnknown, false},
	}
	for _, c := range cases {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Twilio-Request-Id", "RQ123")
			w.WriteHeader(c.status)
			if c.code != 0 {
				json.NewEncoder(w).Encode(map[string]any{"code": c.code, "message": "m", "more_info": "x", "status": c.status})
			}
		}))
		p, _ := twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken)}, &twilio.Options{BaseURL: ts.URL})
		res, err := sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}, Retry: sms.RetryPolicy{MaxAttempts: 1}}).
			Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+14155550199"}, Body: "x"})
		ts.Close()
		if err == nil {
			// A failure that may have created the message comes back as a result, not an error.
			err = res[0].Err
		}
		var e *sms.Error
		if !errors.As(err, &e) {
			t.Errorf("%d/%d: want an *sms.Error, got %v", c.status, c.code, err)
			continue
		}
		if e.Code != c.want || e.NotAccepted != c.notAccepted || e.RequestID != "RQ123" || e.Provider != "twilio" {
			t.Errorf("%d/%d: got %+v", c.status, c.code, e)
		}
		if c.code != 0 && e.VendorCode != fmt.Sprint(c.code) {
			t.Errorf("%d/%d: vendor code %q", c.status, c.code, e.VendorCode)
		}
	}
}

func TestOutcomeUnknownIsAResult(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer ts.Close()
	p, _ := twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken)}, &twilio.Options{BaseURL: ts.URL})
	res, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+14155550199"}, Body: "x"})
	if len(res) != 1 || sms.ErrorCode(res[0].Err) != sms.CodeOutcomeUnknown || res[0].Attempts != 1 || sms.ErrorCode(err) != sms.CodeOutcomeUnknown {
		t.Fatalf("a 500 may have created the message: want a result with OutcomeUnknown after 1 attempt, got %v %+v", err, res)
	}
}

func TestNewValidation(t *testing.T) {
	bad := []twilio.Config{
		{AccountSID: "AC123", AuthToken: sms.NewSecret("x")},
		{AccountSID: testSID},
		{AccountSID: testSID, APIKeySID: "SKnope", APIKeySecret: sms.NewSecret("x")},
		{AccountSID: testSID, AuthToken: sms.NewSecret("x"), StatusCallback: "/relative"},
	}
	for i, cfg := range bad {
		if _, err := twilio.New(cfg, nil); sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("config %d: want InvalidArgument, got %v", i, err)
		}
	}
	if _, err := twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret("x")}, &twilio.Options{BaseURL: "ftp://x"}); err == nil {
		t.Error("bad base URL accepted")
	}
}

func TestAPIKeyAuthAndEdge(t *testing.T) {
	var user, path string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _, _ = r.BasicAuth()
		path = r.URL.Path
		w.WriteHeader(201)
		w.Write([]byte(`{"sid":"SM1","status":"queued"}`))
	}))
	defer ts.Close()
	key := "SK0123456789abcdef0123456789abcdef"
	p, err := twilio.New(twilio.Config{AccountSID: testSID, APIKeySID: key, APIKeySecret: sms.NewSecret("sec")}, &twilio.Options{BaseURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+14155550199"}, Body: "x"}); err != nil {
		t.Fatal(err)
	}
	if user != key || path != "/2010-04-01/Accounts/"+testSID+"/Messages.json" {
		t.Fatalf("user %q path %q", user, path)
	}
}

func TestNoSecretInFormatting(t *testing.T) {
	cfg := twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken), SecondaryAuthToken: sms.NewSecret(testToken + "2"),
		APIKeySID: "SK0123456789abcdef0123456789abcdef", APIKeySecret: sms.NewSecret("apikeysecret-xyz")}
	p, err := twilio.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	l.Info("x", "cfg", cfg, "p", p)
	js, _ := json.Marshal(cfg)
	all := strings.Join([]string{fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), fmt.Sprintf("%v %+v %#v %s", p, p, p, p), string(js), buf.String()}, "\n")
	for _, s := range []string{testToken, "apikeysecret-xyz"} {
		if strings.Contains(all, s) {
			t.Fatalf("secret leaked:\n%s", all)
		}
	}
}

func mustBody(t *testing.T, r *http.Request) string {
	var b bytes.Buffer
	b.ReadFrom(r.Body)
	return b.String()
}

func TestSecondaryTokenVerifiesCallbacks(t *testing.T) {
	srv := twiliotest.NewServer(&twiliotest.Options{AuthToken: "newtoken-0123456789abcdef01234567"})
	defer srv.Close()
	p, err := twilio.New(twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret("oldtoken"), SecondaryAuthToken: sms.NewSecret(srv.AuthToken()), PublicURL: publicURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := srv.StatusCallbackRequest(statusURL, "SM00000000000000000000000000000001", "+14155550100", "delivered", "")
	cb, err := p.ParseCallback(context.Background(), req, []byte(mustBody(t, req)))
	if err != nil || len(cb.Events) != 1 || cb.Events[0].Status != sms.StatusDelivered {
		t.Fatalf("%v %+v", err, cb)
	}
}

func BenchmarkSend(b *testing.B) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	form := url.Values{"To": {"+14155550100"}, "From": {"+15005550006"}, "Body": {"Hello from the benchmark"}}.Encode()
	target := srv.URL + "/2010-04-01/Accounts/" + srv.AccountSID() + "/Messages.json"
	// Both clients time out, as the provider's does by default (httpx.DefaultTimeout): net/http
	// then arms a timer per request, which the baseline must pay too.
	hc := &http.Client{Timeout: 30 * time.Second}
	b.Run("bare-net-http", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Fatal(resp.StatusCode)
			}
			if i%5000 == 4999 {
				srv.Reset()
			}
		}
	})
	p, _ := twilio.New(twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken())}, &twilio.Options{BaseURL: srv.URL, HTTPClient: hc})
	c := sms.NewClient(p, nil)
	msg := &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+15005550006"}, Body: "Hello from the benchmark"}
	b.Run("smsbridge", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			res, err := c.Send(context.Background(), msg)
			if err != nil || !res[0].OK() {
				b.Fatal(err, res)
			}
			if i%5000 == 4999 {
				srv.Reset()
			}
		}
	})
}

func TestGETWebhookThroughHandler(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	p := newProvider(t, srv, srv.AuthToken())
	q := url.Values{"MessageSid": {"SM00000000000000000000000000000009"}, "From": {"+12025550101"}, "To": {"+15005550006"}, "Body": {"STOP"}, "SmsStatus": {"received"}}
	target := inboundURL + "?" + q.Encode()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RequestURI = strings.TrimPrefix(target, publicURL)
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(srv.AuthToken(), target, nil))
	var got []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error { got = evs; return nil }), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || len(got) != 1 || got[0].Type != sms.EventOptOut {
		t.Fatalf("GET webhook: %d %+v", w.Code, got)
	}
	// The same GET with a changed query is refused.
	bad := httptest.NewRequest(http.MethodGet, strings.Replace(target, "STOP", "START", 1), nil)
	bad.RequestURI = strings.TrimPrefix(strings.Replace(target, "STOP", "START", 1), publicURL)
	bad.Header.Set(twilio.SignatureHeader, req.Header.Get(twilio.SignatureHeader))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, bad)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("tampered GET: %d", w.Code)
	}
}

// An opt-out only Twilio recognised (OptOutType=STOP on a word no keyword list knows) stays an
// opt-out through webhook.Handler, which applies the keyword lists once; a plain STOP becomes
// one there.
func TestVendorOptOutSurvivesHandler(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	p := newProvider(t, srv, srv.AuthToken())
	var got []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error {
		got = append(got, evs...)
		return nil
	}), nil)
	for i, c := range []struct {
		body, optOutType string
		want             sms.EventType
		keyword          string
	}{
		{"Arrêt", "STOP", sms.EventOptOut, "STOP"},
		{"STOP", "", sms.EventOptOut, "STOP"},
		{"Aide", "HELP", sms.EventHelp, "HELP"},
		{"hello", "", sms.EventInbound, ""},
	} {
		form := url.Values{"MessageSid": {fmt.Sprintf("SM%032d", i)}, "From": {"+12025550101"}, "To": {"+15005550006"},
			"Body": {c.body}, "SmsStatus": {"received"}, "NumMedia": {"0"}}
		if c.optOutType != "" {
			form.Set("OptOutType", c.optOutType)
		}
		req := httptest.NewRequest(http.MethodPost, inboundURL, strings.NewReader(form.Encode()))
		req.RequestURI = "/twilio/inbound"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(twilio.SignatureHeader, twilio.Sign(srv.AuthToken(), inboundURL, form))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code, c.body)
		require.Len(t, got, i+1)
		ev := got[i]
		require.Equal(t, c.want, ev.Type, c.body)
		require.Equal(t, c.keyword, ev.Keyword, c.body)
		require.Equal(t, c.body, ev.Body)
	}
}

// Event.ID comes from signed content: replaying a signed callback with the unsigned
// I-Twilio-Idempotency-Token changed or removed gives the same ID, so de-duplication drops it.
func TestEventIDIgnoresUnsignedHeader(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	p := newProvider(t, srv, srv.AuthToken())
	parse := func(token string, del bool) sms.Event {
		req := srv.StatusCallbackRequest(statusURL+"?"+twilio.ReferenceParam+"=r1", "SM00000000000000000000000000000007", "+14155550100", "undelivered", "30003")
		switch {
		case del:
			req.Header.Del(twilio.IdempotencyHeader)
		case token != "":
			req.Header.Set(twilio.IdempotencyHeader, token)
		}
		cb, err := p.ParseCallback(context.Background(), req, []byte(mustBody(t, req)))
		require.NoError(t, err)
		require.Len(t, cb.Events, 1)
		return cb.Events[0]
	}
	orig := parse("", false)
	require.NotEmpty(t, orig.ID)
	require.Equal(t, orig.ID, parse("replayed-with-a-new-token", false).ID)
	require.Equal(t, orig.ID, parse("", true).ID)

	// And through webhook.Handler: the replay with a new token reaches the sink once.
	var n int
	h := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error { n++; return nil }), nil)
	for _, tok := range []string{"tok-1", "tok-2", ""} {
		req := srv.StatusCallbackRequest(statusURL, "SM00000000000000000000000000000008", "+14155550100", "delivered", "")
		if tok == "" {
			req.Header.Del(twilio.IdempotencyHeader)
		} else {
			req.Header.Set(twilio.IdempotencyHeader, tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code)
	}
	require.Equal(t, 1, n, "replays with a changed unsigned header reached the sink")
}

// A 503 written after Twilio processed the message (the emulator accepts it, then answers
// 503) is OutcomeUnknown, never Unavailable: Twilio documents no 5xx as "not processed". The
// client does not retry it, so the message exists once.
func TestSend503AfterAcceptanceIsOutcomeUnknown(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/_emulator/faults", "application/json", strings.NewReader(`{"status":503,"process":true}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300)
	p := newProvider(t, srv, srv.AuthToken())
	res, err := sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}}).Send(context.Background(),
		&sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+15005550006"}, Body: "x"})
	require.ErrorIs(t, err, sms.ErrOutcomeUnknown)
	require.Len(t, res, 1)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(res[0].Err), "%v", res[0].Err)
	require.False(t, sms.IsNotAccepted(res[0].Err))
	require.Len(t, srv.Messages(), 1, "the emulator accepted the message")
	require.Equal(t, 1, srv.Requests(), "an OutcomeUnknown send is not retried")
}
