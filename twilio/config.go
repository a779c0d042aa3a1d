package twilio

import (
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/smsbridge/sms"
)

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
	// callback verification uses PublicURL + the raw request URI. When it is empty, the
	// scheme://host[:port] of StatusCallback is used; with neither, ParseCallback cannot
	// verify and fails with CodeInternal (answered 500 by webhook). Sending never needs it.
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
	HTTPClient *http.Client  // copied, never modified; default: a new client
	BaseURL    string        // default DefaultBaseURL, or the edge/region host; emulators set theirs
	Edge       string        // e.g. "dublin": host api.{edge}.{region}.twilio.com
	Region     string        // e.g. "ie1"; defaults to "us1" when only Edge is set
	Timeout    time.Duration // per request; default HTTPClient's own Timeout, else 30s
	// Logger receives the provider's records (created messages at debug, callback signature
	// mismatches at warn with the URL checked). Nil means silent. sms.NewClient and
	// webhook.Handler use it too unless given their own (see Provider.Logger), so that a
	// callback that cannot be verified because of the configuration is logged at error.
	Logger *slog.Logger
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

// Environment variables read by NewFromEnv (the names the official libraries use where they
// have one).
const (
	EnvAccountSID         = "TWILIO_ACCOUNT_SID"          // Config.AccountSID, required
	EnvAuthToken          = "TWILIO_AUTH_TOKEN"           // Config.AuthToken, required unless an API key is set
	EnvAuthTokenSecondary = "TWILIO_AUTH_TOKEN_SECONDARY" // Config.SecondaryAuthToken
	EnvAPIKey             = "TWILIO_API_KEY"              // Config.APIKeySID, with EnvAPISecret
	EnvAPISecret          = "TWILIO_API_SECRET"           // Config.APIKeySecret, with EnvAPIKey
	EnvPublicURL          = "TWILIO_PUBLIC_URL"           // Config.PublicURL
	EnvStatusCallback     = "TWILIO_STATUS_CALLBACK"      // Config.StatusCallback
	EnvEdge               = "TWILIO_EDGE"                 // Options.Edge, unless set in opts
	EnvRegion             = "TWILIO_REGION"               // Options.Region, unless set in opts
)

// NewFromEnv builds a provider from the environment: EnvAccountSID, and EnvAuthToken or
// EnvAPIKey with EnvAPISecret, are required; EnvAuthTokenSecondary, EnvPublicURL,
// EnvStatusCallback, EnvEdge and EnvRegion are optional. Edge and Region already set in opts
// win; opts may be nil. An empty variable counts as unset.
//
// Every configuration error names the variable, never its value: a missing one is an
// *sms.Error with CodeInvalidArgument whose message is "TWILIO_AUTH_TOKEN is not set", a
// malformed one says what the variable must hold ("TWILIO_ACCOUNT_SID must be AC followed by
// 32 hex digits").
//
// Without an auth token (sending with an API key) callbacks cannot be verified: Twilio signs
// them with the auth token only, and ParseCallback says so (see the package doc).
func NewFromEnv(opts *Options) (*Provider, error) {
	cfg := Config{
		AccountSID:         os.Getenv(EnvAccountSID),
		AuthToken:          sms.NewSecret(os.Getenv(EnvAuthToken)),
		SecondaryAuthToken: sms.NewSecret(os.Getenv(EnvAuthTokenSecondary)),
		APIKeySID:          os.Getenv(EnvAPIKey),
		APIKeySecret:       sms.NewSecret(os.Getenv(EnvAPISecret)),
		PublicURL:          os.Getenv(EnvPublicURL),
		StatusCallback:     os.Getenv(EnvStatusCallback),
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Edge == "" {
		o.Edge = os.Getenv(EnvEdge)
	}
	if o.Region == "" {
		o.Region = os.Getenv(EnvRegion)
	}
	return newProvider(cfg, &o, envNames)
}

// fieldNames are the names configuration errors give the fields of a Config: the Go field
// names for New, the environment variables for NewFromEnv, so that every error names what
// the user sets.
type fieldNames struct {
	accountSID, authToken, apiKey, apiSecret, publicURL, statusCallback string
}

var (
	configNames = fieldNames{"AccountSID", "AuthToken", "APIKeySID", "APIKeySecret", "PublicURL", "StatusCallback"}
	envNames    = fieldNames{EnvAccountSID, EnvAuthToken, EnvAPIKey, EnvAPISecret, EnvPublicURL, EnvStatusCallback}
)

func notSet(name string) *sms.Error {
	return newError(sms.CodeInvalidArgument, name+" is not set")
}

// edgeURL returns the API origin of the options' edge and region, or DefaultBaseURL when
// neither is set. BaseURL, when set, wins over it.
func (o *Options) edgeURL() string {
	if o.Edge == "" && o.Region == "" {
		return DefaultBaseURL
	}
	region := o.Region
	if region == "" {
		region = "us1"
	}
	host := "api."
	if o.Edge != "" {
		host += o.Edge + "."
	}
	return "https://" + host + region + ".twilio.com"
}

// credentials returns the Basic-auth pair of cfg: the API key when one is set, else the
// account SID and auth token. Errors name the fields as n does.
func (cfg *Config) credentials(n fieldNames) (user string, pass sms.Secret, err error) {
	switch {
	case cfg.AccountSID == "":
		return "", sms.Secret{}, notSet(n.accountSID)
	case !validSID(cfg.AccountSID, "AC"):
		return "", sms.Secret{}, newError(sms.CodeInvalidArgument, n.accountSID+" must be AC followed by 32 hex digits")
	case cfg.APIKeySID != "" || !cfg.APIKeySecret.IsZero():
		switch {
		case cfg.APIKeySID == "":
			return "", sms.Secret{}, notSet(n.apiKey)
		case cfg.APIKeySecret.IsZero():
			return "", sms.Secret{}, notSet(n.apiSecret)
		case !validSID(cfg.APIKeySID, "SK"):
			return "", sms.Secret{}, newError(sms.CodeInvalidArgument, n.apiKey+" must be SK followed by 32 hex digits")
		}
		return cfg.APIKeySID, cfg.APIKeySecret, nil
	case cfg.AuthToken.IsZero():
		return "", sms.Secret{}, newError(sms.CodeInvalidArgument, n.authToken+" is not set (nor "+n.apiKey+" with "+n.apiSecret+")")
	}
	return cfg.AccountSID, cfg.AuthToken, nil
}

// callbackOrigin returns the origin callbacks are verified against: PublicURL, else the
// scheme://host[:port] of StatusCallback (the URL Twilio is told to call, so the origin it
// signs), else "". derived reports the second case.
func (cfg *Config) callbackOrigin() (origin string, derived bool) {
	if cfg.PublicURL != "" {
		return cfg.PublicURL, false
	}
	if cfg.StatusCallback == "" {
		return "", false
	}
	u, err := url.Parse(cfg.StatusCallback)
	if err != nil || u.Host == "" {
		return "", false
	}
	return u.Scheme + "://" + u.Host, true
}

// validSID reports whether s is prefix followed by 32 hex digits.
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
