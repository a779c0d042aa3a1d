package vibestest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu"
)

// Default credentials and codes of the emulator.
const (
	DefaultUsername  = "vibes-user"
	DefaultPassword  = "vibes-password"
	DefaultShortCode = "98765"        // the short code of Vibes' send sample
	DefaultLongCode  = "+18475550100" // a long code (type LC)
	DefaultTollFree  = "+18885550100" // a toll-free number (type TF)
)

// Defaults of Options.
const (
	DefaultRetries   = 5                    // Vibes retries a callback not answered 2xx up to 5 times
	DefaultRetryWait = 5 * time.Millisecond // Vibes' 5 minutes between retries, scaled down
)

// APIPath is the send endpoint; GET APIPath/{id} and APIPath/{id}/responses read a
// message and its receipts back.
const APIPath = "/MessageApi/mt/messages"

// Code is a code provisioned on the account: its address as a send's source@address writes
// it (a short code, or a long or toll-free number in E.164 or 10/11 digits) and its type.
type Code struct {
	Address string `json:"address"`
	Type    string `json:"type"` // SC, LC or TF
}

// Options configures an emulator. The zero value is usable.
type Options struct {
	Username string // Basic user; default DefaultUsername
	Password string // Basic password; default DefaultPassword
	// Codes are the codes a send may come from; nil means DefaultShortCode (SC),
	// DefaultLongCode (LC) and DefaultTollFree (TF). A send from another code, or with
	// another type, is refused with internal error 8.
	Codes []Code
	// InboundURL is the account-wide URL inbound (MO) messages are posted to, as Vibes'
	// account manager configures it; "" means they are not posted.
	InboundURL string
	// InboundUsername and InboundPassword, if set, are sent as Basic auth on inbound posts
	// (the only Vibes callback an older page says supports it). Receipts never carry Basic
	// auth: protect them with a secret token in the callbackUrl.
	InboundUsername, InboundPassword string
	// LegacyInbound posts inbound messages in the older <deliver> shape.
	LegacyInbound bool
	// CallbackURL is where the receipts of a message whose receiptOption has no callbackUrl
	// go (the emulator's stand-in for an account setting); "" means nowhere.
	CallbackURL string
	// BlockOnStop makes an inbound STOP (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) put
	// the handset on the block list of the code it was sent to, so that later sends from it
	// are refused with internal error 9; START or UNSTOP lifts it. Off by default: Vibes does
	// not document automatic blocking.
	BlockOnStop bool
	// Retries is how many times a callback not answered 2xx is retried; default
	// DefaultRetries, negative means none.
	Retries int
	// RetryWait is the wait before each retry, on Clock; default DefaultRetryWait. With an
	// emulator.ManualClock a retry goes out when the test advances the clock by RetryWait.
	RetryWait time.Duration
	// CallbackTimeout bounds each callback attempt; 0 means 30 s (Vibes' old wiki says 2 s:
	// set it to test a slow receiver).
	CallbackTimeout time.Duration
	// Location is Vibes' local time in receipt and inbound dates; nil means US Central
	// standard time (UTC-6, no daylight saving), as in Vibes' samples.
	Location *time.Location
	// Clock stamps messages, receipts and inbound messages, waits out outcome delays and
	// callback retry waits; nil means the wall clock.
	Clock sms.Clock
	// CallbackClient makes the callback posts; nil means the toolkit's default.
	CallbackClient *http.Client
	// Seed, if not zero, makes the generated message ids a deterministic sequence.
	Seed uint64
}

// Message is a send the emulator took, accepted or refused.
type Message struct {
	MessageID          string    `json:"messageId,omitempty"` // "" when refused
	PartIDs            []string  `json:"partIds,omitempty"`   // the messageId of each part, part 1 first (MessageID)
	SubmitterMessageID string    `json:"submitterMessageId,omitempty"`
	Source             Address   `json:"source"`
	Destination        Address   `json:"destination"` // address in E.164 once accepted; carrier as answered
	Text               string    `json:"text"`
	SplitLongMessage   bool      `json:"splitLongMessage"`
	Parts              int       `json:"noOfParts"`
	ReceiptOption      string    `json:"receiptOption,omitempty"`
	CallbackURL        string    `json:"-"` // the receipts' target (JSON shows it redacted)
	TransactionID      string    `json:"transactionId,omitempty"`
	Accepted           bool      `json:"accepted"`
	InternalErrorCode  int       `json:"internalErrorCode,omitempty"` // the refusal's
	Description        string    `json:"description,omitempty"`       // the refusal's
	SubmittedAt        time.Time `json:"submitted_at"`
	Stage              string    `json:"stage,omitempty"` // the type of the latest receipt
	IsError            bool      `json:"isError"`         // whether the latest receipt is an error
	Responses          []Report  `json:"responses"`       // the receipts issued so far, every part
}

