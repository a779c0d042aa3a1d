package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/smsbridge/sms"
)

// Transport defaults every vendor constructor applies (see NewTransport).
const (
	// DefaultTimeout bounds each request when neither the options nor the caller's
	// *http.Client set a timeout.
	DefaultTimeout = 30 * time.Second
	// DefaultFetchRetries is how many times Fetch repeats a safe request after the first
	// attempt.
	DefaultFetchRetries = 3
	// DefaultFetchWaitMin and DefaultFetchWaitMax bound Fetch's wait between attempts (doubling
	// from the first; Retry-After on a 429 or 503 is honoured).
	DefaultFetchWaitMin = 200 * time.Millisecond
	DefaultFetchWaitMax = 5 * time.Second
)

// TransportOptions are the transport settings a vendor constructor received from its user,
// plus the vendor's defaults. Only a base URL (BaseURL or DefaultBaseURL) is required.
type TransportOptions struct {
	// BaseURL is the user's override (an emulator, a regional host); empty means
	// DefaultBaseURL.
	BaseURL string
	// DefaultBaseURL is the vendor's origin, or one the constructor derived (Twilio's edge and
	// region host, ACS's endpoint).
	DefaultBaseURL string
	// BaseURLField names the user's option in error messages; empty means "BaseURL".
	BaseURLField string
	// HTTPClient is the user's client; nil means a new one. It is copied, never modified.
	HTTPClient *http.Client
	// Timeout, when positive, is set on the copy of HTTPClient. Otherwise the client keeps its
	// own Timeout, or gets DefaultTimeout if it has none.
	Timeout time.Duration
	// Logger is the user's logger; nil means one that discards everything.
	Logger *slog.Logger
	// FetchRetries is how many times Fetch repeats a request after the first attempt: 0 means
	// DefaultFetchRetries, a negative value none.
	FetchRetries int
	// FetchWaitMin and FetchWaitMax bound the wait between Fetch attempts; 0 means the
	// defaults.
	FetchWaitMin, FetchWaitMax time.Duration
	// Sign, if set, is called on every Fetch attempt's request just before it is sent (the
	// first one included), for signatures that include a date (ACS HMAC).
	Sign func(*http.Request) error
}

// Transport is the HTTP half of a vendor provider, built once by NewTransport: the checked
// base URL, the client for sends, the logger, and a retrying client for safe requests.
// It is safe for concurrent use.
type Transport struct {
	// Vendor is the vendor the transport was built for.
	Vendor Vendor
	// BaseURL is the checked base URL (scheme http or https, a host, no query, fragment or
	// user info) without a trailing "/": append paths to it.
	BaseURL string
	// Client is a copy of the user's client with the timeout applied. Send with it through
	// Send (or Do), which makes one attempt.
	Client *http.Client
	// Logger is never nil.
	Logger *slog.Logger

	retry *retryablehttp.Client
	sign  func(*http.Request) error
	send  *http.Client // Client following no redirect (noRedirect), built once for Send
}

// NewTransport applies the transport defaults a vendor constructor needs: the base URL is
// checked (BaseURL), the user's client copied with the timeout (HTTPClient), a nil logger
// replaced by a discarding one, and a retrying client prepared for Fetch. A bad base URL is an
// *sms.Error with CodeInvalidArgument that does not quote the URL (it may hold user info).
func (v Vendor) NewTransport(o TransportOptions) (*Transport, error) {
	raw := o.BaseURL
	if raw == "" {
		raw = o.DefaultBaseURL
	}
	field := o.BaseURLField
	if field == "" {
		field = "BaseURL"
	}
	base, err := v.BaseURL(field, raw)
	if err != nil {
		return nil, err
	}
	t := &Transport{
		Vendor:  v,
		BaseURL: base,
		Client:  HTTPClient(o.HTTPClient, o.Timeout),
		Logger:  Logger(o.Logger),
		sign:    o.Sign,
	}
	t.send = noRedirect(t.Client)
	retries := o.FetchRetries
	switch {
	case retries == 0:
		retries = DefaultFetchRetries
	case retries < 0:
		retries = 0
	}
	waitMin, waitMax := o.FetchWaitMin, o.FetchWaitMax
	if waitMin <= 0 {
		waitMin = DefaultFetchWaitMin
	}
	if waitMax <= 0 {
		waitMax = DefaultFetchWaitMax
	}
	t.retry = NewRetryClient(t.Client, retries, waitMin, waitMax)
	if o.Sign != nil {
		t.retry.PrepareRetry = o.Sign
	}
	return t, nil
}

