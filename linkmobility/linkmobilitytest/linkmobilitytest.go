package linkmobilitytest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu"
)

// Default credentials and account values of the emulator ("0" as in LINK's samples).
const (
	DefaultUsername          = "link-user"
	DefaultPassword          = "link-password"
	DefaultPlatformID        = "0"
	DefaultPlatformPartnerID = "0"
	DefaultGateID            = "BVldZyQt" // the gate id of LINK's batch sample
)

// Defaults of Options.
const (
	DefaultRetries   = 5                // retries of a gate delivery not answered 2xx
	DefaultRetryUnit = time.Millisecond // the wait before retry n is unit·2^(n-1)
)

// Gate is a delivery-report (or inbound) gate as LINK's support configures it: a URL and
// optional Basic credentials. A URL token (…?token=…) is carried as part of URL.
type Gate struct {
	URL      string `json:"url"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// Options configures an emulator. The zero value is usable.
type Options struct {
	Username          string // Basic user; default DefaultUsername
	Password          string // Basic password; default DefaultPassword
	PlatformID        string // the only platformId accepted; default DefaultPlatformID
	PlatformPartnerID string // the only platformPartnerId accepted; default DefaultPlatformPartnerID
	// Gates are the delivery-report gates by gate id. A send naming a gate id not here is
	// refused with 106301. DefaultGateID is always known (with no URL unless given).
	Gates map[string]Gate
	// Inbound is the gate inbound (MO) messages are posted to; no URL: not posted.
	Inbound Gate
	// Retries is how many times a gate delivery not answered 2xx is retried; default
	// DefaultRetries, negative means none.
	Retries int
	// RetryUnit scales the retry waits unit·1, 2, 4, …; default DefaultRetryUnit.
	RetryUnit time.Duration
	// Seed makes the order of multipart reports deterministic; 0 means seed 1.
	Seed uint64
	// Location is LINK's local time of customParameters.received/queued; nil means CET
	// (UTC+1, no daylight saving).
	Location *time.Location
	// Clock stamps messages and reports and waits out outcome delays; nil means the wall clock.
	Clock sms.Clock
	// CallbackClient makes the gate deliveries; nil means the toolkit's default.
	CallbackClient *http.Client
}

// Message is a send the emulator took (each batch item is one), accepted or refused.
type Message struct {
	MessageID         string            `json:"messageId"`
	Source            string            `json:"source"`
	SourceTON         string            `json:"sourceTON"`
	Destination       string            `json:"destination"`
	UserData          string            `json:"userData"`
	RefID             *string           `json:"refId"`
	Gates             []string          `json:"deliveryReportGates"`
	CustomParameters  map[string]string `json:"customParameters,omitempty"`
	Segments          int               `json:"segments"`
	Batch             bool              `json:"batch"`
	Accepted          bool              `json:"accepted"`
	HTTPStatus        int               `json:"http_status"`
	ResultCode        int               `json:"resultCode"` // the last reported (1005 at first), or the refusal code
	SubmittedAt       time.Time         `json:"submitted_at"`
	PlatformID        string            `json:"platformId"`
	PlatformPartnerID string            `json:"platformPartnerId"`
}

// Fault is a failure armed for the next API request(s).
type Fault struct {
	Status     int           // HTTP status, with LINK's error body (106000 unless 401/403)
	RetryAfter time.Duration // sent as Retry-After (LINK documents none)
	// Reset takes the request (accepting the message), then resets the connection.
	Reset bool
	// ResetBeforeProcessing resets the connection without taking the request.
	ResetBeforeProcessing bool
	Delay                 time.Duration // hold the request first (on the emulator clock)
	Times                 int           // how many requests; 0 = 1
	Path                  string        // path prefix; default "/sms/"
}

// Server is a LINK Mobility Common-platform SMS API emulator in the style of
// net/http/httptest. See the package doc.
type Server struct {
	// URL is the base URL to give the client (append /sms/send).
	URL string

	emu  *emu.Server
	opts Options
	ids  emu.IDGen

	mu    sync.Mutex
	store *emu.Store[Message, int]
	gates map[string]Gate
	in    Gate
	barr  map[string]int // destination digits → barring result code
	rng   *rand.Rand
}

// NewServer starts an emulator on a loopback port. Close it when done.
func NewServer(opts *Options) *Server {
	s := New(opts)
	s.URL = s.emu.Serve(s.Handler())
	return s
}

// New returns an emulator that is not listening; serve Handler yourself and set URL.
func New(opts *Options) *Server {
	s := &Server{ids: emu.IDGen{Digits: 24}, barr: map[string]int{}}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	o.Username = or(o.Username, DefaultUsername)
	o.Password = or(o.Password, DefaultPassword)
	o.PlatformID = or(o.PlatformID, DefaultPlatformID)
	o.PlatformPartnerID = or(o.PlatformPartnerID, DefaultPlatformPartnerID)
	o.Retries = emu.Retries(o.Retries, DefaultRetries)
	if o.RetryUnit <= 0 {
		o.RetryUnit = DefaultRetryUnit
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Location == nil {
		o.Location = time.FixedZone("CET", 3600)
	}
	s.resetGatesLocked()
	s.rng = rand.New(rand.NewPCG(o.Seed, o.Seed))
	unit := o.RetryUnit
	s.emu = emu.NewServer(&emu.Options{Clock: o.Clock, Delivery: &emu.DelivererOptions{
		HTTPClient: o.CallbackClient,
		MaxRetries: o.Retries,
		MinWait:    RetryWait(unit, 1),
		MaxWait:    RetryWait(unit, o.Retries+1),
		Backoff: func(_, _ time.Duration, attemptNum int, _ *http.Response) time.Duration {
			return RetryWait(unit, attemptNum+1)
		},
		Policy:     RetryPolicy,
		Sequential: true,
	},
		FaultBody: func(status int) ([]byte, string) {
			code := ErrUnknown
			switch status {
			case http.StatusUnauthorized:
				code = ErrAuthentication
			case http.StatusForbidden:
				code = ErrAccessDenied
			}
			return errorBody(code, ""), "application/json"
		},
		Messages: func() any { return s.Messages() },
		Inbound: func(ctx context.Context, in emu.Inbound) (any, error) {
			return s.SendInbound(ctx, in.From, in.To, in.Body)
		},
		Status: emu.PushThenGet(s.pushStatus, s.Message),
	})
	s.store = emu.NewStore(&s.mu, s.emu.Now, func(m *Message, code int, _ time.Time) { m.ResultCode = code })
	s.emu.OnReset(func() {
		s.mu.Lock()
		s.store.ResetLocked()
		s.barr = map[string]int{}
		s.rng = rand.New(rand.NewPCG(s.opts.Seed, s.opts.Seed))
		s.mu.Unlock()
	})
	s.registerControl()
	return s
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Server) resetGatesLocked() {
	s.gates = map[string]Gate{DefaultGateID: {}}
	for id, g := range s.opts.Gates {
		s.gates[id] = g
	}
	s.in = s.opts.Inbound
}

// RetryWait is the wait before gate retry n (from 1): unit·2^(n-1).
func RetryWait(unit time.Duration, n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 20 {
		n = 20
	}
	return unit << (n - 1)
}

// RetryPolicy is how the emulator judges a gate's answer: any 2xx acknowledges (a gate
// with acknowledge=false); anything else, or no answer, is retried.
func RetryPolicy(status int, err error) emulator.Verdict {
	if err == nil && status >= 200 && status < 300 {
		return emulator.Success
	}
	return emulator.Retry
}

// Handler returns the emulator's HTTP handler: LINK's API plus the control API under /_emulator/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sms/send", s.send)
	mux.HandleFunc("POST /sms/sendbatch", s.sendBatch)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, ErrUnknown, "Not found")
	})
	return s.emu.Handler(mux)
}

// Close stops the server and pending deliveries.
func (s *Server) Close() { _ = s.emu.Close() }

// Username returns the Basic user the emulator accepts.
func (s *Server) Username() string { return s.opts.Username }

// Password returns the Basic password the emulator accepts.
func (s *Server) Password() string { return s.opts.Password }

// PlatformID returns the platformId the emulator accepts.
func (s *Server) PlatformID() string { return s.opts.PlatformID }

// PlatformPartnerID returns the platformPartnerId the emulator accepts.
func (s *Server) PlatformPartnerID() string { return s.opts.PlatformPartnerID }

// SetGate configures gate id (adds it, or changes its URL and credentials).
func (s *Server) SetGate(id string, g Gate) {
	s.mu.Lock()
	s.gates[id] = g
	s.mu.Unlock()
}

// SetInboundGate sets where inbound messages are posted.
func (s *Server) SetInboundGate(g Gate) {
	s.mu.Lock()
	s.in = g
	s.mu.Unlock()
}

// Requests returns how many API requests the emulator received (control requests excluded).
func (s *Server) Requests() int { return s.emu.Recorder.Len() }

// RecordedRequests returns the API requests received, oldest first.
func (s *Server) RecordedRequests() []emulator.Request { return s.emu.Requests() }

// Messages returns every message taken, oldest first, refused ones included.
func (s *Server) Messages() []Message { return s.store.Messages() }

// Accepted returns how many messages the emulator accepted (batch items count one each).
func (s *Server) Accepted() int { return s.store.Accepted() }

// Message returns the accepted message with the given messageId.
func (s *Server) Message(id string) (Message, bool) { return s.store.Message(id) }

// Arm arms a fault for the next API request(s).
func (s *Server) Arm(f Fault) {
	s.emu.Arm(emu.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset,
		ResetBeforeProcessing: f.ResetBeforeProcessing, Delay: f.Delay, Times: f.Times, Path: f.Path}.OrPath("/sms/"))
}

// SetOutcome chooses the final result reported for messages to to: a portable status
// (ResultFor), or a LINK resultCode such as "2104" in code ("" for the status's).
// StatusAccepted or StatusQueued leave the message queued with no final report.
func (s *Server) SetOutcome(to string, status sms.Status, code string) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: code})
}

// SetOutcomeDelay is SetOutcome with the final report delay after acceptance, on the emulator clock.
func (s *Server) SetOutcomeDelay(to string, status sms.Status, code string, delay time.Duration) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: code, Delay: delay})
}

// Bar makes the operator bar to: its messages are accepted, then reported with code —
// ResultPermanentlyBarred (2105), ResultTemporarilyBarred (2107) or
// ResultServiceRejected (2205). Code 0 lifts the barring.
func (s *Server) Bar(to string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.barr, emu.RecipientKey(to))
		return
	}
	s.barr[emu.RecipientKey(to)] = code
}

// anySender is the opt-out list's sender of an account-wide entry.
const anySender = "*"

// Block puts to on the opt-out list for every source: its messages are reported 2205
// (service rejected by subscriber) until Unblock.
func (s *Server) Block(to string) { s.emu.OptOuts.Add(anySender, to) }

// Unblock lifts Block and reports whether to was blocked.
func (s *Server) Unblock(to string) bool { return s.emu.OptOuts.Remove(anySender, to) }

// OptOuts returns the opt-out list: Block entries (From "*") and inbound STOPs (From the
// short number, as a send's source writes it).
func (s *Server) OptOuts() []emulator.OptOut { return s.emu.OptOuts.List() }

// WaitCallbacks waits until every queued gate delivery was delivered (or gave up); a
// *emulator.DeliveryError names each that failed and was not reported before.
func (s *Server) WaitCallbacks(ctx context.Context) error { return s.emu.Deliverer.WaitChecked(ctx) }

// Deliveries returns every gate delivery and its attempts.
func (s *Server) Deliveries() []emulator.Delivery { return s.emu.Deliverer.Deliveries() }

// Reset forgets messages, requests, faults, outcomes, barrings, opt-outs and finished
// deliveries, and restarts the part-order random source.
func (s *Server) Reset() { s.emu.Reset() }

func errorBody(code int, why string) []byte {
	d := Description(code)
	if why == "" {
		why = d
	}
	b, _ := json.Marshal(ErrorResponse{Status: code, Description: why, TranslatedDescription: why})
	return b
}

func writeError(w http.ResponseWriter, status, code int, why string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorBody(code, why))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// authenticate checks Basic auth; it answers 401 106100 and returns false on failure.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) == 1 {
		return true
	}
	writeError(w, http.StatusUnauthorized, ErrAuthentication, "")
	return false
}

// checkAccountLocked checks the platform ids and gates of an accepted-shaped request.
func (s *Server) checkAccountLocked(c *sendCommon) *refusal {
	switch {
	case *c.PlatformID != s.opts.PlatformID:
		return refuse(ErrPlatformID, "Invalid or missing platformId")
	case *c.PlatformPartnerID != s.opts.PlatformPartnerID:
		return refuse(ErrPlatformPartnerID, "Invalid or missing platformPartnerId")
	case c.UseDeliveryReport != nil && *c.UseDeliveryReport && len(c.DeliveryReportGates) == 0:
		return refuse(ErrNoGates, "No gates available")
	}
	for _, g := range c.DeliveryReportGates {
		if _, ok := s.gates[g]; !ok {
			return refuse(ErrGateUnavailable, "Specified gate unavailable: %s", g)
		}
	}
	return nil
}

// read reads and authenticates an API request body.
func (s *Server) read(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, ErrUnknown, "Invalid request body")
		return nil, false
	}
	return body, s.authenticate(w, r)
}

// send serves POST /sms/send.
func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	body, ok := s.read(w, r)
	if !ok {
		return
	}
	req, f := parseSend(body, s.emu.Now())
	s.mu.Lock()
	if f == nil {
		f = s.checkAccountLocked(&req.common)
	}
	m := s.takeLocked(&req.item, &req.common, f, false)
	s.mu.Unlock()
	if f != nil {
		writeError(w, http.StatusBadRequest, f.code, f.why)
		return
	}
	if req.common.IgnoreResponse == nil || *req.common.IgnoreResponse {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := SendResponse{MessageID: m.MessageID, ResultCode: ResultQueued, Description: Description(ResultQueued)}
	if boolParam(req.item.CustomParameters, "replySmsCount") {
		out.SMSCount = m.Segments
	}
	writeJSON(w, http.StatusOK, out)
}

// sendBatch serves POST /sms/sendbatch: the whole batch is refused when one item is invalid.
func (s *Server) sendBatch(w http.ResponseWriter, r *http.Request) {
	body, ok := s.read(w, r)
	if !ok {
		return
	}
	req, f := parseBatch(body, s.emu.Now())
	s.mu.Lock()
	if f == nil {
		f = s.checkAccountLocked(&req.sendCommon)
	}
	if f != nil {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, f.code, f.why)
		return
	}
	out := make([]BatchItemResponse, 0, len(req.SendRequestMessages))
	for i := range req.SendRequestMessages {
		it := &req.SendRequestMessages[i]
		m := s.takeLocked(it, &req.sendCommon, nil, true)
		a := BatchItemResponse{MessageID: m.MessageID, RefID: m.RefID, ResultCode: ResultQueued, Message: Description(ResultQueued)}
		if boolParam(it.CustomParameters, "replySmsCount") || boolParam(req.CustomParameters, "replySmsCount") {
			a.SMSCount = m.Segments
		}
		out = append(out, a)
	}
	s.mu.Unlock()
	if req.IgnoreResponse == nil || *req.IgnoreResponse {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// takeLocked records one message; accepted (and its reports planned) when f is nil.
func (s *Server) takeLocked(it *sendItem, c *sendCommon, f *refusal, batch bool) *Message {
	text := ""
	if it.UserData != nil {
		text = *it.UserData
	}
	params := map[string]string{}
	for k, v := range it.CustomParameters {
		params[k] = v
	}
	for k, v := range c.CustomParameters { // batch-level overrides item-level
		params[k] = v
	}
	m := &Message{MessageID: s.ids.Next(), Source: it.Source, SourceTON: it.SourceTON, Destination: it.Destination,
		UserData: text, RefID: it.RefID, CustomParameters: params, Batch: batch,
		Segments: max(1, sms.CountSegments(text).Segments), SubmittedAt: s.emu.Now()}
	if c.PlatformID != nil {
		m.PlatformID = *c.PlatformID
	}
	if c.PlatformPartnerID != nil {
		m.PlatformPartnerID = *c.PlatformPartnerID
	}
	if c.UseDeliveryReport == nil || *c.UseDeliveryReport {
		m.Gates = append([]string(nil), c.DeliveryReportGates...)
	}
	if f != nil {
		m.HTTPStatus, m.ResultCode = http.StatusBadRequest, f.code
		s.store.AddLocked(m, "", false)
		return m
	}
	m.Accepted, m.HTTPStatus, m.ResultCode = true, http.StatusOK, ResultQueued
	s.store.AddLocked(m, m.MessageID, true)
	s.planLocked(m)
	return m
}

// planLocked schedules the final result of an accepted message: the barring or opt-out
// code if any, else the outcome's.
func (s *Server) planLocked(m *Message) {
	o := s.emu.Outcome(m.Destination)
	code := outcomeCode(o)
	switch {
	case s.barr[emu.RecipientKey(m.Destination)] != 0:
		code, o.Delay = s.barr[emu.RecipientKey(m.Destination)], 0
	case s.emu.OptOuts.Has(anySender, m.Destination) || s.emu.OptOuts.Has(m.Source, m.Destination):
		code, o.Delay = ResultServiceRejected, 0
	case o.Status == sms.StatusAccepted || o.Status == sms.StatusQueued:
		return
	}
	s.reportLocked(m, code, o.Delay)
}

// outcomeCode is the LINK result code of an outcome: its ErrorCode when numeric, else ResultFor.
func outcomeCode(o emu.Outcome) int {
	if n, err := strconv.Atoi(o.ErrorCode); err == nil && n >= 0 && o.ErrorCode != "" {
		return n
	}
	return ResultFor(o.Status)
}

// ResultFor maps a portable status to the resultCode the emulator reports for it.
func ResultFor(st sms.Status) int {
	switch st {
	case sms.StatusAccepted, sms.StatusQueued:
		return ResultQueued
	case sms.StatusSent:
		return ResultSent
	case sms.StatusUndelivered:
		return ResultNotDelivered
	case sms.StatusFailed:
		return ResultUnknownError
	case sms.StatusExpired:
		return ResultExpired
	case sms.StatusRejected:
		return ResultUnknownSubscriber
	case sms.StatusUnknown:
		return ResultTimeout
	}
	return ResultDelivered
}

// reportLocked reports code for every part of m after delay: to each of its gates with a
// URL one POST per part, the parts in a random (seeded) order. Without a gate URL the code
// applies when due.
func (s *Server) reportLocked(m *Message, code int, delay time.Duration) {
	at := s.emu.Now().Add(delay)
	var targets []Gate
	for _, id := range m.Gates {
		if g := s.gates[id]; g.URL != "" {
			targets = append(targets, g)
		}
	}
	if len(targets) == 0 {
		s.store.PlanLocked(m, code, at)
		s.store.AdvanceLocked(m)
		return
	}
	order := s.rng.Perm(m.Segments)
	for _, g := range targets {
		for _, part := range order {
			rep := s.reportFor(m, part, code, at)
			body := rep.Body()
			s.emu.Deliverer.Send(emu.Callback{
				URL: g.URL, Key: m.MessageID, Delay: delay, Header: gateHeader(g), Body: body,
				Prepare: func(_ *http.Request, attempt int) error {
					if attempt == 1 {
						s.mu.Lock()
						m.ResultCode = code
						s.mu.Unlock()
					}
					return nil
				},
			})
		}
	}
}

// PartID is the id of part n (from 0) of a multipart message's reports: "<messageId>$<n>".
// A single-part message's report carries the bare messageId.
func PartID(messageID string, n int) string { return messageID + "$" + strconv.Itoa(n) }

func (s *Server) reportFor(m *Message, part, code int, at time.Time) Report {
	id := m.MessageID
	if m.Segments > 1 {
		id = PartID(id, part)
	}
	var op, opCode *string
	if code == ResultDelivered || code == ResultSent {
		o, c := "no.telenor", "2"
		op, opCode = &o, &c
	}
	return Report{RefID: m.RefID, ID: id, Operator: op, SentTimestamp: FormatTime(m.SubmittedAt),
		Timestamp: FormatTime(at), ResultCode: code, OperatorResultCode: opCode, Segments: m.Segments,
		GateCustomParameters: map[string]string{},
		CustomParameters: map[string]string{"received": at.In(s.opts.Location).Format(LocalLayout),
			"source": m.Source, "destination": m.Destination}}
}

func gateHeader(g Gate) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if g.Username != "" || g.Password != "" {
		r, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
		r.SetBasicAuth(g.Username, g.Password)
		h.Set("Authorization", r.Header.Get("Authorization"))
	}
	return h
}

// PushStatus reports a new result for the accepted message messageID now: a portable
// status through ResultFor, or code when it is a LINK resultCode ("" for the status's).
func (s *Server) PushStatus(messageID string, status sms.Status, code string) error {
	return s.pushStatus(messageID, emu.Outcome{Status: status, ErrorCode: code})
}

func (s *Server) pushStatus(id string, o emu.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.store.GetLocked(id)
	if !ok {
		return fmt.Errorf("linkmobilitytest: message %q: %w", id, emu.ErrNotFound)
	}
	s.store.DropPlanLocked(m)
	s.reportLocked(m, outcomeCode(o), 0)
	return nil
}

// NewReport returns the delivery report LINK would post for part of a message of segments
// parts (id "<messageId>$<part>" when segments > 1), refId echoed ("" for null), with a
// portable status (or the LINK resultCode in code), timestamps from the emulator clock.
func (s *Server) NewReport(messageID, refID string, part, segments int, status sms.Status, code string) Report {
	m := &Message{MessageID: messageID, Segments: max(1, segments), SubmittedAt: s.emu.Now()}
	if refID != "" {
		m.RefID = &refID
	}
	return s.reportFor(m, part, outcomeCode(emu.Outcome{Status: status, ErrorCode: code}), s.emu.Now())
}

// DeliveryReportRequest builds the POST LINK would make to gate g with r, without sending
// it. It panics if g.URL is not an absolute URL.
func (s *Server) DeliveryReportRequest(g Gate, r Report) *http.Request {
	return mustRequest(g, r.Body())
}

// InboundRequest builds the POST LINK would make to gate g for an inbound message, without
// sending it. It panics if g.URL is not an absolute URL.
func (s *Server) InboundRequest(g Gate, from, to, text string) *http.Request {
	return mustRequest(g, s.NewInbound(from, to, text).Body())
}

func mustRequest(g Gate, body []byte) *http.Request {
	req, err := emu.NewRequest(http.MethodPost, g.URL, gateHeader(g), body)
	if err != nil {
		panic("linkmobilitytest: " + err.Error())
	}
	return req
}

// Destination writes a short number as LINK's inbound destination: "NO-2333". A to that
// already has a country prefix ("SE-1234") or a "+" is kept; a bare number gets "NO-".
func Destination(to string) string {
	if strings.HasPrefix(to, "+") || strings.Contains(to, "-") {
		return to
	}
	return "NO-" + to
}

// shortNumber is the source form of an inbound destination: "NO-2333" → "2333".
func shortNumber(dest string) string {
	if i := strings.IndexByte(dest, '-'); i >= 0 {
		return dest[i+1:]
	}
	return dest
}

// NewInbound returns the inbound message LINK would post for text from the handset from
// (E.164) to the short number to (see Destination), matched to a keyword route on its
// first word.
func (s *Server) NewInbound(from, to, text string) Inbound {
	now := s.emu.Now()
	id := s.ids.Next()
	dest := Destination(to)
	kw := strings.ToUpper(firstWord(text))
	local := now.In(s.opts.Location)
	return Inbound{Destination: dest, Source: from,
		Content:  Content{Type: "SMS", UserData: text, Encoding: "TEXT"},
		Operator: "no.telenor", Timestamp: FormatTime(now), MessageID: id,
		OperatorTimestamp: FormatTime(now), OperatorMessageID: id,
		Route: Route{Type: "KEYWORD_ROUTE", ID: "0", RefID: "", GateIDs: []string{"0"}, PlatformID: s.opts.PlatformID,
			PlatformPartnerID: s.opts.PlatformPartnerID, CustomParameters: map[string]string{}, Number: dest,
			Keyword: kw, KeywordType: "FIRST_WORD", Active: true, PlatformServiceType: "serviceType",
			PlatformServiceID: "emulator", Start: FormatTime(now.AddDate(0, 0, -1)), End: FormatTime(now.AddDate(1, 0, 0)), Shared: kw == "STOP", Description: kw + " service"},
		GateCustomParameters: map[string]string{},
		CustomParameters: map[string]string{"platformPartnerId": s.opts.PlatformPartnerID, "platformId": s.opts.PlatformID,
			"suggestedOperator": "no.telenor", "moReferenceId": id, "queued": local.Format(LocalLayout),
			"received": local.Format(LocalLayout), "serviceCentreTimeStamp": local.Format("20060102150405")},
	}
}

func firstWord(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// SendInbound posts an inbound message from the handset from to the short number to to the
// inbound gate and waits for the answer. A first word STOP first puts from on the opt-out
// list of to's short number (later sends from that source are reported 2205); START lifts
// it. With no inbound gate URL nothing is posted and the Delivery is empty.
func (s *Server) SendInbound(ctx context.Context, from, to, text string) (emulator.Delivery, error) {
	in := s.NewInbound(from, to, text)
	switch in.Route.Keyword {
	case "STOP":
		s.emu.OptOuts.Add(shortNumber(in.Destination), from)
	case "START":
		s.emu.OptOuts.Remove(shortNumber(in.Destination), from)
	}
	s.mu.Lock()
	g := s.in
	s.mu.Unlock()
	if g.URL == "" {
		return emulator.Delivery{}, nil
	}
	body := in.Body()
	if _, err := emu.NewRequest(http.MethodPost, g.URL, nil, body); err != nil {
		return emulator.Delivery{}, fmt.Errorf("linkmobilitytest: inbound gate URL: %w", err)
	}
	return s.emu.Deliverer.DeliverChecked(ctx, emu.Callback{URL: g.URL, Header: gateHeader(g), Body: body})
}

func (s *Server) registerControl() {
	c := s.emu.Control
	c.Route("POST /gates", `{"id","url","username","password"}: configure a delivery-report gate ("inbound" as id: the MO gate)`,
		func(w http.ResponseWriter, r *http.Request) {
			var in struct {
				ID string `json:"id"`
				Gate
			}
			if !emu.ReadJSON(w, r, &in) {
				return
			}
			if in.ID == "" {
				emu.WriteError(w, http.StatusBadRequest, "id is required")
				return
			}
			if in.ID == "inbound" {
				s.SetInboundGate(in.Gate)
			} else {
				s.SetGate(in.ID, in.Gate)
			}
			w.WriteHeader(http.StatusNoContent)
		})
	c.Route("GET /gates", "the gates (URLs redacted)", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]string{}
		s.mu.Lock()
		for id, g := range s.gates {
			out[id] = emulator.RedactURL(g.URL)
		}
		out["inbound"] = emulator.RedactURL(s.in.URL)
		s.mu.Unlock()
		emu.WriteJSON(w, http.StatusOK, out)
	})
	c.Route("POST /barred", `{"to","code"}: bar a number with 2105, 2107 or 2205 (0 lifts it)`, func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			To   string `json:"to"`
			Code int    `json:"code"`
		}
		if !emu.ReadJSON(w, r, &in) {
			return
		}
		if in.To == "" {
			emu.WriteError(w, http.StatusBadRequest, "to is required")
			return
		}
		s.Bar(in.To, in.Code)
		w.WriteHeader(http.StatusNoContent)
	})
}