// MarshalJSON encodes the message with its callback URL redacted.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message
	return json.Marshal(struct {
		plain
		CallbackURL string   `json:"callbackUrl,omitempty"`
		Responses   []Report `json:"responses"`
	}{plain(m), emulator.RedactURL(m.CallbackURL), emu.NonNil(m.Responses)})
}

// step is one receipt planned for a message.
type step struct{ rep Report }

// Fault is a failure armed for the next API request(s).
type Fault struct {
	Status     int           // HTTP status, with Vibes' error body
	RetryAfter time.Duration // sent as Retry-After (Vibes documents none)
	// InternalErrorCode, with Status 0, answers HTTP 200 with the error body carrying this
	// Vibes internal code, without taking the message: a refusal on demand.
	InternalErrorCode int
	// Reset takes the request (accepting the message), then resets the connection.
	Reset bool
	// ResetBeforeProcessing resets the connection without taking the request.
	ResetBeforeProcessing bool
	Delay                 time.Duration // hold the request first (on the emulator clock)
	Times                 int           // how many requests; 0 = 1, negative = until cleared
	Path                  string        // path prefix; default APIPath
	Method                string        // "" any; InternalErrorCode faults default to POST
}

// Server is a Vibes Connect HTTP Message API emulator in the style of
// net/http/httptest. See the package doc.
type Server struct {
	// URL is the base URL to give the client (it appends /MessageApi/mt/messages).
	URL string

	emu    *emu.Server
	opts   Options
	ids    emu.IDGen
	urls   *emu.URLs
	client *http.Client // ours to close, when Options gave none
	ctx    context.Context
	cancel context.CancelFunc

	mu    sync.Mutex
	store *emu.Store[Message, step]
	parts map[string]partRef // part messageId (parts 2…n) → its message
	codes map[string]Code    // by codeKey
}

type partRef struct {
	msg  *Message
	part int // from 1
}

// Keys of Server.urls, as the control API names them.
const (
	inboundKey  = "inbound_url"
	callbackKey = "callback_url"
)

// Keywords of inbound messages that block (with Options.BlockOnStop) or unblock a handset.
var (
	StopKeywords  = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
	StartKeywords = []string{"START", "UNSTOP"}
)

// anySender is the block list's sender of an account-wide entry.
const anySender = "*"

// NewServer starts an emulator on a loopback port. Close it when done.
func NewServer(opts *Options) *Server {
	s := New(opts)
	s.URL = s.emu.Serve(s.Handler())
	return s
}

