package httpx_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// refusingTransport is an *http.Transport whose every dial is refused, as a closed port
// refuses it, without depending on a freed port staying free.
func refusingTransport() *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}}
}

func TestVendorBaseURL(t *testing.T) {
	v := httpx.Vendor{Name: "v"}
	for in, want := range map[string]string{
		"https://api.example.com":          "https://api.example.com",
		"https://api.example.com/":         "https://api.example.com",
		"http://127.0.0.1:8080/base//":     "http://127.0.0.1:8080/base",
		"HTTPS://api.example.com/v1":       "HTTPS://api.example.com/v1",
		"https://api.example.com:8443/x/y": "https://api.example.com:8443/x/y",
	} {
		got, err := v.BaseURL("BaseURL", in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"", "api.example.com", "/v1", "ftp://api.example.com", "https://", "https:///path",
		"https://user:hunter2@api.example.com", "https://api.example.com?x=1", "https://api.example.com/?",
		"https://api.example.com#frag", "https://api.example.com/%zz", "://",
	} {
		got, err := v.BaseURL("Endpoint", in)
		require.Empty(t, got, in)
		var e *sms.Error
		require.ErrorAs(t, err, &e, in)
		require.Equal(t, sms.CodeInvalidArgument, e.Code, in)
		require.True(t, e.NotAccepted, in)
		require.Equal(t, "v", e.Provider, in)
		require.Contains(t, e.Message, "Endpoint ", in)
		require.NotContains(t, err.Error(), "hunter2", in)
	}
}

func TestHTTPClientIsACopy(t *testing.T) {
	tr := &http.Transport{}
	jar := http.CookieJar(nil)
	user := &http.Client{Transport: tr, Jar: jar}

	c := httpx.HTTPClient(user, 0)
	require.NotSame(t, user, c)
	require.Equal(t, httpx.DefaultTimeout, c.Timeout)
	require.Same(t, tr, c.Transport.(*http.Transport), "the copy shares the connection pool")
	require.Zero(t, user.Timeout, "the caller's client was modified")

	c = httpx.HTTPClient(user, 5*time.Second)
	require.Equal(t, 5*time.Second, c.Timeout)
	require.Zero(t, user.Timeout)

	user.Timeout = 7 * time.Second
	require.Equal(t, 7*time.Second, httpx.HTTPClient(user, 0).Timeout, "the client's own timeout is kept")
	require.Equal(t, 2*time.Second, httpx.HTTPClient(user, 2*time.Second).Timeout, "an explicit timeout wins")
	require.Equal(t, 7*time.Second, user.Timeout)

	c = httpx.HTTPClient(nil, 0)
	require.NotNil(t, c)
	require.Equal(t, httpx.DefaultTimeout, c.Timeout)
	require.Nil(t, c.Transport)
}

func TestLoggerDefault(t *testing.T) {
	l := httpx.Logger(nil)
	require.NotNil(t, l)
	require.False(t, l.Enabled(context.Background(), slog.LevelError))
	mine := slog.New(slog.NewTextHandler(io.Discard, nil))
	require.Same(t, mine, httpx.Logger(mine))
}

func TestNewTransport(t *testing.T) {
	v := httpx.Vendor{Name: "v", RequestIDHeader: "X-Request-Id"}
	user := &http.Client{}

	tr, err := v.NewTransport(httpx.TransportOptions{DefaultBaseURL: "https://api.example.com/", HTTPClient: user})
	require.NoError(t, err)
	require.Equal(t, "https://api.example.com", tr.BaseURL)
	require.Equal(t, v.Name, tr.Vendor.Name)
	require.NotSame(t, user, tr.Client)
	require.Equal(t, httpx.DefaultTimeout, tr.Client.Timeout)
	require.Zero(t, user.Timeout)
	require.NotNil(t, tr.Logger)

	tr, err = v.NewTransport(httpx.TransportOptions{BaseURL: "http://127.0.0.1:9/emu/", DefaultBaseURL: "https://api.example.com", Timeout: time.Second})
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:9/emu", tr.BaseURL, "the user's BaseURL wins")
	require.Equal(t, time.Second, tr.Client.Timeout)

	_, err = v.NewTransport(httpx.TransportOptions{BaseURL: "ftp://x", DefaultBaseURL: "https://api.example.com"})
	require.ErrorContains(t, err, "BaseURL must be an absolute http(s) URL")
	_, err = v.NewTransport(httpx.TransportOptions{DefaultBaseURL: "nope", BaseURLField: "Endpoint"})
	require.ErrorContains(t, err, "Endpoint must be an absolute http(s) URL")
	_, err = v.NewTransport(httpx.TransportOptions{})
	require.True(t, sms.IsNotAccepted(err))
}

// fetchTransport is a Transport against srv with fast retries.
func fetchTransport(t *testing.T, client *http.Client, base string, o httpx.TransportOptions) *httpx.Transport {
	t.Helper()
	o.BaseURL, o.HTTPClient = base, client
	o.FetchWaitMin, o.FetchWaitMax = time.Millisecond, 2*time.Millisecond
	tr, err := httpx.Vendor{Name: "v", RequestIDHeader: "X-Request-Id"}.NewTransport(o)
	require.NoError(t, err)
	return tr
}

func getRequest(t *testing.T, ctx context.Context, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	require.NoError(t, err)
	return req
}

func TestFetchRetriesUntilOK(t *testing.T) {
	var signed atomic.Int32
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Sig") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Request-Id", "rq")
		if signed.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"status":"delivered"}`)
	})
	var signs atomic.Int32
	tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{Sign: func(r *http.Request) error {
		r.Header.Set("X-Sig", time.Now().String())
		signs.Add(1)
		return nil
	}})
	r, err := tr.Fetch(getRequest(t, context.Background(), tr.BaseURL+"/m/1"), nil)
	require.NoError(t, err)
	require.Equal(t, 200, r.StatusCode)
	require.Equal(t, `{"status":"delivered"}`, string(r.Body))
	require.Equal(t, "rq", r.RequestID)
	require.EqualValues(t, 3, n.Load())
	require.EqualValues(t, 3, signs.Load(), "every attempt is signed")
}

func TestFetchFinalFailureIsUnavailable(t *testing.T) {
	t.Run("5xx after the retries", func(t *testing.T) {
		srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"message":"broken"}`)
		})
		tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{FetchRetries: 2})
		r, err := tr.Fetch(getRequest(t, context.Background(), srv.URL), nil)
		var e *sms.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, sms.CodeUnavailable, e.Code, "a GET has no outcome to be unsure of")
		require.Equal(t, 500, e.HTTPStatus)
		require.Equal(t, "v", e.Provider)
		require.NotNil(t, r)
		require.Equal(t, `{"message":"broken"}`, string(r.Body), "the body stays available to the mapper")
		require.EqualValues(t, 3, n.Load())
	})
	t.Run("the vendor's mapper refines, OutcomeUnknown still becomes Unavailable", func(t *testing.T) {
		srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
		tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{FetchRetries: -1})
		_, err := tr.Fetch(getRequest(t, context.Background(), srv.URL), func(r *httpx.Response) *sms.Error {
			e := tr.Vendor.StatusError(r)
			e.VendorCode = "E1"
			return e
		})
		var e *sms.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, sms.CodeUnavailable, e.Code)
		require.Equal(t, "E1", e.VendorCode)
	})
	t.Run("404 stays NotFound", func(t *testing.T) {
		srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
		tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{})
		_, err := tr.Fetch(getRequest(t, context.Background(), srv.URL), nil)
		require.Equal(t, sms.CodeNotFound, sms.ErrorCode(err))
		require.EqualValues(t, 1, n.Load(), "a 404 is not retried")
	})
	t.Run("connection refused", func(t *testing.T) {
		tr := fetchTransport(t, &http.Client{Transport: refusingTransport()}, "http://127.0.0.1:9", httpx.TransportOptions{FetchRetries: 1})
		r, err := tr.Fetch(getRequest(t, context.Background(), tr.BaseURL), nil)
		require.Nil(t, r)
		var e *sms.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, sms.CodeUnavailable, e.Code)
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
	})
	t.Run("unreadable 2xx body", func(t *testing.T) {
		srv := rawServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"sta")
		tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{FetchRetries: -1})
		_, err := tr.Fetch(getRequest(t, context.Background(), srv.URL), nil)
		var e *sms.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, sms.CodeUnavailable, e.Code)
		require.False(t, errors.Is(err, sms.ErrOutcomeUnknown))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
}

