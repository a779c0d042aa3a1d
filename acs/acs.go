package acs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/httpx"
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
	cfg        Config // as given; the callback half reads it
	base       string // scheme://authority[/path] of requests, without a trailing "/"
	apiVersion string

	keys   []*accessKey // primary, then secondary if any; nil with a Credential
	cur    atomic.Int32 // index in keys of the key tried first
	bearer bool

	send  runtime.Pipeline // one attempt per call: sms.Client decides retries
	fetch runtime.Pipeline // azcore retries: fetches are safe to repeat

	reports bool
	now     func() time.Time
	log     *slog.Logger
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

	p := &Provider{cfg: cfg, reports: !o.DisableDeliveryReports, now: o.Now, log: o.Logger, newID: RepeatabilityID}
	endpoint := strings.TrimRight(cfg.Endpoint, "/")
	if hasCS {
		ep, key, err := ParseConnectionString(cfg.ConnectionString.Reveal())
		if err != nil {
			return nil, err // its messages never include the key
		}
		if err := checkURL(ep); err != nil {
			return nil, invalid("connection string endpoint " + err.Error())
		}
		endpoint = ep
		k, _ := acssign.DecodeKey(key.Reveal())
		p.keys = []*accessKey{{b: k}}
	} else if err := checkURL(endpoint); err != nil {
		return nil, invalid("Endpoint " + err.Error())
	}
	if hasKey {
		k, err := acssign.DecodeKey(cfg.AccessKey.Reveal())
		if err != nil {
			return nil, invalid("AccessKey is not base64")
		}
		p.keys = []*accessKey{{b: k}}
	}
	if !cfg.SecondaryAccessKey.IsZero() {
		k, err := acssign.DecodeKey(cfg.SecondaryAccessKey.Reveal())
		if err != nil {
			return nil, invalid("SecondaryAccessKey is not base64")
		}
		p.keys = append(p.keys, &accessKey{b: k})
	}
	p.base = endpoint
	if o.BaseURL != "" {
		p.base = strings.TrimRight(o.BaseURL, "/")
		if err := checkURL(p.base); err != nil {
			return nil, invalid("BaseURL " + err.Error())
		}
	}
	p.bearer = hasCred
	if hasCred && !strings.HasPrefix(strings.ToLower(p.base), "https://") {
		return nil, invalid("Credential needs an https endpoint: azcore sends bearer tokens only over TLS")
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
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: o.Timeout}
	}

	var auth policy.Policy
	if hasCred {
		auth = runtime.NewBearerTokenPolicy(cfg.Credential, []string{Scope}, nil)
	} else {
		auth = &hmacPolicy{now: p.now, current: func() *accessKey { return p.keys[p.cur.Load()] }}
	}
	perRetry := []policy.Policy{auth}
	if hasCred {
		perRetry = append(perRetry, inMemoryBodyPolicy{})
	}
	plo := runtime.PipelineOptions{
		PerCall:  []policy.Policy{runtime.NewRequestIDPolicy()},
		PerRetry: perRetry,
	}
	co := policy.ClientOptions{
		Transport: classifyingTransport{hc: hc},
		Telemetry: policy.TelemetryOptions{ApplicationID: applicationID},
		Logging:   policy.LogOptions{AllowedHeaders: []string{"X-Ms-Request-Id", "MS-CV", "Retry-After-Ms", "X-Ms-Retry-After-Ms"}},
	}
	sendOpts, fetchOpts := co, co
	sendOpts.Retry = policy.RetryOptions{MaxRetries: -1} // one attempt: the root layer decides retries
	fetchOpts.Retry = policy.RetryOptions{MaxRetries: 3, RetryDelay: 200 * time.Millisecond, MaxRetryDelay: 5 * time.Second}
	p.send = runtime.NewPipeline(moduleName, moduleVersion, plo, &sendOpts)
	p.fetch = runtime.NewPipeline(moduleName, moduleVersion, plo, &fetchOpts)
	return p, nil
}

func invalid(msg string) *sms.Error {
	return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: msg, NotAccepted: true}
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("must have no query, fragment or user info")
	}
	return nil
}

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
	return "acs.Provider{endpoint=" + p.base + ", api-version=" + p.apiVersion + ", auth=" + auth + "}"
}

// GoString describes the provider without credentials.
func (p *Provider) GoString() string { return p.String() }

// Format prints the provider without credentials for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue implements slog.LogValuer: the description, without credentials.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Capabilities implements sms.Provider: 100 recipients per request, 2048 UTF-16 units,
// idempotent sends (repeatability ids), delivery reports (unless disabled) and inbound
// messages through Event Grid.
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderTollFree, sms.SenderLongCode, sms.SenderShortCode, sms.SenderAlphanumeric},
		MaxRecipients:   MaxRecipients,
		MaxBody:         MaxBody,
		BodyUnit:        sms.UnitUTF16,
		DeliveryReports: p.reports,
		Inbound:         true,
		IdempotentSends: true,
	}
}

