package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of run's loggers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// emuProc is run serving in a goroutine.
type emuProc struct {
	t       *testing.T
	cancel  context.CancelFunc
	done    chan int     // run's exit code
	rest    chan string  // what run wrote to stdout after the first line, once it returned
	stderr  *syncBuffer  // what run logged
	line    string       // the first line, without its newline
	startup startupJSON  // the first line, parsed
	twilio  twilioVendor // startup.Vendors["twilio"]
}

// startupJSON mirrors the documented first-line contract, independently of the code's types.
type startupJSON struct {
	Vendors map[string]json.RawMessage `json:"vendors"`
}

type twilioVendor struct {
	BaseURL     string `json:"base_url"`
	Credentials struct {
		AccountSID string `json:"account_sid"`
		AuthToken  string `json:"auth_token"`
	} `json:"credentials"`
}

// start runs smsemu with args (after -ports-from 0) and reads its first line. The cleanup
// stops it and checks that it exited 0 and wrote nothing else on stdout.
func start(t *testing.T, args ...string) *emuProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &emuProc{t: t, cancel: cancel, done: make(chan int, 1), rest: make(chan string, 1), stderr: &syncBuffer{}}
	go func() {
		code := run(ctx, append([]string{"-ports-from", "0"}, args...), pw, p.stderr)
		pw.Close()
		p.done <- code
	}()
	lines := make(chan string, 1)
	go func() {
		br := bufio.NewReader(pr)
		line, err := br.ReadString('\n')
		if err != nil {
			line = "" // run exited without a line
		}
		lines <- line
		rest, _ := io.ReadAll(br)
		p.rest <- string(rest)
	}()
	select {
	case line := <-lines:
		if line == "" {
			cancel()
			t.Fatalf("run wrote no first line; exit %d; stderr:\n%s", <-p.done, p.stderr)
		}
		p.line = strings.TrimSuffix(line, "\n")
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatalf("no first line within 10s; stderr:\n%s", p.stderr)
	}
	t.Cleanup(func() { p.stop() })
	if err := json.Unmarshal([]byte(p.line), &p.startup); err != nil {
		t.Fatalf("first line is not JSON: %v\n%s", err, p.line)
	}
	raw, ok := p.startup.Vendors["twilio"]
	if !ok {
		t.Fatalf("first line has no twilio vendor: %s", p.line)
	}
	if err := json.Unmarshal(raw, &p.twilio); err != nil {
		t.Fatalf("twilio entry: %v", err)
	}
	return p
}

// stop cancels run's context and returns its exit code, failing unless it returns 0 within
// five seconds having written nothing after the first line. It may be called twice.
func (p *emuProc) stop() int {
	p.t.Helper()
	p.cancel()
	select {
	case code := <-p.done:
		p.done <- code // for a second call
		if code != 0 {
			p.t.Errorf("run returned %d, want 0; stderr:\n%s", code, p.stderr)
		}
		if rest := <-p.rest; rest != "" {
			p.t.Errorf("run wrote more than one line on stdout; after the first:\n%s", rest)
		}
		p.rest <- ""
		return code
	case <-time.After(5 * time.Second):
		p.t.Fatalf("run did not return within 5s of cancel; stderr:\n%s", p.stderr)
		return -1
	}
}

func (p *emuProc) client(t *testing.T) *sms.Client {
	t.Helper()
	pr, err := twilio.New(twilio.Config{
		AccountSID: p.twilio.Credentials.AccountSID,
		AuthToken:  sms.NewSecret(p.twilio.Credentials.AuthToken),
	}, &twilio.Options{BaseURL: p.twilio.BaseURL})
	if err != nil {
		t.Fatalf("twilio.New: %v", err)
	}
	return sms.NewClient(pr, nil)
}

func send(t *testing.T, c *sms.Client, to, body string) sms.SendResult {
	t.Helper()
	res, err := c.Send(t.Context(), &sms.Message{To: []string{to}, From: sms.Sender{Value: "+15005550006"}, Body: body})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(res) != 1 {
		t.Fatalf("Send returned %d results, want 1", len(res))
	}
	return res[0]
}

func getJSON(t *testing.T, u string, into any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("GET %s: %v\n%s", u, err, b)
	}
}

