package emu

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/sms"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Clock is the emulator's time source; nil means RealClock.
	Clock Clock
	// Delivery configures the Server's Deliverer; nil means the zero DelivererOptions.
	// Its Clock defaults to the Server's.
	Delivery *DelivererOptions
	// MaxBodyBytes bounds the vendor-API request body; larger ones get 413. 0 means 10 MiB.
	MaxBodyBytes int64
	// FaultBody, if set, gives a status fault armed without a body (by Arm or POST
	// /_emulator/faults) the vendor's error answer for that status: its body and
	// Content-Type. Nil leaves such faults without a body.
	FaultBody func(status int) (body []byte, contentType string)
	// Messages, if set, serves GET /_emulator/messages: what it returns (the messages the
	// vendor emulator accepted, in its own shape) is written as JSON.
	Messages func() any
	// Inbound, if set, serves POST /_emulator/inbound: the toolkit decodes the Inbound
	// (from and to required), and Inbound makes the vendor's inbound webhook of it and
	// delivers it; what it returns is written as JSON, an error as WriteFailure does
	// (502 with the deliveries when the application's answer was not 2xx, else 409).
	Inbound func(ctx context.Context, in Inbound) (any, error)
}

// Inbound is an inbound message injected through POST /_emulator/inbound, as a handset
// would send it to one of the account's numbers.
type Inbound struct {
	From      string   `json:"from"`       // the handset
	To        string   `json:"to"`         // the account's number
	Body      string   `json:"body"`       // the text
	MediaURLs []string `json:"media_urls"` // attachments, for vendors that carry them
}

// Server is the part every vendor emulator shares: the recorder, the fault queue, the
// per-recipient outcomes, the callback deliverer, the clock and the control API. A vendor
// emulator embeds it and serves Handler(its own mux); see the package doc.
//
// The fields are set by NewServer and must not be replaced.
type Server struct {
	Clock     Clock       // timestamps, signature freshness
	Recorder  *Recorder   // every vendor-API request
	Faults    *Faults     // armed faults
	Outcomes  *Outcomes   // what happens to each recipient's messages
	Deliverer *Deliverer  // callbacks to the application
	Control   *ControlMux // the /_emulator/ API; vendor emulators add to it

	maxBody   int64
	faultBody func(status int) ([]byte, string)
	mu        sync.Mutex
	onReset   []func()
	ts        []*httptest.Server // started by Serve
}

// NewServer returns a Server with the built-in control endpoints registered:
//
//	GET    /_emulator/requests     recorded requests (?method=POST&path=/prefix to filter)
//	DELETE /_emulator/requests     forget them
//	GET    /_emulator/faults       armed faults
//	POST   /_emulator/faults       arm one (a JSON Fault; a status without a body gets FaultBody's)
//	DELETE /_emulator/faults       disarm all
//	GET    /_emulator/outcomes     {"default": …, "recipients": {…}}
//	POST   /_emulator/outcomes     {"to": "+1…", "status": "undelivered", "error_code": "…"}
//	                               ("to" empty or "*" sets the default)
//	DELETE /_emulator/outcomes     back to delivered for everyone
//	GET    /_emulator/deliveries   callback deliveries and their attempts
//	DELETE /_emulator/deliveries   forget finished ones
//	POST   /_emulator/reset        all of the above, plus the OnReset hooks
//
// and, when Options provide them, the vendor's GET /_emulator/messages and POST
// /_emulator/inbound {"from", "to", "body", "media_urls"}.
func NewServer(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	var do DelivererOptions
	if o.Delivery != nil {
		do = *o.Delivery
	}
	if do.Clock == nil {
		do.Clock = o.Clock
	}
	s := &Server{
		Clock:     o.Clock,
		Recorder:  NewRecorder(o.Clock),
		Faults:    &Faults{},
		Outcomes:  NewOutcomes(),
		Deliverer: NewDeliverer(&do),
		Control:   NewControlMux(),
		maxBody:   o.MaxBodyBytes,
		faultBody: o.FaultBody,
	}
	s.registerControl(&o)
	return s
}

