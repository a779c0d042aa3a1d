package telesigntest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
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
)

// Default credentials: those of the official Node client's captured requests, so that
// client works unchanged.
const (
	DefaultCustomerID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
	DefaultAPIKey     = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
)

// Defaults of Options.
const (
	DefaultRetries       = 3                // retries of a callback not answered 200: 4 attempts
	DefaultRetryUnit     = time.Millisecond // Telesign's second, scaled down
	DefaultDateTolerance = 15 * time.Minute // accepted skew of a signed request's date
)

// Options configures an emulator. The zero value is usable.
type Options struct {
	CustomerID string // default DefaultCustomerID
	APIKey     string // base64 text; default DefaultAPIKey
	// CallbackURL is the account's Transaction Callback Service URL: delivery reports of
	// sends without their own callback_url go there, and inbound messages when InboundURL
	// is empty. Empty: such reports are not posted (the status query still answers).
	CallbackURL string
	// InboundURL receives inbound mo_sms messages; empty means CallbackURL.
	InboundURL string
	// Retries is how many times a callback not answered exactly 200 is retried; default
	// DefaultRetries, negative means none.
	Retries int
	// RetryUnit scales Telesign's waits of 5, 10 and 15 seconds before retries 1, 2, 3:
	// the wait before retry n is RetryUnit·5·n. Default DefaultRetryUnit. These are real waits.
	RetryUnit time.Duration
	// DateTolerance bounds how far a TSA-signed request's Date (or x-ts-date) may be from
	// the emulator clock; default DefaultDateTolerance.
	DateTolerance time.Duration
	// Clock stamps messages and reports, judges date freshness and waits out outcome
	// delays (an emulator.ManualClock set to a captured request's Date lets that request's
	// signature verify). Nil means the wall clock.
	Clock sms.Clock
	// CallbackClient makes the callback deliveries; nil means a client with a 30 s timeout
	// that does not follow redirects.
	CallbackClient *http.Client
}

// Message is a send the emulator took, accepted or refused.
type Message struct {
	ReferenceID string    `json:"reference_id"`
	PhoneNumber string    `json:"phone_number"` // digits, as sent
	Text        string    `json:"message"`
	MessageType string    `json:"message_type"` // ARN, OTP or MKT
	SenderID    string    `json:"sender_id,omitempty"`
	CallbackURL string    `json:"callback_url,omitempty"` // the request's, else Options.CallbackURL
	ExternalID  *string   `json:"external_id"`
	Parts       int       `json:"message_parts_count"`
	Accepted    bool      `json:"accepted"` // false: refused with an HTTP 4xx
	HTTPStatus  int       `json:"http_status"`
	Status      Status    `json:"status"` // the status last reported (or the refusal)
	SubmittedAt time.Time `json:"submitted_at"`
}

// Fault is a failure armed for the next API request(s).
type Fault struct {
	Status     int           // HTTP status, with Telesign's error body (429: 10019, 5xx: 10000)
	RetryAfter time.Duration // sent as Retry-After (Telesign does not document one)
	// Reset takes the request (accepting the message), then resets the connection.
	Reset bool
	// ResetBeforeProcessing resets the connection without taking the request.
	ResetBeforeProcessing bool
	Delay                 time.Duration // hold the request first (on the emulator clock)
	Times                 int           // how many requests; 0 = 1
	Path                  string        // path prefix the fault applies to; default "/v1/"
}

// Server is a Telesign SMS API emulator in the style of net/http/httptest. See the package doc.
type Server struct {
	// URL is the base URL to give the client, e.g. http://127.0.0.1:43121.
	URL string

	emu  *emu.Server
	opts Options
	ids  emu.IDGen

	mu      sync.Mutex
	store   *emu.Store[Message, Status] // steps: the statuses planned without a callback URL
	nonces  map[string]time.Time
	global  map[string]bool // Telesign's global blocklist (10032)
	hardCap int             // accepted sends before 10020; 0 = none
	urls    *emu.URLs       // callbackKey, inboundKey
}

