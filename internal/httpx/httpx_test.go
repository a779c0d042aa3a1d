package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// counted starts an httptest server on 127.0.0.1 whose handler h runs after the request is
// counted. The server is closed when the test ends.
func counted(t testing.TB, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// sendRequest is a form POST like a vendor send; http.NewRequest sets GetBody for it.
func sendRequest(t testing.TB, ctx context.Context, target string) *http.Request {
	t.Helper()
	form := url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "Body": {"hello"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// resetAfterRead reads the whole request, then resets the connection (SO_LINGER 0 makes
// Close send a RST instead of a FIN).
func resetAfterRead(t testing.TB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			t.Errorf("server: reading body: %v", err)
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("server: hijack: %v", err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		} else {
			t.Errorf("server: hijacked %T, not a *net.TCPConn", conn)
		}
		_ = conn.Close()
	}
}

// smsError asserts that err is an *sms.Error with the given code and returns it.
func smsError(t *testing.T, err error, code sms.Code) *sms.Error {
	t.Helper()
	var e *sms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *sms.Error", err, err)
	}
	if e.Code != code {
		t.Fatalf("code = %v, want %v (error: %v)", e.Code, code, err)
	}
	return e
}

func TestResetAfterReadIsOutcomeUnknown(t *testing.T) {
	srv, n := counted(t, resetAfterRead(t))
	resp, err := httpx.Do(srv.Client(), sendRequest(t, context.Background(), srv.URL), httpx.Options{Provider: "test"})
	if resp != nil {
		t.Errorf("got a response: %+v", resp)
	}
	e := smsError(t, err, sms.CodeOutcomeUnknown)
	if e.NotAccepted || sms.IsNotAccepted(err) {
		t.Error("NotAccepted after the request was read")
	}
	if e.Provider != "test" {
		t.Errorf("Provider = %q", e.Provider)
	}
	if !errors.Is(err, sms.ErrOutcomeUnknown) {
		t.Error("errors.Is(err, ErrOutcomeUnknown) = false")
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
}

// On a reused keep-alive connection, net/http's Transport re-sends a request it considers
// replayable — a POST with an Idempotency-Key header and GetBody — when the connection
// fails after the write. Do must prevent that.
func TestResetAfterReadOnReusedConnIsSentOnce(t *testing.T) {
	setup := func(t *testing.T) (*httptest.Server, *atomic.Int32, *http.Client, *http.Request) {
		var sends atomic.Int32
		reset := resetAfterRead(t)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/warm" {
				_, _ = io.WriteString(w, "ok")
				return
			}
			sends.Add(1)
			reset(w, r)
		}))
		t.Cleanup(srv.Close)
		client := srv.Client()
		// Open a keep-alive connection; reading the body to EOF returns it to the idle
		// pool before ReadAll returns, so the next request reuses it.
		resp, err := client.Get(srv.URL + "/warm")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		req := sendRequest(t, context.Background(), srv.URL+"/send")
		req.Header.Set("Idempotency-Key", "k-1")
		if req.GetBody == nil {
			t.Fatal("test request has no GetBody")
		}
		return srv, &sends, client, req
	}
	var reused atomic.Bool
	traced := func(req *http.Request) *http.Request {
		return req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) {
				if i.Reused {
					reused.Store(true)
				}
			},
		}))
	}

	t.Run("net/http alone re-sends", func(t *testing.T) {
		// The control: proves the hazard exists in this Go version, so that the next
		// subtest tests something.
		_, sends, client, req := setup(t)
		reused.Store(false)
		resp, err := client.Do(traced(req))
		if err == nil {
			_ = resp.Body.Close()
			t.Fatal("no error from a reset connection")
		}
		if !reused.Load() {
			t.Fatal("the request did not use the warm connection")
		}
		if got := sends.Load(); got != 2 {
			t.Fatalf("net/http alone: server saw %d requests, want 2 (if net/http stopped re-sending, revisit the GetBody rule in Do)", got)
		}
	})
	t.Run("Do sends once", func(t *testing.T) {
		_, sends, client, req := setup(t)
		reused.Store(false)
		_, err := httpx.Do(client, traced(req), httpx.Options{})
		smsError(t, err, sms.CodeOutcomeUnknown)
		if !reused.Load() {
			t.Fatal("the request did not use the warm connection")
		}
		if got := sends.Load(); got != 1 {
			t.Fatalf("server saw %d requests, want 1", got)
		}
		if req.GetBody == nil {
			t.Error("Do modified the caller's request")
		}
	})
}

