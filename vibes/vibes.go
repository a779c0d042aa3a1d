package vibes

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/norm"
)

// Name is the provider name in events, errors and logs.
const Name = "vibes"

// Limits of the Connect HTTP Message API (facts §2c).
const (
	// MaxBody is the longest text, in characters, Vibes carries as one message (with
	// splitLongMessage, on carriers that concatenate).
	MaxBody = 900
	// SingleMessageChars is the longest text sent without splitLongMessage.
	SingleMessageChars = 160
	// MaxSubmitterMessageID is the longest submitterMessageId Vibes takes.
	MaxSubmitterMessageID = 40
)

// pathSend is the one send endpoint, appended to the base URL.
const pathSend = "/MessageApi/mt/messages"

// ReferenceParam is the query parameter the provider adds to the receipt URL to carry
// Message.Reference: Vibes echoes only submitterMessageId, which the provider derives from the
// idempotency key (SubmitterMessageID).
const ReferenceParam = "smsbridge_ref"

// Sender types on the wire (source@type). Short codes are SC in every Vibes example; the values
// for long codes and toll-free numbers are not published: LC and TF are this package's
// assumption, kept here in one place.
const (
	SourceTypeShortCode = "SC"
	SourceTypeLongCode  = "LC"
	SourceTypeTollFree  = "TF"
)

// Provider sends through Vibes' Connect HTTP Message API (XML) and parses its delivery
// receipts and inbound messages. Wrap it in sms.NewClient to send. It is safe for concurrent
// use.
type Provider struct {
	auth     sms.Secret // "Basic …"
	sendURL  string
	delivery sms.Secret // Config.DeliveryURL: it holds the callback token
	t        *httpx.Transport
	cb       *cbauth.Verifier
	sources  []netip.Prefix
	proxies  []netip.Prefix
	logger   *slog.Logger
}

// New returns a Vibes provider. cfg.Username and cfg.Password are required. opts may be nil.
func New(cfg Config, opts *Options) (*Provider, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	user := strings.TrimSpace(cfg.Username)
	if user == "" || cfg.Password.IsZero() {
		return nil, refused("Username and Password are required (the Connect API credentials from Vibes)")
	}
	if strings.Contains(user, ":") {
		return nil, refused("Username must not contain ':' (HTTP Basic auth)")
	}
	base := strings.TrimSpace(cfg.BaseURL)
	if base != "" && !strings.Contains(base, "://") {
		base = "https://" + base
	}
	if cfg.DeliveryURL != "" {
		if err := checkCallbackURL(cfg.DeliveryURL, "DeliveryURL"); err != nil {
			return nil, err
		}
		if err := checkDeliveryToken(&cfg); err != nil {
			return nil, err
		}
	}
	sources, err := masked("CallbackSources", cfg.CallbackSources)
	if err != nil {
		return nil, err
	}
	proxies, err := masked("TrustedProxies", cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	t, err := vendor.NewTransport(httpx.TransportOptions{
		BaseURL: base, DefaultBaseURL: DefaultBaseURL, BaseURLField: "BaseURL",
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Logger: o.Logger,
	})
	if err != nil {
		return nil, err
	}
	return &Provider{
		auth:     sms.NewSecret("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+cfg.Password.Reveal()))),
		sendURL:  t.BaseURL + pathSend,
		delivery: sms.NewSecret(cfg.DeliveryURL),
		t:        t,
		cb:       newCallbackVerifier(&cfg),
		sources:  sources,
		proxies:  proxies,
		logger:   o.Logger,
	}, nil
}

// checkCallbackURL refuses a receipt URL that is not an absolute http(s) URL of printable
// ASCII (percent-encode anything else). The URL is not quoted: it holds the callback token.
func checkCallbackURL(raw, field string) error {
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f {
			return refused(field + " must be printable ASCII: percent-encode other characters")
		}
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return refused(field + " must be an absolute http(s) URL")
	}
	return nil
}

// checkDeliveryToken refuses a DeliveryURL whose receipts ParseCallback would refuse: one
// without the CallbackTokenParam, or with a token that is not one of CallbackTokens (unless
// InsecureSkipCallbackAuth). Neither URL nor token is quoted.
func checkDeliveryToken(cfg *Config) error {
	if cfg.InsecureSkipCallbackAuth {
		return nil
	}
	u, err := url.Parse(cfg.DeliveryURL)
	if err != nil {
		return refused("DeliveryURL must be an absolute http(s) URL")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || q.Get(CallbackTokenParam) == "" {
		return refused("DeliveryURL must carry ?" + CallbackTokenParam + "=<one of Config.CallbackTokens>: Vibes' receipts cannot carry Basic auth")
	}
	for _, t := range cfg.CallbackTokens {
		if !t.IsZero() && t.Reveal() == q.Get(CallbackTokenParam) {
			return nil
		}
	}
	return refused("the " + CallbackTokenParam + " of DeliveryURL is not one of Config.CallbackTokens: its receipts would be refused")
}

// Name implements sms.Provider.
func (p *Provider) Name() string { return Name }

// Logger implements sms.LoggerSource: Options.Logger as given (nil when none was).
func (p *Provider) Logger() *slog.Logger { return p.logger }

// String describes the provider without credentials or the receipt URL (which holds the
// callback token).
func (p *Provider) String() string {
	return "vibes.Provider{base=" + p.t.BaseURL + ", receipts=" + fmt.Sprint(!p.delivery.IsZero()) + ", callbacks=" + p.cb.String() + "}"
}

// GoString describes the provider without credentials.
func (p *Provider) GoString() string { return p.String() }

// Format prints the provider without credentials for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue implements slog.LogValuer: the description, without credentials.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// CloseIdleConnections implements sms.IdleCloser: it closes the idle connections of the HTTP
// client sends use. The provider stays usable.
func (p *Provider) CloseIdleConnections() { p.t.Client.CloseIdleConnections() }

// Capabilities implements sms.Provider: one recipient per request (the bundle endpoint's
// availability is unconfirmed, so it is not used), 900 characters, short codes, long codes
// and toll-free numbers of the US and Canada, recipients in the US and Canada only, a
// receipt URL per message, delivery receipts and inbound messages through ParseCallback.
// Sends are not idempotent: Vibes does not de-duplicate submitterMessageId.
func (p *Provider) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderShortCode, sms.SenderLongCode, sms.SenderTollFree},
		MaxRecipients:   1,
		MaxBody:         MaxBody,
		BodyUnit:        sms.UnitCharacters,
		DeliveryReports: true,
		Inbound:         true,
		IdempotentSends: false,
		Countries:       []string{"US", "CA"},
		CallbackURL:     true,
	}
}

