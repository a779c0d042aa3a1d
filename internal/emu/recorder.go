package emu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Request is one request an emulator received, as it arrived on the wire.
type Request struct {
	Method     string      // GET, POST, …
	Path       string      // the decoded URL path
	RawQuery   string      // the query string, without "?"
	Host       string      // the Host header (or :authority)
	RemoteAddr string      // the client's address
	Header     http.Header // a clone of the request's header
	Body       []byte      // the raw body
	Time       time.Time   // from the emulator's Clock, when the body had been read
	// Fault describes the fault applied to the request ("status 429", "reset", …), or is
	// empty when the request reached the vendor handler untouched.
	Fault string
}

// Query parses RawQuery.
func (r Request) Query() url.Values {
	q, _ := url.ParseQuery(r.RawQuery)
	return q
}

// Form parses Body as application/x-www-form-urlencoded (Twilio's send and callback format).
func (r Request) Form() (url.Values, error) { return url.ParseQuery(string(r.Body)) }

// clone returns a deep copy of r.
func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.Body = slices.Clone(r.Body)
	return r
}

// MarshalJSON encodes the request for the control API, with the body as a string.
func (r Request) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Method     string      `json:"method"`
		Path       string      `json:"path"`
		RawQuery   string      `json:"query,omitempty"`
		Host       string      `json:"host,omitempty"`
		RemoteAddr string      `json:"remote_addr,omitempty"`
		Header     http.Header `json:"header"`
		Body       string      `json:"body"`
		Time       time.Time   `json:"time"`
		Fault      string      `json:"fault,omitempty"`
	}{r.Method, r.Path, r.RawQuery, r.Host, r.RemoteAddr, r.Header, string(r.Body), r.Time, r.Fault})
}

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
	return q.clone()
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
			out = append(out, q.clone())
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
	return rec.reqs[len(rec.reqs)-1].clone(), true
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
