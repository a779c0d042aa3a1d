package twiliotest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu"
	"github.com/smsbridge/sms/twilio"
)

// Default credentials the emulator accepts when Options leaves them empty. They are
// documented so that users of cmd/smsemu (and tests in other languages) can use them.
const (
	DefaultAccountSID = "ACf00dfeedf00dfeedf00dfeedf00dfeed"
	DefaultAuthToken  = "0123456789abcdef0123456789abcdef"
)

// Options configures an emulator. The zero value is usable.
type Options struct {
	AccountSID string // default DefaultAccountSID
	AuthToken  string // default DefaultAuthToken; also signs callbacks
	// APIKeySID and APIKeySecret, when set, are accepted as Basic-auth credentials too.
	APIKeySID    string
	APIKeySecret string
	// InboundURL receives injected inbound messages, as a number's "A MESSAGE COMES IN"
	// webhook does.
	InboundURL string
	// StatusCallback is the account-level status callback (a Messaging Service's), used for
	// messages sent without their own StatusCallback.
	StatusCallback string
	// CallbackRetries is how many times a failed callback is retried. Twilio retries only when
	// the callback URL carries connection overrides (#rc=N); the emulator reads rc from the
	// URL fragment and otherwise uses CallbackRetries (default 0).
	CallbackRetries int
	// CallbackWait is the wait between callback retries; default 10ms.
	CallbackWait time.Duration
	// Clock is the emulator's clock: timestamps, and the waits of SentDelay, outcome delays
	// and armed fault delays (an emulator.ManualClock lets a test decide when they end).
	// Nil means the wall clock.
	Clock sms.Clock
	// SentDelay is how long after acceptance the "sent" report goes out; default 0.
	SentDelay time.Duration
	// CallbackClient makes the callback deliveries (status callbacks and inbound messages).
	// Nil means a client with Twilio's 15-second webhook timeout that does not follow
	// redirects. Set it to reach an application served by httptest.NewTLSServer (its
	// Client()), or to route callbacks addressed to public host names (a StatusCallback
	// replayed from a capture) to a loopback server instead of resolving them.
	CallbackClient *http.Client
}

// Message is a message the emulator accepted.
type Message struct {
	SID                 string    `json:"sid"`
	To                  string    `json:"to"`
	From                string    `json:"from,omitempty"`
	MessagingServiceSID string    `json:"messaging_service_sid,omitempty"`
	Body                string    `json:"body"`
	StatusCallback      string    `json:"status_callback,omitempty"`
	Status              string    `json:"status"`
	ErrorCode           string    `json:"error_code,omitempty"`
	ErrorMessage        string    `json:"error_message,omitempty"` // Twilio's text for ErrorCode
	NumSegments         int       `json:"num_segments"`
	Created             time.Time `json:"date_created"`
	// Sent is when the message went to the carrier (status sent, then delivered or
	// undelivered); zero while it is queued, and for a failed message.
	Sent time.Time `json:"date_sent,omitzero"`
	Form string    `json:"form"` // the request body as received
}

// step is one status a message without a status callback moves to once the emulator clock
// reaches its time (with a callback, the status changes as its report goes out).
type step struct{ word, code, msg string }

// Fault is a failure armed for the next send request(s).
type Fault struct {
	Status     int           // HTTP status, with Twilio's error body for Code
	Code       int           // Twilio error code in the body; default 20429 for 429, 20500 otherwise
	RetryAfter time.Duration // sent as Retry-After
	Reset      bool          // accept the message, then reset the connection
	Delay      time.Duration // hold the request first
	Times      int           // how many requests; 0 = 1
}

// Server is a Twilio Messages API emulator in the style of net/http/httptest. It checks Basic
// auth, validates like Twilio (including the magic test numbers), answers real-shaped message
// resources, records every request, injects faults, and posts signed status callbacks and
// injected inbound messages.
type Server struct {
	// URL is the base URL to give twilio.Options.BaseURL, e.g. http://127.0.0.1:43121.
	URL string

	emu  *emu.Server
	opts Options
	ids  emu.IDGen

	mu    sync.Mutex
	store *emu.Store[Message, step] // steps: reports not yet due, of messages without a status callback
	urls  *emu.URLs                 // inboundKey, statusKey
}