func TestRefusedConnectionIsUnavailableNotAccepted(t *testing.T) {
	client := &http.Client{Transport: refusingTransport()}
	resp, err := httpx.Do(client, sendRequest(t, context.Background(), "http://127.0.0.1:9/send"), httpx.Options{})
	require.Nil(t, resp)
	e := smsError(t, err, sms.CodeUnavailable)
	require.True(t, e.NotAccepted)
	require.True(t, sms.IsNotAccepted(err))
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	require.ErrorIs(t, err, sms.ErrUnavailable)
}

// The other branch: a connection was obtained and the request started, then the connection
// was reset (by a listener that resets after the first byte, so that the reset cannot hit
// the dial, which would rightly be Unavailable). It is OutcomeUnknown.
func TestResetWhileWritingIsOutcomeUnknown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Read(make([]byte, 1))
			_ = c.(*net.TCPConn).SetLinger(0) // Close sends a RST
			_ = c.Close()
		}
	}()
	resp, err := httpx.Do(&http.Client{Transport: &http.Transport{}}, sendRequest(t, context.Background(), "http://"+ln.Addr().String()+"/send"), httpx.Options{})
	require.Nil(t, resp)
	e := smsError(t, err, sms.CodeOutcomeUnknown)
	require.False(t, e.NotAccepted)
}

// closeRecorder records that the request body was closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error { c.closed.Store(true); return nil }

func TestContextCanceledBeforeCall(t *testing.T) {
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	body := &closeRecorder{Reader: strings.NewReader("x=1")}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpx.Do(srv.Client(), req, httpx.Options{})
	if resp != nil {
		t.Errorf("got a response: %+v", resp)
	}
	if err != context.Canceled { //nolint:errorlint // the contract is the bare context error
		t.Fatalf("err = %#v, want context.Canceled itself", err)
	}
	if got := n.Load(); got != 0 {
		t.Errorf("server saw %d requests, want 0", got)
	}
	if !body.closed.Load() {
		t.Error("request body not closed")
	}
}

// holdingServer starts a counting server whose handler reads the request, reports it on
// entered, and then holds the response until the test ends.
func holdingServer(t *testing.T) (*httptest.Server, *atomic.Int32, <-chan struct{}) {
	release := make(chan struct{})
	entered := make(chan struct{}, 16)
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		entered <- struct{}{}
		<-release
	})
	t.Cleanup(func() { close(release) }) // registered after the server's Close, so runs before it
	return srv, n, entered
}

