package acs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/norm"
	"github.com/smsbridge/sms/smstest"
)

// Test keys (base64). sendKeyA is what the fake accepts unless told otherwise.
const (
	sendKeyA = "c2VuZC10ZXN0LWtleS1BLXNlY3JldC1tYXRlcmlhbA==" // "send-test-key-A-secret-material"
	sendKeyB = "c2VuZC10ZXN0LWtleS1CLXNlY3JldC1tYXRlcmlhbA==" // "send-test-key-B-secret-material"
	sender   = "+18005550100"
)

// fakeRequest is one request the fake received.
type fakeRequest struct {
	Method, URI, Host string
	Header            http.Header
	Body              []byte
	Send              sendRequest // decoded body of POST /sms
	KeyIndex          int         // index in fakeACS.keys of the key that verified, -1 if none
}

// fakeACS is a minimal ACS SMS endpoint: it verifies the HMAC signature (with any of keys) or
// a bearer token, records every request, and answers 202 with one item per recipient.
// Hooks let a test script answers.
type fakeACS struct {
	*httptest.Server
	token string // bearer token accepted when non-empty

	mu   sync.Mutex
	keys []string // base64 keys accepted
	reqs []fakeRequest
	// fail maps a recipient to the per-item statuses it gets on its next sends (consumed).
	fail map[string][]int
	// hook, when set, may answer request n (0-based) itself; it returns false to fall
	// through to the default answer.
	hook func(n int, fr *fakeRequest, w http.ResponseWriter) bool
	ids  atomic.Int64
}

func newFake(t testing.TB, keys ...string) *fakeACS {
	f := &fakeACS{keys: keys, fail: map[string][]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// newTLSFake returns a fake over TLS that accepts the bearer token, or keys when token is "".
func newTLSFake(t testing.TB, token string, keys ...string) *fakeACS {
	f := &fakeACS{token: token, keys: keys, fail: map[string][]int{}}
	f.Server = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeACS) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.reqs...)
}

func (f *fakeACS) setHook(h func(n int, fr *fakeRequest, w http.ResponseWriter) bool) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

func (f *fakeACS) setKeys(keys ...string) {
	f.mu.Lock()
	f.keys = keys
	f.mu.Unlock()
}

func (f *fakeACS) failNext(to string, statuses ...int) {
	f.mu.Lock()
	f.fail[to] = append(f.fail[to], statuses...)
	f.mu.Unlock()
}

// verify returns the index of the key whose signature matches, or -1.
func (f *fakeACS) verify(r *http.Request, body []byte) int {
	if f.token != "" {
		if r.Header.Get("Authorization") == "Bearer "+f.token {
			return 0
		}
		return -1
	}
	hash := acssign.ContentHash(body)
	if r.Header.Get("X-Ms-Content-Sha256") != hash {
		return -1
	}
	sts := acssign.StringToSign(r.Method, r.RequestURI, r.Header.Get("X-Ms-Date"), r.Host, hash)
	f.mu.Lock()
	keys := f.keys
	f.mu.Unlock()
	for i, k := range keys {
		kb, _ := acssign.DecodeKey(k)
		if r.Header.Get("Authorization") == acssign.AuthorizationHeader(acssign.Sign(kb, sts)) {
			return i
		}
	}
	return -1
}

func (f *fakeACS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fr := fakeRequest{Method: r.Method, URI: r.RequestURI, Host: r.Host, Header: r.Header.Clone(), Body: body}
	fr.KeyIndex = f.verify(r, body)
	if r.Method == http.MethodPost {
		_ = json.Unmarshal(body, &fr.Send)
	}
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, fr)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(n, &fr, w) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Ms-Request-Id", fmt.Sprintf("req-%d", n))
	if fr.KeyIndex < 0 {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"code":"Denied","message":"Denied by the HMAC signature check."}}`)
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.RequestURI, "/sms?") {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"traceId":"00-trace-00"}`)
		return
	}
	var out struct {
		Value []sendItem `json:"value"`
	}
	for _, rc := range fr.Send.Recipients {
		it := sendItem{To: rc.To, HTTPStatusCode: 202, Successful: true, RepeatabilityResult: "accepted"}
		f.mu.Lock()
		if st := f.fail[rc.To]; len(st) > 0 {
			it = sendItem{To: rc.To, HTTPStatusCode: st[0], ErrorMessage: http.StatusText(st[0])}
			f.fail[rc.To] = st[1:]
		}
		f.mu.Unlock()
		if it.Successful {
			it.MessageID = fmt.Sprintf("Outgoing_%d", f.ids.Add(1))
		}
		out.Value = append(out.Value, it)
	}
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(out)
}

// newSendProvider returns a provider with key sendKeyA (and opts) aimed at f.
func newSendProvider(t testing.TB, f *fakeACS, cfg Config, o *Options) *Provider {
	t.Helper()
	if cfg.ConnectionString.IsZero() && cfg.AccessKey.IsZero() && cfg.Credential == nil {
		cfg.AccessKey = sms.NewSecret(sendKeyA)
	}
	if cfg.Endpoint == "" && cfg.ConnectionString.IsZero() {
		cfg.Endpoint = f.URL
	}
	p, err := New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testMsg(to ...string) *sms.Message {
	return &sms.Message{To: to, From: sms.Sender{Value: sender}, Body: "Hello & welcome", Reference: "ref-1"}
}

func noSleepClient(p sms.Provider) (*sms.Client, *smstest.FakeClock) {
	clk := &smstest.FakeClock{}
	return sms.NewClient(p, &sms.ClientOptions{Clock: clk}), clk
}

func errOf(t testing.TB, err error) *sms.Error {
	t.Helper()
	var e *sms.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *sms.Error, got %T %v", err, err)
	}
	return e
}