// ValidateSender narrows the root sender rules to Vibes': a short code is 5 or 6 digits (the
// US and Canadian short-code plans); a long code or toll-free number is a +1 number of the US
// or Canada. Alphanumeric sender IDs do not exist in the US and Canada and are refused.
func (p *Provider) ValidateSender(s sms.Sender) error {
	switch t := s.ResolvedType(); t {
	case sms.SenderShortCode:
		if n := len(s.Value); n < 5 || n > 6 {
			return refused(fmt.Sprintf("short code %q: US and Canadian short codes are 5 or 6 digits", s.Value))
		}
	case sms.SenderLongCode, sms.SenderTollFree:
		if !usOrCA(s.Value) {
			return refused(fmt.Sprintf("sender %q: Vibes sends from US and Canadian numbers only", s.Value))
		}
	default:
		e := refused(fmt.Sprintf("sender type %s is not supported: Vibes sends from US and Canadian short codes, long codes and toll-free numbers", t))
		e.Err = errors.ErrUnsupported
		return e
	}
	return nil
}

// usOrCA reports whether an E.164 number is in the US or Canada (toll-free numbers are in
// both).
func usOrCA(number string) bool {
	for _, c := range sms.PhoneCountries(number) {
		if c == "US" || c == "CA" {
			return true
		}
	}
	return false
}

// sourceType is the source@type of a sender: the one place the wire values are chosen.
func sourceType(s sms.Sender) string {
	switch s.ResolvedType() {
	case sms.SenderShortCode:
		return SourceTypeShortCode
	case sms.SenderTollFree:
		return SourceTypeTollFree
	default:
		return SourceTypeLongCode
	}
}

// ValidateMessage implements sms.MessageValidator: sms.Client refuses before any request,
// with no results, a message Vibes cannot carry: text with a character XML 1.0 cannot hold (a
// C0 control character other than tab, line feed and carriage return; U+FFFE, U+FFFF), and a
// validity period (the API has none).
func (p *Provider) ValidateMessage(m *sms.Message) error {
	if err := checkXMLText(m.Body); err != nil {
		return err
	}
	if m.Validity != 0 {
		e := refused("Vibes' Message API has no validity period (Message.Validity)")
		e.Err = errors.ErrUnsupported
		return e
	}
	return nil
}

// checkXMLText refuses text with a character XML 1.0 cannot carry.
func checkXMLText(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return refused(fmt.Sprintf("the text has control character %U at byte %d: XML, which Vibes' API speaks, cannot carry it", c, i))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return refused(fmt.Sprintf("the text is not valid UTF-8 at byte %d", i))
		}
		if r == 0xFFFE || r == 0xFFFF {
			return refused(fmt.Sprintf("the text has %U at byte %d: XML, which Vibes' API speaks, cannot carry it", r, i))
		}
		i += size
	}
	return nil
}

