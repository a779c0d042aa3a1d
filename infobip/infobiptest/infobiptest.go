package infobiptest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu"
)

// DefaultAPIKey is the API key the emulator accepts when Options leaves it empty: the one
// in the official Node client's captured request, so that client works unchanged.
const DefaultAPIKey = "0123456789abcdef0123456789abcdef-01234567-89ab-cdef-0123-456789abcdef"

// Defaults of Options.
const (
	DefaultBatchSize = 100                   // results per delivery-report POST (Infobip's maxBucketSize default)
	DefaultRetries   = 5                     // retries of a failed webhook (Infobip's count is unpublished)
	DefaultRetryUnit = 10 * time.Millisecond // Infobip's one minute, scaled down
	DefaultSender    = "InfoSMS"             // the sender of a message sent without one
)

// Options configures an emulator. The zero value is usable.
type Options struct {
	APIKey string // accepted as "Authorization: App <key>"; default DefaultAPIKey
	// DeliveryURL receives the delivery reports of messages sent without their own webhook
	// URL, as the account's subscription does. Empty: such reports wait for a pull
	// (GET /sms/1/reports, /sms/3/reports).
	DeliveryURL string
	// InboundURL receives injected inbound messages, as a number's forwarding does. Empty:
	// they wait for GET /sms/1/inbox/reports.
	InboundURL string
	// WebhookUsername and WebhookPassword, when set, authenticate every webhook POST with
	// Basic auth, as a subscription's BASIC security setting does. A secret token is simply
	// part of the URLs.
	WebhookUsername, WebhookPassword string
	// BatchSize bounds results[] per delivery-report POST; default DefaultBatchSize.
	BatchSize int
	// Retries is how many times a webhook that did not answer 2xx is retried; default
	// DefaultRetries, negative means none.
	Retries int
	// RetryUnit scales Infobip's back-off, 1min + 1min·n² before retry n: the wait before
	// retry n is RetryUnit·(1+n²). Default DefaultRetryUnit. These are real waits.
	RetryUnit time.Duration
	// Clock stamps messages and reports and waits out outcome delays (an
	// emulator.ManualClock lets a test decide when they end). Nil means the wall clock.
	Clock sms.Clock
	// CallbackClient makes the webhook deliveries; nil means a client with a 30 s timeout
	// that does not follow redirects.
	CallbackClient *http.Client
}

// Message is a destination of a send the emulator took, accepted or rejected.
type Message struct {
	MessageID          string    `json:"messageId"`
	BulkID             string    `json:"bulkId"`
	API                API       `json:"api"`
	To                 string    `json:"to"` // digits, without "+"
	Sender             string    `json:"sender"`
	Text               string    `json:"text"`
	MessageCount       int       `json:"messageCount"`
	DeliveryURL        string    `json:"deliveryUrl,omitempty"` // the request's, else Options.DeliveryURL
	Notify             bool      `json:"notify"`                // false: no delivery report at all
	IntermediateReport bool      `json:"intermediateReport,omitempty"`
	CallbackData       string    `json:"callbackData,omitempty"`
	EntityID           string    `json:"entityId,omitempty"`
	ApplicationID      string    `json:"applicationId,omitempty"`
	CampaignReference  string    `json:"campaignReferenceId,omitempty"`
	Accepted           bool      `json:"accepted"` // false: rejected in the send response
	Status             Status    `json:"status"`   // the status last reported
	Error              Error     `json:"error"`
	SentAt             time.Time `json:"sentAt"`
	DoneAt             time.Time `json:"doneAt,omitzero"`
}

// step is a status a message moves to at a time (without a push URL) or as its report goes out.
type step struct {
	st  Status
	err Error
	at  time.Time
}

// Fault is a failure armed for the next send request(s).
type Fault struct {
	Status int // HTTP status, with Infobip's error body
	// Legacy gives the fault the v1/v2 ApiException body on every path; without it, v3
	// paths answer with the ApiError body and v1/v2 paths with the ApiException one.
	Legacy     bool
	RetryAfter time.Duration // sent as Retry-After (Infobip does not document one)
	// Reset takes the request (accepting its messages), then resets the connection.
	Reset bool
	// ResetBeforeProcessing resets the connection without taking the request.
	ResetBeforeProcessing bool
	Delay                 time.Duration // hold the request first (on the emulator clock)
	Times                 int           // how many requests; 0 = 1
	Path                  string        // path prefix the fault applies to; default "/sms/"
}

