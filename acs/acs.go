package acs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/cbauth"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/norm"
)

// Limits and fixed values of the ACS SMS API (vendors/acs.md §2).
const (
	// MaxRecipients is the number of recipients one send request may carry.
	MaxRecipients = 100
	// MaxBody is the message limit, counted in UTF-16 code units (Capabilities.BodyUnit):
	// the spec's maxLength of 2048 "characters", read the strict way.
	MaxBody = 2048
	// DeliveryReportAPIVersion is the api-version of GET /deliveryReports/{id}, used for
	// FetchStatus whatever Options.APIVersion says: older versions have no such operation.
	DeliveryReportAPIVersion = "2026-01-23"
	// DeliveryTimeoutAPIVersion is the first api-version whose send options carry
	// deliveryReportTimeoutInSeconds instead of validityPeriodSeconds.
	DeliveryTimeoutAPIVersion = "2025-09-17"
	// Scope is the Microsoft Entra ID scope requested for Config.Credential (the double
	// slash is Microsoft's).
	Scope = "https://communication.azure.com//.default"
)

// Validity bounds per api-version, in seconds.
const (
	minValidity        = 1
	maxValidity        = 18000 // validityPeriodSeconds, before DeliveryTimeoutAPIVersion
	minDeliveryTimeout = 60
	maxDeliveryTimeout = 43200 // deliveryReportTimeoutInSeconds, from DeliveryTimeoutAPIVersion
)

// Telemetry: the User-Agent is "smsbridge azsdk-go-acs/v1 (<go version>; <os>)".
const (
	moduleName    = "acs"
	moduleVersion = "v1"
	applicationID = "smsbridge"
)

// Provider sends through Azure Communication Services SMS and parses its Event Grid
// callbacks. Wrap it in sms.NewClient to send. It is safe for concurrent use.
type Provider struct {
	cfg        Config // as given
	apiVersion string
	sendURL    string           // {base}/sms?api-version={apiVersion}
	sendURI    string           // sendURL's path and query as on the request line (URL.RequestURI)
	t          *httpx.Transport // base URL, client, logger, retrying fetches
	cb         *cbauth.Verifier // callback authentication

	keys   []*accessKey // primary, then secondary if any; nil with a Credential
	cur    atomic.Int32 // index in keys of the key tried first
	bearer bool

	send  runtime.Pipeline // Entra ID only: one attempt per call, sms.Client decides retries
	fetch runtime.Pipeline // Entra ID only: azcore retries, fetches are safe to repeat

	reports bool
	now     func() time.Time
	log     *slog.Logger                // never nil
	logger  *slog.Logger                // Options.Logger as given, for Logger
	newID   func(key, to string) string // RepeatabilityID; tests replace it
}