// Keys of Server.urls, as the control API names them.
const (
	inboundKey = "inbound_url"
	statusKey  = "status_callback"
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
	if s.opts.AccountSID == "" {
		s.opts.AccountSID = DefaultAccountSID
	}
	if s.opts.AuthToken == "" {
		s.opts.AuthToken = DefaultAuthToken
	}
	if s.opts.CallbackWait <= 0 {
		s.opts.CallbackWait = 10 * time.Millisecond
	}
	s.urls = emu.NewURLs(map[string]string{inboundKey: s.opts.InboundURL, statusKey: s.opts.StatusCallback}, inboundKey, statusKey)
	s.ids = emu.IDGen{Prefix: "SM"}
	s.emu = emu.NewServer(&emu.Options{Clock: s.opts.Clock, Delivery: &emu.DelivererOptions{
		HTTPClient: s.opts.CallbackClient,
		Timeout:    15 * time.Second,                // Twilio's webhook timeout (unconfirmed)
		MaxRetries: max(s.opts.CallbackRetries, 10), // bounded per callback by its rc below
		MinWait:    s.opts.CallbackWait, MaxWait: s.opts.CallbackWait,
		Policy:     emu.RetryTransient,
		Sequential: true,
	},
		FaultBody: func(status int) ([]byte, string) {
			return errorBody(status, defaultFaultCode(status), http.StatusText(status)), "application/json"
		},
		Messages: func() any { return s.Messages() },
		Inbound: func(ctx context.Context, in emu.Inbound) (any, error) {
			return s.SendInbound(ctx, in.From, in.To, in.Body, in.MediaURLs...)
		},
		Status: emu.PushThenGet(s.pushStatus, s.Message),
	})
	s.store = emu.NewStore(&s.mu, s.emu.Now, func(m *Message, st step, at time.Time) {
		s.applyLocked(m, st.word, st.code, st.msg, at)
	})
	s.emu.OnReset(func() {
		s.mu.Lock()
		s.store.ResetLocked()
		s.mu.Unlock()
	})
	s.registerControl()
	return s
}

// Handler returns the emulator's HTTP handler: the Twilio API plus the control API under
// /_emulator/. A status fault armed through POST /_emulator/faults without a body of its own
// answers with Twilio's error body (code 20429 for a 429, 20500 otherwise), as Arm does.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.create)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages.json", s.list)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages/{msg}", s.fetch)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
	h := s.emu.Handler(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !emu.IsControlPath(r.URL.Path) {
			// Every Twilio answer carries a request id, faulted ones included.
			w.Header().Set(twilio.RequestIDHeader, "RQ"+s.ids.Next()[2:])
		}
		h.ServeHTTP(w, r)
	})
}

// Close stops the server and pending callbacks.
func (s *Server) Close() {
	_ = s.emu.Close()
}

// AccountSID returns the account SID the emulator accepts.
func (s *Server) AccountSID() string { return s.opts.AccountSID }

// AuthToken returns the auth token the emulator accepts and signs callbacks with.
func (s *Server) AuthToken() string { return s.opts.AuthToken }

// SetInboundURL sets where injected inbound messages are posted.
func (s *Server) SetInboundURL(u string) { s.urls.Set(inboundKey, u) }

// SetStatusCallback sets the account-level status callback URL.
func (s *Server) SetStatusCallback(u string) { s.urls.Set(statusKey, u) }

// Requests returns how many Twilio API requests the emulator received (control requests
// excluded).
func (s *Server) Requests() int { return s.emu.Recorder.Len() }

// RecordedRequests returns the Twilio API requests received, oldest first.
func (s *Server) RecordedRequests() []emulator.Request { return s.emu.Requests() }

// Messages returns the accepted messages, oldest first, each with the status last
// reported for it.
func (s *Server) Messages() []Message { return s.store.Messages() }

