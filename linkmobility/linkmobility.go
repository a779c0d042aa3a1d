package linkmobility

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
	"github.com/smsbridge/sms/internal/httpx"
)

// Name is the provider name in events, errors and logs.
const Name = "linkmobility"

// Limits of the Common platform SMS REST API (vendors/linkmobility.md §2c).
const (
	// MaxSegments is the longest message LINK splits: 254 parts.
	MaxSegments = 254
	// MaxValidity is LINK's maximum (and default) validity; a longer one is refused rather
	// than silently cut.
	MaxValidity = 48 * time.Hour
)

// Endpoint paths, appended to the base URL.
const (
	pathSend  = "/sms/send"
	pathBatch = "/sms/sendbatch"
)

// Provider sends through LINK Mobility's Common platform SMS REST API and parses its delivery
// reports and inbound messages. Wrap it in sms.NewClient to send. It is safe for concurrent
// use.
type Provider struct {
	auth       sms.Secret // "Basic …": a Secret, so that printing a struct holding the Provider raw shows no password
	platform   string
	partner    string
	gate       string
	sendURL    string
	batchURL   string
	max        int
	t          *httpx.Transport
	cb         *cbauth.Verifier
	sources    []netip.Prefix
	ack        string
	logger     *slog.Logger
	descriptor string
}

// New returns a LINK Mobility provider. cfg.Username, cfg.Password, cfg.PlatformID,
// cfg.PlatformPartnerID and cfg.BaseURL are required. opts may be nil.
func New(cfg Config, opts *Options) (*Provider, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if strings.TrimSpace(cfg.Username) == "" || cfg.Password.IsZero() {
		return nil, refused("Username and Password are required (from LINK's support)")
	}
	if strings.TrimSpace(cfg.PlatformID) == "" || strings.TrimSpace(cfg.PlatformPartnerID) == "" {
		return nil, refused("PlatformID and PlatformPartnerID are required (from LINK's support)")
	}
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		return nil, refused("BaseURL is required: the host LINK's support assigned (e.g. linkmobility.HostNorway)")
	}
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	base = strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/sms")
	if o.MaxRecipients < 0 || o.MaxRecipients > DefaultMaxRecipients {
		return nil, refused(fmt.Sprintf("MaxRecipients must be between 1 and %d", DefaultMaxRecipients))
	}
	if o.MaxRecipients == 0 {
		o.MaxRecipients = DefaultMaxRecipients
	}
	t, err := vendor.NewTransport(httpx.TransportOptions{
		DefaultBaseURL: base, BaseURLField: "BaseURL",
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Logger: o.Logger,
	})
	if err != nil {
		return nil, err
	}
	cred := strings.TrimSpace(cfg.Username) + ":" + cfg.Password.Reveal()
	p := &Provider{
		auth:     sms.NewSecret("Basic " + base64.StdEncoding.EncodeToString([]byte(cred))),
		platform: strings.TrimSpace(cfg.PlatformID),
		partner:  strings.TrimSpace(cfg.PlatformPartnerID),
		gate:     strings.TrimSpace(cfg.GateID),
		sendURL:  t.BaseURL + pathSend,
		batchURL: t.BaseURL + pathBatch,
		max:      o.MaxRecipients,
		t:        t,
		cb:       newCallbackVerifier(&cfg),
		sources:  append([]netip.Prefix(nil), cfg.CallbackSources...),
		ack:      cfg.AckBody,
		logger:   o.Logger,
	}
	p.descriptor = "linkmobility.Provider{base=" + t.BaseURL + ", platformId=" + p.platform + ", gate=" + p.gate + "}"
	return p, nil
}

// Name implements sms.Provider.
func (p *Provider) Name() string { return Name }

// Logger implements sms.LoggerSource: Options.Logger as given (nil when none was).
func (p *Provider) Logger() *slog.Logger { return p.logger }

// String describes the provider without credentials.
func (p *Provider) String() string { return p.descriptor }

// GoString describes the provider without credentials.
func (p *Provider) GoString() string { return p.String() }

// Format prints the provider without credentials for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue implements slog.LogValuer: the description, without credentials.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// CloseIdleConnections implements sms.IdleCloser: it closes the idle connections of the HTTP
// client sends use. The provider stays usable.
func (p *Provider) CloseIdleConnections() { p.t.Client.CloseIdleConnections() }

