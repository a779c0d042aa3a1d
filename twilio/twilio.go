package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// Name is the provider name in events, errors and logs.
const Name = "twilio"

// DefaultBaseURL is Twilio's REST API origin.
const DefaultBaseURL = "https://api.twilio.com"

// RequestIDHeader is the response header that carries Twilio's request id.
const RequestIDHeader = "Twilio-Request-Id"

// MaxBodyChars is Twilio's body limit (error 21617 beyond it).
const MaxBodyChars = 1600

// Config holds the account and its credentials, as the Twilio console shows them.
type Config struct {
	// AccountSID ("AC…") is always in the request path; with AuthToken it is the Basic-auth user.
	AccountSID string
	// AuthToken authenticates sends (unless an API key is set) and is the only key that
	// verifies X-Twilio-Signature on callbacks.
	AuthToken sms.Secret
	// SecondaryAuthToken is also accepted on callbacks, so a token rotation in the console
	// does not reject callbacks signed with the other token.
	SecondaryAuthToken sms.Secret
	// APIKeySID ("SK…") and APIKeySecret authenticate sends instead of the auth token.
	APIKeySID    string
	APIKeySecret sms.Secret

	// PublicURL is the scheme://host[:port] under which Twilio reaches this application.
	// Signatures cover the URL Twilio requested, which a TLS-terminating proxy hides, so
	// callback verification uses PublicURL + the raw request URI. Required for ParseCallback.
	PublicURL string
	// StatusCallback is the absolute URL that receives delivery reports for every message
	// (Message.CallbackURL overrides it). The client reference travels in its query string.
	StatusCallback string
	// ConnectionOverrides, when set (for example "rc=3&rp=all"), is appended as the URL
	// fragment of the status callbacks this provider generates, so that Twilio retries a
	// callback the application answered with an error. Without it Twilio does not retry.
	ConnectionOverrides string
	// InsecureSkipSignatureVerification accepts callbacks without checking X-Twilio-Signature.
	// Only for local experiments: anyone could forge delivery reports and opt-outs.
	InsecureSkipSignatureVerification bool
}

// Options holds the transport settings. The zero value is all defaults.
type Options struct {
	HTTPClient *http.Client  // default: a client with Timeout
	BaseURL    string        // default DefaultBaseURL, or the edge/region host; emulators set theirs
	Edge       string        // e.g. "dublin": host api.{edge}.{region}.twilio.com
	Region     string        // e.g. "ie1"; defaults to "us1" when only Edge is set
	Timeout    time.Duration // per request; default 30s
	Logger     *slog.Logger  // nil = silent
}

// SendOptions are Twilio-specific message options; put one in sms.Message.Options.
type SendOptions struct {
	SmartEncoded     bool      // replace Unicode look-alikes with GSM-7 characters
	ShortenURLs      bool      // link shortening (needs a Messaging Service)
	SendAt           time.Time // schedule (needs a Messaging Service); sets ScheduleType=fixed
	ContentRetention string    // "retain" or "discard"
	AddressRetention string    // "retain" or "obfuscate"
	RiskCheck        string    // "enable" or "disable"
	ProvideFeedback  bool
	MediaURLs        []string // MMS media (US/CA)
}

// Provider sends through Twilio Programmable Messaging and parses its callbacks. Wrap it in
// sms.NewClient to send. It is safe for concurrent use.
type Provider struct {
	accountSID string
	user       string
	pass       sms.Secret
	base       string
	cfg        Config
	hc         *http.Client
	retry      *retryablehttp.Client
	verifier   *Verifier
	log        *slog.Logger
}

