package emu

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure the emulator injects into the next matching request(s) of the vendor
// API. The effects combine in this order: Delay, then one of ResetBeforeProcessing, Reset or
// Status; a fault with only Delay lets the request through late.
//
// What the vendor handler sees decides what a client may conclude, which is the point of
// "never send twice":
//
//   - Status (without Process): the vendor handler is not called, so nothing was accepted.
//     A 429 is the vendor's "not processed"; retrying it cannot duplicate.
//   - Status with Process: the vendor handler accepts the message (its answer is discarded),
//     then the client gets the fault status: a gateway error that hid a success.
//   - Reset: the vendor handler accepts the message (its answer is discarded), then the
//     connection is closed with a TCP RST. The client wrote the whole request and got no
//     answer: the realistic ambiguous case, which must surface as OutcomeUnknown.
//   - ResetBeforeProcessing: the connection is reset without calling the vendor handler.
//     Nothing was accepted, but the client cannot tell this from Reset.
//
// Fault is JSON-encodable for POST /_emulator/faults, with snake_case keys, durations as
// Go duration strings ("150ms") or numbers of seconds, the body as a string and the header
// as an object of strings or string arrays.
type Fault struct {
	// Status, if not zero, is the HTTP status written instead of the vendor's answer.
	Status int
	// RetryAfter, if positive, is sent with Status as a Retry-After header in whole seconds
	// (rounded up).
	RetryAfter time.Duration
	// Body and ContentType are written with Status. Vendor emulators put their vendor's
	// error shape here (see their helpers); empty means no body.
	Body        []byte
	ContentType string // "" means sniffed from Body
	// Header holds extra response headers written with Status.
	Header http.Header
	// Process makes a Status fault call the vendor handler first, into a discarded writer.
	Process bool
	// Reset processes the request, then resets the connection (see the type's doc).
	Reset bool
	// ResetBeforeProcessing resets the connection without processing the request. It wins
	// over Reset and Status.
	ResetBeforeProcessing bool
	// Delay holds the request for this long before anything else happens; the wait ends
	// early, and the request is dropped without an answer, when the client goes away.
	Delay time.Duration
	// Times is how many requests the fault applies to: 0 means 1, a negative value means
	// every matching request until the faults are cleared.
	Times int
	// Path, if not empty, limits the fault to requests whose URL path starts with it.
	Path string
	// Method, if not empty, limits the fault to requests with this method (a fault for
	// POST …/Messages.json then spares GET …/Messages/{sid}.json).
	Method string
}