// BaseURL checks a base URL — scheme http or https, a host, no query, fragment or user info —
// and returns it without trailing "/". field names the option in the error, an *sms.Error
// with CodeInvalidArgument and NotAccepted that never quotes the URL.
func (v Vendor) BaseURL(field, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &sms.Error{Code: sms.CodeInvalidArgument, Provider: v.Name, NotAccepted: true,
			Message: field + " must be an absolute http(s) URL"}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
		return "", &sms.Error{Code: sms.CodeInvalidArgument, Provider: v.Name, NotAccepted: true,
			Message: field + " must have no query, fragment or user info"}
	}
	for len(raw) > 0 && raw[len(raw)-1] == '/' {
		raw = raw[:len(raw)-1]
	}
	return raw, nil
}

// HTTPClient returns a copy of hc (a new client when nil) whose Timeout is timeout when
// positive, else hc's own Timeout, else DefaultTimeout. The caller's client is never modified;
// the copy shares its Transport, and so its connection pool.
func HTTPClient(hc *http.Client, timeout time.Duration) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	switch {
	case timeout > 0:
		c.Timeout = timeout
	case c.Timeout <= 0:
		c.Timeout = DefaultTimeout
	}
	return &c
}

// Logger returns l, or a logger that discards everything when l is nil.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Send makes one classified attempt of a send with t.Client (see Do): the same attempt as
// Do(t.Client, req, t.Vendor.Options()), through a no-redirect copy of t.Client made once by
// NewTransport instead of on every call.
func (t *Transport) Send(req *http.Request) (*Response, error) {
	return do(t.send, req, t.Vendor.Options())
}

// Fetch sends req, which must be safe to repeat (a GET of a message's status, a credential
// check), with retries: connection errors, 429 and 5xx (except 501) are repeated up to
// TransportOptions.FetchRetries times, honouring Retry-After. Never use it for sends.
//
// A 2xx comes back as the Response and a nil error. Otherwise the error is, in this order:
//
//   - the context error, bare, when req's context ended;
//   - for a transport failure or an unreadable 2xx body after the last attempt, an
//     *sms.Error with CodeUnavailable wrapping the cause;
//   - for a non-2xx final answer, mapError(resp) (nil means t.Vendor.StatusError), with
//     CodeOutcomeUnknown turned into CodeUnavailable: a request that is safe to repeat has
//     no outcome to be unsure of. The Response is returned too.
func (t *Transport) Fetch(req *http.Request, mapError func(*Response) *sms.Error) (*Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: t.Vendor.Name, Message: "cannot build the request", NotAccepted: true, Err: err}
	}
	if t.sign != nil {
		if err := t.sign(rreq.Request); err != nil {
			return nil, &sms.Error{Code: sms.CodeInternal, Provider: t.Vendor.Name, Message: "cannot sign the request", NotAccepted: true, Err: err}
		}
	}
	resp, err := t.retry.Do(rreq)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, &sms.Error{Code: sms.CodeUnavailable, Provider: t.Vendor.Name, Message: "request failed", Err: err}
	}
	r, err := ReadResponse(resp, t.Vendor.Options())
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		var se *sms.Error
		if errors.As(err, &se) && se.Err != nil {
			err = se.Err // the read error, without ReadResponse's OutcomeUnknown
		}
		return nil, &sms.Error{Code: sms.CodeUnavailable, Provider: t.Vendor.Name, HTTPStatus: r.StatusCode, RequestID: r.RequestID,
			Message: "reading the response failed", Err: err}
	}
	if r.OK() {
		return r, nil
	}
	var e *sms.Error
	if mapError != nil {
		e = mapError(r)
	}
	if e == nil {
		e = t.Vendor.StatusError(r)
	}
	if e.Code == sms.CodeOutcomeUnknown {
		c := *e
		c.Code = sms.CodeUnavailable
		e = &c
	}
	return r, e
}
