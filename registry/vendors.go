package registry

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/vibes"
)

// Vendor builds one vendor's provider from a providers entry. The built-in vendors are listed
// by Vendors; Options.Vendors adds others (a custom channel) or replaces one, by the name a
// providers entry gives as "vendor".
type Vendor struct {
	// Credentials lists the credential keys the vendor reads. In the file each names an
	// environment variable holding the value; Settings.Secret returns the value.
	Credentials []string
	// Options lists the option keys the vendor reads besides the common ones, "base_url" and
	// "timeout". Settings.Option and its typed variants return them.
	Options []string
	// Required lists the keys, of Credentials or Options, that every entry must give.
	Required []string
	// New builds the provider. It reports a malformed option through s.Problem (or the typed
	// getters, which do) so that every problem is reported at once; a returned error is
	// reported as a problem of the whole entry.
	New func(s *Settings) (sms.Provider, error)
}

// commonOptions are the option keys every vendor takes.
var commonOptions = []string{"base_url", "timeout"}

// builtin is the table of the vendors this module ships. A new vendor package adds its entry
// here: its credential and option keys (snake_case forms of its Config and Options fields) and
// a New that maps them.
var builtin = map[string]Vendor{
	"twilio": {
		Credentials: []string{"account_sid", "auth_token", "secondary_auth_token", "api_key_sid", "api_key_secret"},
		Options:     []string{"edge", "region", "public_url", "status_callback", "connection_overrides", "insecure_skip_signature_verification"},
		Required:    []string{"account_sid"},
		New: func(s *Settings) (sms.Provider, error) {
			cfg := twilio.Config{
				AccountSID:                        s.Secret("account_sid").Reveal(),
				AuthToken:                         s.Secret("auth_token"),
				SecondaryAuthToken:                s.Secret("secondary_auth_token"),
				APIKeySID:                         s.Secret("api_key_sid").Reveal(),
				APIKeySecret:                      s.Secret("api_key_secret"),
				PublicURL:                         s.Option("public_url"),
				StatusCallback:                    s.Option("status_callback"),
				ConnectionOverrides:               s.Option("connection_overrides"),
				InsecureSkipSignatureVerification: s.Bool("insecure_skip_signature_verification"),
			}
			o := &twilio.Options{HTTPClient: s.HTTPClient, Logger: s.Logger, BaseURL: s.Option("base_url"),
				Timeout: s.Duration("timeout"), Edge: s.Option("edge"), Region: s.Option("region")}
			if s.Failed() {
				return nil, nil
			}
			return twilio.New(cfg, o)
		},
	},
	"acs": {
		Credentials: []string{"connection_string", "access_key", "secondary_access_key", "callback_tokens", "callback_password"},
		Options:     []string{"endpoint", "api_version", "callback_user", "disable_delivery_reports", "insecure_skip_callback_auth"},
		New: func(s *Settings) (sms.Provider, error) {
			cfg := acs.Config{
				ConnectionString:         s.Secret("connection_string"),
				Endpoint:                 s.Option("endpoint"),
				AccessKey:                s.Secret("access_key"),
				SecondaryAccessKey:       s.Secret("secondary_access_key"),
				CallbackTokens:           s.Secrets("callback_tokens"),
				CallbackUser:             s.Option("callback_user"),
				CallbackPassword:         s.Secret("callback_password"),
				InsecureSkipCallbackAuth: s.Bool("insecure_skip_callback_auth"),
			}
			o := &acs.Options{HTTPClient: s.HTTPClient, Logger: s.Logger, BaseURL: s.Option("base_url"),
				Timeout: s.Duration("timeout"), APIVersion: s.Option("api_version"),
				DisableDeliveryReports: s.Bool("disable_delivery_reports")}
			if s.Failed() {
				return nil, nil
			}
			return acs.New(cfg, o)
		},
	},
	"infobip": {
		Credentials: []string{"api_key", "callback_tokens", "callback_password"},
		Options:     []string{"delivery_url", "callback_user", "api_version", "max_recipients", "insecure_skip_callback_auth"},
		Required:    []string{"api_key", "base_url"},
		New: func(s *Settings) (sms.Provider, error) {
			cfg := infobip.Config{
				APIKey:                   s.Secret("api_key"),
				BaseURL:                  s.Option("base_url"),
				DeliveryURL:              s.Option("delivery_url"),
				CallbackTokens:           s.Secrets("callback_tokens"),
				CallbackUser:             s.Option("callback_user"),
				CallbackPassword:         s.Secret("callback_password"),
				InsecureSkipCallbackAuth: s.Bool("insecure_skip_callback_auth"),
			}
			o := &infobip.Options{HTTPClient: s.HTTPClient, Logger: s.Logger, Timeout: s.Duration("timeout"),
				MaxRecipients: s.Int("max_recipients")}
			switch v := s.Option("api_version"); v {
			case "", "v3":
			case "v2":
				o.APIVersion = infobip.V2
			default:
				s.Problem("api_version", `must be "v3" or "v2"`)
			}
			if s.Failed() {
				return nil, nil
			}
			return infobip.New(cfg, o)
		},
	},
	"telesign": {
		Credentials: []string{"customer_id", "api_key", "callback_keys"},
		Options:     []string{"delivery_url", "auth", "insecure_skip_callback_auth"},
		Required:    []string{"customer_id", "api_key"},
		New: func(s *Settings) (sms.Provider, error) {
			cfg := telesign.Config{
				CustomerID:               s.Secret("customer_id").Reveal(),
				APIKey:                   s.Secret("api_key"),
				CallbackKeys:             s.Secrets("callback_keys"),
				DeliveryURL:              s.Option("delivery_url"),
				InsecureSkipCallbackAuth: s.Bool("insecure_skip_callback_auth"),
			}
			o := &telesign.Options{HTTPClient: s.HTTPClient, Logger: s.Logger, BaseURL: s.Option("base_url"),
				Timeout: s.Duration("timeout")}
			switch v := s.Option("auth"); v {
			case "", "basic":
			case "tsa":
				o.Auth = telesign.AuthTSA
			default:
				s.Problem("auth", `must be "basic" or "tsa"`)
			}
			if s.Failed() {
				return nil, nil
			}
			return telesign.New(cfg, o)
		},
	},
	"linkmobility": {
		Credentials: []string{"username", "password", "platform_id", "platform_partner_id", "callback_password", "callback_tokens"},
		Options:     []string{"gate_id", "callback_user", "ack_body", "max_recipients", "insecure_skip_callback_auth"},
		Required:    []string{"username", "password", "platform_id", "platform_partner_id", "base_url"},
		New: func(s *Settings) (sms.Provider, error) {
			cfg := linkmobility.Config{
				Username:                 s.Secret("username").Reveal(),
				Password:                 s.Secret("password"),
				PlatformID:               s.Secret("platform_id").Reveal(),
				PlatformPartnerID:        s.Secret("platform_partner_id").Reveal(),
				GateID:                   s.Option("gate_id"),
				BaseURL:                  s.Option("base_url"),
				CallbackUser:             s.Option("callback_user"),
				CallbackPassword:         s.Secret("callback_password"),
				CallbackTokens:           s.Secrets("callback_tokens"),
				AckBody:                  s.Option("ack_body"),
				InsecureSkipCallbackAuth: s.Bool("insecure_skip_callback_auth"),
			}
			o := &linkmobility.Options{HTTPClient: s.HTTPClient, Logger: s.Logger, Timeout: s.Duration("timeout"),
				MaxRecipients: s.Int("max_recipients")}
			if s.Failed() {
				return nil, nil
			}
			return linkmobility.New(cfg, o)
		},
	},
	"vibes": {
		Credentials: []string{"username", "password", "callback_tokens"},
		Options:     []string{"delivery_url", "callback_sources", "trusted_proxies", "insecure_skip_callback_auth"},
		Required:    []string{"username", "password"},
		New: func(s *Settings) (sms.Provider, error) {
			cfg := vibes.Config{
				Username:                 s.Secret("username").Reveal(),
				Password:                 s.Secret("password"),
				BaseURL:                  s.Option("base_url"),
				DeliveryURL:              s.Option("delivery_url"),
				CallbackTokens:           s.Secrets("callback_tokens"),
				CallbackSources:          prefixes(s, "callback_sources", vibes.DefaultCallbackSources()),
				TrustedProxies:           prefixes(s, "trusted_proxies", nil),
				InsecureSkipCallbackAuth: s.Bool("insecure_skip_callback_auth"),
			}
			o := &vibes.Options{HTTPClient: s.HTTPClient, Logger: s.Logger, Timeout: s.Duration("timeout")}
			if s.Failed() {
				return nil, nil
			}
			return vibes.New(cfg, o)
		},
	},
}

