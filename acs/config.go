package acs

import (
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
)

// DefaultAPIVersion is the api-version sent unless Options.APIVersion says otherwise: the
// original GA version, which every resource supports.
const DefaultAPIVersion = "2021-03-07"

// Config holds the resource's credentials and the callback protection, as the Azure portal
// shows them. Give exactly one of ConnectionString, Endpoint+AccessKey, or
// Endpoint+Credential.
type Config struct {
	// ConnectionString is the portal's "endpoint=https://…;accesskey=…".
	ConnectionString sms.Secret
	// Endpoint is https://<resource>.communication.azure.com, with AccessKey or Credential.
	Endpoint  string
	AccessKey sms.Secret
	// SecondaryAccessKey is tried once when the primary gets a 401 (which proves nothing was
	// sent), so that regenerating a key in the portal does not take sending down.
	SecondaryAccessKey sms.Secret
	// Credential authenticates with Microsoft Entra ID instead of an access key (scope
	// https://communication.azure.com//.default).
	Credential azcore.TokenCredential

	// CallbackTokens are accepted in the callback URL's query parameter CallbackTokenParam
	// (…/acs/events?token=<secret>), compared in constant time; several allow rotation.
	CallbackTokens []sms.Secret
	// CallbackUser and CallbackPassword, when set, are accepted as Basic auth on callbacks
	// (an Event Grid delivery header "Authorization: Basic …").
	CallbackUser     string
	CallbackPassword sms.Secret
	// InsecureSkipCallbackAuth accepts callbacks with no token or Basic auth. Event Grid does
	// not sign events: without protection anyone can post delivery reports and opt-outs.
	InsecureSkipCallbackAuth bool
}

// CallbackTokenParam is the query parameter that carries the callback secret.
const CallbackTokenParam = "token"

// Options holds the transport settings. The zero value is all defaults.
type Options struct {
	HTTPClient *http.Client  // copied, with Timeout applied; default a new client
	BaseURL    string        // overrides the endpoint's origin (emulators); signing uses the URL actually sent
	APIVersion string        // default DefaultAPIVersion
	Timeout    time.Duration // per request; default HTTPClient's own, else 30s
	// Logger receives the provider's records (sends at debug, a key rotation at warn). Nil
	// means silent. sms.NewClient and webhook.Handler use it too unless given their own (see
	// Provider.Logger).
	Logger *slog.Logger
	// Now is the clock for x-ms-date (and for repeatabilityFirstSent when a Message sent
	// without sms.Client has no FirstAttempt); nil means time.Now.
	Now func() time.Time
	// DisableDeliveryReports sends enableDeliveryReport=false (it is on by default).
	DisableDeliveryReports bool
}

// Environment variables read by NewFromEnv.
const (
	EnvConnectionString          = "ACS_CONNECTION_STRING"           // Config.ConnectionString
	EnvConnectionStringSecondary = "ACS_CONNECTION_STRING_SECONDARY" // its access key becomes Config.SecondaryAccessKey
	EnvEndpoint                  = "ACS_ENDPOINT"                    // Config.Endpoint, with EnvAccessKey
	EnvAccessKey                 = "ACS_ACCESS_KEY"                  // Config.AccessKey, with EnvEndpoint
	EnvAccessKeySecondary        = "ACS_ACCESS_KEY_SECONDARY"        // Config.SecondaryAccessKey
	EnvCallbackTokens            = "ACS_CALLBACK_TOKENS"             // Config.CallbackTokens, comma-separated
	EnvCallbackUser              = "ACS_CALLBACK_USER"               // Config.CallbackUser, with EnvCallbackPassword
	EnvCallbackPassword          = "ACS_CALLBACK_PASSWORD"           // Config.CallbackPassword, with EnvCallbackUser
)

