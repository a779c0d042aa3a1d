package telesign

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/norm"
	"github.com/smsbridge/sms/internal/tsasign"
)

// Name is the provider name in events, errors and logs.
const Name = "telesign"

// Limits of the Telesign SMS API (vendors/telesign.md §2.1).
const (
	// MaxBody is the longest message Telesign takes, in characters; it splits longer ones
	// into parts itself.
	MaxBody = 1600
	// MaxSenderID is the longest sender_id Telesign's schema allows; carriers cap
	// alphanumeric sender IDs at 11 (ValidateSender).
	MaxSenderID = 20
)

// AttemptParam is the query parameter Send adds to callback_url: the AttemptID of the
// recipient, so that a delivery report can be matched to a send whose answer was lost.
const AttemptParam = "smsbridge_attempt"

const (
	pathSend    = "/v1/messaging"
	formContent = "application/x-www-form-urlencoded"
)

// Provider sends through Telesign's SMS API (POST /v1/messaging) and parses its delivery
// reports and inbound messages. Wrap it in sms.NewClient to send. It is safe for concurrent
// use.
type Provider struct {
	customerID string
	keys       *keys // behind a pointer: printing a struct holding the Provider raw shows an address, no key
	scheme     AuthScheme
	clock      sms.Clock
	nonce      func() string
	delivery   string
	insecure   bool
	sendURL    string
	t          *httpx.Transport
	logger     *slog.Logger // Options.Logger as given, for Logger
}

// keys are a Provider's credentials.
type keys struct {
	basicHeader []string              // {"Basic base64(customer_id:api_key)"}
	key         []byte                // decoded API key; nil when it is not base64 (Basic only)
	cb          [][]byte              // decoded keys that verify callbacks
	cbv         *tsasign.BodyVerifier // cb with reused HMAC states; nil: tsasign.VerifyBody(cb)
}

// New returns a Telesign provider. cfg.CustomerID and cfg.APIKey are required; with AuthTSA
// the API key must be base64 text. opts may be nil.
func New(cfg Config, opts *Options) (*Provider, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	id := strings.TrimSpace(cfg.CustomerID)
	if id == "" {
		return nil, refused("CustomerID is required (Telesign portal: Customer ID)")
	}
	apiKey := ""
	if !cfg.APIKey.IsZero() {
		apiKey = strings.TrimSpace(cfg.APIKey.Reveal())
	}
	if apiKey == "" {
		return nil, refused("APIKey is required (Telesign portal: API Key)")
	}
	if o.Auth != AuthBasic && o.Auth != AuthTSA {
		return nil, refused("Auth must be AuthBasic or AuthTSA")
	}
	key, kerr := tsasign.DecodeKey(apiKey)
	if kerr != nil && o.Auth == AuthTSA {
		return nil, refused("APIKey is not base64 text: TSA signing needs the key as the portal shows it")
	}
	p := &Provider{
		customerID: id,
		keys: &keys{basicHeader: []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+apiKey))},
			key: key},
		scheme:   o.Auth,
		clock:    o.Clock,
		nonce:    o.Nonce,
		delivery: cfg.DeliveryURL,
		insecure: cfg.InsecureSkipCallbackAuth,
	}
	if key != nil {
		p.keys.cb = append(p.keys.cb, key)
	}
	for i, k := range cfg.CallbackKeys {
		if k.IsZero() {
			continue
		}
		dk, err := tsasign.DecodeKey(k.Reveal())
		if err != nil {
			return nil, refused(fmt.Sprintf("CallbackKeys[%d] is not base64 text", i))
		}
		p.keys.cb = append(p.keys.cb, dk)
	}
	p.keys.cbv = tsasign.NewBodyVerifier(p.keys.cb)
	if p.clock == nil {
		p.clock = sms.RealClock{}
	}
	if p.nonce == nil {
		p.nonce = randomNonce
	}
	if p.delivery != "" {
		if err := checkCallbackURL(p.delivery, "DeliveryURL"); err != nil {
			return nil, err
		}
	}
	t, err := vendor.NewTransport(httpx.TransportOptions{
		BaseURL: o.BaseURL, DefaultBaseURL: DefaultBaseURL,
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Logger: o.Logger,
		Sign: func(r *http.Request) error { p.sign(r, nil); return nil },
	})
	if err != nil {
		return nil, err
	}
	p.t, p.logger = t, o.Logger
	p.sendURL = t.BaseURL + pathSend
	return p, nil
}

