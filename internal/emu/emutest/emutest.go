// Package emutest holds the test helpers the vendor packages' and emulators' tests use: a
// bounded context, a control-API call, a plain round trip and a recording fake vendor,
// written once.
package emutest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu"
)

// Context returns a context that ends with the test, or after 20 seconds: the bound a
// test gives its waits for callbacks, so that a hang fails instead of stalling the run.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Control calls the control API of the emulator at baseURL (path relative to
// emu.ControlPrefix, e.g. "/faults") with an optional JSON body, and returns the status
// and the body of the answer.
func Control(t testing.TB, baseURL, method, path, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, baseURL+strings.TrimSuffix(emu.ControlPrefix, "/")+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, b := Do(t, req)
	return resp.StatusCode, b
}

// Do sends req with http.DefaultClient and returns the response, whose body is closed,
// and the body read. It fails the test when no answer arrives.
func Do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// Recorded is one request a Fake received.
type Recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// Fake is a stand-in vendor for a provider's unit tests: an httptest server that records
// every request and answers through handle (which gets the body already read). Vendor
// emulators are for conformance and end-to-end tests; a Fake is for answers an emulator
// would not give (malformed bodies, odd statuses).
type Fake struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []Recorded
	handle func(w http.ResponseWriter, r *http.Request, body []byte)
}

// NewFake starts a Fake on loopback, closed when the test ends.
func NewFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *Fake {
	f := &Fake{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, Recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		f.mu.Unlock()
		f.handle(w, r, body)
	}))
	t.Cleanup(f.Close)
	return f
}

// Requests returns the requests received so far, oldest first.
func (f *Fake) Requests() []Recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Recorded(nil), f.reqs...)
}

// FetchFuzzStatuses are the answers a status fetch reads without retrying (a retried 429 or
// 5xx would wait out real backoffs): the statuses a vendor's FuzzFetch picks from.
var FetchFuzzStatuses = []int{200, 400, 401, 403, 404}

// Answer is an http.RoundTripper that answers every request with one status and JSON body,
// without a network: a fuzz target's vendor, fed the fuzzer's bytes.
type Answer struct {
	Status int
	Body   []byte
}

// FetchAnswer returns the Answer a FuzzFetch target sends: status picks one of
// FetchFuzzStatuses.
func FetchAnswer(body []byte, status uint8) Answer {
	return Answer{Status: FetchFuzzStatuses[int(status)%len(FetchFuzzStatuses)], Body: body}
}

// RoundTrip implements http.RoundTripper.
func (a Answer) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: a.Status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(a.Body)), ContentLength: int64(len(a.Body)), Request: r}, nil
}

// ProviderError fails t unless err is nil or an *sms.Error naming provider: what every
// failure of a vendor's parsing path must be.
func ProviderError(t testing.TB, provider, what string, err error) {
	t.Helper()
	var e *sms.Error
	if err != nil && (!errors.As(err, &e) || e.Provider != provider) {
		t.Fatalf("%s: %v is not a %s *sms.Error", what, err, provider)
	}
}
