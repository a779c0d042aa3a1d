package linkmobility

import (
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms"
)

// LINK's assigned base URLs for the Common platform SMS REST API (vendors/linkmobility.md
// §1). The account's host is the one LINK's support assigned; any other URL (an emulator, a
// new region) may be given as Config.BaseURL.
const (
	HostGeneral       = "https://wsx.sp247.net"        // General API Gateway
	HostNorthernEU    = "https://n-eu.linkmobility.io" // Northern Europe (Sweden)
	HostCentralEU     = "https://c-eu.linkmobility.io" // Central Europe (Germany)
	HostSouthernEU    = "https://s-eu.linkmobility.io" // Southern Europe (Spain)
	HostNorway        = "https://no.linkmobility.io"   // Norway
	HostGermanyFrankf = "https://deb.linkmobility.io"  // Germany 2 (Frankfurt)
)

// DefaultMaxRecipients is the number of items one /sms/sendbatch request carries unless
// Options.MaxRecipients says otherwise: LINK's limit (§2c).
const DefaultMaxRecipients = 1000

// Config holds what LINK's support hands out and the callback protection.
type Config struct {
	// Username and Password are sent as HTTP Basic auth on every request; required.
	Username string
	Password sms.Secret
	// PlatformID and PlatformPartnerID are sent in every request; required.
	PlatformID        string
	PlatformPartnerID string
	// GateID is the delivery-report gate LINK's support created for the application's
	// delivery-report URL. When set, every message asks for reports
	// (useDeliveryReport: true, deliveryReportGates: [GateID]); empty means no reports.
	GateID string
	// BaseURL is the assigned host (one of the Host constants) or any URL; required. A value
	// without a scheme gets "https://". A trailing "/sms" is accepted and dropped.
	BaseURL string

	// CallbackUser and CallbackPassword are accepted as Basic auth on callbacks: the gate's
	// username/password, the only authentication LINK's gates support.
	CallbackUser     string
	CallbackPassword sms.Secret
	// CallbackTokens are accepted in the callback URL's query parameter CallbackTokenParam,
	// compared in constant time; several allow rotation.
	CallbackTokens []sms.Secret
	// CallbackSources, when not empty, is an allow-list checked in addition to the secret:
	// a callback whose r.RemoteAddr is in none of the prefixes is refused
	// (CodePermissionDenied). DefaultCallbackSources returns LINK's published list. Behind a
	// proxy r.RemoteAddr is the proxy: restore the client address first (a middleware that
	// trusts only your proxy's X-Forwarded-For) or leave this empty.
	CallbackSources []netip.Prefix
	// AckBody, when set, is written (text/plain) as the 200 answer to every accepted callback:
	// the string a gate configured with acknowledge=true waits for. Empty answers a bare 200,
	// which a gate with acknowledge=false (the default) takes.
	AckBody string
	// InsecureSkipCallbackAuth accepts callbacks without the secret check. LINK does not sign
	// callbacks: without protection anyone can post delivery reports and opt-outs.
	InsecureSkipCallbackAuth bool
}

// CallbackTokenParam is the query parameter that carries the callback secret.
const CallbackTokenParam = "token"

// Options holds the transport settings. The zero value is all defaults.
type Options struct {
	HTTPClient *http.Client  // copied, never modified; default a new client
	Timeout    time.Duration // per request; default HTTPClient's own, else 30s
	Logger     *slog.Logger  // nil = silent
	// MaxRecipients is the number of items per /sms/sendbatch request (Capabilities.
	// MaxRecipients, so sms.Client splits larger sends); 0 means DefaultMaxRecipients, more
	// than 1000 is refused.
	MaxRecipients int
}

// callbackSources is LINK's published list of outgoing callback hosts (DLR and MO,
// vendors/linkmobility.md §7), taking the wider v1.6 ranges.
var callbackSources = []string{
	"195.84.162.34/32", "194.71.165.71/32", "195.84.162.16/32", "194.71.165.98/32",
	"195.84.162.3/32", "194.71.165.122/32", // socks1..6.sp247.net
	"213.242.87.36/30", "213.242.87.40/29", "213.242.87.48/29", // n-eu .36–.55
	"62.67.62.101/32", "62.67.62.102/31", "62.67.62.104/29", "62.67.62.112/29", "62.67.62.120/32", // c-eu .101–.120
	"217.163.95.196/30", "217.163.95.200/29", "217.163.95.208/29", // s-eu .196–.215
	"213.242.87.68/30", "213.242.87.72/29", "213.242.87.80/29", // no .68–.87
	"62.67.62.68/30", "62.67.62.72/29", "62.67.62.80/29", // deb .68–.87
}

// DefaultCallbackSources returns LINK's published callback source addresses (MT/DLR v1.6 and
// MO v1.7 appendices: socks1–6.sp247.net and s1–s20 of each linkmobility.io region) for
// Config.CallbackSources. It is a new slice on every call.
func DefaultCallbackSources() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(callbackSources))
	for _, s := range callbackSources {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// Environment variables NewFromEnv reads.
const (
	EnvUsername          = "LINKMOBILITY_USERNAME"
	EnvPassword          = "LINKMOBILITY_PASSWORD"
	EnvPlatformID        = "LINKMOBILITY_PLATFORM_ID"
	EnvPlatformPartnerID = "LINKMOBILITY_PLATFORM_PARTNER_ID"
	EnvGateID            = "LINKMOBILITY_GATE_ID"
	EnvBaseURL           = "LINKMOBILITY_BASE_URL"
	EnvCallbackUser      = "LINKMOBILITY_CALLBACK_USER"
	EnvCallbackPassword  = "LINKMOBILITY_CALLBACK_PASSWORD"
	EnvCallbackTokens    = "LINKMOBILITY_CALLBACK_TOKENS" // comma-separated
	EnvMaxRecipients     = "LINKMOBILITY_MAX_RECIPIENTS"
)

// NewFromEnv builds a provider from LINKMOBILITY_USERNAME, LINKMOBILITY_PASSWORD,
// LINKMOBILITY_PLATFORM_ID, LINKMOBILITY_PLATFORM_PARTNER_ID and LINKMOBILITY_BASE_URL (all
// required: what LINK's support hands out), LINKMOBILITY_GATE_ID, LINKMOBILITY_CALLBACK_USER,
// LINKMOBILITY_CALLBACK_PASSWORD, LINKMOBILITY_CALLBACK_TOKENS (comma-separated) and
// LINKMOBILITY_MAX_RECIPIENTS. A missing required variable is named in the error
// ("LINKMOBILITY_USERNAME is not set"). Fields already set in opts win.
func NewFromEnv(opts *Options) (*Provider, error) {
	for _, k := range []string{EnvUsername, EnvPassword, EnvPlatformID, EnvPlatformPartnerID, EnvBaseURL} {
		if strings.TrimSpace(os.Getenv(k)) == "" {
			return nil, refused(k + " is not set")
		}
	}
	cfg := Config{
		Username:          strings.TrimSpace(os.Getenv(EnvUsername)),
		Password:          sms.NewSecret(os.Getenv(EnvPassword)),
		PlatformID:        strings.TrimSpace(os.Getenv(EnvPlatformID)),
		PlatformPartnerID: strings.TrimSpace(os.Getenv(EnvPlatformPartnerID)),
		GateID:            strings.TrimSpace(os.Getenv(EnvGateID)),
		BaseURL:           strings.TrimSpace(os.Getenv(EnvBaseURL)),
		CallbackUser:      os.Getenv(EnvCallbackUser),
		CallbackPassword:  sms.NewSecret(os.Getenv(EnvCallbackPassword)),
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