func TestNew(t *testing.T) {
	cred := &fakeCredential{token: "tok"}
	cases := []struct {
		name string
		cfg  Config
		opts *Options
		want string // substring of the error; "" = success
	}{
		{"connection string", Config{ConnectionString: sms.NewSecret("endpoint=https://x.communication.azure.com/;accesskey=" + sendKeyA)}, nil, ""},
		{"endpoint+key", Config{Endpoint: "https://x.communication.azure.com/", AccessKey: sms.NewSecret(sendKeyA)}, nil, ""},
		{"endpoint+keys", Config{Endpoint: "https://x.communication.azure.com", AccessKey: sms.NewSecret(sendKeyA), SecondaryAccessKey: sms.NewSecret(sendKeyB)}, nil, ""},
		{"connection string+secondary", Config{ConnectionString: sms.NewSecret("endpoint=https://x.communication.azure.com/;accesskey=" + sendKeyA), SecondaryAccessKey: sms.NewSecret(sendKeyB)}, nil, ""},
		{"entra", Config{Endpoint: "https://x.communication.azure.com", Credential: cred}, nil, ""},
		{"nothing", Config{}, nil, "credential is required"},
		{"two forms", Config{ConnectionString: sms.NewSecret("endpoint=https://x/;accesskey=" + sendKeyA), AccessKey: sms.NewSecret(sendKeyA)}, nil, "exactly one"},
		{"key and credential", Config{Endpoint: "https://x", AccessKey: sms.NewSecret(sendKeyA), Credential: cred}, nil, "exactly one"},
		{"secondary with credential", Config{Endpoint: "https://x", Credential: cred, SecondaryAccessKey: sms.NewSecret(sendKeyB)}, nil, "SecondaryAccessKey"},
		{"endpoint with connection string", Config{Endpoint: "https://x", ConnectionString: sms.NewSecret("endpoint=https://x/;accesskey=" + sendKeyA)}, nil, "Endpoint must be empty"},
		{"no endpoint", Config{AccessKey: sms.NewSecret(sendKeyA)}, nil, "Endpoint is required"},
		{"relative endpoint", Config{Endpoint: "x.communication.azure.com", AccessKey: sms.NewSecret(sendKeyA)}, nil, "absolute"},
		{"endpoint with query", Config{Endpoint: "https://x/?a=b", AccessKey: sms.NewSecret(sendKeyA)}, nil, "no query"},
		{"bad key", Config{Endpoint: "https://x", AccessKey: sms.NewSecret("not base64 %%secret%%")}, nil, "AccessKey is not base64"},
		{"bad secondary", Config{Endpoint: "https://x", AccessKey: sms.NewSecret(sendKeyA), SecondaryAccessKey: sms.NewSecret("%%secret2%%")}, nil, "SecondaryAccessKey is not base64"},
		{"connection string endpoint with user info", Config{ConnectionString: sms.NewSecret("endpoint=https://u:secret@x/;accesskey=" + sendKeyA)}, nil, "no query, fragment or user info"},
		{"bad connection string", Config{ConnectionString: sms.NewSecret("endpoint=https://x/;accesskey=%%secret%%")}, nil, "not base64"},
		{"bad base URL", Config{Endpoint: "https://x", AccessKey: sms.NewSecret(sendKeyA)}, &Options{BaseURL: "ftp://x"}, "BaseURL"},
		{"entra over http", Config{Endpoint: "http://127.0.0.1:1", Credential: cred}, nil, "https"},
		{"bad api version", Config{Endpoint: "https://x", AccessKey: sms.NewSecret(sendKeyA)}, &Options{APIVersion: "latest"}, "APIVersion"},
		{"preview api version", Config{Endpoint: "https://x", AccessKey: sms.NewSecret(sendKeyA)}, &Options{APIVersion: "2025-05-29-preview"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := New(c.cfg, c.opts)
			if c.want == "" {
				if err != nil || p == nil {
					t.Fatalf("unexpected error %v", err)
				}
				if p.cfg.Credential != c.cfg.Credential || p.cfg.Endpoint != c.cfg.Endpoint {
					t.Fatal("cfg not kept as given")
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			e := errOf(t, err)
			if e.Code != sms.CodeInvalidArgument || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want InvalidArgument containing %q", err, c.want)
			}
			for _, s := range []string{sendKeyA, sendKeyB, "secret"} {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("error names the key: %v", err)
				}
			}
		})
	}
}

func TestCapabilitiesAndSenders(t *testing.T) {
	f := newFake(t, sendKeyA)
	p := newSendProvider(t, f, Config{}, nil)
	c := p.Capabilities()
	if c.MaxRecipients != 100 || c.MaxBody != 2048 || c.BodyUnit != sms.UnitUTF16 || !c.IdempotentSends || !c.DeliveryReports || !c.Inbound {
		t.Fatalf("%+v", c)
	}
	for _, st := range []sms.SenderType{sms.SenderTollFree, sms.SenderLongCode, sms.SenderShortCode, sms.SenderAlphanumeric} {
		if !c.SupportsSender(st) {
			t.Errorf("%v not supported", st)
		}
	}
	if c.SupportsSender(sms.SenderPool) {
		t.Error("pool supported")
	}
	if newSendProvider(t, f, Config{}, &Options{DisableDeliveryReports: true}).Capabilities().DeliveryReports {
		t.Error("DeliveryReports with reports disabled")
	}
	client := sms.NewClient(p, nil)
	for _, s := range []struct {
		v  string
		ok bool
	}{
		{"12345", true}, {"123456", true}, {"1234", false}, {"1234567", false},
		{"Contoso", true}, {"Contoso-1 & Co", false} /* 14 chars */, {"A+B_C&D-E 1", true}, {"Contoso.", false}, {"Café", false},
		{"+14155550100", true}, {"+18005550100", true},
	} {
		_, err := client.Validate(&sms.Message{To: []string{"+14155550101"}, From: sms.Sender{Value: s.v}, Body: "x"})
		if (err == nil) != s.ok {
			t.Errorf("sender %q: err %v, want ok=%v", s.v, err, s.ok)
		}
		if err != nil && sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("sender %q: %v", s.v, err)
		}
	}
	// The body limit is in UTF-16 units: 1024 emoji are 2048 units, one more is over.
	long := strings.Repeat("🚀", 1024)
	if _, err := client.Validate(&sms.Message{To: []string{"+14155550101"}, From: sms.Sender{Value: sender}, Body: long}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Validate(&sms.Message{To: []string{"+14155550101"}, From: sms.Sender{Value: sender}, Body: long + "x"}); sms.ErrorCode(err) != sms.CodeInvalidArgument {
		t.Fatalf("2049 units accepted: %v", err)
	}
}