// Keys of Server.urls, as the control API names them.
const (
	callbackKey = "callback_url"
	inboundKey  = "inbound_url"
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
	s := &Server{nonces: map[string]time.Time{}, global: map[string]bool{},
		ids: emu.IDGen{Digits: 32, Upper: true}}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.CustomerID == "" {
		s.opts.CustomerID = DefaultCustomerID
	}
	if s.opts.APIKey == "" {
		s.opts.APIKey = DefaultAPIKey
	}
	s.opts.Retries = emu.Retries(s.opts.Retries, DefaultRetries)
	if s.opts.RetryUnit <= 0 {
		s.opts.RetryUnit = DefaultRetryUnit
	}
	if s.opts.DateTolerance <= 0 {
		s.opts.DateTolerance = DefaultDateTolerance
	}
	s.urls = emu.NewURLs(map[string]string{callbackKey: s.opts.CallbackURL, inboundKey: s.opts.InboundURL}, callbackKey, inboundKey)
	unit := s.opts.RetryUnit
	s.emu = emu.NewServer(&emu.Options{Clock: s.opts.Clock, Delivery: &emu.DelivererOptions{
		HTTPClient: s.opts.CallbackClient,
		MaxRetries: s.opts.Retries,
		MinWait:    RetryWait(unit, 1),
		MaxWait:    RetryWait(unit, s.opts.Retries+1),
		Backoff: func(_, _ time.Duration, attemptNum int, _ *http.Response) time.Duration {
			return RetryWait(unit, attemptNum+1)
		},
		Policy:     RetryPolicy,
		Sequential: true,
	},
		FaultBody: func(status int) ([]byte, string) {
			return s.errorBody(faultCode(status), nil, ""), "application/json"
		},
		Messages: func() any { return s.Messages() },
		Inbound: func(ctx context.Context, in emu.Inbound) (any, error) {
			return s.SendInbound(ctx, in.From, in.To, in.Body)
		},
		Status: emu.PushThenGet(s.pushStatus, s.Message),
	})
	s.store = emu.NewStore(&s.mu, s.emu.Now, func(m *Message, st Status, _ time.Time) { m.Status = st })
	s.emu.OnReset(func() {
		s.mu.Lock()
		s.store.ResetLocked()
		s.nonces, s.global, s.hardCap = map[string]time.Time{}, map[string]bool{}, 0
		s.mu.Unlock()
	})
	s.registerControl()
	return s
}

// faultCode is the Telesign code of an armed fault's HTTP status.
func faultCode(status int) int {
	switch status {
	case http.StatusTooManyRequests:
		return CodeRateLimit
	case http.StatusUnauthorized:
		return CodeInvalidSignature
	case http.StatusPaymentRequired:
		return CodeInsufficientFunds
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusBadRequest:
		return CodeInvalidParameter
	}
	return CodeSystemUnavailable
}

// RetryWait is the wait before callback retry n (from 1): unit·5·n, Telesign's 5, 10 and
// 15 seconds with unit in place of the second.
func RetryWait(unit time.Duration, n int) time.Duration { return unit * 5 * time.Duration(n) }

// RetryPolicy is how the emulator judges a callback answer: exactly 200 acknowledges
// ("for every non HTTP 200 status response returned, Telesign will do a retry"); anything
// else, or no answer, is retried.
func RetryPolicy(status int, err error) emulator.Verdict {
	if err == nil && status == http.StatusOK {
		return emulator.Success
	}
	return emulator.Retry
}

// Handler returns the emulator's HTTP handler: the Telesign API plus the control API under
// /_emulator/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messaging", s.send)
	mux.HandleFunc("GET /v1/messaging/{reference_id}", s.status)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, CodeNotFound, nil, "")
	})
	return s.emu.Handler(mux)
}