// Capabilities implements sms.Provider: Options.MaxRecipients items per /sms/sendbatch
// (default 1000), 254 segments, delivery reports (through the gate, when Config.GateID is
// set) and inbound messages through ParseCallback. No per-message callback URL: LINK sends
// reports to gates its support configures. Sends are not idempotent: LINK has no idempotency
// key and does not de-duplicate on refId (see # Assumptions).
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderAlphanumeric, sms.SenderShortCode, sms.SenderLongCode},
		MaxRecipients:   p.max,
		MaxBody:         MaxSegments,
		BodyUnit:        sms.UnitSegments,
		DeliveryReports: true,
		Inbound:         true,
		IdempotentSends: false,
		CallbackURL:     false,
	}
}

// alphanumeric is LINK's alphanumeric sender rule: 2–11 characters of a-z, A-Z, 0-9
// (vendors/linkmobility.md §4); ValidateSender adds "must not begin with a digit".
var alphanumeric = sms.AlphanumericRule{Provider: Name, MinLen: 2, MaxLen: 11}

// ValidateSender narrows the root sender rules to LINK's: an alphanumeric sender is 2 to 11
// letters and digits and must not begin with a digit (sourceTON ALPHANUMERIC); a short code
// is 1–14 digits (SHORTNUMBER, the root's digits rule applies); a number is E.164 (MSISDN).
func (p *Provider) ValidateSender(s sms.Sender) error {
	if s.ResolvedType() != sms.SenderAlphanumeric {
		return nil
	}
	if err := alphanumeric.Validate(s.Value); err != nil {
		return err
	}
	if s.Value[0] >= '0' && s.Value[0] <= '9' {
		return refused(fmt.Sprintf("alphanumeric sender ID %q must not begin with a digit (LINK)", s.Value))
	}
	return nil
}

// Sender types on the wire (sourceTON).
const (
	tonAlphanumeric = "ALPHANUMERIC"
	tonShortNumber  = "SHORTNUMBER"
	tonMSISDN       = "MSISDN"
)

// sendMessage is the body of POST /sms/send and one item of sendRequestMessages. Together
// with batchRequest it is the field table (vendors/linkmobility.md §2a–b):
//
//	sms.Message         LINK field
//	From.Value          source (numbers with '+')
//	From type           sourceTON: ALPHANUMERIC, SHORTNUMBER or MSISDN
//	To[i]               destination (E.164 with '+')
//	Body                userData
//	Reference           refId (echoed in delivery reports)
//	Validity            relativeValidityTime (ms)
//	Config.GateID       useDeliveryReport true + deliveryReportGates [GateID]; else false
//	(fixed)             ignoreResponse false, customParameters {"replySmsCount": "true"}
type sendMessage struct {
	Source               string            `json:"source"`
	SourceTON            string            `json:"sourceTON"`
	Destination          string            `json:"destination"`
	UserData             string            `json:"userData"`
	RefID                string            `json:"refId,omitempty"`
	PlatformID           string            `json:"platformId,omitempty"`
	PlatformPartnerID    string            `json:"platformPartnerId,omitempty"`
	UseDeliveryReport    *bool             `json:"useDeliveryReport,omitempty"`
	DeliveryReportGates  []string          `json:"deliveryReportGates,omitempty"`
	RelativeValidityTime int64             `json:"relativeValidityTime,omitempty"`
	CustomParameters     map[string]string `json:"customParameters,omitempty"`
	IgnoreResponse       *bool             `json:"ignoreResponse,omitempty"`
}

// batchRequest is the body of POST /sms/sendbatch.
type batchRequest struct {
	PlatformID           string            `json:"platformId"`
	PlatformPartnerID    string            `json:"platformPartnerId"`
	UseDeliveryReport    bool              `json:"useDeliveryReport"`
	DeliveryReportGates  []string          `json:"deliveryReportGates,omitempty"`
	RelativeValidityTime int64             `json:"relativeValidityTime,omitempty"`
	CustomParameters     map[string]string `json:"customParameters"`
	IgnoreResponse       bool              `json:"ignoreResponse"`
	SendRequestMessages  []sendMessage     `json:"sendRequestMessages"`
}

// customParameters is what every request asks: smsCount in the answer (Segments). Values are
// strings, as LINK reads them.
var customParameters = map[string]string{"replySmsCount": "true"}

