package emu

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
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
	// WaitCallbacks, if set, is the vendor emulator's WaitCallbacks (its own background
	// work, then Deliverer.Check), which GET /_emulator/callbacks/wait runs; nil means
	// Deliverer.Wait then Deliverer.Check.
	WaitCallbacks func(ctx context.Context) error
	// Status, if set, serves POST /_emulator/messages/{id}/status: it reports a new status
	// for a message the emulator accepted (o.Status, o.ErrorCode, o.Description), posting
	// the vendor's delivery report where the message asked for one, and returns the message.
	// An error wrapping ErrNotFound answers 404, another error 409.
	Status func(ctx context.Context, id string, o Outcome) (any, error)
}

// PushThenGet makes an Options.Status of a vendor's push (report o for message id, an error
// wrapping ErrNotFound for an unknown id) and its lookup of the message afterwards.
func PushThenGet[M any](push func(id string, o Outcome) error, get func(id string) (M, bool)) func(context.Context, string, Outcome) (any, error) {
	return func(_ context.Context, id string, o Outcome) (any, error) {
		if err := push(id, o); err != nil {
			return nil, err
		}
		m, _ := get(id)
		return m, nil
	}
}

// ErrNotFound is what an Options hook wraps when the message it was given does not exist.
var ErrNotFound = errors.New("not found")