// New returns an emulator that is not listening; serve Handler yourself (cmd/smsemu does)
// and set URL.
func New(opts *Options) *Server {
	s := &Server{parts: map[string]partRef{}, codes: map[string]Code{}}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	o.Username = or(o.Username, DefaultUsername)
	o.Password = or(o.Password, DefaultPassword)
	if o.Codes == nil {
		o.Codes = []Code{{DefaultShortCode, TypeShortCode}, {DefaultLongCode, TypeLongCode}, {DefaultTollFree, TypeTollFree}}
	}
	for _, c := range o.Codes {
		s.codes[codeKey(c.Address)] = Code{Address: strings.TrimSpace(c.Address), Type: strings.ToUpper(strings.TrimSpace(c.Type))}
	}
	o.Retries = emu.Retries(o.Retries, DefaultRetries)
	if o.RetryWait <= 0 {
		o.RetryWait = DefaultRetryWait
	}
	if o.CallbackTimeout <= 0 {
		o.CallbackTimeout = 30 * time.Second
	}
	if o.Location == nil {
		o.Location = time.FixedZone("CST", -6*3600)
	}
	if o.Clock == nil {
		o.Clock = sms.RealClock{}
	}
	s.ids.Seed = o.Seed
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.urls = emu.NewURLs(map[string]string{inboundKey: o.InboundURL, callbackKey: o.CallbackURL}, inboundKey, callbackKey)

	client := o.CallbackClient
	if client == nil {
		client = emu.NewCallbackClient(o.CallbackTimeout)
		s.client = client
	}
	c := *client
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = attemptTransport{base}

	wait, clock := o.RetryWait, o.Clock
	s.emu = emu.NewServer(&emu.Options{Clock: o.Clock, Delivery: &emu.DelivererOptions{
		HTTPClient: &c,
		MaxRetries: o.Retries,
		MinWait:    wait,
		MaxWait:    wait,
		// Vibes retries every 5 minutes: the wait is taken on the emulator clock, so that
		// a test with a ManualClock decides when a retry goes out.
		Backoff: func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
			if clock.Sleep(s.ctx, wait) != nil {
				return time.Hour // closing: the deliverer's own context ends this wait
			}
			return 0
		},
		Policy:     RetryPolicy,
		Sequential: true,
	},
		FaultBody: func(status int) ([]byte, string) {
			return errorBody("", http.StatusText(status), 0), contentTypeXML
		},
		Messages: func() any { return s.Messages() },
		Inbound: func(ctx context.Context, in emu.Inbound) (any, error) {
			return s.SendInbound(ctx, in.From, in.To, in.Body)
		},
		Status: emu.PushThenGet(s.pushStatus, s.Message),
	})
	s.store = emu.NewStore(&s.mu, s.emu.Now, func(m *Message, st step, _ time.Time) {
		m.Responses = append(m.Responses, st.rep)
		m.Stage, m.IsError = st.rep.Type, st.rep.Status.IsError
	})
	s.emu.OnReset(func() {
		s.mu.Lock()
		s.store.ResetLocked()
		s.parts = map[string]partRef{}
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

// contentTypeXML is the Content-Type of the emulator's answers and callbacks.
const contentTypeXML = "application/xml; charset=UTF-8"

// attemptHeader carries an inbound post's attempt number from Callback.Prepare to
// attemptTransport, which writes it into attemptNumber and drops the header: the toolkit
// resends the same body on every attempt.
const attemptHeader = "Vibestest-Attempt"

type attemptTransport struct{ base http.RoundTripper }

// RoundTrip rewrites attemptNumber="1" of an inbound post to its attempt number.
func (t attemptTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := r.Header.Get(attemptHeader)
	if n == "" {
		return t.base.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	r2.Header.Del(attemptHeader)
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = bytes.Replace(body, []byte(`attemptNumber="1"`), []byte(`attemptNumber="`+n+`"`), 1)
		r2.Body, r2.ContentLength, r2.GetBody = io.NopCloser(bytes.NewReader(body)), int64(len(body)), nil
	}
	return t.base.RoundTrip(r2)
}

// RetryPolicy is how the emulator judges a callback's answer: any 2xx acknowledges;
// anything else, or no answer, is retried (vendors/vibes.md §5a, §6).
func RetryPolicy(status int, err error) emulator.Verdict {
	if err == nil && status >= 200 && status <= 299 {
		return emulator.Success
	}
	return emulator.Retry
}

// Handler returns the emulator's HTTP handler: Vibes' API plus the control API under /_emulator/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+APIPath, s.send)
	mux.HandleFunc("GET "+APIPath+"/{id}", s.getMessage)
	mux.HandleFunc("GET "+APIPath+"/{id}/responses", s.getResponses)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !s.authenticate(w, r) {
			return
		}
		writeXML(w, http.StatusNotFound, errorBody("", "Not found", 0))
	})
	return s.emu.Handler(mux)
}

// Close stops the server and pending callbacks.
func (s *Server) Close() {
	s.cancel()
	_ = s.emu.Close()
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
}

// Username returns the Basic user the emulator accepts.
func (s *Server) Username() string { return s.opts.Username }

// Password returns the Basic password the emulator accepts.
func (s *Server) Password() string { return s.opts.Password }

// SetInboundURL sets where inbound messages are posted ("" for nowhere).
func (s *Server) SetInboundURL(u string) { s.urls.Set(inboundKey, u) }

// SetCallbackURL sets where the receipts of messages without a callbackUrl go.
func (s *Server) SetCallbackURL(u string) { s.urls.Set(callbackKey, u) }

// AddCode provisions a code (short code SC, long code LC, toll-free TF), or changes its type.
func (s *Server) AddCode(address, typ string) {
	s.mu.Lock()
	s.codes[codeKey(address)] = Code{Address: strings.TrimSpace(address), Type: strings.ToUpper(strings.TrimSpace(typ))}
	s.mu.Unlock()
}

// Codes returns the provisioned codes, sorted by address.
func (s *Server) Codes() []Code {
	s.mu.Lock()
	out := make([]Code, 0, len(s.codes))
	for _, c := range s.codes {
		out = append(out, c)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Code) int { return strings.Compare(a.Address, b.Address) })
	return out
}

// Requests returns how many API requests the emulator received (control requests excluded).
func (s *Server) Requests() int { return s.emu.Recorder.Len() }

// RecordedRequests returns the API requests received, oldest first.
func (s *Server) RecordedRequests() []emulator.Request { return s.emu.Requests() }

// Messages returns every send taken, oldest first, refused ones included, with the
// receipts due by the emulator clock.
func (s *Server) Messages() []Message { return s.store.Messages() }

