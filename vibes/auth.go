package vibes

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
)

// newCallbackVerifier builds the token check of cfg. Vibes' delivery receipts cannot carry
// Basic auth (facts §7), so the secret travels in the callback URL.
func newCallbackVerifier(cfg *Config) *cbauth.Verifier {
	return cbauth.New(cbauth.Config{
		Provider:   Name,
		TokenParam: CallbackTokenParam,
		Tokens:     cfg.CallbackTokens,
		Hint: "set Config.CallbackTokens and add ?" + CallbackTokenParam +
			"=… to Config.DeliveryURL and to the inbound URL given to the Vibes account manager",
		InsecureSkipAuth: cfg.InsecureSkipCallbackAuth,
	})
}

// masked returns a copy of ps with every prefix masked and IPv4-mapped addresses unmapped.
// An invalid prefix is refused: dropping it could leave an allow-list empty, that is off.
func masked(field string, ps []netip.Prefix) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(ps))
	for _, p := range ps {
		if !p.IsValid() {
			return nil, refused(field + " holds an invalid prefix")
		}
		a := p.Addr()
		bits := p.Bits()
		if a.Is4In6() {
			a, bits = a.Unmap(), max(bits-96, 0)
		}
		out = append(out, netip.PrefixFrom(a, bits).Masked())
	}
	return out, nil
}

// authenticate checks a callback before it is decoded and fails closed: the client address
// against Config.CallbackSources when set (CodePermissionDenied), then the URL token (with no
// token configured every request is refused). InsecureSkipCallbackAuth skips the token check
// only. Errors never carry a secret or an address.
func (p *Provider) authenticate(r *http.Request) error {
	if len(p.sources) > 0 {
		a, ok := ClientAddr(r, p.proxies)
		if !ok || !contains(p.sources, a) {
			e := newError(sms.CodePermissionDenied, "callback from an address not in Config.CallbackSources")
			e.NotAccepted = true
			return e
		}
	}
	return p.cb.Verify(r)
}

// contains reports whether a is in one of ps.
func contains(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the address a request came from: r.RemoteAddr, unless that peer is in
// trustedProxies, in which case X-Forwarded-For is read from the right and the first entry
// that is not itself a trusted proxy is the client (the left-most entry when all are). A
// malformed entry on the way, or an X-Forwarded-For that a trusted proxy should have set but
// did not, makes ok false: the caller refuses the request (fail closed). Entries left of the
// client are never read: anyone can write them.
func ClientAddr(r *http.Request, trustedProxies []netip.Prefix) (addr netip.Addr, ok bool) {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, false
	}
	if len(trustedProxies) == 0 || !contains(trustedProxies, peer) {
		return peer, true
	}
	hops := r.Header.Values("X-Forwarded-For")
	if len(hops) == 0 {
		return netip.Addr{}, false
	}
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, ok := parseAddr(strings.TrimSpace(parts[j]))
			if !ok {
				return netip.Addr{}, false
			}
			if !contains(trustedProxies, a) {
				return a, true
			}
			last = a
		}
	}
	return last, last.IsValid()
}

// parseAddr reads "1.2.3.4", "1.2.3.4:5678", "[::1]:5678", "[::1]" or "::1", unmapping
// IPv4-mapped addresses and dropping an IPv6 zone.
func parseAddr(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	} else if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}