func TestContextCanceledWhileServerHolds(t *testing.T) {
	srv, n, entered := holdingServer(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-entered
		cancel()
	}()
	resp, err := httpx.Do(srv.Client(), sendRequest(t, ctx, srv.URL), httpx.Options{})
	if resp != nil {
		t.Errorf("got a response: %+v", resp)
	}
	e := smsError(t, err, sms.CodeOutcomeUnknown)
	if e.NotAccepted {
		t.Error("NotAccepted after the request was read")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false", err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
	if sms.ErrorCode(err) != sms.CodeOutcomeUnknown {
		t.Errorf("ErrorCode = %v", sms.ErrorCode(err))
	}
}

// expiringContext is a context whose deadline passes when the test says so, not on a
// clock: Err is context.DeadlineExceeded once expire has been called.
type expiringContext struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newExpiringContext() *expiringContext {
	return &expiringContext{Context: context.Background(), done: make(chan struct{})}
}

func (c *expiringContext) Done() <-chan struct{} { return c.done }

func (c *expiringContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (c *expiringContext) expire() { c.once.Do(func() { close(c.done) }) }

func TestDeadlineWhileServerHolds(t *testing.T) {
	srv, n, entered := holdingServer(t)
	ctx := newExpiringContext()
	go func() {
		<-entered // the deadline passes once the server has the request
		ctx.expire()
	}()
	_, err := httpx.Do(srv.Client(), sendRequest(t, ctx, srv.URL), httpx.Options{})
	e := smsError(t, err, sms.CodeOutcomeUnknown)
	require.False(t, e.NotAccepted)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.EqualValues(t, 1, n.Load())
}

// A Client.Timeout runs on the wall clock, which a test cannot hold: on a busy machine it may
// fire before the connection is obtained. Both outcomes are checked for what they must prove.
func TestClientTimeoutWhileServerHolds(t *testing.T) {
	srv, n, _ := holdingServer(t)
	client := srv.Client()
	client.Timeout = 100 * time.Millisecond
	_, err := httpx.Do(client, sendRequest(t, context.Background(), srv.URL), httpx.Options{})
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	var ne net.Error
	require.ErrorAs(t, e.Err, &ne)
	require.True(t, ne.Timeout(), "cause %v is not a timeout", e.Err)
	if e.Code == sms.CodeUnavailable {
		// The timer fired before a connection was obtained: then nothing may have been sent.
		require.True(t, e.NotAccepted)
		require.Zero(t, n.Load())
		t.Log("the timeout fired before a connection was obtained")
		return
	}
	require.Equal(t, sms.CodeOutcomeUnknown, e.Code, "error: %v", err)
	require.False(t, e.NotAccepted)
}

func TestRateLimitedRetryAfter(t *testing.T) {
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Twilio-Request-Id", "RQ42")
		w.Header().Set("X-Secret-Header", "do-not-leak")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"code": 20429, "message": "Too Many Requests"}`)
	})
	resp, err := httpx.Do(srv.Client(), sendRequest(t, context.Background(), srv.URL), httpx.Options{RequestIDHeader: "Twilio-Request-Id"})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.StatusCode != 429 || resp.RetryAfter != 7*time.Second || resp.RequestID != "RQ42" {
		t.Fatalf("resp = %d, RetryAfter %v, RequestID %q", resp.StatusCode, resp.RetryAfter, resp.RequestID)
	}
	e := httpx.StatusError("twilio", resp)
	if e.Code != sms.CodeRateLimited || !e.NotAccepted || e.RetryAfter != 7*time.Second ||
		e.HTTPStatus != 429 || e.RequestID != "RQ42" || e.Provider != "twilio" {
		t.Fatalf("StatusError = %+v", e)
	}
	if e.Message != "Too Many Requests" || strings.Contains(e.Error(), "do-not-leak") {
		t.Errorf("Message = %q", e.Message)
	}
	if n.Load() != 1 {
		t.Errorf("server saw %d requests", n.Load())
	}
}

func TestRetryAfterHeaders(t *testing.T) {
	serverNow := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC) // far from the test's clock
	cases := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"date measured from Date", http.Header{"Date": {serverNow.Format(http.TimeFormat)}, "Retry-After": {serverNow.Add(42 * time.Second).Format(http.TimeFormat)}}, 42 * time.Second},
		{"retry-after-ms", http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"9"}}, 1500 * time.Millisecond},
		{"x-ms-retry-after-ms", http.Header{"X-Ms-Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
		{"bad ms falls back", http.Header{"Retry-After-Ms": {"soon"}, "Retry-After": {"3"}}, 3 * time.Second},
		{"absent", http.Header{}, 0},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.header {
					w.Header()[k] = v
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			resp, err := httpx.Do(srv.Client(), sendRequest(t, context.Background(), srv.URL), httpx.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if resp.RetryAfter != c.want {
				t.Errorf("RetryAfter = %v, want %v", resp.RetryAfter, c.want)
			}
		})
	}
}

func TestRequestIDAndBodyCap(t *testing.T) {
	payload := strings.Repeat("0123456789", 10) // 100 bytes
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		if r.URL.Query().Has("chunked") {
			w.WriteHeader(http.StatusCreated)
			for i := 0; i < len(payload); i += 10 {
				_, _ = io.WriteString(w, payload[i:i+10])
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(payload)))
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, payload)
	})
	for _, c := range []struct {
		query     string
		max       int64
		wantLen   int
		truncated bool
	}{
		{"", 0, 100, false},
		{"", 10, 10, true},
		{"", 100, 100, false},
		{"", 99, 99, true},
		{"?chunked", 0, 100, false},
		{"?chunked", 25, 25, true},
		{"?chunked", 100, 100, false},
	} {
		t.Run(fmt.Sprintf("%s/max=%d", c.query, c.max), func(t *testing.T) {
			resp, err := httpx.Do(srv.Client(), sendRequest(t, context.Background(), srv.URL+c.query),
				httpx.Options{RequestIDHeader: "X-Request-Id", MaxBody: c.max})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusCreated || !resp.OK() {
				t.Errorf("status %d", resp.StatusCode)
			}
			if resp.RequestID != "req-7" {
				t.Errorf("RequestID = %q", resp.RequestID)
			}
			if len(resp.Body) != c.wantLen || string(resp.Body) != payload[:c.wantLen] || resp.Truncated != c.truncated {
				t.Errorf("body %d bytes (truncated %v), want %d (%v)", len(resp.Body), resp.Truncated, c.wantLen, c.truncated)
			}
		})
	}
}

func TestNoRequestIDHeaderConfigured(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Request-Id", "r") })
	resp, err := httpx.Do(srv.Client(), sendRequest(t, context.Background(), srv.URL), httpx.Options{})
	if err != nil || resp.RequestID != "" {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
}

// rawServer answers every request with raw bytes, then closes the connection.
func rawServer(t *testing.T, raw string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		conn, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = bw.WriteString(raw)
		_ = bw.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBodyReadFailure(t *testing.T) {
	t.Run("2xx is OutcomeUnknown with the partial body", func(t *testing.T) {
		srv := rawServer(t, "HTTP/1.1 201 Created\r\nContent-Length: 100\r\nX-Request-Id: rq\r\n\r\n{\"sid\":\"SM")
		resp, err := httpx.Do(srv.Client(), sendRequest(t, context.Background(), srv.URL), httpx.Options{RequestIDHeader: "X-Request-Id"})
		if resp == nil || resp.StatusCode != 201 || string(resp.Body) != `{"sid":"SM` {
			t.Fatalf("resp = %+v", resp)
		}
		e := smsError(t, err, sms.CodeOutcomeUnknown)
		if e.HTTPStatus != 201 || e.RequestID != "rq" || e.NotAccepted {
			t.Errorf("error = %+v", e)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("cause = %v", e.Err)
		}
	})
	t.Run("non-2xx is just the Response", func(t *testing.T) {
		srv := rawServer(t, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100\r\n\r\noops")
		resp, err := httpx.Do(srv.Client(), sendRequest(t, context.Background(), srv.URL), httpx.Options{})
		if err != nil {
			t.Fatalf("err = %v", err)
		}
		if resp.StatusCode != 500 || string(resp.Body) != "oops" {
			t.Fatalf("resp = %+v", resp)
		}
		if e := httpx.StatusError("p", resp); e.Code != sms.CodeOutcomeUnknown || e.NotAccepted {
			t.Errorf("StatusError = %+v", e)
		}
	})
}

