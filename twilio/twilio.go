package twilio

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/jsonscan"
	"github.com/smsbridge/sms/internal/redact"
)

// Name is the provider name in events, errors and logs.
const Name = "twilio"

// DefaultBaseURL is Twilio's REST API origin.
const DefaultBaseURL = "https://api.twilio.com"

// RequestIDHeader is the response header that carries Twilio's request id.
const RequestIDHeader = "Twilio-Request-Id"

// MaxBodyChars is Twilio's body limit (error 21617 beyond it).
const MaxBodyChars = 1600

// Provider sends through Twilio Programmable Messaging and parses its callbacks. Wrap it in
// sms.NewClient to send. It is safe for concurrent use.
type Provider struct {
	accountSID string
	user       string
	pass       sms.Secret
	cfg        Config
	t          *httpx.Transport // base URL, send client, logger, retrying fetches
	logger     *slog.Logger     // Options.Logger as given, for Logger
	verifier   *Verifier
	// unverifiable says why callbacks cannot be verified when verifier is nil and
	// verification is on: a configuration problem, reported by ParseCallback.
	unverifiable string
}

// New returns a Twilio provider. opts may be nil. Configuration errors are *sms.Error with
// CodeInvalidArgument that name the Config field ("AuthToken is not set").
func New(cfg Config, opts *Options) (*Provider, error) {
	return newProvider(cfg, opts, configNames)
}

// newProvider is New with configuration errors naming the fields as n does.
func newProvider(cfg Config, opts *Options, n fieldNames) (*Provider, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	user, pass, err := cfg.credentials(n)
	if err != nil {
		return nil, err
	}
	p := &Provider{accountSID: cfg.AccountSID, user: user, pass: pass, cfg: cfg, logger: o.Logger}
	if cfg.StatusCallback != "" {
		if u, err := url.Parse(cfg.StatusCallback); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, newError(sms.CodeInvalidArgument, n.statusCallback+" must be an absolute http(s) URL")
		}
	}
	p.t, err = vendor.NewTransport(httpx.TransportOptions{
		BaseURL: o.BaseURL, DefaultBaseURL: o.edgeURL(),
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Logger: o.Logger,
	})
	if err != nil {
		return nil, err
	}
	if cfg.InsecureSkipSignatureVerification {
		return p, nil
	}
	origin, derived := cfg.callbackOrigin()
	switch {
	case origin == "":
		p.unverifiable = "callbacks cannot be verified: set " + n.publicURL + " (or " + n.statusCallback +
			") to the scheme://host under which Twilio reaches this application"
	case cfg.AuthToken.IsZero() && cfg.SecondaryAuthToken.IsZero():
		if !derived { // PublicURL asks for verification: fail now rather than at the first callback
			return nil, newError(sms.CodeInvalidArgument, n.publicURL+" is set but "+n.authToken+
				" is not: Twilio signs callbacks with the auth token, which an API key cannot replace")
		}
		p.unverifiable = "callbacks cannot be verified: " + n.authToken +
			" is not set (Twilio signs callbacks with the auth token; an API key cannot verify them)"
	default:
		v, err := NewVerifier(origin, cfg.AuthToken, cfg.SecondaryAuthToken)
		if err != nil {
			if e, ok := err.(*sms.Error); ok {
				e.Message = n.publicURL + ": " + e.Message
			}
			return nil, err
		}
		p.verifier = v
	}
	return p, nil
}

// Logger returns Options.Logger, or nil when none was given. It implements sms.LoggerSource:
// sms.NewClient and webhook.Handler log through it unless given their own logger, so the
// logger is set once, here.
func (p *Provider) Logger() *slog.Logger { return p.logger }

// Name implements sms.Provider.
func (p *Provider) Name() string { return Name }

// String describes the provider without credentials.
func (p *Provider) String() string { return "twilio.Provider{account=" + p.accountSID + "}" }

// GoString describes the provider without credentials.
func (p *Provider) GoString() string { return p.String() }

// Format prints the provider without credentials for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// Capabilities implements sms.Provider: one recipient per request, 1600 characters, a
// delivery-report URL per message (StatusCallback). Twilio's Messages API has no field for a
// traffic class, so no Message.Type other than TypeDefault is honoured.
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree, sms.SenderShortCode, sms.SenderAlphanumeric, sms.SenderPool},
		MaxRecipients:   1,
		MaxBody:         MaxBodyChars,
		BodyUnit:        sms.UnitCharacters,
		DeliveryReports: true,
		Inbound:         true,
		CallbackURL:     true,
	}
}

// alphanumeric is Twilio's alphanumeric sender rule: 1–11 ASCII letters, digits and spaces
// with at least one letter (the glossary), plus - + _ & (the AlphaSenders resource).
var alphanumeric = sms.AlphanumericRule{Provider: Name, MaxLen: 11, Symbols: " -+_&"}

// ValidateSender narrows the root sender rules to Twilio's: alphanumeric IDs follow
// alphanumeric; a pool is a Messaging Service SID (MG + 32 hex).
func (p *Provider) ValidateSender(s sms.Sender) error {
	switch s.ResolvedType() {
	case sms.SenderAlphanumeric:
		return alphanumeric.Validate(s.Value)
	case sms.SenderPool:
		if !validSID(s.Value, "MG") {
			return refused("a Twilio sender pool is a Messaging Service SID (MG + 32 hex)")
		}
	}
	return nil
}