// New returns an ACS provider. cfg must hold exactly one credential form: ConnectionString;
// Endpoint with AccessKey (and optionally SecondaryAccessKey); or Endpoint with Credential.
// opts may be nil.
func New(cfg Config, opts *Options) (*Provider, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	hasCS, hasKey, hasCred := !cfg.ConnectionString.IsZero(), !cfg.AccessKey.IsZero(), cfg.Credential != nil
	forms := 0
	for _, b := range []bool{hasCS, hasKey, hasCred} {
		if b {
			forms++
		}
	}
	switch {
	case forms == 0:
		return nil, invalid("a credential is required: ConnectionString, Endpoint+AccessKey or Endpoint+Credential")
	case forms > 1:
		return nil, invalid("give exactly one credential form: ConnectionString, AccessKey or Credential")
	case hasCred && !cfg.SecondaryAccessKey.IsZero():
		return nil, invalid("SecondaryAccessKey goes with an access key, not with Credential")
	case hasCS && cfg.Endpoint != "":
		return nil, invalid("Endpoint must be empty with ConnectionString, which names the endpoint")
	case !hasCS && cfg.Endpoint == "":
		return nil, invalid("Endpoint is required with AccessKey or Credential")
	}

	p := &Provider{cfg: cfg, reports: !o.DisableDeliveryReports, now: o.Now, newID: RepeatabilityID, cb: newCallbackVerifier(&cfg)}
	endpoint, field := cfg.Endpoint, "Endpoint"
	if hasCS {
		ep, key, err := ParseConnectionString(cfg.ConnectionString.Reveal())
		if err != nil {
			return nil, err // its messages never include the key
		}
		endpoint, field = ep, "connection string endpoint"
		k, _ := acssign.DecodeKey(key.Reveal())
		p.keys = []*accessKey{newAccessKey(k)}
	}
	if _, err := vendor.BaseURL(field, endpoint); err != nil {
		return nil, err
	}
	if hasKey {
		k, err := acssign.DecodeKey(cfg.AccessKey.Reveal())
		if err != nil {
			return nil, invalid("AccessKey is not base64")
		}
		p.keys = []*accessKey{newAccessKey(k)}
	}
	if !cfg.SecondaryAccessKey.IsZero() {
		k, err := acssign.DecodeKey(cfg.SecondaryAccessKey.Reveal())
		if err != nil {
			return nil, invalid("SecondaryAccessKey is not base64")
		}
		p.keys = append(p.keys, newAccessKey(k))
	}
	p.apiVersion = o.APIVersion
	if p.apiVersion == "" {
		p.apiVersion = DefaultAPIVersion
	}
	if !validAPIVersion(p.apiVersion) {
		return nil, invalid("APIVersion must look like 2021-03-07 or 2025-05-29-preview")
	}
	if p.now == nil {
		p.now = time.Now
	}
	t, err := vendor.NewTransport(httpx.TransportOptions{
		BaseURL: o.BaseURL, DefaultBaseURL: endpoint, BaseURLField: "BaseURL",
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Logger: o.Logger,
		Sign: p.signFetch,
	})
	if err != nil {
		return nil, err
	}
	p.t, p.log, p.logger = t, t.Logger, o.Logger
	p.sendURL = t.BaseURL + "/sms?api-version=" + p.apiVersion
	su, err := url.Parse(p.sendURL)
	if err != nil {
		return nil, invalid("cannot build the send URL")
	}
	p.sendURI = su.RequestURI()
	p.bearer = hasCred
	if hasCred {
		if !strings.HasPrefix(strings.ToLower(t.BaseURL), "https://") {
			return nil, invalid("Credential needs an https endpoint: azcore sends bearer tokens only over TLS")
		}
		auth := runtime.NewBearerTokenPolicy(cfg.Credential, []string{Scope}, nil)
		p.send = p.bearerPipeline(auth, -1) // one attempt: the root layer decides retries
		p.fetch = p.bearerPipeline(auth, httpx.DefaultFetchRetries)
	}
	return p, nil
}

// Logger returns Options.Logger, or nil when none was given. It implements sms.LoggerSource:
// sms.NewClient and webhook.Handler log through it unless given their own logger, so the
// logger is set once, here.
func (p *Provider) Logger() *slog.Logger { return p.logger }

// CloseIdleConnections closes the idle connections of the HTTP client the provider sends
// with (the optional sms.IdleCloser); connections in use are left alone and the provider
// stays usable.
func (p *Provider) CloseIdleConnections() { p.t.Client.CloseIdleConnections() }

