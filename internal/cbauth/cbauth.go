// Package cbauth authenticates vendor callbacks by shared secret, for the vendors that do not
// sign their callbacks (Event Grid for ACS, Infobip, LINK Mobility, Vibes): a token in a query
// parameter of the callback URL, or HTTP Basic auth, written once.
//
// The rules, as DESIGN.md states them for webhooks:
//   - several tokens and several Basic credentials may be accepted at once, so that a secret
//     can be rotated (add the new one, update the vendor's configuration, remove the old one);
//   - every comparison is constant-time, over SHA-256 digests of equal length, and every
//     configured secret is compared whatever matched first;
//   - it fails closed: a Verifier with no secret refuses every request, unless the option
//     whose name says it is insecure turns checking off;
//   - errors are *sms.Error with CodeUnauthenticated (401) and never contain a secret, what
//     was presented, or the query string.
package cbauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/smsbridge/sms"
)

// DefaultTokenParam is the query parameter that carries the token when Config.TokenParam is
// empty.
const DefaultTokenParam = "token"

// Basic is one accepted pair of HTTP Basic credentials.
type Basic struct {
	User     string
	Password sms.Secret
}

// Config says which secrets a Verifier accepts.
type Config struct {
	// Provider names the vendor in errors.
	Provider string
	// TokenParam is the query parameter of the callback URL that carries the token;
	// "" means DefaultTokenParam.
	TokenParam string
	// Tokens are accepted in TokenParam; empty ones are ignored.
	Tokens []sms.Secret
	// Basic are accepted as HTTP Basic auth; pairs with an empty password are ignored.
	Basic []Basic
	// Realm is the realm of the Basic challenge (Verifier.Challenge); "" means Provider.
	Realm string
	// Hint completes the error of a Verifier that has no secret, naming what to configure
	// (for example "set Config.CallbackTokens and add ?token=… to the subscription URL").
	Hint string
	// InsecureSkipAuth accepts every request unchecked. The vendors this package serves do
	// not sign callbacks: without a secret anyone can post delivery reports and opt-outs.
	InsecureSkipAuth bool
}

// Verifier checks callbacks against a Config. It holds SHA-256 digests of the secrets, never
// the secrets, and prints no digest either. It is safe for concurrent use.
type Verifier struct {
	provider string
	param    string
	realm    string
	hint     string
	insecure bool
	tokens   [][sha256.Size]byte
	basic    []basicDigest
}

type basicDigest struct{ user, pass [sha256.Size]byte }

// New returns a Verifier for c.
func New(c Config) *Verifier {
	v := &Verifier{provider: c.Provider, param: c.TokenParam, realm: c.Realm, hint: c.Hint, insecure: c.InsecureSkipAuth}
	if v.param == "" {
		v.param = DefaultTokenParam
	}
	if v.realm == "" {
		v.realm = c.Provider
	}
	for _, t := range c.Tokens {
		if !t.IsZero() && t.Reveal() != "" {
			v.tokens = append(v.tokens, sha256.Sum256([]byte(t.Reveal())))
		}
	}
	for _, b := range c.Basic {
		if !b.Password.IsZero() && b.Password.Reveal() != "" {
			v.basic = append(v.basic, basicDigest{sha256.Sum256([]byte(b.User)), sha256.Sum256([]byte(b.Password.Reveal()))})
		}
	}
	return v
}

// Configured reports whether v accepts at least one secret (or is insecure): a Verifier
// that is not refuses every request.
func (v *Verifier) Configured() bool {
	return v.insecure || len(v.tokens) > 0 || len(v.basic) > 0
}

// TokenParam returns the query parameter v reads the token from.
func (v *Verifier) TokenParam() string { return v.param }

// Challenge returns the WWW-Authenticate value a 401 should carry when Basic auth is
// accepted (`Basic realm="…", charset="UTF-8"`), else "".
func (v *Verifier) Challenge() string {
	if len(v.basic) == 0 {
		return ""
	}
	return `Basic realm="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v.realm) + `", charset="UTF-8"`
}

// Verify authenticates r: its TokenParam query parameter must equal one of the tokens, or
// its Basic auth one of the credential pairs. It returns nil, or an *sms.Error with
// CodeUnauthenticated saying whether credentials are missing or invalid. When no secret is
// configured at all (and InsecureSkipAuth is not set) it fails closed with CodeInternal: a
// server configuration problem that webhook answers with 500 and logs at ERROR, so that it
// is not mistaken for a forgery and vendors that retry deliver again once it is fixed.
func (v *Verifier) Verify(r *http.Request) error {
	if v.insecure {
		return nil
	}
	if len(v.tokens) == 0 && len(v.basic) == 0 {
		msg := "callback authentication is not configured"
		if v.hint != "" {
			msg += ": " + v.hint
		}
		return &sms.Error{Code: sms.CodeInternal, Provider: v.provider, Message: msg}
	}
	presented, ok := false, 0
	if len(v.tokens) > 0 && r.URL != nil {
		if got, has := queryValue(r.URL.RawQuery, v.param); has && got != "" {
			presented = true
			g := sha256.Sum256([]byte(got))
			for i := range v.tokens {
				ok |= subtle.ConstantTimeCompare(g[:], v.tokens[i][:])
			}
		}
	}
	if len(v.basic) > 0 {
		if user, pass, has := r.BasicAuth(); has {
			presented = true
			gu, gp := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
			for i := range v.basic {
				ok |= subtle.ConstantTimeCompare(gu[:], v.basic[i].user[:]) & subtle.ConstantTimeCompare(gp[:], v.basic[i].pass[:])
			}
		}
	}
	switch {
	case ok == 1:
		return nil
	case !presented:
		return v.fail("missing callback token or credentials")
	}
	return v.fail("invalid callback token or credentials")
}

func (v *Verifier) fail(msg string) *sms.Error {
	return &sms.Error{Code: sms.CodeUnauthenticated, Provider: v.provider, Message: msg}
}

// queryValue returns the first value of key in the raw query, unescaped, as
// url.Values.Get would, without building the map. A pair holding a ';' is skipped, as
// url.ParseQuery does.
func queryValue(raw, key string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		if k != key {
			uk, err := url.QueryUnescape(k)
			if err != nil || uk != key {
				continue
			}
		}
		if strings.ContainsAny(val, "%+") {
			u, err := url.QueryUnescape(val)
			if err != nil {
				continue
			}
			val = u
		}
		return val, true
	}
	return "", false
}

// String describes v without secrets or digests.
func (v *Verifier) String() string {
	switch {
	case v.insecure:
		return "cbauth.Verifier{insecure}"
	case !v.Configured():
		return "cbauth.Verifier{refuses all}"
	}
	return fmt.Sprintf("cbauth.Verifier{param=%s, tokens=%d, basic=%d}", v.param, len(v.tokens), len(v.basic))
}

// GoString is String.
func (v *Verifier) GoString() string { return v.String() }

// Format prints String for every verb.
func (v *Verifier) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(v.String())) }

// LogValue implements slog.LogValuer.
func (v *Verifier) LogValue() slog.Value { return slog.StringValue(v.String()) }
