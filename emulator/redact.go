package emulator

import (
	"net/http"
	"strings"

	"github.com/smsbridge/sms/internal/redact"
)

// Redacted replaces a credential in what RedactHeader returns.
const Redacted = "[REDACTED]"

// RedactHeader returns a copy of h safe to show: Authorization and Proxy-Authorization keep
// their scheme word ("Basic [REDACTED]", "HMAC-SHA256 [REDACTED]"); Cookie, Set-Cookie and
// every header whose name speaks of a key, secret, password, credential or token
// (X-Api-Key, Ocp-Apim-Subscription-Key, X-Auth-Token, …) become [Redacted]. Idempotency
// keys and tokens, content hashes and signatures over a request are not credentials and
// are kept.
func RedactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, vs := range h {
		vs = append([]string(nil), vs...)
		switch kind := credentialHeader(name); kind {
		case schemeCredential:
			for i, v := range vs {
				if scheme, _, ok := strings.Cut(strings.TrimSpace(v), " "); ok && scheme != "" {
					vs[i] = scheme + " " + Redacted
				} else {
					vs[i] = Redacted
				}
			}
		case plainCredential:
			for i := range vs {
				vs[i] = Redacted
			}
		}
		out[name] = vs
	}
	return out
}

type credentialKind int

const (
	notCredential credentialKind = iota
	schemeCredential
	plainCredential
)

func credentialHeader(name string) credentialKind {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization":
		return schemeCredential
	case "cookie", "set-cookie":
		return plainCredential
	}
	if strings.Contains(n, "idempotency") {
		return notCredential
	}
	for _, word := range []string{"key", "secret", "password", "passwd", "credential", "token", "auth"} {
		if strings.Contains(n, word) {
			return plainCredential
		}
	}
	return notCredential
}

// RedactURL returns raw with the password of its userinfo (or a user without password) and
// the value of every query parameter replaced by [Redacted]
// ("https://app.example/hook?token=[REDACTED]"), for messages and logs that name an
// application's webhook: such URLs carry shared secrets. A string that does not parse as a
// URL is returned as [Redacted] when it has a query or userinfo, else unchanged. It is the
// rule the vendor packages' Config printing follows.
func RedactURL(raw string) string { return redact.URL(raw) }
