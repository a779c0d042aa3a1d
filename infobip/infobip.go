package infobip

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/norm"
)

// Name is the provider name in events, errors and logs.
const Name = "infobip"

// Limits of the Infobip SMS API (vendors/infobip.md §2c).
const (
	// MaxSegments is the longest message Infobip takes: above 25 parts it answers
	// REJECTED_MESSAGE_TOO_LONG.
	MaxSegments = 25
	// MaxCallbackData is the longest Message.Reference, sent as callbackData.
	MaxCallbackData = 4000
	// MaxValidity is Infobip's maximum (and default) validity; a longer one is refused
	// rather than silently clamped as Infobip would.
	MaxValidity = 48 * time.Hour
)

// Endpoint paths.
const (
	pathSendV3 = "/sms/3/messages"
	pathSendV2 = "/sms/2/text/advanced"
	pathLogs   = "/sms/3/logs"
)

// notifyContentType is the body format asked of delivery reports: JSON, the one this package
// parses.
const notifyContentType = "application/json"

// Provider sends through Infobip and parses its delivery reports and inbound messages. Wrap
// it in sms.NewClient to send. It is safe for concurrent use.
type Provider struct {
	auth     sms.Secret // "App <key>": a Secret, so that printing a struct holding the Provider raw shows no key
	version  APIVersion
	sendURL  string
	delivery string // Config.DeliveryURL
	max      int
	t        *httpx.Transport
	cb       *cbauth.Verifier
	verify   func(*http.Request, []byte) error
	insecure bool
	rejected rejectedIDs
	logger   *slog.Logger // Options.Logger as given, for Logger
}

// rememberRejected is how many messageIds rejected at acceptance a provider remembers.
const rememberRejected = 4096

// rejectedIDs remembers the messageIds Infobip rejected at acceptance, with the error each
// recipient got, oldest forgotten first. Infobip keeps a rejected message under its id, so a
// retry of that recipient with the same idempotency key (sms.Client retries a transient
// rejection such as REJECTED_SYSTEM_ERROR) is refused as REJECTED_DUPLICATE_MESSAGE_ID: that
// answer is the earlier rejection, not proof of an accepted message. The zero value is ready.
type rejectedIDs struct {
	mu    sync.Mutex
	errs  map[string]*sms.Error
	order []string // ring of the ids in errs, next slot at next
	next  int
}

func (r *rejectedIDs) add(id string, e *sms.Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errs == nil {
		r.errs = make(map[string]*sms.Error)
	}
	if _, ok := r.errs[id]; !ok {
		if len(r.order) < rememberRejected {
			r.order = append(r.order, id)
		} else {
			delete(r.errs, r.order[r.next])
			r.order[r.next] = id
			r.next = (r.next + 1) % rememberRejected
		}
	}
	c := *e // the caller's error goes on to sms.Client, which may wrap it
	r.errs[id] = &c
}

// get returns a copy of the error remembered for id, or nil.
func (r *rejectedIDs) get(id string) *sms.Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.errs[id]
	if !ok {
		return nil
	}
	c := *e
	return &c
}

// New returns an Infobip provider. cfg.APIKey and cfg.BaseURL are required. opts may be nil.
func New(cfg Config, opts *Options) (*Provider, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if cfg.APIKey.IsZero() || strings.TrimSpace(cfg.APIKey.Reveal()) == "" {
		return nil, refused("APIKey is required (Infobip portal, Developers tab)")
	}
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		return nil, refused("BaseURL is required: the account's API base URL (Infobip portal, Developers tab)")
	}
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	if o.APIVersion != V3 && o.APIVersion != V2 {
		return nil, refused("APIVersion must be V3 or V2")
	}
	if o.MaxRecipients < 0 {
		return nil, refused("MaxRecipients must not be negative")
	}
	if o.MaxRecipients == 0 {
		o.MaxRecipients = DefaultMaxRecipients
	}
	if cfg.DeliveryURL != "" {
		if err := checkNotifyURL(cfg.DeliveryURL, "DeliveryURL"); err != nil {
			return nil, err
		}
	}
	t, err := vendor.NewTransport(httpx.TransportOptions{
		DefaultBaseURL: base, BaseURLField: "BaseURL",
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Logger: o.Logger,
	})
	if err != nil {
		return nil, err
	}
	p := &Provider{
		auth:     sms.NewSecret("App " + strings.TrimSpace(cfg.APIKey.Reveal())),
		version:  o.APIVersion,
		delivery: cfg.DeliveryURL,
		max:      o.MaxRecipients,
		t:        t,
		cb:       newCallbackVerifier(&cfg),
		verify:   cfg.VerifyCallback,
		insecure: cfg.InsecureSkipCallbackAuth,
		logger:   o.Logger,
	}
	p.sendURL = t.BaseURL + pathSendV3
	if p.version == V2 {
		p.sendURL = t.BaseURL + pathSendV2
	}
	return p, nil
}