// Arm arms a fault for the next send request(s).
func (s *Server) Arm(f Fault) { s.emu.Arm(f.emu()) }

func (f Fault) emu() emu.Fault {
	ef := emu.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset, Delay: f.Delay, Times: f.Times, Path: "/2010-04-01/"}
	if f.Status != 0 && f.Code != 0 { // else the toolkit asks FaultBody
		ef.Body, ef.ContentType = errorBody(f.Status, f.Code, http.StatusText(f.Status)), "application/json"
	}
	return ef
}

// defaultFaultCode is the Twilio error code of a status fault armed without one.
func defaultFaultCode(status int) int {
	if status == http.StatusTooManyRequests {
		return 20429
	}
	return 20500
}

// SetOutcome chooses the final status reported for messages to to: sms.StatusDelivered
// (default), StatusUndelivered or StatusFailed with a Twilio error code such as "30003".
func (s *Server) SetOutcome(to string, status sms.Status, errorCode string) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: errorCode})
}

// WaitCallbacks waits until every queued callback was delivered (or gave up). It returns a
// *emulator.DeliveryError naming every callback that did not succeed — a webhook that
// answered outside 2xx or could not be reached — and that no earlier WaitCallbacks or
// SendInbound reported; nil when all succeeded.
func (s *Server) WaitCallbacks(ctx context.Context) error {
	return s.emu.Deliverer.WaitChecked(ctx)
}

// Deliveries returns every callback delivery and its attempts.
func (s *Server) Deliveries() []emulator.Delivery { return s.emu.Deliverer.Deliveries() }

// Reset forgets messages, requests, faults, outcomes and finished deliveries.
func (s *Server) Reset() { s.emu.Reset() }

func errorBody(status, code int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{
		"code": code, "message": msg, "more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), "status": status,
	})
	return b
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorBody(status, code, msg))
}