func postJSON(t *testing.T, u, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// hook is an application webhook that records the requests it receives.
type hook struct {
	*httptest.Server
	reqs chan hookRequest
}

type hookRequest struct {
	r    *http.Request
	body []byte
}

func newHook(t *testing.T) *hook {
	h := &hook{reqs: make(chan hookRequest, 16)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.reqs <- hookRequest{r: r, body: b}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, "<Response/>")
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) next(t *testing.T) hookRequest {
	t.Helper()
	select {
	case r := <-h.reqs:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("the webhook received nothing within 5s")
		return hookRequest{}
	}
}

// verify checks a webhook request's X-Twilio-Signature with the library's verifier.
func verify(t *testing.T, h *hook, r hookRequest, token string) url.Values {
	t.Helper()
	v, err := twilio.NewVerifier(h.URL, sms.NewSecret(token))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(r.r, r.body); err != nil {
		t.Errorf("signature: %v", err)
	}
	form, err := url.ParseQuery(string(r.body))
	if err != nil {
		t.Fatalf("webhook body: %v", err)
	}
	return form
}

func TestFirstLineContract(t *testing.T) {
	p := start(t)
	// Exactly {"vendors": {<name>: {"base_url", "credentials"}}}, one entry per registered vendor.
	var generic map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(p.line), &generic); err != nil {
		t.Fatalf("first line: %v", err)
	}
	if len(generic) != 1 || generic["vendors"] == nil {
		t.Fatalf("first line: want only a \"vendors\" key, got %s", p.line)
	}
	if len(generic["vendors"]) != len(vendors) {
		t.Errorf("first line has %d vendors, want %d: %s", len(generic["vendors"]), len(vendors), p.line)
	}
	for _, v := range vendors {
		entry := generic["vendors"][v.name]
		if len(entry) != 2 || entry["base_url"] == nil || entry["credentials"] == nil {
			t.Errorf("%s: want base_url and credentials, got %s", v.name, p.line)
			continue
		}
		var creds map[string]string
		if err := json.Unmarshal(entry["credentials"], &creds); err != nil {
			t.Errorf("%s credentials: %v", v.name, err)
		}
		for _, c := range v.credentials {
			if creds[c.key] != c.def {
				t.Errorf("%s credential %s = %q, want the default %q", v.name, c.key, creds[c.key], c.def)
			}
		}
	}
	if p.twilio.Credentials.AccountSID != twiliotest.DefaultAccountSID || p.twilio.Credentials.AuthToken != twiliotest.DefaultAuthToken {
		t.Errorf("twilio credentials %+v, want the twiliotest defaults", p.twilio.Credentials)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(p.twilio.BaseURL) {
		t.Errorf("base_url %q, want http://127.0.0.1:<port>", p.twilio.BaseURL)
	}
	if strings.Contains(p.stderr.String(), p.line) {
		t.Error("the first line went to stderr too")
	}
}

func TestSendThroughTwilioClient(t *testing.T) {
	p := start(t)
	res := send(t, p.client(t), "+14155552671", "hello from smsemu")
	if res.Err != nil {
		t.Fatalf("send: %v", res.Err)
	}
	if !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(res.MessageID) {
		t.Fatalf("MessageID %q, want SM + 32 hex", res.MessageID)
	}
	var msgs []struct {
		SID, To, Body string
	}
	getJSON(t, p.twilio.BaseURL+"/_emulator/messages", &msgs)
	if len(msgs) != 1 || msgs[0].SID != res.MessageID || msgs[0].To != "+14155552671" || msgs[0].Body != "hello from smsemu" {
		t.Errorf("/_emulator/messages = %+v, want the one message %s", msgs, res.MessageID)
	}
}

func TestInbound(t *testing.T) {
	h := newHook(t)
	p := start(t, "-inbound", "twilio="+h.URL+"/twilio/inbound")
	code, body := postJSON(t, p.twilio.BaseURL+"/_emulator/inbound",
		`{"from": "+14155552671", "to": "+15005550006", "body": "STOP", "media_urls": ["https://example.com/a.jpg"]}`)
	if code != http.StatusOK {
		t.Fatalf("POST /_emulator/inbound: %d %s", code, body)
	}
	r := h.next(t)
	if r.r.Method != http.MethodPost || r.r.URL.Path != "/twilio/inbound" {
		t.Errorf("webhook got %s %s, want POST /twilio/inbound", r.r.Method, r.r.URL.Path)
	}
	form := verify(t, h, r, twiliotest.DefaultAuthToken)
	want := map[string]string{"From": "+14155552671", "To": "+15005550006", "Body": "STOP", "NumMedia": "1",
		"MediaUrl0": "https://example.com/a.jpg", "AccountSid": twiliotest.DefaultAccountSID}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("inbound %s = %q, want %q", k, form.Get(k), v)
		}
	}
}