// checkNotifyURL refuses a delivery URL that is not an absolute http(s) URL. The URL is not
// quoted: it may hold the callback token.
func checkNotifyURL(raw, field string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return refused(field + " must be an absolute http(s) URL")
	}
	return nil
}

// Logger returns Options.Logger, or nil when none was given. It implements sms.LoggerSource:
// sms.NewClient and webhook.Handler log through it unless given their own logger, so the
// logger is set once, here.
func (p *Provider) Logger() *slog.Logger { return p.logger }

// Name implements sms.Provider.
func (p *Provider) Name() string { return Name }

// String describes the provider without credentials.
func (p *Provider) String() string {
	return "infobip.Provider{base=" + p.t.BaseURL + ", api=" + p.version.String() + "}"
}

// GoString describes the provider without credentials.
func (p *Provider) GoString() string { return p.String() }

// Format prints the provider without credentials for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue implements slog.LogValuer: the description, without credentials.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// CloseIdleConnections implements sms.IdleCloser: it closes the idle connections of the HTTP
// client sends and fetches use. The provider stays usable.
func (p *Provider) CloseIdleConnections() { p.t.Client.CloseIdleConnections() }

// Capabilities implements sms.Provider: Options.MaxRecipients destinations per request
// (default 1000), 25 segments, a delivery-report URL per message (v3 webhooks.delivery.url,
// v2 notifyUrl), delivery reports and inbound messages through ParseCallback. Sends are not
// declared idempotent: Infobip refuses a reused messageId (REJECTED_DUPLICATE_MESSAGE_ID),
// but whether that check spans separate requests is not published (see # Assumptions).
// Infobip's SMS API has no traffic-class field, so no Message.Type other than TypeDefault is
// honoured.
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree, sms.SenderShortCode, sms.SenderAlphanumeric},
		MaxRecipients:   p.max,
		MaxBody:         MaxSegments,
		BodyUnit:        sms.UnitSegments,
		DeliveryReports: true,
		Inbound:         true,
		IdempotentSends: false,
		CallbackURL:     true,
		MessageTypes:    nil,
	}
}

// alphanumeric is Infobip's alphanumeric sender rule: 3–11 characters (vendors/infobip.md
// §4); the character set is not published, so the root's is used.
var alphanumeric = sms.AlphanumericRule{Provider: Name, MinLen: 3, MaxLen: 11, Symbols: " -+_&."}

// ValidateSender narrows the root sender rules to Infobip's: an alphanumeric sender ID is 3
// to 11 characters. Numbers (long codes, toll-free, 10DLC) follow the root E.164 rule and
// short codes the root digits rule; all must be provisioned on the account.
func (p *Provider) ValidateSender(s sms.Sender) error {
	if s.ResolvedType() == sms.SenderAlphanumeric {
		return alphanumeric.Validate(s.Value)
	}
	return nil
}

// messageIDNamespace is the UUIDv5 namespace of our messageIds and bulkIds: UUIDv5 of the
// URL namespace and "https://github.com/smsbridge/sms/infobip#messageId".
var messageIDNamespace = norm.UUID5(norm.NamespaceURL, "https://github.com/smsbridge/sms/infobip#messageId")

