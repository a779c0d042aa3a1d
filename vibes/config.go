package vibes

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/smsbridge/sms"
)

// DefaultBaseURL is the origin of Vibes' Connect HTTP Message API (SMS, US and Canada).
const DefaultBaseURL = "https://messageapi.vibesapps.com"

// Config holds the account's credentials (the Connect API username and password Vibes hands
// out) and the callback protection.
type Config struct {
	// Username and Password are sent as HTTP Basic auth on every request; required.
	Username string
	Password sms.Secret
	// BaseURL overrides DefaultBaseURL (an emulator, a proxy). A value without a scheme gets
	// "https://".
	BaseURL string
	// DeliveryURL is the absolute URL Vibes posts delivery receipts to
	// (receiptOption@callbackUrl, with receiptOption ALL) for every message;
	// Message.CallbackURL overrides it. Empty, with no Message.CallbackURL, asks for no
	// receipts. It must carry ?token=<one of CallbackTokens> (New refuses it otherwise, unless
	// InsecureSkipCallbackAuth): Vibes' receipts cannot carry Basic auth.
	DeliveryURL string

	// CallbackTokens are accepted in the callback URL's query parameter CallbackTokenParam,
	// compared in constant time; several allow rotation. Callbacks fail closed without one
	// (or InsecureSkipCallbackAuth).
	CallbackTokens []sms.Secret
	// CallbackSources, when not empty, is an allow-list checked before the token: a callback
	// whose client address is in none of the prefixes is refused (CodePermissionDenied, 403).
	// DefaultCallbackSources returns Vibes' published US and EU addresses. The client address
	// is r.RemoteAddr, or the X-Forwarded-For address TrustedProxies allow (see there).
	CallbackSources []netip.Prefix
	// TrustedProxies lists the reverse proxies in front of the application. Only when the
	// immediate peer (r.RemoteAddr) is one of them is X-Forwarded-For read: the client
	// address is its right-most entry that is not itself a trusted proxy. A header that
	// cannot be read refuses the callback. Empty means X-Forwarded-For is never read.
	TrustedProxies []netip.Prefix
	// InsecureSkipCallbackAuth accepts callbacks without the token check (CallbackSources,
	// when set, is still checked). Vibes does not sign callbacks: without protection anyone
	// can post delivery receipts and opt-outs.
	InsecureSkipCallbackAuth bool
}

// CallbackTokenParam is the query parameter that carries the callback secret.
const CallbackTokenParam = "token"

// Options holds the transport settings. The zero value is all defaults.
type Options struct {
	HTTPClient *http.Client  // copied, never modified; default a new client
	Timeout    time.Duration // per request; default HTTPClient's own, else 30s
	Logger     *slog.Logger  // nil = silent
}

// callbackSources is Vibes' published list of the addresses its callbacks come from (facts
// §7: receiving-messages), US then EU.
var callbackSources = []string{
	// US
	"35.155.139.143", "52.32.61.199", "35.161.244.84", "18.205.120.48",
	"52.22.43.57", "18.232.9.131", "54.245.204.57", "54.148.156.236",
	// EU
	"34.243.232.57", "52.48.241.82", "34.249.188.130", "54.247.36.51",
	"34.253.250.65", "54.217.181.160",
}

// DefaultCallbackSources returns Vibes' published callback source addresses (US and EU), one
// /32 prefix each, for Config.CallbackSources. It is a new slice on every call.
func DefaultCallbackSources() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(callbackSources))
	for _, s := range callbackSources {
		out = append(out, netip.PrefixFrom(netip.MustParseAddr(s), 32))
	}
	return out
}

// Environment variables NewFromEnv reads.
const (
	EnvUsername        = "VIBES_USERNAME"
	EnvPassword        = "VIBES_PASSWORD"
	EnvBaseURL         = "VIBES_BASE_URL"
	EnvDeliveryURL     = "VIBES_DELIVERY_URL"
	EnvCallbackTokens  = "VIBES_CALLBACK_TOKENS"  // comma-separated
	EnvCallbackSources = "VIBES_CALLBACK_SOURCES" // comma-separated addresses or prefixes, or "default"
	EnvTrustedProxies  = "VIBES_TRUSTED_PROXIES"  // comma-separated addresses or prefixes
)

// NewFromEnv builds a provider from VIBES_USERNAME and VIBES_PASSWORD (required; a missing
// one is named in the error: "VIBES_USERNAME is not set"), VIBES_BASE_URL,
// VIBES_DELIVERY_URL, VIBES_CALLBACK_TOKENS (comma-separated), VIBES_CALLBACK_SOURCES
// (comma-separated addresses or prefixes; "default" for DefaultCallbackSources) and
// VIBES_TRUSTED_PROXIES (comma-separated addresses or prefixes). opts may be nil.
func NewFromEnv(opts *Options) (*Provider, error) {
	var missing []string
	for _, k := range []string{EnvUsername, EnvPassword} {
		if strings.TrimSpace(os.Getenv(k)) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		verb := " is not set"
		if len(missing) > 1 {
			verb = " are not set"
		}
		return nil, refused(strings.Join(missing, " and ") + verb)
	}
	cfg := Config{
		Username:    strings.TrimSpace(os.Getenv(EnvUsername)),
		Password:    sms.NewSecret(os.Getenv(EnvPassword)),
		BaseURL:     strings.TrimSpace(os.Getenv(EnvBaseURL)),
		DeliveryURL: strings.TrimSpace(os.Getenv(EnvDeliveryURL)),
	}
	for t := range strings.SplitSeq(os.Getenv(EnvCallbackTokens), ",") {
		if t = strings.TrimSpace(t); t != "" {
			cfg.CallbackTokens = append(cfg.CallbackTokens, sms.NewSecret(t))
		}
	}
	var err error
	if cfg.CallbackSources, err = ParsePrefixes(os.Getenv(EnvCallbackSources), DefaultCallbackSources()); err != nil {
		return nil, refused(EnvCallbackSources + ": " + err.Error())
	}
	if cfg.TrustedProxies, err = ParsePrefixes(os.Getenv(EnvTrustedProxies), nil); err != nil {
		return nil, refused(EnvTrustedProxies + ": " + err.Error())
	}
	return New(cfg, opts)
}

// ParsePrefixes reads a comma-separated list of IP addresses (a /32 or /128 each) and CIDR
// prefixes, for Config.CallbackSources and Config.TrustedProxies: VIBES_CALLBACK_SOURCES,
// VIBES_TRUSTED_PROXIES and a registry file's callback_sources and trusted_proxies. An item
// "default" (any case) stands for defaults when defaults is not nil (DefaultCallbackSources()
// for the callback sources). Empty items are skipped. The error names the bad item by its
// position, never by its value.
func ParsePrefixes(v string, defaults []netip.Prefix) ([]netip.Prefix, error) {
	var out []netip.Prefix
	n := 0
	for s := range strings.SplitSeq(v, ",") {
		n++
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if defaults != nil && strings.EqualFold(s, "default") {
			out = append(out, defaults...)
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			what := "an IP address or prefix"
			if defaults != nil {
				what += ` or "default"`
			}
			return nil, fmt.Errorf("item %d is not %s (comma-separated list)", n, what)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
