package acs

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/httpx"
)

// routedClient sends every request, whatever its URL, to the test server at addr, so that a
// request can carry the Host of a published vector or capture.
func routedClient(addr string, tlsOn bool) *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	if tlsOn {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &http.Client{Transport: tr}
}

// Signing reproduces the published vectors (vendors/acs.md §1.2) bit for bit through the
// real send path: key pw==, the vector's date, GET
// https://example.com/testPath?testQuery=test routed to a TLS test server that sees Host
// example.com.
func TestSigningPublishedVectors(t *testing.T) {
	f := newTLSFake(t, "", "pw==")
	f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool { return true }) // 200, empty
	date := time.Date(2022, 4, 13, 18, 9, 12, 0, time.UTC)
	p, err := New(Config{Endpoint: "https://example.com", AccessKey: sms.NewSecret("pw==")},
		&Options{Now: func() time.Time { return date.In(time.FixedZone("PDT", -7*3600)) }, HTTPClient: routedClient(f.Listener.Addr().String(), true)})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []struct{ url, uri, sig string }{
		{"https://example.com/testPath?testQuery=test", "/testPath?testQuery=test", "DGdgwggJWnQyc6EHjR/Vbqg1ES64KpD6U2XwTDDj3tU="},
		{"https://example.com/testPath", "/testPath", "+6tWkg3lNKVjQHHmxkdGQcJjUgzclsWTMebnuCz1ngU="},
	} {
		resp, err := p.request(context.Background(), http.MethodGet, v.url, nil, false)
		if err != nil || resp.StatusCode != 200 {
			t.Fatal(err, resp)
		}
		r := f.requests()[i]
		want := "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + v.sig
		if got := r.Header.Get("Authorization"); got != want {
			t.Errorf("Authorization\n got %s\nwant %s", got, want)
		}
		if r.Host != "example.com" || r.URI != v.uri || r.Header.Get("X-Ms-Date") != "Wed, 13 Apr 2022 18:09:12 GMT" ||
			r.Header.Get("X-Ms-Content-Sha256") != acssign.EmptyContentHash || r.KeyIndex != 0 {
			t.Errorf("%s %s %v", r.Host, r.URI, r.Header)
		}
	}
}

