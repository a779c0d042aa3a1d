package smstest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smsbridge/sms"
)

// SignatureHeader carries the recorder's callback signature: hex(HMAC-SHA256(secret, body)).
const SignatureHeader = "X-Recorder-Signature"

// RecorderOptions configures a Recorder. The zero value is all defaults.
type RecorderOptions struct {
	Name          string     // provider name; default "recorder"
	MaxRecipients int        // recipients per Send; default 100
	Credential    sms.Secret // the credential the "vendor" is given
	// Expected is the credential the "vendor" accepts; when both are set and differ, every
	// Send fails with CodeUnauthenticated, as a vendor with a wrong key would.
	Expected sms.Secret
	// CallbackSecret signs and verifies callbacks; default "recorder-callback-secret".
	CallbackSecret sms.Secret
	// Capabilities overrides the advertised capabilities when not nil.
	Capabilities *sms.Capabilities
}

// Sent is one recipient of one accepted message, as the recorder stored it.
type Sent struct {
	MessageID string
	To        string
	From      sms.Sender
	Body      string
	Reference string
	Key       string // the message's IdempotencyKey
	Message   sms.Message
}

// Recorder is an in-memory Provider for application unit tests: it records what it is asked to
// send, answers with ids, can be scripted to fail per recipient (including a rate limit with
// Retry-After, which the Client retries), and builds signed callback requests for delivery
// reports and inbound messages. It passes RunConformance. Safe for concurrent use.
//
// It plays the vendor too: a Send whose body is over its Capabilities' MaxBody or whose sender
// type is not among its SenderTypes reaches it (it counts in Calls) and is refused with
// CodeInvalidArgument, as a vendor refuses what a provider should have kept from it.
//
// Its callbacks carry the vendor-side facts a real vendor sends: a delivery error code (see
// RecorderCodes for the portable code of each) and an opt-out flag on inbound messages
// (OptOutRequest). Like every provider, it does not classify keywords: webhook does, once.
type Recorder struct {
	opts RecorderOptions

	mu       sync.Mutex
	seq      int
	calls    int
	sent     []Sent
	byID     map[string]Sent
	scripts  map[string][]error
	next     []error
	dedupKey map[string]string // idempotency key + recipient → message id (when idempotent)
	holds    []*Hold
}

// recorderCodes maps the delivery error codes of the Recorder's callbacks to the portable
// Event.Code its ParseCallback reports.
var recorderCodes = map[string]sms.Code{
	"R-OPTED-OUT":      sms.CodeOptedOut,
	"R-UNKNOWN-NUMBER": sms.CodeInvalidRecipient,
	"R-BLOCKED":        sms.CodePermissionDenied,
}

// RecorderCodes returns the delivery error codes the Recorder knows, with the portable
// Event.Code each becomes: R-OPTED-OUT → OptedOut, R-UNKNOWN-NUMBER → InvalidRecipient,
// R-BLOCKED → PermissionDenied. Any other code becomes CodeUnknown.
func RecorderCodes() map[string]sms.Code {
	out := make(map[string]sms.Code, len(recorderCodes))
	for k, v := range recorderCodes {
		out[k] = v
	}
	return out
}

// NewRecorder returns a Recorder. opts may be nil.
func NewRecorder(opts *RecorderOptions) *Recorder {
	r := &Recorder{byID: map[string]Sent{}, scripts: map[string][]error{}, dedupKey: map[string]string{}}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.Name == "" {
		r.opts.Name = "recorder"
	}
	if r.opts.MaxRecipients <= 0 {
		r.opts.MaxRecipients = 100
	}
	if r.opts.CallbackSecret.IsZero() {
		r.opts.CallbackSecret = sms.NewSecret("recorder-callback-secret")
	}
	return r
}

// Name implements sms.Provider.
func (r *Recorder) Name() string { return r.opts.Name }

// Capabilities implements sms.Provider: every sender type, delivery reports and inbound.
func (r *Recorder) Capabilities() sms.Capabilities {
	if r.opts.Capabilities != nil {
		return *r.opts.Capabilities
	}
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree, sms.SenderShortCode, sms.SenderAlphanumeric, sms.SenderPool},
		MaxRecipients:   r.opts.MaxRecipients,
		MaxBody:         1600,
		BodyUnit:        sms.UnitCharacters,
		DeliveryReports: true,
		Inbound:         true,
	}
}

// Script queues errors for a recipient: each Send to it takes the next one (nil = succeed).
// Use an *sms.Error with CodeRateLimited, NotAccepted and RetryAfter to script a rate limit.
func (r *Recorder) Script(to string, errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scripts[to] = append(r.scripts[to], errs...)
}

// FailNext makes the next Send calls fail as a whole with errs, one per call. An error with
// CodeOutcomeUnknown records the message first (the vendor accepted it, the answer was lost).
func (r *Recorder) FailNext(errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next = append(r.next, errs...)
}