// New returns a Twilio provider. opts may be nil.
func New(cfg Config, opts *Options) (*Provider, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if !validSID(cfg.AccountSID, "AC") {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "AccountSID must be AC followed by 32 hex digits"}
	}
	p := &Provider{accountSID: cfg.AccountSID, cfg: cfg, log: o.Logger}
	switch {
	case cfg.APIKeySID != "":
		if !validSID(cfg.APIKeySID, "SK") || cfg.APIKeySecret.IsZero() {
			return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "APIKeySID must be SK followed by 32 hex digits, with APIKeySecret"}
		}
		p.user, p.pass = cfg.APIKeySID, cfg.APIKeySecret
	case !cfg.AuthToken.IsZero():
		p.user, p.pass = cfg.AccountSID, cfg.AuthToken
	default:
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "AuthToken or APIKeySID+APIKeySecret required"}
	}
	p.base = strings.TrimRight(o.BaseURL, "/")
	if p.base == "" {
		p.base = DefaultBaseURL
		if o.Edge != "" || o.Region != "" {
			region := o.Region
			if region == "" {
				region = "us1"
			}
			host := "api."
			if o.Edge != "" {
				host += o.Edge + "."
			}
			p.base = "https://" + host + region + ".twilio.com"
		}
	}
	if u, err := url.Parse(p.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "BaseURL must be an absolute http(s) URL"}
	}
	if cfg.StatusCallback != "" {
		if u, err := url.Parse(cfg.StatusCallback); err != nil || !u.IsAbs() {
			return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "StatusCallback must be an absolute URL"}
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	p.hc = o.HTTPClient
	if p.hc == nil {
		p.hc = &http.Client{Timeout: o.Timeout}
	}
	p.retry = httpx.NewRetryClient(p.hc, 3, 200*time.Millisecond, 5*time.Second)
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if cfg.PublicURL != "" && !cfg.InsecureSkipSignatureVerification {
		var tokens []sms.Secret
		for _, t := range []sms.Secret{cfg.AuthToken, cfg.SecondaryAuthToken} {
			if !t.IsZero() {
				tokens = append(tokens, t)
			}
		}
		v, err := NewVerifier(cfg.PublicURL, tokens...)
		if err != nil {
			return nil, err
		}
		p.verifier = v
	}
	return p, nil
}

// NewFromEnv builds a provider from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
// TWILIO_AUTH_TOKEN_SECONDARY, TWILIO_API_KEY, TWILIO_API_SECRET, TWILIO_EDGE, TWILIO_REGION,
// TWILIO_PUBLIC_URL and TWILIO_STATUS_CALLBACK (the names the official libraries use where
// they have one). Fields already set in opts win for Edge and Region.
func NewFromEnv(opts *Options) (*Provider, error) {
	cfg := Config{
		AccountSID:         os.Getenv("TWILIO_ACCOUNT_SID"),
		AuthToken:          sms.NewSecret(os.Getenv("TWILIO_AUTH_TOKEN")),
		SecondaryAuthToken: sms.NewSecret(os.Getenv("TWILIO_AUTH_TOKEN_SECONDARY")),
		APIKeySID:          os.Getenv("TWILIO_API_KEY"),
		APIKeySecret:       sms.NewSecret(os.Getenv("TWILIO_API_SECRET")),
		PublicURL:          os.Getenv("TWILIO_PUBLIC_URL"),
		StatusCallback:     os.Getenv("TWILIO_STATUS_CALLBACK"),
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Edge == "" {
		o.Edge = os.Getenv("TWILIO_EDGE")
	}
	if o.Region == "" {
		o.Region = os.Getenv("TWILIO_REGION")
	}
	return New(cfg, &o)
}

func validSID(s, prefix string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Name implements sms.Provider.
func (p *Provider) Name() string { return Name }

// String describes the provider without credentials.
func (p *Provider) String() string { return "twilio.Provider{account=" + p.accountSID + "}" }

// GoString describes the provider without credentials.
func (p *Provider) GoString() string { return p.String() }

// Format prints the provider without credentials for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// Capabilities implements sms.Provider: one recipient per request, 1600 characters.
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree, sms.SenderShortCode, sms.SenderAlphanumeric, sms.SenderPool},
		MaxRecipients:   1,
		MaxBody:         MaxBodyChars,
		BodyUnit:        sms.UnitCharacters,
		DeliveryReports: true,
		Inbound:         true,
		CallbackURL:     true, // StatusCallback per message
	}
}