// auth checks Basic auth and the account in the path, as Twilio does (20003 on failure).
func (s *Server) auth(w http.ResponseWriter, r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	good := ok && (eq(u, s.opts.AccountSID) && eq(p, s.opts.AuthToken) ||
		s.opts.APIKeySID != "" && eq(u, s.opts.APIKeySID) && eq(p, s.opts.APIKeySecret))
	if !good {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return false
	}
	if r.PathValue("sid") != s.opts.AccountSID {
		writeError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return false
	}
	return true
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// Twilio's magic test numbers: https://www.twilio.com/docs/iam/test-credentials.
var (
	magicTo = map[string]int{
		"+15005550001": 21211, "+15005550002": 21612, "+15005550003": 21408,
		"+15005550004": 21610, "+15005550009": 21614,
	}
	magicFrom = map[string]int{"+15005550001": 21212, "+15005550007": 21606, "+15005550008": 21611}
	codeText  = map[int]string{
		21211: "The 'To' number is not a valid phone number.",
		21612: "The 'To' phone number is not currently reachable via SMS.",
		21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
		21610: "Attempt to send to unsubscribed recipient",
		21614: "'To' number is not a valid mobile number",
		21212: "The 'From' number is not a valid phone number, shortcode, or alphanumeric sender ID.",
		21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.",
		21611: "This 'From' number has exceeded the maximum number of queued messages.",
		21602: "Message body is required.",
		21603: "A 'From' phone number is required.",
		21604: "A 'To' phone number is required.",
		21617: "The concatenated message body exceeds the 1600 character limit.",
		// Delivery-time codes (vendors/twilio.md §3.2).
		30001: "Queue overflow",
		30002: "Account suspended",
		30003: "Unreachable destination handset",
		30004: "Message blocked",
		30005: "Unknown destination handset",
		30006: "Landline or unreachable carrier",
		30007: "Message filtered",
		30008: "Unknown error",
	}
)

func fail(w http.ResponseWriter, code int) {
	writeError(w, http.StatusBadRequest, code, codeText[code])
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if !s.auth(w, r) {
		return
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r.Body)
	form, err := url.ParseQuery(buf.String())
	if err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Invalid form body")
		return
	}
	to, from, svc, body := form.Get("To"), form.Get("From"), form.Get("MessagingServiceSid"), form.Get("Body")
	switch {
	case to == "":
		fail(w, 21604)
		return
	case from == "" && svc == "":
		fail(w, 21603)
		return
	case body == "" && form.Get("MediaUrl") == "" && form.Get("ContentSid") == "":
		fail(w, 21602)
		return
	case utf8.RuneCountInString(body) > twilio.MaxBodyChars:
		fail(w, 21617)
		return
	}
	if code, ok := magicFrom[from]; ok {
		fail(w, code)
		return
	}
	if code, ok := magicTo[to]; ok {
		fail(w, code)
		return
	}
	if _, err := sms.NormalizePhone(to); err != nil || !strings.HasPrefix(to, "+") {
		fail(w, 21211)
		return
	}
	if s.emu.OptOuts.Has(from, to) || s.emu.OptOuts.Has(svc, to) {
		fail(w, 21610) // the recipient replied STOP to this sender (or service)
		return
	}
	if from != "" {
		if err := validFrom(from); err != nil {
			fail(w, 21212)
			return
		}
	}
	if vp := form.Get("ValidityPeriod"); vp != "" {
		if n, err := strconv.Atoi(vp); err != nil || n < 1 || n > 36000 {
			writeError(w, http.StatusBadRequest, 21609, "Invalid ValidityPeriod")
			return
		}
	}
	cb := form.Get("StatusCallback")
	if cb != "" {
		if u, err := url.Parse(cb); err != nil || !u.IsAbs() || strings.Contains(u.Hostname(), "_") {
			writeError(w, http.StatusBadRequest, 21609, "Invalid StatusCallback URL")
			return
		}
	}
	status := "queued"
	if svc != "" {
		status = "accepted"
		if form.Get("SendAt") != "" {
			status = "scheduled"
		}
	}
	now := s.emu.Now().UTC()
	m := &Message{
		SID: s.ids.Next(), To: to, From: from, MessagingServiceSID: svc, Body: body, StatusCallback: cb,
		Status: status, NumSegments: max(1, sms.CountSegments(body).Segments), Created: now, Form: buf.String(),
	}
	if m.From == "" {
		m.From = "+15005550006" // a pool number chosen by the "service"
	}
	s.mu.Lock()
	s.store.AddLocked(m, m.SID, true)
	if cb == "" {
		cb = s.urls.Get(statusKey)
	}
	res := s.resource(m, svc != "" && from == "")
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(res)
	s.queueReports(m, cb)
}

func validFrom(from string) error {
	if strings.HasPrefix(from, "+") {
		_, err := sms.NormalizePhone(from)
		return err
	}
	if len(from) >= 3 && len(from) <= 8 && strings.Trim(from, "0123456789") == "" {
		return nil
	}
	return sms.ValidateAlphanumeric(from)
}

// resource renders a message as Twilio's Message resource.
func (s *Server) resource(m *Message, nullFrom bool) map[string]any {
	var from any = m.From
	if nullFrom {
		from = nil
	}
	var svc any
	if m.MessagingServiceSID != "" {
		svc = m.MessagingServiceSID
	}
	var errCode, errMsg any
	if m.ErrorCode != "" {
		n, _ := strconv.Atoi(m.ErrorCode)
		errCode = n
		errMsg = m.ErrorMessage
	}
	date := m.Created.Format(time.RFC1123Z)
	var sent any
	if !m.Sent.IsZero() {
		sent = m.Sent.Format(time.RFC1123Z)
	}
	uri := "/2010-04-01/Accounts/" + s.opts.AccountSID + "/Messages/" + m.SID + ".json"
	return map[string]any{
		"account_sid": s.opts.AccountSID, "api_version": "2010-04-01", "body": m.Body,
		"date_created": date, "date_sent": sent, "date_updated": date, "direction": "outbound-api",
		"error_code": errCode, "error_message": errMsg, "from": from, "messaging_service_sid": svc,
		"num_media": "0", "num_segments": strconv.Itoa(m.NumSegments), "price": nil, "price_unit": "USD",
		"sid": m.SID, "status": m.Status, "to": m.To, "uri": uri,
		"subresource_uris": map[string]string{"media": strings.TrimSuffix(uri, ".json") + "/Media.json"},
	}
}