// Server is an Infobip SMS API emulator in the style of net/http/httptest. See the package doc.
type Server struct {
	// URL is the base URL to give the client, e.g. http://127.0.0.1:43121.
	URL string

	emu  *emu.Server
	opts Options
	ids  emu.IDGen

	mu    sync.Mutex
	store *emu.Store[Message, step] // steps: those of messages without a push URL
	pulls []Report                  // reports waiting for a pull
	inbox []Inbound                 // inbound messages waiting for a pull
	urls  *emu.URLs                 // inboundKey, deliveryKey
}

// Keys of Server.urls, as the control API names them.
const (
	inboundKey  = "inbound_url"
	deliveryKey = "delivery_url"
)

// NewServer starts an emulator on a loopback port. Close it when done.
func NewServer(opts *Options) *Server {
	s := New(opts)
	s.URL = s.emu.Serve(s.Handler())
	return s
}

// New returns an emulator that is not listening; serve Handler yourself (cmd/smsemu does)
// and set URL.
func New(opts *Options) *Server {
	s := &Server{}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.APIKey == "" {
		s.opts.APIKey = DefaultAPIKey
	}
	if s.opts.BatchSize <= 0 {
		s.opts.BatchSize = DefaultBatchSize
	}
	s.opts.Retries = emu.Retries(s.opts.Retries, DefaultRetries)
	if s.opts.RetryUnit <= 0 {
		s.opts.RetryUnit = DefaultRetryUnit
	}
	s.urls = emu.NewURLs(map[string]string{inboundKey: s.opts.InboundURL, deliveryKey: s.opts.DeliveryURL}, inboundKey, deliveryKey)
	unit := s.opts.RetryUnit
	s.emu = emu.NewServer(&emu.Options{Clock: s.opts.Clock, Delivery: &emu.DelivererOptions{
		HTTPClient: s.opts.CallbackClient,
		MaxRetries: s.opts.Retries,
		MinWait:    unit,
		MaxWait:    RetryWait(unit, s.opts.Retries+1),
		Backoff: func(min, _ time.Duration, attemptNum int, _ *http.Response) time.Duration {
			return RetryWait(min, attemptNum+1)
		},
		Policy:     RetryPolicy,
		Sequential: true,
	},
		FaultBody: func(status int) ([]byte, string) { return apiError(status, nil), "application/json" },
		Messages:  func() any { return s.Messages() },
		Inbound: func(ctx context.Context, in emu.Inbound) (any, error) {
			return s.SendInbound(ctx, in.From, in.To, in.Body)
		},
		Status: emu.PushThenGet(s.pushStatus, s.Message),
	})
	s.store = emu.NewStore(&s.mu, s.emu.Now, s.applyPlannedLocked)
	s.emu.OnReset(func() {
		s.mu.Lock()
		s.store.ResetLocked()
		s.pulls, s.inbox = nil, nil
		s.mu.Unlock()
	})
	s.registerControl()
	return s
}

// RetryWait is Infobip's published webhook back-off, 1min + 1min·n·n before retry n (n from
// 1), with unit in place of the minute.
func RetryWait(unit time.Duration, n int) time.Duration {
	return unit + unit*time.Duration(n*n)
}

// RetryPolicy is how the emulator judges a webhook answer: any 2xx acknowledges; anything
// else, or no answer, is retried (Infobip documents 200 as the acknowledgement and retries
// failures; which non-2xx statuses it gives up on is unpublished).
func RetryPolicy(status int, err error) emulator.Verdict {
	if err == nil && status >= 200 && status <= 299 {
		return emulator.Success
	}
	return emulator.Retry
}