// Accepted returns how many messages the emulator accepted.
func (s *Server) Accepted() int { return s.store.Accepted() }

// Message returns the accepted message with the given messageId (that of its first part).
func (s *Server) Message(id string) (Message, bool) { return s.store.Message(id) }

// Arm arms a fault for the next API request(s).
func (s *Server) Arm(f Fault) {
	ef := emu.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset,
		ResetBeforeProcessing: f.ResetBeforeProcessing, Delay: f.Delay, Times: f.Times,
		Path: f.Path, Method: strings.ToUpper(f.Method)}.OrPath(APIPath)
	if f.InternalErrorCode != 0 && f.Status == 0 {
		ef.Status, ef.ContentType = http.StatusOK, contentTypeXML
		ef.Body = errorBody("", InternalDescription(f.InternalErrorCode), f.InternalErrorCode)
		if ef.Method == "" {
			ef.Method = http.MethodPost
		}
	}
	s.emu.Arm(ef)
}

// SetOutcome chooses what the receipts of messages to to say: a portable status (see
// StageFor: the stage the receipts end at, and whether it is an error) and a code, "107"
// (the carrier errorCode), "107:7" (errorCode and internalErrorCode) or ":12" (an
// internalErrorCode alone); "" takes the stage's default.
func (s *Server) SetOutcome(to string, status sms.Status, code string) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: code})
}

// SetOutcomeDelay is SetOutcome with the last receipt sent delay after acceptance, on the
// emulator clock; the earlier stages go at once.
func (s *Server) SetOutcomeDelay(to string, status sms.Status, code string, delay time.Duration) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: code, Delay: delay})
}

// Block puts to on the account's block list: sends to it from any code are refused with
// internal error 9 (MDN blocked) until Unblock.
func (s *Server) Block(to string) { s.emu.OptOuts.Add(anySender, blockKey(to)) }

// Unblock lifts Block and reports whether to was blocked.
func (s *Server) Unblock(to string) bool { return s.emu.OptOuts.Remove(anySender, blockKey(to)) }

// OptOuts returns the block list: Block entries (From "*") and inbound STOPs (From the
// code, To the handset in E.164).
func (s *Server) OptOuts() []emulator.OptOut { return s.emu.OptOuts.List() }

// blockKey writes a handset as the block list keeps it: E.164 for a US/CA number.
func blockKey(to string) string {
	if n, ok := nanp(to); ok {
		return n
	}
	return strings.TrimSpace(to)
}

func (s *Server) blocked(code, to string) bool {
	to = blockKey(to)
	return s.emu.OptOuts.Has(anySender, to) || s.emu.OptOuts.Has(codeKey(code), to)
}

// WaitCallbacks waits until every queued callback was delivered (or gave up); a
// *emulator.DeliveryError names each that failed and was not reported before.
func (s *Server) WaitCallbacks(ctx context.Context) error { return s.emu.Deliverer.WaitChecked(ctx) }

// Deliveries returns every callback delivery and its attempts.
func (s *Server) Deliveries() []emulator.Delivery { return s.emu.Deliverer.Deliveries() }

// Reset forgets messages, requests, faults, outcomes, the block list and finished
// deliveries. Codes and URLs stay.
func (s *Server) Reset() { s.emu.Reset() }

// authenticate checks Basic auth; it answers 401 and returns false on failure.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="MessageApi"`)
	writeXML(w, http.StatusUnauthorized, errorBody("", "Unauthorized", 0))
	return false
}

// errorBody is a refusal: mtMessageRsp with a status isError="true" (the project's
// reading of Vibes' unpublished failure shape), the internal code when not zero.
func errorBody(submitterID, description string, internal int) []byte {
	st := &StatusElem{IsError: true, Description: description}
	if internal != 0 {
		st.InternalErrorCode = strconv.Itoa(internal)
	}
	return withDecl(SendResponse{SubmitterMessageID: submitterID, Status: st})
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", contentTypeXML)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// refusal is why a well-formed send is refused with HTTP 200 and an error body.
type refusal struct {
	internal int
	why      string
}

// send serves POST /MessageApi/mt/messages.
func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r) {
		return
	}
	if !xmlContentType(r.Header.Get("Content-Type")) {
		writeXML(w, http.StatusUnsupportedMediaType, errorBody("", "Content-Type must be text/xml or application/xml", 0))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeXML(w, http.StatusBadRequest, errorBody("", "unreadable body", 0))
		return
	}
	req, err := parseSend(body)
	if err != nil {
		writeXML(w, http.StatusBadRequest, errorBody(req.SubmitterMessageID, err.Error(), 0))
		return
	}
	s.mu.Lock()
	m, f := s.takeLocked(&req)
	s.mu.Unlock()
	if f != nil {
		writeXML(w, http.StatusOK, errorBody(req.SubmitterMessageID, f.why, f.internal))
		return
	}
	split := "false"
	if m.SplitLongMessage {
		split = "true"
	}
	writeXML(w, http.StatusOK, withDecl(SendResponse{MessageID: m.MessageID, SubmitterMessageID: m.SubmitterMessageID,
		Carrier: m.Destination.Carrier, SplitLongMessage: split}))
}

