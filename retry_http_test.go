package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// These tests run the whole never-send-twice path over real HTTP: a minimal vendor provider
// built on internal/httpx, the root Client's retries, and an httptest server that counts what
// it received.

// rhProvider is a minimal vendor: one form POST per recipient through httpx.Do, non-2xx
// mapped with httpx.StatusError, a JSON {"sid": …} on success.
type rhProvider struct {
	url string
	hc  *http.Client
}

func (p *rhProvider) Name() string { return "rhtest" }

func (p *rhProvider) Capabilities() sms.Capabilities {
	return sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode}, MaxRecipients: 10}
}

func (p *rhProvider) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	results := make([]sms.SendResult, len(msg.To))
	for i, to := range msg.To {
		results[i] = sms.SendResult{To: to}
		results[i].MessageID, results[i].Err = p.sendOne(ctx, msg, to)
		if results[i].Err == nil {
			results[i].Status = sms.StatusAccepted
		}
	}
	return results, nil
}

func (p *rhProvider) sendOne(ctx context.Context, msg *sms.Message, to string) (string, error) {
	form := url.Values{"To": {to}, "From": {msg.From.Value}, "Body": {msg.Body}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", &sms.Error{Code: sms.CodeInternal, NotAccepted: true, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := httpx.Do(p.hc, req, httpx.Options{Provider: p.Name(), RequestIDHeader: "X-Request-Id"})
	if err != nil {
		return "", err
	}
	if !resp.OK() {
		return "", httpx.StatusError(p.Name(), resp)
	}
	var body struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.SID == "" {
		// Accepted, but the id is lost: the vendor may send the message.
		return "", &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: p.Name(), HTTPStatus: resp.StatusCode, RequestID: resp.RequestID, Message: "unreadable success body", Err: err}
	}
	return body.SID, nil
}

func (p *rhProvider) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	return nil, fmt.Errorf("rhtest callbacks: %w", errors.ErrUnsupported)
}

// rhClock records the waits asked of it and returns at once.
type rhClock struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (c *rhClock) Now() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func (c *rhClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *rhClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// rhServer starts a 127.0.0.1 server; answer gets the 1-based number of the request.
func rhServer(t *testing.T, answer func(n int32, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer(n.Add(1), w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func rhSend(t *testing.T, ctx context.Context, target string, hc *http.Client) (*rhClock, []sms.SendResult, error) {
	t.Helper()
	clock := &rhClock{}
	c := sms.NewClient(&rhProvider{url: target, hc: hc}, &sms.ClientOptions{Clock: clock})
	res, err := c.Send(ctx, &sms.Message{
		To:   []string{"+14155552671"},
		From: sms.Sender{Type: sms.SenderLongCode, Value: "+14155550100"},
		Body: "hello",
	})
	return clock, res, err
}

// rhOnlyResult returns the one result of a one-recipient send. Send returns a result per
// recipient whatever the outcome, and its error is that recipient's error when it failed.
func rhOnlyResult(t *testing.T, res []sms.SendResult, err error) sms.SendResult {
	t.Helper()
	require.Len(t, res, 1, "one result per recipient (Send error %v)", err)
	if res[0].OK() {
		require.NoError(t, err)
	} else {
		require.ErrorIs(t, err, res[0].Err, "nothing was accepted: Send returns the recipient's error")
	}
	return res[0]
}

func TestRetryHTTP429ThenCreated(t *testing.T) {
	srv, n := rhServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("To") != "+14155552671" {
			t.Errorf("server got To=%q", r.PostForm.Get("To"))
		}
		if n == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"slow down"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid":"SM1"}`)
	})
	clock, res, err := rhSend(t, context.Background(), srv.URL, srv.Client())
	r := rhOnlyResult(t, res, err)
	if !r.OK() || r.MessageID != "SM1" || r.Attempts != 2 {
		t.Errorf("result = %+v", r)
	}
	if got := clock.Sleeps(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("sleeps = %v, want [7s]", got)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("server saw %d requests, want 2", got)
	}
}

func TestRetryHTTPResetAfterReadIsNotRetried(t *testing.T) {
	srv, n := rhServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // Close sends a RST
		}
		_ = conn.Close()
	})
	clock, res, err := rhSend(t, context.Background(), srv.URL, srv.Client())
	r := rhOnlyResult(t, res, err)
	if sms.ErrorCode(r.Err) != sms.CodeOutcomeUnknown || sms.IsNotAccepted(r.Err) {
		t.Errorf("result error = %v (%v)", r.Err, sms.ErrorCode(r.Err))
	}
	if r.Attempts != 1 {
		t.Errorf("Attempts = %d", r.Attempts)
	}
	if got := clock.Sleeps(); len(got) != 0 {
		t.Errorf("sleeps = %v, want none", got)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
}

// A refused connection proves nothing was sent: it is retried, and after the last attempt the
// recipient's result (and Send's error) is a not-accepted Unavailable naming the provider.
func TestRetryHTTPRefusedIsRetriedThenNotAccepted(t *testing.T) {
	refused := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		},
	}}
	clock, res, err := rhSend(t, context.Background(), "http://127.0.0.1:9/send", refused)
	r := rhOnlyResult(t, res, err)
	require.Equal(t, 3, r.Attempts)
	for _, e := range []error{r.Err, err} {
		require.True(t, sms.IsNotAccepted(e), "%v", e)
		require.Equal(t, sms.CodeUnavailable, sms.ErrorCode(e), "%v", e)
		var se *sms.Error
		require.ErrorAs(t, e, &se)
		require.Equal(t, "rhtest", se.Provider)
	}
	require.Len(t, clock.Sleeps(), 2, "MaxAttempts 3: two waits between three attempts")
}

func TestRetryHTTP500IsOutcomeUnknown(t *testing.T) {
	srv, n := rhServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"message":"internal"}`)
	})
	clock, res, err := rhSend(t, context.Background(), srv.URL, srv.Client())
	r := rhOnlyResult(t, res, err)
	var e *sms.Error
	if !errors.As(r.Err, &e) || e.Code != sms.CodeOutcomeUnknown || e.NotAccepted || e.HTTPStatus != 500 {
		t.Errorf("result error = %#v", r.Err)
	}
	if got := clock.Sleeps(); len(got) != 0 {
		t.Errorf("sleeps = %v, want none", got)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
}

func TestRetryHTTPCanceledWhileWaitingForResponse(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	srv, n := rhServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		entered <- struct{}{}
		<-release
	})
	t.Cleanup(func() { close(release) }) // before srv.Close (LIFO)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-entered
		cancel()
	}()
	clock, res, err := rhSend(t, ctx, srv.URL, srv.Client())
	r := rhOnlyResult(t, res, err)
	if sms.ErrorCode(r.Err) != sms.CodeOutcomeUnknown || !errors.Is(r.Err, context.Canceled) || sms.IsNotAccepted(r.Err) {
		t.Errorf("result error = %v", r.Err)
	}
	if got := clock.Sleeps(); len(got) != 0 {
		t.Errorf("sleeps = %v", got)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
}