// sourceOf returns source and sourceTON for the sender.
func sourceOf(s sms.Sender) (string, string) {
	switch s.ResolvedType() {
	case sms.SenderShortCode:
		return s.Value, tonShortNumber
	case sms.SenderLongCode, sms.SenderTollFree:
		v := s.Value
		if !strings.HasPrefix(v, "+") {
			v = "+" + v
		}
		return v, tonMSISDN
	default:
		return s.Value, tonAlphanumeric
	}
}

// ValidateMessage implements sms.MessageValidator: sms.Client refuses a message LINK cannot
// carry (see checkBMP) before any request, with no results, as any other invalid message.
func (p *Provider) ValidateMessage(m *sms.Message) error { return checkBMP(m.Body) }

// checkBMP refuses text LINK cannot carry: characters outside the Basic Multilingual Plane
// (4-byte UTF-8, most emoji; vendors/linkmobility.md §2c).
func checkBMP(body string) error {
	for i, r := range body {
		if r > 0xFFFF {
			return refused(fmt.Sprintf("the text has %q at byte %d: LINK carries only characters of the Basic Multilingual Plane (no 4-byte characters such as most emoji)", r, i))
		}
	}
	return nil
}

// sendBody builds the request body for msg: /sms/send for one recipient, /sms/sendbatch for
// several. It returns the body and whether it is a batch.
func (p *Provider) sendBody(msg *sms.Message) ([]byte, bool, error) {
	if err := checkBMP(msg.Body); err != nil {
		return nil, false, err
	}
	if msg.Validity < 0 || msg.Validity > MaxValidity {
		return nil, false, refused("LINK validity must be at most 48h")
	}
	if msg.CallbackURL != "" {
		return nil, false, refused("LINK sends delivery reports to the gate its support configured; Message.CallbackURL is not supported")
	}
	src, ton := sourceOf(msg.From)
	validity := int64(msg.Validity / time.Millisecond)
	report := p.gate != ""
	var gates []string
	if report {
		gates = []string{p.gate}
	}
	var v any
	batch := len(msg.To) > 1
	if !batch {
		f := false
		v = &sendMessage{
			Source: src, SourceTON: ton, Destination: msg.To[0], UserData: msg.Body, RefID: msg.Reference,
			PlatformID: p.platform, PlatformPartnerID: p.partner,
			UseDeliveryReport: &report, DeliveryReportGates: gates, RelativeValidityTime: validity,
			CustomParameters: customParameters, IgnoreResponse: &f,
		}
	} else {
		items := make([]sendMessage, len(msg.To))
		for i, to := range msg.To {
			items[i] = sendMessage{Source: src, SourceTON: ton, Destination: to, UserData: msg.Body, RefID: msg.Reference}
		}
		v = &batchRequest{
			PlatformID: p.platform, PlatformPartnerID: p.partner,
			UseDeliveryReport: report, DeliveryReportGates: gates, RelativeValidityTime: validity,
			CustomParameters: customParameters, IgnoreResponse: false, SendRequestMessages: items,
		}
	}
	var buf bytes.Buffer
	buf.Grow(256 + len(msg.To)*(128+len(msg.Body)+len(msg.Reference)))
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		e := newError(sms.CodeInternal, "encoding the send request")
		e.NotAccepted, e.Err = true, err
		return nil, false, e
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), batch, nil
}

// sendResponse is one answer: the whole /sms/send answer, or one item of the /sms/sendbatch
// array. The single answer names its text description, the batch item message (§2d).
type sendResponse struct {
	MessageID   string `json:"messageId"`
	RefID       string `json:"refId"`
	ResultCode  *int   `json:"resultCode"`
	Description string `json:"description"`
	Message     string `json:"message"`
	SMSCount    int    `json:"smsCount"`
}