// randomNonce is a random UUID (version 4), as the SDKs send.
func randomNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return norm.FormatUUID(b)
}

// checkCallbackURL refuses a callback URL that is not an absolute http(s) URL. The URL is
// not quoted.
func checkCallbackURL(raw, field string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return refused(field + " must be an absolute http(s) URL")
	}
	return nil
}

// Name implements sms.Provider.
func (p *Provider) Name() string { return Name }

// Logger returns Options.Logger, or nil when none was given. It implements sms.LoggerSource:
// sms.NewClient and webhook.Handler log through it unless given their own logger, so the
// logger is set once, here.
func (p *Provider) Logger() *slog.Logger { return p.logger }

// String describes the provider without credentials.
func (p *Provider) String() string {
	return "telesign.Provider{base=" + p.t.BaseURL + ", auth=" + p.scheme.String() + "}"
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

// Capabilities implements sms.Provider: one recipient per request (phone_number is a single
// value; sms.Client fans out), 1600 characters, a delivery-report URL per message
// (callback_url), the traffic classes ARN (TypeDefault, TypeTransactional), OTP (TypeOTP) and
// MKT (TypeMarketing), delivery reports and inbound messages through ParseCallback. Sends are
// not idempotent: Telesign documents no de-duplication.
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree, sms.SenderShortCode, sms.SenderAlphanumeric},
		MaxRecipients:   1,
		MaxBody:         MaxBody,
		BodyUnit:        sms.UnitCharacters,
		DeliveryReports: true,
		Inbound:         true,
		IdempotentSends: false,
		CallbackURL:     true,
		MessageTypes:    []sms.MessageType{sms.TypeTransactional, sms.TypeMarketing, sms.TypeOTP},
	}
}

// alphanumeric is Telesign's alphanumeric sender rule: the carriers' 11 characters (the
// schema allows 20), the root character set (Telesign recommends 0-9 and A-Z only).
var alphanumeric = sms.AlphanumericRule{Provider: Name, MinLen: 1, MaxLen: 11, Symbols: " -+_&."}

// ValidateSender narrows the root sender rules to Telesign's: an alphanumeric sender ID is 1
// to 11 characters. Every sender_id must be enabled on the account by Telesign support, and
// Telesign may replace it.
func (p *Provider) ValidateSender(s sms.Sender) error {
	if s.ResolvedType() == sms.SenderAlphanumeric {
		return alphanumeric.Validate(s.Value)
	}
	return nil
}

// messageType is the message_type of a traffic class.
func messageType(t sms.MessageType) (string, error) {
	switch t {
	case sms.TypeDefault, sms.TypeTransactional:
		return "ARN", nil
	case sms.TypeOTP:
		return "OTP", nil
	case sms.TypeMarketing:
		return "MKT", nil
	}
	e := newError(sms.CodeUnsupported, "unknown message type")
	e.NotAccepted = true
	return "", e
}

// attemptNamespace is the UUIDv5 namespace of attempt ids: UUIDv5 of the URL namespace and
// "https://github.com/smsbridge/sms/telesign#attempt".
var attemptNamespace = norm.UUID5(norm.NamespaceURL, "https://github.com/smsbridge/sms/telesign#attempt")

// AttemptID returns the attempt id of recipient to of a message with idempotency key key: 32
// upper-case hex digits of the name-based UUID (version 5) of key + "|" + to. Send puts it on
// callback_url (AttemptParam) and, when Message.Reference is empty, in external_id, which
// Telesign echoes in the send answer, the status query and every delivery report
// (Event.Reference). A send that ended OutcomeUnknown never learnt its reference_id: compute
// AttemptID from the persisted SendResult.IdempotencyKey and recipient, and wait for the report
// that carries it before resending. A message with a Reference and no callback URL carries
// the attempt id nowhere: its reports are matched by the Reference (external_id).
func AttemptID(key, to string) string {
	u := norm.UUID5(attemptNamespace, key+"|"+to)
	const digits = "0123456789ABCDEF"
	var b [32]byte
	for i, c := range u {
		b[2*i], b[2*i+1] = digits[c>>4], digits[c&0x0f]
	}
	return string(b[:])
}