// prefixes reads the address list option key (vibes.ParsePrefixes; "default" stands for
// defaults when it is not nil).
func prefixes(s *Settings, key string, defaults []netip.Prefix) []netip.Prefix {
	p, err := vibes.ParsePrefixes(s.Option(key), defaults)
	if err != nil {
		s.Problem(key, "%v", err)
	}
	return p
}

// Vendors returns the built-in vendors by the name a providers entry gives as "vendor". The
// map is a copy.
func Vendors() map[string]Vendor { return maps.Clone(builtin) }

// Settings is what a Vendor's New gets: one providers entry with its credentials read from the
// environment and its options expanded, and the shared HTTP client and logger of Options.
// The getters of a key the entry does not give return the zero value.
type Settings struct {
	Name       string       // the entry's name
	HTTPClient *http.Client // Options.HTTPClient; nil = the vendor's default
	Logger     *slog.Logger // Options.Logger; nil = silent

	creds    map[string]sms.Secret
	opts     map[string]string
	path     string
	problems []error
}

// Secret returns the credential key: the value of the environment variable the entry names
// for it.
func (s *Settings) Secret(key string) sms.Secret { return s.creds[key] }

// Secrets returns the credential key split at commas, for the vendors that accept several
// (callback tokens and keys, for rotation); empty items are dropped.
func (s *Settings) Secrets(key string) []sms.Secret {
	sec, ok := s.creds[key]
	if !ok {
		return nil
	}
	var out []sms.Secret
	for v := range strings.SplitSeq(sec.Reveal(), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, sms.NewSecret(v))
		}
	}
	return out
}