func TestSendBody(t *testing.T) {
	f := newFake(t, sendKeyA)
	p := newSendProvider(t, f, Config{}, nil)
	first := time.Date(2026, 3, 1, 10, 20, 30, 0, time.FixedZone("CET", 3600))
	msg := testMsg("+14155550100", "+14155550101")
	msg.IdempotencyKey, msg.FirstAttempt = "key-1", first
	res, err := p.Send(context.Background(), msg)
	if err != nil || len(res) != 2 || !res[0].OK() || !res[1].OK() || res[0].Status != sms.StatusAccepted || res[0].MessageID == "" {
		t.Fatalf("%v %+v", err, res)
	}
	r := f.requests()[0]
	if r.Method != "POST" || r.URI != "/sms?api-version=2021-03-07" || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Accept") != "application/json" {
		t.Fatalf("%s %s %v", r.Method, r.URI, r.Header)
	}
	want := `{"from":"+18005550100","smsRecipients":[` +
		`{"to":"+14155550100","repeatabilityRequestId":"` + RepeatabilityID("key-1", "+14155550100") + `","repeatabilityFirstSent":"Sun, 01 Mar 2026 09:20:30 GMT"},` +
		`{"to":"+14155550101","repeatabilityRequestId":"` + RepeatabilityID("key-1", "+14155550101") + `","repeatabilityFirstSent":"Sun, 01 Mar 2026 09:20:30 GMT"}],` +
		`"message":"Hello & welcome","smsSendOptions":{"enableDeliveryReport":true,"tag":"ref-1"}}`
	if string(r.Body) != want {
		t.Fatalf("body\n got %s\nwant %s", r.Body, want)
	}

	// No reference: no tag; reports disabled; no key and no first attempt: a fresh id and now.
	now := time.Date(2026, 5, 5, 5, 5, 5, 0, time.UTC)
	p2 := newSendProvider(t, f, Config{}, &Options{DisableDeliveryReports: true, Now: func() time.Time { return now }})
	m2 := testMsg("+14155550100")
	m2.Reference = ""
	if _, err := p2.Send(context.Background(), m2); err != nil {
		t.Fatal(err)
	}
	r2 := f.requests()[1]
	if !bytes.Contains(r2.Body, []byte(`"smsSendOptions":{"enableDeliveryReport":false}}`)) ||
		r2.Send.Recipients[0].FirstSent != "Tue, 05 May 2026 05:05:05 GMT" || len(r2.Send.Recipients[0].ID) != 36 {
		t.Fatalf("%s", r2.Body)
	}
}

