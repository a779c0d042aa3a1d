package acstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/emu"
)

// Defaults the emulator uses when Options leaves a field empty. They are documented so that
// users of cmd/smsemu (and tests in other languages) can rely on them.
const (
	// DefaultAccessKey is the primary access key: base64 of the 32 bytes
	// "acstest emulator primary key 32B".
	DefaultAccessKey = "YWNzdGVzdCBlbXVsYXRvciBwcmltYXJ5IGtleSAzMkI="
	// DefaultMaxClockSkew is how far x-ms-date may be from the emulator clock, either way.
	DefaultMaxClockSkew = 15 * time.Minute
	// DefaultTopic is the resource id put in the events' topic (Event Grid schema) and
	// source (CloudEvents).
	DefaultTopic = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/acstest-rg/providers/microsoft.communication/communicationservices/acstest"
	// DefaultSubscriptionName is the event subscription's name, sent upper-cased in
	// aeg-subscription-name.
	DefaultSubscriptionName = "acstest-events"
	// DefaultRequestOrigin is the WebHook-Request-Origin of the CloudEvents handshake.
	DefaultRequestOrigin = "eventgrid.azure.net"
	// DefaultBatchWindow is how long a partial batch waits for more events when
	// MaxEventsPerBatch > 1.
	DefaultBatchWindow = time.Second
	// DefaultRetryWait is the wait between delivery attempts.
	DefaultRetryWait = 10 * time.Millisecond
	// DefaultDeliveryRetries is Event Grid's default: 30 attempts in all.
	DefaultDeliveryRetries = 29
)

// Event schemas of the event subscription.
const (
	SchemaEventGrid   = "eventgrid"   // Event Grid schema: a JSON array of events
	SchemaCloudEvents = "cloudevents" // CloudEvents 1.0
)

// Event types.
const (
	EventTypeDeliveryReport         = "Microsoft.Communication.SMSDeliveryReportReceived"
	EventTypeReceived               = "Microsoft.Communication.SMSReceived"
	EventTypeSubscriptionValidation = "Microsoft.EventGrid.SubscriptionValidationEvent"
)

// apiVersions are the api-version values POST /sms accepts: every stable and preview
// version in the spec repository (vendors/acs.md §2.1).
var apiVersions = []string{
	"2021-03-07", "2022-07-07", "2024-01-02", "2024-02-05", "2025-09-17", "2026-01-23",
	"2024-01-14-preview", "2024-12-10-preview", "2025-05-29-preview", "2025-08-01-preview",
}

// reportAPIVersions are those that have GET /deliveryReports/{id}.
var reportAPIVersions = []string{"2025-08-01-preview", "2026-01-23"}

// APIVersions returns the api-version values the emulator accepts on POST /sms.
func APIVersions() []string { return slices.Clone(apiVersions) }

// Options configures an emulator. The zero value is usable.
type Options struct {
	// AccessKey is the resource's primary access key, base64 as the portal shows it;
	// default DefaultAccessKey.
	AccessKey string
	// SecondaryAccessKey, if set, is accepted too.
	SecondaryAccessKey string
	// BearerTokens are accepted as "Authorization: Bearer <token>" (standing in for Entra
	// ID tokens). Without any, a bearer token gets 401.
	BearerTokens []string
	// Clock is the emulator's clock: x-ms-date freshness, message ids, event times, and the
	// waits of outcome delays, the batch window and armed fault delays (an
	// emulator.ManualClock lets a test decide when they end). Nil means the wall clock.
	Clock sms.Clock
	// MaxClockSkew is how far x-ms-date may be from the Clock, either way; default
	// DefaultMaxClockSkew.
	MaxClockSkew time.Duration

	// EventGridURL is the event subscription's webhook endpoint, e.g.
	// https://app.example.com/acs/events?token=…. Empty means no subscription yet: events
	// are held until one is configured (SetEventGrid) and validated.
	EventGridURL string
	// Schema is SchemaEventGrid (default) or SchemaCloudEvents.
	Schema string
	// MaxEventsPerBatch is the subscription's batching setting; default 1 (no batching).
	MaxEventsPerBatch int
	// BatchWindow is how long a partial batch waits for more events before it is sent;
	// default DefaultBatchWindow. Flush and WaitCallbacks send it at once.
	BatchWindow time.Duration
	// DeliveryRetries is the number of retries after a failed attempt; 0 means
	// DefaultDeliveryRetries (Event Grid's 30 attempts), negative means none.
	DeliveryRetries int
	// RetryWait is the wait between attempts; default DefaultRetryWait (Event Grid waits
	// 10 s and more; tests want milliseconds).
	RetryWait time.Duration
	// DeliveryHeaders are static delivery headers of the subscription (for instance
	// "Authorization: Basic …"), sent with every delivery, handshakes included.
	DeliveryHeaders http.Header
	// SubscriptionName is the event subscription's name; default DefaultSubscriptionName.
	SubscriptionName string
	// Topic is the resource id in the events; default DefaultTopic.
	Topic string
	// RequestOrigin is the WebHook-Request-Origin of the CloudEvents handshake; default
	// DefaultRequestOrigin.
	RequestOrigin string
	// CallbackClient makes the handshakes and deliveries. Nil means a client with Event
	// Grid's 30-second timeout that does not follow redirects. Set it to reach an
	// application served by httptest.NewTLSServer, or to route a public host name to a
	// loopback server instead of resolving it.
	CallbackClient *http.Client
	// Seed, if not zero, makes message and event ids a deterministic sequence.
	Seed uint64
}