// Close stops the server and pending callbacks.
func (s *Server) Close() { _ = s.emu.Close() }

// CustomerID returns the customer id the emulator accepts.
func (s *Server) CustomerID() string { return s.opts.CustomerID }

// APIKey returns the API key the emulator accepts (and signs its callbacks with).
func (s *Server) APIKey() string { return s.opts.APIKey }

// SetCallbackURL sets the account's Transaction Callback Service URL.
func (s *Server) SetCallbackURL(u string) { s.urls.Set(callbackKey, u) }

// SetInboundURL sets where inbound messages are posted ("" means the callback URL).
func (s *Server) SetInboundURL(u string) { s.urls.Set(inboundKey, u) }

// Requests returns how many Telesign API requests the emulator received (control requests
// excluded).
func (s *Server) Requests() int { return s.emu.Recorder.Len() }

// RecordedRequests returns the Telesign API requests received, oldest first.
func (s *Server) RecordedRequests() []emulator.Request { return s.emu.Requests() }

// Messages returns every send taken, oldest first, refused ones included (Accepted false).
func (s *Server) Messages() []Message { return s.store.Messages() }

// Accepted returns how many sends the emulator accepted.
func (s *Server) Accepted() int { return s.store.Accepted() }

// Message returns the accepted message with the given reference_id.
func (s *Server) Message(referenceID string) (Message, bool) { return s.store.Message(referenceID) }

// Arm arms a fault for the next API request(s).
func (s *Server) Arm(f Fault) {
	s.emu.Arm(emu.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset,
		ResetBeforeProcessing: f.ResetBeforeProcessing, Delay: f.Delay, Times: f.Times, Path: f.Path}.OrPath("/v1/"))
}

// SetHardCap makes every send after the next n accepted ones fail with 429 and code
// 10020, the account's messaging hard cap; 0 lifts it.
func (s *Server) SetHardCap(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		s.hardCap = 0
		return
	}
	s.hardCap = s.store.AcceptedLocked() + n
}

// SetOutcome chooses the final status reported for messages to to: sms.StatusDelivered
// (default, 200), StatusUndelivered, StatusFailed, StatusExpired, StatusRejected, StatusSent
// or StatusUnknown (see CodeFor), or a Telesign status code such as "511" in code ("" for
// the status's). StatusAccepted or StatusQueued leave the message in progress, with no
// final report.
func (s *Server) SetOutcome(to string, status sms.Status, code string) {
	s.emu.SetOutcome(digits(to), emu.Outcome{Status: status, ErrorCode: code})
}

// SetOutcomeDelay is SetOutcome with the final report sent delay after acceptance, on the
// emulator clock.
func (s *Server) SetOutcomeDelay(to string, status sms.Status, code string, delay time.Duration) {
	s.emu.SetOutcome(digits(to), emu.Outcome{Status: status, ErrorCode: code, Delay: delay})
}

// anySender is the opt-out list's sender of an account-wide entry (the customer's block
// list).
const anySender = "*"

// Block puts to on the customer's block list: sends to it are refused with HTTP 400 and
// code 10031 until Unblock.
func (s *Server) Block(to string) { s.emu.OptOuts.Add(anySender, digits(to)) }

// Unblock lifts Block (or an inbound STOP) and reports whether to was blocked.
func (s *Server) Unblock(to string) bool { return s.emu.OptOuts.Remove(anySender, digits(to)) }

// BlockGlobally puts to on Telesign's global blocklist: sends to it are refused with HTTP
// 400 and code 10032 (not a consent signal) until Reset.
func (s *Server) BlockGlobally(to string) {
	s.mu.Lock()
	s.global[digits(to)] = true
	s.mu.Unlock()
}

// OptOuts returns the customer's block list (From "*"): numbers blocked with Block or by
// an inbound STOP.
func (s *Server) OptOuts() []emulator.OptOut { return s.emu.OptOuts.List() }