// AttemptOf returns the attempt id a callback request's URL carries (AttemptParam), or "".
// Telesign signs the body only, not the URL: a signed report replayed to a URL naming another
// attempt passes ParseCallback. Settle an outcome by Event.Reference (external_id, signed)
// where it holds the attempt id, and by AttemptOf only when it agrees with a signed field.
func AttemptOf(r *http.Request) string {
	if r == nil || r.URL == nil || !strings.Contains(r.URL.RawQuery, AttemptParam) {
		return ""
	}
	return r.URL.Query().Get(AttemptParam)
}

// withAttemptParam adds AttemptParam=attempt to the query of a callback URL, before any
// #fragment.
func withAttemptParam(u, attempt string) string {
	u, frag, hasFrag := strings.Cut(u, "#")
	sep := "&"
	switch {
	case !strings.Contains(u, "?"):
		sep = "?"
	case strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&"):
		sep = ""
	}
	u += sep + AttemptParam + "=" + attempt
	if hasFrag {
		u += "#" + frag
	}
	return u
}

// wireNumber is a number as Telesign writes it: digits only, no '+'.
func wireNumber(s string) string { return strings.TrimPrefix(s, "+") }

// appendField appends "&k=v" (without '&' for the first) percent-encoded as the SDKs do.
func appendField(b []byte, k, v string) []byte {
	if len(b) > 0 {
		b = append(b, '&')
	}
	b = append(b, k...)
	b = append(b, '=')
	return append(b, url.QueryEscape(v)...)
}

// sendBody builds the form of POST /v1/messaging, fields in the official clients' order:
//
//	sms.Message            form field
//	To[0]                  phone_number (digits, no '+')
//	Body                   message
//	Type                   message_type (ARN; OTP for TypeOTP, MKT for TypeMarketing)
//	From.Value             sender_id (numbers without '+'; omitted when empty)
//	CallbackURL            callback_url (default Config.DeliveryURL) + ?smsbridge_attempt=…
//	Reference              external_id (the AttemptID when Reference is empty)
//
// It returns the body and the attempt id, or "" when the request carries it nowhere (a
// Reference and no callback URL).
func (p *Provider) sendBody(msg *sms.Message) ([]byte, string, error) {
	to := msg.To[0]
	mt, err := messageType(msg.Type)
	if err != nil {
		return nil, "", err
	}
	if msg.Validity != 0 {
		e := newError(sms.CodeUnsupported, "Telesign's SMS API has no validity period")
		e.NotAccepted = true
		return nil, "", e
	}
	if n := utf8.RuneCountInString(msg.Body); n > MaxBody {
		return nil, "", refused(fmt.Sprintf("message is %d characters; Telesign takes at most %d", n, MaxBody))
	}
	cb := msg.CallbackURL
	if cb == "" {
		cb = p.delivery
	} else if err := checkCallbackURL(cb, "CallbackURL"); err != nil {
		return nil, "", err
	}
	key := msg.IdempotencyKey
	if key == "" {
		key = norm.RandomKey() // called without sms.Client: unique, not repeatable
	}
	attempt := AttemptID(key, to)
	if cb != "" {
		cb = withAttemptParam(cb, attempt)
	}
	ext := msg.Reference
	if ext == "" {
		ext = attempt
	}
	from := msg.From.Value
	if t := msg.From.ResolvedType(); t == sms.SenderLongCode || t == sms.SenderTollFree {
		from = wireNumber(from)
	}
	if len(from) > MaxSenderID {
		return nil, "", refused(fmt.Sprintf("sender_id is at most %d characters", MaxSenderID))
	}
	b := make([]byte, 0, 96+3*len(msg.Body)+len(cb)+len(ext))
	b = appendField(b, "phone_number", wireNumber(to))
	b = appendField(b, "message", msg.Body)
	b = appendField(b, "message_type", mt)
	if from != "" {
		b = appendField(b, "sender_id", from)
	}
	if cb != "" {
		b = appendField(b, "callback_url", cb)
	}
	b = appendField(b, "external_id", ext)
	if cb == "" && ext != attempt {
		attempt = ""
	}
	return b, attempt, nil
}

