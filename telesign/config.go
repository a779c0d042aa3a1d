package telesign

import (
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/smsbridge/sms"
)

// DefaultBaseURL is the API origin the official SDKs use.
const DefaultBaseURL = "https://rest-api.telesign.com"

// AuthScheme selects how REST requests are authenticated.
type AuthScheme int

// Authentication schemes (vendors/telesign.md §1).
const (
	// AuthBasic is "Authorization: Basic base64(customer_id:api_key)" (the default).
	AuthBasic AuthScheme = iota
	// AuthTSA is Telesign's digest scheme: "Authorization: TSA customer_id:signature", an
	// HMAC-SHA256 over the method, content type, Date, x-ts-auth-method, x-ts-nonce, body and
	// path, with a fresh Date and nonce on every request.
	AuthTSA
)

// String returns "basic" or "tsa".
func (a AuthScheme) String() string {
	if a == AuthTSA {
		return "tsa"
	}
	return "basic"
}

// Config holds the account's credentials as the Telesign portal shows them.
type Config struct {
	// CustomerID is the account's Customer ID (UUID-shaped); required.
	CustomerID string
	// APIKey is the account's API key (base64 text); required. Basic auth sends it as is;
	// TSA signing and callback verification use its base64 decoding, lenient as in the SDKs
	// (characters outside the base64 alphabet are dropped).
	APIKey sms.Secret
	// CallbackKeys are further API keys accepted on callbacks, for rotation: a callback
	// signed with APIKey or with any of them passes.
	CallbackKeys []sms.Secret
	// DeliveryURL is the absolute URL sent as callback_url on every message when
	// Message.CallbackURL is empty. Empty means the account's callback URL (Transaction
	// Callback Service) decides where reports go.
	DeliveryURL string
	// InsecureSkipCallbackAuth accepts callbacks without checking their TSA signature.
	// Anyone could then post delivery reports and opt-outs.
	InsecureSkipCallbackAuth bool
}

// Options holds the transport and request settings. The zero value is all defaults.
type Options struct {
	HTTPClient *http.Client  // copied, never modified; default a new client
	Timeout    time.Duration // per request; default HTTPClient's own, else 30s
	Logger     *slog.Logger  // nil = silent
	// BaseURL overrides DefaultBaseURL (an emulator, https://rest-ww.telesign.com).
	BaseURL string
	// Auth selects the request authentication; default AuthBasic.
	Auth AuthScheme
	// Clock gives the Date of signed requests; nil means the wall clock.
	Clock sms.Clock
	// Nonce returns the x-ts-nonce of a request; it must differ on every call (Telesign
	// refuses a reused nonce, code 10002). Nil means a random UUID.
	Nonce func() string
}

// Environment variables NewFromEnv reads.
const (
	EnvCustomerID   = "TELESIGN_CUSTOMER_ID"
	EnvAPIKey       = "TELESIGN_API_KEY"
	EnvBaseURL      = "TELESIGN_BASE_URL"
	EnvDeliveryURL  = "TELESIGN_DELIVERY_URL"
	EnvCallbackKeys = "TELESIGN_CALLBACK_KEYS" // comma-separated, for rotation
	EnvAuth         = "TELESIGN_AUTH"          // "basic" (default) or "tsa"
)

// NewFromEnv builds a provider from TELESIGN_CUSTOMER_ID and TELESIGN_API_KEY (both required;
// the names the official samples use), TELESIGN_BASE_URL, TELESIGN_DELIVERY_URL,
// TELESIGN_CALLBACK_KEYS (comma-separated) and TELESIGN_AUTH ("basic" or "tsa"). A missing
// required variable is named in the error ("TELESIGN_API_KEY is not set"). Fields already set
// in opts win.
func NewFromEnv(opts *Options) (*Provider, error) {
	for _, k := range []string{EnvCustomerID, EnvAPIKey} {
		if strings.TrimSpace(os.Getenv(k)) == "" {
			return nil, refused(k + " is not set")
		}
	}
	cfg := Config{
		CustomerID:  strings.TrimSpace(os.Getenv(EnvCustomerID)),
		APIKey:      sms.NewSecret(strings.TrimSpace(os.Getenv(EnvAPIKey))),
		DeliveryURL: strings.TrimSpace(os.Getenv(EnvDeliveryURL)),
	}
	for k := range strings.SplitSeq(os.Getenv(EnvCallbackKeys), ",") {
		if k = strings.TrimSpace(k); k != "" {
			cfg.CallbackKeys = append(cfg.CallbackKeys, sms.NewSecret(k))
		}
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.BaseURL == "" {
		o.BaseURL = strings.TrimSpace(os.Getenv(EnvBaseURL))
	}
	if o.Auth == AuthBasic {
		switch v := strings.ToLower(strings.TrimSpace(os.Getenv(EnvAuth))); v {
		case "", "basic":
		case "tsa", "hmac", "digest":
			o.Auth = AuthTSA
		default:
			return nil, refused(EnvAuth + ` must be "basic" or "tsa"`)
		}
	}
	return New(cfg, &o)
}