// WaitCallbacks waits until every queued callback was delivered (or gave up). It returns a
// *emulator.DeliveryError naming every one that did not succeed and that no earlier
// WaitCallbacks or SendInbound reported; nil when all succeeded.
func (s *Server) WaitCallbacks(ctx context.Context) error {
	return s.emu.Deliverer.WaitChecked(ctx)
}

// Deliveries returns every callback delivery and its attempts.
func (s *Server) Deliveries() []emulator.Delivery { return s.emu.Deliverer.Deliveries() }

// Reset forgets messages, requests, nonces, faults, outcomes, block lists, the hard cap
// and finished deliveries.
func (s *Server) Reset() { s.emu.Reset() }

// errorBody is Telesign's error envelope for code.
func (s *Server) errorBody(code int, externalID *string, signatureString string) []byte {
	out := map[string]any{
		"reference_id": s.ids.Next(),
		"status":       Status{Code: code, Description: Description(code), UpdatedOn: FormatTime(s.emu.Now())},
		"external_id":  externalID,
	}
	if signatureString != "" {
		out["signature_string"] = signatureString
	}
	b, _ := json.Marshal(out)
	return b
}

func (s *Server) writeError(w http.ResponseWriter, httpStatus, code int, externalID *string, signatureString string) {
	writeJSON(w, httpStatus, json.RawMessage(s.errorBody(code, externalID, signatureString)))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// authenticate checks a request's authentication and nonce; it answers 401 and returns
// false on failure.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, body []byte) bool {
	nonce, fail := s.checkAuth(r, body)
	if fail == nil && nonce != "" {
		s.mu.Lock()
		now := s.emu.Now()
		for n, at := range s.nonces { // forget nonces whose requests can no longer be fresh
			if now.Sub(at) > 2*s.opts.DateTolerance {
				delete(s.nonces, n)
			}
		}
		if _, used := s.nonces[nonce]; used {
			fail = &authError{code: CodeNonceReused}
		} else {
			s.nonces[nonce] = now
		}
		s.mu.Unlock()
	}
	if fail == nil {
		return true
	}
	s.writeError(w, http.StatusUnauthorized, fail.code, nil, fail.signatureWant)
	return false
}

// Limits of a send (vendors/telesign.md §2.1).
const (
	maxMessageChars = 1600
	maxSenderID     = 20
	minPhoneDigits  = 7
	maxPhoneDigits  = 15
)

// sendForm is a parsed POST /v1/messaging body.
type sendForm struct {
	phone, message, messageType, senderID, callbackURL string
	externalID                                         *string
}

// parseSend parses and validates a send body. It returns the form, or the HTTP status and
// Telesign code that refuse it.
func parseSend(body []byte) (sendForm, int) {
	var f sendForm
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return f, CodeInvalidParameter
	}
	if v, ok := q["external_id"]; ok {
		f.externalID = &v[0]
	}
	f.phone, f.message, f.messageType = q.Get("phone_number"), q.Get("message"), q.Get("message_type")
	f.senderID, f.callbackURL = q.Get("sender_id"), q.Get("callback_url")
	switch {
	case f.phone == "":
		return f, CodeMissingPhone
	case f.message == "":
		return f, CodeMissingMessage
	case f.messageType == "":
		return f, CodeMissingMessageType
	case strings.Trim(f.phone, "0123456789") != "" || len(f.phone) < minPhoneDigits || len(f.phone) > maxPhoneDigits:
		return f, CodeInvalidPhone
	case f.phone[0] == '0':
		return f, CodeInvalidCountry
	case !utf8.ValidString(f.message) || utf8.RuneCountInString(f.message) > maxMessageChars:
		return f, CodeInvalidMessage
	case f.messageType != "ARN" && f.messageType != "OTP" && f.messageType != "MKT":
		return f, CodeInvalidMessageType
	case f.senderID != "" && !validSenderID(f.senderID):
		return f, CodeInvalidSenderID
	case f.callbackURL != "" && !webhookURL(f.callbackURL):
		return f, CodeInvalidCallbackURL
	}
	if v := q.Get("account_lifecycle_event"); v != "" {
		switch v {
		case "create", "sign-in", "transact", "update", "delete":
		default:
			return f, CodeInvalidLifecycle
		}
	}
	if v := q.Get("originating_ip"); v != "" && net.ParseIP(v) == nil {
		return f, CodeInvalidOrigIP
	}
	return f, 0
}

