// Package emutest holds the test helpers the vendor packages' and emulators' tests use: a
// bounded context, a control-API call, a plain round trip and a recording fake vendor,
// written once.
package emutest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

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