func TestValidity(t *testing.T) {
	f := newFake(t, sendKeyA)
	cases := []struct {
		version  string
		validity time.Duration
		field    string // expected JSON fragment; "" = error
	}{
		{"", 5 * time.Minute, `"validityPeriodSeconds":300`},
		{"2021-03-07", 18000 * time.Second, `"validityPeriodSeconds":18000`},
		{"2021-03-07", 18001 * time.Second, ""},
		{"2021-03-07", 500 * time.Millisecond, ""},
		{"2024-02-05", time.Hour, `"validityPeriodSeconds":3600`},
		{"2025-05-29-preview", time.Hour, `"validityPeriodSeconds":3600`},
		{"2025-09-17", time.Hour, `"deliveryReportTimeoutInSeconds":3600`},
		{"2026-01-23", 12 * time.Hour, `"deliveryReportTimeoutInSeconds":43200`},
		{"2026-01-23", 30 * time.Second, ""},
		{"2026-01-23", 13 * time.Hour, ""},
		{"2026-01-23", 0, `"enableDeliveryReport":true,"tag":"ref-1"}`},
	}
	for _, c := range cases {
		p := newSendProvider(t, f, Config{}, &Options{APIVersion: c.version})
		msg := testMsg("+14155550100")
		msg.Validity = c.validity
		n := len(f.requests())
		_, err := p.Send(context.Background(), msg)
		if c.field == "" {
			if e := errOf(t, err); e.Code != sms.CodeInvalidArgument || !e.NotAccepted || len(f.requests()) != n {
				t.Errorf("%s %v: %v", c.version, c.validity, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s %v: %v", c.version, c.validity, err)
		}
		r := f.requests()[n]
		if !bytes.Contains(r.Body, []byte(c.field)) {
			t.Errorf("%s %v: %s", c.version, c.validity, r.Body)
		}
		if v := c.version; v != "" && r.URI != "/sms?api-version="+v {
			t.Errorf("URI %s", r.URI)
		}
	}
}

// The spec's example response (vendors/acs.md §8) maps item by item.
func TestPerRecipientResults(t *testing.T) {
	f := newFake(t, sendKeyA)
	to := []string{"+11234567890", "+11234567891", "+112345678901", "+11234567892", "+11234567893", "+11234567894", "+11234567895", "+11234567896", "+11234567897"}
	f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
		w.Header().Set("Retry-After", "7")
		w.Header().Set("MS-CV", "cv-1")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"value": [
  {"to": "+11234567890", "messageId": "Outgoing_1", "httpStatusCode": 202, "successful": true},
  {"to": "+11234567891", "messageId": "Outgoing_2", "httpStatusCode": 202, "successful": true, "repeatabilityResult": "accepted"},
  {"to": "+112345678901", "httpStatusCode": 400, "errorMessage": "Invalid To phone number format.", "successful": false},
  {"to": "+11234567892", "messageId": "Outgoing_3", "httpStatusCode": 503, "errorMessage": "ServiceUnavailable", "successful": false},
  {"to": "+11234567893", "httpStatusCode": 400, "repeatabilityResult": "rejected", "errorMessage": "Request sent with Invalid DateTime value for repeatability-first-sent. Expected is DateTime ,RFC1123 pattern.", "successful": false},
  {"to": "+11234567894", "httpStatusCode": 429, "errorMessage": "TooManyRequests", "successful": false},
  {"to": "+11234567895", "httpStatusCode": 202, "successful": true},
  {"to": "+10000000000", "messageId": "Outgoing_9", "httpStatusCode": 202, "successful": true},
  {"to": "11234567897", "httpStatusCode": 302, "successful": false}]}`)
		return true
	})
	p := newSendProvider(t, f, Config{}, nil)
	res, err := p.Send(context.Background(), testMsg(to...))
	if err != nil || len(res) != len(to) {
		t.Fatalf("%v %d", err, len(res))
	}
	want := []struct {
		code        sms.Code
		notAccepted bool
		ok          bool
	}{
		{ok: true}, {ok: true},
		{sms.CodeInvalidRecipient, true, false},
		{sms.CodeOutcomeUnknown, false, false}, // a 5xx: ACS documents none as "not processed"
		{sms.CodeInvalidArgument, true, false},
		{sms.CodeRateLimited, true, false},
		{sms.CodeOutcomeUnknown, false, false}, // successful without an id
		{sms.CodeOutcomeUnknown, false, false}, // another number at this position
		{sms.CodeOutcomeUnknown, false, false}, // an unexpected status ("+" omitted in "to" is fine)
	}
	for i, w := range want {
		r := res[i]
		if r.To != to[i] {
			t.Errorf("%d: To %s", i, r.To)
		}
		if w.ok {
			if !r.OK() || r.MessageID != fmt.Sprintf("Outgoing_%d", i+1) || r.Status != sms.StatusAccepted {
				t.Errorf("%d: %+v", i, r)
			}
			continue
		}
		e := errOf(t, r.Err)
		if e.Code != w.code || e.NotAccepted != w.notAccepted || e.Provider != Name || e.RequestID != "cv-1" || r.MessageID != "" {
			t.Errorf("%d: %+v", i, e)
		}
	}
	if e := errOf(t, res[5].Err); e.RetryAfter != 7*time.Second || e.HTTPStatus != 429 {
		t.Errorf("429 item: %+v", e)
	}
	if e := errOf(t, res[2].Err); e.Message != "Invalid To phone number format." || e.HTTPStatus != 400 {
		t.Errorf("400 item: %+v", e)
	}
}

func TestBrokenSuccessResponses(t *testing.T) {
	for name, body := range map[string]string{
		"not json":   `<html>oops</html>`,
		"no value":   `{}`,
		"short":      `{"value":[{"to":"+14155550100","messageId":"Outgoing_1","httpStatusCode":202,"successful":true}]}`,
		"wrong type": `{"value":"x"}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, sendKeyA)
			f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
				w.WriteHeader(http.StatusAccepted)
				io.WriteString(w, body)
				return true
			})
			p := newSendProvider(t, f, Config{}, nil)
			res, err := p.Send(context.Background(), testMsg("+14155550100", "+14155550101"))
			if err != nil || len(res) != 2 {
				t.Fatal(err, res)
			}
			if e := errOf(t, res[1].Err); e.Code != sms.CodeOutcomeUnknown || e.NotAccepted {
				t.Fatalf("%+v", e)
			}
			if name != "short" && res[0].OK() {
				t.Fatalf("%+v", res[0])
			}
		})
	}
}