func validSenderID(s string) bool {
	if len(s) > maxSenderID {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == ' ') {
			return false
		}
	}
	return true
}

func webhookURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// digits returns a phone number as Telesign writes it: digits only.
func digits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// send serves POST /v1/messaging.
func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, CodeInvalidParameter, nil, "")
		return
	}
	if !s.authenticate(w, r, body) {
		return
	}
	f, code := parseSend(body)
	now := s.emu.Now()
	m := &Message{ReferenceID: s.ids.Next(), PhoneNumber: f.phone, Text: f.message, MessageType: f.messageType,
		SenderID: f.senderID, CallbackURL: f.callbackURL, ExternalID: f.externalID,
		Parts: max(1, sms.CountSegments(f.message).Segments), SubmittedAt: now}
	s.mu.Lock()
	if m.CallbackURL == "" {
		m.CallbackURL = s.urls.Get(callbackKey)
	}
	httpStatus := http.StatusBadRequest
	switch {
	case code != 0:
	case s.global[f.phone]:
		code = CodeBlockedGlobally
	case s.emu.OptOuts.Has(anySender, f.phone) || f.senderID != "" && s.emu.OptOuts.Has(f.senderID, f.phone):
		code = CodeBlockedByCustomer
	case s.hardCap > 0 && s.store.AcceptedLocked() >= s.hardCap:
		code, httpStatus = CodeHardCap, http.StatusTooManyRequests
	}
	if code != 0 {
		m.HTTPStatus, m.Status = httpStatus, Status{code, Description(code), FormatTime(now)}
		s.store.AddLocked(m, "", false)
		s.mu.Unlock()
		s.writeError(w, httpStatus, code, f.externalID, "")
		return
	}
	m.Accepted, m.HTTPStatus = true, http.StatusOK
	m.Status = Status{CodeInProgress, "Message in progress", FormatTime(now)}
	s.store.AddLocked(m, m.ReferenceID, true)
	out := s.answerLocked(m) // 290: the answer precedes every report
	s.planLocked(m)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// answer is the send and status-query response body.
type answer struct {
	ReferenceID    string         `json:"reference_id"`
	ExternalID     *string        `json:"external_id"`
	Status         Status         `json:"status"`
	AdditionalInfo map[string]any `json:"additional_info"`
}

func (s *Server) answerLocked(m *Message) answer {
	return answer{ReferenceID: m.ReferenceID, ExternalID: m.ExternalID, Status: m.Status,
		AdditionalInfo: map[string]any{"message_parts_count": m.Parts}}
}