// String describes the fault's effect briefly, as recorded in Request.Fault.
func (f Fault) String() string {
	var parts []string
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	switch {
	case f.ResetBeforeProcessing:
		parts = append(parts, "reset before processing")
	case f.Reset:
		parts = append(parts, "reset after processing")
	case f.Status != 0:
		s := "status " + strconv.Itoa(f.Status)
		if f.Process {
			s += " after processing"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// hasEffect reports whether the fault does anything.
// OrPath returns f limited to the path prefix def when f names no Path: a vendor's Arm
// keeps its faults on its API's paths.
func (f Fault) OrPath(def string) Fault {
	if f.Path == "" {
		f.Path = def
	}
	return f
}

func (f Fault) hasEffect() bool {
	return f.Status != 0 || f.Reset || f.ResetBeforeProcessing || f.Delay > 0
}

// validate checks a fault that arrived through the control API.
func (f Fault) validate() error {
	switch {
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("status %d is not an HTTP status", f.Status)
	case f.RetryAfter < 0 || f.Delay < 0:
		return errors.New("durations must not be negative")
	case !f.hasEffect():
		return errors.New("fault has no effect: set status, reset, reset_before_processing or delay")
	}
	return nil
}

// retryAfterSeconds renders d as whole seconds, rounded up.
func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}

// writeTo writes the fault's status answer.
func (f Fault) writeTo(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range f.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if f.RetryAfter > 0 {
		h.Set("Retry-After", retryAfterSeconds(f.RetryAfter))
	}
	if f.ContentType != "" {
		h.Set("Content-Type", f.ContentType)
	} else if len(f.Body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", http.DetectContentType(f.Body))
	}
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(f.Status)
	w.Write(f.Body)
}

type faultJSON struct {
	Status                int                        `json:"status,omitempty"`
	RetryAfter            jsonDuration               `json:"retry_after,omitempty"`
	Body                  string                     `json:"body,omitempty"`
	ContentType           string                     `json:"content_type,omitempty"`
	Header                map[string]json.RawMessage `json:"header,omitempty"`
	Process               bool                       `json:"process,omitempty"`
	Reset                 bool                       `json:"reset,omitempty"`
	ResetBeforeProcessing bool                       `json:"reset_before_processing,omitempty"`
	Delay                 jsonDuration               `json:"delay,omitempty"`
	Times                 int                        `json:"times,omitempty"`
	Path                  string                     `json:"path,omitempty"`
	Method                string                     `json:"method,omitempty"`
}

// MarshalJSON encodes the fault in the control API's shape.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{
		Status: f.Status, RetryAfter: jsonDuration(f.RetryAfter), Body: string(f.Body),
		ContentType: f.ContentType, Process: f.Process, Reset: f.Reset,
		ResetBeforeProcessing: f.ResetBeforeProcessing, Delay: jsonDuration(f.Delay),
		Times: f.Times, Path: f.Path, Method: f.Method,
	}
	if len(f.Header) > 0 {
		j.Header = map[string]json.RawMessage{}
		for k, vs := range f.Header {
			b, err := json.Marshal(vs)
			if err != nil {
				return nil, err
			}
			j.Header[k] = b
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes the control API's shape; unknown keys are an error.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := strictUnmarshal(b, &j); err != nil {
		return err
	}
	*f = Fault{
		Status: j.Status, RetryAfter: time.Duration(j.RetryAfter), ContentType: j.ContentType,
		Process: j.Process, Reset: j.Reset, ResetBeforeProcessing: j.ResetBeforeProcessing,
		Delay: time.Duration(j.Delay), Times: j.Times, Path: j.Path,
		Method: strings.ToUpper(j.Method),
	}
	if j.Body != "" {
		f.Body = []byte(j.Body)
	}
	for k, raw := range j.Header {
		if f.Header == nil {
			f.Header = http.Header{}
		}
		var one string
		if err := json.Unmarshal(raw, &one); err == nil {
			f.Header.Add(k, one)
			continue
		}
		var many []string
		if err := json.Unmarshal(raw, &many); err != nil {
			return fmt.Errorf("header %q: want a string or an array of strings", k)
		}
		for _, v := range many {
			f.Header.Add(k, v)
		}
	}
	return nil
}

// jsonDuration is a duration in JSON: a Go duration string or a number of seconds.
type jsonDuration time.Duration

// MarshalJSON writes a Go duration string.
func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string or a number of seconds.
func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = jsonDuration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return errors.New(`duration: want a string such as "1.5s" or a number of seconds`)
	}
	*d = jsonDuration(secs * float64(time.Second))
	return nil
}

// Faults is the FIFO of armed faults. It is safe for concurrent use; the zero value is an
// empty queue.
type Faults struct {
	mu sync.Mutex
	q  []Fault
}

// Arm appends f to the queue. Each request takes the oldest armed fault whose Path and
// Method match it.
func (fs *Faults) Arm(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	fs.mu.Lock()
	fs.q = append(fs.q, f)
	fs.mu.Unlock()
}

// Pending returns the armed faults, oldest first, with Times holding the remaining count
// (negative for unlimited).
func (fs *Faults) Pending() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]Fault(nil), fs.q...)
}

// Len returns the number of armed faults.
func (fs *Faults) Len() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.q)
}

// Clear disarms every fault.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	fs.q = nil
	fs.mu.Unlock()
}

// Take consumes one use of the oldest fault matching a request's method and path, and
// returns it.
func (fs *Faults) Take(method, path string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := range fs.q {
		f := &fs.q[i]
		if !strings.HasPrefix(path, f.Path) || (f.Method != "" && !strings.EqualFold(f.Method, method)) {
			continue
		}
		out := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				fs.q = append(fs.q[:i], fs.q[i+1:]...)
			}
		}
		return out, true
	}
	return Fault{}, false
}