// submitterNamespace is the UUIDv5 namespace of submitterMessageIds: UUIDv5 of the URL
// namespace and "https://github.com/smsbridge/sms/vibes#submitterMessageId".
var submitterNamespace = norm.UUID5(norm.NamespaceURL, "https://github.com/smsbridge/sms/vibes#submitterMessageId")

// SubmitterMessageID returns the submitterMessageId sent for recipient to of a message with
// idempotency key key: the name-based UUID (version 5) of key + "|" + to, lower-case
// 8-4-4-4-12 (36 characters, within Vibes' 40). Vibes echoes it in the send answer and in
// every delivery receipt (SubmitterMessageIDOf), so a send that ended OutcomeUnknown — whose
// answer, and with it the messageId, was lost — is resolved by the receipt that carries
// SubmitterMessageID of the persisted SendResult.IdempotencyKey and recipient: wait for it
// before resending (Vibes does not de-duplicate, a resend is a second message).
func SubmitterMessageID(key, to string) string {
	return norm.FormatUUID(norm.UUID5(submitterNamespace, key+"|"+to))
}

// withQuery adds k=v (v escaped) to the query of a URL, before any #fragment.
func withQuery(u, k, v string) string {
	u, frag, hasFrag := strings.Cut(u, "#")
	sep := "&"
	switch {
	case !strings.Contains(u, "?"):
		sep = "?"
	case strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&"):
		sep = ""
	}
	u += sep + k + "=" + url.QueryEscape(v)
	if hasFrag {
		u += "#" + frag
	}
	return u
}

// needsSplit reports whether a text must be sent with splitLongMessage="true": more than 160
// characters (Vibes' rule), or more than one SMS segment by the library's count (a UCS-2 text
// over 70 characters), so that Vibes splits rather than truncates.
func needsSplit(body string) bool {
	if utf8.RuneCountInString(body) > SingleMessageChars {
		return true
	}
	return sms.CountSegments(body).Segments > 1
}

// Field table of the request body (facts §2a):
//
//	sms.Message            mtMessage
//	(derived)              @submitterMessageId  SubmitterMessageID(IdempotencyKey, To[0])
//	Body over 160 chars    @splitLongMessage "true" (omitted otherwise: Vibes' default false)
//	To[0]                  destination@address (E.164), @type "MDN"
//	From.Value             source@address (short code digits, numbers E.164), @type SC, LC or TF
//	Body                   text (escaped by encoding/xml)
//	CallbackURL            receiptOption@callbackUrl (default Config.DeliveryURL) with
//	                       ?smsbridge_ref=Reference when set; element text ALL. No receipt
//	                       URL: no receiptOption
var (
	xmlHead    = []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<mtMessage submitterMessageId="`)
	xmlSplit   = []byte(`" splitLongMessage="true`)
	xmlDest    = []byte(`"><destination address="`)
	xmlSource  = []byte(`" type="MDN"/><source address="`)
	xmlType    = []byte(`" type="`)
	xmlText    = []byte(`"/><text>`)
	xmlReceipt = []byte(`</text><receiptOption callbackUrl="`)
	xmlAll     = []byte(`">ALL</receiptOption>`)
	xmlNoRcpt  = []byte(`</text>`)
	xmlEnd     = []byte(`</mtMessage>`)
)

// sendBody builds the XML body of POST /MessageApi/mt/messages for msg's one recipient.
func (p *Provider) sendBody(msg *sms.Message, submitter string) ([]byte, error) {
	if err := p.ValidateMessage(msg); err != nil {
		return nil, err
	}
	cb := msg.CallbackURL
	if cb == "" {
		cb = p.delivery.Reveal()
	} else if err := checkCallbackURL(cb, "CallbackURL"); err != nil {
		return nil, err
	}
	if cb != "" && msg.Reference != "" {
		cb = withQuery(cb, ReferenceParam, msg.Reference)
	}
	from := msg.From.Value
	var buf bytes.Buffer
	buf.Grow(256 + len(msg.Body) + len(cb))
	buf.Write(xmlHead)
	_ = xml.EscapeText(&buf, []byte(submitter))
	if needsSplit(msg.Body) {
		buf.Write(xmlSplit)
	}
	buf.Write(xmlDest)
	_ = xml.EscapeText(&buf, []byte(msg.To[0]))
	buf.Write(xmlSource)
	_ = xml.EscapeText(&buf, []byte(from))
	buf.Write(xmlType)
	buf.WriteString(sourceType(msg.From))
	buf.Write(xmlText)
	if err := xml.EscapeText(&buf, []byte(msg.Body)); err != nil {
		e := newError(sms.CodeInternal, "encoding the send request")
		e.NotAccepted, e.Err = true, err
		return nil, e
	}
	if cb != "" {
		buf.Write(xmlReceipt)
		_ = xml.EscapeText(&buf, []byte(cb))
		buf.Write(xmlAll)
	} else {
		buf.Write(xmlNoRcpt)
	}
	buf.Write(xmlEnd)
	return buf.Bytes(), nil
}

