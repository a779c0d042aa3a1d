package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	twiliosdk "github.com/twilio/twilio-go"
	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// trickyBody has non-ASCII text (two-byte, three-byte and four-byte UTF-8) and every
// character that form encoding must escape: + & = % and a space.
const trickyBody = "Grüße aus Zürich ✓ 😀 — 1+1=2 & 50% off? a=b&c=%20d"

// rewriter is an http.RoundTripper that sends every request to the emulator, whatever host
// the client meant (api.twilio.com), so that no test can reach a vendor host. It records the
// intended URLs when record is set.
type rewriter struct {
	target *url.URL
	base   http.RoundTripper
	record bool

	mu       sync.Mutex
	intended []string
}

func newRewriter(t testing.TB, emulatorURL string, record bool) *rewriter {
	t.Helper()
	u, err := url.Parse(emulatorURL)
	if err != nil || u.Scheme != "http" || !strings.HasPrefix(u.Host, "127.0.0.1:") {
		t.Fatalf("emulator URL %q is not a loopback http URL", emulatorURL)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &rewriter{target: u, base: tr, record: record}
}

func (rw *rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	if rw.record {
		rw.mu.Lock()
		rw.intended = append(rw.intended, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
		rw.mu.Unlock()
	}
	r2 := r.Clone(r.Context()) // a RoundTripper must not modify its request; Clone copies the URL
	r2.URL.Scheme, r2.URL.Host = rw.target.Scheme, rw.target.Host
	r2.Host = "" // the Host header follows the rewritten URL
	return rw.base.RoundTrip(r2)
}

func (rw *rewriter) Intended() []string {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return append([]string(nil), rw.intended...)
}

// newSDK returns twilio-go's REST client for the emulator's account with password, its
// HTTP client's transport replaced by a rewriter to the emulator.
func newSDK(t testing.TB, srv *twiliotest.Server, password string, record bool) (*twiliosdk.RestClient, *rewriter) {
	t.Helper()
	return newSDKWith(t, srv, twiliosdk.ClientParams{Username: srv.AccountSID(), Password: password}, record)
}

// newSDKWith is newSDK with explicit client parameters (an API key, say).
func newSDKWith(t testing.TB, srv *twiliotest.Server, params twiliosdk.ClientParams, record bool) (*twiliosdk.RestClient, *rewriter) {
	t.Helper()
	rc := twiliosdk.NewRestClientWithParams(params)
	c, ok := rc.Client.(*twclient.Client)
	if !ok {
		t.Fatalf("twilio-go base client is %T, not *client.Client", rc.Client)
	}
	rw := newRewriter(t, srv.URL, record)
	c.HTTPClient = &http.Client{
		Transport:     rw,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, // as twilio-go's default
	}
	return rc, rw
}

// hook is one request the application received.
type hook struct {
	URL    string // "http://" + Host + RequestURI: the URL Twilio requested
	URI    string // RequestURI
	Path   string
	Header http.Header
	Body   []byte
	Form   url.Values
	Sig    string
}

// firstValues is the map twilio-go's RequestValidator.Validate takes.
func (h hook) firstValues() map[string]string { return firstValues(h.Form) }

func firstValues(v url.Values) map[string]string {
	m := make(map[string]string, len(v))
	for k, vs := range v {
		m[k] = vs[0]
	}
	return m
}

// request rebuilds the received request for twilio.Verifier and ParseCallback.
func (h hook) request() *http.Request {
	r := httptest.NewRequest(http.MethodPost, h.URI, bytes.NewReader(h.Body))
	r.Header = h.Header.Clone()
	return r
}

// app is the application receiving callbacks: it records every request and answers 200.
type app struct {
	*httptest.Server
	mu    sync.Mutex
	hooks []hook
}

func newApp(t testing.TB) *app {
	a := &app{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.hooks = append(a.hooks, hook{
			URL: "http://" + r.Host + r.RequestURI, URI: r.RequestURI, Path: r.URL.Path,
			Header: r.Header.Clone(), Body: body, Form: form, Sig: r.Header.Get(twilio.SignatureHeader),
		})
		a.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/inbound") {
			w.Header().Set("Content-Type", "text/xml")
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response/>`)
		}
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *app) Hooks() []hook {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]hook(nil), a.hooks...)
}

func waitCallbacks(t *testing.T, srv *twiliotest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitCallbacks(ctx); err != nil {
		t.Fatalf("callbacks not delivered: %v", err)
	}
	for _, d := range srv.Deliveries() {
		if d.StatusCode != http.StatusOK || d.Err != nil {
			t.Errorf("delivery %d to %s: status %d, state %v, err %v", d.ID, d.URL, d.StatusCode, d.State, d.Err)
		}
	}
}

func restError(t *testing.T, err error) *twclient.TwilioRestError {
	t.Helper()
	var te *twclient.TwilioRestError
	if !errors.As(err, &te) {
		t.Fatalf("error %T %v is not twilio-go's *client.TwilioRestError", err, err)
	}
	return te
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// TestTwilioGoCreatesMessage: the official client sends, fetches and decodes errors against
// the emulator.
func TestTwilioGoCreatesMessage(t *testing.T) {
	hooks := newApp(t)
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	rc, rw := newSDK(t, srv, srv.AuthToken(), true)

	statusCB := hooks.URL + "/status?tenant=acme&x=1"
	params := &openapi.CreateMessageParams{}
	params.SetTo("+14155550100").SetFrom("+14155550199").SetBody(trickyBody).SetStatusCallback(statusCB)
	resp, err := rc.Api.CreateMessage(params)
	if err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	sid := str(resp.Sid)
	if !strings.HasPrefix(sid, "SM") || len(sid) != 34 {
		t.Errorf("sid = %q, want SM + 32 characters", sid)
	}
	if got := str(resp.Status); got != "queued" {
		t.Errorf("status = %q, want queued", got)
	}
	if str(resp.Body) != trickyBody || str(resp.To) != "+14155550100" || str(resp.From) != "+14155550199" ||
		str(resp.AccountSid) != srv.AccountSID() || str(resp.Direction) != "outbound-api" {
		t.Errorf("resource body=%q to=%q from=%q account=%q direction=%q",
			str(resp.Body), str(resp.To), str(resp.From), str(resp.AccountSid), str(resp.Direction))
	}

	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("emulator holds %d messages, want 1", len(msgs))
	}
	if msgs[0].Body != trickyBody {
		t.Errorf("emulator body = %q, want %q", msgs[0].Body, trickyBody)
	}
	if msgs[0].SID != sid || msgs[0].StatusCallback != statusCB {
		t.Errorf("emulator message %+v", msgs[0])
	}
	reqs := srv.RecordedRequests()
	if len(reqs) != 1 || !strings.HasPrefix(reqs[0].Header.Get("User-Agent"), "twilio-go/") {
		t.Fatalf("recorded requests %+v: want one from twilio-go", reqs)
	}

	got, err := rc.Api.FetchMessage(sid, &openapi.FetchMessageParams{})
	if err != nil {
		t.Fatalf("FetchMessage: %v", err)
	}
	if str(got.Sid) != sid || str(got.Body) != trickyBody || str(got.To) != "+14155550100" {
		t.Errorf("fetched sid=%q body=%q to=%q", str(got.Sid), str(got.Body), str(got.To))
	}
	switch str(got.Status) {
	case "queued", "sending", "sent", "delivered":
	default:
		t.Errorf("fetched status %q", str(got.Status))
	}
	_, err = rc.Api.FetchMessage("SM00000000000000000000000000000bad", nil)
	if te := restError(t, err); te.Code != 20404 || te.Status != http.StatusNotFound {
		t.Errorf("fetch of unknown SID: %+v, want 20404/404", te)
	}

	for _, u := range rw.Intended() {
		if !strings.HasPrefix(u, "https://api.twilio.com/2010-04-01/Accounts/"+srv.AccountSID()+"/Messages") {
			t.Errorf("twilio-go meant to call %s", u)
		}
	}
	waitCallbacks(t, srv)
	if n := len(hooks.Hooks()); n != 2 {
		t.Errorf("%d status callbacks, want 2 (sent, delivered)", n)
	}
}

// TestTwilioGoAPIKeyAndList: twilio-go authenticates with an API key (the account SID only in
// the path) and lists messages, filtered by To, newest first.
func TestTwilioGoAPIKeyAndList(t *testing.T) {
	const keySID, keySecret = "SK0123456789abcdef0123456789abcdef", "s3cr3tKeySecretValue0123456789ab"
	srv := twiliotest.NewServer(&twiliotest.Options{APIKeySID: keySID, APIKeySecret: keySecret})
	defer srv.Close()
	rc, _ := newSDKWith(t, srv, twiliosdk.ClientParams{Username: keySID, Password: keySecret, AccountSid: srv.AccountSID()}, false)
	var sids []string
	for _, to := range []string{"+14155550100", "+14155550101", "+14155550100"} {
		params := &openapi.CreateMessageParams{}
		params.SetTo(to).SetFrom("+14155550199").SetBody("hello " + to)
		m, err := rc.Api.CreateMessage(params)
		if err != nil {
			t.Fatalf("CreateMessage with an API key: %v", err)
		}
		sids = append(sids, str(m.Sid))
	}
	list, err := rc.Api.ListMessage((&openapi.ListMessageParams{}).SetTo("+14155550100").SetPageSize(20))
	if err != nil {
		t.Fatalf("ListMessage: %v", err)
	}
	if len(list) != 2 || str(list[0].Sid) != sids[2] || str(list[1].Sid) != sids[0] {
		var got []string
		for _, m := range list {
			got = append(got, str(m.Sid))
		}
		t.Errorf("ListMessage(To) = %v, want [%s %s]", got, sids[2], sids[0])
	}
	all, err := rc.Api.ListMessage((&openapi.ListMessageParams{}).SetLimit(2))
	if err != nil || len(all) != 2 {
		t.Errorf("ListMessage(Limit 2) = %d messages, %v", len(all), err)
	}
	for _, r := range srv.RecordedRequests() {
		if u, _, ok := basicAuth(r.Header.Get("Authorization")); !ok || u != keySID {
			t.Errorf("request %s %s authenticated as %q", r.Method, r.Path, u)
		}
	}
}

func basicAuth(h string) (user, pass string, ok bool) {
	r := &http.Request{Header: http.Header{"Authorization": {h}}}
	return r.BasicAuth()
}

func TestTwilioGoWrongPassword(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	// twilio-go rejects a non-alphanumeric password itself (21224) before sending; this one
	// is well formed but wrong.
	rc, _ := newSDK(t, srv, "ffffffffffffffffffffffffffffffff", false)
	params := &openapi.CreateMessageParams{}
	params.SetTo("+14155550100").SetFrom("+14155550199").SetBody("hello")
	resp, err := rc.Api.CreateMessage(params)
	if err == nil {
		t.Fatalf("CreateMessage with a wrong password succeeded: %+v", resp)
	}
	te := restError(t, err)
	if te.Code != 20003 || te.Status != http.StatusUnauthorized {
		t.Errorf("error %+v, want code 20003 status 401", te)
	}
	if te.MoreInfo != "https://www.twilio.com/docs/errors/20003" {
		t.Errorf("more_info %q", te.MoreInfo)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("emulator accepted %d messages", n)
	}
	if srv.Requests() != 1 {
		t.Errorf("emulator saw %d requests, want 1", srv.Requests())
	}
}

func TestTwilioGoMagicNumbers(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	rc, _ := newSDK(t, srv, srv.AuthToken(), false)
	for _, tc := range []struct {
		to, from string
		code     int
	}{
		{"+15005550004", "+14155550199", 21610}, // unsubscribed recipient
		{"+15005550001", "+14155550199", 21211},
		{"+15005550002", "+14155550199", 21612},
		{"+15005550003", "+14155550199", 21408},
		{"+15005550009", "+14155550199", 21614},
		{"+14155550100", "+15005550001", 21212},
		{"+14155550100", "+15005550007", 21606},
		{"+14155550100", "+15005550008", 21611},
	} {
		params := &openapi.CreateMessageParams{}
		params.SetTo(tc.to).SetFrom(tc.from).SetBody("hello")
		_, err := rc.Api.CreateMessage(params)
		if err == nil {
			t.Errorf("to %s from %s: no error, want %d", tc.to, tc.from, tc.code)
			continue
		}
		if te := restError(t, err); te.Code != tc.code || te.Status != http.StatusBadRequest {
			t.Errorf("to %s from %s: %+v, want code %d status 400", tc.to, tc.from, te, tc.code)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("emulator accepted %d messages", n)
	}
}

// checkHook asserts that twilio-go's validator and our Verifier accept h, and that both
// reject it once a body parameter or the URL is tampered with.
func checkHook(t *testing.T, v twclient.RequestValidator, ours *twilio.Verifier, h hook, tamperKey string) {
	t.Helper()
	if h.Sig == "" {
		t.Errorf("%s: no %s", h.URL, twilio.SignatureHeader)
		return
	}
	if !v.Validate(h.URL, h.firstValues(), h.Sig) {
		t.Errorf("twilio-go Validate rejects the emulator's callback to %s (%s)", h.URL, h.Body)
	}
	if !v.ValidateBody(h.URL, h.Body, h.Sig) {
		t.Errorf("twilio-go ValidateBody rejects the emulator's callback to %s", h.URL)
	}
	if err := ours.Verify(h.request(), h.Body); err != nil {
		t.Errorf("twilio.Verifier rejects the emulator's callback to %s: %v", h.URL, err)
	}

	tampered := h.firstValues()
	if _, ok := tampered[tamperKey]; !ok {
		t.Errorf("%s: callback has no %s", h.URL, tamperKey)
	}
	tampered[tamperKey] += "x"
	if v.Validate(h.URL, tampered, h.Sig) {
		t.Errorf("twilio-go Validate accepts %s tampered with", tamperKey)
	}
	tf := maps.Clone(h.Form)
	tf.Set(tamperKey, tampered[tamperKey])
	th := h
	th.Body = []byte(tf.Encode())
	if ours.Verify(th.request(), th.Body) == nil {
		t.Errorf("twilio.Verifier accepts %s tampered with", tamperKey)
	}
	badURL := strings.Replace(h.URL, "tenant=acme", "tenant=evil", 1)
	if badURL == h.URL {
		t.Fatalf("%s has no tenant=acme", h.URL)
	}
	if v.Validate(badURL, h.firstValues(), h.Sig) {
		t.Errorf("twilio-go Validate accepts a tampered URL")
	}
}

// TestTwilioGoValidatorAcceptsEmulatorCallbacks: every status callback and inbound message the
// emulator posts is signed as twilio-go's RequestValidator expects.
func TestTwilioGoValidatorAcceptsEmulatorCallbacks(t *testing.T) {
	a := newApp(t)
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	token := srv.AuthToken()
	v := twclient.NewRequestValidator(token)
	ours, err := twilio.NewVerifier(a.URL, sms.NewSecret(token))
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := newSDK(t, srv, token, false)

	// 1. twilio-go, the message's own StatusCallback with a query string and an explicit port.
	params := &openapi.CreateMessageParams{}
	params.SetTo("+14155550100").SetFrom("+14155550199").SetBody(trickyBody).
		SetStatusCallback(a.URL + "/status?tenant=acme&x=1")
	if _, err := rc.Api.CreateMessage(params); err != nil {
		t.Fatal(err)
	}
	// 2. twilio-go, no StatusCallback: the account-level one (a Messaging Service's).
	srv.SetStatusCallback(a.URL + "/account-status?tenant=acme&x=1")
	params = &openapi.CreateMessageParams{}
	params.SetTo("+14155550101").SetFrom("+14155550199").SetBody("second")
	if _, err := rc.Api.CreateMessage(params); err != nil {
		t.Fatal(err)
	}
	// 3. our provider: a reference in the query string, connection overrides in the fragment
	// (never sent, never signed), and an undelivered outcome with an ErrorCode.
	srv.SetOutcome("+14155550102", sms.StatusUndelivered, "30003")
	p, err := twilio.New(twilio.Config{
		AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(token), PublicURL: a.URL,
		StatusCallback: a.URL + "/ours?tenant=acme&x=1", ConnectionOverrides: "rc=2&rp=all",
	}, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	const ref = "order 42/ü&x=1+2%"
	res, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{
		To: []string{"+14155550102"}, From: sms.Sender{Value: "+14155550199"}, Body: trickyBody, Reference: ref,
	})
	if err != nil || !res[0].OK() {
		t.Fatalf("send through our provider: %v %+v", err, res)
	}
	waitCallbacks(t, srv)

	hooks := a.Hooks()
	perPath := map[string]int{}
	for _, h := range hooks {
		perPath[h.Path]++
		checkHook(t, v, ours, h, "MessageStatus")
		if h.Path == "/ours" {
			cb, err := p.ParseCallback(context.Background(), h.request(), h.Body)
			if err != nil {
				t.Errorf("ParseCallback: %v", err)
				continue
			}
			if len(cb.Events) != 1 || cb.Events[0].Reference != ref {
				t.Errorf("ParseCallback events %+v, want reference %q", cb.Events, ref)
			}
		}
	}
	if want := map[string]int{"/status": 2, "/account-status": 2, "/ours": 2}; !maps.Equal(perPath, want) {
		t.Errorf("callbacks per path %v, want %v", perPath, want)
	}

	// Inbound: a number's webhook URL with a query string.
	a.mu.Lock()
	a.hooks = nil
	a.mu.Unlock()
	srv.SetInboundURL(a.URL + "/inbound?tenant=acme&x=1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := srv.SendInbound(ctx, "+14155550100", "+14155550199", trickyBody)
	if err != nil || d.StatusCode != http.StatusOK {
		t.Fatalf("SendInbound: %v, status %d", err, d.StatusCode)
	}
	hooks = a.Hooks()
	if len(hooks) != 1 || hooks[0].Form.Get("Body") != trickyBody {
		t.Fatalf("inbound hooks %+v", hooks)
	}
	checkHook(t, v, ours, hooks[0], "Body")
}

// TestTwilioGoValidatorAcceptsUnusualCallbackURLs: callback URLs whose path or query carry
// escapes, reserved characters and non-ASCII text are signed exactly as they go on the wire.
func TestTwilioGoValidatorAcceptsUnusualCallbackURLs(t *testing.T) {
	a := newApp(t)
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	v := twclient.NewRequestValidator(srv.AuthToken())
	ours, err := twilio.NewVerifier(a.URL, sms.NewSecret(srv.AuthToken()))
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := newSDK(t, srv, srv.AuthToken(), false)
	suffixes := []string{
		"/hooks/st%C3%A4tus?tenant=acme&x=1",
		"/status?tenant=acme&ref=a+b%2Bc%26d%3D",
		"/status?tenant=acme&city=zürich",
		"/St@tus;v=1/x?tenant=acme&q=%7e~",
		"/status?tenant=acme&x=[1]&y={2}|",
		"/status?tenant=acme#rc=1&rp=all",
	}
	for _, sfx := range suffixes {
		params := &openapi.CreateMessageParams{}
		params.SetTo("+14155550100").SetFrom("+14155550199").SetBody("hi").SetStatusCallback(a.URL + sfx)
		if _, err := rc.Api.CreateMessage(params); err != nil {
			t.Fatalf("CreateMessage(StatusCallback %s): %v", sfx, err)
		}
	}
	waitCallbacks(t, srv)
	hooks := a.Hooks()
	if len(hooks) != 2*len(suffixes) {
		t.Errorf("%d callbacks, want %d", len(hooks), 2*len(suffixes))
	}
	for _, h := range hooks {
		if strings.Contains(h.URL, "#") {
			t.Errorf("fragment on the wire: %s", h.URL)
		}
		checkHook(t, v, ours, h, "MessageStatus")
	}
}

// signURLs are URLs to sign with our helper.
var signURLs = []string{
	"https://example.com/hooks/status?tenant=acme&x=1",
	"https://example.com:8443/hooks/status?tenant=acme&x=1",
	"https://example.com:443/hooks/status?tenant=acme&x=1",
	"http://127.0.0.1:8080/status?tenant=acme&x=1",
	"http://example.com/status?tenant=acme&x=1",
	"https://example.com/hooks/status",
	"https://example.com/hooks/status?smsbridge_ref=order+42%2F%C3%BC&tenant=acme",
}

func signParams() url.Values {
	return url.Values{
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"From": {"+14155550100"}, "To": {"+14155550199"}, "Body": {trickyBody},
		"Reason": {"Participant"}, "ReasonConferenceEnded": {"test"}, "Empty": {""},
	}
}

// splitURL returns the origin (scheme://host[:port]) and request URI of u.
func splitURL(t *testing.T, raw string) (origin, uri string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scheme + "://" + u.Host, u.RequestURI()
}

func verifyOurs(t *testing.T, token, rawURL string, body []byte, contentType, sig string) error {
	t.Helper()
	origin, uri := splitURL(t, rawURL)
	ours, err := twilio.NewVerifier(origin, sms.NewSecret(token))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, uri, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set(twilio.SignatureHeader, sig)
	return ours.Verify(r, body)
}

// TestTwilioGoValidatorAcceptsOurSignatures: twilio-go accepts what twilio.Sign and
// twilio.SignJSON compute.
func TestTwilioGoValidatorAcceptsOurSignatures(t *testing.T) {
	for _, token := range []string{"12345", twiliotest.DefaultAuthToken} {
		v := twclient.NewRequestValidator(token)
		for _, u := range signURLs {
			params := signParams()
			sig := twilio.Sign(token, u, params)
			body := []byte(params.Encode())
			if !v.Validate(u, firstValues(params), sig) {
				t.Errorf("token %s: twilio-go Validate rejects Sign(%s)", token, u)
			}
			if !v.ValidateBody(u, body, sig) {
				t.Errorf("token %s: twilio-go ValidateBody rejects Sign(%s)", token, u)
			}
			if err := verifyOurs(t, token, u, body, "application/x-www-form-urlencoded", sig); err != nil {
				t.Errorf("token %s: twilio.Verifier rejects Sign(%s): %v", token, u, err)
			}
			bad := firstValues(params)
			bad["Body"] = "tampered"
			if v.Validate(u, bad, sig) {
				t.Errorf("twilio-go accepts a tampered body for %s", u)
			}
			if twiclientOther := twclient.NewRequestValidator(token + "0"); twiclientOther.Validate(u, firstValues(params), sig) {
				t.Errorf("twilio-go accepts Sign(%s) under another token", u)
			}
			// A GET webhook: no parameters, the URL alone.
			if sig := twilio.Sign(token, u, nil); !v.Validate(u, map[string]string{}, sig) {
				t.Errorf("twilio-go rejects Sign(%s, nil)", u)
			}

			for _, js := range []string{`{"property": "value", "boolean": true}`, `{"body":"` + trickyBody + `"}`, ``} {
				jb := []byte(js)
				signedURL, sig := twilio.SignJSON(token, u, jb)
				if !strings.Contains(signedURL, "bodySHA256=") {
					t.Fatalf("SignJSON URL %s", signedURL)
				}
				if !v.ValidateBody(signedURL, jb, sig) {
					t.Errorf("token %s: twilio-go ValidateBody rejects SignJSON(%s, %q) = %s", token, u, js, signedURL)
				}
				if v.ValidateBody(signedURL, append(jb, ' '), sig) {
					t.Errorf("twilio-go ValidateBody accepts a tampered JSON body")
				}
				if err := verifyOurs(t, token, signedURL, jb, "application/json", sig); err != nil {
					t.Errorf("twilio.Verifier rejects SignJSON(%s, %q): %v", u, js, err)
				}
			}
		}
	}
	// A fragment (connection overrides) is never on the wire: Sign ignores it, and the
	// signature is the one twilio-go computes for the URL without it.
	const u = "https://example.com/hooks/status?tenant=acme"
	v := twclient.NewRequestValidator("12345")
	if sig := twilio.Sign("12345", u+"#rc=3&rp=all", signParams()); !v.Validate(u, firstValues(signParams()), sig) {
		t.Error("twilio-go rejects Sign of a URL with a #fragment")
	}
}

// vectors are Twilio's published test vectors (/work/shared/vendors/twilio.md §7.3, from
// twilio-go's client/request_validator_test.go, recomputed there).
const (
	vecToken   = "12345"
	vecURL     = "https://mycompany.com/myapp.php?foo=1&bar=2"
	vecJSON    = `{"property": "value", "boolean": true}`
	vecJSONSHA = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
)

func vecParams() url.Values {
	return url.Values{
		"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"}, "Caller": {"+14158675309"},
		"From": {"+14158675309"}, "ReasonConferenceEnded": {"test"}, "Reason": {"Participant"},
	}
}

// TestPublishedVectorsBothValidatorsAgree: twilio-go exposes no signing function, so the
// converse direction (our Verifier accepts what twilio-go computes) is checked on the
// published vectors — both validators must give the expected verdict — and on signatures
// twilio-go's validator is shown to accept.
func TestPublishedVectorsBothValidatorsAgree(t *testing.T) {
	form := []byte(vecParams().Encode())
	tamperedParams := vecParams()
	tamperedParams.Set("Digits", "1235")
	tampered := []byte(tamperedParams.Encode())
	simple := []byte("property=value&boolean=true")
	js := []byte(vecJSON)
	const ctForm, ctJSON = "application/x-www-form-urlencoded", "application/json"
	for _, tc := range []struct {
		name, url string
		body      []byte
		ct, sig   string
		want      bool
	}{
		{"params", vecURL, form, ctForm, "vOEb5UThFn24KEfnOFLQY2AE5FY=", true},
		{"port stripped", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", form, ctForm, "vOEb5UThFn24KEfnOFLQY2AE5FY=", true},
		{"http", "http://mycompany.com/myapp.php?foo=1&bar=2", form, ctForm, "n2xBNyzSW7rfYStDtOFiFMv7qNo=", true},
		{"http port stripped", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", form, ctForm, "n2xBNyzSW7rfYStDtOFiFMv7qNo=", true},
		{"signed with :443", vecURL, form, ctForm, "nlYDL9HO41xd+GBsch67HROPYMY=", true},
		{"signed with :80", "http://mycompany.com/myapp.php?foo=1&bar=2", form, ctForm, "oCUk9kaPGFSgDUJ9NnSKaV+LTwE=", true},
		{"wrong sort", vecURL, form, ctForm, "95+Bu0JVPi0r/SsESZCVf0dWAjw=", false},
		{"tampered param", vecURL, tampered, ctForm, "vOEb5UThFn24KEfnOFLQY2AE5FY=", false},
		{"other path", "https://mycompany.com/other.php?foo=1&bar=2", form, ctForm, "vOEb5UThFn24KEfnOFLQY2AE5FY=", false},
		{"form body", vecURL, simple, ctForm, "NBdBDr/T/lgjI+tlgpXjKZQZs/k=", true},
		{"json", vecURL + "&bodySHA256=" + vecJSONSHA, js, ctJSON, "a9nBmqA0ju/hNViExpshrM61xv4=", true},
		{"json hash only", "https://mycompany.com/myapp.php?bodySHA256=" + vecJSONSHA, js, ctJSON, "y77kIzt2vzLz71DgmJGsen2scGs=", true},
		{"json tampered body", vecURL + "&bodySHA256=" + vecJSONSHA, []byte(`{"property": "value", "boolean": false}`), ctJSON, "a9nBmqA0ju/hNViExpshrM61xv4=", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := twclient.NewRequestValidator(vecToken)
			gotSDK := v.ValidateBody(tc.url, tc.body, tc.sig)
			gotOurs := verifyOurs(t, vecToken, tc.url, tc.body, tc.ct, tc.sig) == nil
			if gotSDK != tc.want || gotOurs != tc.want {
				t.Errorf("twilio-go %v, twilio.Verifier %v, want %v", gotSDK, gotOurs, tc.want)
			}
		})
	}

	// Our signing helper reproduces the vectors.
	if got := twilio.Sign(vecToken, vecURL, vecParams()); got != "vOEb5UThFn24KEfnOFLQY2AE5FY=" {
		t.Errorf("Sign(vector) = %s", got)
	}
	if got := twilio.Sign(vecToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", vecParams()); got != "nlYDL9HO41xd+GBsch67HROPYMY=" {
		t.Errorf("Sign(:443 vector) = %s", got)
	}
	if u, got := twilio.SignJSON(vecToken, vecURL, js); got != "a9nBmqA0ju/hNViExpshrM61xv4=" || u != vecURL+"&bodySHA256="+vecJSONSHA {
		t.Errorf("SignJSON(vector) = %s, %s", u, got)
	}
	if u, got := twilio.SignJSON(vecToken, "https://mycompany.com/myapp.php", js); got != "y77kIzt2vzLz71DgmJGsen2scGs=" || !strings.HasSuffix(u, "?bodySHA256="+vecJSONSHA) {
		t.Errorf("SignJSON(hash-only vector) = %s, %s", u, got)
	}
}

// TestRepeatedKeysDivergence pins the one known difference: for a repeated key, twilio-go
// signs only the first value, while twilio.Sign (like twilio-node and twilio-python) signs
// every distinct value, sorted. Twilio's SMS callbacks repeat no key, so it does not affect
// them; twilio.Verifier accepts both forms.
func TestRepeatedKeysDivergence(t *testing.T) {
	const token, u = "12345", "https://example.com/hook?tenant=acme"
	body := []byte("To=%2B14155550100&MediaUrl=https%3A%2F%2Fb.example%2F2.jpg&MediaUrl=https%3A%2F%2Fa.example%2F1.jpg")
	form, _ := url.ParseQuery(string(body))
	v := twclient.NewRequestValidator(token)

	// The signature twilio-go's validator accepts for this body is its own computation.
	goSig := twilio.Sign(token, u, url.Values{"To": {form.Get("To")}, "MediaUrl": {form.Get("MediaUrl")}})
	if !v.ValidateBody(u, body, goSig) {
		t.Fatal("twilio-go rejects the first-value signature of a repeated key")
	}
	if err := verifyOurs(t, token, u, body, "application/x-www-form-urlencoded", goSig); err != nil {
		t.Errorf("twilio.Verifier rejects the signature twilio-go accepts: %v", err)
	}

	nodeSig := twilio.Sign(token, u, form)
	if err := verifyOurs(t, token, u, body, "application/x-www-form-urlencoded", nodeSig); err != nil {
		t.Errorf("twilio.Verifier rejects twilio.Sign of a repeated key: %v", err)
	}
	if v.ValidateBody(u, body, nodeSig) {
		t.Log("twilio-go now accepts the all-values signature of a repeated key")
	} else {
		t.Log(fmt.Sprintf("as documented: twilio-go rejects twilio.Sign's all-values signature %s of a repeated key", nodeSig))
	}
}
