package infobip

import (
	"net/http"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
)

// newCallbackVerifier builds the shared-secret half of the callback authentication of cfg:
// tokens in the URL, Basic credentials. With only Config.VerifyCallback set it is marked
// insecure here and the hook alone decides (authenticate).
func newCallbackVerifier(cfg *Config) *cbauth.Verifier {
	c := cbauth.Config{
		Provider:   Name,
		TokenParam: CallbackTokenParam,
		Tokens:     cfg.CallbackTokens,
		Realm:      "Infobip",
		Hint: "set Config.CallbackTokens and add ?" + CallbackTokenParam +
			"=… to the delivery and inbound URLs (or CallbackUser and CallbackPassword, or VerifyCallback)",
		InsecureSkipAuth: cfg.InsecureSkipCallbackAuth,
	}
	if !cfg.CallbackPassword.IsZero() {
		c.Basic = []cbauth.Basic{{User: cfg.CallbackUser, Password: cfg.CallbackPassword}}
	}
	v := cbauth.New(c)
	if !v.Configured() && cfg.VerifyCallback != nil {
		c.InsecureSkipAuth = true // the hook is the only check configured
		v = cbauth.New(c)
	}
	return v
}

// authenticate checks a callback before it is decoded and fails closed: the shared-secret
// check (a token in CallbackTokenParam or Basic credentials; without either configured, every
// request is refused), then Config.VerifyCallback when set. InsecureSkipCallbackAuth skips
// both. Errors are CodeUnauthenticated and never carry a secret or what was presented; a
// hook's error is kept as Err only.
func (p *Provider) authenticate(r *http.Request, body []byte) error {
	if p.insecure {
		return nil
	}
	if err := p.cb.Verify(r); err != nil {
		return err
	}
	if p.verify != nil {
		if err := p.verify(r, body); err != nil {
			e := newError(sms.CodeUnauthenticated, "callback refused by Config.VerifyCallback")
			e.Err = err
			return e
		}
	}
	return nil
}
