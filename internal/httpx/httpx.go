package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/smsbridge/sms"
)

// DefaultMaxBody is the cap on the response body Do keeps when Options.MaxBody is 0.
const DefaultMaxBody = 1 << 20

// Options configures one Do call. The zero value is usable.
type Options struct {
	// RequestIDHeader names the vendor's response header carrying its request id, for
	// example "Twilio-Request-Id". Empty means the vendor sends none.
	RequestIDHeader string
	// MaxBody caps the response body kept in Response.Body; 0 means DefaultMaxBody. A longer
	// body is cut at MaxBody and Response.Truncated is set.
	MaxBody int64
	// Provider names the vendor in the *sms.Error values Do returns. It may be left empty:
	// sms.Client fills it in.
	Provider string
}

// Response is a response whose body has been read (up to Options.MaxBody) and closed.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the whole body, or its first MaxBody bytes when Truncated, or what could be
	// read before a read error.
	Body []byte
	// Truncated reports that the body was longer than MaxBody and was cut.
	Truncated bool
	// RetryAfter is how long the vendor asked the client to wait: the Retry-After header
	// (seconds or an HTTP date, measured against the response's Date header when present),
	// or the Azure-style retry-after-ms / x-ms-retry-after-ms headers; 0 if absent, invalid
	// or in the past.
	RetryAfter time.Duration
	// RequestID is the value of Options.RequestIDHeader, if any.
	RequestID string
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r != nil && r.StatusCode >= 200 && r.StatusCode <= 299 }

// String describes the response without its headers or body, either of which may echo
// the request's credentials: "HTTP 503 (412 bytes) [request RQ1]". fmt's %v and %+v use it.
func (r *Response) String() string {
	if r == nil {
		return "<nil>"
	}
	s := "HTTP " + strconv.Itoa(r.StatusCode) + " (" + strconv.Itoa(len(r.Body)) + " bytes"
	if r.Truncated {
		s += ", truncated"
	}
	s += ")"
	if r.RequestID != "" {
		s += " [request " + r.RequestID + "]"
	}
	return s
}

// GoString is String, for %#v.
func (r *Response) GoString() string { return r.String() }

// LogValue implements slog.LogValuer with the status, body length and request id; never the
// headers or the body.
func (r *Response) LogValue() slog.Value {
	if r == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.Int("status", r.StatusCode),
		slog.Int("body_bytes", len(r.Body)),
		slog.String("request_id", r.RequestID),
	)
}

// Do sends req exactly once with client (nil means http.DefaultClient), reads the response
// body and closes it. A send is never repeated: neither here nor by net/http, whose HTTP/1
// and HTTP/2 transports and redirect handling cannot rewind a body without GetBody, which Do
// clears on its copy of req (see the package documentation). Do follows no redirect: a 3xx
// is returned as the Response, which StatusError maps to OutcomeUnknown. The caller's
// client and request are not modified.
//
// Without a response, the error says whether the request can have reached the vendor:
//
//   - never written and the context is live: *sms.Error with CodeUnavailable and
//     NotAccepted set, wrapping the transport error;
//   - never written and the context has ended: ctx.Err() itself, unwrapped;
//   - possibly written: *sms.Error with CodeOutcomeUnknown; when the context ended, the
//     error also satisfies errors.Is(err, ctx.Err()).
//
// With a response whose body could not be read completely, Do returns the Response (with
// what was read) and, for a 2xx status only, an *sms.Error with CodeOutcomeUnknown, since the
// vendor accepted the request but its answer (the message id) was lost. A non-2xx response is
// returned with a nil error: map it with StatusError.
//
// Like http.Client.Do, Do closes req.Body in every case.
func Do(client *http.Client, req *http.Request, opts Options) (*Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	// No redirect is followed: a 3xx comes back as the Response (the client is copied, the
	// caller's is left alone).
	return do(noRedirect(client), req, opts)
}

// noRedirect returns a copy of client that follows no redirect: the 3xx itself is the answer.
func noRedirect(client *http.Client) *http.Client {
	c := *client
	c.CheckRedirect = useLastResponse
	return &c
}

// do is Do with a client that already follows no redirect (noRedirect), so that a Transport
// copies its client once rather than on every send.
func do(client *http.Client, req *http.Request, opts Options) (*Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}

	st := new(traceState)
	r := req.WithContext(httptrace.WithClientTrace(ctx, st.clientTrace()))
	// Without GetBody neither net/http's HTTP/1 and HTTP/2 transports nor its redirect
	// handling can rewind the body and write it a second time (see the package doc).
	r.GetBody = nil
	if r.Body == nil || r.Body == http.NoBody {
		// A request without a body (a send whose parameters are in the URL) needs no
		// GetBody to be re-sent: Go's HTTP/2 client replays it after a reset stream, and the
		// HTTP/1 one after a closed idle connection when the method is GET. A body that
		// cannot be rewound makes it non-replayable too. (HTTP/1 then sends an empty POST
		// chunked; a GET stays without a body.)
		r.Body, r.ContentLength = emptyBody{}, 0
	}
	resp, err := client.Do(r)
	if err != nil {
		if resp != nil && resp.Body != nil { // only with a CheckRedirect error; already closed
			_ = resp.Body.Close()
		}
		return nil, st.classify(ctx, client, err, opts.Provider)
	}

	return ReadResponse(resp, opts)
}