// MessageID returns the messageId sent for recipient to of a message with idempotency key
// key: the name-based UUID (version 5) of key + "|" + to, lower-case 8-4-4-4-12. The same key
// and recipient always give the same id, in any process, so a resend with the persisted
// Message.IdempotencyKey is refused by Infobip as REJECTED_DUPLICATE_MESSAGE_ID instead of
// creating a second message (when Infobip still remembers the first; see # Assumptions), and
// FetchStatus can look the message up whatever the answer to the first request was.
func MessageID(key, to string) string {
	return norm.FormatUUID(norm.UUID5(messageIDNamespace, key+"|"+to))
}

// bulkID is the bulkId of one request: derived from the key and every recipient, so that a
// retry of the same request carries the same one.
func bulkID(key string, to []string) string {
	return norm.FormatUUID(norm.UUID5(messageIDNamespace, "bulk|"+key+"|"+strings.Join(to, ",")))
}

// v3Request is the body of POST /sms/3/messages. Together with v3Message it is the v3 field
// table (vendors/infobip.md §2a):
//
//	sms.Message         v3 field
//	To[i]               messages[0].destinations[i].to (digits, no '+')
//	(derived)           messages[0].destinations[i].messageId (MessageID)
//	From.Value          messages[0].sender (numbers without '+')
//	Body                messages[0].content.text
//	CallbackURL         messages[0].webhooks.delivery.url (default Config.DeliveryURL)
//	(fixed)             messages[0].webhooks.contentType "application/json"
//	Reference           messages[0].webhooks.callbackData
//	Validity            messages[0].options.validityPeriod {amount, timeUnit MINUTES|SECONDS}
//	(derived)           options.schedule.bulkId
type v3Request struct {
	Messages []v3Message `json:"messages"`
	Options  *v3Options  `json:"options,omitempty"`
}

type v3Message struct {
	Sender       string        `json:"sender,omitempty"`
	Destinations []destination `json:"destinations"`
	Content      v3Content     `json:"content"`
	Options      *v3MsgOptions `json:"options,omitempty"`
	Webhooks     *v3Webhooks   `json:"webhooks,omitempty"`
}

type v3Content struct {
	Text string `json:"text"`
}

type v3MsgOptions struct {
	ValidityPeriod *v3Validity `json:"validityPeriod,omitempty"`
}

type v3Validity struct {
	Amount   int64  `json:"amount"`
	TimeUnit string `json:"timeUnit"`
}

type v3Webhooks struct {
	Delivery     *v3Delivery `json:"delivery,omitempty"`
	ContentType  string      `json:"contentType,omitempty"`
	CallbackData string      `json:"callbackData,omitempty"`
}

type v3Delivery struct {
	URL string `json:"url"`
}

type v3Options struct {
	Schedule v3Schedule `json:"schedule"`
}

type v3Schedule struct {
	BulkID string `json:"bulkId"`
}

// v2Request is the body of POST /sms/2/text/advanced. Together with v2Message it is the v2
// field table (vendors/infobip.md §2b):
//
//	sms.Message         v2 field
//	To[i]               messages[0].destinations[i].to (digits, no '+')
//	(derived)           messages[0].destinations[i].messageId (MessageID)
//	From.Value          messages[0].from (numbers without '+')
//	Body                messages[0].text
//	CallbackURL         messages[0].notifyUrl (default Config.DeliveryURL)
//	(fixed)             messages[0].notifyContentType "application/json"
//	Reference           messages[0].callbackData
//	Validity            messages[0].validityPeriod (whole minutes, rounded up)
//	(derived)           bulkId
type v2Request struct {
	BulkID   string      `json:"bulkId"`
	Messages []v2Message `json:"messages"`
}

type v2Message struct {
	Destinations      []destination `json:"destinations"`
	From              string        `json:"from,omitempty"`
	Text              string        `json:"text"`
	NotifyURL         string        `json:"notifyUrl,omitempty"`
	NotifyContentType string        `json:"notifyContentType,omitempty"`
	CallbackData      string        `json:"callbackData,omitempty"`
	ValidityPeriod    int64         `json:"validityPeriod,omitempty"`
}