// sign sets the authentication headers of one attempt: a fresh Date and x-ts-nonce every
// time (Telesign refuses a reused nonce and a stale Date, so a retry is signed anew), and
// either the Basic header or the TSA signature over method, content type, Date, nonce, body
// and path.
func (p *Provider) sign(req *http.Request, body []byte) {
	date := p.clock.Now().UTC().Format(http.TimeFormat)
	nonce := p.nonce()
	ct := ""
	h := req.Header // canonical keys set directly: no per-request canonicalisation
	if len(body) > 0 || req.Method == http.MethodPost || req.Method == http.MethodPut {
		ct = formContent
		h["Content-Type"] = formContentHeader
	}
	h["Date"] = []string{date}
	h["X-Ts-Nonce"] = []string{nonce}
	h["Accept"] = acceptHeader
	h["User-Agent"] = userAgentHeader
	if p.scheme == AuthTSA {
		h["X-Ts-Auth-Method"] = tsaMethodHeader
		sig := tsasign.Sign(p.keys.key, req.Method, ct, date, nonce, body, req.URL.EscapedPath())
		h["Authorization"] = []string{tsasign.Authorization(p.customerID, sig)}
		return
	}
	h["X-Ts-Auth-Method"] = basicMethodHeader
	h["Authorization"] = p.keys.basicHeader
}

// Header values shared by every request; net/http only reads them.
var (
	formContentHeader = []string{formContent}
	acceptHeader      = []string{"application/json"}
	userAgentHeader   = []string{"smsbridge-go"}
	tsaMethodHeader   = []string{tsasign.AuthMethod}
	basicMethodHeader = []string{"Basic"}
)

// Send implements sms.Provider: one POST /v1/messaging for the one recipient of msg, one
// attempt, signed afresh. A 2xx whose status.code is 290 (or any non-failure status) is
// accepted with reference_id as the message id; a 2xx with a failure status is that
// recipient's error, classified by the status table. A request that failed as a whole — not
// sent, refused with a non-2xx (classified by the HTTP status and ErrorClass), or answered
// without a readable result — returns (nil, err); sms.Client copies err to the recipient.
// An OutcomeUnknown error names the recipient's AttemptID.
func (p *Provider) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if msg == nil || len(msg.To) == 0 {
		return nil, refused("no recipients")
	}
	if len(msg.To) > 1 {
		return nil, refused(fmt.Sprintf("%d recipients: Telesign takes one per request (Capabilities.MaxRecipients)", len(msg.To)))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	body, attempt, err := p.sendBody(msg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.sendURL, bytes.NewReader(body))
	if err != nil {
		return nil, refused("cannot build request")
	}
	p.sign(req, body)
	resp, err := p.t.Send(req)
	if err != nil {
		return nil, withAttempt(err, attempt)
	}
	if !resp.OK() {
		return nil, withAttempt(mapError(resp), attempt)
	}
	res, err := p.result(msg.To[0], attempt, resp)
	if err != nil {
		return nil, err
	}
	if p.t.Logger.Enabled(ctx, slog.LevelDebug) {
		p.t.Logger.LogAttrs(ctx, slog.LevelDebug, "telesign send", slog.Bool("accepted", res[0].Err == nil))
	}
	return res, nil
}

// withAttempt adds to the message of an OutcomeUnknown error what the delivery reports carry
// to settle the outcome: the attempt id, or ("" when the request carried it nowhere) the
// message's Reference in external_id.
func withAttempt(err error, attempt string) error {
	if e, ok := err.(*sms.Error); ok && e.Code == sms.CodeOutcomeUnknown {
		if attempt == "" {
			e.Message += "; the message may exist: its delivery report carries Message.Reference in external_id (with the recipient as Event.To)"
		} else {
			e.Message += "; the message may exist: its delivery report carries attempt id " + attempt + " (telesign.AttemptID)"
		}
	}
	return err
}

