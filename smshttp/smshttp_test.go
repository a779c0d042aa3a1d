package smshttp_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smshttp"
)

func post(t *testing.T, ctx context.Context, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"to":"+14155550100"}`))
	require.NoError(t, err)
	return req
}

func smsErr(t *testing.T, err error, code sms.Code) *sms.Error {
	t.Helper()
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, code, e.Code, "error: %v", err)
	return e
}

// dialTransport is an *http.Transport whose dial runs dial instead of connecting.
func dialTransport(dial func(ctx context.Context) (net.Conn, error)) *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) }}
}

func TestDoWhenNothingWasSent(t *testing.T) {
	t.Run("connection refused is Unavailable and NotAccepted", func(t *testing.T) {
		client := &http.Client{Transport: dialTransport(func(context.Context) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		})}
		resp, err := smshttp.Vendor{Name: "acme"}.Do(client, post(t, context.Background(), "http://127.0.0.1:9/send"))
		require.Nil(t, resp)
		e := smsErr(t, err, sms.CodeUnavailable)
		require.True(t, e.NotAccepted)
		require.Equal(t, "acme", e.Provider)
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
	})
	t.Run("context canceled while dialing is the context error", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		client := &http.Client{Transport: dialTransport(func(dctx context.Context) (net.Conn, error) {
			cancel()
			<-dctx.Done()
			return nil, dctx.Err()
		})}
		resp, err := smshttp.Do(client, post(t, ctx, "http://127.0.0.1:9/send"))
		require.Nil(t, resp)
		require.Equal(t, context.Canceled, err) //nolint:errorlint // the contract is the bare context error
	})
	t.Run("context canceled before the call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := smshttp.Do(nil, post(t, ctx, "http://127.0.0.1:9/send"))
		require.Equal(t, context.Canceled, err) //nolint:errorlint
	})
}

func TestDoWhenTheVendorHasTheRequest(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		n.Add(1)
		arrived <- struct{}{}
		<-release
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	resp, err := smshttp.Do(srv.Client(), post(t, ctx, srv.URL))
	require.Nil(t, resp)
	e := smsErr(t, err, sms.CodeOutcomeUnknown)
	require.False(t, e.NotAccepted)
	require.ErrorIs(t, err, context.Canceled)
	require.EqualValues(t, 1, n.Load())
}

// getBodySpy records whether the transport could rewind the body it was given.
type getBodySpy struct {
	next      http.RoundTripper
	getBodies atomic.Int32
}

func (s *getBodySpy) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.GetBody != nil {
		s.getBodies.Add(1)
	}
	return s.next.RoundTrip(r)
}

func TestDoCannotBeReplayedByTheTransport(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		n.Add(1)
		if r.URL.Path == "/send" {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}
	}))
	t.Cleanup(srv.Close)
	spy := &getBodySpy{next: srv.Client().Transport}
	client := &http.Client{Transport: spy}
	req := post(t, context.Background(), srv.URL+"/send")
	require.NotNil(t, req.GetBody, "precondition")

	resp, err := smshttp.Do(client, req)
	require.NoError(t, err)
	require.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode, "the redirect is the answer")
	require.EqualValues(t, 1, n.Load(), "the body was written again")
	require.Zero(t, spy.getBodies.Load(), "the transport received a rewindable body")
	require.NotNil(t, req.GetBody, "Do modified the caller's request")
	require.Equal(t, sms.CodeOutcomeUnknown, smshttp.StatusError(resp).Code)
}

func TestDoResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "rq-9")
		w.Header().Set("Retry-After", "4")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, "0123456789")
	}))
	t.Cleanup(srv.Close)
	v := smshttp.Vendor{Name: "acme", RequestIDHeader: "X-Request-Id", MaxBody: 4}
	resp, err := v.Do(srv.Client(), post(t, context.Background(), srv.URL))
	require.NoError(t, err)
	require.Equal(t, 429, resp.StatusCode)
	require.Equal(t, "0123", string(resp.Body))
	require.True(t, resp.Truncated)
	require.Equal(t, "rq-9", resp.RequestID)
	require.Equal(t, 4*time.Second, resp.RetryAfter)
	require.False(t, resp.OK())

	e := v.StatusError(resp)
	want := &sms.Error{Code: sms.CodeRateLimited, Provider: "acme", HTTPStatus: 429, RequestID: "rq-9",
		RetryAfter: 4 * time.Second, Message: "Too Many Requests", NotAccepted: true}
	require.Equal(t, want, e)
}

func TestVendorCode(t *testing.T) {
	v := smshttp.Vendor{NotProcessed: []int{503}}
	for status, want := range map[int]struct {
		code sms.Code
		na   bool
	}{
		400: {sms.CodeInvalidArgument, true},
		409: {sms.CodeOutcomeUnknown, false},
		500: {sms.CodeOutcomeUnknown, false},
		503: {sms.CodeUnavailable, true},
	} {
		code, na := v.Code(status)
		require.Equal(t, want.code, code, "%d", status)
		require.Equal(t, want.na, na, "%d", status)
	}
	code, na := smshttp.Vendor{}.Code(503)
	require.Equal(t, sms.CodeOutcomeUnknown, code)
	require.False(t, na)
}

// A proxy that echoes the request into its error page cannot leak the credential through
// the error, its formatting, or a log line of the error or the response.
func TestNothingSecretInErrorsOrLogs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_ = r.Header.Write(w)
	}))
	t.Cleanup(srv.Close)
	req := post(t, context.Background(), srv.URL)
	req.SetBasicAuth("acme-user", "acme-pass")
	basic := req.Header.Get("Authorization")
	resp, err := smshttp.Do(srv.Client(), req)
	require.NoError(t, err)
	require.Contains(t, string(resp.Body), basic, "precondition: the body echoes the credential")

	e := smshttp.StatusError(resp)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Error("send failed", "err", e, "resp", resp)
	slog.New(slog.NewJSONHandler(&logs, nil)).Error("send failed", "err", e, "resp", resp)
	for _, out := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e),
		fmt.Sprintf("%v", resp), fmt.Sprintf("%+v", resp), fmt.Sprintf("%#v", resp), logs.String()} {
		require.NotContains(t, out, basic)
		require.NotContains(t, out, "acme-pass")
	}
	require.Equal(t, "HTTP 502 (", resp.String()[:10])
	var nilResp *smshttp.Response
	require.Equal(t, "<nil>", nilResp.String())
}