// Send implements sms.Provider: one attempt of POST /sms/send for one recipient or
// /sms/sendbatch for up to Capabilities.MaxRecipients (sms.Client splits larger sends),
// always with ignoreResponse false so that LINK answers the message ids. Text outside the
// Basic Multilingual Plane is refused before any request (CodeInvalidArgument, NotAccepted; the
// client copies it to every recipient). Each answer item with resultCode 1005 (Queued) is
// accepted with its messageId and smsCount; another resultCode is that recipient's error with
// the class of the status table. A request that failed as a whole returns (nil, err).
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
	body, batch, err := p.sendBody(msg)
	if err != nil {
		return nil, err
	}
	u := p.sendURL
	if batch {
		u = p.batchURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, refused("cannot build request")
	}
	req.Header.Set("Authorization", p.auth.Reveal())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "smsbridge-go")
	resp, err := p.t.Send(req)
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, mapError(resp)
	}
	res, err := results(msg, batch, resp)
	if err != nil {
		return nil, err
	}
	if p.t.Logger.Enabled(ctx, slog.LevelDebug) {
		p.t.Logger.LogAttrs(ctx, slog.LevelDebug, "linkmobility send",
			slog.Int("recipients", len(msg.To)), slog.Bool("batch", batch))
	}
	return res, nil
}

// results maps a 2xx answer to one result per recipient: the single answer object, or the
// batch array in request order (LINK answers one item per sendRequestMessages item; refId is
// the caller's reference, the same for every item, so order is the only key). Whatever leaves
// the outcome open is OutcomeUnknown, never NotAccepted (LINK answered 2xx, so the message may
// exist, and a NotAccepted recipient is sent again): a body that is not the documented shape (a
// 204 included), an item with no resultCode, an item of a state that is not a failure but with
// no messageId, and every recipient of a batch answer whose item count differs from the
// request's (position then says nothing about which recipient an item is for). An item with a
// messageId whose resultCode is not a failure (1005 Queued, or any other state of a message on
// its way or delivered) is accepted.
func results(msg *sms.Message, batch bool, resp *httpx.Response) ([]sms.SendResult, error) {
	var items []*sendResponse
	var err error
	if batch {
		err = json.Unmarshal(resp.Body, &items)
	} else {
		var one *sendResponse
		if err = json.Unmarshal(resp.Body, &one); err == nil {
			items = []*sendResponse{one}
		}
	}
	if err != nil || len(items) == 0 {
		e := newError(sms.CodeOutcomeUnknown, "unreadable success response: the messages may have been queued")
		e.HTTPStatus, e.Err = resp.StatusCode, err
		return nil, e
	}
	res := make([]sms.SendResult, len(msg.To))
	unknown := func(i int, text string) {
		e := newError(sms.CodeOutcomeUnknown, text)
		e.HTTPStatus = resp.StatusCode
		res[i].Err = e
	}
	if len(items) != len(msg.To) {
		text := fmt.Sprintf("the batch answer has %d items for %d recipients: which recipient each is for is not known, the messages may have been queued", len(items), len(msg.To))
		for i, to := range msg.To {
			res[i].To = to
			unknown(i, text)
		}
		return res, nil
	}
	for i, to := range msg.To {
		res[i].To = to
		it := items[i]
		if it == nil || it.ResultCode == nil {
			unknown(i, "the request was accepted but the answer has no resultCode for this recipient")
			continue
		}
		code := *it.ResultCode
		status, class := StatusOf(code)
		failure := status.IsFinal() && status != sms.StatusDelivered && status != sms.StatusUnknown
		if code == ResultQueued {
			status, failure = sms.StatusQueued, false
		}
		if !failure {
			if it.MessageID == "" {
				unknown(i, fmt.Sprintf("resultCode %d without a messageId", code))
				continue
			}
			res[i].MessageID, res[i].Status, res[i].Segments = it.MessageID, status, it.SMSCount
			if status == sms.StatusUnknown {
				res[i].Status = sms.StatusSent
			}
			continue
		}
		text := it.Description
		if text == "" {
			text = it.Message
		}
		if text == "" {
			text = statusText(code)
		}
		if class == sms.CodeUnknown {
			class = sms.CodeInvalidArgument
		}
		e := newError(class, text)
		e.HTTPStatus, e.VendorCode = resp.StatusCode, fmt.Sprint(code)
		e.NotAccepted = true
		res[i].Err = e
	}
	return res, nil
}

var (
	_ sms.LoggerSource     = (*Provider)(nil)
	_ sms.Provider         = (*Provider)(nil)
	_ sms.SenderValidator  = (*Provider)(nil)
	_ sms.MessageValidator = (*Provider)(nil)
	_ sms.IdleCloser       = (*Provider)(nil)
)