// emptyBody is an empty request body that net/http cannot rewind, so it cannot re-send a
// request that carries it.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// ReadResponse reads and closes resp's body (up to Options.MaxBody) into a Response, with the
// request id and Retry-After parsed. A 2xx whose body could not be read completely also
// returns an *sms.Error with CodeOutcomeUnknown (see Do). Clients other than Do (the
// go-retryablehttp client of safe requests) use it so that every answer is read alike.
func ReadResponse(resp *http.Response, opts Options) (*Response, error) {
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header}
	if opts.RequestIDHeader != "" {
		out.RequestID = resp.Header.Get(opts.RequestIDHeader)
	}
	out.RetryAfter = retryAfterOf(resp.Header, time.Now())
	limit := opts.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	var rerr error
	out.Body, out.Truncated, rerr = readBody(resp.Body, resp.ContentLength, limit)
	_ = resp.Body.Close()
	if rerr != nil && out.OK() {
		ctx := context.Background()
		if resp.Request != nil {
			ctx = resp.Request.Context()
		}
		return out, &sms.Error{
			Code:       sms.CodeOutcomeUnknown,
			Provider:   opts.Provider,
			HTTPStatus: out.StatusCode,
			RequestID:  out.RequestID,
			Message:    "accepted, but reading the response failed",
			Err:        withContext(ctx, rerr),
		}
	}
	return out, nil
}

// traceState records what net/http reported about one Do call. The hooks may run on
// transport goroutines, hence the atomics. The flags are sticky across net/http's own
// internal attempts, so the classification is as conservative as the worst attempt.
type traceState struct {
	getConn atomic.Bool // the transport started looking for a connection
	gotConn atomic.Bool // a connection was obtained: writing may start at any moment
	wrote   atomic.Bool // the request was written (or writing it ended with an error)
	trace   httptrace.ClientTrace
}

// clientTrace returns the hooks that record into s, allocated with s.
func (s *traceState) clientTrace() *httptrace.ClientTrace {
	s.trace = httptrace.ClientTrace{
		GetConn:      func(string) { s.getConn.Store(true) },
		GotConn:      func(httptrace.GotConnInfo) { s.gotConn.Store(true) },
		WroteRequest: func(httptrace.WroteRequestInfo) { s.wrote.Store(true) },
	}
	return &s.trace
}

// notWritten reports whether the trace proves that no byte of the request was written.
//
// GotConn is the line: net/http writes the request on another goroutine as soon as it has a
// connection, and Transport.RoundTrip may return (on a context end, say) before that
// goroutine's WroteRequest fires, so a connection without WroteRequest is not proof of
// anything. Without GotConn nothing was written — provided the RoundTripper reports hooks at
// all: either it is an *http.Transport, or GetConn fired.
func (s *traceState) notWritten(client *http.Client) bool {
	if s.gotConn.Load() || s.wrote.Load() {
		return false
	}
	if s.getConn.Load() {
		return true
	}
	rt := client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	_, std := rt.(*http.Transport)
	return std
}

// classify turns a transport error (no response) into the error Do returns.
func (s *traceState) classify(ctx context.Context, client *http.Client, err error, provider string) error {
	if s.notWritten(client) {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return &sms.Error{
			Code:        sms.CodeUnavailable,
			Provider:    provider,
			Message:     "request not sent",
			NotAccepted: true,
			Err:         err,
		}
	}
	return &sms.Error{
		Code:     sms.CodeOutcomeUnknown,
		Provider: provider,
		Message:  "request sent, no response",
		Err:      withContext(ctx, err),
	}
}

// withContext makes err satisfy errors.Is(err, ctx.Err()) when ctx has ended, whatever
// net/http wrapped it in.
func withContext(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("%w (%w)", err, cerr)
}

// useLastResponse is the CheckRedirect of Do: the 3xx itself is the answer.
func useLastResponse(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// readBody reads at most limit bytes of body, reporting whether more followed. contentLength
// (-1 if unknown) sizes the buffer so that a body of known length is read in one allocation.
func readBody(body io.Reader, contentLength, limit int64) ([]byte, bool, error) {
	size := int64(512)
	if contentLength >= 0 {
		size = min(contentLength, limit) + 1 // +1: room for the read that sees EOF
	}
	b := make([]byte, 0, min(size, limit+1))
	lr := io.LimitedReader{R: body, N: limit + 1}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return b[:min(int64(len(b)), limit)], false, err
		}
	}
	if int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}