// Message is a message the emulator created: one per recipient accepted, and one per
// repeatability id however many times it was sent.
type Message struct {
	MessageID              string    `json:"messageId"`
	From                   string    `json:"from"`
	To                     string    `json:"to"`
	Message                string    `json:"message"`
	Tag                    string    `json:"tag,omitempty"`
	EnableDeliveryReport   bool      `json:"enableDeliveryReport"`
	RepeatabilityRequestID string    `json:"repeatabilityRequestId,omitempty"`
	RepeatabilityFirstSent string    `json:"repeatabilityFirstSent,omitempty"`
	APIVersion             string    `json:"apiVersion"`
	Segments               int       `json:"segments"`
	Created                time.Time `json:"created"`
	// Repeats counts the later sends with the same repeatability id and first-sent date,
	// answered with this message instead of a new one.
	Repeats int `json:"repeats"`
	// DeliveryStatus and DeliveryStatusDetails are those of the delivery report, once the
	// message's outcome is reached ("" before, and for an outcome that is not final).
	DeliveryStatus        string `json:"deliveryStatus,omitempty"`
	DeliveryStatusDetails string `json:"deliveryStatusDetails,omitempty"`
	Request               string `json:"request"` // the send request body as received

	report *DeliveryReportData
}

// Fault is a failure armed for the next send request(s) (POST /sms).
type Fault struct {
	Status     int           // HTTP status, answered with Azure's error body
	Code       string        // the body's error code; default from Status ("TooManyRequests")
	Message    string        // the body's message; default the status text
	RetryAfter time.Duration // sent as Retry-After
	Reset      bool          // process the request (messages are created), then reset the connection
	// ResetBeforeProcessing resets the connection without processing the request.
	ResetBeforeProcessing bool
	Delay                 time.Duration // hold the request first
	Times                 int           // how many requests; 0 = 1, negative = until Reset
}

// ValidationState is where the event subscription's endpoint validation stands.
type ValidationState string

// Validation states.
const (
	ValidationNone       ValidationState = "none"       // no EventGridURL configured
	ValidationPending    ValidationState = "pending"    // the handshake happens before the first delivery
	ValidationValidating ValidationState = "validating" // the handshake is under way
	ValidationValidated  ValidationState = "validated"  // events are delivered
	ValidationFailed     ValidationState = "failed"     // events are held; SetEventGrid or Validate retries
)

// Handshake is the record of one endpoint-validation handshake.
type Handshake struct {
	Time       time.Time `json:"time"`
	URL        string    `json:"url"`
	Schema     string    `json:"schema"`
	Method     string    `json:"method"` // POST (Event Grid schema) or OPTIONS (CloudEvents)
	StatusCode int       `json:"status_code,omitempty"`
	OK         bool      `json:"ok"`
	Reason     string    `json:"reason,omitempty"` // why it failed
}

// recipientFailure is a per-recipient failure armed with SetRecipientFailure.
type recipientFailure struct {
	status int
	times  int // remaining; negative = unlimited
}

