package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
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
	acs     acsEntry     // startup.Vendors["acs"]
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

type acsEntry struct {
	BaseURL     string `json:"base_url"`
	Credentials struct {
		AccessKey          string `json:"access_key"`
		ConnectionString   string `json:"connection_string"`
		SecondaryAccessKey string `json:"secondary_access_key"`
	} `json:"credentials"`
}

// start runs smsemu with args (after -ports-from 0) and reads its first line. The cleanup
// stops it and checks that it exited 0 and wrote nothing else on stdout.
func start(t *testing.T, args ...string) *emuProc {
	t.Helper()
	return startWith(t, nil, args...)
}

// startWith is start with the listeners bound by sp (nil: the real ones).
func startWith(t *testing.T, sp *spy, args ...string) *emuProc {
	t.Helper()
	listen := (&net.ListenConfig{}).Listen
	if sp != nil {
		listen = sp.listen
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &emuProc{t: t, cancel: cancel, done: make(chan int, 1), rest: make(chan string, 1), stderr: &syncBuffer{}}
	go func() {
		code := serve(ctx, append([]string{"-ports-from", "0"}, args...), pw, p.stderr, listen)
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
	case <-time.After(30 * time.Second): // a hang guard, not a timing window
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
	raw, ok = p.startup.Vendors["acs"]
	if !ok {
		t.Fatalf("first line has no acs vendor: %s", p.line)
	}
	if err := json.Unmarshal(raw, &p.acs); err != nil {
		t.Fatalf("acs entry: %v", err)
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
	case <-time.After(30 * time.Second):
		p.t.Fatalf("run did not return within 30s of cancel; stderr:\n%s", p.stderr)
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
	if len(res) != 1 {
		t.Fatalf("Send returned %d results (%v), want 1", len(res), err)
	}
	return res[0] // a failed recipient's error is also err: the caller checks res[0].Err
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
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook received nothing within 30s")
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
	for _, name := range []string{"twilio", "acs", "infobip", "linkmobility", "telesign", "vibes"} {
		if _, ok := generic["vendors"][name]; !ok {
			t.Errorf("first line has no %s: %s", name, p.line)
		}
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
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(p.stderr.String(), want); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("stderr does not log the reset request:\n%s", p.stderr)
			break
		}
	}
}

// spy binds real loopback listeners for smsemu and reports what happens to them. Addresses
// in standIn are bound on a free port instead, while the listener reports the address asked
// for: smsemu's port arithmetic is checked without assuming that any port is free.
type spy struct {
	standIn map[string]bool
	mu      sync.Mutex
	lns     []*spyListener
}

func (sp *spy) listen(ctx context.Context, network, address string) (net.Listener, error) {
	bind, report := address, net.Addr(nil)
	if sp.standIn[address] {
		tcp, err := net.ResolveTCPAddr(network, address)
		if err != nil {
			return nil, err
		}
		bind, report = "127.0.0.1:0", tcp
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, network, bind)
	if err != nil {
		return nil, err
	}
	l := &spyListener{Listener: ln, asked: address, addr: report, closed: make(chan struct{}), read: make(chan struct{}), active: make(chan struct{})}
	sp.mu.Lock()
	sp.lns = append(sp.lns, l)
	sp.mu.Unlock()
	return l, nil
}

func (sp *spy) listeners() []*spyListener {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return append([]*spyListener(nil), sp.lns...)
}

// spyListener is a listener whose Close and whose connections' first byte read are
// signalled.
type spyListener struct {
	net.Listener
	asked     string   // the address smsemu asked for
	addr      net.Addr // reported instead of the real one, if set
	closed    chan struct{}
	closeOnce sync.Once
	read      chan struct{} // closed when a connection read its first byte
	readOnce  sync.Once
	// active is closed when a connection that has received a whole request head is read
	// again: the server parsed the head and a handler is reading the body, so the connection
	// is StateActive and Shutdown waits for it (a connection still in StateNew may be closed).
	active     chan struct{}
	activeOnce sync.Once
}

func (l *spyListener) Addr() net.Addr {
	if l.addr != nil {
		return l.addr
	}
	return l.Listener.Addr()
}

func (l *spyListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func (l *spyListener) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

func (l *spyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &spyConn{Conn: c, l: l}, nil
}

type spyConn struct {
	net.Conn
	l    *spyListener
	seen []byte // the bytes read until a request head ended
	head bool   // a whole request head has been read
}

func (c *spyConn) Read(b []byte) (int, error) {
	if c.head {
		c.l.activeOnce.Do(func() { close(c.l.active) })
	}
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.l.readOnce.Do(func() { close(c.l.read) })
		if !c.head {
			c.seen = append(c.seen, b[:n]...)
			c.head = bytes.Contains(c.seen, []byte("\r\n\r\n"))
		}
	}
	return n, err
}

// TestShutdown checks that cancelling run's context makes it return 0 having closed every
// listener it bound.
func TestShutdown(t *testing.T) {
	sp := &spy{}
	p := startWith(t, sp)
	require.Equal(t, 0, p.stop())
	lns := sp.listeners()
	require.Len(t, lns, len(vendors))
	for _, l := range lns {
		require.True(t, l.isClosed(), "the listener for %s is still open after run returned", l.asked)
		_, err := l.Listener.Accept()
		require.ErrorIs(t, err, net.ErrClosed)
	}
}

// TestShutdownFinishesInflight checks that a request in flight when the signal arrives is
// answered: the request's body is held back until shutdown has begun (the listeners are
// closed), then sent.
func TestShutdownFinishesInflight(t *testing.T) {
	sp := &spy{}
	p := startWith(t, sp, "-shutdown-timeout", "1m")
	var twl *spyListener
	for _, l := range sp.listeners() {
		if p.twilio.BaseURL == "http://"+l.Addr().String() {
			twl = l
		}
	}
	require.NotNil(t, twl, "no listener serves %s", p.twilio.BaseURL)

	body, send := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, p.twilio.BaseURL+"/2010-04-01/Accounts/"+p.twilio.Credentials.AccountSID+"/Messages.json", body)
	require.NoError(t, err)
	req.SetBasicAuth(p.twilio.Credentials.AccountSID, p.twilio.Credentials.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	type answer struct {
		status int
		err    error
	}
	got := make(chan answer, 1)
	// A client of its own: a pooled connection of another test to a port the OS reused for
	// this server would break.
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			got <- answer{err: err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got <- answer{status: resp.StatusCode}
	}()
	<-twl.active // the server parsed the request's head and waits for its body
	p.cancel()
	<-twl.closed // shutdown has begun
	io.WriteString(send, url.Values{"To": {"+14155552671"}, "From": {"+15005550006"}, "Body": {"slow"}}.Encode())
	send.Close()
	a := <-got
	require.NoError(t, a.err, "request in flight at shutdown")
	require.Equal(t, http.StatusCreated, a.status)
	require.Equal(t, 0, p.stop())
}

// TestPortsFromN checks that -ports-from N serves the vendors on N, N+1, … in table order.
// The ports are stood in for by free ones: no port is assumed to be free.
func TestPortsFromN(t *testing.T) {
	const port = 40000
	sp := &spy{standIn: map[string]bool{}}
	for i := range vendors {
		sp.standIn["127.0.0.1:"+strconv.Itoa(port+i)] = true
	}
	p := startWith(t, sp, "-ports-from", strconv.Itoa(port)) // the last -ports-from wins
	for i, v := range vendors {
		var e struct {
			BaseURL string `json:"base_url"`
		}
		require.NoError(t, json.Unmarshal(p.startup.Vendors[v.name], &e))
		require.Equal(t, "http://127.0.0.1:"+strconv.Itoa(port+i), e.BaseURL, v.name)
	}
	var asked, want []string
	for i, l := range sp.listeners() {
		asked = append(asked, l.asked)
		want = append(want, "127.0.0.1:"+strconv.Itoa(port+i))
	}
	require.Equal(t, want, asked)
}

// runFails runs smsemu with args, expecting exit code 2, nothing on stdout and one line
// on stderr, which it returns.
func runFails(t *testing.T, args ...string) string {
	t.Helper()
	return runFailsWith(t, nil, args...)
}

// runFailsWith is runFails with the listeners bound by sp (nil: the real ones).
func runFailsWith(t *testing.T, sp *spy, args ...string) string {
	t.Helper()
	listen := (&net.ListenConfig{}).Listen
	if sp != nil {
		listen = sp.listen
	}
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- serve(t.Context(), args, &stdout, &stderr, listen) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
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
		{[]string{"-vibes-retries", "101"}, "-vibes-retries"},
		{[]string{"-vibes-retry-wait", "0s"}, "-vibes-retry-wait"},
		{[]string{"-vibes-short-code", "1234"}, "-vibes-short-code"},
		{[]string{"-vibes-long-code", "+447700900123"}, "-vibes-long-code"},
		{[]string{"-vibes-long-code", "+5125550100"}, "-vibes-long-code"}, // +51: Peru, not +1
		{[]string{"-vibes-toll-free", "+8885550100"}, "-vibes-toll-free"},
		{[]string{"-vibes-toll-free", "800555"}, "-vibes-toll-free"},
		{[]string{"-vibes-inbound-password", "x"}, "-vibes-inbound-user"},
		{[]string{"-linkmobility-retries", "101"}, "-linkmobility-retries"},
		{[]string{"-linkmobility-retry-unit", "0s"}, "-linkmobility-retry-unit"},
		{[]string{"-infobip-batch-size", "0"}, "-infobip-batch-size"},
		{[]string{"-infobip-webhook-password", "x"}, "-infobip-webhook-user"},
		{[]string{"-telesign-retries", "-1"}, "-telesign-retries"},
		{[]string{"-telesign-retry-unit", "0s"}, "-telesign-retry-unit"},
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
	for _, f := range []string{"-addr", "-ports-from", "-inbound", "-status-callback", "-twilio-account-sid", "-twilio-auth-token",
		"-acs-access-key", "-acs-secondary-access-key", "-event-grid", "-event-grid-schema", "-event-grid-max-events-per-batch",
		"-event-grid-retries", "-event-grid-retry-wait", "-exit-on-stdin-close", "-exit-with-parent",
		"-infobip-api-key", "-infobip-webhook-user", "-infobip-webhook-password", "-infobip-batch-size", "-infobip-retries", "-infobip-retry-unit",
		"-telesign-customer-id", "-telesign-api-key", "-telesign-retries", "-telesign-retry-unit", "-telesign-date-tolerance",
		"-linkmobility-username", "-linkmobility-password", "-linkmobility-platform-id", "-linkmobility-platform-partner-id",
		"-linkmobility-gate-id", "-linkmobility-gate-user", "-linkmobility-gate-password", "-linkmobility-retries", "-linkmobility-retry-unit",
		"-vibes-username", "-vibes-password", "-vibes-short-code", "-vibes-long-code", "-vibes-toll-free", "-vibes-inbound-user",
		"-vibes-inbound-password", "-vibes-retries", "-vibes-retry-wait", "-vibes-block-on-stop", "-vibes-legacy-inbound"} {
		if !strings.Contains(help, f+"\n") && !strings.Contains(help, f+" ") && !strings.Contains(help, f+"\t") {
			t.Errorf("-help does not document %s", f)
		}
	}
	// The control routes of each vendor, one line each.
	for _, route := range []string{
		`(?m)^\s+GET\s+/_emulator/callbacks/wait\s+\S`, `(?m)^\s+POST\s+/_emulator/messages/\{id\}/status\s+\S`,
		`(?m)^\s+GET\s+/_emulator/info\s+\S`, `(?m)^\s+POST\s+/_emulator/optouts\s+\S`, `(?m)^\s+POST\s+/_emulator/flush\s+\S`,
	} {
		if !regexp.MustCompile(route).MatchString(help) {
			t.Errorf("-help does not list %s:\n%s", route, help)
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
	case <-time.After(30 * time.Second): // a hang guard, not a timing window
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

// ---- ACS ----

// acsSender is a toll-free number the ACS tests send from.
var acsSender = sms.Sender{Value: "+18005550100"}

// acsClient returns sms.NewClient over our ACS provider built from cfg.
func acsClient(t *testing.T, cfg acs.Config) *sms.Client {
	t.Helper()
	pr, err := acs.New(cfg, nil)
	if err != nil {
		t.Fatalf("acs.New: %v", err)
	}
	return sms.NewClient(pr, nil)
}

// client returns a client of the ACS emulator, from the first line's base URL and key.
func (e acsEntry) client(t *testing.T) *sms.Client {
	return acsClient(t, acs.Config{Endpoint: e.BaseURL, AccessKey: sms.NewSecret(e.Credentials.AccessKey)})
}

// sendACS sends body to every number in to and fails unless each was accepted.
func sendACS(t *testing.T, c *sms.Client, body string, to ...string) []sms.SendResult {
	t.Helper()
	res, err := c.Send(t.Context(), &sms.Message{To: to, From: acsSender, Body: body})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(res) != len(to) {
		t.Fatalf("Send returned %d results, want %d", len(res), len(to))
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("send to %s: %v", r.To, r.Err)
		}
	}
	return res
}

var acsMessageID = regexp.MustCompile(`^Outgoing_[0-9]{14}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// eventGridApp is an application that receives ACS events through webhook.Handler and our
// ACS provider, protected by a callback token; it records every request and its answer.
type eventGridApp struct {
	*httptest.Server
	url      string           // the subscription URL, token included
	reqs     chan appRequest  // every request, with the answer
	calls    chan []sms.Event // every call of the sink
	failures atomic.Int32     // sink calls left to fail
}

type appRequest struct {
	method string
	header http.Header // of the request
	body   []byte      // of the request
	status int         // answered
	answer http.Header // of the answer
	reply  []byte      // body of the answer
}

const appToken = "s3cr3t-callback-token"

func newEventGridApp(t *testing.T) *eventGridApp {
	t.Helper()
	pr, err := acs.New(acs.Config{
		Endpoint:       "https://contoso.communication.azure.com",
		AccessKey:      sms.NewSecret(acstest.DefaultAccessKey),
		CallbackTokens: []sms.Secret{sms.NewSecret(appToken)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &eventGridApp{reqs: make(chan appRequest, 64), calls: make(chan []sms.Event, 64)}
	h := webhook.Handler(pr, webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error {
		if a.failures.Add(-1) >= 0 {
			return errors.New("the application is down")
		}
		a.calls <- evs
		return nil
	}), nil)
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		a.reqs <- appRequest{method: r.Method, header: r.Header.Clone(), body: body, status: rec.Code, answer: rec.Header().Clone(), reply: rec.Body.Bytes()}
	}))
	t.Cleanup(a.Close)
	a.url = a.URL + "/acs/events?token=" + appToken
	return a
}

func (a *eventGridApp) next(t *testing.T) appRequest {
	t.Helper()
	select {
	case r := <-a.reqs:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("the Event Grid endpoint received nothing within 30s")
		return appRequest{}
	}
}

func (a *eventGridApp) nextCall(t *testing.T) []sms.Event {
	t.Helper()
	select {
	case evs := <-a.calls:
		return evs
	case <-time.After(30 * time.Second):
		t.Fatal("the application's sink received nothing within 30s")
		return nil
	}
}

// acsConfig is GET /_emulator/config of the ACS emulator.
type acsConfig struct {
	EventGridURL      string `json:"event_grid_url"`
	Schema            string `json:"schema"`
	MaxEventsPerBatch int    `json:"max_events_per_batch"`
	ValidationState   string `json:"validation_state"`
	Handshakes        []struct {
		Method     string `json:"method"`
		StatusCode int    `json:"status_code"`
		OK         bool   `json:"ok"`
	} `json:"handshakes"`
}

func (p *emuProc) acsConfig(t *testing.T) acsConfig {
	t.Helper()
	var c acsConfig
	getJSON(t, p.acs.BaseURL+"/_emulator/config", &c)
	return c
}

// waitState waits until the subscription's validation_state is want.
func (p *emuProc) waitState(t *testing.T, want string) acsConfig {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		c := p.acsConfig(t)
		if c.ValidationState == want {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("validation_state %q after 30s, want %q (config %+v)", c.ValidationState, want, c)
			return c
		}
	}
}

func TestACSFirstLine(t *testing.T) {
	p := start(t)
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(p.acs.BaseURL) {
		t.Errorf("acs base_url %q, want http://127.0.0.1:<port>", p.acs.BaseURL)
	}
	if p.acs.BaseURL == p.twilio.BaseURL {
		t.Errorf("acs and twilio share %s", p.acs.BaseURL)
	}
	c := p.acs.Credentials
	if c.AccessKey != acstest.DefaultAccessKey {
		t.Errorf("access_key %q, want acstest.DefaultAccessKey %q", c.AccessKey, acstest.DefaultAccessKey)
	}
	if want := "endpoint=" + p.acs.BaseURL + "/;accesskey=" + acstest.DefaultAccessKey; c.ConnectionString != want {
		t.Errorf("connection_string %q, want %q", c.ConnectionString, want)
	}
	var creds map[string]string
	var entry struct {
		Credentials json.RawMessage `json:"credentials"`
	}
	json.Unmarshal(p.startup.Vendors["acs"], &entry)
	json.Unmarshal(entry.Credentials, &creds)
	if len(creds) != 2 {
		t.Errorf("acs credentials %v, want access_key and connection_string only", creds)
	}
	// The info endpoint serves the same entry.
	var got, want any
	getJSON(t, p.acs.BaseURL+"/_emulator/info", &got)
	json.Unmarshal(p.startup.Vendors["acs"], &want)
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("GET /_emulator/info = %s, want %s", g, w)
	}
	if cfg := p.acsConfig(t); cfg.EventGridURL != "" || cfg.Schema != "eventgrid" || cfg.ValidationState != "none" || cfg.MaxEventsPerBatch != 1 {
		t.Errorf("default config %+v, want no subscription, eventgrid schema, no batching", cfg)
	}
}

func TestACSSend(t *testing.T) {
	p := start(t)
	res := sendACS(t, p.acs.client(t), "hello from smsemu", "+14155552671")
	if !acsMessageID.MatchString(res[0].MessageID) {
		t.Fatalf("MessageID %q, want Outgoing_<14 digits><uuid>", res[0].MessageID)
	}
	var msgs []struct {
		MessageID, From, To, Message string
		EnableDeliveryReport         bool
	}
	getJSON(t, p.acs.BaseURL+"/_emulator/messages", &msgs)
	if len(msgs) != 1 || msgs[0].MessageID != res[0].MessageID || msgs[0].To != "+14155552671" ||
		msgs[0].From != acsSender.Value || msgs[0].Message != "hello from smsemu" || !msgs[0].EnableDeliveryReport {
		t.Errorf("/_emulator/messages = %+v, want the one message %s", msgs, res[0].MessageID)
	}
	// The emulator checks the signature: another key is refused.
	wrong := base64.StdEncoding.EncodeToString([]byte("not the emulator's access key!!!"))
	_, err := acsClient(t, acs.Config{Endpoint: p.acs.BaseURL, AccessKey: sms.NewSecret(wrong)}).Send(t.Context(),
		&sms.Message{To: []string{"+14155552671"}, From: acsSender, Body: "hi"})
	if sms.ErrorCode(err) != sms.CodeUnauthenticated {
		t.Errorf("send with a wrong key: %v, want Unauthenticated", err)
	}
	// The Twilio emulator is unaffected.
	var tw []any
	getJSON(t, p.twilio.BaseURL+"/_emulator/messages", &tw)
	if len(tw) != 0 {
		t.Errorf("the Twilio emulator has %d messages", len(tw))
	}
}

func TestACSConnectionString(t *testing.T) {
	p := start(t)
	endpoint, key, err := acs.ParseConnectionString(p.acs.Credentials.ConnectionString)
	if err != nil {
		t.Fatalf("ParseConnectionString(%q): %v", p.acs.Credentials.ConnectionString, err)
	}
	if endpoint != p.acs.BaseURL || key.Reveal() != p.acs.Credentials.AccessKey {
		t.Errorf("connection string gives %s and a key %q, want %s and %q", endpoint, key.Reveal(), p.acs.BaseURL, p.acs.Credentials.AccessKey)
	}
	c := acsClient(t, acs.Config{ConnectionString: sms.NewSecret(p.acs.Credentials.ConnectionString)})
	res := sendACS(t, c, "through the connection string", "+14155552671")
	if !acsMessageID.MatchString(res[0].MessageID) {
		t.Errorf("MessageID %q", res[0].MessageID)
	}
}

func TestACSKeyFlags(t *testing.T) {
	primary := base64.StdEncoding.EncodeToString([]byte("smsemu test primary key, 32 byte"))
	secondary := base64.StdEncoding.EncodeToString([]byte("smsemu test secondary key 32 byt"))
	p := start(t, "-acs-access-key", primary, "-acs-secondary-access-key", secondary)
	c := p.acs.Credentials
	if c.AccessKey != primary || c.SecondaryAccessKey != secondary || c.ConnectionString != "endpoint="+p.acs.BaseURL+"/;accesskey="+primary {
		t.Fatalf("credentials %+v, want the flags' keys", c)
	}
	for _, key := range []string{primary, secondary} {
		sendACS(t, acsClient(t, acs.Config{Endpoint: p.acs.BaseURL, AccessKey: sms.NewSecret(key)}), "hi", "+14155552671")
	}
	_, err := acsClient(t, acs.Config{Endpoint: p.acs.BaseURL, AccessKey: sms.NewSecret(acstest.DefaultAccessKey)}).Send(t.Context(),
		&sms.Message{To: []string{"+14155552671"}, From: acsSender, Body: "hi"})
	if sms.ErrorCode(err) != sms.CodeUnauthenticated {
		t.Errorf("send with the default key: %v, want Unauthenticated", err)
	}
}

// checkReport checks that evs is the delivered report of messageID.
func checkReport(t *testing.T, evs []sms.Event, messageID, to string) {
	t.Helper()
	if len(evs) != 1 {
		t.Fatalf("sink got %d events, want 1: %+v", len(evs), evs)
	}
	ev := evs[0]
	if ev.Type != sms.EventDeliveryReport || ev.Provider != "acs" || ev.MessageID != messageID || ev.To != to ||
		ev.Status != sms.StatusDelivered || ev.RawStatus != "Delivered" {
		t.Errorf("event %+v, want the delivered report of %s to %s", ev, messageID, to)
	}
}

func TestACSEventGrid(t *testing.T) {
	app := newEventGridApp(t)
	p := start(t, "-event-grid", app.url)
	if c := p.acsConfig(t); c.EventGridURL != app.url || c.Schema != "eventgrid" || c.ValidationState != "pending" {
		t.Errorf("config %+v, want %s, eventgrid, pending", c, app.url)
	}
	res := sendACS(t, p.acs.client(t), "track me", "+14155552671")

	// The handshake, answered by our provider through webhook.Handler.
	hs := app.next(t)
	if hs.method != http.MethodPost || hs.header.Get("aeg-event-type") != "SubscriptionValidation" {
		t.Fatalf("first request %s aeg-event-type %q, want the POST SubscriptionValidation", hs.method, hs.header.Get("aeg-event-type"))
	}
	var sent []struct {
		EventType string `json:"eventType"`
		Data      struct {
			ValidationCode string `json:"validationCode"`
		} `json:"data"`
	}
	if err := json.Unmarshal(hs.body, &sent); err != nil || len(sent) != 1 || sent[0].EventType != acstest.EventTypeSubscriptionValidation {
		t.Fatalf("handshake body %s: %v", hs.body, err)
	}
	var answer struct {
		ValidationResponse string `json:"validationResponse"`
	}
	if err := json.Unmarshal(hs.reply, &answer); hs.status != http.StatusOK || err != nil || answer.ValidationResponse != sent[0].Data.ValidationCode {
		t.Errorf("handshake answered %d %s, want 200 with validationResponse %q", hs.status, hs.reply, sent[0].Data.ValidationCode)
	}

	// Then the delivery report.
	n := app.next(t)
	if n.method != http.MethodPost || n.header.Get("aeg-event-type") != "Notification" || n.status != http.StatusOK {
		t.Errorf("second request %s aeg-event-type %q answered %d, want a POST Notification answered 200", n.method, n.header.Get("aeg-event-type"), n.status)
	}
	checkReport(t, app.nextCall(t), res[0].MessageID, "+14155552671")
	if c := p.waitState(t, "validated"); len(c.Handshakes) != 1 || !c.Handshakes[0].OK || c.Handshakes[0].Method != http.MethodPost {
		t.Errorf("handshakes %+v, want one POST that passed", c.Handshakes)
	}
}

// TestACSEventGridWrongToken checks that the token in -event-grid reaches the application
// as given: with a token it does not accept, the handshake is refused and nothing arrives.
func TestACSEventGridWrongToken(t *testing.T) {
	app := newEventGridApp(t)
	p := start(t, "-event-grid", app.URL+"/acs/events?token=wrong")
	sendACS(t, p.acs.client(t), "held", "+14155552671")
	c := p.waitState(t, "failed")
	if len(c.Handshakes) != 1 || c.Handshakes[0].StatusCode != http.StatusUnauthorized {
		t.Errorf("handshakes %+v, want one answered 401", c.Handshakes)
	}
	if r := app.next(t); r.status != http.StatusUnauthorized {
		t.Errorf("the application answered %d, want 401", r.status)
	}
	select {
	case evs := <-app.calls:
		t.Errorf("the sink got %+v through a refused subscription", evs)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestACSEventGridCloudEvents(t *testing.T) {
	app := newEventGridApp(t)
	p := start(t, "-event-grid", app.url, "-event-grid-schema", "cloudevents")
	if c := p.acsConfig(t); c.Schema != "cloudevents" {
		t.Errorf("schema %q, want cloudevents", c.Schema)
	}
	res := sendACS(t, p.acs.client(t), "track me", "+14155552671")

	hs := app.next(t)
	origin := hs.header.Get("WebHook-Request-Origin")
	if hs.method != http.MethodOptions || origin == "" {
		t.Fatalf("first request %s with WebHook-Request-Origin %q, want the OPTIONS handshake", hs.method, origin)
	}
	if got := hs.answer.Get("WebHook-Allowed-Origin"); hs.status != http.StatusOK || (got != origin && got != "*") {
		t.Errorf("handshake answered %d with WebHook-Allowed-Origin %q, want 200 and %q", hs.status, got, origin)
	}

	n := app.next(t)
	var ce struct {
		SpecVersion string `json:"specversion"`
		Type        string `json:"type"`
		ID          string `json:"id"`
	}
	if err := json.Unmarshal(n.body, &ce); err != nil {
		t.Fatalf("delivery body %s: %v", n.body, err)
	}
	if n.method != http.MethodPost || !strings.HasPrefix(n.header.Get("Content-Type"), "application/cloudevents+json") ||
		ce.SpecVersion != "1.0" || ce.Type != acstest.EventTypeDeliveryReport || n.status != http.StatusOK {
		t.Errorf("delivery %s %q %+v answered %d, want one CloudEvent %s answered 200", n.method, n.header.Get("Content-Type"), ce, n.status, acstest.EventTypeDeliveryReport)
	}
	checkReport(t, app.nextCall(t), res[0].MessageID, "+14155552671")
	if c := p.waitState(t, "validated"); len(c.Handshakes) != 1 || c.Handshakes[0].Method != http.MethodOptions {
		t.Errorf("handshakes %+v, want one OPTIONS", c.Handshakes)
	}
}

// TestACSInboundAndStatusCallbackFlags checks that -inbound acs=URL and -status-callback
// acs=URL name the Event Grid subscription.
func TestACSInboundAndStatusCallbackFlags(t *testing.T) {
	t.Run("inbound", func(t *testing.T) {
		app := newEventGridApp(t)
		p := start(t, "-inbound", "acs="+app.url)
		if c := p.acsConfig(t); c.EventGridURL != app.url {
			t.Fatalf("event_grid_url %q, want %q", c.EventGridURL, app.url)
		}
		code, body := postJSON(t, p.acs.BaseURL+"/_emulator/inbound", `{"from": "+14155552671", "to": "+18005550100", "body": "STOP"}`)
		if code != http.StatusOK {
			t.Fatalf("POST /_emulator/inbound: %d %s", code, body)
		}
		evs := app.nextCall(t)
		if len(evs) != 1 || evs[0].Type != sms.EventOptOut || evs[0].From != "+14155552671" || evs[0].To != "+18005550100" || evs[0].Body != "STOP" {
			t.Errorf("sink got %+v, want the opt-out STOP from +14155552671", evs)
		}
	})
	t.Run("status-callback", func(t *testing.T) {
		app := newEventGridApp(t)
		// The same URL given twice, as a generic harness would, is one subscription.
		p := start(t, "-status-callback", "acs="+app.url, "-event-grid", app.url)
		res := sendACS(t, p.acs.client(t), "track me", "+14155552671")
		checkReport(t, app.nextCall(t), res[0].MessageID, "+14155552671")
	})
	t.Run("no subscription", func(t *testing.T) {
		p := start(t)
		if code, body := postJSON(t, p.acs.BaseURL+"/_emulator/inbound", `{"from": "+14155552671", "to": "+18005550100", "body": "hi"}`); code < 400 {
			t.Errorf("POST /_emulator/inbound without a subscription: %d %s, want an error", code, body)
		}
	})
}

// TestACSEventGridBatchAndRetry checks -event-grid-max-events-per-batch, -event-grid-retries
// and -event-grid-retry-wait: two reports go out as one batch, retried once after a 500.
func TestACSEventGridBatchAndRetry(t *testing.T) {
	app := newEventGridApp(t)
	app.failures.Store(1)
	p := start(t, "-event-grid", app.url, "-event-grid-max-events-per-batch", "2", "-event-grid-retries", "1", "-event-grid-retry-wait", "1ms")
	res := sendACS(t, p.acs.client(t), "two at once", "+14155552671", "+14155552672")
	if hs := app.next(t); hs.header.Get("aeg-event-type") != "SubscriptionValidation" || hs.status != http.StatusOK {
		t.Fatalf("first request: %s %d, want the handshake answered 200", hs.header.Get("aeg-event-type"), hs.status)
	}
	for i, want := range []int{http.StatusInternalServerError, http.StatusOK} {
		r := app.next(t)
		var events []json.RawMessage
		json.Unmarshal(r.body, &events)
		if r.status != want || r.header.Get("aeg-delivery-count") != strconv.Itoa(i) || len(events) != 2 {
			t.Errorf("attempt %d: %d events, aeg-delivery-count %q, answered %d; want 2 events, %d, answered %d",
				i+1, len(events), r.header.Get("aeg-delivery-count"), r.status, i, want)
		}
	}
	evs := app.nextCall(t)
	ids := map[string]bool{}
	for _, ev := range evs {
		ids[ev.MessageID] = true
	}
	if len(evs) != 2 || !ids[res[0].MessageID] || !ids[res[1].MessageID] {
		t.Errorf("sink got %+v, want the reports of %s and %s in one call", evs, res[0].MessageID, res[1].MessageID)
	}
}

// TestACSEventGridNoRetries checks that -event-grid-retries 0 means one attempt.
func TestACSEventGridNoRetries(t *testing.T) {
	app := newEventGridApp(t)
	app.failures.Store(100)
	p := start(t, "-event-grid", app.url, "-event-grid-retries", "0")
	sendACS(t, p.acs.client(t), "once", "+14155552671")
	app.next(t) // the handshake
	if r := app.next(t); r.status != http.StatusInternalServerError {
		t.Fatalf("delivery answered %d, want 500", r.status)
	}
	var ds []struct {
		Attempts []json.RawMessage `json:"attempts"`
		Finished *time.Time        `json:"finished"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		getJSON(t, p.acs.BaseURL+"/_emulator/deliveries", &ds)
		if len(ds) == 1 && ds[0].Finished != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %+v: want one finished delivery", ds)
		}
	}
	if len(ds[0].Attempts) != 1 {
		t.Errorf("%d attempts, want 1", len(ds[0].Attempts))
	}
	select {
	case r := <-app.reqs:
		t.Errorf("a retry arrived: %s %d", r.method, r.status)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestACSControlAPI checks that the ACS control endpoints documented in doc.go are served.
func TestACSControlAPI(t *testing.T) {
	p := start(t)
	base := p.acs.BaseURL + "/_emulator/"
	if code, body := postJSON(t, base+"recipient-failures", `{"to": "+14155552671", "status": 400, "times": -1}`); code != http.StatusNoContent {
		t.Fatalf("POST recipient-failures: %d %s", code, body)
	}
	res, err := p.acs.client(t).Send(t.Context(), &sms.Message{To: []string{"+14155552671"}, From: acsSender, Body: "hi"})
	if err == nil && len(res) == 1 {
		err = res[0].Err
	}
	if err == nil {
		t.Error("send to a failing recipient succeeded")
	}
	req, _ := http.NewRequest(http.MethodDelete, base+"recipient-failures", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE recipient-failures: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	sendACS(t, p.acs.client(t), "hi", "+14155552671")
	var evs []struct {
		Type string `json:"type"`
	}
	getJSON(t, base+"events", &evs)
	if len(evs) != 1 || evs[0].Type != acstest.EventTypeDeliveryReport {
		t.Errorf("GET events = %+v, want the held delivery report", evs)
	}
	if code, body := postJSON(t, base+"flush", ``); code != http.StatusNoContent {
		t.Errorf("POST flush: %d %s", code, body)
	}
	if code, body := postJSON(t, base+"validate", `{}`); code != http.StatusConflict {
		t.Errorf("POST validate without a subscription: %d %s, want 409", code, body)
	}
	// A subscription configured while running gets the held report.
	app := newEventGridApp(t)
	if code, body := postJSON(t, base+"config", `{"event_grid_url": "`+app.url+`", "schema": "cloudevents"}`); code != http.StatusNoContent {
		t.Fatalf("POST config: %d %s", code, body)
	}
	if code, body := postJSON(t, base+"validate", `{}`); code != http.StatusOK {
		t.Errorf("POST validate: %d %s", code, body)
	}
	if evs := app.nextCall(t); len(evs) != 1 || evs[0].Type != sms.EventDeliveryReport {
		t.Errorf("sink got %+v, want the held report", evs)
	}
}

func TestACSBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the stderr line
	}{
		{[]string{"-event-grid-schema", "xml"}, `-event-grid-schema: want "eventgrid" or "cloudevents"`},
		{[]string{"-event-grid-schema", ""}, "-event-grid-schema"},
		{[]string{"-event-grid", "not a url"}, "-event-grid"},
		{[]string{"-event-grid", "ftp://example.com/x"}, "absolute http"},
		{[]string{"-acs-access-key", ""}, "-acs-access-key must not be empty"},
		{[]string{"-acs-access-key", "not base64!"}, "-acs-access-key is not base64"},
		{[]string{"-acs-secondary-access-key", "%%%"}, "-acs-secondary-access-key is not base64"},
		{[]string{"-event-grid-max-events-per-batch", "0"}, "-event-grid-max-events-per-batch 0"},
		{[]string{"-event-grid-max-events-per-batch", "5001"}, "-event-grid-max-events-per-batch 5001"},
		{[]string{"-event-grid-retries", "-1"}, "-event-grid-retries -1"},
		{[]string{"-event-grid-retries", "30"}, "-event-grid-retries 30"},
		{[]string{"-event-grid-retry-wait", "0s"}, "-event-grid-retry-wait must be positive"},
		{[]string{"-inbound", "acs=http://a/", "-status-callback", "acs=http://b/"}, "one Event Grid subscription"},
		{[]string{"-event-grid", "http://a/", "-inbound", "acs=http://b/"}, "-event-grid http://a/ and -inbound acs=http://b/ differ"},
	} {
		// -ports-from 0 first: the check happens before any port is bound.
		if msg := runFails(t, append([]string{"-ports-from", "0"}, tc.args...)...); !strings.Contains(msg, tc.want) {
			t.Errorf("smsemu %q: stderr %q, want it to mention %q", tc.args, msg, tc.want)
		}
	}
}

// TestACSBusyPort checks that a busy ACS port (the second of -ports-from N) exits 2 naming
// acs, and closes the Twilio listener it had bound. The ACS port is held by a live listener
// for the whole test; the Twilio port is stood in for by a free one.
func TestACSBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	twilioAddr := "127.0.0.1:" + strconv.Itoa(port-1)
	sp := &spy{standIn: map[string]bool{twilioAddr: true}}
	msg := runFailsWith(t, sp, "-ports-from", strconv.Itoa(port-1))
	want := "smsemu: acs: listen tcp 127.0.0.1:" + strconv.Itoa(port) + ": "
	if !strings.HasPrefix(msg, want) || !strings.Contains(msg, "address already in use") {
		t.Errorf("stderr %q, want %q… address already in use", msg, want)
	}
	lns := sp.listeners()
	require.Len(t, lns, 1, "only the Twilio listener was bound")
	require.Equal(t, twilioAddr, lns[0].asked)
	require.True(t, lns[0].isClosed(), "the Twilio listener was not closed")
}

// TestFlagErrorsHideWebhookSecrets checks that a rejected webhook URL is named without its
// query values or userinfo password: they are the application's shared secrets.
func TestFlagErrorsHideWebhookSecrets(t *testing.T) {
	const secret = "s3cretT0ken"
	for _, args := range [][]string{
		{"-inbound", "twilio=ftp://app.example/in?token=" + secret},
		{"-inbound", "twilio=http://bad host/in?token=" + secret},
		{"-status-callback", "twilio=https://user:" + secret + "@/status"},
		{"-event-grid", "ftp://app.example/acs/events?token=" + secret},
		{"-event-grid", "http://a/?token=" + secret, "-inbound", "acs=http://b/?token=" + secret},
		{"-inbound", "twilio=http://a/?token=" + secret, "-inbound", "twilio=http://b/?token=" + secret},
	} {
		msg := runFails(t, append([]string{"-ports-from", "0"}, args...)...)
		require.NotContains(t, msg, secret, "smsemu %q", args)
	}
	// What is not secret still says which URL was meant.
	msg := runFails(t, "-ports-from", "0", "-event-grid", "ftp://app.example/acs/events?token="+secret)
	require.Contains(t, msg, "ftp://app.example/acs/events?token=[REDACTED]")
}