// Handler returns the emulator's HTTP handler: the Infobip API plus the control API under
// /_emulator/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sms/3/messages", func(w http.ResponseWriter, r *http.Request) { s.send(w, r, V3) })
	mux.HandleFunc("POST /sms/2/text/advanced", func(w http.ResponseWriter, r *http.Request) { s.send(w, r, V2) })
	mux.HandleFunc("GET /sms/3/logs", s.logs)
	mux.HandleFunc("GET /sms/3/reports", func(w http.ResponseWriter, r *http.Request) { s.reports(w, r, V3) })
	mux.HandleFunc("GET /sms/1/reports", func(w http.ResponseWriter, r *http.Request) { s.reports(w, r, V2) })
	mux.HandleFunc("GET /sms/1/inbox/reports", s.inboxReports)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeLegacy(w, http.StatusNotFound, "NOT_FOUND", "Not found", nil)
	})
	h := s.emu.Handler(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if emu.IsControlPath(r.URL.Path) || strings.HasPrefix(r.URL.Path, "/sms/3/") {
			h.ServeHTTP(w, r)
			return
		}
		lw := &legacyWriter{ResponseWriter: w}
		h.ServeHTTP(lw, r)
		lw.flush()
	})
}

// legacyWriter gives a v1/v2 path's fault answer the ApiException body: a status fault
// armed without a body of its own writes the v3 ApiError (Options.FaultBody knows no path),
// which legacyWriter replaces.
type legacyWriter struct {
	http.ResponseWriter
	status int // an error status held back, with its body
	body   []byte
}

// WriteHeader holds an error status back until flush.
func (lw *legacyWriter) WriteHeader(status int) {
	if status >= 400 && lw.status == 0 {
		lw.status = status
		return
	}
	lw.ResponseWriter.WriteHeader(status)
}

// Write holds the body of an error status back until flush.
func (lw *legacyWriter) Write(b []byte) (int, error) {
	if lw.status != 0 {
		lw.body = append(lw.body, b...)
		return len(b), nil
	}
	return lw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (a reset fault hijacks it).
func (lw *legacyWriter) Unwrap() http.ResponseWriter { return lw.ResponseWriter }

func (lw *legacyWriter) flush() {
	if lw.status == 0 {
		return
	}
	body := lw.body
	if bytes.Equal(body, apiError(lw.status, nil)) {
		body = apiException(lw.status, nil)
		lw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	lw.ResponseWriter.WriteHeader(lw.status)
	_, _ = lw.ResponseWriter.Write(body)
}

// Close stops the server and pending callbacks.
func (s *Server) Close() { _ = s.emu.Close() }

// APIKey returns the API key the emulator accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// SetDeliveryURL sets the account-level delivery-report URL.
func (s *Server) SetDeliveryURL(u string) { s.urls.Set(deliveryKey, u) }

// SetInboundURL sets where injected inbound messages are posted.
func (s *Server) SetInboundURL(u string) { s.urls.Set(inboundKey, u) }

// Requests returns how many Infobip API requests the emulator received (control requests
// excluded).
func (s *Server) Requests() int { return s.emu.Recorder.Len() }

// RecordedRequests returns the Infobip API requests received, oldest first.
func (s *Server) RecordedRequests() []emulator.Request { return s.emu.Requests() }

// Messages returns every destination of every send taken, oldest first, rejected ones
// included (Accepted false), each with the status last reported for it.
func (s *Server) Messages() []Message { return s.store.Messages() }

// Accepted returns how many destinations the emulator accepted (rejected ones excluded).
func (s *Server) Accepted() int { return s.store.Accepted() }

// Message returns the accepted message with the given messageId.
func (s *Server) Message(id string) (Message, bool) { return s.store.Message(id) }

// Arm arms a fault for the next send request(s).
func (s *Server) Arm(f Fault) {
	ef := emu.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset,
		ResetBeforeProcessing: f.ResetBeforeProcessing, Delay: f.Delay, Times: f.Times, Path: f.Path}.OrPath("/sms/")
	if f.Status != 0 && f.Legacy {
		ef.Body, ef.ContentType = apiException(f.Status, nil), "application/json"
	}
	s.emu.Arm(ef)
}

// SetOutcome chooses the final status reported for messages to to: sms.StatusDelivered
// (default, DELIVERED_TO_HANDSET), StatusUndelivered, StatusFailed, StatusExpired or
// StatusRejected, with an Infobip delivery error id such as "27" ("" for the status's
// default; see StatusFor and ErrorFor).
func (s *Server) SetOutcome(to string, status sms.Status, errorCode string) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: errorCode})
}

// SetOutcomeDelay is SetOutcome with the final report sent delay after acceptance, on the
// emulator clock.
func (s *Server) SetOutcomeDelay(to string, status sms.Status, errorCode string, delay time.Duration) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: errorCode, Delay: delay})
}