// checkLocked returns why Vibes would refuse a well-formed send, or nil.
func (s *Server) checkLocked(req *sendRequest) *refusal {
	typ := strings.ToUpper(strings.TrimSpace(req.Source.Type))
	switch typ {
	case TypeShortCode, TypeLongCode, TypeTollFree:
	default:
		return &refusal{InternalNoRouteForCode, fmt.Sprintf("%s: source type %q (want SC, LC or TF)", InternalDescription(InternalNoRouteForCode), req.Source.Type)}
	}
	c, ok := s.codes[codeKey(req.Source.Address)]
	if !ok || c.Type != typ {
		return &refusal{InternalNoRouteForCode, fmt.Sprintf("%s: %s %s is not provisioned", InternalDescription(InternalNoRouteForCode), typ, req.Source.Address)}
	}
	if _, ok := nanp(req.Destination.Address); !ok {
		return &refusal{InternalNoRouteToCarrier, fmt.Sprintf("%s: %s is not a US or Canadian number", InternalDescription(InternalNoRouteToCarrier), req.Destination.Address)}
	}
	if s.blocked(req.Source.Address, req.Destination.Address) {
		return &refusal{InternalMDNBlocked, InternalDescription(InternalMDNBlocked)}
	}
	if n := utf8.RuneCountInString(req.Text); n > MaxSingleText && !req.Split {
		return &refusal{InternalVibesUse, fmt.Sprintf("text has %d characters: over %d needs splitLongMessage=\"true\"", n, MaxSingleText)}
	}
	return nil
}

// takeLocked records a send; accepted (and its receipts planned) when Vibes would take it.
func (s *Server) takeLocked(req *sendRequest) (*Message, *refusal) {
	m := &Message{SubmitterMessageID: req.SubmitterMessageID, Source: req.Source, Destination: req.Destination,
		Text: req.Text, SplitLongMessage: req.Split, ReceiptOption: req.ReceiptOption,
		CallbackURL: req.CallbackURL, TransactionID: req.TransactionID, SubmittedAt: s.emu.Now()}
	m.Source.Type = strings.ToUpper(strings.TrimSpace(m.Source.Type))
	if f := s.checkLocked(req); f != nil {
		m.InternalErrorCode, m.Description = f.internal, f.why
		s.store.AddLocked(m, "", false)
		return m, f
	}
	m.Destination.Address, _ = nanp(req.Destination.Address)
	if m.Destination.Carrier == "" {
		m.Destination.Carrier = CarrierFor(m.Destination.Address)
	}
	if m.Destination.Type == "" {
		m.Destination.Type = "MDN"
	}
	m.Parts = 1
	if m.SplitLongMessage {
		m.Parts = Parts(m.Text)
	}
	m.Accepted, m.MessageID = true, s.ids.UUID()
	m.PartIDs = []string{m.MessageID}
	for k := 2; k <= m.Parts; k++ {
		id := s.ids.UUID()
		m.PartIDs = append(m.PartIDs, id)
		s.parts[id] = partRef{m, k}
	}
	if m.CallbackURL == "" && m.ReceiptOption != "" {
		m.CallbackURL = s.urls.Get(callbackKey)
	}
	s.store.AddLocked(m, m.MessageID, true)
	s.planLocked(m, s.emu.Outcome(m.Destination.Address), false)
	return m, nil
}

// Parts returns the number of parts a text sent with splitLongMessage="true" is split into:
// its segment count (160 GSM-7 characters or 70 UTF-16 units in one part; 153 or 67 a part
// beyond). A text sent without the flag is one part (and refused over 160 characters).
func Parts(text string) int {
	return max(1, sms.CountSegments(text).Segments)
}

// carriers are the carrier codes CarrierFor picks from: Verizon, AT&T, T-Mobile.
var carriers = []string{"102", "104", "105"}

// CarrierFor returns the Vibes carrier code the emulator answers for a number a send did
// not give one for: a fixed choice among 102, 104 and 105 by the number's last digit.
func CarrierFor(number string) string {
	if number == "" {
		return carriers[0]
	}
	return carriers[int(number[len(number)-1])%len(carriers)]
}