type destination struct {
	To        string `json:"to"`
	MessageID string `json:"messageId"`
}

// wireNumber is a number as Infobip writes it: E.164 digits without '+'.
func wireNumber(s string) string { return strings.TrimPrefix(s, "+") }

// sendBody builds the request body for msg and returns it with the messageIds in recipient
// order.
func (p *Provider) sendBody(msg *sms.Message) ([]byte, []string, error) {
	key := msg.IdempotencyKey
	if key == "" {
		key = norm.RandomKey() // called without sms.Client: ids are still unique, not repeatable
	}
	notify := msg.CallbackURL
	if notify == "" {
		notify = p.delivery
	} else if err := checkNotifyURL(notify, "CallbackURL"); err != nil {
		return nil, nil, err
	}
	if len(msg.Reference) > MaxCallbackData {
		return nil, nil, refused(fmt.Sprintf("Reference is sent as callbackData: at most %d characters", MaxCallbackData))
	}
	if msg.Validity < 0 || msg.Validity > MaxValidity {
		return nil, nil, refused("Infobip validity must be at most 48h")
	}
	from := msg.From.Value
	if t := msg.From.ResolvedType(); t == sms.SenderLongCode || t == sms.SenderTollFree {
		from = wireNumber(from)
	}
	ids := make([]string, len(msg.To))
	dests := make([]destination, len(msg.To))
	for i, to := range msg.To {
		ids[i] = MessageID(key, to)
		dests[i] = destination{To: wireNumber(to), MessageID: ids[i]}
	}
	bulk := bulkID(key, msg.To)
	var v any
	switch p.version {
	case V2:
		m := v2Message{Destinations: dests, From: from, Text: msg.Body, CallbackData: msg.Reference}
		if notify != "" {
			m.NotifyURL, m.NotifyContentType = notify, notifyContentType
		}
		if msg.Validity > 0 {
			m.ValidityPeriod = int64((msg.Validity + time.Minute - 1) / time.Minute)
		}
		v = &v2Request{BulkID: bulk, Messages: []v2Message{m}}
	default:
		m := v3Message{Sender: from, Destinations: dests, Content: v3Content{Text: msg.Body}}
		if notify != "" || msg.Reference != "" {
			m.Webhooks = &v3Webhooks{CallbackData: msg.Reference}
			if notify != "" {
				m.Webhooks.Delivery = &v3Delivery{URL: notify}
				m.Webhooks.ContentType = notifyContentType
			}
		}
		if msg.Validity > 0 {
			vp := &v3Validity{Amount: int64(msg.Validity / time.Minute), TimeUnit: "MINUTES"}
			if msg.Validity%time.Minute != 0 {
				vp = &v3Validity{Amount: int64((msg.Validity + time.Second - 1) / time.Second), TimeUnit: "SECONDS"}
			}
			m.Options = &v3MsgOptions{ValidityPeriod: vp}
		}
		v = &v3Request{Messages: []v3Message{m}, Options: &v3Options{Schedule: v3Schedule{BulkID: bulk}}}
	}
	var buf bytes.Buffer
	buf.Grow(256 + len(msg.Body) + len(notify) + len(msg.Reference) + 80*len(msg.To))
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the official clients write it
	if err := enc.Encode(v); err != nil {
		e := newError(sms.CodeInternal, "encoding the send request")
		e.NotAccepted, e.Err = true, err
		return nil, nil, e
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), ids, nil
}

// sendResponse covers the v3 and v2 send answers: v3 names the recipient destination and the
// parts details.messageCount, v2 names them to and smsCount.
type sendResponse struct {
	BulkID   string     `json:"bulkId"`
	Messages []sendItem `json:"messages"`
}

type sendItem struct {
	MessageID   string    `json:"messageId"`
	Status      statusObj `json:"status"`
	Destination string    `json:"destination"` // v3
	To          string    `json:"to"`          // v2
	SMSCount    int       `json:"smsCount"`    // v2
	Details     struct {
		MessageCount int `json:"messageCount"`
	} `json:"details"` // v3
}