// Now returns the emulator clock's time.
func (s *Server) Now() time.Time { return s.Clock.Now() }

// Arm queues a fault for the next matching vendor-API request(s). A status fault without a
// body gets the vendor's (Options.FaultBody).
func (s *Server) Arm(f Fault) {
	if f.Status != 0 && len(f.Body) == 0 && s.faultBody != nil {
		f.Body, f.ContentType = s.faultBody(f.Status)
	}
	s.Faults.Arm(f)
}

// SetOutcome chooses the outcome of messages to to.
func (s *Server) SetOutcome(to string, o Outcome) { s.Outcomes.Set(to, o) }

// SetDefaultOutcome chooses the outcome of recipients without one of their own.
func (s *Server) SetDefaultOutcome(o Outcome) { s.Outcomes.SetDefault(o) }

// Outcome returns the outcome of messages to to.
func (s *Server) Outcome(to string) Outcome { return s.Outcomes.For(to) }

// Requests returns the recorded vendor-API requests, oldest first.
func (s *Server) Requests() []Request { return s.Recorder.Requests() }

// OnReset registers f to run on Reset (and POST /_emulator/reset), for the vendor
// emulator's own state: its messages, its inbound queue.
func (s *Server) OnReset(f func()) {
	s.mu.Lock()
	s.onReset = append(s.onReset, f)
	s.mu.Unlock()
}

// Reset forgets recorded requests and finished deliveries, disarms faults, restores the
// default outcomes and runs the OnReset hooks.
func (s *Server) Reset() {
	s.Recorder.Reset()
	s.Faults.Clear()
	s.Outcomes.Reset()
	s.Deliverer.Reset()
	s.mu.Lock()
	hooks := append([]func(){}, s.onReset...)
	s.mu.Unlock()
	for _, f := range hooks {
		f()
	}
}

// Serve starts serving h (the vendor emulator's whole handler, built on s.Handler) on a
// loopback port, as httptest.NewServer does, and returns its base URL. Close stops it.
func (s *Server) Serve(h http.Handler) string {
	ts := httptest.NewServer(h)
	s.mu.Lock()
	s.ts = append(s.ts, ts)
	s.mu.Unlock()
	return ts.URL
}

// Close stops the HTTP servers Serve started, then callback deliveries (see
// Deliverer.Close). A vendor emulator served elsewhere closes that server first, so that
// no request starts new deliveries.
func (s *Server) Close() error {
	s.mu.Lock()
	ts := s.ts
	s.ts = nil
	s.mu.Unlock()
	for _, t := range ts {
		t.Close()
	}
	return s.Deliverer.Close()
}

// Handler wraps the vendor's API handler with what every emulator does. Requests under
// ControlPrefix go to s.Control. Every other request has its body read (up to
// Options.MaxBodyBytes, else 413) and recorded, then put back in r.Body for vendor; then
// the oldest armed fault matching its path, if any, applies (see Fault):
//
//   - Delay waits (Clock.Sleep), ending early when the client goes away;
//   - Status writes the fault's answer and does not call vendor (unless Process);
//   - Reset lets vendor process the request into a discarded ResponseWriter, then hijacks
//     the connection and closes it with SO_LINGER 0, so the client, having written the
//     whole request, reads a TCP RST instead of an answer;
//   - ResetBeforeProcessing resets without calling vendor.
//
// On a connection that cannot be hijacked (HTTP/2), a reset is an aborted stream.
func (s *Server) Handler(vendor http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsControlPath(r.URL.Path) {
			s.Control.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.Recorder.record(r, body, "body too large")
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			}
			return // otherwise the client went away
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		f, faulted := s.Faults.Take(r.Method, r.URL.Path)
		if !faulted {
			s.Recorder.record(r, body, "")
			vendor.ServeHTTP(w, r)
			return
		}
		s.Recorder.record(r, body, f.String())
		if f.Delay > 0 && s.Clock.Sleep(r.Context(), f.Delay) != nil {
			return // the client went away
		}
		switch {
		case f.ResetBeforeProcessing:
			resetConn(w)
		case f.Reset:
			vendor.ServeHTTP(newDiscardWriter(), r)
			resetConn(w)
		case f.Status != 0:
			if f.Process {
				vendor.ServeHTTP(newDiscardWriter(), r)
			}
			f.writeTo(w)
		default:
			vendor.ServeHTTP(w, r)
		}
	})
}