func TestFetchContextEnded(t *testing.T) {
	t.Run("before the call", func(t *testing.T) {
		srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {})
		tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := tr.Fetch(getRequest(t, ctx, srv.URL), nil)
		require.Equal(t, context.Canceled, err) //nolint:errorlint // the bare context error
		require.Zero(t, n.Load())
	})
	t.Run("while the server holds it", func(t *testing.T) {
		srv, _, entered := holdingServer(t)
		tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-entered
			cancel()
		}()
		_, err := tr.Fetch(getRequest(t, ctx, srv.URL), nil)
		require.Equal(t, context.Canceled, err) //nolint:errorlint // the bare context error
	})
}

func TestTransportSendIsOneAttempt(t *testing.T) {
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "rq")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	tr := fetchTransport(t, srv.Client(), srv.URL, httpx.TransportOptions{})
	r, err := tr.Send(sendRequest(t, context.Background(), tr.BaseURL))
	require.NoError(t, err)
	require.Equal(t, "rq", r.RequestID)
	e := tr.Vendor.StatusError(r)
	require.Equal(t, sms.CodeOutcomeUnknown, e.Code)
	require.EqualValues(t, 1, n.Load())
}

// Send follows no redirect, like Do: the 3xx is the answer (OutcomeUnknown), the target is
// never requested, and the client given to NewTransport keeps its own redirect policy.
func TestTransportSendFollowsNoRedirect(t *testing.T) {
	var elsewhere atomic.Int32
	srv, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			elsewhere.Add(1)
			w.WriteHeader(http.StatusCreated)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	hc := srv.Client()
	tr := fetchTransport(t, hc, srv.URL, httpx.TransportOptions{})
	r, err := tr.Send(sendRequest(t, context.Background(), tr.BaseURL+"/send"))
	require.NoError(t, err)
	require.Equal(t, http.StatusFound, r.StatusCode)
	require.Equal(t, sms.CodeOutcomeUnknown, tr.Vendor.StatusError(r).Code)
	require.EqualValues(t, 0, elsewhere.Load(), "the redirect was followed")
	require.EqualValues(t, 1, n.Load())
	require.Nil(t, hc.CheckRedirect, "NewTransport modified the caller's client")
	require.Nil(t, tr.Client.CheckRedirect, "Transport.Client keeps the caller's redirect policy")
}