func (s *Server) fetch(w http.ResponseWriter, r *http.Request) {
	if !s.auth(w, r) {
		return
	}
	sid := strings.TrimSuffix(r.PathValue("msg"), ".json")
	s.mu.Lock()
	m, ok := s.store.GetLocked(sid)
	var res map[string]any
	if ok {
		s.store.AdvanceLocked(m)
		res = s.resource(m, false)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// list answers GET …/Messages.json with Twilio's filters: To and From (exact), DateSent,
// DateSent< and DateSent> (a YYYY-MM-DD day, inclusive, or an RFC 3339 time; a message not yet
// sent has no DateSent and matches none of them), PageSize (default 50, at most 1000) and
// Page, newest first, with next_page_uri while more remain.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	if !s.auth(w, r) {
		return
	}
	q := r.URL.Query()
	var filters []func(time.Time) bool
	for _, op := range []string{"", "<", ">"} {
		v := q.Get("DateSent" + op)
		if v == "" {
			continue
		}
		f, ok := dateFilter(op, v)
		if !ok {
			writeError(w, http.StatusBadRequest, 20001, "Invalid DateSent"+op+" value")
			return
		}
		filters = append(filters, f)
	}
	size, page := 50, 0
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, 20001, "Invalid PageSize")
			return
		}
		size = min(n, 1000)
	}
	if v := q.Get("Page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, 20001, "Invalid Page")
			return
		}
		page = n
	}
	s.mu.Lock()
	var match []*Message
	all := s.store.AllLocked()
	for i := len(all) - 1; i >= 0; i-- { // newest first, as Twilio lists
		m := all[i]
		s.store.AdvanceLocked(m)
		if (q.Get("To") != "" && q.Get("To") != m.To) || (q.Get("From") != "" && q.Get("From") != m.From) {
			continue
		}
		ok := true
		for _, f := range filters {
			ok = ok && !m.Sent.IsZero() && f(m.Sent)
		}
		if ok {
			match = append(match, m)
		}
	}
	out := []map[string]any{}
	start := min(page*size, len(match))
	end := min(start+size, len(match))
	for _, m := range match[start:end] {
		out = append(out, s.resource(m, false))
	}
	s.mu.Unlock()
	pageURI := func(n int) string {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("PageSize", strconv.Itoa(size))
		pq.Set("Page", strconv.Itoa(n))
		pq.Set("PageToken", "PA"+strconv.Itoa(n*size))
		return r.URL.Path + "?" + pq.Encode()
	}
	var next, prev any
	if end < len(match) {
		next = pageURI(page + 1)
	}
	if page > 0 {
		prev = pageURI(page - 1)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"messages": out, "page": page, "page_size": size, "start": start, "end": max(end-1, start),
		"uri": r.URL.RequestURI(), "first_page_uri": pageURI(0), "next_page_uri": next, "previous_page_uri": prev,
	})
}

// dateFilter returns the test of one DateSent filter: op "" (that day, or that instant), "<"
// (on or before) or ">" (on or after). v is a YYYY-MM-DD day (UTC) or an RFC 3339 time.
func dateFilter(op, v string) (func(time.Time) bool, bool) {
	if d, err := time.Parse("2006-01-02", v); err == nil {
		day := func(t time.Time) time.Time {
			y, m, dd := t.UTC().Date()
			return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
		}
		switch op {
		case "<":
			return func(t time.Time) bool { return !day(t).After(d) }, true
		case ">":
			return func(t time.Time) bool { return !day(t).Before(d) }, true
		}
		return func(t time.Time) bool { return day(t).Equal(d) }, true
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, false
	}
	switch op {
	case "<":
		return func(t time.Time) bool { return !t.After(at) }, true
	case ">":
		return func(t time.Time) bool { return !t.Before(at) }, true
	}
	return func(t time.Time) bool { return t.Equal(at) }, true
}

