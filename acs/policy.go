package acs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/httpx"
)

// This file holds the azcore pipeline pieces: the HMAC signing policy and the transport that
// classifies each attempt the way internal/httpx does.
//
// The pipeline of a send is
//
//	includeResponse → telemetry → x-ms-client-request-id → retry (off: MaxRetries -1)
//	→ auth (hmacPolicy or azcore's BearerTokenPolicy) → headers from context → tracing
//	→ azcore logging → body download → classifyingTransport → httpx.Do → *http.Client
//
// so the signature is computed after every policy of ours and azcore's that sets what is
// signed (only headers a caller injects with policy.WithHTTPHeader come later), and the
// transport is the only place that knows whether a request was written.

// accessKey is a decoded access key. Every formatting path prints a redaction, so a dump of
// any struct holding one prints no key material.
type accessKey struct{ b []byte }

func (accessKey) String() string               { return sms.Redacted }
func (accessKey) GoString() string             { return "acs.accessKey(" + sms.Redacted + ")" }
func (accessKey) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(sms.Redacted)) }
func (accessKey) LogValue() slog.Value         { return slog.StringValue(sms.Redacted) }
func (accessKey) MarshalJSON() ([]byte, error) { return []byte(`"` + sms.Redacted + `"`), nil }

// callKey is the context key of the *call of one Provider request.
type callKey struct{}

// call is the state of one request through a pipeline: which key signs it, and what the
// transport saw. The pipeline runs on the caller's goroutine, so no locking is needed.
type call struct {
	key *accessKey // the key hmacPolicy signs with; nil = the provider's current key

	resp *httpx.Response // the last response the transport read, if any
	err  error           // the last classified transport error, if any
}

func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// hmacPolicy signs each attempt with HMAC-SHA256 as ACS requires (vendors/acs.md §1.2): it
// hashes the exact body bytes the request carries, takes the path and query exactly as
// net/http writes them on the request line (URL.RequestURI) and the authority it writes in
// the Host header, and dates the request with the provider's clock. It is a per-retry policy,
// so each attempt is signed afresh.
type hmacPolicy struct {
	now     func() time.Time
	current func() *accessKey // the key used when the call names none
}

// Do implements policy.Policy.
func (h *hmacPolicy) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	key := h.current()
	if c := callOf(raw.Context()); c != nil && c.key != nil {
		key = c.key
	}
	body, err := inMemoryBody(req)
	if err != nil {
		return nil, err
	}
	hash := acssign.ContentHash(body)
	date := h.now().UTC().Format(http.TimeFormat)
	host := raw.Host
	if host == "" {
		host = raw.URL.Host
	}
	sig := acssign.Sign(key.b, acssign.StringToSign(raw.Method, raw.URL.RequestURI(), date, host, hash))
	raw.Header.Set("X-Ms-Date", date)
	raw.Header.Set("X-Ms-Content-Sha256", hash)
	raw.Header.Set("Authorization", acssign.AuthorizationHeader(sig))
	return req.Next()
}

// inMemoryBody reads the request's body into one buffer of its exact size and makes that
// buffer the body net/http sends (and re-sends through GetBody), so that what hmacPolicy
// hashes is by construction what goes on the wire. As a bonus net/http recognises an
// in-memory body and skips the goroutine and timer it spends probing an unknown reader.
func inMemoryBody(req *policy.Request) ([]byte, error) {
	body := req.Body()
	if body == nil {
		return nil, nil
	}
	n, err := body.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	raw := req.Raw()
	raw.Body = io.NopCloser(bytes.NewReader(buf))
	raw.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
	raw.ContentLength = n
	return buf, nil
}

// inMemoryBodyPolicy applies inMemoryBody where hmacPolicy does not run (Entra ID).
type inMemoryBodyPolicy struct{}

// Do implements policy.Policy.
func (inMemoryBodyPolicy) Do(req *policy.Request) (*http.Response, error) {
	if _, err := inMemoryBody(req); err != nil {
		return nil, err
	}
	return req.Next()
}

// classifyingTransport is the pipeline's policy.Transporter: it sends each request once with
// httpx.Do, which reads the body and classifies a failure by what net/http proves (never
// written → Unavailable + NotAccepted, or the bare context error; possibly written →
// OutcomeUnknown), records the outcome in the request's *call, and hands the pipeline an
// *http.Response rebuilt around the body it read.
//
// The record matters because azcore's retry policy replaces any error with the bare context
// error once the context has ended, which would lose the difference between "never written"
// and "written, then canceled".
type classifyingTransport struct{ hc *http.Client }

// Do implements policy.Transporter.
func (t classifyingTransport) Do(req *http.Request) (*http.Response, error) {
	r, err := httpx.Do(t.hc, req, httpx.Options{Provider: Name})
	if c := callOf(req.Context()); c != nil {
		c.resp, c.err = r, err
	}
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        strconv.Itoa(r.StatusCode) + " " + http.StatusText(r.StatusCode),
		StatusCode:    r.StatusCode,
		Header:        r.Header,
		Body:          io.NopCloser(bytes.NewReader(r.Body)),
		ContentLength: int64(len(r.Body)),
		Request:       req,
	}, nil
}