func TestInboundWithoutTarget(t *testing.T) {
	p := start(t)
	code, body := postJSON(t, p.twilio.BaseURL+"/_emulator/inbound", `{"from": "+14155552671", "to": "+15005550006", "body": "hi"}`)
	if code < 400 {
		t.Errorf("POST /_emulator/inbound without -inbound: %d %s, want an error", code, body)
	}
}

func TestStatusCallback(t *testing.T) {
	h := newHook(t)
	p := start(t, "-status-callback", "twilio="+h.URL+"/twilio/status")
	res := send(t, p.client(t), "+14155552671", "track me")
	if res.Err != nil {
		t.Fatalf("send: %v", res.Err)
	}
	for _, want := range []string{"sent", "delivered"} {
		r := h.next(t)
		form := verify(t, h, r, twiliotest.DefaultAuthToken)
		if form.Get("MessageSid") != res.MessageID || form.Get("MessageStatus") != want {
			t.Errorf("status callback: MessageSid=%q MessageStatus=%q, want %s %s", form.Get("MessageSid"), form.Get("MessageStatus"), res.MessageID, want)
		}
	}
}

func TestCredentialFlags(t *testing.T) {
	const sid, token = "AC0123456789abcdef0123456789abcdef", "s3cr3t-token"
	h := newHook(t)
	// A target without a path gets "/", so that the signature covers the URL requested.
	p := start(t, "-twilio-account-sid", sid, "-twilio-auth-token", token, "-inbound", "twilio="+h.URL)
	if p.twilio.Credentials.AccountSID != sid || p.twilio.Credentials.AuthToken != token {
		t.Fatalf("credentials %+v, want the flags' %s %s", p.twilio.Credentials, sid, token)
	}
	if res := send(t, p.client(t), "+14155552671", "hi"); res.Err != nil {
		t.Errorf("send with the overridden credentials: %v", res.Err)
	}
	// The defaults no longer work.
	pr, err := twilio.New(twilio.Config{AccountSID: twiliotest.DefaultAccountSID, AuthToken: sms.NewSecret(twiliotest.DefaultAuthToken)},
		&twilio.Options{BaseURL: p.twilio.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sms.NewClient(pr, nil).Send(t.Context(), &sms.Message{To: []string{"+14155552671"}, From: sms.Sender{Value: "+15005550006"}, Body: "hi"})
	if err == nil && len(res) == 1 {
		err = res[0].Err
	}
	if sms.ErrorCode(err) != sms.CodeUnauthenticated {
		t.Errorf("send with the default credentials: %v, want Unauthenticated", err)
	}
	// Webhooks are signed with the overridden token.
	if code, body := postJSON(t, p.twilio.BaseURL+"/_emulator/inbound", `{"from": "+14155552671", "to": "+15005550006", "body": "hi"}`); code != http.StatusOK {
		t.Fatalf("POST /_emulator/inbound: %d %s", code, body)
	}
	verify(t, h, h.next(t), token)
}

func TestInfo(t *testing.T) {
	p := start(t)
	var got, want any
	getJSON(t, p.twilio.BaseURL+"/_emulator/info", &got)
	json.Unmarshal(p.startup.Vendors["twilio"], &want)
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("GET /_emulator/info = %s, want the first line's entry %s", g, w)
	}
	if code, body := postJSON(t, p.twilio.BaseURL+"/_emulator/info", `{}`); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /_emulator/info: %d %s, want 405", code, body)
	}
	// The emulator's own control API is still there.
	var reqs []any
	getJSON(t, p.twilio.BaseURL+"/_emulator/requests", &reqs)
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVerboseKeepsResets checks that the request logger lets the emulator hijack the
// connection for a reset fault, and logs the request.
func TestVerboseKeepsResets(t *testing.T) {
	p := start(t, "-v")
	if code, body := postJSON(t, p.twilio.BaseURL+"/_emulator/faults", `{"reset": true}`); code != http.StatusCreated {
		t.Fatalf("POST /_emulator/faults: %d %s", code, body)
	}
	res := send(t, p.client(t), "+14155552671", "lost answer")
	if res.Err == nil || sms.ErrorCode(res.Err) != sms.CodeOutcomeUnknown {
		t.Errorf("send through a reset: %v, want OutcomeUnknown", res.Err)
	}
	var msgs []struct{ SID string }
	getJSON(t, p.twilio.BaseURL+"/_emulator/messages", &msgs)
	if len(msgs) != 1 {
		t.Errorf("the reset message was not accepted: %d messages", len(msgs))
	}
	// The handler logs when it returns, which may be after the client saw the reset.
	want := "twilio: POST /2010-04-01/Accounts/" + twiliotest.DefaultAccountSID + "/Messages.json -"
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(p.stderr.String(), want); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("stderr does not log the reset request:\n%s", p.stderr)
			break
		}
	}
}