// Server is an Azure Communication Services SMS emulator in the style of
// net/http/httptest; see the package documentation.
type Server struct {
	// URL is the endpoint to give acs.Options.BaseURL (or acs.Config.Endpoint), e.g.
	// http://127.0.0.1:43121.
	URL string

	emu    *emu.Server
	opts   Options
	keys   [][]byte
	ids    emu.IDGen
	client *http.Client
	ownCl  bool
	ctx    context.Context // canceled by Close
	cancel context.CancelFunc

	mu         sync.Mutex
	messages   []*Message
	byID       map[string]*Message
	byRepeat   map[string]*Message
	failures   map[string]*recipientFailure
	egURL      string
	schema     string
	state      ValidationState
	gen        int // bumped by every subscription change and Reset: stale handshakes are ignored
	epoch      int // bumped by Reset: stale delayed reports are dropped
	hsDone     chan struct{}
	hsErr      error
	hsReported bool // hsErr was returned by WaitCallbacks or SendInbound
	handshakes []Handshake
	held       []Event
	batch      []Event
	batchStop  context.CancelFunc // ends the wait of the partial batch
	published  []Event
	inflight   int           // handshakes and delayed reports under way
	idle       chan struct{} // closed while inflight == 0
	closed     bool
}

// NewServer starts an emulator on a loopback port. Close it when done. It panics if an
// access key in opts is not base64 or the schema is unknown, as a misconfigured test should
// stop at once.
func NewServer(opts *Options) *Server {
	s := New(opts)
	s.URL = s.emu.Serve(s.Handler())
	return s
}

// New returns an emulator that is not listening; serve Handler yourself (cmd/smsemu does)
// and set URL. It panics on the same misconfigurations as NewServer.
func New(opts *Options) *Server {
	s := &Server{byID: map[string]*Message{}, byRepeat: map[string]*Message{}, failures: map[string]*recipientFailure{}}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	if o.AccessKey == "" {
		o.AccessKey = DefaultAccessKey
	}
	for _, k := range []string{o.AccessKey, o.SecondaryAccessKey} {
		if k == "" {
			continue
		}
		key, err := acssign.DecodeKey(k)
		if err != nil {
			panic("acstest: Options: an access key is not base64")
		}
		s.keys = append(s.keys, key)
	}
	if o.MaxClockSkew <= 0 {
		o.MaxClockSkew = DefaultMaxClockSkew
	}
	if o.Schema == "" {
		o.Schema = SchemaEventGrid
	}
	if o.Schema != SchemaEventGrid && o.Schema != SchemaCloudEvents {
		panic(fmt.Sprintf("acstest: Options.Schema %q: want %q or %q", o.Schema, SchemaEventGrid, SchemaCloudEvents))
	}
	if o.MaxEventsPerBatch <= 0 {
		o.MaxEventsPerBatch = 1
	}
	if o.BatchWindow <= 0 {
		o.BatchWindow = DefaultBatchWindow
	}
	o.DeliveryRetries = emu.Retries(o.DeliveryRetries, DefaultDeliveryRetries)
	if o.RetryWait <= 0 {
		o.RetryWait = DefaultRetryWait
	}
	if o.SubscriptionName == "" {
		o.SubscriptionName = DefaultSubscriptionName
	}
	if o.Topic == "" {
		o.Topic = DefaultTopic
	}
	if o.RequestOrigin == "" {
		o.RequestOrigin = DefaultRequestOrigin
	}
	o.DeliveryHeaders = o.DeliveryHeaders.Clone()
	o.BearerTokens = slices.Clone(o.BearerTokens)
	s.client = o.CallbackClient
	if s.client == nil {
		s.ownCl = true
		s.client = emu.NewCallbackClient(30 * time.Second) // Event Grid's response timeout
	}
	s.ids = emu.IDGen{Seed: o.Seed}
	s.emu = emu.NewServer(&emu.Options{Clock: o.Clock, Delivery: &emu.DelivererOptions{
		HTTPClient: s.client,
		MaxRetries: o.DeliveryRetries,
		MinWait:    o.RetryWait, MaxWait: o.RetryWait,
		Policy: eventGridPolicy, // unordered: not Sequential
	},
		FaultBody: func(status int) ([]byte, string) {
			return azureErrorBody(errorCode(status), errorMessage(status)), "application/json; charset=utf-8"
		},
		Messages: func() any { return s.Messages() },
		Inbound: func(ctx context.Context, in emu.Inbound) (any, error) {
			if len(in.MediaURLs) > 0 {
				return nil, errors.New("acstest: ACS inbound messages carry no media")
			}
			return s.SendInbound(ctx, in.From, in.To, in.Body)
		},
		WaitCallbacks: s.WaitCallbacks,
		Status: func(ctx context.Context, id string, o emu.Outcome) (any, error) {
			if err := s.pushReport(id, o); err != nil {
				return nil, err
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			mp, ok := s.byID[id]
			if !ok {
				return nil, fmt.Errorf("acstest: message %q: %w", id, emu.ErrNotFound)
			}
			m := *mp
			m.report = nil
			return m, nil
		},
	})
	s.egURL, s.schema = o.EventGridURL, o.Schema
	s.state = ValidationNone
	if s.egURL != "" {
		s.state = ValidationPending
	}
	s.idle = make(chan struct{})
	close(s.idle)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.emu.OnReset(s.resetState)
	s.registerControl()
	return s
}

// Handler returns the emulator's HTTP handler: the ACS SMS API plus the control API under
// /_emulator/. A status fault armed through POST /_emulator/faults without a body of its own
// answers with Azure's error body, as Arm does.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sms", s.send)
	mux.HandleFunc("GET /deliveryReports/{id}", s.deliveryReport)
	for _, action := range []string{"add", "remove", "check"} {
		mux.HandleFunc("POST /sms/optouts:"+action, s.optOuts(action))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAzureError(w, http.StatusNotFound, "NotFound", "The requested resource "+r.URL.Path+" was not found.")
	})
	return s.emu.Handler(mux)
}