// HoldNext makes the next Send take its message (the recipients are recorded as accepted), call
// h.Arrive, and withhold its answer until h.Release (then it answers normally) or until the
// caller's context ends (then it returns CodeOutcomeUnknown unwrapping to the context error,
// since the message was taken).
func (r *Recorder) HoldNext(h *Hold) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.holds = append(r.holds, h)
}

// Calls returns how many times Send reached the recorder.
func (r *Recorder) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// Sent returns every accepted recipient, in order of acceptance.
func (r *Recorder) Sent() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.sent...)
}

// Reset forgets everything recorded and scripted.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls, r.sent, r.next, r.holds = 0, nil, nil, nil
	r.byID, r.scripts, r.dedupKey = map[string]Sent{}, map[string][]error{}, map[string]string{}
}

// Send implements sms.Provider.
func (r *Recorder) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if msg == nil || len(msg.To) == 0 {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: r.opts.Name, Message: "no recipients", NotAccepted: true}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	caps := r.Capabilities()
	if caps.MaxBody > 0 && caps.BodyUnit == sms.UnitCharacters && utf8.RuneCountInString(msg.Body) > caps.MaxBody {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: r.opts.Name, HTTPStatus: 400, Message: "the vendor refused a body over its limit", NotAccepted: true}
	}
	if !caps.SupportsSender(msg.From.ResolvedType()) {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: r.opts.Name, HTTPStatus: 400, Message: "the vendor refused the sender type " + msg.From.ResolvedType().String(), NotAccepted: true}
	}
	if !r.opts.Expected.IsZero() && subtle.ConstantTimeCompare([]byte(r.opts.Expected.Reveal()), []byte(r.opts.Credential.Reveal())) != 1 {
		return nil, &sms.Error{Code: sms.CodeUnauthenticated, Provider: r.opts.Name, HTTPStatus: 401, Message: "invalid credentials", NotAccepted: true}
	}
	if len(r.next) > 0 {
		err := r.next[0]
		r.next = r.next[1:]
		if err != nil {
			if sms.ErrorCode(err) == sms.CodeOutcomeUnknown {
				for _, to := range msg.To {
					r.accept(msg, to)
				}
			}
			return nil, err
		}
	}
	if len(r.holds) > 0 {
		h := r.holds[0]
		r.holds = r.holds[1:]
		ids := make([]string, len(msg.To))
		for i, to := range msg.To {
			ids[i] = r.accept(msg, to).MessageID
		}
		r.mu.Unlock()
		h.Arrive()
		select {
		case <-h.Released():
		case <-ctx.Done():
			r.mu.Lock()
			return nil, &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: r.opts.Name, Message: "the caller went away while the vendor held the answer", Err: ctx.Err()}
		}
		r.mu.Lock()
		res := make([]sms.SendResult, len(msg.To))
		for i, to := range msg.To {
			res[i] = sms.SendResult{To: to, MessageID: ids[i], Status: sms.StatusAccepted}
		}
		return res, nil
	}
	idem := caps.IdempotentSends
	res := make([]sms.SendResult, len(msg.To))
	for i, to := range msg.To {
		res[i].To = to
		if q := r.scripts[to]; len(q) > 0 {
			r.scripts[to] = q[1:]
			if q[0] != nil {
				res[i].Err = q[0]
				continue
			}
		}
		if idem && msg.IdempotencyKey != "" {
			if id, ok := r.dedupKey[msg.IdempotencyKey+"|"+to]; ok {
				res[i].MessageID, res[i].Status = id, sms.StatusAccepted
				continue
			}
		}
		s := r.accept(msg, to)
		res[i].MessageID, res[i].Status = s.MessageID, sms.StatusAccepted
	}
	return res, nil
}

// accept records one recipient; r.mu is held.
func (r *Recorder) accept(msg *sms.Message, to string) Sent {
	r.seq++
	s := Sent{MessageID: fmt.Sprintf("rec-%06d", r.seq), To: to, From: msg.From, Body: msg.Body, Reference: msg.Reference, Key: msg.IdempotencyKey, Message: *msg}
	r.sent = append(r.sent, s)
	r.byID[s.MessageID] = s
	if msg.IdempotencyKey != "" {
		r.dedupKey[msg.IdempotencyKey+"|"+to] = s.MessageID
	}
	return s
}

// callbackItem is the recorder's callback wire format (one item of a batch).
type callbackItem struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"` // "status" or "inbound"
	MessageID string    `json:"message_id"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Status    string    `json:"status,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	OptOut    bool      `json:"opt_out,omitempty"` // inbound: the vendor flags it as an opt-out
	Body      string    `json:"body,omitempty"`
	Reference string    `json:"reference,omitempty"`
	Time      time.Time `json:"time"`
}