// rtFunc is a RoundTripper that is not an *http.Transport.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The classification table, driven through the trace hooks a transport reports.
func TestClassificationByTraceHooks(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name        string
		hooks       func(*httptrace.ClientTrace)
		cancelFirst bool
		code        sms.Code
		notAccepted bool
		ctxErr      bool // the bare context error
	}{
		{"no hooks from a custom transport proves nothing", func(*httptrace.ClientTrace) {}, false, sms.CodeOutcomeUnknown, false, false},
		{"GetConn only: never written", func(tr *httptrace.ClientTrace) { tr.GetConn("h:1") }, false, sms.CodeUnavailable, true, false},
		{"GetConn only, context ended: the context error", func(tr *httptrace.ClientTrace) { tr.GetConn("h:1") }, true, 0, false, true},
		{"GotConn without WroteRequest: maybe writing", func(tr *httptrace.ClientTrace) {
			tr.GetConn("h:1")
			tr.GotConn(httptrace.GotConnInfo{})
		}, false, sms.CodeOutcomeUnknown, false, false},
		{"WroteRequest with an error: conservative", func(tr *httptrace.ClientTrace) {
			tr.GetConn("h:1")
			tr.GotConn(httptrace.GotConnInfo{})
			tr.WroteRequest(httptrace.WroteRequestInfo{Err: boom})
		}, false, sms.CodeOutcomeUnknown, false, false},
		{"GotConn, context ended: OutcomeUnknown", func(tr *httptrace.ClientTrace) {
			tr.GetConn("h:1")
			tr.GotConn(httptrace.GotConnInfo{})
		}, true, sms.CodeOutcomeUnknown, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			client := &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
				c.hooks(httptrace.ContextClientTrace(r.Context()))
				if c.cancelFirst {
					cancel()
					return nil, r.Context().Err()
				}
				return nil, boom
			})}
			_, err := httpx.Do(client, sendRequest(t, ctx, "http://127.0.0.1:1/"), httpx.Options{})
			if c.ctxErr {
				if err != context.Canceled { //nolint:errorlint
					t.Fatalf("err = %#v, want context.Canceled itself", err)
				}
				return
			}
			e := smsError(t, err, c.code)
			if e.NotAccepted != c.notAccepted {
				t.Errorf("NotAccepted = %v", e.NotAccepted)
			}
			if c.cancelFirst && !errors.Is(err, context.Canceled) {
				t.Errorf("errors.Is(%v, context.Canceled) = false", err)
			}
		})
	}
}