// validAPIVersion accepts YYYY-MM-DD with an optional "-suffix" (previews).
func validAPIVersion(v string) bool {
	if len(v) < 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	for i, c := range []byte(v[:10]) {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	rest := v[10:]
	if rest == "" {
		return true
	}
	if rest[0] != '-' || len(rest) == 1 {
		return false
	}
	for _, c := range []byte(rest[1:]) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// atLeast reports whether api-version v is on or after the date of min.
func atLeast(v, min string) bool { return v[:10] >= min[:10] }

// Name implements sms.Provider.
func (p *Provider) Name() string { return Name }

// String describes the provider without credentials.
func (p *Provider) String() string {
	auth := "access key"
	switch {
	case p.bearer:
		auth = "Entra ID"
	case len(p.keys) > 1:
		auth = "access keys (primary, secondary)"
	}
	return "acs.Provider{endpoint=" + p.t.BaseURL + ", api-version=" + p.apiVersion + ", auth=" + auth + "}"
}

// GoString describes the provider without credentials.
func (p *Provider) GoString() string { return p.String() }

// Format prints the provider without credentials for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue implements slog.LogValuer: the description, without credentials.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Capabilities implements sms.Provider: 100 recipients per request, 2048 UTF-16 units,
// idempotent sends (repeatability ids), delivery reports (unless disabled) and inbound
// messages through Event Grid. Message.CallbackURL is not honoured (reports go to the Event
// Grid subscription) and no message type is supported (MessageTypes is empty).
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderTollFree, sms.SenderLongCode, sms.SenderShortCode, sms.SenderAlphanumeric},
		MaxRecipients:   MaxRecipients,
		MaxBody:         MaxBody,
		BodyUnit:        sms.UnitUTF16,
		DeliveryReports: p.reports,
		Inbound:         true,
		IdempotentSends: true,
		CallbackURL:     false,
		MessageTypes:    nil,
	}
}

// alphanumeric is ACS's rule for alphanumeric sender IDs (SMS FAQ): 1–11 of A–Z a–z 0–9,
// space, + - _ &, with at least one letter.
var alphanumeric = sms.AlphanumericRule{Provider: Name, MinLen: 1, MaxLen: 11, Symbols: " +-_&"}

// ValidateSender narrows the root sender rules to ACS's: a short code is 5 or 6 digits
// without "+"; an alphanumeric sender ID is 1–11 of A–Z a–z 0–9, space, + - _ &, with at
// least one letter (SMS FAQ). Numbers follow the root E.164 rule.
func (p *Provider) ValidateSender(s sms.Sender) error {
	switch s.ResolvedType() {
	case sms.SenderShortCode:
		if n := len(s.Value); n < 5 || n > 6 {
			return invalid(fmt.Sprintf("an ACS short code is 5 or 6 digits without '+', not %q", s.Value))
		}
	case sms.SenderAlphanumeric:
		return alphanumeric.Validate(s.Value)
	}
	return nil
}

// sendRequest is SendMessageRequest, fields in the order the official client writes them.
type sendRequest struct {
	From       string      `json:"from"`
	Recipients []recipient `json:"smsRecipients"`
	Message    string      `json:"message"`
	Options    sendOptions `json:"smsSendOptions"`
}

type recipient struct {
	To        string `json:"to"`
	ID        string `json:"repeatabilityRequestId"`
	FirstSent string `json:"repeatabilityFirstSent"`
}

type sendOptions struct {
	EnableDeliveryReport  bool   `json:"enableDeliveryReport"`
	Tag                   string `json:"tag,omitempty"`
	ValidityPeriodSeconds int    `json:"validityPeriodSeconds,omitempty"`
	DeliveryReportTimeout int    `json:"deliveryReportTimeoutInSeconds,omitempty"`
}

// sendItem is SmsSendResponseItem.
type sendItem struct {
	To                  string `json:"to"`
	MessageID           string `json:"messageId"`
	HTTPStatusCode      int    `json:"httpStatusCode"`
	Successful          bool   `json:"successful"`
	ErrorMessage        string `json:"errorMessage"`
	RepeatabilityResult string `json:"repeatabilityResult"`
}