// MaxWait bounds the timeout of GET /_emulator/callbacks/wait; DefaultWait is its default.
const (
	MaxWait     = 10 * time.Minute
	DefaultWait = 30 * time.Second
)

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
	OptOuts   *OptOuts    // recipients that opted out of a sender (STOP), for vendors that block them

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
//	GET    /_emulator/callbacks/wait  ?n=N&timeout=30s: the long-poll form of WaitCallbacks
//	GET    /_emulator/optouts      the opt-out list (OptOuts)
//	POST   /_emulator/optouts      {"from", "to"}: add one
//	DELETE /_emulator/optouts      ?from=…&to=…: remove one; without both, all
//	GET    /_emulator/             the list of routes, with a line of description each
//
// and, when Options provide them, the vendor's GET /_emulator/messages, POST
// /_emulator/inbound {"from", "to", "body", "media_urls"} and POST
// /_emulator/messages/{id}/status {"status", "error_code", "description"}.
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
		OptOuts:   &OptOuts{},
		maxBody:   o.MaxBodyBytes,
		faultBody: o.FaultBody,
	}
	s.registerControl(&o)
	s.registerOptOuts()
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
	s.OptOuts.Reset()
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
		c.Route("GET /messages", "the messages the emulator accepted, oldest first", func(w http.ResponseWriter, r *http.Request) {
			WriteJSON(w, http.StatusOK, messages())
		})
	}
	if o.Inbound != nil {
		inbound := o.Inbound
		c.Route("POST /inbound", "{\"from\",\"to\",\"body\",\"media_urls\"}: deliver an inbound message to the application; 502 with the delivery if it did not answer 2xx", func(w http.ResponseWriter, r *http.Request) {
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
	wait := o.WaitCallbacks
	if wait == nil {
		wait = func(ctx context.Context) error {
			if err := s.Deliverer.Wait(ctx); err != nil {
				return err
			}
			return s.Deliverer.Check(nil)
		}
	}
	c.Route("GET /callbacks/wait", `?n=N&timeout=30s: wait until N callbacks (default: those queued) have finished and none is pending; 200 {"deliveries"}, 502 with the failed ones, 504 on timeout`, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n := 0
		if v := q.Get("n"); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 0 {
				WriteError(w, http.StatusBadRequest, "n=%q: want a count of callbacks, 0 or more", v)
				return
			}
		}
		timeout := DefaultWait
		if v := q.Get("timeout"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				if secs, err2 := strconv.ParseFloat(v, 64); err2 == nil {
					d, err = time.Duration(secs*float64(time.Second)), nil
				}
			}
			if err != nil || d <= 0 || d > MaxWait {
				WriteError(w, http.StatusBadRequest, "timeout=%q: want a duration such as 30s (or seconds), at most %s", v, MaxWait)
				return
			}
			timeout = d
		}
		// The timeout bounds how long the client waits, by the wall clock: it is not an
		// emulated wait, and ends only a wait that went wrong.
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		err := s.Deliverer.WaitFinished(ctx, n)
		if err == nil {
			err = wait(ctx)
		}
		if ctx.Err() != nil {
			finished := 0
			for _, d := range s.Deliverer.Deliveries() {
				if d.State != StatePending {
					finished++
				}
			}
			WriteError(w, http.StatusGatewayTimeout, "after %s: %d callback(s) finished, %d pending, %d awaited", timeout, finished, s.Deliverer.Pending(), n)
			return
		}
		if err != nil {
			WriteFailure(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"deliveries": NonNil(s.Deliverer.Deliveries())})
	})
	if o.Status != nil {
		status := o.Status
		c.Route("POST /messages/{id}/status", `{"status","error_code","description"}: report a new status for an accepted message now, posting its delivery report`, func(w http.ResponseWriter, r *http.Request) {
			var in struct {
				Status      string `json:"status"`
				ErrorCode   string `json:"error_code"`
				Description string `json:"description"`
			}
			if !ReadJSON(w, r, &in) {
				return
			}
			st := sms.ParseStatus(strings.ToLower(strings.TrimSpace(in.Status)))
			if st == sms.StatusUnknown {
				WriteError(w, http.StatusBadRequest, "status %q: want one of accepted, queued, sent, delivered, undelivered, failed, expired, rejected", in.Status)
				return
			}
			out, err := status(r.Context(), r.PathValue("id"), Outcome{Status: st, ErrorCode: in.ErrorCode, Description: in.Description})
			switch {
			case errors.Is(err, ErrNotFound):
				WriteError(w, http.StatusNotFound, "%v", err)
			case err != nil:
				WriteError(w, http.StatusConflict, "%v", err)
			default:
				WriteJSON(w, http.StatusOK, out)
			}
		})
	}
	c.Route("GET /requests", "recorded vendor-API requests (?method=POST&path=/prefix), credentials hidden", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, NonNil(s.Recorder.Matching(r.URL.Query().Get("method"), r.URL.Query().Get("path"))))
	})
	c.Route("DELETE /requests", "forget recorded requests", func(w http.ResponseWriter, r *http.Request) {
		s.Recorder.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	c.Route("GET /faults", "armed faults", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, NonNil(s.Faults.Pending()))
	})
	c.Route("POST /faults", "arm a fault for the next vendor-API request(s): {\"status\",\"retry_after\",\"body\",\"content_type\",\"header\",\"process\",\"reset\",\"reset_before_processing\",\"delay\",\"times\",\"path\"}", func(w http.ResponseWriter, r *http.Request) {
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
	c.Route("DELETE /faults", "disarm all faults", func(w http.ResponseWriter, r *http.Request) {
		s.Faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	c.Route("GET /outcomes", "{\"default\": …, \"recipients\": {…}}", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]any{
			"default": s.Outcomes.Default(), "recipients": s.Outcomes.All(),
		})
	})
	c.Route("POST /outcomes", "{\"to\",\"status\",\"error_code\",\"description\",\"delay\"}: the outcome of messages to a recipient (\"to\" empty or \"*\": the default)", func(w http.ResponseWriter, r *http.Request) {
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
	c.Route("DELETE /outcomes", "back to delivered for everyone", func(w http.ResponseWriter, r *http.Request) {
		s.Outcomes.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	c.Route("GET /deliveries", "callback deliveries and their attempts (webhook secrets hidden)", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, NonNil(s.Deliverer.Deliveries()))
	})
	c.Route("DELETE /deliveries", "forget finished deliveries", func(w http.ResponseWriter, r *http.Request) {
		s.Deliverer.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	c.Route("POST /reset", "forget everything: requests, faults, outcomes, deliveries, messages, opt-outs", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
}