func TestShutdown(t *testing.T) {
	p := start(t)
	host := strings.TrimPrefix(p.twilio.BaseURL, "http://")
	t0 := time.Now()
	if code := p.stop(); code != 0 {
		return
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("run took %v to return after cancel", d)
	}
	if c, err := net.DialTimeout("tcp", host, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after run returned", host)
	}
}

// TestShutdownFinishesInflight checks that a request in flight when the signal arrives is
// answered.
func TestShutdownFinishesInflight(t *testing.T) {
	p := start(t)
	if code, body := postJSON(t, p.twilio.BaseURL+"/_emulator/faults", `{"delay": "300ms"}`); code != http.StatusCreated {
		t.Fatalf("POST /_emulator/faults: %d %s", code, body)
	}
	c := p.client(t)
	got := make(chan sms.SendResult, 1)
	go func() {
		res, err := c.Send(context.Background(), &sms.Message{To: []string{"+14155552671"}, From: sms.Sender{Value: "+15005550006"}, Body: "slow"})
		if err != nil || len(res) != 1 {
			got <- sms.SendResult{Err: err}
			return
		}
		got <- res[0]
	}()
	time.Sleep(100 * time.Millisecond) // the request is held by the delay
	p.stop()
	if res := <-got; res.Err != nil || res.MessageID == "" {
		t.Errorf("request in flight at shutdown: %+v", res)
	}
}

func TestPortsFromN(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := start(t, "-ports-from", strconv.Itoa(port)) // the last -ports-from wins
	for i, v := range vendors {
		var e struct {
			BaseURL string `json:"base_url"`
		}
		json.Unmarshal(p.startup.Vendors[v.name], &e)
		if want := "http://127.0.0.1:" + strconv.Itoa(port+i); e.BaseURL != want {
			t.Errorf("%s base_url %q, want %q", v.name, e.BaseURL, want)
		}
	}
}

// runFails runs smsemu with args, expecting exit code 2, nothing on stdout and one line
// on stderr, which it returns.
func runFails(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(t.Context(), args, &stdout, &stderr) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("smsemu %q did not exit; stderr:\n%s", args, stderr.String())
	}
	if code != 2 {
		t.Errorf("smsemu %q: exit %d, want 2", args, code)
	}
	if stdout.String() != "" {
		t.Errorf("smsemu %q wrote to stdout: %q", args, stdout.String())
	}
	msg := stderr.String()
	if !strings.HasPrefix(msg, "smsemu: ") || !strings.HasSuffix(msg, "\n") || strings.Count(msg, "\n") != 1 {
		t.Errorf("smsemu %q: stderr %q, want one line starting with \"smsemu: \"", args, msg)
	}
	return msg
}

func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	msg := runFails(t, "-ports-from", port)
	if !strings.HasPrefix(msg, "smsemu: twilio: ") || !strings.Contains(msg, "127.0.0.1:"+port) || !strings.Contains(msg, "address already in use") {
		t.Errorf("stderr %q, want twilio, 127.0.0.1:%s and \"address already in use\"", msg, port)
	}
}

