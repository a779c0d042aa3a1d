package smshttp

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// DefaultMaxBody is the cap on the response body Do keeps when Vendor.MaxBody is 0: 1 MiB.
const DefaultMaxBody = 1 << 20

// Vendor describes a vendor's HTTP conventions. Declare it once in the provider; the zero
// value is usable.
type Vendor struct {
	// Name is the provider name put in the errors (sms.Error.Provider). Empty is fine:
	// sms.Client fills it in.
	Name string
	// RequestIDHeader names the response header carrying the vendor's request id; empty if
	// the vendor sends none.
	RequestIDHeader string
	// NotProcessed lists the HTTP statuses the vendor documents as "the request was not
	// processed" (a 503 promised to be answered before any work, say). They map to NotAccepted,
	// so sms.Client may retry them. List only what the vendor documents.
	NotProcessed []int
	// MaxBody caps the response body kept in Response.Body; 0 means DefaultMaxBody.
	MaxBody int64
}

// Response is a vendor's answer whose body has been read and closed.
type Response struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Header is the response header.
	Header http.Header
	// Body is the whole body, or its first MaxBody bytes when Truncated, or what could be
	// read before a read error.
	Body []byte
	// Truncated reports that the body was longer than MaxBody and was cut.
	Truncated bool
	// RetryAfter is how long the vendor asked to wait (Retry-After in seconds or as an HTTP
	// date, or the retry-after-ms headers); 0 if absent, invalid or in the past.
	RetryAfter time.Duration
	// RequestID is the value of Vendor.RequestIDHeader, if any.
	RequestID string
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r != nil && r.StatusCode >= 200 && r.StatusCode <= 299 }

// String describes the response without its headers or body, either of which may echo the
// request's credentials. fmt's %v, %+v and %#v use it.
func (r *Response) String() string { return r.internal().String() }

// GoString is String.
func (r *Response) GoString() string { return r.String() }

// LogValue implements slog.LogValuer: the status, body length and request id, never the
// headers or the body.
func (r *Response) LogValue() slog.Value { return r.internal().LogValue() }

func (r *Response) internal() *httpx.Response {
	if r == nil {
		return nil
	}
	return &httpx.Response{StatusCode: r.StatusCode, Header: r.Header, Body: r.Body, Truncated: r.Truncated, RetryAfter: r.RetryAfter, RequestID: r.RequestID}
}

func (v Vendor) internal() httpx.Vendor {
	return httpx.Vendor{Name: v.Name, RequestIDHeader: v.RequestIDHeader, NotProcessed: v.NotProcessed, MaxBody: v.MaxBody}
}

// Do sends req once with client (nil means http.DefaultClient), reads the response body and
// closes it; see the package documentation for how a failure is classified. With no error,
// or with the OutcomeUnknown of an unreadable 2xx body, the Response is not nil. Like
// http.Client.Do, Do closes req.Body in every case.
func (v Vendor) Do(client *http.Client, req *http.Request) (*Response, error) {
	r, err := httpx.Do(client, req, v.internal().Options())
	if r == nil {
		return nil, err
	}
	return &Response{StatusCode: r.StatusCode, Header: r.Header, Body: r.Body, Truncated: r.Truncated, RetryAfter: r.RetryAfter, RequestID: r.RequestID}, err
}

// Code maps an HTTP status — a whole response's, or a per-item status inside a batch
// answer — to its portable code and to whether it proves the vendor did not accept the
// request, with v.NotProcessed applied.
func (v Vendor) Code(status int) (code sms.Code, notAccepted bool) {
	return v.internal().Code(status)
}

// StatusError maps a non-2xx response to an *sms.Error: Code and NotAccepted from v.Code;
// HTTPStatus, RequestID and RetryAfter copied; Provider v.Name; Message the status text,
// never the body. Refine it from the vendor's documented error fields. A nil r gives
// OutcomeUnknown.
func (v Vendor) StatusError(r *Response) *sms.Error {
	return v.internal().StatusError(r.internal())
}

// Do is Vendor{}.Do: one classified attempt for a vendor with no particular conventions.
func Do(client *http.Client, req *http.Request) (*Response, error) {
	return Vendor{}.Do(client, req)
}

// StatusError is Vendor{}.StatusError.
func StatusError(r *Response) *sms.Error {
	return Vendor{}.StatusError(r)
}