// Send implements sms.Provider: one attempt of POST /MessageApi/mt/messages for the message's
// one recipient (Capabilities.MaxRecipients is 1; sms.Client fans out). Content Vibes cannot
// carry is refused before any request (ValidateMessage). A recipient outside the US and
// Canada is that recipient's InvalidRecipient, with no request. A 2xx answer carrying a
// messageId is success (StatusAccepted); one with a <status isError="true"> and no messageId
// is Vibes' refusal (NotAccepted; internal code 9 is OptedOut, the others Unknown with the code
// in VendorCode); any other 2xx body is OutcomeUnknown. A non-2xx answer is the shared
// status→code mapping (5xx after writing: OutcomeUnknown). An OutcomeUnknown error names the
// submitterMessageId to wait for (see SubmitterMessageID).
func (p *Provider) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if msg == nil || len(msg.To) == 0 {
		return nil, refused("no recipients")
	}
	if len(msg.To) > 1 {
		return nil, refused(fmt.Sprintf("%d recipients: Vibes takes one recipient per request (sms.Client fans out)", len(msg.To)))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	to := msg.To[0]
	if !usOrCA(to) {
		e := newError(sms.CodeInvalidRecipient, fmt.Sprintf("recipient %s: Vibes delivers to the US and Canada only", to))
		e.NotAccepted = true
		return []sms.SendResult{{To: to, Err: e}}, nil
	}
	key := msg.IdempotencyKey
	if key == "" {
		key = norm.RandomKey()
	}
	submitter := SubmitterMessageID(key, to)
	body, err := p.sendBody(msg, submitter)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.sendURL, bytes.NewReader(body))
	if err != nil {
		return nil, refused("cannot build request")
	}
	req.Header.Set("Authorization", p.auth.Reveal())
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("Accept", "text/xml, application/xml")
	req.Header.Set("User-Agent", "smsbridge-go")
	resp, err := p.t.Send(req)
	if err != nil {
		return nil, unknownWith(err, submitter)
	}
	if !resp.OK() {
		return nil, unknownWith(mapError(resp), submitter)
	}
	res, err := result(to, msg.Body, resp)
	if err != nil {
		return nil, unknownWith(err, submitter)
	}
	if p.t.Logger.Enabled(ctx, slog.LevelDebug) {
		p.t.Logger.LogAttrs(ctx, slog.LevelDebug, "vibes send", slog.String("submitterMessageId", submitter),
			slog.Bool("ok", res[0].Err == nil))
	}
	return res, nil
}

// unknownWith adds the submitterMessageId to an OutcomeUnknown error's message, so that the
// receipt that settles it can be found; other errors are returned as they are.
func unknownWith(err error, submitter string) error {
	var e *sms.Error
	if errors.As(err, &e) && e.Code == sms.CodeOutcomeUnknown {
		e.Message += " (submitterMessageId " + submitter + ": its delivery receipts settle the outcome)"
	}
	return err
}

// result maps a 2xx answer (see Send).
func result(to, body string, resp *httpx.Response) ([]sms.SendResult, error) {
	var a sendAnswer
	if err := xml.Unmarshal(resp.Body, &a); err != nil {
		e := newError(sms.CodeOutcomeUnknown, "unreadable answer: the message may have been accepted")
		e.HTTPStatus, e.Err = resp.StatusCode, err
		return nil, e
	}
	id := strings.TrimSpace(a.MessageID)
	if id == "" {
		id = strings.TrimSpace(a.MessageIDElem)
	}
	switch {
	case id != "":
		return []sms.SendResult{{To: to, MessageID: id, Status: sms.StatusAccepted, Segments: sms.CountSegments(body).Segments}}, nil
	case a.Status.isError():
		return []sms.SendResult{{To: to, Err: sendFailure(resp.StatusCode, a.Status)}}, nil
	}
	e := newError(sms.CodeOutcomeUnknown, "the answer has neither a messageId nor an error status: the message may have been accepted")
	e.HTTPStatus = resp.StatusCode
	return nil, e
}

var (
	_ sms.LoggerSource     = (*Provider)(nil)
	_ sms.Provider         = (*Provider)(nil)
	_ sms.SenderValidator  = (*Provider)(nil)
	_ sms.MessageValidator = (*Provider)(nil)
	_ sms.IdleCloser       = (*Provider)(nil)
)