func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the stderr line
	}{
		{[]string{"-bogus"}, "-bogus"},
		{[]string{"-ports-from"}, "-ports-from"},
		{[]string{"-ports-from", "x"}, "-ports-from"},
		{[]string{"-ports-from", "-1"}, "-ports-from"},
		{[]string{"-ports-from", "65536"}, "-ports-from"},
		{[]string{"-inbound", "nosuchvendor=http://x"}, `unknown vendor "nosuchvendor"`},
		{[]string{"-status-callback", "nosuchvendor=http://x"}, `unknown vendor "nosuchvendor"`},
		{[]string{"-inbound", "acs=http://x"}, `"acs" has no emulator`},
		{[]string{"-inbound", "twilio"}, "vendor=URL"},
		{[]string{"-inbound", "twilio="}, "vendor=URL"},
		{[]string{"-inbound", "twilio=not a url"}, "absolute"},
		{[]string{"-inbound", "twilio=/relative"}, "absolute"},
		{[]string{"-status-callback", "twilio=ftp://example.com/x"}, "absolute http"},
		{[]string{"-status-callback", "twilio=http://%zz"}, "bad URL"},
		{[]string{"-inbound", "twilio=http://a", "-inbound", "twilio=http://b"}, "twice"},
		{[]string{"-twilio-auth-token", ""}, "-twilio-auth-token must not be empty"},
		{[]string{"-shutdown-timeout", "0s"}, "-shutdown-timeout"},
		{[]string{"-ports-from", "0", "extra"}, `unexpected argument "extra"`},
		{[]string{"-ports-from", "0", "-addr", "256.1.1.1"}, "twilio:"},
	} {
		if msg := runFails(t, tc.args...); !strings.Contains(msg, tc.want) {
			t.Errorf("smsemu %q: stderr %q, want it to mention %q", tc.args, msg, tc.want)
		}
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr syncBuffer
	if code := run(t.Context(), []string{"-help"}, &stdout, &stderr); code != 0 {
		t.Errorf("-help: exit %d, want 0", code)
	}
	if stdout.String() != "" {
		t.Errorf("-help wrote to stdout: %q", stdout.String())
	}
	help := stderr.String()
	for _, p := range defaultPorts {
		if !regexp.MustCompile(`(?m)^\s+` + p.name + `\s+` + strconv.Itoa(p.port) + `\b`).MatchString(help) {
			t.Errorf("-help does not list %s on port %d:\n%s", p.name, p.port, help)
		}
	}
	for _, f := range []string{"-addr", "-ports-from", "-inbound", "-status-callback", "-twilio-account-sid", "-twilio-auth-token"} {
		if !strings.Contains(help, f+" ") {
			t.Errorf("-help does not document %s", f)
		}
	}
}

func TestRegistry(t *testing.T) {
	snake, kebab := regexp.MustCompile(`^[a-z][a-z0-9_]*$`), regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	next := 0 // vendors are in defaultPorts order
	seen := map[string]bool{}
	for _, v := range vendors {
		if seen[v.name] {
			t.Errorf("vendor %s registered twice", v.name)
		}
		seen[v.name] = true
		i := next
		for i < len(defaultPorts) && defaultPorts[i].name != v.name {
			i++
		}
		if i == len(defaultPorts) {
			t.Errorf("vendor %s is not in defaultPorts, or out of its order", v.name)
			continue
		}
		next = i + 1
		if v.port != defaultPorts[i].port {
			t.Errorf("vendor %s: port %d, but defaultPorts reserves %d", v.name, v.port, defaultPorts[i].port)
		}
		if v.start == nil || len(v.credentials) == 0 {
			t.Errorf("vendor %s: no constructor or no credentials", v.name)
		}
		for _, c := range v.credentials {
			if !snake.MatchString(c.key) || !kebab.MatchString(c.flag) || c.def == "" || c.usage == "" {
				t.Errorf("vendor %s: bad credential %+v", v.name, c)
			}
		}
	}
	ports := map[int]string{}
	for _, p := range defaultPorts {
		if other, dup := ports[p.port]; dup {
			t.Errorf("port %d reserved for %s and %s", p.port, other, p.name)
		}
		ports[p.port] = p.name
	}
}

// TestMainSignal runs the real main in a child process and stops it with SIGTERM.
func TestMainSignal(t *testing.T) {
	if os.Getenv("SMSEMU_TEST_MAIN") == "1" {
		os.Args = append([]string{"smsemu"}, strings.Fields(os.Getenv("SMSEMU_TEST_ARGS"))...)
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainSignal$")
	cmd.Env = append(os.Environ(), "SMSEMU_TEST_MAIN=1", "SMSEMU_TEST_ARGS=-ports-from 0")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no first line: %v; stderr:\n%s", err, stderr.String())
	}
	var s startupJSON
	if err := json.Unmarshal([]byte(line), &s); err != nil || s.Vendors["twilio"] == nil {
		t.Errorf("first line %q: %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { io.Copy(io.Discard, out); waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("smsemu after SIGTERM: %v, want exit 0; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("smsemu did not exit within 10s of SIGTERM")
	}
}

// TestStatusWriterUnwraps checks that http.ResponseController sees through the request
// logger's writer (the emulators hijack connections through it to inject resets).
func TestStatusWriterUnwraps(t *testing.T) {
	rec := httptest.NewRecorder()
	sw := &statusWriter{ResponseWriter: rec}
	if err := http.NewResponseController(sw).Flush(); err != nil {
		t.Errorf("Flush through statusWriter: %v", err)
	}
	if !rec.Flushed {
		t.Error("Flush did not reach the underlying writer")
	}
}