// resetConn closes the request's connection with a TCP RST.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: the server resets the stream
	}
	raw := conn
	if c, ok := conn.(interface{ NetConn() net.Conn }); ok { // TLS: skip close_notify
		raw = c.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	raw.Close()
}

// discardWriter is the ResponseWriter of a request processed for a fault whose answer the
// client never sees.
type discardWriter struct{ h http.Header }

func newDiscardWriter() *discardWriter { return &discardWriter{h: http.Header{}} }

// Header returns a header map nobody will read.
func (d *discardWriter) Header() http.Header { return d.h }

// Write discards b.
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader discards the status.
func (d *discardWriter) WriteHeader(int) {}

func (s *Server) registerControl(o *Options) {
	c := s.Control
	if o.Messages != nil {
		messages := o.Messages
		c.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
			WriteJSON(w, http.StatusOK, messages())
		})
	}
	if o.Inbound != nil {
		inbound := o.Inbound
		c.HandleFunc("POST /inbound", func(w http.ResponseWriter, r *http.Request) {
			var in Inbound
			if !ReadJSON(w, r, &in) {
				return
			}
			if in.From == "" || in.To == "" {
				WriteError(w, http.StatusBadRequest, "from and to are required")
				return
			}
			out, err := inbound(r.Context(), in)
			if err != nil {
				WriteFailure(w, err)
				return
			}
			WriteJSON(w, http.StatusOK, out)
		})
	}
	c.HandleFunc("GET /requests", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, NonNil(s.Recorder.Matching(r.URL.Query().Get("method"), r.URL.Query().Get("path"))))
	})
	c.HandleFunc("DELETE /requests", func(w http.ResponseWriter, r *http.Request) {
		s.Recorder.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	c.HandleFunc("GET /faults", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, NonNil(s.Faults.Pending()))
	})
	c.HandleFunc("POST /faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !ReadJSON(w, r, &f) {
			return
		}
		if err := f.validate(); err != nil {
			WriteError(w, http.StatusBadRequest, "%v", err)
			return
		}
		s.Arm(f)
		WriteJSON(w, http.StatusCreated, f)
	})
	c.HandleFunc("DELETE /faults", func(w http.ResponseWriter, r *http.Request) {
		s.Faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	c.HandleFunc("GET /outcomes", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]any{
			"default": s.Outcomes.Default(), "recipients": s.Outcomes.All(),
		})
	})
	c.HandleFunc("POST /outcomes", func(w http.ResponseWriter, r *http.Request) {
		var in outcomeJSON
		if !ReadJSON(w, r, &in) {
			return
		}
		st := sms.ParseStatus(strings.ToLower(strings.TrimSpace(in.Status)))
		if st == sms.StatusUnknown {
			WriteError(w, http.StatusBadRequest, "status %q: want one of accepted, queued, sent, delivered, undelivered, failed, expired, rejected", in.Status)
			return
		}
		if in.Delay < 0 {
			WriteError(w, http.StatusBadRequest, "delay must not be negative")
			return
		}
		o := Outcome{Status: st, ErrorCode: in.ErrorCode, Description: in.Description, Delay: time.Duration(in.Delay)}
		if to := strings.TrimSpace(in.To); to == "" || to == "*" {
			s.Outcomes.SetDefault(o)
		} else {
			s.Outcomes.Set(to, o)
		}
		WriteJSON(w, http.StatusOK, o)
	})
	c.HandleFunc("DELETE /outcomes", func(w http.ResponseWriter, r *http.Request) {
		s.Outcomes.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	c.HandleFunc("GET /deliveries", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, NonNil(s.Deliverer.Deliveries()))
	})
	c.HandleFunc("DELETE /deliveries", func(w http.ResponseWriter, r *http.Request) {
		s.Deliverer.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	c.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
}