// Close stops the server, pending handshakes, batches and deliveries.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.stopBatchWaitLocked()
	s.mu.Unlock()
	s.cancel()
	_ = s.emu.Close()
	if s.ownCl {
		s.client.CloseIdleConnections()
	}
}

// AccessKey returns the primary access key (base64) the emulator accepts.
func (s *Server) AccessKey() string { return s.opts.AccessKey }

// ConnectionString returns "endpoint=<URL>/;accesskey=<primary key>", as the portal shows
// a resource's connection string.
func (s *Server) ConnectionString() string {
	return "endpoint=" + s.URL + "/;accesskey=" + s.opts.AccessKey
}

// Requests returns how many ACS API requests the emulator received (control requests
// excluded), faulted and rejected ones included.
func (s *Server) Requests() int { return s.emu.Recorder.Len() }

// RecordedRequests returns the ACS API requests received, oldest first.
func (s *Server) RecordedRequests() []emulator.Request { return s.emu.Requests() }

// Messages returns the created messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = *m
		out[i].report = nil
	}
	return out
}

// Accepted returns how many messages the emulator created: a repeated send answered with
// an existing message does not count.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Arm arms a fault for the next send request(s).
func (s *Server) Arm(f Fault) { s.emu.Arm(f.emu()) }

func (f Fault) emu() emu.Fault {
	ef := emu.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset, ResetBeforeProcessing: f.ResetBeforeProcessing,
		Delay: f.Delay, Times: f.Times, Path: "/sms", Method: http.MethodPost}
	if f.Status != 0 && (f.Code != "" || f.Message != "") { // else the toolkit asks FaultBody
		code, msg := f.Code, f.Message
		if code == "" {
			code = errorCode(f.Status)
		}
		if msg == "" {
			msg = errorMessage(f.Status)
		}
		ef.Body, ef.ContentType = azureErrorBody(code, msg), "application/json; charset=utf-8"
	}
	return ef
}

// SetRecipientFailure makes the next times sends to to fail for that recipient only: its
// item in the 202 answer carries httpStatusCode status (503 → errorMessage
// "ServiceUnavailable"), successful false and no messageId, and no message is created.
// times 0 means 1, negative means until Reset; status 0 clears the failure.
func (s *Server) SetRecipientFailure(to string, status, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := emu.RecipientKey(to)
	if status == 0 {
		delete(s.failures, key)
		return
	}
	if times == 0 {
		times = 1
	}
	s.failures[key] = &recipientFailure{status: status, times: times}
}