// Every request-level error shape maps to the portable code, vendor code, message and
// request id.
func TestRequestErrors(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		header      map[string]string
		body        string
		code        sms.Code
		notAccepted bool
		vendorCode  string
		message     string // substring
		requestID   string
		retryAfter  time.Duration
	}{
		{name: "azure 400", status: 400, header: map[string]string{"X-Ms-Request-Id": "r-400"}, body: `{"error":{"code":"InvalidInput","message":"The from number is invalid.","innerError":{"code":"x"}}}`,
			code: sms.CodeInvalidArgument, notAccepted: true, vendorCode: "InvalidInput", message: "The from number is invalid.", requestID: "r-400"},
		{name: "rfc7807 400", status: 400, body: `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"To":["bad to"],"From":["bad from","again"]},"traceId":"00-abc-01"}`,
			code: sms.CodeInvalidArgument, notAccepted: true, message: "One or more validation errors occurred. (From: bad from again; To: bad to)", requestID: "00-abc-01"},
		{name: "401", status: 401, header: map[string]string{"MS-CV": "cv-401"}, body: `{"error":{"code":"Denied","message":"Denied by the resource provider."}}`,
			code: sms.CodeUnauthenticated, notAccepted: true, vendorCode: "Denied", message: "Denied by the resource provider.", requestID: "cv-401"},
		{name: "403", status: 403, body: `{"error":{"code":"Forbidden","message":"no"}}`, code: sms.CodePermissionDenied, notAccepted: true, vendorCode: "Forbidden"},
		{name: "404 problem", status: 404, body: `{"type":"x","title":"Not Found","status":404,"traceId":"00-t-00"}`, code: sms.CodeNotFound, notAccepted: true, message: "Not Found", requestID: "00-t-00"},
		{name: "429 retry-after", status: 429, header: map[string]string{"Retry-After": "3"}, code: sms.CodeRateLimited, notAccepted: true, retryAfter: 3 * time.Second, message: "Too Many Requests"},
		{name: "429 retry-after-ms", status: 429, header: map[string]string{"Retry-After-Ms": "1500", "Retry-After": "9"}, body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`,
			code: sms.CodeRateLimited, notAccepted: true, retryAfter: 1500 * time.Millisecond, vendorCode: "TooManyRequests"},
		{name: "429 x-ms-retry-after-ms", status: 429, header: map[string]string{"X-Ms-Retry-After-Ms": "250"}, code: sms.CodeRateLimited, notAccepted: true, retryAfter: 250 * time.Millisecond},
		{name: "500", status: 500, body: `{"error":{"code":"InternalServerError","message":"boom"}}`, code: sms.CodeOutcomeUnknown, vendorCode: "InternalServerError", message: "boom"},
		// An unparsed body never becomes the message: the status text does.
		{name: "502 html", status: 502, body: "<html>\n<body>Bad gateway</body></html>", code: sms.CodeOutcomeUnknown, message: "Bad Gateway"},
		// ACS documents no 5xx as "not processed": a 503 after the request was written may
		// have been processed.
		{name: "503", status: 503, header: map[string]string{"Retry-After": "2"}, code: sms.CodeOutcomeUnknown, retryAfter: 2 * time.Second, message: "Service Unavailable"},
		{name: "odd shape", status: 400, body: `{"errors":[1,2],"error":"text"}`, code: sms.CodeInvalidArgument, notAccepted: true, message: "Bad Request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t, sendKeyA)
			f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
				for k, v := range c.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
				return true
			})
			p := newSendProvider(t, f, Config{}, nil)
			// A request that failed as a whole is (nil, err): sms.Client copies err to every
			// recipient.
			res, err := p.Send(context.Background(), testMsg("+14155550100", "+14155550101"))
			require.Nil(t, res)
			e := errOf(t, err)
			if e.Code != c.code || e.NotAccepted != c.notAccepted || e.HTTPStatus != c.status || e.VendorCode != c.vendorCode ||
				!strings.Contains(e.Message, c.message) || e.RequestID != c.requestID || e.RetryAfter != c.retryAfter || e.Provider != Name {
				t.Fatalf("got %+v", e)
			}
			if len(f.requests()) != 1 {
				t.Fatalf("%d requests: the pipeline must make one attempt", len(f.requests()))
			}
		})
	}
}

// 250 recipients through sms.Client: three requests of 100, 100 and 50, every recipient with
// its own repeatability id and the same first-sent date.
func TestClientSplitsAt100(t *testing.T) {
	f := newFake(t, sendKeyA)
	p := newSendProvider(t, f, Config{}, nil)
	to := make([]string, 250)
	for i := range to {
		to[i] = fmt.Sprintf("+1415555%04d", i)
	}
	msg := testMsg(to...)
	msg.IdempotencyKey = "split"
	msg.FirstAttempt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res, err := sms.NewClient(p, nil).Send(context.Background(), msg)
	if err != nil || len(res) != 250 {
		t.Fatal(err, len(res))
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	sizes := map[int]int{}
	ids := map[string]bool{}
	for _, r := range reqs {
		sizes[len(r.Send.Recipients)]++
		for _, rc := range r.Send.Recipients {
			if ids[rc.ID] || rc.ID != RepeatabilityID("split", rc.To) || rc.FirstSent != "Fri, 02 Jan 2026 03:04:05 GMT" {
				t.Fatalf("%+v", rc)
			}
			ids[rc.ID] = true
		}
	}
	if sizes[100] != 2 || sizes[50] != 1 {
		t.Fatalf("chunk sizes %v", sizes)
	}
	for i, r := range res {
		if !r.OK() || r.To != to[i] || r.Attempts != 1 {
			t.Fatalf("%d: %+v", i, r)
		}
	}
}

// A per-recipient 503 is retried by sms.Client for that recipient only, with the same
// repeatability id and first-sent date, which equal the ones derived from the message.
func TestRetryKeepsRepeatability(t *testing.T) {
	for _, set := range []bool{true, false} {
		t.Run(fmt.Sprintf("FirstAttempt set=%v", set), func(t *testing.T) {
			f := newFake(t, sendKeyA)
			p := newSendProvider(t, f, Config{}, nil)
			f.failNext("+14155550101", 503)
			client, clk := noSleepClient(p)
			msg := testMsg("+14155550100", "+14155550101", "+14155550102")
			first := clk.Now() // what the client uses when FirstAttempt is zero
			if set {
				first = time.Date(2025, 12, 24, 18, 0, 0, 0, time.UTC)
				msg.FirstAttempt = first
			}
			res, err := client.Send(context.Background(), msg)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if !r.OK() {
					t.Fatalf("%d: %v", i, r.Err)
				}
			}
			if res[1].Attempts != 2 || res[0].Attempts != 1 {
				t.Fatalf("attempts %d %d", res[0].Attempts, res[1].Attempts)
			}
			reqs := f.requests()
			if len(reqs) != 2 || len(reqs[1].Send.Recipients) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			a, b := reqs[0].Send.Recipients[1], reqs[1].Send.Recipients[0]
			if a != b || a.To != "+14155550101" {
				t.Fatalf("retry changed the repeatability fields:\n%+v\n%+v", a, b)
			}
			if a.FirstSent != first.UTC().Format(http.TimeFormat) {
				t.Fatalf("first-sent %q, want %v", a.FirstSent, first)
			}
			if reqs[0].Header.Get("X-Ms-Date") == "" || len(clk.Sleeps()) != 1 {
				t.Fatal("no date or no backoff")
			}
		})
	}
}

// resetAfterRead answers by reading the whole request and then resetting the connection
// (SO_LINGER 0): the request was written and maybe processed, the client gets no answer.
func resetAfterRead(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// A reset after the request was written is retried by sms.Client (the sends are idempotent),
// and the server sees the same repeatability ids twice.
func TestResetAfterWriteRetriedWithSameIDs(t *testing.T) {
	f := newFake(t, sendKeyA)
	f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
		if n == 0 {
			resetAfterRead(w)
			return true
		}
		return false
	})
	p := newSendProvider(t, f, Config{}, nil)
	client, _ := noSleepClient(p)
	res, err := client.Send(context.Background(), testMsg("+14155550100", "+14155550101"))
	if err != nil || !res[0].OK() || !res[1].OK() || res[0].Attempts != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i := range 2 {
		if reqs[0].Send.Recipients[i] != reqs[1].Send.Recipients[i] {
			t.Fatalf("ids changed: %+v vs %+v", reqs[0].Send.Recipients[i], reqs[1].Send.Recipients[i])
		}
	}
	if reqs[0].Header.Get("Authorization") == "" || reqs[0].KeyIndex != 0 || reqs[1].KeyIndex != 0 {
		t.Fatal("not signed")
	}
}

// A 401 with a secondary key configured is re-signed with it within the same Send; once it
// works, it is tried first.
func TestSecondaryKeyRotation(t *testing.T) {
	f := newFake(t, sendKeyB) // the portal regenerated the primary
	var logs bytes.Buffer
	p := newSendProvider(t, f, Config{AccessKey: sms.NewSecret(sendKeyA), SecondaryAccessKey: sms.NewSecret(sendKeyB)},
		&Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	res, err := p.Send(context.Background(), testMsg("+14155550100"))
	if err != nil || !res[0].OK() {
		t.Fatal(err, res)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].KeyIndex != -1 || reqs[1].KeyIndex != 0 {
		t.Fatalf("%d requests", len(reqs))
	}
	if reqs[0].Send.Recipients[0] != reqs[1].Send.Recipients[0] {
		t.Fatal("re-signed request changed its body")
	}
	if p.cur.Load() != 1 || !strings.Contains(logs.String(), "secondary") {
		t.Fatalf("secondary not kept: %d %s", p.cur.Load(), logs.String())
	}
	// Later sends (and fetches) start with the secondary: one request each.
	if _, err := p.Send(context.Background(), testMsg("+14155550100")); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 3 {
		t.Fatalf("%d requests", n)
	}

	// The keys are swapped back in the portal: the primary works again.
	f.setKeys(sendKeyA)
	if _, err := p.Send(context.Background(), testMsg("+14155550100")); err != nil {
		t.Fatal(err)
	}
	if p.cur.Load() != 0 || len(f.requests()) != 5 {
		t.Fatalf("primary not restored: %d %d", p.cur.Load(), len(f.requests()))
	}

	// Neither key works: Unauthenticated, not accepted, two requests, no results.
	f.setKeys("b3RoZXI=")
	res, err = p.Send(context.Background(), testMsg("+14155550100"))
	if e := errOf(t, err); res != nil || e.Code != sms.CodeUnauthenticated || !e.NotAccepted || e.VendorCode != "Denied" || len(f.requests()) != 7 {
		t.Fatalf("%v %+v %d", err, res, len(f.requests()))
	}
	// Without a secondary key a 401 is one request.
	p1 := newSendProvider(t, f, Config{}, nil)
	if _, err := p1.Send(context.Background(), testMsg("+14155550100")); sms.ErrorCode(err) != sms.CodeUnauthenticated || len(f.requests()) != 8 {
		t.Fatal(err)
	}
	for _, s := range []string{sendKeyA, sendKeyB} {
		if strings.Contains(logs.String(), s) {
			t.Fatal("key in logs")
		}
	}
}

// Concurrent sends during a rotation all succeed and never disagree about the key for long.
func TestSecondaryKeyRotationConcurrent(t *testing.T) {
	f := newFake(t, sendKeyB)
	p := newSendProvider(t, f, Config{AccessKey: sms.NewSecret(sendKeyA), SecondaryAccessKey: sms.NewSecret(sendKeyB)}, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			res, err := p.Send(context.Background(), testMsg(fmt.Sprintf("+1415555%04d", i)))
			if err != nil || !res[0].OK() {
				t.Error(err, res)
			}
		})
	}
	wg.Wait()
	if p.cur.Load() != 1 {
		t.Fatal("secondary not kept")
	}
}

func TestConnectionStringSends(t *testing.T) {
	f := newFake(t, sendKeyA)
	p := newSendProvider(t, f, Config{ConnectionString: sms.NewSecret("endpoint=" + f.URL + "/;accesskey=" + sendKeyA)}, nil)
	if res, err := p.Send(context.Background(), testMsg("+14155550100")); err != nil || !res[0].OK() {
		t.Fatal(err, res)
	}
	// BaseURL overrides the origin; the signature covers what is sent.
	f2 := newFake(t, sendKeyA)
	p2 := newSendProvider(t, f2, Config{Endpoint: "https://contoso.communication.azure.com"}, &Options{BaseURL: f2.URL + "/"})
	if res, err := p2.Send(context.Background(), testMsg("+14155550100")); err != nil || !res[0].OK() {
		t.Fatal(err, res)
	}
	if r := f2.requests()[0]; r.KeyIndex != 0 || r.Host != strings.TrimPrefix(f2.URL, "http://") {
		t.Fatalf("%+v", r)
	}
}

func TestSendArguments(t *testing.T) {
	f := newFake(t, sendKeyA)
	p := newSendProvider(t, f, Config{}, nil)
	if _, err := p.Send(context.Background(), &sms.Message{}); sms.ErrorCode(err) != sms.CodeInvalidArgument {
		t.Fatal(err)
	}
	to := make([]string, 101)
	for i := range to {
		to[i] = fmt.Sprintf("+1415555%04d", i)
	}
	if _, err := p.Send(context.Background(), testMsg(to...)); sms.ErrorCode(err) != sms.CodeInvalidArgument {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := p.Send(ctx, testMsg("+14155550100")); res != nil || err != context.Canceled {
		t.Fatalf("%v %v", res, err)
	}
	if len(f.requests()) != 0 {
		t.Fatal("requests made")
	}
}

func TestFetchStatus(t *testing.T) {
	f := newFake(t, sendKeyA)
	var mu sync.Mutex
	fails := 1
	f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
		if fr.Method != http.MethodGet {
			return false
		}
		if fr.KeyIndex < 0 {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.HasPrefix(fr.URI, "/deliveryReports/flaky?"):
			if fails > 0 {
				fails--
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			io.WriteString(w, `{"deliveryStatus":"Delivered","deliveryStatusDetails":"2000: No Error","messageId":"flaky"}`)
		case strings.HasPrefix(fr.URI, "/deliveryReports/Outgoing_1?"):
			io.WriteString(w, `{"deliveryStatus": "Delivered", "deliveryStatusDetails": "2000: No Error",
"deliveryAttempts": [{"timestamp": "2025-08-12T14:40:00Z", "segmentsSucceeded": 2, "segmentsFailed": 0},
{"timestamp": "2025-08-12T14:35:00Z", "segmentsSucceeded": 1, "segmentsFailed": 1}], "receivedTimestamp":
"2025-08-12T14:40:00.1234567Z", "tag": "customer-tag", "messageId": "Outgoing_1", "from": "+1234567890", "to": "+0987654321"}`)
		case strings.HasPrefix(fr.URI, "/deliveryReports/Outgoing_2?"):
			io.WriteString(w, `{"deliveryStatus":"Failed","deliveryStatusDetails":"4004: Destination number does not exist","messageId":"Outgoing_2"}`)
		case strings.HasPrefix(fr.URI, "/deliveryReports/garbage?"):
			io.WriteString(w, `nope`)
		default:
			return false // 404 problem+json
		}
		return true
	})
	p := newSendProvider(t, f, Config{}, nil)
	ctx := context.Background()
	r, err := p.FetchDeliveryReport(ctx, "Outgoing_1")
	if err != nil || r.Status != sms.StatusDelivered || r.ErrorCode != "2000" || r.Tag != "customer-tag" || len(r.Attempts) != 2 ||
		r.Attempts[0].SegmentsSucceeded != 2 || r.Received.Nanosecond() != 123456700 || r.To != "+0987654321" {
		t.Fatalf("%v %+v", err, r)
	}
	if got := f.requests()[0].URI; got != "/deliveryReports/Outgoing_1?api-version=2026-01-23" {
		t.Fatal(got)
	}
	if st, err := p.FetchStatus(ctx, "Outgoing_2"); err != nil || st != sms.StatusUndelivered {
		t.Fatal(st, err)
	}
	if st, err := p.FetchStatus(ctx, "missing"); st != sms.StatusUnknown || sms.ErrorCode(err) != sms.CodeNotFound || errOf(t, err).RequestID == "" {
		t.Fatal(st, err)
	}
	n := len(f.requests())
	if st, err := p.FetchStatus(ctx, "flaky"); err != nil || st != sms.StatusDelivered || len(f.requests()) != n+2 {
		t.Fatalf("fetch not retried: %v %v %d", st, err, len(f.requests())-n)
	}
	if _, err := p.FetchStatus(ctx, "garbage"); sms.ErrorCode(err) != sms.CodeInternal {
		t.Fatal(err)
	}
	for _, id := range []string{"", "a/b", "a?b"} {
		if _, err := p.FetchStatus(ctx, id); sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Fatal(id, err)
		}
	}
	// The path is escaped, and the escaped form is what is signed.
	if _, err := p.FetchStatus(ctx, "Outgoing a+b%c"); sms.ErrorCode(err) != sms.CodeNotFound {
		t.Fatal(err)
	}
	last := f.requests()[len(f.requests())-1]
	if last.URI != "/deliveryReports/Outgoing%20a+b%25c?api-version=2026-01-23" || last.KeyIndex != 0 {
		t.Fatalf("%s signed=%v", last.URI, last.KeyIndex)
	}
}

// No credential is printed by any formatting path, in JSON, in slog, or in errors and logs
// of a failing send.
func TestNoSecretLeaks(t *testing.T) {
	f := newFake(t, "b3RoZXI=")
	secrets := []string{sendKeyA, sendKeyB, "send-test-key"}
	cs := "endpoint=" + f.URL + "/;accesskey=" + sendKeyA
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	text := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var dumps []string
	for _, cfg := range []Config{
		{ConnectionString: sms.NewSecret(cs), SecondaryAccessKey: sms.NewSecret(sendKeyB), CallbackPassword: sms.NewSecret(sendKeyB), CallbackTokens: []sms.Secret{sms.NewSecret(sendKeyA)}},
		{Endpoint: f.URL, AccessKey: sms.NewSecret(sendKeyA), SecondaryAccessKey: sms.NewSecret(sendKeyB)},
	} {
		p, err := New(cfg, &Options{Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		client := sms.NewClient(p, &sms.ClientOptions{Logger: logger})
		_, err = client.Send(context.Background(), testMsg("+14155550100"))
		if sms.ErrorCode(err) != sms.CodeUnauthenticated {
			t.Fatal(err)
		}
		e := errOf(t, err)
		js, _ := json.Marshal(cfg)
		jp, _ := json.Marshal(p)
		logger.Info("dump", "cfg", cfg, "p", p, "err", err)
		text.Info("dump", "cfg", cfg, "p", p, "err", err)
		dumps = append(dumps, fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), fmt.Sprintf("%v %+v %#v %s", p, p, p, p),
			fmt.Sprintf("%v %+v %#v", p.keys, p.keys, p.keys), fmt.Sprintf("%v %+v %#v %s", err, err, e, e), string(js), string(jp))
	}
	all := strings.Join(append(dumps, logs.String()), "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Fatalf("secret %q leaked:\n%s", s, all)
		}
	}
	if !strings.Contains(all, "acs.Provider{endpoint=") {
		t.Fatalf("provider not described: %s", all)
	}
}

func TestRepeatabilityID(t *testing.T) {
	// The namespace and an id, cross-checked with Python's uuid.uuid5.
	if got := norm.FormatUUID(repeatabilityNamespace); got != "55a4dde6-2a6b-5768-b7ca-17ed7e7257f0" {
		t.Fatal(got)
	}
	if got := RepeatabilityID("order-42", "+14155550100"); got != "bd0c3480-6af1-5f9e-b80d-863a6501c68f" {
		t.Fatal(got)
	}
	a := RepeatabilityID("k", "+14155550100")
	if a != RepeatabilityID("k", "+14155550100") || a == RepeatabilityID("k", "+14155550101") || a == RepeatabilityID("k2", "+14155550100") {
		t.Fatal("not a function of key and recipient")
	}
	if len(a) != 36 || a[8] != '-' || a[13] != '-' || a[18] != '-' || a[23] != '-' || a[14] != '5' || !strings.ContainsRune("89ab", rune(a[19])) || strings.ToLower(a) != a {
		t.Fatal(a)
	}
}

// BenchmarkSend compares a send through sms.Client and the azcore pipeline with a bare
// net/http POST of the same signed body, on the same loopback server.
func BenchmarkSend(b *testing.B) {
	resp := []byte(`{"value":[{"to":"+14155550100","messageId":"Outgoing_1","httpStatusCode":202,"repeatabilityResult":"accepted","successful":true}]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write(resp)
	}))
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	msg := testMsg("+14155550100")
	msg.IdempotencyKey, msg.FirstAttempt = "bench", time.Now()

	p, err := New(Config{Endpoint: srv.URL, AccessKey: sms.NewSecret(sendKeyA)}, &Options{HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	body, _ := p.sendBody(msg)
	target := srv.URL + "/sms?api-version=" + DefaultAPIVersion
	key, _ := acssign.DecodeKey(sendKeyA)
	date := time.Now().UTC().Format(http.TimeFormat)
	hash := acssign.ContentHash(body)
	auth := acssign.AuthorizationHeader(acssign.Sign(key, acssign.StringToSign("POST", "/sms?api-version="+DefaultAPIVersion, date, strings.TrimPrefix(srv.URL, "http://"), hash)))

	// The library always bounds a send (httpx.DefaultTimeout through http.Client.Timeout,
	// which costs net/http a deadline context and a timer per request). "bare-net-http" does
	// without, the stricter baseline; "bare-net-http-timeout" does the same work as the
	// library, with the same Timeout on a client sharing the connection pool.
	hcTimeout := &http.Client{Transport: hc.Transport, Timeout: httpx.DefaultTimeout}
	bareWith := func(hc *http.Client) func(b *testing.B) {
		return func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-Ms-Date", date)
			req.Header.Set("X-Ms-Content-Sha256", hash)
			req.Header.Set("Authorization", auth)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				Value []sendItem `json:"value"`
			}
			rb, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 202 || json.Unmarshal(rb, &out) != nil || !out.Value[0].Successful {
				b.Fatal(resp.StatusCode)
			}
		}
	}
	bare, bareTimeout := bareWith(hc), bareWith(hcTimeout)
	c := sms.NewClient(p, nil)
	ours := func(b *testing.B) {
		res, err := c.Send(context.Background(), msg)
		if err != nil || !res[0].OK() {
			b.Fatal(err, res)
		}
	}
	b.Run("bare-net-http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bare(b)
		}
	})
	b.Run("bare-net-http-timeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bareTimeout(b)
		}
	})
	b.Run("smsbridge", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ours(b)
		}
	})
	b.Run("paired", func(b *testing.B) { benchPaired(b, bare, ours) })
	b.Run("paired-timeout", func(b *testing.B) { benchPaired(b, bareTimeout, ours) })
}