// ValidateSender narrows the root sender rules to Twilio's: alphanumeric IDs are 1–11 ASCII
// letters, digits and spaces with at least one letter (the AlphaSenders resource also allows
// - + _ &); a pool is a Messaging Service SID (MG + 32 hex).
func (p *Provider) ValidateSender(s sms.Sender) error {
	switch s.ResolvedType() {
	case sms.SenderAlphanumeric:
		for i := 0; i < len(s.Value); i++ {
			switch c := s.Value[i]; {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == ' ', c == '-', c == '+', c == '_', c == '&':
			default:
				return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: fmt.Sprintf("Twilio alphanumeric sender IDs do not allow %q", c), NotAccepted: true}
			}
		}
	case sms.SenderPool:
		if !validSID(s.Value, "MG") {
			return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "a Twilio sender pool is a Messaging Service SID (MG + 32 hex)", NotAccepted: true}
		}
	}
	return nil
}

func (p *Provider) messagesURL() string {
	return p.base + "/2010-04-01/Accounts/" + p.accountSID + "/Messages.json"
}

// form builds the create-message form for one recipient.
func (p *Provider) form(msg *sms.Message, to string) (url.Values, error) {
	f := url.Values{}
	f.Set("To", to)
	if msg.From.ResolvedType() == sms.SenderPool {
		f.Set("MessagingServiceSid", msg.From.Value)
	} else {
		f.Set("From", msg.From.Value)
	}
	f.Set("Body", msg.Body)
	cb := msg.CallbackURL
	if cb == "" {
		cb = p.cfg.StatusCallback
	}
	if cb != "" {
		u, err := url.Parse(cb)
		if err != nil || !u.IsAbs() {
			return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "CallbackURL must be an absolute URL", NotAccepted: true}
		}
		if msg.Reference != "" {
			// Append rather than re-encode, so the application's own query stays as written.
			ref := ReferenceParam + "=" + url.QueryEscape(msg.Reference)
			if u.RawQuery == "" {
				u.RawQuery = ref
			} else {
				u.RawQuery += "&" + ref
			}
		}
		if p.cfg.ConnectionOverrides != "" && u.Fragment == "" {
			u.Fragment = p.cfg.ConnectionOverrides
		}
		f.Set("StatusCallback", u.String())
	}
	if msg.Validity > 0 {
		secs := int(msg.Validity / time.Second)
		if secs < 1 || secs > 36000 {
			return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "Twilio validity must be 1s to 10h", NotAccepted: true}
		}
		f.Set("ValidityPeriod", strconv.Itoa(secs))
	}
	if o, ok := sms.Option[SendOptions](msg); ok {
		if o.SmartEncoded {
			f.Set("SmartEncoded", "true")
		}
		if o.ShortenURLs {
			f.Set("ShortenUrls", "true")
		}
		if !o.SendAt.IsZero() {
			if msg.From.ResolvedType() != sms.SenderPool {
				return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "scheduling needs a Messaging Service sender", NotAccepted: true}
			}
			f.Set("SendAt", o.SendAt.UTC().Format(time.RFC3339))
			f.Set("ScheduleType", "fixed")
		}
		if o.ContentRetention != "" {
			f.Set("ContentRetention", o.ContentRetention)
		}
		if o.AddressRetention != "" {
			f.Set("AddressRetention", o.AddressRetention)
		}
		if o.RiskCheck != "" {
			f.Set("RiskCheck", o.RiskCheck)
		}
		if o.ProvideFeedback {
			f.Set("ProvideFeedback", "true")
		}
		for _, m := range o.MediaURLs {
			f.Add("MediaUrl", m)
		}
	}
	return f, nil
}