// takeFailureLocked consumes one use of to's failure, if any.
func (s *Server) takeFailureLocked(to string) (int, bool) {
	key := emu.RecipientKey(to)
	f, ok := s.failures[key]
	if !ok {
		return 0, false
	}
	if f.times > 0 {
		f.times--
		if f.times == 0 {
			delete(s.failures, key)
		}
	}
	return f.status, true
}

// SetOutcome chooses the delivery report of messages to to: sms.StatusDelivered (default,
// "2000: No Error") or a failure with an ACS status detail code such as "4004"; detailCode
// "" means the status's default code (see the package documentation). A status that is not
// final (sent, queued) means no delivery report at all.
func (s *Server) SetOutcome(to string, status sms.Status, detailCode string) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: detailCode})
}

// SetOutcomeDelay is SetOutcome with the time from acceptance to the report.
func (s *Server) SetOutcomeDelay(to string, status sms.Status, detailCode string, delay time.Duration) {
	s.emu.SetOutcome(to, emu.Outcome{Status: status, ErrorCode: detailCode, Delay: delay})
}

// Deliveries returns every event delivery and its attempts (handshakes are in Handshakes).
func (s *Server) Deliveries() []emulator.Delivery { return s.emu.Deliverer.Deliveries() }

// Handshakes returns every endpoint-validation handshake, oldest first.
func (s *Server) Handshakes() []Handshake {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.handshakes)
}

// Events returns every event the emulator published, delivered or not, oldest first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.published)
}

// Held returns the events waiting for a validated subscription.
func (s *Server) Held() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.held)
}

// ValidationState returns where the subscription's endpoint validation stands.
func (s *Server) ValidationState() ValidationState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// EventGrid returns the subscription's endpoint and schema.
func (s *Server) EventGrid() (url, schema string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.egURL, s.schema
}

// SetEventGrid changes the event subscription's endpoint and schema ("" keeps the
// schema). The new endpoint is validated before its first delivery; held events go to it
// once it is. An empty url removes the subscription (events are held).
func (s *Server) SetEventGrid(url, schema string) error {
	if schema != "" && schema != SchemaEventGrid && schema != SchemaCloudEvents {
		return fmt.Errorf("acstest: schema %q: want %q or %q", schema, SchemaEventGrid, SchemaCloudEvents)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.egURL = url
	if schema != "" {
		s.schema = schema
	}
	s.gen++
	s.state = ValidationPending
	if url == "" {
		s.state = ValidationNone
	}
	s.stopBatchWaitLocked() // a partial batch waits for the new endpoint's validation
	s.held, s.batch = append(s.held, s.batch...), nil
	if len(s.held) > 0 {
		s.startHandshakeLocked()
	}
	return nil
}

// WaitCallbacks sends any partial batch and waits until every handshake, scheduled report
// and delivery under way has finished (delivered, dropped or given up). Events held for a
// subscription that is not validated are not waited for.
//
// It returns an error for what failed since the previous WaitCallbacks or SendInbound: a
// *emulator.DeliveryError naming every delivery the endpoint did not acknowledge with a
// 2xx (Event Grid drops a 400, 401, 403 or 413 at once and retries the rest), or, when the
// endpoint validation failed and events are held, the handshake's failure.
func (s *Server) WaitCallbacks(ctx context.Context) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	if err := s.emu.Deliverer.Check(nil); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == ValidationFailed && len(s.held) > 0 && s.hsErr != nil && !s.hsReported {
		s.hsReported = true
		return fmt.Errorf("%w; %d event(s) held", s.hsErr, len(s.held))
	}
	return nil
}

// wait is WaitCallbacks without the report of failures.
func (s *Server) wait(ctx context.Context) error {
	for {
		s.mu.Lock()
		idle := s.idle
		s.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.mu.Lock()
		sent := s.flushLocked()
		busy := s.inflight > 0
		s.mu.Unlock()
		if !sent && !busy {
			break
		}
	}
	return s.emu.Deliverer.Wait(ctx)
}

// Reset forgets messages, recipient failures, requests, faults, outcomes, events (held ones
// too), handshakes and finished deliveries. The subscription stays configured but must be
// validated again.
func (s *Server) Reset() { s.emu.Reset() }