// result maps a 2xx answer to the recipient's result.
func (p *Provider) result(to, attempt string, resp *httpx.Response) ([]sms.SendResult, error) {
	var b envelope
	if err := json.Unmarshal(resp.Body, &b); err != nil || b.Status == nil {
		e := newError(sms.CodeOutcomeUnknown, "unreadable success response")
		e.HTTPStatus, e.Err = resp.StatusCode, err
		return nil, withAttempt(e, attempt)
	}
	res := []sms.SendResult{{To: to}}
	code := int(b.Status.Code)
	st, class := StatusOf(code)
	if b.AdditionalInfo != nil {
		res[0].Segments = int(b.AdditionalInfo.MessagePartsCount)
	}
	row := lookup(code)
	failed := st == sms.StatusRejected || st == sms.StatusFailed || st == sms.StatusUndelivered || st == sms.StatusExpired
	if row == nil {
		if c, _, ok := ErrorClass(code); ok { // an error code in a 2xx
			class, failed = c, true
		}
	}
	if !failed && b.ReferenceID != "" {
		res[0].MessageID, res[0].Status = b.ReferenceID, st
		if st == sms.StatusUnknown {
			res[0].Status = sms.StatusAccepted
		}
		return res, nil
	}
	if !failed { // 2xx without a reference_id and without a failure: nothing to track
		e := newError(sms.CodeOutcomeUnknown, "success response without reference_id")
		e.HTTPStatus = resp.StatusCode
		return nil, withAttempt(e, attempt)
	}
	e := newError(class, b.Status.Description)
	if e.Code == sms.CodeUnknown {
		e.Code = sms.CodeInvalidArgument
	}
	if e.Message == "" {
		e.Message = "Telesign status " + fmt.Sprint(code)
	}
	e.HTTPStatus, e.VendorCode = resp.StatusCode, fmt.Sprint(code)
	// A refusal at acceptance means no message left; an undelivered or expired status
	// (never seen at acceptance) names one that may have.
	e.NotAccepted = st == sms.StatusRejected || row == nil
	res[0].Err = e
	return res, nil
}

// FetchStatus implements sms.StatusFetcher with GET /v1/messaging/{reference_id}, signed
// afresh on every attempt and retried when safe. Telesign keeps a status for a limited time
// (up to 12 hours): an unknown or expired reference id is CodeNotFound (10017, 10036). A
// failure that outlasts the retries is CodeUnavailable.
func (p *Provider) FetchStatus(ctx context.Context, messageID string) (sms.Status, error) {
	if messageID == "" {
		return sms.StatusUnknown, refused("empty message id")
	}
	u := p.t.BaseURL + pathSend + "/" + url.PathEscape(messageID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return sms.StatusUnknown, refused("cannot build request")
	}
	resp, err := p.t.Fetch(req, mapError)
	if err != nil {
		return sms.StatusUnknown, err
	}
	var b envelope
	if err := json.Unmarshal(resp.Body, &b); err != nil || b.Status == nil {
		e := newError(sms.CodeUnavailable, "unreadable status response")
		e.HTTPStatus, e.Err = resp.StatusCode, err
		return sms.StatusUnknown, e
	}
	st, _ := StatusOf(int(b.Status.Code))
	return st, nil
}

// parseTime reads status.updated_on and submit_timestamp: RFC 3339 with microseconds, or an
// RFC 1123 date (vendors/telesign.md §11); the zero time otherwise.
func parseTime(s string) time.Time {
	if t := norm.Time(s); !t.IsZero() {
		return t
	}
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

var (
	_ sms.Provider        = (*Provider)(nil)
	_ sms.StatusFetcher   = (*Provider)(nil)
	_ sms.SenderValidator = (*Provider)(nil)
	_ sms.IdleCloser      = (*Provider)(nil)
	_ sms.LoggerSource    = (*Provider)(nil)
)