// messageResource is the part of Twilio's Message resource the provider reads.
type messageResource struct {
	SID          string  `json:"sid"`
	Status       string  `json:"status"`
	To           string  `json:"to"`
	From         *string `json:"from"`
	NumSegments  string  `json:"num_segments"`
	ErrorCode    *int    `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
	DateCreated  string  `json:"date_created"`
	DateSent     *string `json:"date_sent"`
}

// Send implements sms.Provider: one form POST per recipient, one attempt each.
func (p *Provider) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if msg == nil || len(msg.To) == 0 {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "no recipients", NotAccepted: true}
	}
	res := make([]sms.SendResult, len(msg.To))
	sent := false
	for i, to := range msg.To {
		res[i].To = to
		if err := ctx.Err(); err != nil {
			if !sent {
				return nil, err
			}
			res[i].Err = sms.NotAttempted(Name, err)
			continue
		}
		r, err := p.sendOne(ctx, msg, to)
		if err != nil && i == 0 && len(msg.To) == 1 {
			return nil, err
		}
		sent = true
		if err != nil {
			res[i].Err = err
			continue
		}
		res[i] = r
	}
	return res, nil
}

func (p *Provider) sendOne(ctx context.Context, msg *sms.Message, to string) (sms.SendResult, error) {
	form, err := p.form(msg, to)
	if err != nil {
		return sms.SendResult{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.messagesURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return sms.SendResult{}, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "cannot build request", NotAccepted: true}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "smsbridge-go")
	req.SetBasicAuth(p.user, p.pass.Reveal())
	resp, err := httpx.Do(p.hc, req, httpx.Options{RequestIDHeader: RequestIDHeader})
	if err != nil {
		return sms.SendResult{}, withProvider(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return sms.SendResult{}, mapError(resp)
	}
	m, ok := decodeCreated(resp.Body)
	if !ok || m.SID == "" {
		// Twilio answered 2xx, so the message exists, but its id was lost.
		return sms.SendResult{}, &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode, RequestID: resp.RequestID, Message: "unreadable success response"}
	}
	segs, _ := strconv.Atoi(m.NumSegments)
	p.log.LogAttrs(ctx, slog.LevelDebug, "twilio message created", slog.String("sid", m.SID), slog.String("status", m.Status), slog.String("request_id", resp.RequestID))
	return sms.SendResult{To: to, MessageID: m.SID, Status: MapStatus(m.Status), Segments: segs}, nil
}

func withProvider(err error) error {
	var e *sms.Error
	if errors.As(err, &e) && e.Provider == "" {
		c := *e
		c.Provider = Name
		return &c
	}
	return err
}

// restError is Twilio's JSON error body.
type restError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// errorTable maps Twilio REST error codes to portable codes. Every 4xx answer means Twilio
// created no message, so each is NotAccepted.
var errorTable = map[int]sms.Code{
	20003: sms.CodeUnauthenticated,  // authentication error
	20404: sms.CodeNotFound,         // resource not found
	20429: sms.CodeRateLimited,      // too many concurrent requests; never processed
	21211: sms.CodeInvalidRecipient, // invalid To number
	21614: sms.CodeInvalidRecipient, // To is not a mobile number
	21612: sms.CodeInvalidRecipient, // To not reachable from this From (no route for the pair)
	21408: sms.CodePermissionDenied, // geo permission for the region not enabled in the account
	21610: sms.CodeOptedOut,         // the recipient replied STOP to this sender
	21212: sms.CodeInvalidArgument,  // invalid From
	21606: sms.CodeInvalidArgument,  // From is not a message-capable number of the account
	21659: sms.CodeInvalidArgument,  // From is not a valid sender
	21611: sms.CodeRateLimited,      // From has too many queued messages
	21602: sms.CodeInvalidArgument,  // Body required
	21604: sms.CodeInvalidArgument,  // To required
	21603: sms.CodeInvalidArgument,  // From required
	21617: sms.CodeInvalidArgument,  // body over 1600 characters
	21658: sms.CodeInvalidArgument,  // parameter over its limit
	21620: sms.CodeInvalidArgument,  // invalid media URL
	21601: sms.CodeInvalidArgument,  // To and From are the same
}

// mapError turns a non-2xx response into an *sms.Error from Twilio's error body.
func mapError(resp *httpx.Response) error {
	e := httpx.StatusError(Name, resp)
	var body restError
	if json.Unmarshal(resp.Body, &body) == nil && body.Code != 0 {
		e.VendorCode = strconv.Itoa(body.Code)
		e.Message = body.Message
		if c, ok := errorTable[body.Code]; ok {
			e.Code = c
		}
	}
	// NotAccepted stays as httpx.StatusError set it: Twilio answers its own rejections with
	// 4xx and creates no message, while a 408 or 409 proves nothing.
	return e
}

// FetchStatus implements sms.StatusFetcher: GET …/Messages/{Sid}.json, retried when safe.
func (p *Provider) FetchStatus(ctx context.Context, messageID string) (sms.Status, error) {
	m, err := p.FetchMessage(ctx, messageID)
	if err != nil {
		return sms.StatusUnknown, err
	}
	return MapStatus(m.Status), nil
}

// Message is what FetchMessage and FindMessages report about a message.
type Message struct {
	SID       string
	To, From  string
	Status    string // Twilio's status word; MapStatus gives the portable one
	ErrorCode string
	Segments  int
	Created   time.Time
}

func (m messageResource) toMessage() Message {
	out := Message{SID: m.SID, To: m.To, Status: m.Status}
	if m.From != nil {
		out.From = *m.From
	}
	if m.ErrorCode != nil {
		out.ErrorCode = strconv.Itoa(*m.ErrorCode)
	}
	out.Segments, _ = strconv.Atoi(m.NumSegments)
	out.Created, _ = time.Parse(time.RFC1123Z, m.DateCreated)
	return out
}

// FetchMessage reads one message resource.
func (p *Provider) FetchMessage(ctx context.Context, sid string) (Message, error) {
	if sid == "" || strings.ContainsAny(sid, "/?#") {
		return Message{}, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "invalid message SID"}
	}
	var m messageResource
	if err := p.get(ctx, p.base+"/2010-04-01/Accounts/"+p.accountSID+"/Messages/"+url.PathEscape(sid)+".json", &m); err != nil {
		return Message{}, err
	}
	return m.toMessage(), nil
}

// FindMessages lists messages sent to to (and from from, when not empty) on or after the
// day of since — the way to reconcile an OutcomeUnknown: if a message with your body shows up,
// the failed request did create it and must not be sent again.
func (p *Provider) FindMessages(ctx context.Context, to, from string, since time.Time) ([]Message, error) {
	q := url.Values{}
	if to != "" {
		q.Set("To", to)
	}
	if from != "" {
		q.Set("From", from)
	}
	if !since.IsZero() {
		q.Set("DateSent>", since.UTC().Format("2006-01-02"))
	}
	q.Set("PageSize", "50")
	var page struct {
		Messages []messageResource `json:"messages"`
	}
	if err := p.get(ctx, p.messagesURL()+"?"+q.Encode(), &page); err != nil {
		return nil, err
	}
	out := make([]Message, len(page.Messages))
	for i, m := range page.Messages {
		out[i] = m.toMessage()
	}
	return out, nil
}

func (p *Provider) get(ctx context.Context, u string, into any) error {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "cannot build request"}
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(p.user, p.pass.Reveal())
	resp, err := p.retry.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &sms.Error{Code: sms.CodeUnavailable, Provider: Name, Err: err}
	}
	r, err := httpx.ReadResponse(resp, httpx.Options{RequestIDHeader: RequestIDHeader, Provider: Name})
	if err != nil {
		return &sms.Error{Code: sms.CodeUnavailable, Provider: Name, Message: "reading response", Err: err}
	}
	if r.StatusCode != http.StatusOK {
		return mapError(r)
	}
	if err := json.Unmarshal(r.Body, into); err != nil {
		return &sms.Error{Code: sms.CodeInternal, Provider: Name, Message: "unreadable response", Err: err}
	}
	return nil
}

// ParseCallback implements sms.Provider: it verifies X-Twilio-Signature against PublicURL and
// the raw request URI with the primary and secondary auth tokens, then decodes the status
// callback or inbound message. Without PublicURL it fails closed.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if !p.cfg.InsecureSkipSignatureVerification {
		if p.verifier == nil {
			return nil, &sms.Error{Code: sms.CodeUnauthenticated, Provider: Name, Message: "callback verification is not configured: set Config.PublicURL"}
		}
		return p.verifier.verifyAndParse(r, body, sms.DefaultKeywords())
	}
	return parseCallback(r, body)
}

var (
	_ sms.Provider        = (*Provider)(nil)
	_ sms.StatusFetcher   = (*Provider)(nil)
	_ sms.SenderValidator = (*Provider)(nil)
)

// CallbackMethods implements sms.CallbackMethoder: Twilio's webhooks may be configured with
// HTTP GET (parameters in the signed query string) as well as POST.
func (p *Provider) CallbackMethods() []string { return []string{http.MethodGet} }