func (it *sendItem) to() string {
	if it.Destination != "" {
		return it.Destination
	}
	return it.To
}

// Send implements sms.Provider: one POST (v3 /sms/3/messages, or v2 /sms/2/text/advanced)
// for up to Capabilities.MaxRecipients recipients, one attempt, each destination with its own
// messageId (MessageID of Message.IdempotencyKey and the recipient) and the request with a
// bulkId. The answer's messages[] gives one result per recipient: a status in group PENDING
// (or DELIVERED) is accepted; REJECTED_DUPLICATE_MESSAGE_ID means the message already exists
// and is reported accepted with our messageId — unless this provider saw Infobip reject that
// messageId (its last 4096 rejections), when it is that earlier rejection again; another
// REJECTED status is that recipient's error, with the class of the status table
// (REJECTED_DESTINATION_BLOCKLISTED → OptedOut). A
// request that failed as a whole — not sent, refused, or answered without a readable result
// — returns (nil, err); sms.Client copies err to every recipient.
func (p *Provider) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if msg == nil || len(msg.To) == 0 {
		return nil, refused("no recipients")
	}
	if len(msg.To) > p.max {
		return nil, refused(fmt.Sprintf("%d recipients: this provider sends at most %d per request (Options.MaxRecipients)", len(msg.To), p.max))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	body, ids, err := p.sendBody(msg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.sendURL, bytes.NewReader(body))
	if err != nil {
		return nil, refused("cannot build request")
	}
	p.headers(req)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.t.Send(req)
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, mapError(resp)
	}
	res, accepted, err := p.results(msg, ids, resp)
	if err != nil {
		return nil, err
	}
	if p.t.Logger.Enabled(ctx, slog.LevelDebug) {
		p.t.Logger.LogAttrs(ctx, slog.LevelDebug, "infobip send",
			slog.Int("recipients", len(msg.To)), slog.Int("accepted", accepted))
	}
	return res, nil
}

// headers sets what every request carries.
func (p *Provider) headers(req *http.Request) {
	req.Header.Set("Authorization", p.auth.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "smsbridge-go")
}

// results maps a 2xx answer to one result per recipient, found by our messageId (else by
// position when the number matches). A body that is not the documented shape, or that has no
// item for a recipient, is OutcomeUnknown: Infobip answered 2xx, so the message may exist,
// under the messageId the error names.
func (p *Provider) results(msg *sms.Message, ids []string, resp *httpx.Response) ([]sms.SendResult, int, error) {
	var body sendResponse
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.Messages == nil {
		e := newError(sms.CodeOutcomeUnknown, "unreadable success response; look the messages up by their messageIds (FetchStatus)")
		e.HTTPStatus, e.Err = resp.StatusCode, err
		return nil, 0, e
	}
	byID := make(map[string]int, len(body.Messages))
	for i := range body.Messages {
		if id := body.Messages[i].MessageID; id != "" {
			if _, dup := byID[id]; !dup {
				byID[id] = i
			}
		}
	}
	res := make([]sms.SendResult, len(msg.To))
	accepted := 0
	for i, to := range msg.To {
		res[i].To = to
		var it *sendItem
		if j, ok := byID[ids[i]]; ok {
			it = &body.Messages[j]
		} else if i < len(body.Messages) && body.Messages[i].MessageID == "" && wireNumber(body.Messages[i].to()) == wireNumber(to) {
			it = &body.Messages[i]
		}
		if it == nil {
			e := newError(sms.CodeOutcomeUnknown, "the request was accepted but the response has no result for this recipient; its messageId is "+ids[i])
			e.HTTPStatus = resp.StatusCode
			res[i].Err = e
			continue
		}
		status, class := StatusOf(it.Status.GroupID, it.Status.ID, it.Status.GroupName)
		segs := it.Details.MessageCount
		if segs == 0 {
			segs = it.SMSCount
		}
		id := it.MessageID
		if id == "" {
			id = ids[i]
		}
		switch {
		case it.Status.GroupID == GroupRejected && it.Status.ID == StatusDuplicateMessageID:
			if e := p.rejected.get(ids[i]); e != nil {
				// The id is that of a message Infobip rejected (an earlier attempt of this
				// send, in this process): the recipient still has nothing accepted.
				e.Message = "refused as a duplicate of an earlier rejection: " + e.Message
				res[i].Err = e
				continue
			}
			// The message exists already (an earlier attempt of this send was accepted).
			res[i].MessageID, res[i].Status, res[i].Segments = id, sms.StatusAccepted, segs
			accepted++
		case status == sms.StatusAccepted || status == sms.StatusQueued || status == sms.StatusSent || status == sms.StatusDelivered:
			res[i].MessageID, res[i].Status, res[i].Segments = id, status, segs
			accepted++
		default:
			e := newError(class, it.Status.Description)
			if class == sms.CodeUnknown {
				e.Code = sms.CodeInvalidArgument
			}
			if e.Message == "" {
				e.Message = rawStatus(&it.Status)
			}
			e.HTTPStatus, e.VendorCode = resp.StatusCode, rawStatus(&it.Status)
			// A REJECTED status at acceptance means Infobip created no message for this
			// recipient; an UNDELIVERABLE or EXPIRED one (never seen at acceptance) names a
			// message that exists, which a resend would duplicate.
			e.NotAccepted = it.Status.GroupID == GroupRejected
			if status == sms.StatusUnknown {
				e.Code = sms.CodeOutcomeUnknown
				e.NotAccepted = false
			}
			if e.NotAccepted {
				p.rejected.add(ids[i], e)
			}
			res[i].Err = e
		}
	}
	return res, accepted, nil
}