// reportSteps returns the statuses Twilio reports, in order, for a message whose outcome is
// o: sent, then delivered or undelivered; failed alone; sent alone for an outcome of sent; none
// for queued or accepted (Twilio sends no callback for the initial status, and the message
// keeps it).
func reportSteps(o emu.Outcome) []string {
	switch o.Status {
	case sms.StatusAccepted, sms.StatusQueued:
		return nil
	case sms.StatusSent:
		return []string{"sent"}
	case sms.StatusUndelivered:
		return []string{"sent", "undelivered"}
	case sms.StatusFailed, sms.StatusRejected, sms.StatusExpired:
		return []string{"failed"}
	}
	return []string{"sent", "delivered"}
}

// queueReports moves m through the statuses of its outcome. With a callback URL, each status
// is posted to it in order, and the message takes the status as its report goes out, so a
// fetch made by the application on receiving a report sees at least that status. Without
// one, the statuses are applied at the times the reports would have gone out.
func (s *Server) queueReports(m *Message, cb string) {
	o := s.emu.Outcome(m.To)
	steps := reportSteps(o)
	due := s.emu.Now()
	for i, word := range steps {
		code, msg := "", ""
		if word == "undelivered" || word == "failed" {
			code, msg = failureCode(o)
		}
		var delay time.Duration // after the previous report, as the Deliverer waits
		if i == 0 {
			delay = s.opts.SentDelay
		}
		if i == len(steps)-1 {
			delay += o.Delay
		}
		due = due.Add(delay)
		if cb == "" {
			s.mu.Lock()
			s.store.PlanLocked(m, step{word: word, code: code, msg: msg}, due)
			s.mu.Unlock()
			continue
		}
		form := s.statusForm(m, word, code)
		c, err := s.callback(cb, form, m.SID, delay, func() { s.setStatus(m, word, code, msg) })
		if err != nil {
			return // the URL was validated on create; nothing to deliver to
		}
		s.emu.Deliverer.Send(c)
	}
}

// setStatus records a status reported for m.
func (s *Server) setStatus(m *Message, word, code, msg string) {
	s.mu.Lock()
	s.applyLocked(m, word, code, msg, s.emu.Now())
	s.mu.Unlock()
}

// applyLocked moves m to status word at time at (emulator clock), recording when it was
// sent. s.mu must be held.
func (s *Server) applyLocked(m *Message, word, code, msg string, at time.Time) {
	m.Status, m.ErrorCode, m.ErrorMessage = word, code, msg
	if m.Sent.IsZero() && (word == "sent" || word == "delivered" || word == "undelivered") {
		m.Sent = at.UTC().Truncate(time.Second)
	}
}

// failureCode is the error code and message of a failed or undelivered outcome: its own,
// else 30008 (unknown error); the message is the outcome's description, else Twilio's text
// for the code.
func failureCode(o emu.Outcome) (code, msg string) {
	code = o.ErrorCode
	if code == "" {
		code = "30008"
	}
	msg = o.Description
	if msg == "" {
		n, _ := strconv.Atoi(code)
		msg = codeText[n]
	}
	if msg == "" {
		msg = "Error " + code
	}
	return code, msg
}

// statusWord is Twilio's word for a status pushed through PushStatus.
func statusWord(st sms.Status) string {
	switch st {
	case sms.StatusExpired, sms.StatusRejected:
		return "failed"
	}
	return st.String()
}

// Message returns the accepted message with the given SID, with the status last reported
// for it.
func (s *Server) Message(sid string) (Message, bool) { return s.store.Message(sid) }

