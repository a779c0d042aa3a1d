package emu

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/smsbridge/sms/emulator"
)

// Request is one vendor-API request an emulator received; see emulator.Request.
type Request = emulator.Request

// Recorder stores the requests an emulator received. It is safe for concurrent use. Every
// accessor returns copies, so a caller may keep or modify what it gets.
type Recorder struct {
	clock Clock
	mu    sync.Mutex
	reqs  []Request
}

// NewRecorder returns an empty Recorder that timestamps with c (nil = RealClock).
func NewRecorder(c Clock) *Recorder {
	if c == nil {
		c = RealClock{}
	}
	return &Recorder{clock: c}
}

// Record stores r with body (which r.Body no longer holds once read) and returns the record.
func (rec *Recorder) Record(r *http.Request, body []byte) Request {
	return rec.record(r, body, "")
}

func (rec *Recorder) record(r *http.Request, body []byte, fault string) Request {
	q := Request{
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Host:       r.Host,
		RemoteAddr: r.RemoteAddr,
		Header:     r.Header.Clone(),
		Body:       slices.Clone(body),
		Time:       rec.clock.Now(),
		Fault:      fault,
	}
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, q)
	rec.mu.Unlock()
	return q.Clone()
}

// Requests returns every recorded request, oldest first.
func (rec *Recorder) Requests() []Request {
	return rec.Filter(nil)
}

// Filter returns the recorded requests for which keep returns true (all when keep is nil),
// oldest first.
func (rec *Recorder) Filter(keep func(Request) bool) []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := make([]Request, 0, len(rec.reqs))
	for _, q := range rec.reqs {
		if keep == nil || keep(q) {
			out = append(out, q.Clone())
		}
	}
	return out
}

// Matching returns the recorded requests with the given method (any when empty) whose path
// starts with pathPrefix.
func (rec *Recorder) Matching(method, pathPrefix string) []Request {
	return rec.Filter(func(q Request) bool {
		return (method == "" || q.Method == method) && strings.HasPrefix(q.Path, pathPrefix)
	})
}

// Last returns the most recent request, if any.
func (rec *Recorder) Last() (Request, bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) == 0 {
		return Request{}, false
	}
	return rec.reqs[len(rec.reqs)-1].Clone(), true
}

// Len returns the number of recorded requests.
func (rec *Recorder) Len() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.reqs)
}

// Reset forgets every recorded request.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	rec.reqs = nil
	rec.mu.Unlock()
}
