package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Request is one vendor-API request an emulator received, as it arrived on the wire.
type Request struct {
	Method     string      // GET, POST, …
	Path       string      // the decoded URL path
	RawQuery   string      // the query string, without "?"
	Host       string      // the Host header (or :authority)
	RemoteAddr string      // the client's address
	Header     http.Header // a clone of the request's header, credentials included
	Body       []byte      // the raw body
	Time       time.Time   // from the emulator's clock, when the body had been read
	// Fault describes the fault applied to the request ("status 429", "reset after
	// processing", …), or is empty when the request reached the vendor handler untouched.
	Fault string
}

// Query parses RawQuery.
func (r Request) Query() url.Values {
	q, _ := url.ParseQuery(r.RawQuery)
	return q
}

// Form parses Body as application/x-www-form-urlencoded.
func (r Request) Form() (url.Values, error) { return url.ParseQuery(string(r.Body)) }

// Clone returns a deep copy of r.
func (r Request) Clone() Request {
	r.Header = r.Header.Clone()
	r.Body = slices.Clone(r.Body)
	return r
}

// String describes the request in one line, without its body and with its credentials
// redacted, so that %v is safe to log.
func (r Request) String() string {
	target := r.Path
	if r.RawQuery != "" {
		target += "?" + r.RawQuery
	}
	s := fmt.Sprintf("%s %s %v (%d bytes)", r.Method, target, RedactHeader(r.Header), len(r.Body))
	if r.Fault != "" {
		s += " fault: " + r.Fault
	}
	return s
}

// MarshalJSON encodes the request as an emulator's GET /_emulator/requests serves it: the
// body as a string, the header redacted (see RedactHeader).
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
	}{r.Method, r.Path, r.RawQuery, r.Host, r.RemoteAddr, RedactHeader(r.Header), string(r.Body), r.Time, r.Fault})
}