// ValidateSender narrows the root sender rules to ACS's: a short code is 5 or 6 digits
// without "+"; an alphanumeric sender ID is 1–11 of A–Z a–z 0–9, space, + - _ &, with at
// least one letter (SMS FAQ). Numbers follow the root E.164 rule.
func (p *Provider) ValidateSender(s sms.Sender) error {
	switch s.ResolvedType() {
	case sms.SenderShortCode:
		if n := len(s.Value); n < 5 || n > 6 {
			return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, NotAccepted: true,
				Message: fmt.Sprintf("an ACS short code is 5 or 6 digits without '+', not %q", s.Value)}
		}
	case sms.SenderAlphanumeric:
		letter := false
		for i := 0; i < len(s.Value); i++ {
			switch c := s.Value[i]; {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
				letter = true
			case c >= '0' && c <= '9', c == ' ', c == '+', c == '-', c == '_', c == '&':
			default:
				return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, NotAccepted: true,
					Message: fmt.Sprintf("ACS alphanumeric sender IDs do not allow %q", c)}
			}
		}
		if !letter || len(s.Value) > 11 {
			return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, NotAccepted: true,
				Message: "an ACS alphanumeric sender ID is 1 to 11 characters with at least one letter"}
		}
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
// transient failure without a duplicate.
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
	resp, err := p.request(ctx, p.send, http.MethodPost, p.base+"/sms?api-version="+p.apiVersion, body)
	if err != nil {
		return failAll(msg, err)
	}
	if !resp.OK() {
		return failAll(msg, mapError(resp))
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
		key = randomKey() // no key: this call's recipients are still de-duplicated, not retries
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
	var buf bytes.Buffer
	buf.Grow(256 + len(msg.Body) + 110*len(msg.To))
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&r); err != nil {
		return nil, invalid("cannot encode the request: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// failAll turns a request-level failure into Send's answer: the error alone when it proves
// nothing was sent (or is a context error from before the request was written), else one
// result per recipient carrying it.
func failAll(msg *sms.Message, err error) ([]sms.SendResult, error) {
	var e *sms.Error
	if !errors.As(err, &e) || e.NotAccepted {
		return nil, err
	}
	res := make([]sms.SendResult, len(msg.To))
	for i, to := range msg.To {
		res[i] = sms.SendResult{To: to, Err: err}
	}
	return res, nil
}

// results maps a 2xx answer's value[] to one result per recipient, by position. An item for
// another number, a missing item or an unreadable body is OutcomeUnknown: the request was
// accepted, so the message may exist.
func (p *Provider) results(msg *sms.Message, resp *httpx.Response) ([]sms.SendResult, int) {
	var body struct {
		Value []sendItem `json:"value"`
	}
	jerr := json.Unmarshal(resp.Body, &body)
	rid := requestID(resp.Header)
	res := make([]sms.SendResult, len(msg.To))
	accepted := 0
	for i, to := range msg.To {
		var it *sendItem
		if jerr == nil && i < len(body.Value) {
			it = &body.Value[i]
		}
		switch {
		case it == nil:
			res[i] = sms.SendResult{To: to, Err: &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode, RequestID: rid,
				Message: "the request was accepted but the response has no result for this recipient"}}
		case !sameNumber(it.To, to):
			res[i] = sms.SendResult{To: to, Err: &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode, RequestID: rid,
				Message: fmt.Sprintf("result %d of the response is for %q, not this recipient", i, it.To)}}
		default:
			res[i] = itemResult(it, to, rid, resp.RetryAfter)
			if res[i].Err == nil {
				accepted++
			}
		}
	}
	return res, accepted
}

