package smstest

import (
	"net/http"
	"sync"
)

// Hold lets a test act while a fake vendor holds a send: the fake calls Arrive once it has the
// request, and withholds its answer until Release is called or the client goes away. The
// conformance kit uses it to cancel a send mid-flight (Fault.Hold). The zero value is not
// usable; use NewHold. Safe for concurrent use; Arrive and Release may be called more than once.
type Hold struct {
	arrived, released chan struct{}
	arriveOnce        sync.Once
	releaseOnce       sync.Once
}

// NewHold returns a Hold that has neither arrived nor been released.
func NewHold() *Hold {
	return &Hold{arrived: make(chan struct{}), released: make(chan struct{})}
}

// Arrive signals that the fake has the request. The fake calls it.
func (h *Hold) Arrive() { h.arriveOnce.Do(func() { close(h.arrived) }) }

// Arrived is closed once the fake has the request.
func (h *Hold) Arrived() <-chan struct{} { return h.arrived }

// Release lets the fake answer. The test calls it.
func (h *Hold) Release() { h.releaseOnce.Do(func() { close(h.released) }) }

// Released is closed once the test let the fake answer.
func (h *Hold) Released() <-chan struct{} { return h.released }

// HoldTransport is an http.RoundTripper for the harness of an HTTP provider whose fake cannot
// hold a request itself: give the provider an *http.Client with it as Transport. It passes
// every request to Base (http.DefaultTransport when nil). For a request armed with Arm, it lets
// the fake take and answer the request, then calls Arrive and withholds the answer from the
// provider until Release — or, when the request's context ends first, closes the answer and
// returns the context error, as a transport does when the caller gives up while waiting for the
// response (the request was written: net/http/httptrace has reported it).
type HoldTransport struct {
	Base http.RoundTripper

	mu    sync.Mutex
	holds []*Hold
}

// Arm holds the next request with h.
func (t *HoldTransport) Arm(h *Hold) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.holds = append(t.holds, h)
}

// RoundTrip implements http.RoundTripper.
func (t *HoldTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	t.mu.Lock()
	var h *Hold
	if len(t.holds) > 0 {
		h = t.holds[0]
		t.holds = t.holds[1:]
	}
	t.mu.Unlock()
	resp, err := base.RoundTrip(req)
	if h == nil || err != nil {
		return resp, err
	}
	h.Arrive()
	select {
	case <-h.Released():
		return resp, nil
	case <-req.Context().Done():
		resp.Body.Close()
		return nil, req.Context().Err()
	}
}