// StageFor returns the stage the receipts of a message with a portable outcome status end
// at, and whether that last receipt is an error: accepted and queued → System; sent →
// Carrier; delivered → Handset; rejected → System error; failed → Carrier error;
// undelivered, expired and unknown → Handset error.
func StageFor(st sms.Status) (stage string, isError bool) {
	switch st {
	case sms.StatusAccepted, sms.StatusQueued:
		return StageSystem, false
	case sms.StatusSent:
		return StageCarrier, false
	case sms.StatusRejected:
		return StageSystem, true
	case sms.StatusFailed:
		return StageCarrier, true
	case sms.StatusUndelivered, sms.StatusExpired, sms.StatusUnknown:
		return StageHandset, true
	}
	return StageHandset, false
}

// ParseCode splits an outcome code: "107" is a carrier errorCode, "107:7" an errorCode and
// an internalErrorCode, ":12" an internalErrorCode alone.
func ParseCode(code string) (errorCode, internalErrorCode string) {
	e, i, _ := strings.Cut(strings.TrimSpace(code), ":")
	return strings.TrimSpace(e), strings.TrimSpace(i)
}

// statusFor is the <status> of a receipt at stage.
func statusFor(stage string, isError bool, code, description string) StatusElem {
	if !isError {
		d := map[string]string{
			StageSystem:  "MtMessage successfully submitted",
			StageCarrier: "MtMessage successfully delivered to Carrier",
			StageHandset: "MtMessage successfully delivered to Handset",
		}[stage]
		return StatusElem{Description: d}
	}
	e, i := ParseCode(code)
	if e == "" && i == "" {
		if stage == StageSystem {
			i = strconv.Itoa(InternalMessageCapped)
		} else {
			e = CarrierFailed
		}
	}
	if description == "" {
		if n, err := strconv.Atoi(i); err == nil && e == "" {
			description = InternalDescription(n)
		} else {
			description = CarrierFailedDescription
		}
	}
	return StatusElem{IsError: true, Description: description, ErrorCode: e, InternalErrorCode: i}
}

var stages = []string{StageSystem, StageCarrier, StageHandset}

// planLocked plans the receipts of m for outcome o, every part at each stage (stage by
// stage), the last stage after o.Delay, and posts those its receiptOption asks for. With
// only, just the last stage's receipts are sent (a pushed status).
func (s *Server) planLocked(m *Message, o emu.Outcome, only bool) {
	final, isError := StageFor(o.Status)
	now := s.emu.Now()
	prev := now
	target := m.CallbackURL
	for _, stage := range stages[:slices.Index(stages, final)+1] {
		last := stage == final
		if only && !last {
			continue
		}
		at := now
		if last {
			at = now.Add(o.Delay)
		}
		st := statusFor(stage, isError && last, o.ErrorCode, o.Description)
		for k := 1; k <= m.Parts; k++ {
			rep := s.reportFor(m, k, stage, st, at)
			s.store.PlanLocked(m, step{rep}, at)
			if target == "" || !wants(m.ReceiptOption, st.IsError) {
				continue
			}
			s.emu.Deliverer.Send(emu.Callback{URL: target, Key: m.MessageID, Delay: at.Sub(prev),
				Header: http.Header{"Content-Type": {contentTypeXML}}, Body: rep.Body()})
			prev = at
		}
	}
	s.store.AdvanceLocked(m)
}

// wants reports whether a receiptOption asks for a receipt: ALL and SMSC_ALL every one,
// ERROR and SMSC_ERROR errors only, NONE (or none given) nothing.
func wants(option string, isError bool) bool {
	switch option {
	case ReceiptAll, ReceiptSMSCAll:
		return true
	case ReceiptError, ReceiptSMSCError:
		return isError
	}
	return false
}

func (s *Server) reportFor(m *Message, part int, stage string, st StatusElem, at time.Time) Report {
	rep := Report{MessageID: m.MessageID, SubmitterMessageID: m.SubmitterMessageID,
		ReceiptDate: FormatReceiptTime(at, s.opts.Location), Type: stage, Status: st}
	if m.Parts > 1 {
		rep.MessageID = m.PartIDs[part-1]
		rep.Multipart = &Multipart{IsMultipart: true, OriginalMessageID: m.MessageID, NoOfParts: m.Parts, PartNumber: part}
	}
	return rep
}

// PushStatus reports a new status for the accepted message messageID now: one receipt per
// part at the status's stage (StageFor), with code as in SetOutcome, posted when the
// message's receiptOption asks for it. The receipts still planned for it are dropped.
func (s *Server) PushStatus(messageID string, status sms.Status, code string) error {
	return s.pushStatus(messageID, emu.Outcome{Status: status, ErrorCode: code})
}