// itemResult maps one SmsSendResponseItem.
func itemResult(it *sendItem, to, rid string, retryAfter time.Duration) sms.SendResult {
	if it.Successful {
		if it.MessageID == "" {
			return sms.SendResult{To: to, Err: &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: Name, HTTPStatus: it.HTTPStatusCode, RequestID: rid,
				Message: "accepted without a message id"}}
		}
		return sms.SendResult{To: to, MessageID: it.MessageID, Status: sms.StatusAccepted}
	}
	s := it.HTTPStatusCode
	e := &sms.Error{Provider: Name, HTTPStatus: s, RequestID: rid, Message: it.ErrorMessage}
	if e.Message == "" {
		e.Message = http.StatusText(s)
	}
	rejected := strings.EqualFold(it.RepeatabilityResult, "rejected")
	switch {
	case s == http.StatusTooManyRequests:
		e.Code, e.NotAccepted, e.RetryAfter = sms.CodeRateLimited, true, retryAfter
	case s >= 500 && s <= 599:
		// Retryable with the same repeatability id (sms.Client does so: IdempotentSends).
		e.Code = sms.CodeUnavailable
	case rejected && s >= 400 && s <= 499:
		e.Code, e.NotAccepted = sms.CodeInvalidArgument, true
	case s == http.StatusBadRequest && recipientProblem(it.ErrorMessage):
		e.Code, e.NotAccepted = sms.CodeInvalidRecipient, true
	case s == http.StatusUnauthorized:
		e.Code, e.NotAccepted = sms.CodeUnauthenticated, true
	case s == http.StatusForbidden:
		e.Code, e.NotAccepted = sms.CodePermissionDenied, true
	case s >= 400 && s <= 499:
		e.Code, e.NotAccepted = sms.CodeInvalidArgument, true
	default:
		e.Code = sms.CodeUnknown
	}
	return sms.SendResult{To: to, Err: e}
}

// recipientProblem reports whether a per-recipient 400 blames the number ("Invalid To phone
// number format.").
func recipientProblem(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "to phone number") || strings.Contains(m, "recipient")
}

func sameNumber(a, b string) bool {
	return strings.TrimPrefix(a, "+") == strings.TrimPrefix(b, "+")
}

// requestID returns the vendor's request id: x-ms-request-id, else MS-CV.
func requestID(h http.Header) string {
	if v := h.Get("X-Ms-Request-Id"); v != "" {
		return v
	}
	return h.Get("Ms-Cv")
}

// errorBody covers both error shapes ACS answers with: the Azure one
// {"error":{"code","message"}} and RFC 7807 problem details {type,title,status,errors,traceId}.
type errorBody struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Title   string          `json:"title"`
	Errors  json.RawMessage `json:"errors"`
	TraceID string          `json:"traceId"`
}

// mapError maps a non-2xx answer to an *sms.Error: httpx's default for the status, refined
// from the body. 5xx is OutcomeUnknown: the request may have been processed (sms.Client
// retries it, the sends being idempotent).
func mapError(resp *httpx.Response) *sms.Error {
	e := httpx.StatusError(Name, resp)
	e.RequestID = requestID(resp.Header)
	var b errorBody
	if json.Unmarshal(resp.Body, &b) == nil {
		switch {
		case b.Error != nil && (b.Error.Code != "" || b.Error.Message != ""):
			e.VendorCode = b.Error.Code
			if b.Error.Message != "" {
				e.Message = b.Error.Message
			}
		case b.Title != "":
			e.Message = b.Title + problemErrors(b.Errors)
			if e.RequestID == "" {
				e.RequestID = b.TraceID
			}
		}
	}
	if resp.StatusCode >= 500 {
		e.Code, e.NotAccepted = sms.CodeOutcomeUnknown, false
	}
	return e
}

// problemErrors formats RFC 7807 "errors" ({"field": ["message", …]}) as " (field: message;
// …)", fields sorted; "" when absent or of another shape.
func problemErrors(raw json.RawMessage) string {
	var m map[string][]string
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return ""
	}
	fields := make([]string, 0, len(m))
	for f := range m {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var sb strings.Builder
	sb.WriteString(" (")
	for i, f := range fields {
		if i > 0 {
			sb.WriteString("; ")
		}
		sb.WriteString(f + ": " + strings.Join(m[f], " "))
	}
	sb.WriteString(")")
	return sb.String()
}

// request sends one request through pl and, when an access key gets a 401 (which proves
// nothing was processed) and the other key is configured, signs it again with the other key
// and sends it once more. A key that then works is tried first from then on.
func (p *Provider) request(ctx context.Context, pl runtime.Pipeline, method, u string, body []byte) (*httpx.Response, error) {
	if p.bearer {
		return p.attempt(ctx, pl, method, u, body, nil)
	}
	i := p.cur.Load()
	resp, err := p.attempt(ctx, pl, method, u, body, p.keys[i])
	if err != nil || resp.StatusCode != http.StatusUnauthorized || len(p.keys) < 2 {
		return resp, err
	}
	j := 1 - i
	p.log.LogAttrs(ctx, slog.LevelWarn, "acs: access key rejected, trying the other one", slog.String("rejected", keyName(i)))
	resp, err = p.attempt(ctx, pl, method, u, body, p.keys[j])
	if err == nil && resp.StatusCode != http.StatusUnauthorized && resp.StatusCode < 500 {
		if p.cur.CompareAndSwap(i, j) {
			p.log.LogAttrs(ctx, slog.LevelWarn, "acs: now signing with the "+keyName(j)+" access key")
		}
	}
	return resp, err
}

