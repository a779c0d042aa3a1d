package linkmobility

import (
	"net"
	"net/http"
	"net/netip"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
)

// newCallbackVerifier builds the shared-secret check of cfg: the gate's Basic credentials or
// a token in the URL.
func newCallbackVerifier(cfg *Config) *cbauth.Verifier {
	c := cbauth.Config{
		Provider:   Name,
		TokenParam: CallbackTokenParam,
		Tokens:     cfg.CallbackTokens,
		Realm:      "LINK Mobility",
		Hint: "set Config.CallbackUser and CallbackPassword (the gate's Basic credentials) or " +
			"Config.CallbackTokens with ?" + CallbackTokenParam + "=… in the URLs given to LINK's support",
		InsecureSkipAuth: cfg.InsecureSkipCallbackAuth,
	}
	if !cfg.CallbackPassword.IsZero() {
		c.Basic = []cbauth.Basic{{User: cfg.CallbackUser, Password: cfg.CallbackPassword}}
	}
	return cbauth.New(c)
}

// authenticate checks a callback before it is decoded and fails closed: the source address
// against Config.CallbackSources when set (CodePermissionDenied), then the shared secret (Basic
// or URL token; with neither configured every request is refused, CodeUnauthenticated).
// InsecureSkipCallbackAuth skips the secret check only. Errors never carry a secret.
func (p *Provider) authenticate(r *http.Request) error {
	if len(p.sources) > 0 && !p.fromAllowed(r) {
		e := newError(sms.CodePermissionDenied, "callback from an address not in Config.CallbackSources")
		e.NotAccepted = true
		return e
	}
	return p.cb.Verify(r)
}

// fromAllowed reports whether r.RemoteAddr is in p.sources.
func (p *Provider) fromAllowed(r *http.Request) bool {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, pr := range p.sources {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}