func (s *Server) pushStatus(id string, o emu.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.store.GetLocked(id)
	if !ok {
		return fmt.Errorf("vibestest: message %q: %w", id, emu.ErrNotFound)
	}
	s.store.AdvanceLocked(m)
	s.store.DropPlanLocked(m)
	o.Delay = 0
	s.planLocked(m, o, true)
	return nil
}

// lookupLocked finds a message by the messageId of any of its parts.
func (s *Server) lookupLocked(id string) (*Message, int, bool) {
	if m, ok := s.store.GetLocked(id); ok {
		return m, 1, true
	}
	if p, ok := s.parts[id]; ok {
		return p.msg, p.part, true
	}
	return nil, 0, false
}

// getMessage serves GET /MessageApi/mt/messages/{id}.
func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r) {
		return
	}
	s.mu.Lock()
	m, part, ok := s.lookupLocked(r.PathValue("id"))
	var v MessageView
	if ok {
		v = MessageView{SubmitterMessageID: m.SubmitterMessageID, MessageID: m.PartIDs[part-1],
			SubmitDate: FormatReceiptTime(m.SubmittedAt, s.opts.Location), IsMultipart: m.Parts > 1,
			NoOfParts: m.Parts, PartNumber: part, Destination: m.Destination, Source: m.Source, Text: m.Text}
		if m.Parts > 1 {
			v.OriginalMessageID = m.MessageID
		}
		if m.ReceiptOption != "" {
			v.ReceiptOption = &receiptOption{CallbackURL: m.CallbackURL, Value: m.ReceiptOption}
		}
	}
	s.mu.Unlock()
	if !ok {
		writeXML(w, http.StatusNotFound, errorBody("", "MtMessage not found", 0))
		return
	}
	writeXML(w, http.StatusOK, withDecl(v))
}

// getResponses serves GET /MessageApi/mt/messages/{id}/responses: the receipts issued so
// far, of every part for the first part's id, of one part for another part's.
func (s *Server) getResponses(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r) {
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	m, part, ok := s.lookupLocked(id)
	var out Responses
	if ok {
		s.store.AdvanceLocked(m)
		for _, rep := range m.Responses {
			if part == 1 || rep.MessageID == id {
				out.Responses = append(out.Responses, rep)
			}
		}
	}
	s.mu.Unlock()
	if !ok {
		writeXML(w, http.StatusNotFound, errorBody("", "MtMessage not found", 0))
		return
	}
	writeXML(w, http.StatusOK, withDecl(out))
}

// NewReport returns the receipt Vibes would post for a single-part message with a portable
// status (StageFor) and code (as in SetOutcome), dated by the emulator clock.
func (s *Server) NewReport(messageID, submitterMessageID string, status sms.Status, code string) Report {
	stage, isError := StageFor(status)
	return Report{MessageID: messageID, SubmitterMessageID: submitterMessageID,
		ReceiptDate: FormatReceiptTime(s.emu.Now(), s.opts.Location), Type: stage,
		Status: statusFor(stage, isError, code, "")}
}

// DeliveryReportRequest builds the POST Vibes would make to a message's callbackUrl with
// r, without sending it. It panics if target is not an absolute URL.
func (s *Server) DeliveryReportRequest(target string, r Report) *http.Request {
	return mustRequest(target, http.Header{"Content-Type": {contentTypeXML}}, r.Body())
}

// InboundRequest builds the POST Vibes would make to target for an inbound message from the
// handset from to the code to, in the configured shape and with the configured Basic
// credentials, without sending it. It panics if target is not an absolute URL.
func (s *Server) InboundRequest(target, from, to, text string) *http.Request {
	return mustRequest(target, s.inboundHeader(), s.inboundBody(from, to, text))
}

func mustRequest(target string, h http.Header, body []byte) *http.Request {
	req, err := emu.NewRequest(http.MethodPost, target, h, body)
	if err != nil {
		panic("vibestest: " + err.Error())
	}
	return req
}

func (s *Server) inboundHeader() http.Header {
	h := http.Header{"Content-Type": {contentTypeXML}}
	if s.opts.InboundUsername != "" || s.opts.InboundPassword != "" {
		r, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
		r.SetBasicAuth(s.opts.InboundUsername, s.opts.InboundPassword)
		h.Set("Authorization", r.Header.Get("Authorization"))
	}
	return h
}