// PushStatus reports a new status for the accepted message sid now, as Twilio does when
// the carrier answers: it posts the signed status callback to the message's StatusCallback
// (or the account-level one), after the reports already queued for the message, and the
// message takes the status as the report goes out; a message without a callback takes it at
// once, and the statuses still planned for it are dropped. errorCode is for undelivered and
// failed ("30003"; default 30008). Expired and rejected are reported as Twilio's "failed".
// An unknown sid is an error.
func (s *Server) PushStatus(sid string, status sms.Status, errorCode string) error {
	if status == sms.StatusUnknown {
		return fmt.Errorf("twiliotest: PushStatus: no status")
	}
	return s.pushStatus(sid, emu.Outcome{Status: status, ErrorCode: errorCode})
}

func (s *Server) pushStatus(sid string, o emu.Outcome) error {
	word := statusWord(o.Status)
	code, msg := "", ""
	if word == "undelivered" || word == "failed" {
		code, msg = failureCode(o)
	}
	s.mu.Lock()
	m, ok := s.store.GetLocked(sid)
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("twiliotest: message %q: %w", sid, emu.ErrNotFound)
	}
	s.store.DropPlanLocked(m)
	cb := m.StatusCallback
	if cb == "" {
		cb = s.urls.Get(statusKey)
	}
	if cb == "" {
		s.applyLocked(m, word, code, msg, s.emu.Now())
		s.mu.Unlock()
		return nil
	}
	form := s.statusForm(m, word, code)
	s.mu.Unlock()
	c, err := s.callback(cb, form, m.SID, 0, func() { s.setStatus(m, word, code, msg) })
	if err != nil {
		return err
	}
	s.emu.Deliverer.Send(c)
	return nil
}

func (s *Server) statusForm(m *Message, status, code string) url.Values {
	f := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "MessageStatus": {status}, "SmsStatus": {status},
		"AccountSid": {s.opts.AccountSID}, "From": {m.From}, "To": {m.To}, "ApiVersion": {"2010-04-01"},
	}
	if m.MessagingServiceSID != "" {
		f.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	if code != "" {
		f.Set("ErrorCode", code)
	}
	if status == "delivered" || status == "undelivered" {
		f.Set("RawDlrDoneDate", s.emu.Now().UTC().Format("0601021504"))
	}
	return f
}

// StatusCallbackRequest builds the signed status callback Twilio would post to callbackURL
// for message sid, without sending it: for tests that drive a webhook handler directly. It
// panics if callbackURL cannot be parsed, as httptest.NewRequest does.
func (s *Server) StatusCallbackRequest(callbackURL, sid, to, status, errorCode string) *http.Request {
	m := &Message{SID: sid, To: to, From: "+15005550006"}
	return s.mustRequest(callbackURL, s.statusForm(m, status, errorCode))
}

// InboundRequest builds the signed inbound-message webhook Twilio would post to inboundURL.
// It panics if inboundURL cannot be parsed.
func (s *Server) InboundRequest(inboundURL, from, to, body string, mediaURLs ...string) *http.Request {
	return s.mustRequest(inboundURL, s.inboundForm(from, to, body, mediaURLs))
}

func (s *Server) mustRequest(target string, form url.Values) *http.Request {
	req, err := s.request(target, form)
	if err != nil {
		panic("twiliotest: " + err.Error())
	}
	return req
}

func (s *Server) inboundForm(from, to, body string, media []string) url.Values {
	sid := s.ids.Next()
	f := url.Values{
		"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {s.opts.AccountSID},
		"From": {from}, "To": {to}, "Body": {body}, "NumMedia": {strconv.Itoa(len(media))},
		"NumSegments": {strconv.Itoa(max(1, sms.CountSegments(body).Segments))}, "SmsStatus": {"received"},
		"ApiVersion": {"2010-04-01"}, "FromCountry": {"US"}, "ToCountry": {"US"},
	}
	for i, u := range media {
		f.Set("MediaUrl"+strconv.Itoa(i), u)
		f.Set("MediaContentType"+strconv.Itoa(i), "image/jpeg")
	}
	return f
}