func (p *Provider) messagesURL() string {
	return p.t.BaseURL + "/2010-04-01/Accounts/" + p.accountSID + "/Messages.json"
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
			return nil, refused("CallbackURL must be an absolute URL")
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
			return nil, refused("Twilio validity must be 1s to 10h")
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
				return nil, refused("scheduling needs a Messaging Service sender")
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

// Send implements sms.Provider: one form POST for the one recipient (Capabilities.MaxRecipients
// is 1; sms.Client splits larger sends), one attempt. When that request fails, Send returns
// (nil, err) and sms.Client copies err, its code and NotAccepted unchanged, into the
// recipient's result.
func (p *Provider) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if msg == nil || len(msg.To) != 1 {
		return nil, refused("Twilio takes exactly one recipient per request; send through sms.Client, which splits")
	}
	r, err := p.sendOne(ctx, msg, msg.To[0])
	if err != nil {
		return nil, err
	}
	return []sms.SendResult{r}, nil
}

// CloseIdleConnections implements sms.IdleCloser: it closes the idle connections of the HTTP
// client sends and fetches use. The provider stays usable.
func (p *Provider) CloseIdleConnections() { p.t.Client.CloseIdleConnections() }

func (p *Provider) sendOne(ctx context.Context, msg *sms.Message, to string) (sms.SendResult, error) {
	form, err := p.form(msg, to)
	if err != nil {
		return sms.SendResult{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.messagesURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return sms.SendResult{}, refused("cannot build request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "smsbridge-go")
	req.SetBasicAuth(p.user, p.pass.Reveal())
	resp, err := p.t.Send(req)
	if err != nil {
		return sms.SendResult{}, err
	}
	if !resp.OK() {
		return sms.SendResult{}, mapError(resp)
	}
	m, ok := decodeCreated(resp.Body)
	if !ok || m.SID == "" {
		// Twilio answered 2xx, so the message exists, but its id was lost.
		e := newError(sms.CodeOutcomeUnknown, "unreadable success response")
		e.HTTPStatus, e.RequestID = resp.StatusCode, resp.RequestID
		return sms.SendResult{}, e
	}
	segs, _ := strconv.Atoi(m.NumSegments)
	p.t.Logger.LogAttrs(ctx, slog.LevelDebug, "twilio message created", slog.String("sid", m.SID), slog.String("status", m.Status), slog.String("request_id", resp.RequestID))
	return sms.SendResult{To: to, MessageID: m.SID, Status: StatusOf(m.Status), Segments: segs}, nil
}

// createdFields are the three fields Send reads from a created message resource.
type createdFields struct {
	SID, Status, NumSegments string
}

var createdKeys = []string{"sid", "status", "num_segments"}

// decodeCreated reads sid, status and num_segments from a message resource with
// internal/jsonscan (encoding/json's reflection costs more than the rest of a send's client
// side). ok is false unless b is one valid JSON object; a field that is not a string is left
// empty. FuzzDecodeCreated checks it against encoding/json.
func decodeCreated(b []byte) (f createdFields, ok bool) {
	ok = jsonscan.StringFields(b, createdKeys, []*string{&f.SID, &f.Status, &f.NumSegments})
	return f, ok
}

// FetchStatus implements sms.StatusFetcher: GET …/Messages/{Sid}.json, retried when safe.
func (p *Provider) FetchStatus(ctx context.Context, messageID string) (sms.Status, error) {
	m, err := p.FetchMessage(ctx, messageID)
	if err != nil {
		return sms.StatusUnknown, err
	}
	return StatusOf(m.Status), nil
}

// ParseCallback implements sms.Provider: it verifies X-Twilio-Signature against the public
// origin (Config.PublicURL, else StatusCallback's) and the raw request URI with the primary and
// secondary auth tokens, then decodes the status callback or inbound message.
//
// A signature that does not match is CodeUnauthenticated (webhook answers 401) and is logged
// at warn with the URL that was checked (never the signature or a token): when every callback
// fails so, that URL differs from the one Twilio called, usually because of a proxy, a
// tunnel or a path prefix, and PublicURL must be set to the origin Twilio uses. When the
// configuration leaves nothing to verify with (no origin, no auth token), every callback fails
// closed with CodeInternal whose message gives the reason: webhook answers 500 (the fault is
// the server's, not the sender's) and logs it at error, through this provider's logger unless
// it was given its own.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if p.cfg.InsecureSkipSignatureVerification {
		return parseCallback(r, body)
	}
	if p.verifier == nil {
		return nil, newError(sms.CodeInternal, p.unverifiable)
	}
	cb, err := p.verifier.verifyAndParse(r, body)
	if err != nil && isMismatch(err) && p.t.Logger.Enabled(ctx, slog.LevelWarn) {
		p.t.Logger.LogAttrs(ctx, slog.LevelWarn, "twilio: callback signature does not match; if every callback fails, set PublicURL to the origin Twilio calls",
			slog.String("url", redact.URL(p.verifier.checkedURL(r)))) // a query token is not logged
	}
	return cb, err
}

// CallbackMethods implements sms.CallbackMethoder: Twilio's webhooks may be configured with
// HTTP GET (parameters in the signed query string) as well as POST.
func (p *Provider) CallbackMethods() []string { return []string{http.MethodGet} }

var (
	_ sms.Provider         = (*Provider)(nil)
	_ sms.StatusFetcher    = (*Provider)(nil)
	_ sms.SenderValidator  = (*Provider)(nil)
	_ sms.CallbackMethoder = (*Provider)(nil)
)