// benchPaired alternates the baseline and the measured operation in one loop, so that both
// see the same load on a busy machine, and reports the ratio of their total times as
// "x-baseline" (ns/op is one baseline plus one measured operation).
func benchPaired(b *testing.B, baseline, measured func(*testing.B)) {
	var tb, tm time.Duration
	for b.Loop() {
		t0 := time.Now()
		baseline(b)
		t1 := time.Now()
		measured(b)
		tm += time.Since(t1)
		tb += t1.Sub(t0)
	}
	b.ReportMetric(float64(tm)/float64(tb), "x-baseline")
}

// A first attempt answered 500 (it may have been processed) and a retry answered 429 leave
// the recipient OutcomeUnknown, not "not accepted": the refusal of the retry proves nothing
// about the first attempt, so no failover or resend may follow.
func TestOutcomeUnknownThenRefusalStaysUnknown(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	p, err := New(Config{Endpoint: srv.URL, AccessKey: sms.NewSecret("c2VjcmV0")}, nil)
	require.NoError(t, err)
	c := sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}, Retry: sms.RetryPolicy{MaxAttempts: 2}})
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+18005550100"}, Body: "hi"})
	require.Len(t, res, 1)
	require.Equal(t, int32(2), n.Load())
	require.False(t, sms.IsNotAccepted(res[0].Err), "%v", res[0].Err)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(res[0].Err))
	require.False(t, sms.IsNotAccepted(err), "%v", err)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err))
}