// NewFromEnv builds a provider from the environment, with the conventions of every vendor
// package: the credential is EnvConnectionString (the portal's primary connection string), or
// EnvEndpoint with EnvAccessKey; the secondary key, for rotations, is
// EnvConnectionStringSecondary (its endpoint must be the primary's) or EnvAccessKeySecondary;
// callbacks are protected by EnvCallbackTokens (comma-separated, several allow rotation)
// and/or EnvCallbackUser with EnvCallbackPassword. An empty variable counts as unset; opts may
// be nil. For Microsoft Entra ID, build the Config with a Credential and call New.
//
// Every configuration error names the variable, never its value: a missing one is an
// *sms.Error with CodeInvalidArgument whose message is "ACS_ACCESS_KEY is not set", a
// malformed one says what is wrong with it ("ACS_ACCESS_KEY is not base64"). Without callback
// variables the provider sends, and ParseCallback refuses every callback, naming what to set.
func NewFromEnv(opts *Options) (*Provider, error) {
	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	return New(cfg, opts)
}

// configFromEnv reads the Config of NewFromEnv through getenv.
func configFromEnv(getenv func(string) string) (Config, error) {
	var cfg Config
	cs, ep, key := getenv(EnvConnectionString), getenv(EnvEndpoint), getenv(EnvAccessKey)
	var endpoint, primary string // the resource's endpoint, and the variable that named it
	switch {
	case cs != "" && ep != "":
		return cfg, invalid(EnvConnectionString + " and " + EnvEndpoint + " are both set: give one credential form")
	case cs != "" && key != "":
		return cfg, invalid(EnvConnectionString + " and " + EnvAccessKey + " are both set: give one credential form")
	case cs != "":
		e, _, err := ParseConnectionString(cs)
		if err != nil {
			return cfg, named(EnvConnectionString, err)
		}
		cfg.ConnectionString, endpoint, primary = sms.NewSecret(cs), e, EnvConnectionString
	case ep == "" && key == "":
		return cfg, invalid(EnvConnectionString + " is not set (nor " + EnvEndpoint + " with " + EnvAccessKey + ")")
	case ep == "":
		return cfg, notSet(EnvEndpoint)
	case key == "":
		return cfg, notSet(EnvAccessKey)
	default:
		if _, err := vendor.BaseURL(EnvEndpoint, ep); err != nil {
			return cfg, err
		}
		if _, err := acssign.DecodeKey(key); err != nil {
			return cfg, invalid(EnvAccessKey + " is not base64")
		}
		cfg.Endpoint, cfg.AccessKey = ep, sms.NewSecret(key)
		endpoint, primary = strings.TrimRight(ep, "/"), EnvEndpoint
	}

	switch cs2, key2 := getenv(EnvConnectionStringSecondary), getenv(EnvAccessKeySecondary); {
	case cs2 != "" && key2 != "":
		return cfg, invalid(EnvConnectionStringSecondary + " and " + EnvAccessKeySecondary + " are both set: give one secondary key")
	case cs2 != "":
		e, k, err := ParseConnectionString(cs2)
		if err != nil {
			return cfg, named(EnvConnectionStringSecondary, err)
		}
		if !strings.EqualFold(e, endpoint) {
			return cfg, invalid(EnvConnectionStringSecondary + " names another endpoint than " + primary)
		}
		cfg.SecondaryAccessKey = k
	case key2 != "":
		if _, err := acssign.DecodeKey(key2); err != nil {
			return cfg, invalid(EnvAccessKeySecondary + " is not base64")
		}
		cfg.SecondaryAccessKey = sms.NewSecret(key2)
	}

	for _, t := range strings.Split(getenv(EnvCallbackTokens), ",") {
		if t = strings.TrimSpace(t); t != "" {
			cfg.CallbackTokens = append(cfg.CallbackTokens, sms.NewSecret(t))
		}
	}
	switch user, pass := getenv(EnvCallbackUser), getenv(EnvCallbackPassword); {
	case user != "" && pass == "":
		return cfg, notSet(EnvCallbackPassword)
	case user == "" && pass != "":
		return cfg, notSet(EnvCallbackUser)
	default:
		cfg.CallbackUser, cfg.CallbackPassword = user, sms.NewSecret(pass)
	}
	return cfg, nil
}

func notSet(name string) *sms.Error { return invalid(name + " is not set") }

// named puts the variable's name before the message of err, an *sms.Error that includes no
// secret.
func named(name string, err error) error {
	if e, ok := err.(*sms.Error); ok {
		e.Message = name + ": " + e.Message
	}
	return err
}
