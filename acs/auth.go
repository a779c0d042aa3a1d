package acs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/norm"
)

// This file holds how requests are authenticated, and so how they are sent:
//
//   - with an access key, every attempt is built here, signed with HMAC-SHA256 (acssign) and
//     sent once through the shared classified attempt (httpx); status fetches go through
//     httpx's retrying Fetch, signed afresh on every attempt;
//   - with a Microsoft Entra ID credential, through azcore's pipeline, whose
//     BearerTokenPolicy gets, caches and refreshes the token, with its retry policy off for
//     sends; its transport is the same classified attempt.

// ParseConnectionString splits the portal's connection string,
// "endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>", on ";" and then on
// the first "=" of each part (the key's base64 padding contains "="). Keys are
// case-insensitive. The endpoint is returned without its trailing "/". No error includes the
// key.
func ParseConnectionString(cs string) (endpoint string, accessKey sms.Secret, err error) {
	var key string
	for _, part := range strings.Split(cs, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return "", sms.Secret{}, invalid("malformed connection string: a part has no '='")
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "endpoint":
			endpoint = strings.TrimSpace(value)
		case "accesskey":
			key = strings.TrimSpace(value)
		}
	}
	if endpoint == "" || key == "" {
		return "", sms.Secret{}, invalid("connection string needs endpoint= and accesskey=")
	}
	u, perr := url.Parse(endpoint)
	if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", sms.Secret{}, invalid("connection string endpoint must be an absolute https URL")
	}
	if _, derr := acssign.DecodeKey(key); derr != nil {
		return "", sms.Secret{}, invalid("connection string access key is not base64")
	}
	return strings.TrimRight(endpoint, "/"), sms.NewSecret(key), nil
}

// accessKey is a decoded access key and its signer. Every formatting path prints a
// redaction, so a dump of any struct holding one prints no key material.
type accessKey struct{ s *acssign.Signer }

func newAccessKey(b []byte) *accessKey { return &accessKey{s: acssign.NewSigner(b)} }

func (accessKey) String() string               { return sms.Redacted }
func (accessKey) GoString() string             { return "acs.accessKey(" + sms.Redacted + ")" }
func (accessKey) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(sms.Redacted)) }
func (accessKey) LogValue() slog.Value         { return slog.StringValue(sms.Redacted) }
func (accessKey) MarshalJSON() ([]byte, error) { return []byte(`"` + sms.Redacted + `"`), nil }

// userAgent is what azcore's telemetry policy writes for this module and application ID, so
// that both authentication paths look alike on the wire.
var userAgent = applicationID + " azsdk-go-" + moduleName + "/" + moduleVersion + " (" + goruntime.Version() + "; " + goruntime.GOOS + ")"

// sign sets x-ms-date (the provider's clock), x-ms-content-sha256 (of body, the exact bytes
// req carries) and the HMAC-SHA256 Authorization on req (vendors/acs.md §1.2). What is signed
// is what net/http writes: the path and query of the request line (uri: req.URL.RequestURI(),
// computed here when empty) and the Host header (req.Host, else URL.Host, with a non-default
// port).
func (p *Provider) sign(req *http.Request, key *accessKey, body []byte, uri string) {
	hash := acssign.EmptyContentHash
	if len(body) > 0 {
		hash = acssign.ContentHash(body)
	}
	date := p.now().UTC().Format(http.TimeFormat)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if uri == "" {
		uri = req.URL.RequestURI()
	}
	auth := key.s.Authorization(req.Method, uri, date, host, hash)
	v := &[3]string{date, hash, auth} // one allocation for the three values
	req.Header["X-Ms-Date"] = v[0:1:1]
	req.Header["X-Ms-Content-Sha256"] = v[1:2:2]
	req.Header["Authorization"] = v[2:3:3]
}

// keyCtx is the context key of the access key a fetch attempt signs with.
type keyCtx struct{}

// signFetch signs each attempt of a status fetch (httpx.TransportOptions.Sign): a GET, no
// body, with the key the call chose.
func (p *Provider) signFetch(req *http.Request) error {
	key, _ := req.Context().Value(keyCtx{}).(*accessKey)
	if key == nil {
		key = p.keys[p.cur.Load()]
	}
	p.sign(req, key, nil, "")
	return nil
}

// newRequest builds a request with the headers the official clients send.
func newRequest(ctx context.Context, method, u string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		e := invalid("cannot build the request")
		e.Err = err
		return nil, e
	}
	// The values share one array, and the map has room for the three that sign adds.
	v := &[4]string{"application/json", userAgent, clientRequestID(), "application/json"}
	h := make(http.Header, 7)
	h["Accept"] = v[0:1:1]
	h["User-Agent"] = v[1:2:2]
	h["X-Ms-Client-Request-Id"] = v[2:3:3]
	if body != nil {
		h["Content-Type"] = v[3:4:4]
	}
	req.Header = h
	return req, nil
}