// NewInbound returns the moMessage Vibes would post for text from the handset from (E.164,
// or 10/11 digits) to the code to: attempt 1, dated by the emulator clock.
func (s *Server) NewInbound(from, to, text string) Inbound {
	handset := blockKey(from)
	return Inbound{MessageID: s.ids.UUID(), ReceiptDate: s.emu.Now().In(s.opts.Location).Format(InboundLayout),
		AttemptNumber: 1, Source: Address{Address: handset, Carrier: CarrierFor(handset), Type: "MDN"},
		Destination: Address{Address: strings.TrimSpace(to), Type: s.codeType(to)}, Message: text}
}

// NewLegacyInbound returns the older deliver shape of an inbound message: the handset in
// national 10-digit form, the text in an attribute.
func (s *Server) NewLegacyInbound(from, to, text string) LegacyInbound {
	handset := blockKey(from)
	national := strings.TrimPrefix(handset, "+1")
	id := s.ids.UUID()
	return LegacyInbound{Version: "1.0",
		Source:      Address{Address: national, Carrier: CarrierFor(handset), Type: "MDN"},
		Destination: Address{Address: strings.TrimSpace(to), Type: s.codeType(to)},
		Message:     legacyText{Text: text}, Transaction: &Transaction{ID: id},
		Passthrough: legacyPassthru{Params: []legacyParam{{Key: "moMessageId", Value: id}}}}
}

func (s *Server) inboundBody(from, to, text string) []byte {
	if s.opts.LegacyInbound {
		return s.NewLegacyInbound(from, to, text).Body()
	}
	return s.NewInbound(from, to, text).Body()
}

// codeType is the type of a provisioned code; SC for an unknown short code, LC otherwise.
func (s *Server) codeType(code string) string {
	s.mu.Lock()
	c, ok := s.codes[codeKey(code)]
	s.mu.Unlock()
	switch {
	case ok:
		return c.Type
	case shortCode(strings.TrimSpace(code)):
		return TypeShortCode
	}
	return TypeLongCode
}

// SendInbound posts an inbound message from the handset from to the code to, to the
// inbound URL, and waits for the answer (retries included); an answer outside 2xx, or none,
// is a *emulator.DeliveryError. Each retry carries the next attemptNumber. With
// Options.BlockOnStop, a STOP keyword first puts from on the block list of to, and START
// lifts it. Without an inbound URL nothing is posted and the Delivery is empty.
func (s *Server) SendInbound(ctx context.Context, from, to, text string) (emulator.Delivery, error) {
	if s.opts.BlockOnStop {
		switch {
		case emu.Keyword(text, StopKeywords) != "":
			s.emu.OptOuts.Add(codeKey(to), blockKey(from))
		case emu.Keyword(text, StartKeywords) != "":
			s.emu.OptOuts.Remove(codeKey(to), blockKey(from))
		}
	}
	target := s.urls.Get(inboundKey)
	if target == "" {
		return emulator.Delivery{}, nil
	}
	body := s.inboundBody(from, to, text)
	if _, err := emu.NewRequest(http.MethodPost, target, nil, body); err != nil {
		return emulator.Delivery{}, fmt.Errorf("vibestest: inbound URL: %w", err)
	}
	legacy := s.opts.LegacyInbound
	return s.emu.Deliverer.DeliverChecked(ctx, emu.Callback{URL: target, Header: s.inboundHeader(), Body: body,
		Prepare: func(r *http.Request, attempt int) error {
			if !legacy && attempt > 1 {
				r.Header.Set(attemptHeader, strconv.Itoa(attempt))
			}
			return nil
		}})
}

func (s *Server) registerControl() {
	c := s.emu.Control
	s.urls.Register(c, "callback")
	c.Route("GET /codes", `the provisioned codes [{"address","type"}]`, func(w http.ResponseWriter, r *http.Request) {
		emu.WriteJSON(w, http.StatusOK, s.Codes())
	})
	c.Route("POST /codes", `{"address","type"}: provision a code (type SC, LC or TF)`, func(w http.ResponseWriter, r *http.Request) {
		var in Code
		if !emu.ReadJSON(w, r, &in) {
			return
		}
		switch strings.ToUpper(strings.TrimSpace(in.Type)) {
		case TypeShortCode, TypeLongCode, TypeTollFree:
		default:
			emu.WriteError(w, http.StatusBadRequest, "type %q: want SC, LC or TF", in.Type)
			return
		}
		if strings.TrimSpace(in.Address) == "" {
			emu.WriteError(w, http.StatusBadRequest, "address is required")
			return
		}
		s.AddCode(in.Address, in.Type)
		emu.WriteJSON(w, http.StatusOK, s.Codes())
	})
	c.Route("POST /blocklist", `{"to"}: put a number on the account's block list (sends to it: internal error 9)`, func(w http.ResponseWriter, r *http.Request) {
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
		w.WriteHeader(http.StatusNoContent)
	})
}