func (s *Server) resetState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages, s.byID, s.byRepeat = nil, map[string]*Message{}, map[string]*Message{}
	s.failures = map[string]*recipientFailure{}
	s.held, s.batch, s.published, s.handshakes = nil, nil, nil, nil
	s.stopBatchWaitLocked()
	s.gen++
	s.epoch++
	s.state = ValidationNone
	if s.egURL != "" {
		s.state = ValidationPending
	}
}

// begin and end count background work WaitCallbacks waits for. s.mu must be held.
func (s *Server) beginLocked() {
	if s.inflight == 0 {
		s.idle = make(chan struct{})
	}
	s.inflight++
}

func (s *Server) endLocked() {
	s.inflight--
	if s.inflight == 0 {
		close(s.idle)
	}
}

func (s *Server) registerControl() {
	c := s.emu.Control
	c.Route("GET /config", "the Event Grid subscription: {\"event_grid_url\",\"schema\",\"max_events_per_batch\",\"validation_state\",\"held\",\"handshakes\"}", func(w http.ResponseWriter, r *http.Request) {
		u, schema := s.EventGrid()
		emu.WriteJSON(w, http.StatusOK, map[string]any{
			"event_grid_url": u, "schema": schema, "max_events_per_batch": s.opts.MaxEventsPerBatch,
			"validation_state": s.ValidationState(), "held": len(s.Held()), "handshakes": emu.NonNil(s.Handshakes()),
		})
	})
	c.Route("POST /config", "{\"event_grid_url\",\"schema\"}: change the subscription (validated again before its next delivery)", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			EventGridURL *string `json:"event_grid_url"`
			Schema       string  `json:"schema"`
		}
		if !emu.ReadJSON(w, r, &in) {
			return
		}
		u, _ := s.EventGrid()
		if in.EventGridURL != nil {
			u = *in.EventGridURL
		}
		if err := s.SetEventGrid(u, in.Schema); err != nil {
			emu.WriteError(w, http.StatusBadRequest, "%v", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	c.Route("POST /validate", "run the endpoint validation now (again after a failure); 409 if it fails", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Validate(r.Context()); err != nil {
			emu.WriteError(w, http.StatusConflict, "%v", err)
			return
		}
		emu.WriteJSON(w, http.StatusOK, map[string]any{"validation_state": s.ValidationState()})
	})
	c.Route("POST /flush", "send a partial batch now", func(w http.ResponseWriter, r *http.Request) {
		s.Flush()
		w.WriteHeader(http.StatusNoContent)
	})
	c.Route("GET /events", "every event published, delivered or held", func(w http.ResponseWriter, r *http.Request) {
		emu.WriteJSON(w, http.StatusOK, emu.NonNil(s.Events()))
	})
	c.Route("POST /recipient-failures", "{\"to\",\"status\",\"times\"}: fail that recipient's item of the next send(s) (status 0 clears)", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			To     string `json:"to"`
			Status int    `json:"status"`
			Times  int    `json:"times"`
		}
		if !emu.ReadJSON(w, r, &in) {
			return
		}
		if strings.TrimSpace(in.To) == "" {
			emu.WriteError(w, http.StatusBadRequest, "to is required")
			return
		}
		if in.Status != 0 && (in.Status < 100 || in.Status > 599) {
			emu.WriteError(w, http.StatusBadRequest, "status %d is not an HTTP status", in.Status)
			return
		}
		s.SetRecipientFailure(in.To, in.Status, in.Times)
		w.WriteHeader(http.StatusNoContent)
	})
	c.Route("DELETE /recipient-failures", "clear the recipient failures", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.failures = map[string]*recipientFailure{}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
}

var errNoSubscription = errors.New("acstest: no Event Grid URL configured")

// eventGridPolicy is Azure Event Grid's webhook rule (vendors/acs.md §4.5): only 200–204
// acknowledge; 400, 401, 403 and 413 are dropped (dead-lettered when configured); every
// other answer and every transport error is retried, 404 and other 4xx included.
func eventGridPolicy(status int, err error) emu.Verdict {
	switch {
	case err != nil:
		return emu.Retry
	case status >= 200 && status <= 204:
		return emu.Success
	case status == http.StatusBadRequest, status == http.StatusUnauthorized,
		status == http.StatusForbidden, status == http.StatusRequestEntityTooLarge:
		return emu.Drop
	}
	return emu.Retry
}