// Send implements sms.Provider: one POST /sms for up to 100 recipients, one attempt, every
// recipient with its repeatability id and first-sent date so that sms.Client may retry any
// transient failure without a duplicate. A request that failed as a whole — not sent, refused,
// or answered without a readable result — returns (nil, err); sms.Client copies err to every
// recipient.
func (p *Provider) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if msg == nil || len(msg.To) == 0 {
		return nil, invalid("no recipients")
	}
	if len(msg.To) > MaxRecipients {
		return nil, invalid(fmt.Sprintf("%d recipients: ACS takes at most %d per request", len(msg.To), MaxRecipients))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	body, err := p.sendBody(msg)
	if err != nil {
		return nil, err
	}
	resp, err := p.request(ctx, http.MethodPost, p.sendURL, body, false)
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, mapError(resp)
	}
	res, accepted := p.results(msg, resp)
	if p.log.Enabled(ctx, slog.LevelDebug) {
		p.log.LogAttrs(ctx, slog.LevelDebug, "acs send",
			slog.Int("recipients", len(msg.To)), slog.Int("accepted", accepted),
			slog.String("request_id", requestID(resp.Header)))
	}
	return res, nil
}

// sendBody serialises the request as the official client does (HTML characters unescaped).
func (p *Provider) sendBody(msg *sms.Message) ([]byte, error) {
	first := msg.FirstAttempt
	if first.IsZero() {
		first = p.now()
	}
	firstSent := first.UTC().Format(http.TimeFormat)
	key := msg.IdempotencyKey
	if key == "" {
		key = norm.RandomKey() // no key: this call's recipients are still de-duplicated, not retries
	}
	r := sendRequest{
		From:       msg.From.Value,
		Recipients: make([]recipient, len(msg.To)),
		Message:    msg.Body,
		Options:    sendOptions{EnableDeliveryReport: p.reports, Tag: msg.Reference},
	}
	for i, to := range msg.To {
		r.Recipients[i] = recipient{To: to, ID: p.newID(key, to), FirstSent: firstSent}
	}
	if msg.Validity > 0 {
		secs := int(msg.Validity / time.Second)
		if atLeast(p.apiVersion, DeliveryTimeoutAPIVersion) {
			if secs < minDeliveryTimeout || secs > maxDeliveryTimeout {
				return nil, invalid(fmt.Sprintf("validity must be %ds to %ds (deliveryReportTimeoutInSeconds) with api-version %s", minDeliveryTimeout, maxDeliveryTimeout, p.apiVersion))
			}
			r.Options.DeliveryReportTimeout = secs
		} else {
			if secs < minValidity || secs > maxValidity {
				return nil, invalid(fmt.Sprintf("validity must be %ds to %ds (validityPeriodSeconds) with api-version %s", minValidity, maxValidity, p.apiVersion))
			}
			r.Options.ValidityPeriodSeconds = secs
		}
	}
	return r.appendJSON(make([]byte, 0, 160+len(msg.Body)+len(msg.From.Value)+len(r.Options.Tag)+130*len(msg.To))), nil
}