// request builds a signed form POST to target (its fragment dropped, as a client sends it),
// ready for a handler's ServeHTTP (RequestURI set).
func (s *Server) request(target string, form url.Values) (*http.Request, error) {
	req, err := emu.NewRequest(http.MethodPost, target, nil, []byte(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("callback %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set(twilio.IdempotencyHeader, s.ids.Next()[2:]+"-"+strconv.FormatInt(s.emu.Now().UnixNano(), 36))
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(s.opts.AuthToken, req.URL.String(), form))
	return req, nil
}

// callback builds the signed delivery of form to target. Connection overrides on the URL
// (#rc=N) set its retries, else Options.CallbackRetries: Twilio retries a failed webhook only
// when asked. first, if not nil, runs before the first attempt.
func (s *Server) callback(target string, form url.Values, key string, delay time.Duration, first func()) (emu.Callback, error) {
	req, err := s.request(target, form)
	if err != nil {
		return emu.Callback{}, err
	}
	retries := s.opts.CallbackRetries
	if u, err := url.Parse(target); err == nil {
		if frag, err := url.ParseQuery(u.Fragment); err == nil && frag.Get("rc") != "" {
			if n, err := strconv.Atoi(frag.Get("rc")); err == nil && n >= 0 {
				retries = n
			}
		}
	}
	return emu.Callback{
		URL: req.URL.String(), Header: req.Header.Clone(), Body: []byte(form.Encode()), Key: key, Delay: delay,
		Prepare: func(_ *http.Request, attempt int) error {
			if attempt > retries+1 {
				return fmt.Errorf("twilio gives up after %d retries", retries)
			}
			if attempt == 1 && first != nil {
				first()
			}
			return nil
		},
	}, nil
}

// Twilio's default opt-out keywords (vendors/twilio.md §8): an inbound message that is
// exactly one of them (case-insensitive) opts the handset out of, or back in to, messages
// from the number it was sent to.
var (
	StopKeywords  = []string{"STOP", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "REVOKE", "OPTOUT", "CANCEL"}
	StartKeywords = []string{"START", "YES", "UNSTOP"}
)

// OptOut records that the handset to opted out of messages from from — a sender number, or a
// Messaging Service SID (MG…) for a block of the whole service — as an inbound STOP does:
// sends from it to to then fail with Twilio's 21610 until OptIn (or an inbound START).
func (s *Server) OptOut(from, to string) { s.emu.OptOuts.Add(from, to) }

// OptIn lifts an opt-out, as an inbound START does, and reports whether there was one.
func (s *Server) OptIn(from, to string) bool { return s.emu.OptOuts.Remove(from, to) }

// OptOuts returns the opt-out list.
func (s *Server) OptOuts() []emulator.OptOut { return s.emu.OptOuts.List() }

// SendInbound posts a signed inbound message to the inbound URL and waits for the answer.
// Like status callbacks, it is retried only as connection overrides on the URL (#rc=N) or
// Options.CallbackRetries ask. An answer outside 2xx, or none, is an error: a
// *emulator.DeliveryError with the status and the first line of the answer; the Delivery
// is returned either way.
func (s *Server) SendInbound(ctx context.Context, from, to, body string, mediaURLs ...string) (emulator.Delivery, error) {
	target := s.urls.Get(inboundKey)
	// Twilio applies its opt-out keywords whatever the webhook answers, and still relays them.
	switch {
	case emu.Keyword(body, StopKeywords) != "":
		s.emu.OptOuts.Add(to, from)
	case emu.Keyword(body, StartKeywords) != "":
		s.emu.OptOuts.Remove(to, from)
	}
	if target == "" {
		return emulator.Delivery{}, fmt.Errorf("twiliotest: no inbound URL configured")
	}
	c, err := s.callback(target, s.inboundForm(from, to, body, mediaURLs), "", 0, nil)
	if err != nil {
		return emulator.Delivery{}, fmt.Errorf("twiliotest: inbound URL: %w", err)
	}
	return s.emu.Deliverer.DeliverChecked(ctx, c)
}

func (s *Server) registerControl() {
	s.urls.Register(s.emu.Control, "webhook")
}