// DeliveryReport describes a delivery report to build with Recorder.DeliveryRequest or a
// Harness.
type DeliveryReport struct {
	MessageID string
	To        string
	Status    sms.Status
	RawStatus string // sent verbatim instead of Status when set (an unknown vendor word)
	// ErrorCode is the vendor's delivery error code for a failed report (for a Harness, one
	// of its vendor's codes, such as the one FailureCoder names); empty for none.
	ErrorCode string
}

// DeliveryRequest returns a signed callback request carrying the given reports (one item
// each), ready for a webhook handler.
func (r *Recorder) DeliveryRequest(reports ...DeliveryReport) *http.Request {
	items := make([]callbackItem, len(reports))
	for i, d := range reports {
		raw := d.RawStatus
		if raw == "" {
			raw = d.Status.String()
		}
		r.mu.Lock()
		ref := r.byID[d.MessageID].Reference
		r.mu.Unlock()
		items[i] = callbackItem{Kind: "status", MessageID: d.MessageID, To: d.To, Status: raw, ErrorCode: d.ErrorCode, Reference: ref, Time: time.Unix(1700000000+int64(i), 0).UTC()}
		items[i].ID = "dlr-" + d.MessageID + "-" + raw + "-" + strconv.Itoa(i)
	}
	return r.request(items)
}

// InboundRequest returns a signed callback request for a message from a handset.
func (r *Recorder) InboundRequest(from, to, body string) *http.Request {
	return r.inbound(from, to, body, false)
}

// OptOutRequest returns a signed callback request for a message from a handset that the vendor
// itself flags as an opt-out, whatever its words (as Twilio's OptOutType=STOP does).
func (r *Recorder) OptOutRequest(from, to, body string) *http.Request {
	return r.inbound(from, to, body, true)
}

func (r *Recorder) inbound(from, to, body string, optOut bool) *http.Request {
	r.mu.Lock()
	r.seq++
	id := fmt.Sprintf("in-%06d", r.seq)
	r.mu.Unlock()
	return r.request([]callbackItem{{ID: id, Kind: "inbound", MessageID: id, From: from, To: to, Body: body, OptOut: optOut, Time: time.Unix(1700000000, 0).UTC()}})
}

func (r *Recorder) request(items []callbackItem) *http.Request {
	body, _ := json.Marshal(map[string]any{"events": items})
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/callbacks/recorder", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, r.sign(body))
	return req
}

func (r *Recorder) sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(r.opts.CallbackSecret.Reveal()))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ParseCallback implements sms.Provider: it verifies the HMAC header on the raw body, then
// decodes one event per item. An item of an unknown kind becomes an sms.EventUnknown event. An
// inbound item the vendor flags as an opt-out is an sms.EventOptOut; keywords are left to
// webhook.
func (r *Recorder) ParseCallback(ctx context.Context, req *http.Request, body []byte) (*sms.Callback, error) {
	sig := req.Header.Get(SignatureHeader)
	if sig == "" {
		return nil, &sms.Error{Code: sms.CodeUnauthenticated, Provider: r.opts.Name, Message: "missing signature"}
	}
	if !hmac.Equal([]byte(sig), []byte(r.sign(body))) {
		return nil, &sms.Error{Code: sms.CodeUnauthenticated, Provider: r.opts.Name, Message: "invalid signature"}
	}
	var env struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: r.opts.Name, Message: "malformed callback", Err: err}
	}
	cb := &sms.Callback{Events: make([]sms.Event, 0, len(env.Events))}
	for _, raw := range env.Events {
		var it callbackItem
		ev := sms.Event{Provider: r.opts.Name, Raw: raw}
		if err := json.Unmarshal(raw, &it); err != nil {
			ev.ID = sms.EventID(r.opts.Name, "", "unreadable", string(raw))
			cb.Events = append(cb.Events, ev)
			continue
		}
		ev.ID, ev.MessageID, ev.From, ev.To, ev.Reference, ev.Timestamp = it.ID, it.MessageID, it.From, it.To, it.Reference, it.Time
		switch it.Kind {
		case "status":
			ev.Type = sms.EventDeliveryReport
			ev.RawStatus = it.Status
			ev.Status = sms.ParseStatus(it.Status)
			ev.ErrorCode = it.ErrorCode
			if it.ErrorCode != "" {
				ev.Code = recorderCodes[it.ErrorCode]
			}
		case "inbound":
			ev.Type = sms.EventInbound
			if it.OptOut {
				ev.Type = sms.EventOptOut
			}
			ev.Body = it.Body
			ev.Scope, ev.ScopeID = sms.ScopeSender, it.To
		}
		if ev.ID == "" {
			ev.ID = sms.EventID(r.opts.Name, it.MessageID, it.Status, it.ErrorCode)
		}
		cb.Events = append(cb.Events, ev)
	}
	return cb, nil
}

var _ sms.Provider = (*Recorder)(nil)