// A proxy or vendor page that echoes the request (Authorization included) never gets into an
// error: only the documented error fields and the status text do.
func TestErrorsNeverEchoTheRequest(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusInternalServerError, http.StatusBadGateway} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFake(t, sendKeyA)
			f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
				w.WriteHeader(status)
				_ = fr.Header.Write(w) // every request header, as a debugging proxy would
				return true
			})
			var logs bytes.Buffer
			p := newSendProvider(t, f, Config{}, &Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			client := sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			res, err := client.Send(context.Background(), testMsg("+14155550100"))
			all := fmt.Sprintf("%v %+v", err, err)
			for _, r := range res {
				all += fmt.Sprintf(" %v %+v", r.Err, r)
			}
			require.Contains(t, all, http.StatusText(status), "the send failed with the status")
			auth := f.requests()[0].Header.Get("Authorization")
			require.NotEmpty(t, auth)
			sig := auth[strings.LastIndex(auth, "=")-20:]
			all += logs.String()
			require.NotContains(t, all, sig)
			require.NotContains(t, all, "HMAC-SHA256")
		})
	}
}

// CloseIdleConnections (sms.IdleCloser, forwarded by sms.Client) closes the keep-alive
// connection a send left idle: the server sees it closed.
func TestCloseIdleConnections(t *testing.T) {
	f := &fakeACS{keys: []string{sendKeyA}, fail: map[string][]int{}}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	closed := make(chan struct{}, 8)
	f.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	f.Start()
	t.Cleanup(f.Close)
	p := newSendProvider(t, f, Config{}, &Options{HTTPClient: &http.Client{Transport: &http.Transport{}}})
	var c sms.Provider = sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), testMsg("+14155550100"))
	require.NoError(t, err)
	require.True(t, res[0].OK())
	require.Empty(t, closed, "the connection was closed before CloseIdleConnections")
	ic, ok := c.(sms.IdleCloser)
	require.True(t, ok, "sms.Client forwards CloseIdleConnections")
	ic.CloseIdleConnections()
	<-closed // the test times out if the idle connection is never closed
	// The provider stays usable.
	res, err = c.Send(context.Background(), testMsg("+14155550100"))
	require.NoError(t, err)
	require.True(t, res[0].OK())
}