// clientRequestID is a random (version 4) UUID, as azcore's request-id policy writes. It
// only correlates logs, so math/rand's generator serves.
func clientRequestID() string {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(u[8:], rand.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return norm.FormatUUID(u)
}

// request sends one request — a send (one attempt) or, with fetch, a status fetch (retried
// when safe) — and returns what the transport saw: a response of any status, or a
// classified error. With access keys, a 401 (which proves nothing was processed) is signed
// again with the other key, if configured, and sent once more; a key that then works is
// tried first from then on.
func (p *Provider) request(ctx context.Context, method, u string, body []byte, fetch bool) (*httpx.Response, error) {
	if p.bearer {
		pl := p.send
		if fetch {
			pl = p.fetch
		}
		return p.attemptBearer(ctx, pl, method, u, body)
	}
	i := p.cur.Load()
	resp, err := p.attemptKey(ctx, method, u, body, p.keys[i], fetch)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || len(p.keys) < 2 {
		return resp, err
	}
	j := 1 - i
	p.log.LogAttrs(ctx, slog.LevelWarn, "acs: access key rejected, trying the other one", slog.String("rejected", keyName(i)))
	resp, err = p.attemptKey(ctx, method, u, body, p.keys[j], fetch)
	if err == nil && resp.StatusCode != http.StatusUnauthorized && resp.StatusCode < 500 {
		if p.cur.CompareAndSwap(i, j) {
			p.log.LogAttrs(ctx, slog.LevelWarn, "acs: now signing with the "+keyName(j)+" access key")
		}
	}
	return resp, err
}

func keyName(i int32) string {
	if i == 0 {
		return "primary"
	}
	return "secondary"
}

// attemptKey sends one request signed with key: a send through the classified attempt, a
// fetch through httpx's retrying Fetch (each attempt signed afresh by signFetch).
func (p *Provider) attemptKey(ctx context.Context, method, u string, body []byte, key *accessKey, fetch bool) (*httpx.Response, error) {
	if fetch {
		req, err := newRequest(context.WithValue(ctx, keyCtx{}, key), method, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := p.t.Fetch(req, mapError)
		if resp != nil { // a non-2xx answer: the caller maps it
			return resp, nil
		}
		return nil, err
	}
	req, err := newRequest(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	uri := "" // sign computes it
	if u == p.sendURL {
		uri = p.sendURI
	}
	p.sign(req, key, body, uri)
	return p.t.Send(req)
}

// bearerPipeline builds the azcore pipeline of Entra ID requests: request id, telemetry,
// retries (off for sends), BearerTokenPolicy, an in-memory body, and the classified attempt
// as transport.
func (p *Provider) bearerPipeline(cred policy.Policy, retries int32) runtime.Pipeline {
	co := policy.ClientOptions{
		Transport: classifyingTransport{t: p.t},
		Telemetry: policy.TelemetryOptions{ApplicationID: applicationID},
		Logging:   policy.LogOptions{AllowedHeaders: []string{"X-Ms-Request-Id", "MS-CV", "Retry-After-Ms", "X-Ms-Retry-After-Ms"}},
		Retry:     policy.RetryOptions{MaxRetries: retries, RetryDelay: httpx.DefaultFetchWaitMin, MaxRetryDelay: httpx.DefaultFetchWaitMax},
	}
	plo := runtime.PipelineOptions{
		PerCall:  []policy.Policy{runtime.NewRequestIDPolicy()},
		PerRetry: []policy.Policy{cred, inMemoryBodyPolicy{}},
	}
	return runtime.NewPipeline(moduleName, moduleVersion, plo, &co)
}

// callKey is the context key of the *call of one Entra ID request.
type callKey struct{}

// call records what the transport saw during one request through a pipeline. The pipeline
// runs on the caller's goroutine, so no locking is needed.
//
// The record matters because azcore's retry policy replaces any error with the bare context
// error once the context has ended, which would lose the difference between "never written"
// and "written, then canceled".
type call struct {
	resp *httpx.Response // the last response the transport read, if any
	err  error           // the last classified transport error, if any
}

// attemptBearer sends one request through pl and returns what the transport saw.
func (p *Provider) attemptBearer(ctx context.Context, pl runtime.Pipeline, method, u string, body []byte) (*httpx.Response, error) {
	c := &call{}
	req, err := runtime.NewRequest(context.WithValue(ctx, callKey{}, c), method, u)
	if err != nil {
		e := invalid("cannot build the request")
		e.Err = err
		return nil, e
	}
	req.Raw().Header.Set("Accept", "application/json")
	runtime.SkipBodyDownload(req) // the transport has read the body already
	if body != nil {
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(body)), "application/json"); err != nil {
			e := invalid("cannot build the request")
			e.Err = err
			return nil, e
		}
	}
	resp, err := pl.Do(req)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close() // c.resp holds the body
	}
	switch {
	case c.err != nil:
		return nil, c.err
	case c.resp != nil:
		return c.resp, nil
	}
	// The transport was never called: a policy failed first (no token). Nothing was sent.
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err == nil {
		err = errors.New("the pipeline returned no response")
	}
	e := newError(sms.CodeUnauthenticated, "no Microsoft Entra ID token")
	e.NotAccepted, e.Err = true, err
	return nil, e
}

// inMemoryBodyPolicy reads the request's body into one buffer of its exact size and makes
// that buffer the body net/http sends, so that net/http recognises an in-memory body and
// skips the goroutine and timer it spends probing an unknown reader.
type inMemoryBodyPolicy struct{}

// Do implements policy.Policy.
func (inMemoryBodyPolicy) Do(req *policy.Request) (*http.Response, error) {
	body := req.Body()
	if body == nil {
		return req.Next()
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
	return req.Next()
}

// classifyingTransport is the Entra ID pipeline's policy.Transporter: it sends each request
// once with httpx (never written → Unavailable + NotAccepted, or the bare context error;
// possibly written → OutcomeUnknown), records the outcome in the request's *call, and hands
// the pipeline an *http.Response rebuilt around the body it read.
type classifyingTransport struct{ t *httpx.Transport }

// Do implements policy.Transporter.
func (t classifyingTransport) Do(req *http.Request) (*http.Response, error) {
	r, err := t.t.Send(req)
	if c, _ := req.Context().Value(callKey{}).(*call); c != nil {
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
