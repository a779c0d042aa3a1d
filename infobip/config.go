package infobip

import (
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms"
)

// APIVersion selects the send endpoint and its field names.
type APIVersion int

// API versions.
const (
	// V3 is POST /sms/3/messages, Infobip's current send endpoint (the default).
	V3 APIVersion = iota
	// V2 is POST /sms/2/text/advanced, the endpoint the official Node client still uses.
	V2
)

// String returns "v3" or "v2".
func (v APIVersion) String() string {
	if v == V2 {
		return "v2"
	}
	return "v3"
}

// DefaultMaxRecipients is the number of destinations one send request carries unless
// Options.MaxRecipients says otherwise. Infobip publishes no limit (vendors/infobip.md §2c).
const DefaultMaxRecipients = 1000

// Config holds the account's credentials and the callback protection, as the Infobip portal
// shows them (Developers tab: API key and the account's own API base URL).
type Config struct {
	// APIKey is sent as "Authorization: App <key>".
	APIKey sms.Secret
	// BaseURL is the account's API base URL, e.g. "xxxxx.api.infobip.com"; required. A value
	// without a scheme gets "https://".
	BaseURL string
	// DeliveryURL is the absolute URL Infobip posts delivery reports to (v3
	// webhooks.delivery.url, v2 notifyUrl) for every message; Message.CallbackURL overrides it.
	// Empty means the account's subscription settings decide where reports go. Add
	// ?token=<one of CallbackTokens> to it.
	DeliveryURL string

	// CallbackTokens are accepted in the callback URL's query parameter CallbackTokenParam,
	// compared in constant time; several allow rotation.
	CallbackTokens []sms.Secret
	// CallbackUser and CallbackPassword, when set, are accepted as Basic auth on callbacks
	// (the BASIC security type of an Infobip subscription).
	CallbackUser     string
	CallbackPassword sms.Secret
	// VerifyCallback, when set, is called with every callback request and its body before it
	// is decoded; a non-nil error refuses the callback (CodeUnauthenticated). It is the hook
	// for the subscription security types whose wire form is not published (HMAC, OAUTH):
	// with no token or Basic credentials configured it alone decides; with them, both must
	// accept.
	VerifyCallback func(r *http.Request, body []byte) error
	// InsecureSkipCallbackAuth accepts callbacks without any check. Infobip does not sign
	// callbacks: without protection anyone can post delivery reports and opt-outs.
	InsecureSkipCallbackAuth bool
}

// CallbackTokenParam is the query parameter that carries the callback secret.
const CallbackTokenParam = "token"

// Options holds the transport and request settings. The zero value is all defaults.
type Options struct {
	HTTPClient *http.Client  // copied, never modified; default a new client
	Timeout    time.Duration // per request; default HTTPClient's own, else 30s
	Logger     *slog.Logger  // nil = silent
	// APIVersion selects the send endpoint; default V3.
	APIVersion APIVersion
	// MaxRecipients is the number of destinations per request (Capabilities.MaxRecipients,
	// so sms.Client splits larger sends); 0 means DefaultMaxRecipients.
	MaxRecipients int
}

// Environment variables NewFromEnv reads.
const (
	EnvAPIKey           = "INFOBIP_API_KEY"
	EnvBaseURL          = "INFOBIP_BASE_URL"
	EnvDeliveryURL      = "INFOBIP_DELIVERY_URL"
	EnvCallbackTokens   = "INFOBIP_CALLBACK_TOKENS" // comma-separated
	EnvCallbackUser     = "INFOBIP_CALLBACK_USER"
	EnvCallbackPassword = "INFOBIP_CALLBACK_PASSWORD"
	EnvAPIVersion       = "INFOBIP_API_VERSION" // "v3" (default) or "v2"
	EnvMaxRecipients    = "INFOBIP_MAX_RECIPIENTS"
)

// NewFromEnv builds a provider from INFOBIP_API_KEY and INFOBIP_BASE_URL (both required; the
// names the official clients use), INFOBIP_DELIVERY_URL, INFOBIP_CALLBACK_TOKENS
// (comma-separated), INFOBIP_CALLBACK_USER, INFOBIP_CALLBACK_PASSWORD, INFOBIP_API_VERSION
// ("v3" or "v2") and INFOBIP_MAX_RECIPIENTS. A missing required variable is named in the
// error ("INFOBIP_API_KEY is not set"). Fields already set in opts win.
func NewFromEnv(opts *Options) (*Provider, error) {
	for _, k := range []string{EnvAPIKey, EnvBaseURL} {
		if strings.TrimSpace(os.Getenv(k)) == "" {
			return nil, refused(k + " is not set")
		}
	}
	cfg := Config{
		APIKey:           sms.NewSecret(strings.TrimSpace(os.Getenv(EnvAPIKey))),
		BaseURL:          strings.TrimSpace(os.Getenv(EnvBaseURL)),
		DeliveryURL:      strings.TrimSpace(os.Getenv(EnvDeliveryURL)),
		CallbackUser:     os.Getenv(EnvCallbackUser),
		CallbackPassword: sms.NewSecret(os.Getenv(EnvCallbackPassword)),
	}
	for t := range strings.SplitSeq(os.Getenv(EnvCallbackTokens), ",") {
		if t = strings.TrimSpace(t); t != "" {
			cfg.CallbackTokens = append(cfg.CallbackTokens, sms.NewSecret(t))
		}
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.APIVersion == V3 {
		switch v := strings.ToLower(strings.TrimSpace(os.Getenv(EnvAPIVersion))); v {
		case "", "v3", "3":
		case "v2", "2":
			o.APIVersion = V2
		default:
			return nil, refused(EnvAPIVersion + ` must be "v3" or "v2"`)
		}
	}
	if o.MaxRecipients == 0 {
		if v := strings.TrimSpace(os.Getenv(EnvMaxRecipients)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return nil, refused(EnvMaxRecipients + " must be a positive number")
			}
			o.MaxRecipients = n
		}
	}
	return New(cfg, &o)
}