// logsResponse is the answer of GET /sms/3/logs.
type logsResponse struct {
	Results []struct {
		MessageID string    `json:"messageId"`
		Status    statusObj `json:"status"`
		Error     *errorObj `json:"error"`
	} `json:"results"`
}

// FetchStatus implements sms.StatusFetcher with GET /sms/3/logs?messageId=…, retried when
// safe: it resolves an OutcomeUnknown recipient by the messageId Send derived for it
// (MessageID). A message Infobip does not list is CodeNotFound: with our own messageIds that
// means the request never created it (or its logs are older than Infobip keeps them). An
// entry with status REJECTED_DUPLICATE_MESSAGE_ID is a refused resend under the same id and
// is skipped. A failure that outlasts the retries is CodeUnavailable.
func (p *Provider) FetchStatus(ctx context.Context, messageID string) (sms.Status, error) {
	if messageID == "" {
		return sms.StatusUnknown, refused("empty message id")
	}
	u := p.t.BaseURL + pathLogs + "?messageId=" + url.QueryEscape(messageID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return sms.StatusUnknown, refused("cannot build request")
	}
	p.headers(req)
	resp, err := p.t.Fetch(req, mapError)
	if err != nil {
		return sms.StatusUnknown, err
	}
	var b logsResponse
	if err := json.Unmarshal(resp.Body, &b); err != nil {
		e := newError(sms.CodeUnavailable, "unreadable logs response")
		e.HTTPStatus, e.Err = resp.StatusCode, err
		return sms.StatusUnknown, e
	}
	for _, r := range b.Results {
		if r.Status.GroupID == GroupRejected && r.Status.ID == StatusDuplicateMessageID {
			continue // a refused resend under the same id, not the message that has it
		}
		if r.MessageID == messageID || r.MessageID == "" {
			st, _ := classOf(&r.Status, r.Error)
			return st, nil
		}
	}
	e := newError(sms.CodeNotFound, "Infobip lists no message with this id")
	e.HTTPStatus = resp.StatusCode
	return sms.StatusUnknown, e
}

var (
	_ sms.LoggerSource    = (*Provider)(nil)
	_ sms.Provider        = (*Provider)(nil)
	_ sms.StatusFetcher   = (*Provider)(nil)
	_ sms.SenderValidator = (*Provider)(nil)
	_ sms.IdleCloser      = (*Provider)(nil)
)