// wireCapture is testdata/wire-send.json, re-typed from the official JS client's capture.
type wireCapture struct {
	AccessKey   string            `json:"accessKey"`
	Endpoint    string            `json:"endpoint"`
	Method      string            `json:"method"`
	RequestURI  string            `json:"requestURI"`
	Host        string            `json:"host"`
	HeaderNames []string          `json:"headerNames"`
	Headers     map[string]string `json:"headers"`
	Body        string            `json:"body"`
	Response    struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"response"`
}

// Our send of the capture's message, at the capture's time, to the capture's host with the
// capture's key (and its random repeatability id), is the capture: same method, path, query,
// header names, body bytes, content hash and signature.
//
// Both captures of the official JavaScript client: the GA api-version and a preview one.
func TestSendMatchesWireCapture(t *testing.T) {
	for _, file := range []string{"wire-send.json", "wire-send-beta.json"} {
		t.Run(file, func(t *testing.T) { testSendMatchesWireCapture(t, filepath.Join("testdata", file)) })
	}
}

func testSendMatchesWireCapture(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var c wireCapture
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	var sent struct {
		SMSRecipients []recipient `json:"smsRecipients"`
	}
	if err := json.Unmarshal([]byte(c.Body), &sent); err != nil {
		t.Fatal(err)
	}
	date, err := http.ParseTime(c.Headers["X-Ms-Date"])
	if err != nil {
		t.Fatal(err)
	}

	f := newFake(t, c.AccessKey)
	f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
		if fr.KeyIndex != 0 {
			return false
		}
		w.WriteHeader(c.Response.Status)
		_, _ = w.Write(c.Response.Body)
		return true
	})
	u, err := url.Parse(c.RequestURI)
	require.NoError(t, err)
	p, err := New(Config{Endpoint: c.Endpoint, AccessKey: sms.NewSecret(c.AccessKey)},
		&Options{Now: func() time.Time { return date }, HTTPClient: routedClient(f.Listener.Addr().String(), false), APIVersion: u.Query().Get("api-version")})
	if err != nil {
		t.Fatal(err)
	}
	p.newID = func(key, to string) string { return sent.SMSRecipients[0].ID }
	res, err := p.Send(context.Background(), &sms.Message{
		To: []string{"+14155550100"}, From: sms.Sender{Value: "+14155550199"},
		Body: "Hello from acceptance ✓ 1+1=2 & 50% off? 🚀", Reference: "acceptance-tag",
		IdempotencyKey: "k", FirstAttempt: date,
	})
	if err != nil || !res[0].OK() || res[0].MessageID != "Outgoing_20261123120000d6b3a9f0-1c2d-4e5f-8a9b-0c1d2e3f4a5b" {
		t.Fatal(err, res)
	}
	r := f.requests()[0]
	if r.Method != c.Method || r.URI != c.RequestURI || r.Host != c.Host {
		t.Errorf("request line: %s %s Host %s", r.Method, r.URI, r.Host)
	}
	if string(r.Body) != c.Body {
		t.Errorf("body\n got %s\nwant %s", r.Body, c.Body)
	}
	for k, v := range c.Headers {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: got %q want %q", k, got, v)
		}
	}
	for _, name := range c.HeaderNames {
		switch strings.ToLower(name) {
		case "host": // r.Host, checked above
		case "connection": // keep-alive is HTTP/1.1's default; Go does not write it
		default:
			if _, ok := r.Header[http.CanonicalHeaderKey(name)]; !ok {
				t.Errorf("header %s missing", name)
			}
		}
	}
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "smsbridge azsdk-go-acs/") {
		t.Errorf("User-Agent %q", ua)
	}

	// With derived ids the JSON shape (field names, nesting) is still the capture's.
	p.newID = RepeatabilityID
	if _, err := p.Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+14155550199"},
		Body: "x", Reference: "t", IdempotencyKey: "k", FirstAttempt: date}); err != nil {
		t.Fatal(err)
	}
	if got, want := jsonShape(t, f.requests()[1].Body), jsonShape(t, []byte(c.Body)); !slices.Equal(got, want) {
		t.Errorf("JSON shape\n got %v\nwant %v", got, want)
	}
}

// jsonShape lists the key paths of a JSON document, in document order.
func jsonShape(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	var out []string
	var walk func(prefix string)
	walk = func(prefix string) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					t.Fatal(err)
				}
				p := prefix + "/" + k.(string)
				out = append(out, p)
				walk(p)
			}
			_, _ = dec.Token()
		case json.Delim('['):
			for dec.More() {
				walk(prefix + "[]")
			}
			_, _ = dec.Token()
		}
	}
	walk("")
	return out
}

// One attempt, classified as internal/httpx does: a reset after the request was written is
// OutcomeUnknown after exactly one request, on a fresh and on a reused connection.
func TestResetAfterWriteIsOutcomeUnknown(t *testing.T) {
	for _, reused := range []bool{false, true} {
		t.Run(map[bool]string{false: "fresh connection", true: "reused connection"}[reused], func(t *testing.T) {
			f := newFake(t, sendKeyA)
			resetAt := 0
			if reused {
				resetAt = 1
			}
			f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
				if n == resetAt {
					resetAfterRead(w)
					return true
				}
				return false
			})
			p := newSendProvider(t, f, Config{}, &Options{HTTPClient: &http.Client{Transport: &http.Transport{}}})
			if reused {
				if _, err := p.Send(context.Background(), testMsg("+14155550100")); err != nil {
					t.Fatal(err)
				}
			}
			res, err := p.Send(context.Background(), testMsg("+14155550100", "+14155550101"))
			require.Nil(t, res, "a request that failed as a whole has no results")
			e := errOf(t, err)
			require.Equal(t, sms.CodeOutcomeUnknown, e.Code)
			require.False(t, e.NotAccepted)
			require.Equal(t, Name, e.Provider)
			if n := len(f.requests()); n != resetAt+1 {
				t.Fatalf("%d requests: the send was repeated", n)
			}
		})
	}
}

// refusingClient is a client whose every connection is refused, without a port that might
// be taken by another process in the meantime.
func refusingClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		},
	}}
}

// manualDeadline is a context whose deadline passes when the test says so: Done closes and
// Err is context.DeadlineExceeded, as when a real deadline passes, without a wall-clock
// window.
type manualDeadline struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newManualDeadline() *manualDeadline {
	return &manualDeadline{Context: context.Background(), done: make(chan struct{})}
}

func (c *manualDeadline) expire() { c.once.Do(func() { close(c.done) }) }

func (c *manualDeadline) Deadline() (time.Time, bool) { return time.Now().Add(time.Hour), true }
func (c *manualDeadline) Done() <-chan struct{}       { return c.done }
func (c *manualDeadline) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// heldFake is a fake that signals when a send has arrived and holds it until the test ends.
func heldFake(t *testing.T) (*fakeACS, <-chan struct{}) {
	f := newFake(t, sendKeyA)
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before f.Close: the handler returns first
	f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
		arrived <- struct{}{}
		<-release
		return true
	})
	return f, arrived
}

func TestTransportFailures(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		p, err := New(Config{Endpoint: "http://127.0.0.1:9", AccessKey: sms.NewSecret(sendKeyA)}, &Options{HTTPClient: refusingClient()})
		require.NoError(t, err)
		res, err := p.Send(context.Background(), testMsg("+14155550100"))
		require.Nil(t, res)
		e := errOf(t, err)
		require.Equal(t, sms.CodeUnavailable, e.Code)
		require.True(t, e.NotAccepted, "a refused connection proves nothing was sent")
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		// sms.Client retries it (not accepted) and reports Unavailable.
		client, clk := noSleepClient(p)
		_, err = client.Send(context.Background(), testMsg("+14155550100"))
		require.Equal(t, sms.CodeUnavailable, sms.ErrorCode(err), "%v", err)
		require.Len(t, clk.Sleeps(), 2)
	})
	// The deadline passes once the server has the request (no wall-clock window): the
	// outcome is unknown, and the error unwraps to the context's.
	for _, c := range []struct {
		name  string
		ctx   func() (context.Context, func())
		cause error
	}{
		{"deadline after write", func() (context.Context, func()) { d := newManualDeadline(); return d, d.expire }, context.DeadlineExceeded},
		{"canceled after write", func() (context.Context, func()) { return context.WithCancel(context.Background()) }, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, arrived := heldFake(t)
			p := newSendProvider(t, f, Config{}, nil)
			ctx, end := c.ctx()
			go func() {
				<-arrived
				end()
			}()
			res, err := p.Send(ctx, testMsg("+14155550100"))
			require.Nil(t, res)
			e := errOf(t, err)
			require.Equal(t, sms.CodeOutcomeUnknown, e.Code, "%v", err)
			require.False(t, e.NotAccepted)
			require.ErrorIs(t, err, c.cause)
			require.Len(t, f.requests(), 1, "the send was repeated")
		})
	}
	t.Run("custom transport error", func(t *testing.T) {
		p, _ := New(Config{Endpoint: "http://127.0.0.1:1", AccessKey: sms.NewSecret(sendKeyA)},
			&Options{HTTPClient: &http.Client{Transport: rtFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("boom") })}})
		res, err := p.Send(context.Background(), testMsg("+14155550100"))
		require.Nil(t, res)
		require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err), "%v", err)
	})
	t.Run("truncated success", func(t *testing.T) {
		f := newFake(t, sendKeyA)
		f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, `{"value":[`)
			w.(http.Flusher).Flush()
			resetAfterRead(w)
			return true
		})
		p := newSendProvider(t, f, Config{}, nil)
		res, err := p.Send(context.Background(), testMsg("+14155550100"))
		require.Nil(t, res)
		require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err), "%v", err)
	})
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fakeCredential is an azcore.TokenCredential that records the scopes asked for.
type fakeCredential struct {
	token string
	err   error

	mu     sync.Mutex
	scopes [][]string
}

func (c *fakeCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	c.scopes = append(c.scopes, o.Scopes)
	c.mu.Unlock()
	if c.err != nil {
		return azcore.AccessToken{}, c.err
	}
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestEntraID(t *testing.T) {
	f := newTLSFake(t, "entra-token-123")
	cred := &fakeCredential{token: "entra-token-123"}
	p, err := New(Config{Endpoint: f.URL, Credential: cred}, &Options{HTTPClient: f.Client()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sms.NewClient(p, nil).Send(context.Background(), testMsg("+14155550100"))
	if err != nil || !res[0].OK() {
		t.Fatal(err, res)
	}
	r := f.requests()[0]
	if r.Header.Get("Authorization") != "Bearer entra-token-123" || r.Header.Get("X-Ms-Content-Sha256") != "" {
		t.Fatalf("%v", r.Header)
	}
	// Both paths introduce themselves alike: azcore's User-Agent is the one the HMAC path writes.
	require.Equal(t, userAgent, r.Header.Get("User-Agent"))
	require.Len(t, r.Header.Get("X-Ms-Client-Request-Id"), 36)
	if len(cred.scopes) != 1 || !slices.Equal(cred.scopes[0], []string{"https://communication.azure.com//.default"}) {
		t.Fatalf("scopes %v", cred.scopes)
	}
	// The token is cached across calls.
	if _, err := p.Send(context.Background(), testMsg("+14155550100")); err != nil || len(cred.scopes) != 1 {
		t.Fatal(err, cred.scopes)
	}
	// A token the service rejects: Unauthenticated, not accepted, no rotation.
	p2, _ := New(Config{Endpoint: f.URL, Credential: &fakeCredential{token: "wrong"}}, &Options{HTTPClient: f.Client()})
	if _, err := p2.Send(context.Background(), testMsg("+14155550100")); sms.ErrorCode(err) != sms.CodeUnauthenticated || !sms.IsNotAccepted(err) {
		t.Fatal(err)
	}
	// No token at all: Unauthenticated, nothing sent.
	n := len(f.requests())
	p3, _ := New(Config{Endpoint: f.URL, Credential: &fakeCredential{err: errors.New("no managed identity")}}, &Options{HTTPClient: f.Client()})
	res, err = p3.Send(context.Background(), testMsg("+14155550100"))
	if e := errOf(t, err); res != nil || e.Code != sms.CodeUnauthenticated || !e.NotAccepted || !strings.Contains(err.Error(), "no managed identity") || len(f.requests()) != n {
		t.Fatalf("%v %v", res, err)
	}
	// A canceled context while getting the token is the context error.
	ctx, cancel := context.WithCancel(context.Background())
	p4, _ := New(Config{Endpoint: f.URL, Credential: &ctxCredential{cancel: cancel}}, &Options{HTTPClient: f.Client()})
	if _, err := p4.Send(ctx, testMsg("+14155550100")); err != context.Canceled {
		t.Fatal(err)
	}
}

type ctxCredential struct{ cancel func() }

func (c *ctxCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.cancel()
	return azcore.AccessToken{}, ctx.Err()
}

func TestClassifyingTransportKeepsBody(t *testing.T) {
	f := newFake(t, sendKeyA)
	f.setHook(func(n int, fr *fakeRequest, w http.ResponseWriter) bool {
		w.Header().Set("X-Ms-Request-Id", "rid")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "body kept")
		return true
	})
	tr, err := vendor.NewTransport(httpx.TransportOptions{BaseURL: f.URL})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, f.URL, nil)
	resp, err := classifyingTransport{t: tr}.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 418 || string(b) != "body kept" || resp.Header.Get("X-Ms-Request-Id") != "rid" || resp.ContentLength != 9 {
		t.Fatalf("%d %q %v", resp.StatusCode, b, resp.Header)
	}
}

func TestParseConnectionString(t *testing.T) {
	ep, key, err := ParseConnectionString("endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0a2V5PT0=")
	require.NoError(t, err)
	require.Equal(t, "https://contoso.communication.azure.com", ep)
	require.Equal(t, "c2VjcmV0a2V5PT0=", key.Reveal())
	ep, _, err = ParseConnectionString(" AccessKey=pw== ; Endpoint=https://x.communication.azure.com ")
	require.NoError(t, err, "order and case")
	require.Equal(t, "https://x.communication.azure.com", ep)
	for _, bad := range []string{"", "endpoint=https://x", "accesskey=pw==", "endpoint=x;accesskey=pw==", "endpoint=https://x;accesskey=!!!", "garbage"} {
		_, _, err := ParseConnectionString(bad)
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err), "%q: %v", bad, err)
		require.NotContains(t, err.Error(), "pw==", "%q: the key leaked into the error", bad)
	}
}