// A caller's own trace still sees its hooks.
func TestCallerTraceKept(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {})
	var wrote atomic.Bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	})
	if _, err := httpx.Do(srv.Client(), sendRequest(t, ctx, srv.URL), httpx.Options{}); err != nil {
		t.Fatal(err)
	}
	if !wrote.Load() {
		t.Error("caller's WroteRequest hook not called")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"7", 7 * time.Second},
		{" 120 ", 120 * time.Second},
		{"0", 0},
		{"007", 7 * time.Second},
		{"-5", 0},
		{"+5", 0},
		{"1.5", 0},
		{"7s", 0},
		{"soon", 0},
		{"", 0},
		{"   ", 0},
		{"99999999999999999999999", math.MaxInt64},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second},
		{now.Add(2 * time.Minute).Format(time.ANSIC), 2 * time.Minute},
		{now.Format(http.TimeFormat), 0},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Fri, 31 Dec 1999 23:59:59 GMT", 0},
		{"Fri, 32 Dec 2099 23:59:59 GMT", 0},
	}
	for _, c := range cases {
		if got := httpx.ParseRetryAfter(c.in, now); got != c.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestRetryClientRetriesUntilOK(t *testing.T) {
	var calls atomic.Int32
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "busy")
			return
		}
		_, _ = io.WriteString(w, `{"status":"delivered"}`)
	})
	c := httpx.NewRetryClient(srv.Client(), 3, time.Millisecond, 5*time.Millisecond)
	if c.Logger != nil {
		t.Error("logger is on")
	}
	req, err := retryablehttp.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"status":"delivered"}` {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if got := n.Load(); got != 3 {
		t.Errorf("server hit %d times, want 3", got)
	}
}

func TestRetryClientKeepsFinalResponse(t *testing.T) {
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = fmt.Fprintf(w, `{"error":"broken","attempt":%d}`, 0)
	})
	c := httpx.NewRetryClient(srv.Client(), 2, time.Millisecond, 2*time.Millisecond)
	req, err := retryablehttp.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("err = %v, want the final response", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 500 || string(body) != `{"error":"broken","attempt":0}` {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if got := n.Load(); got != 3 {
		t.Errorf("server hit %d times, want 3 (1 + 2 retries)", got)
	}
}

func TestRetryClientTransportErrorIsReturned(t *testing.T) {
	c := httpx.NewRetryClient(&http.Client{Transport: refusingTransport()}, 1, time.Millisecond, time.Millisecond)
	req, _ := retryablehttp.NewRequest(http.MethodGet, "http://127.0.0.1:9", nil)
	resp, err := c.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v", err)
	}
}

// BenchmarkDo compares Do with a bare http.Client.Do + io.ReadAll against the same server.
func BenchmarkDo(b *testing.B) {
	reply := []byte(`{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","num_segments":"1"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Twilio-Request-Id", "RQ0123456789")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(reply)
	}))
	defer srv.Close()
	client := srv.Client()
	form := "To=%2B14155552671&From=%2B14155550100&Body=hello"
	newReq := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	b.Run("httpx.Do", func(b *testing.B) {
		b.ReportAllocs()
		opts := httpx.Options{RequestIDHeader: "Twilio-Request-Id"}
		for b.Loop() {
			resp, err := httpx.Do(client, newReq(), opts)
			if err != nil || !bytes.Equal(resp.Body, reply) {
				b.Fatal(err)
			}
		}
	})
	b.Run("http.Client.Do+ReadAll", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Do(newReq())
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil || !bytes.Equal(body, reply) {
				b.Fatal(err)
			}
		}
	})
}