// Block puts to on the account's blocklist: sends to it from any sender are rejected with
// REJECTED_DESTINATION_BLOCKLISTED until Unblock.
func (s *Server) Block(to string) { s.emu.OptOuts.Add(anySender, to) }

// Unblock lifts Block and reports whether to was blocked.
func (s *Server) Unblock(to string) bool { return s.emu.OptOuts.Remove(anySender, to) }

// anySender is the opt-out list's sender for an account-wide blocklist entry.
const anySender = "*"

// OptOut records that to opted out of messages from from, as an inbound STOP to from does:
// sends from from to to are rejected with REJECTED_DESTINATION_BLOCKLISTED until OptIn.
func (s *Server) OptOut(from, to string) { s.emu.OptOuts.Add(from, to) }

// OptIn lifts an opt-out and reports whether there was one.
func (s *Server) OptIn(from, to string) bool { return s.emu.OptOuts.Remove(from, to) }

// OptOuts returns the opt-out list; blocklist entries have From "*".
func (s *Server) OptOuts() []emulator.OptOut { return s.emu.OptOuts.List() }

// blocked reports whether to refuses messages from sender.
func (s *Server) blocked(sender, to string) bool {
	return s.emu.OptOuts.Has(anySender, to) || s.emu.OptOuts.Has(sender, to)
}

// WaitCallbacks waits until every queued webhook was delivered (or gave up). It returns a
// *emulator.DeliveryError naming every one that did not succeed and that no earlier
// WaitCallbacks or SendInbound reported; nil when all succeeded.
func (s *Server) WaitCallbacks(ctx context.Context) error {
	return s.emu.Deliverer.WaitChecked(ctx)
}

// Deliveries returns every webhook delivery and its attempts.
func (s *Server) Deliveries() []emulator.Delivery { return s.emu.Deliverer.Deliveries() }

// Reset forgets messages, requests, faults, outcomes, opt-outs and finished deliveries.
func (s *Server) Reset() { s.emu.Reset() }

// auth checks "Authorization: App <key>".
func (s *Server) auth(w http.ResponseWriter, r *http.Request, api API) bool {
	h := r.Header.Get("Authorization")
	scheme, key, _ := strings.Cut(h, " ")
	if strings.EqualFold(scheme, "App") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(key)), []byte(s.opts.APIKey)) == 1 {
		return true
	}
	if api == V3 {
		writeAPIError(w, http.StatusUnauthorized, nil)
	} else {
		writeLegacy(w, http.StatusUnauthorized, "UNAUTHORIZED", "Invalid login details", nil)
	}
	return false
}

// webhookHeader is the header of every webhook POST.
func (s *Server) webhookHeader() http.Header {
	h := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"Infobip-Webhook/1.0"}}
	if s.opts.WebhookUsername != "" || s.opts.WebhookPassword != "" {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.opts.WebhookUsername+":"+s.opts.WebhookPassword)))
	}
	return h
}

// DeliveryReportsRequest builds the delivery-report POST Infobip would make to target,
// carrying reports in api's shape and authenticated as configured, without sending it: for
// tests that drive a webhook handler directly. It panics if target is not an absolute URL.
func (s *Server) DeliveryReportsRequest(target string, api API, reports ...Report) *http.Request {
	req, err := emu.NewRequest(http.MethodPost, target, s.webhookHeader(), ReportsBody(api, reports...))
	if err != nil {
		panic("infobiptest: " + err.Error())
	}
	return req
}

// InboundRequest builds the inbound push Infobip would make to target for a message from
// the handset from to the account's number to. It panics if target is not an absolute URL.
func (s *Server) InboundRequest(target, from, to, text string) *http.Request {
	req, err := emu.NewRequest(http.MethodPost, target, s.webhookHeader(), InboundBody(s.newInbound(from, to, text)))
	if err != nil {
		panic("infobiptest: " + err.Error())
	}
	return req
}

// NewReport returns the report Infobip would send for message id to to with a portable
// status: the status of StatusFor, the error of errorCode (else the status's default), timestamps from the emulator clock.
func (s *Server) NewReport(id, to string, status sms.Status, errorCode string) Report {
	st, def := StatusFor(status)
	if errorCode == "" {
		errorCode = def
	}
	now := s.emu.Now()
	return Report{BulkID: "bulk-" + id, MessageID: id, To: digits(to), Sender: DefaultSender,
		SentAt: now, DoneAt: now, MessageCount: 1, Price: Price{0.01, "EUR"}, Status: st, Error: ErrorFor(errorCode)}
}