// status serves GET /v1/messaging/{reference_id}.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !s.authenticate(w, r, body) {
		return
	}
	s.mu.Lock()
	m, ok := s.store.GetLocked(r.PathValue("reference_id"))
	var out answer
	if ok {
		s.store.AdvanceLocked(m)
		out = s.answerLocked(m)
	}
	s.mu.Unlock()
	if !ok {
		s.writeError(w, http.StatusNotFound, CodeNotFound, nil, "")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// planLocked queues the reports of an accepted message: 203 "Delivered to gateway" at
// once, then the outcome's final status after its delay; each POST takes its status onto
// the message as it goes out. Without a callback URL the statuses apply when due.
func (s *Server) planLocked(m *Message) {
	o := s.emu.Outcome(m.PhoneNumber)
	if o.Status == sms.StatusAccepted || o.Status == sms.StatusQueued {
		if o.Status == sms.StatusQueued {
			s.scheduleLocked(m, CodeQueued, "", 0)
		}
		return
	}
	s.scheduleLocked(m, CodeDeliveredToGateway, "", 0)
	s.scheduleLocked(m, outcomeCode(o), o.Description, o.Delay)
}

// outcomeCode is the Telesign code of an outcome: its ErrorCode when numeric, else CodeFor.
func outcomeCode(o emu.Outcome) int {
	if n, err := strconv.Atoi(o.ErrorCode); err == nil && n > 0 {
		return n
	}
	return CodeFor(o.Status)
}

// scheduleLocked reports code for m after delay: a signed POST to its callback URL (the
// message takes the status as the first attempt goes out), or, without one, the status
// applies when due.
func (s *Server) scheduleLocked(m *Message, code int, description string, delay time.Duration) {
	if description == "" {
		description = Description(code)
	}
	at := s.emu.Now().Add(delay)
	st := Status{code, description, FormatTime(at)}
	if m.CallbackURL == "" {
		s.store.PlanLocked(m, st, at)
		s.store.AdvanceLocked(m)
		return
	}
	rep := s.reportLocked(m)
	rep.Status = st
	body := rep.Body()
	s.emu.Deliverer.Send(emu.Callback{
		URL: m.CallbackURL, Key: m.ReferenceID, Delay: delay, Header: s.callbackHeader(body), Body: body,
		Prepare: func(_ *http.Request, attempt int) error {
			if attempt == 1 {
				s.mu.Lock()
				m.Status = st
				s.mu.Unlock()
			}
			return nil
		},
	})
}

// reportLocked is the delivery report of m's current status.
func (s *Server) reportLocked(m *Message) Report {
	info := map[string]any{"message_parts_count": m.Parts,
		"price": strconv.FormatFloat(0.01*float64(m.Parts), 'f', 2, 64), "currency": "USD"}
	if m.SenderID != "" {
		info["sender_id"] = m.SenderID
	}
	return Report{ReferenceID: m.ReferenceID, Status: m.Status, SubmitTimestamp: FormatTime(m.SubmittedAt),
		ExternalID: m.ExternalID, AdditionalInfo: info}
}

// PushStatus reports a new status for the accepted message referenceID now, as Telesign
// does when the carrier answers: sms.Status through CodeFor, or code when it names a
// Telesign status code ("" for the status's). An unknown id is an error.
func (s *Server) PushStatus(referenceID string, status sms.Status, code string) error {
	if status == sms.StatusUnknown && code == "" {
		return fmt.Errorf("telesigntest: PushStatus: no status")
	}
	return s.pushStatus(referenceID, emu.Outcome{Status: status, ErrorCode: code})
}

func (s *Server) pushStatus(id string, o emu.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.store.GetLocked(id)
	if !ok {
		return fmt.Errorf("telesigntest: message %q: %w", id, emu.ErrNotFound)
	}
	s.store.DropPlanLocked(m)
	s.scheduleLocked(m, outcomeCode(o), o.Description, 0)
	return nil
}

// NewReport returns the delivery report Telesign would send for referenceID with a portable
// status (or the Telesign status code in code, when set), externalID echoed ("" for null),
// timestamps from the emulator clock.
func (s *Server) NewReport(referenceID, externalID string, status sms.Status, code string) Report {
	c := outcomeCode(emu.Outcome{Status: status, ErrorCode: code})
	now := FormatTime(s.emu.Now())
	var ext *string
	if externalID != "" {
		ext = &externalID
	}
	return Report{ReferenceID: referenceID, Status: Status{c, Description(c), now}, SubmitTimestamp: now,
		ExternalID: ext, AdditionalInfo: map[string]any{"message_parts_count": 1, "price": "0.01", "currency": "USD"}}
}

// DeliveryReportRequest builds the signed delivery-report POST Telesign would make to
// target, without sending it: for tests that drive a callback handler directly. It panics
// if target is not an absolute URL.
func (s *Server) DeliveryReportRequest(target string, r Report) *http.Request {
	return s.signedRequest(target, r.Body())
}

// NewInbound returns the mo_sms callback Telesign would send for a message from the
// handset from to the account's number to, with Telesign's keyword action.
func (s *Server) NewInbound(from, to, text string) Inbound {
	action, keyword := Action(text)
	now := FormatTime(s.emu.Now())
	return Inbound{
		ReferenceID: s.ids.Next(),
		Status:      Status{CodeInbound, Description(CodeInbound), now},
		UserResponse: UserResponse{SenderID: digits(to), ISOCountryCode: isoCountry(digits(from)), Action: action,
			Keyword: keyword, PhoneNumber: digits(from), MOMessage: text},
		SubResource: "mo_sms", Errors: map[string]any{}, SubmitTimestamp: now,
	}
}

// InboundRequest builds the signed inbound POST Telesign would make to target for a
// message from the handset from to the account's number to. It panics if target is not an
// absolute URL.
func (s *Server) InboundRequest(target, from, to, text string) *http.Request {
	return s.signedRequest(target, s.NewInbound(from, to, text).Body())
}

func (s *Server) signedRequest(target string, body []byte) *http.Request {
	req, err := emu.NewRequest(http.MethodPost, target, s.callbackHeader(body), body)
	if err != nil {
		panic("telesigntest: " + err.Error())
	}
	return req
}

// SendInbound posts an inbound mo_sms message from the handset from to the account's
// number to, to the inbound URL (else the callback URL), signed, and waits for the answer.
// Telesign's stop keywords first put from on the customer's block list, start lifts it.
// With no URL configured nothing is posted and the Delivery is empty. An answer other than
// 200 after the retries, or none, is a *emulator.DeliveryError; the Delivery is returned
// either way.
func (s *Server) SendInbound(ctx context.Context, from, to, text string) (emulator.Delivery, error) {
	in := s.NewInbound(from, to, text)
	switch in.UserResponse.Action {
	case "stop":
		s.emu.OptOuts.Add(anySender, digits(from))
	case "start":
		s.emu.OptOuts.Remove(anySender, digits(from))
	}
	target := s.urls.Get(inboundKey)
	if target == "" {
		target = s.urls.Get(callbackKey)
	}
	if target == "" {
		return emulator.Delivery{}, nil
	}
	body := in.Body()
	if _, err := emu.NewRequest(http.MethodPost, target, nil, body); err != nil {
		return emulator.Delivery{}, fmt.Errorf("telesigntest: inbound URL: %w", err)
	}
	return s.emu.Deliverer.DeliverChecked(ctx, emu.Callback{URL: target, Header: s.callbackHeader(body), Body: body})
}

func (s *Server) registerControl() {
	c := s.emu.Control
	s.urls.Register(c, "callback")
	c.Route("POST /blocklist", `{"to","global"}: block a number (10031, or 10032 with global)`, func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			To     string `json:"to"`
			Global bool   `json:"global"`
		}
		if !emu.ReadJSON(w, r, &in) {
			return
		}
		if digits(in.To) == "" {
			emu.WriteError(w, http.StatusBadRequest, "to is required")
			return
		}
		if in.Global {
			s.BlockGlobally(in.To)
		} else {
			s.Block(in.To)
		}
		emu.WriteJSON(w, http.StatusOK, s.OptOuts())
	})
	c.Route("POST /hardcap", `{"n"}: refuse sends with 10020 after n more accepted ones (0 lifts it)`, func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			N int `json:"n"`
		}
		if !emu.ReadJSON(w, r, &in) {
			return
		}
		s.SetHardCap(in.N)
		w.WriteHeader(http.StatusNoContent)
	})
}