// appendJSON appends r as encoding/json writes it with SetEscapeHTML(false) — the official
// client's bytes, field order and omitempty included — without reflection (a fuzz test
// holds the two equal).
func (r *sendRequest) appendJSON(b []byte) []byte {
	b = append(b, `{"from":`...)
	b = appendJSONString(b, r.From)
	b = append(b, `,"smsRecipients":`...)
	if r.Recipients == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Recipients {
			rc := &r.Recipients[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"to":`...)
			b = appendJSONString(b, rc.To)
			b = append(b, `,"repeatabilityRequestId":`...)
			b = appendJSONString(b, rc.ID)
			b = append(b, `,"repeatabilityFirstSent":`...)
			b = appendJSONString(b, rc.FirstSent)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"message":`...)
	b = appendJSONString(b, r.Message)
	b = append(b, `,"smsSendOptions":{"enableDeliveryReport":`...)
	b = strconv.AppendBool(b, r.Options.EnableDeliveryReport)
	if r.Options.Tag != "" {
		b = append(b, `,"tag":`...)
		b = appendJSONString(b, r.Options.Tag)
	}
	if r.Options.ValidityPeriodSeconds != 0 {
		b = append(b, `,"validityPeriodSeconds":`...)
		b = strconv.AppendInt(b, int64(r.Options.ValidityPeriodSeconds), 10)
	}
	if r.Options.DeliveryReportTimeout != 0 {
		b = append(b, `,"deliveryReportTimeoutInSeconds":`...)
		b = strconv.AppendInt(b, int64(r.Options.DeliveryReportTimeout), 10)
	}
	return append(b, "}}"...)
}

// appendJSONString appends s as a JSON string exactly as encoding/json does without HTML
// escaping: \" \\ \b \f \n \r \t, other control characters as \u00XX, invalid UTF-8 as
// \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// results maps a 2xx answer's value[] to one result per recipient, by position. An item for
// another number, a missing item or an unreadable body is OutcomeUnknown: the request was
// accepted, so the message may exist.
func (p *Provider) results(msg *sms.Message, resp *httpx.Response) ([]sms.SendResult, int) {
	var body struct {
		Value []sendItem `json:"value"`
	}
	jerr := json.Unmarshal(resp.Body, &body)
	res := make([]sms.SendResult, len(msg.To))
	accepted := 0
	unknown := func(msg string) *sms.Error {
		e := newError(sms.CodeOutcomeUnknown, msg)
		e.HTTPStatus, e.RequestID = resp.StatusCode, requestID(resp.Header)
		return e
	}
	for i, to := range msg.To {
		res[i].To = to
		var it *sendItem
		if jerr == nil && i < len(body.Value) {
			it = &body.Value[i]
		}
		switch {
		case it == nil:
			res[i].Err = unknown("the request was accepted but the response has no result for this recipient")
		case !sameNumber(it.To, to):
			res[i].Err = unknown(fmt.Sprintf("result %d of the response is for %q, not this recipient", i, it.To))
		case !it.Successful:
			res[i].Err = itemError(it, resp)
		case it.MessageID == "":
			e := unknown("accepted without a message id")
			e.HTTPStatus = it.HTTPStatusCode
			res[i].Err = e
		default:
			res[i].MessageID, res[i].Status = it.MessageID, sms.StatusAccepted
			accepted++
		}
	}
	return res, accepted
}

func sameNumber(a, b string) bool {
	return strings.TrimPrefix(a, "+") == strings.TrimPrefix(b, "+")
}

// DeliveryReport is what GET /deliveryReports/{id} says about one message.
type DeliveryReport struct {
	MessageID             string
	From, To              string
	DeliveryStatus        string     // "Delivered" or "Failed"
	DeliveryStatusDetails string     // e.g. "2000: No Error"
	Status                sms.Status // ReportStatus of the two above
	Code                  sms.Code   // the portable class of a failure (ReportStatus)
	ErrorCode             string     // the code starting DeliveryStatusDetails, if any
	Tag                   string     // Message.Reference of the send
	Received              time.Time
	Attempts              []DeliveryAttempt
}

// DeliveryAttempt is one delivery attempt of a report.
type DeliveryAttempt struct {
	Timestamp         time.Time
	SegmentsSucceeded int
	SegmentsFailed    int
}

// FetchStatus implements sms.StatusFetcher through FetchDeliveryReport.
func (p *Provider) FetchStatus(ctx context.Context, messageID string) (sms.Status, error) {
	r, err := p.FetchDeliveryReport(ctx, messageID)
	if err != nil {
		return sms.StatusUnknown, err
	}
	return r.Status, nil
}

// FetchDeliveryReport reads a message's delivery report with GET
// /deliveryReports/{id}?api-version=2026-01-23 (DeliveryReportAPIVersion, whatever the send
// version: older versions lack the operation), retried when safe. A message with no report
// (yet) is CodeNotFound; a failure that outlasts the retries is CodeUnavailable (a GET has no
// outcome to be unsure of).
func (p *Provider) FetchDeliveryReport(ctx context.Context, messageID string) (*DeliveryReport, error) {
	if messageID == "" || strings.ContainsAny(messageID, "/?#") {
		return nil, invalid("invalid message id")
	}
	u := p.t.BaseURL + "/deliveryReports/" + url.PathEscape(messageID) + "?api-version=" + DeliveryReportAPIVersion
	resp, err := p.request(ctx, http.MethodGet, u, nil, true)
	if err != nil {
		if e := (*sms.Error)(nil); errors.As(err, &e) && e.Code == sms.CodeOutcomeUnknown {
			c := *e
			c.Code = sms.CodeUnavailable
			return nil, &c
		}
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		e := mapError(resp)
		if e.Code == sms.CodeOutcomeUnknown {
			e.Code = sms.CodeUnavailable
		}
		return nil, e
	}
	var b struct {
		MessageID             string `json:"messageId"`
		From                  string `json:"from"`
		To                    string `json:"to"`
		DeliveryStatus        string `json:"deliveryStatus"`
		DeliveryStatusDetails string `json:"deliveryStatusDetails"`
		Tag                   string `json:"tag"`
		ReceivedTimestamp     string `json:"receivedTimestamp"`
		DeliveryAttempts      []struct {
			Timestamp         string `json:"timestamp"`
			SegmentsSucceeded int    `json:"segmentsSucceeded"`
			SegmentsFailed    int    `json:"segmentsFailed"`
		} `json:"deliveryAttempts"`
	}
	if err := json.Unmarshal(resp.Body, &b); err != nil {
		e := newError(sms.CodeInternal, "unreadable delivery report")
		e.HTTPStatus, e.RequestID, e.Err = resp.StatusCode, requestID(resp.Header), err
		return nil, e
	}
	r := &DeliveryReport{MessageID: b.MessageID, From: b.From, To: b.To, DeliveryStatus: b.DeliveryStatus,
		DeliveryStatusDetails: b.DeliveryStatusDetails, Tag: b.Tag, Received: norm.Time(b.ReceivedTimestamp)}
	if r.MessageID == "" {
		r.MessageID = messageID
	}
	r.Status, r.Code, r.ErrorCode = ReportStatus(b.DeliveryStatus, b.DeliveryStatusDetails)
	for _, a := range b.DeliveryAttempts {
		r.Attempts = append(r.Attempts, DeliveryAttempt{Timestamp: norm.Time(a.Timestamp), SegmentsSucceeded: a.SegmentsSucceeded, SegmentsFailed: a.SegmentsFailed})
	}
	return r, nil
}

// repeatabilityNamespace is the UUIDv5 namespace of repeatability ids: UUIDv5 of the URL
// namespace and "https://github.com/smsbridge/sms/acs#repeatabilityRequestId".
var repeatabilityNamespace = norm.UUID5(norm.NamespaceURL, "https://github.com/smsbridge/sms/acs#repeatabilityRequestId")

// RepeatabilityID returns the repeatabilityRequestId sent for recipient to of a message with
// idempotency key key: the name-based UUID (version 5, RFC 9562) of key + "|" + to in this
// package's namespace, lower-case 8-4-4-4-12. The same key and recipient always give the same
// id, in any process, so a retry — by sms.Client or by an application that persisted
// Message.IdempotencyKey and Message.FirstAttempt — is recognised by ACS as a repeat.
func RepeatabilityID(key, to string) string {
	return norm.FormatUUID(norm.UUID5(repeatabilityNamespace, key+"|"+to))
}

var (
	_ sms.Provider        = (*Provider)(nil)
	_ sms.StatusFetcher   = (*Provider)(nil)
	_ sms.SenderValidator = (*Provider)(nil)
	_ sms.IdleCloser      = (*Provider)(nil)
)
