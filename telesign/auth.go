package telesign

import (
	"net/http"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/tsasign"
)

// Callback authentication headers (vendors/telesign.md §7). Telesign sends both on every
// callback.
const (
	// AuthorizationHeader carries "TSA <customer_id>:<signature>".
	AuthorizationHeader = "Authorization"
	// XAuthorizationHeader carries the bare signature (or, in some sources, the TSA form).
	XAuthorizationHeader = "X-TS-Authorization"
)

// SignCallback returns the signature Telesign puts on a callback body: base64 of the
// HMAC-SHA256 of the raw body, keyed with the base64-decoded API key. It is exported for
// tests and emulators; the header is "Authorization: TSA <customer_id>:<signature>".
func SignCallback(apiKey sms.Secret, body []byte) (string, error) {
	key, err := tsasign.DecodeKey(apiKey.Reveal())
	if err != nil {
		return "", refused("APIKey is not base64 text")
	}
	return tsasign.SignBody(key, body), nil
}

// authenticate checks a callback's TSA signature before it is decoded, and fails closed:
// the callback passes when Authorization ("TSA <customer_id>:<signature>", customer id equal
// to Config.CustomerID) or X-TS-Authorization (a bare signature, or the TSA form) carries the
// HMAC-SHA256 of the raw body under the API key or one of Config.CallbackKeys. Every key is
// tried and every comparison is constant-time. Errors are CodeUnauthenticated and never carry
// what was presented. InsecureSkipCallbackAuth skips the check.
func (p *Provider) authenticate(r *http.Request, body []byte) error {
	if p.insecure {
		return nil
	}
	if len(p.keys.cb) == 0 {
		return newError(sms.CodeUnauthenticated, "no callback key: the API key is not base64 text and Config.CallbackKeys is empty")
	}
	var h http.Header
	if r != nil {
		h = r.Header
	}
	presented := false
	for _, v := range [...]string{h.Get(AuthorizationHeader), h.Get(XAuthorizationHeader)} {
		if v == "" {
			continue
		}
		presented = true
		sig := strings.TrimSpace(v)
		if id, s, ok := tsasign.ParseAuthorization(v); ok {
			if !strings.EqualFold(id, p.customerID) {
				continue
			}
			sig = s
		}
		if p.verifyBody(body, sig) {
			return nil
		}
	}
	if !presented {
		return newError(sms.CodeUnauthenticated, "callback without a Telesign signature (Authorization: TSA …)")
	}
	return newError(sms.CodeUnauthenticated, "callback signature does not match (customer id or API key)")
}

// verifyBody checks sig over body under every callback key, with the reused HMAC states of
// keys.cbv when New built them.
func (p *Provider) verifyBody(body []byte, sig string) bool {
	if v := p.keys.cbv; v != nil {
		return v.Verify(body, sig)
	}
	return tsasign.VerifyBody(p.keys.cb, body, sig)
}