// Option returns the option key, its ${VAR} references expanded.
func (s *Settings) Option(key string) string { return s.opts[key] }

// Duration returns the option key parsed as a Go duration ("10s", "1m30s"); a malformed or
// negative value is reported as a problem and returns 0.
func (s *Settings) Duration(key string) time.Duration {
	v, ok := s.opts[key]
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		s.Problem(key, `must be a positive duration such as "10s"`)
		return 0
	}
	return d
}

// Int returns the option key parsed as a positive integer; another value is reported as a
// problem and returns 0.
func (s *Settings) Int(key string) int {
	v, ok := s.opts[key]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		s.Problem(key, "must be a positive integer")
		return 0
	}
	return n
}

// Bool returns the option key, "true" or "false"; another value is reported as a problem and
// returns false.
func (s *Settings) Bool(key string) bool {
	v, ok := s.opts[key]
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		s.Problem(key, `must be "true" or "false"`)
	}
	return b
}

// Problem reports that the option or credential key is wrong, saying what it must be. The
// message must not quote the value.
func (s *Settings) Problem(key, format string, args ...any) {
	sect := "options"
	if _, ok := s.creds[key]; ok {
		sect = "credentials"
	}
	s.problems = append(s.problems, problem(s.path+"."+sect+"."+key, fmt.Sprintf(format, args...), nil))
}

// Failed reports whether a problem was reported.
func (s *Settings) Failed() bool { return len(s.problems) > 0 }

// knownKeys returns the sorted keys a vendor accepts, for an error message.
func knownKeys(keys ...[]string) string {
	var all []string
	for _, k := range keys {
		all = append(all, k...)
	}
	slices.Sort(all)
	return strings.Join(slices.Compact(all), ", ")
}
