package twilio

import (
	"log/slog"
	"net/http"
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
	HTTPClient *http.Client  // copied, never modified; default: a new client
	BaseURL    string        // default DefaultBaseURL, or the edge/region host; emulators set theirs
	Edge       string        // e.g. "dublin": host api.{edge}.{region}.twilio.com
	Region     string        // e.g. "ie1"; defaults to "us1" when only Edge is set
	Timeout    time.Duration // per request; default HTTPClient's own Timeout, else 30s
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
// account SID and auth token.
func (cfg *Config) credentials() (user string, pass sms.Secret, err error) {
	if !validSID(cfg.AccountSID, "AC") {
		return "", sms.Secret{}, newError(sms.CodeInvalidArgument, "AccountSID must be AC followed by 32 hex digits")
	}
	switch {
	case cfg.APIKeySID != "":
		if !validSID(cfg.APIKeySID, "SK") || cfg.APIKeySecret.IsZero() {
			return "", sms.Secret{}, newError(sms.CodeInvalidArgument, "APIKeySID must be SK followed by 32 hex digits, with APIKeySecret")
		}
		return cfg.APIKeySID, cfg.APIKeySecret, nil
	case !cfg.AuthToken.IsZero():
		return cfg.AccountSID, cfg.AuthToken, nil
	}
	return "", sms.Secret{}, newError(sms.CodeInvalidArgument, "AuthToken or APIKeySID+APIKeySecret required")
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
