package twiliotest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
)

const (
	sender    = "+15005550006" // Twilio's magic "valid" From
	recipient = "+14155550100"
	apiKeySID = "SK0123456789abcdef0123456789abcdef"
	apiSecret = "api-key-secret-0123456789"
	otherSID  = "AC0000000000000000000000000000beef"
	badToken  = "ffffffffffffffffffffffffffffffff"
)

var (
	smsSID    = regexp.MustCompile(`^SM[0-9a-f]{32}$`)
	requestID = regexp.MustCompile(`^RQ[0-9a-f]{32}$`)
)

func ctxT(t *testing.T) context.Context { return emutest.Context(t) }

func newServer(t *testing.T, opts *twiliotest.Options) *twiliotest.Server {
	t.Helper()
	srv := twiliotest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

// newProvider returns a twilio provider talking to srv; edit adjusts the config.
func newProvider(t *testing.T, srv *twiliotest.Server, edit func(*twilio.Config)) *twilio.Provider {
	t.Helper()
	cfg := twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken())}
	if edit != nil {
		edit(&cfg)
	}
	p, err := twilio.New(cfg, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func message(to string) *sms.Message {
	return &sms.Message{To: []string{to}, From: sms.Sender{Type: sms.SenderLongCode, Value: sender}, Body: "Hello from twiliotest"}
}

// apiResponse is a decoded Twilio API answer.
type apiResponse struct {
	Status int
	Header http.Header
	JSON   map[string]any
}

// do sends one raw request to the emulator's API.
func do(t *testing.T, method, target, user, pass, contentType string, body []byte) apiResponse {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return roundTrip(t, req)
}

func roundTrip(t *testing.T, req *http.Request) apiResponse {
	t.Helper()
	resp, b := emutest.Do(t, req)
	out := apiResponse{Status: resp.StatusCode, Header: resp.Header}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out.JSON); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", req.Method, req.URL, err, b)
		}
	}
	return out
}

func messagesURL(srv *twiliotest.Server, account string) string {
	return srv.URL + "/2010-04-01/Accounts/" + account + "/Messages.json"
}

// send posts a create-message form with the server's own credentials.
func send(t *testing.T, srv *twiliotest.Server, form url.Values) apiResponse {
	t.Helper()
	return do(t, http.MethodPost, messagesURL(srv, srv.AccountSID()), srv.AccountSID(), srv.AuthToken(),
		"application/x-www-form-urlencoded", []byte(form.Encode()))
}

// wantTwilioError checks Twilio's error body: {"code", "message", "more_info", "status"}.
func wantTwilioError(t *testing.T, r apiResponse, status, code int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("HTTP %d, want %d (%v)", r.Status, status, r.JSON)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if got, _ := r.JSON["code"].(float64); int(got) != code {
		t.Errorf("code %v, want %d (%v)", r.JSON["code"], code, r.JSON)
	}
	if got, _ := r.JSON["status"].(float64); int(got) != status {
		t.Errorf("status %v, want %d", r.JSON["status"], status)
	}
	if msg, _ := r.JSON["message"].(string); msg == "" {
		t.Errorf("no message in %v", r.JSON)
	}
	if mi, _ := r.JSON["more_info"].(string); mi != "https://www.twilio.com/docs/errors/"+strconv.Itoa(code) {
		t.Errorf("more_info %q", mi)
	}
	if id := r.Header.Get(twilio.RequestIDHeader); !requestID.MatchString(id) {
		t.Errorf("%s %q, want RQ + 32 hex", twilio.RequestIDHeader, id)
	}
}