func (s *Server) newInbound(from, to, text string) Inbound {
	return Inbound{
		MessageID: s.ids.UUID(), From: digits(from), To: digits(to), Text: text, CleanText: text,
		ReceivedAt: FormatTime(s.emu.Now()), SmsCount: max(1, sms.CountSegments(text).Segments),
		Price: Price{0, "EUR"},
	}
}

// STOP and START keywords: an inbound message that is one of them adds its sender to, or
// removes it from, the opt-out list of the number it was sent to — what an Infobip number
// configured with a Blocking keyword rule does.
var (
	StopKeywords  = []string{"STOP", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "CANCEL", "OPTOUT"}
	StartKeywords = []string{"START", "UNSTOP", "YES"}
)

// SendInbound pushes an inbound message from the handset from to the account's number to,
// to the inbound URL, and waits for the answer; without an inbound URL it waits for a pull
// (GET /sms/1/inbox/reports). A STOP keyword opts from out of messages from to first.
// An answer outside 2xx after the retries, or none, is a *emulator.DeliveryError; the
// Delivery is returned either way.
func (s *Server) SendInbound(ctx context.Context, from, to, text string) (emulator.Delivery, error) {
	switch {
	case emu.Keyword(text, StopKeywords) != "":
		s.emu.OptOuts.Add(to, from)
	case emu.Keyword(text, StartKeywords) != "":
		s.emu.OptOuts.Remove(to, from)
	}
	in := s.newInbound(from, to, text)
	s.mu.Lock()
	target := s.urls.Get(inboundKey)
	if target == "" {
		s.inbox = append(s.inbox, in)
	}
	s.mu.Unlock()
	if target == "" {
		return emulator.Delivery{}, nil
	}
	req, err := emu.NewRequest(http.MethodPost, target, s.webhookHeader(), InboundBody(in))
	if err != nil {
		return emulator.Delivery{}, fmt.Errorf("infobiptest: inbound URL: %w", err)
	}
	return s.emu.Deliverer.DeliverChecked(ctx, emu.Callback{URL: target, Header: req.Header, Body: InboundBody(in)})
}

// PushStatus reports a new status for the accepted message id now, as Infobip does when
// the operator answers: a one-result report to the message's delivery URL (after the
// reports already queued for it), the message taking the status as the report goes out; the
// statuses still planned for it are dropped. errorCode is an Infobip error id ("" for the
// status's default). An unknown id is an error.
func (s *Server) PushStatus(id string, status sms.Status, errorCode string) error {
	if status == sms.StatusUnknown {
		return fmt.Errorf("infobiptest: PushStatus: no status")
	}
	return s.pushStatus(id, emu.Outcome{Status: status, ErrorCode: errorCode})
}

func (s *Server) pushStatus(id string, o emu.Outcome) error {
	st, e := outcomeStatus(o)
	s.mu.Lock()
	m, ok := s.store.GetLocked(id)
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("infobiptest: message %q: %w", id, emu.ErrNotFound)
	}
	s.store.DropPlanLocked(m)
	s.scheduleLocked([]*Message{m}, []step{{st: st, err: e, at: s.emu.Now()}}, 0)
	s.mu.Unlock()
	return nil
}

// outcomeStatus is the Infobip status and error of an outcome: StatusFor its status, the
// error of its ErrorCode (else the status's default), its Description when set.
func outcomeStatus(o emu.Outcome) (Status, Error) {
	st, def := StatusFor(o.Status)
	code := o.ErrorCode
	if code == "" {
		code = def
	}
	e := ErrorFor(code)
	if o.Description != "" {
		e.Description = o.Description
	}
	return st, e
}

func (s *Server) registerControl() {
	c := s.emu.Control
	s.urls.Register(c, "webhook")
	c.Route("POST /blocklist", `{"to"}: put a number on the account's blocklist`, func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			To string `json:"to"`
		}
		if !emu.ReadJSON(w, r, &in) {
			return
		}
		if strings.TrimSpace(in.To) == "" {
			emu.WriteError(w, http.StatusBadRequest, "to is required")
			return
		}
		s.Block(in.To)
		emu.WriteJSON(w, http.StatusOK, s.OptOuts())
	})
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