func keyName(i int32) string {
	if i == 0 {
		return "primary"
	}
	return "secondary"
}

// attempt sends one request through pl, signed with key (nil: the bearer token), and returns
// what the transport saw: a response, or httpx's classified error.
func (p *Provider) attempt(ctx context.Context, pl runtime.Pipeline, method, u string, body []byte, key *accessKey) (*httpx.Response, error) {
	c := &call{key: key}
	req, err := runtime.NewRequest(context.WithValue(ctx, callKey{}, c), method, u)
	if err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "cannot build the request", NotAccepted: true, Err: err}
	}
	req.Raw().Header.Set("Accept", "application/json")
	runtime.SkipBodyDownload(req) // the transport has read the body already
	if body != nil {
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(body)), "application/json"); err != nil {
			return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "cannot build the request", NotAccepted: true, Err: err}
		}
	}
	resp, err := pl.Do(req)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close() // c.resp holds the body
	}
	switch {
	case c.err != nil:
		return nil, c.err
	case c.resp != nil:
		return c.resp, nil
	}
	// The transport was never called: a policy failed first (no token, say). Nothing was sent.
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err == nil {
		err = errors.New("the pipeline returned no response")
	}
	e := &sms.Error{Code: sms.CodeInternal, Provider: Name, Message: "request not sent", NotAccepted: true, Err: err}
	if p.bearer {
		e.Code, e.Message = sms.CodeUnauthenticated, "no Microsoft Entra ID token"
	}
	return nil, e
}

// DeliveryReport is what GET /deliveryReports/{id} says about one message.
type DeliveryReport struct {
	MessageID             string
	From, To              string
	DeliveryStatus        string     // "Delivered" or "Failed"
	DeliveryStatusDetails string     // e.g. "2000: No Error"
	Status                sms.Status // MapStatus of the two above
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
// (yet) is CodeNotFound.
func (p *Provider) FetchDeliveryReport(ctx context.Context, messageID string) (*DeliveryReport, error) {
	if messageID == "" || strings.ContainsAny(messageID, "/?#") {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "invalid message id", NotAccepted: true}
	}
	u := p.base + "/deliveryReports/" + url.PathEscape(messageID) + "?api-version=" + DeliveryReportAPIVersion
	resp, err := p.request(ctx, p.fetch, http.MethodGet, u, nil)
	if err != nil {
		var e *sms.Error
		if errors.As(err, &e) && e.Code == sms.CodeOutcomeUnknown { // a GET has no outcome to be unsure of
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
		return nil, &sms.Error{Code: sms.CodeInternal, Provider: Name, HTTPStatus: resp.StatusCode, RequestID: requestID(resp.Header), Message: "unreadable delivery report", Err: err}
	}
	r := &DeliveryReport{MessageID: b.MessageID, From: b.From, To: b.To, DeliveryStatus: b.DeliveryStatus,
		DeliveryStatusDetails: b.DeliveryStatusDetails, Tag: b.Tag, Received: parseTime(b.ReceivedTimestamp)}
	if r.MessageID == "" {
		r.MessageID = messageID
	}
	r.Status, r.ErrorCode = MapStatus(b.DeliveryStatus, b.DeliveryStatusDetails)
	for _, a := range b.DeliveryAttempts {
		r.Attempts = append(r.Attempts, DeliveryAttempt{Timestamp: parseTime(a.Timestamp), SegmentsSucceeded: a.SegmentsSucceeded, SegmentsFailed: a.SegmentsFailed})
	}
	return r, nil
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// repeatabilityNamespace is the UUIDv5 namespace of repeatability ids: UUIDv5 of the URL
// namespace and "https://github.com/smsbridge/sms/acs#repeatabilityRequestId".
var repeatabilityNamespace = uuid5([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8},
	"https://github.com/smsbridge/sms/acs#repeatabilityRequestId")

// RepeatabilityID returns the repeatabilityRequestId sent for recipient to of a message with
// idempotency key key: the name-based UUID (version 5, RFC 9562) of key + "|" + to in this
// package's namespace, lower-case 8-4-4-4-12. The same key and recipient always give the same
// id, in any process, so a retry — by sms.Client or by an application that persisted
// Message.IdempotencyKey and Message.FirstAttempt — is recognised by ACS as a repeat.
func RepeatabilityID(key, to string) string {
	u := uuid5(repeatabilityNamespace, key+"|"+to)
	return formatUUID(u)
}

func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // variant 10
	return u
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var (
	_ sms.Provider        = (*Provider)(nil)
	_ sms.StatusFetcher   = (*Provider)(nil)
	_ sms.SenderValidator = (*Provider)(nil)
)