// wantMessageResource checks the shape of a Message resource.
func wantMessageResource(t *testing.T, m map[string]any, srv *twiliotest.Server, to, from, status, segments string) string {
	t.Helper()
	sid, _ := m["sid"].(string)
	if !smsSID.MatchString(sid) {
		t.Errorf("sid %q, want SM + 32 hex", sid)
	}
	want := map[string]any{
		"status": status, "to": to, "account_sid": srv.AccountSID(), "api_version": "2010-04-01",
		"direction": "outbound-api", "num_media": "0", "num_segments": segments,
		"uri": "/2010-04-01/Accounts/" + srv.AccountSID() + "/Messages/" + sid + ".json",
	}
	if from != "" {
		want["from"] = from
	}
	for k, v := range want {
		if m[k] != v { // num_segments and num_media must be JSON strings
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if from == "" && m["from"] != nil {
		t.Errorf("from = %#v, want null", m["from"])
	}
	for _, k := range []string{"date_created", "date_updated"} {
		s, _ := m[k].(string)
		if _, err := time.Parse(time.RFC1123Z, s); err != nil {
			t.Errorf("%s %q is not RFC 2822: %v", k, s, err)
		}
	}
	for _, k := range []string{"error_code", "error_message", "price", "date_sent"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s = %#v (present %v), want null", k, v, ok)
		}
	}
	return sid
}

// wireFixture is a send request captured from an official Twilio client (testdata/wire).
type wireFixture struct {
	Client     string            `json:"client"`
	Method     string            `json:"method"`
	RequestURI string            `json:"requestURI"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	Want       struct {
		To, From, Body, StatusCallback string
		Segments                       string `json:"num_segments"`
	} `json:"want"`
}

// basicAuth decodes an "Authorization: Basic …" header.
func basicAuth(t *testing.T, h string) (user, pass string) {
	t.Helper()
	b64, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		t.Fatalf("not Basic auth: %q", h)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	if !ok {
		t.Fatalf("no colon in %q", raw)
	}
	return user, pass
}

// hookRecorder is a loopback stand-in for a public webhook host: a CallbackClient routes
// every callback to it, after checking it was addressed to the expected origin, so that no
// public name is ever resolved.
type hookRecorder struct {
	t      *testing.T
	origin string // the scheme://host the callbacks must be addressed to
	srv    *httptest.Server

	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func newHookRecorder(t *testing.T, origin string) *hookRecorder {
	h := &hookRecorder{t: t, origin: origin}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, r)
		h.body = append(h.body, b)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookRecorder) client() *http.Client {
	target, _ := url.Parse(h.srv.URL)
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if got := r.URL.Scheme + "://" + r.URL.Host; got != h.origin {
			return nil, errors.New("callback to unexpected origin " + got)
		}
		r2 := r.Clone(r.Context())
		r2.URL.Scheme, r2.URL.Host = target.Scheme, target.Host
		return http.DefaultTransport.RoundTrip(r2)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestWireCaptures(t *testing.T) {
	files, err := filepath.Glob("testdata/wire/*.json")
	if err != nil || len(files) != 2 {
		t.Fatalf("want the two captures in testdata/wire, got %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fx wireFixture
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatal(err)
			}
			user, pass := basicAuth(t, fx.Headers["Authorization"])
			// The captures were made against the emulator's documented defaults.
			if user != twiliotest.DefaultAccountSID || pass != twiliotest.DefaultAuthToken {
				t.Errorf("capture credentials %s:%s differ from the emulator defaults", user, pass)
			}
			hooks := newHookRecorder(t, "https://hooks.example.com")
			srv := newServer(t, &twiliotest.Options{AccountSID: user, AuthToken: pass, CallbackClient: hooks.client()})

			req, err := http.NewRequest(fx.Method, srv.URL+fx.RequestURI, strings.NewReader(fx.Body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range fx.Headers {
				req.Header.Set(k, v)
			}
			res := roundTrip(t, req)
			if res.Status != http.StatusCreated {
				t.Fatalf("%s replay: HTTP %d %v, want 201", fx.Client, res.Status, res.JSON)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if !requestID.MatchString(res.Header.Get(twilio.RequestIDHeader)) {
				t.Errorf("request id %q", res.Header.Get(twilio.RequestIDHeader))
			}
			sid := wantMessageResource(t, res.JSON, srv, fx.Want.To, fx.Want.From, "queued", fx.Want.Segments)
			if res.JSON["body"] != fx.Want.Body {
				t.Errorf("resource body %q, want %q", res.JSON["body"], fx.Want.Body)
			}

			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("emulator holds %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.SID != sid || m.To != fx.Want.To || m.From != fx.Want.From || m.Body != fx.Want.Body ||
				m.StatusCallback != fx.Want.StatusCallback || m.NumSegments != 1 {
				t.Errorf("recorded message %+v, want body %q from the capture", m, fx.Want.Body)
			}
			if m.Form != fx.Body {
				t.Errorf("Form %q, want the captured body byte for byte", m.Form)
			}
			recs := srv.RecordedRequests()
			if len(recs) != 1 || string(recs[0].Body) != fx.Body || recs[0].Header.Get("Authorization") != fx.Headers["Authorization"] ||
				recs[0].Header.Get("User-Agent") != fx.Headers["User-Agent"] || recs[0].Path != fx.RequestURI {
				t.Fatalf("recorded requests %+v", recs)
			}

			// The StatusCallback of the capture gets Twilio's signed reports.
			if err := srv.WaitCallbacks(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			v, err := twilio.NewVerifier("https://hooks.example.com", sms.NewSecret(pass))
			if err != nil {
				t.Fatal(err)
			}
			hooks.mu.Lock()
			defer hooks.mu.Unlock()
			var statuses []string
			for i, r := range hooks.reqs {
				if r.RequestURI != "/twilio/status?tenant=acme&x=1" || r.Host != "hooks.example.com" {
					t.Errorf("callback to %s%s", r.Host, r.RequestURI)
				}
				if err := v.Verify(r, hooks.body[i]); err != nil {
					t.Errorf("callback %d: %v", i, err)
				}
				f, _ := url.ParseQuery(string(hooks.body[i]))
				if f.Get("MessageSid") != sid || f.Get("To") != fx.Want.To || f.Get("From") != fx.Want.From {
					t.Errorf("callback form %v", f)
				}
				statuses = append(statuses, f.Get("MessageStatus"))
			}
			if strings.Join(statuses, ",") != "sent,delivered" {
				t.Errorf("callbacks %v, want sent then delivered", statuses)
			}
		})
	}
}

func TestDefaultCredentials(t *testing.T) {
	srv := newServer(t, nil)
	if srv.AccountSID() != twiliotest.DefaultAccountSID || srv.AuthToken() != twiliotest.DefaultAuthToken {
		t.Fatalf("defaults %s %s", srv.AccountSID(), srv.AuthToken())
	}
	r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}})
	wantMessageResource(t, r.JSON, srv, recipient, sender, "queued", "1")
}

func TestAuth(t *testing.T) {
	srv := newServer(t, &twiliotest.Options{APIKeySID: apiKeySID, APIKeySecret: apiSecret})
	form := []byte(url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}}.Encode())
	own := messagesURL(srv, srv.AccountSID())
	const ct = "application/x-www-form-urlencoded"

	for _, tc := range []struct {
		name, target, user, pass string
		status, code             int
	}{
		{"no auth", own, "", "", 401, 20003},
		{"wrong token", own, srv.AccountSID(), badToken, 401, 20003},
		{"wrong account", messagesURL(srv, otherSID), otherSID, srv.AuthToken(), 401, 20003},
		{"other account's token user", own, otherSID, srv.AuthToken(), 401, 20003},
		{"api key with wrong secret", own, apiKeySID, "nope", 401, 20003},
		{"valid auth, another account in the path", messagesURL(srv, otherSID), srv.AccountSID(), srv.AuthToken(), 404, 20404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodPost, tc.target, tc.user, tc.pass, ct, form)
			wantTwilioError(t, r, tc.status, tc.code)
			if tc.status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	// Every endpoint checks auth.
	for _, target := range []string{own, srv.URL + "/2010-04-01/Accounts/" + srv.AccountSID() + "/Messages/SM00000000000000000000000000000000.json"} {
		wantTwilioError(t, do(t, http.MethodGet, target, srv.AccountSID(), badToken, "", nil), 401, 20003)
	}
	if len(srv.Messages()) != 0 {
		t.Fatalf("a refused request created %d messages", len(srv.Messages()))
	}

	t.Run("api key", func(t *testing.T) {
		r := do(t, http.MethodPost, own, apiKeySID, apiSecret, ct, form)
		if r.Status != 201 {
			t.Fatalf("API key refused: %d %v", r.Status, r.JSON)
		}
		wantMessageResource(t, r.JSON, srv, recipient, sender, "queued", "1")
		p := newProvider(t, srv, func(c *twilio.Config) {
			c.AuthToken = sms.Secret{}
			c.APIKeySID, c.APIKeySecret = apiKeySID, sms.NewSecret(apiSecret)
		})
		res, err := sms.NewClient(p, nil).Send(ctxT(t), message(recipient))
		if err != nil || !res[0].OK() {
			t.Fatalf("send with an API key: %v %+v", err, res)
		}
		if len(srv.Messages()) != 2 {
			t.Fatalf("%d messages, want 2", len(srv.Messages()))
		}
	})
	t.Run("api key not configured", func(t *testing.T) {
		plain := newServer(t, nil)
		wantTwilioError(t, do(t, http.MethodPost, messagesURL(plain, plain.AccountSID()), apiKeySID, apiSecret, ct, form), 401, 20003)
	})
	t.Run("provider with a bad token", func(t *testing.T) {
		p := newProvider(t, srv, func(c *twilio.Config) { c.AuthToken = sms.NewSecret(badToken) })
		_, err := sms.NewClient(p, nil).Send(ctxT(t), message(recipient))
		var e *sms.Error
		if !errors.As(err, &e) || e.Code != sms.CodeUnauthenticated || e.VendorCode != "20003" || e.HTTPStatus != 401 {
			t.Fatalf("want Unauthenticated 20003, got %v", err)
		}
	})
}

func TestValidation(t *testing.T) {
	srv := newServer(t, nil)
	long := strings.Repeat("a", twilio.MaxBodyChars)
	for _, tc := range []struct {
		name string
		form url.Values
		code int // 0: accepted
	}{
		{"missing To", url.Values{"From": {sender}, "Body": {"hi"}}, 21604},
		{"missing From and MessagingServiceSid", url.Values{"To": {recipient}, "Body": {"hi"}}, 21603},
		{"missing Body", url.Values{"To": {recipient}, "From": {sender}}, 21602},
		{"body of 1601 characters", url.Values{"To": {recipient}, "From": {sender}, "Body": {long + "a"}}, 21617},
		{"body of 1600 characters", url.Values{"To": {recipient}, "From": {sender}, "Body": {long}}, 0},
		{"body of 1600 non-ASCII characters", url.Values{"To": {recipient}, "From": {sender}, "Body": {strings.Repeat("é", 1600)}}, 0},
		{"media without body", url.Values{"To": {recipient}, "From": {sender}, "MediaUrl": {"https://media.example.com/a.jpg"}}, 0},
		{"national To", url.Values{"To": {"4155550100"}, "From": {sender}, "Body": {"hi"}}, 21211},
		{"letters in To", url.Values{"To": {"+1415CALLME"}, "From": {sender}, "Body": {"hi"}}, 21211},
		{"too short To", url.Values{"To": {"+1"}, "From": {sender}, "Body": {"hi"}}, 21211},
		{"invalid From", url.Values{"To": {recipient}, "From": {"not a sender!"}, "Body": {"hi"}}, 21212},
		{"short code From", url.Values{"To": {recipient}, "From": {"2020"}, "Body": {"hi"}}, 0},
		{"alphanumeric From", url.Values{"To": {recipient}, "From": {"Acme"}, "Body": {"hi"}}, 0},
		{"magic To 0001", url.Values{"To": {"+15005550001"}, "From": {sender}, "Body": {"hi"}}, 21211},
		{"magic To 0002", url.Values{"To": {"+15005550002"}, "From": {sender}, "Body": {"hi"}}, 21612},
		{"magic To 0003", url.Values{"To": {"+15005550003"}, "From": {sender}, "Body": {"hi"}}, 21408},
		{"magic To 0004", url.Values{"To": {"+15005550004"}, "From": {sender}, "Body": {"hi"}}, 21610},
		{"magic To 0009", url.Values{"To": {"+15005550009"}, "From": {sender}, "Body": {"hi"}}, 21614},
		{"magic From 0001", url.Values{"To": {recipient}, "From": {"+15005550001"}, "Body": {"hi"}}, 21212},
		{"magic From 0007", url.Values{"To": {recipient}, "From": {"+15005550007"}, "Body": {"hi"}}, 21606},
		{"magic From 0008", url.Values{"To": {recipient}, "From": {"+15005550008"}, "Body": {"hi"}}, 21611},
		{"magic From 0006 is valid", url.Values{"To": {recipient}, "From": {"+15005550006"}, "Body": {"hi"}}, 0},
		{"StatusCallback with an underscore host", url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}, "StatusCallback": {"https://my_host.example.com/s"}}, 21609},
		{"relative StatusCallback", url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}, "StatusCallback": {"/status"}}, 21609},
		{"ValidityPeriod out of range", url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}, "ValidityPeriod": {"36001"}}, 21609},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Messages())
			r := send(t, srv, tc.form)
			if tc.code == 0 {
				if r.Status != 201 {
					t.Fatalf("HTTP %d %v, want 201", r.Status, r.JSON)
				}
				if len(srv.Messages()) != before+1 {
					t.Fatal("accepted message not stored")
				}
				return
			}
			wantTwilioError(t, r, 400, tc.code)
			if len(srv.Messages()) != before {
				t.Fatal("a refused message was stored")
			}
		})
	}

	t.Run("messaging service", func(t *testing.T) {
		r := send(t, srv, url.Values{"To": {recipient}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"}, "Body": {"hi"}})
		if r.Status != 201 {
			t.Fatalf("HTTP %d %v", r.Status, r.JSON)
		}
		wantMessageResource(t, r.JSON, srv, recipient, "", "accepted", "1")
		if r.JSON["messaging_service_sid"] != "MG0123456789abcdef0123456789abcdef" {
			t.Errorf("messaging_service_sid %v", r.JSON["messaging_service_sid"])
		}
	})
	t.Run("segments", func(t *testing.T) {
		r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {strings.Repeat("x", 161)}})
		wantMessageResource(t, r.JSON, srv, recipient, sender, "queued", "2")
	})
}

// TestMagicNumbersThroughProvider sends to each magic To through sms.NewClient and the twilio
// provider, and checks the portable error built from the emulator's answer.
func TestMagicNumbersThroughProvider(t *testing.T) {
	srv := newServer(t, nil)
	c := sms.NewClient(newProvider(t, srv, nil), nil)
	for _, tc := range []struct {
		to       string
		vendor   string
		code     sms.Code
		sentinel error
	}{
		{"+15005550001", "21211", sms.CodeInvalidRecipient, sms.ErrInvalidRecipient},
		{"+15005550009", "21614", sms.CodeInvalidRecipient, sms.ErrInvalidRecipient},
		{"+15005550002", "21612", sms.CodeInvalidRecipient, sms.ErrInvalidRecipient},
		{"+15005550003", "21408", sms.CodePermissionDenied, sms.ErrPermissionDenied},
		{"+15005550004", "21610", sms.CodeOptedOut, sms.ErrOptedOut},
	} {
		t.Run(tc.to, func(t *testing.T) {
			srv.Reset()
			res, err := c.Send(ctxT(t), message(tc.to))
			if err == nil {
				t.Fatalf("accepted: %+v", res)
			}
			var e *sms.Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *sms.Error: %v", err)
			}
			if e.Code != tc.code || e.VendorCode != tc.vendor || e.HTTPStatus != 400 || e.Provider != "twilio" {
				t.Errorf("got %v (code %v vendor %q HTTP %d), want %v %s", err, e.Code, e.VendorCode, e.HTTPStatus, tc.code, tc.vendor)
			}
			if !requestID.MatchString(e.RequestID) {
				t.Errorf("RequestID %q, want the Twilio-Request-Id header", e.RequestID)
			}
			if !errors.Is(err, tc.sentinel) || !sms.IsNotAccepted(err) {
				t.Errorf("errors.Is(%v) = %v, NotAccepted = %v", tc.sentinel, errors.Is(err, tc.sentinel), sms.IsNotAccepted(err))
			}
			if n := srv.Requests(); n != 1 {
				t.Errorf("%d requests, want 1 (no retry of a refused recipient)", n)
			}
			if len(srv.Messages()) != 0 {
				t.Error("a refused message was stored")
			}
		})
	}
}

// sink collects the events the application's webhook handler accepts.
type sink struct {
	mu     sync.Mutex
	events []sms.Event
	fail   int // the next fail calls return an error (500)
	calls  int
	onEv   func(sms.Event)
}

func (s *sink) HandleEvents(ctx context.Context, evs []sms.Event) error {
	s.mu.Lock()
	s.calls++
	if s.fail != 0 {
		if s.fail > 0 {
			s.fail--
		}
		s.mu.Unlock()
		return errors.New("application down")
	}
	s.events = append(s.events, evs...)
	hook := s.onEv
	s.mu.Unlock()
	if hook != nil {
		for _, ev := range evs {
			hook(ev)
		}
	}
	return nil
}

// setFail makes the next n calls fail (n < 0: every call).
func (s *sink) setFail(n int) {
	s.mu.Lock()
	s.fail = n
	s.mu.Unlock()
}

func (s *sink) take() []sms.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.events
	s.events = nil
	return out
}

// app is the application under test: webhook.Handler for a twilio provider, served on a
// loopback port that is the provider's PublicURL.
type app struct {
	srv  *httptest.Server
	p    *twilio.Provider
	sink *sink
	c    *sms.Client
}

func newApp(t *testing.T, emu *twiliotest.Server, edit func(*twilio.Config)) *app {
	t.Helper()
	mux := http.NewServeMux()
	a := &app{srv: httptest.NewServer(mux), sink: &sink{}}
	t.Cleanup(a.srv.Close)
	a.p = newProvider(t, emu, func(c *twilio.Config) {
		c.PublicURL = a.srv.URL
		c.StatusCallback = a.srv.URL + "/status"
		if edit != nil {
			edit(c)
		}
	})
	mux.Handle("/", webhook.Handler(a.p, a.sink, nil))
	a.c = sms.NewClient(a.p, nil)
	return a
}

func (a *app) send(t *testing.T, to, ref string) string {
	t.Helper()
	m := message(to)
	m.Reference = ref
	res, err := a.c.Send(ctxT(t), m)
	if err != nil || len(res) != 1 || !res[0].OK() {
		t.Fatalf("send to %s: %v %+v", to, err, res)
	}
	if !smsSID.MatchString(res[0].MessageID) || res[0].Status != sms.StatusQueued {
		t.Fatalf("result %+v", res[0])
	}
	return res[0].MessageID
}
