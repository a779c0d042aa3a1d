package cbauth_test

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
)

const (
	oldToken = "old-token-3f9a"
	newToken = "new-token-8c1e"
	basicPw  = "basic-pass-77"
	basicPw2 = "basic-pass-rotated-99"
)

var secrets = []string{oldToken, newToken, basicPw, basicPw2}

func tokens(ts ...string) []sms.Secret {
	out := make([]sms.Secret, len(ts))
	for i, t := range ts {
		out[i] = sms.NewSecret(t)
	}
	return out
}

func TestVerify(t *testing.T) {
	tok := cbauth.Config{Provider: "infobip", Tokens: tokens(oldToken, newToken)}
	basic := cbauth.Config{Provider: "vibes", Basic: []cbauth.Basic{{User: "vibes", Password: sms.NewSecret(basicPw)}, {User: "vibes2", Password: sms.NewSecret(basicPw2)}}}
	both := basic
	both.Tokens = tokens(newToken)
	named := cbauth.Config{Provider: "linkmobility", TokenParam: "secret", Tokens: tokens(newToken)}
	tests := []struct {
		name       string
		cfg        cbauth.Config
		uri        string
		user, pass string // Basic auth when either is set
		msg        string // "" = accepted; else a part of the error message
	}{
		{name: "nothing configured", cfg: cbauth.Config{Provider: "x", Hint: "set Tokens"}, uri: "/cb?token=" + newToken, msg: "not configured: set Tokens"},
		{name: "empty secrets only", cfg: cbauth.Config{Tokens: tokens("", ""), Basic: []cbauth.Basic{{User: "u"}}}, uri: "/cb?token=", msg: "not configured"},
		{name: "insecure", cfg: cbauth.Config{InsecureSkipAuth: true}, uri: "/cb"},
		{name: "insecure ignores secrets", cfg: cbauth.Config{InsecureSkipAuth: true, Tokens: tokens(newToken)}, uri: "/cb?token=wrong"},
		{name: "no token", cfg: tok, uri: "/cb", msg: "missing"},
		{name: "empty token", cfg: tok, uri: "/cb?token=", msg: "missing"},
		{name: "wrong token", cfg: tok, uri: "/cb?token=new-token-8c1f", msg: "invalid"},
		{name: "token prefix", cfg: tok, uri: "/cb?token=new-token", msg: "invalid"},
		{name: "token with a suffix", cfg: tok, uri: "/cb?token=" + newToken + "x", msg: "invalid"},
		{name: "token in another parameter", cfg: tok, uri: "/cb?code=" + newToken, msg: "missing"},
		{name: "old token during rotation", cfg: tok, uri: "/cb?token=" + oldToken},
		{name: "new token, other parameters first", cfg: tok, uri: "/cb?x=1&ref=order-42&token=" + newToken},
		{name: "first of repeated parameters wins", cfg: tok, uri: "/cb?token=wrong&token=" + newToken, msg: "invalid"},
		{name: "escaped token", cfg: cbauth.Config{Tokens: tokens("a+b/c= d")}, uri: "/cb?token=a%2Bb%2Fc%3D+d"},
		{name: "escaped parameter name", cfg: tok, uri: "/cb?%74oken=" + newToken},
		{name: "bad escape then the token", cfg: tok, uri: "/cb?token=%zz&token=" + newToken},
		{name: "semicolon pair skipped", cfg: tok, uri: "/cb?token=" + newToken + ";x=1", msg: "missing"},
		{name: "named parameter", cfg: named, uri: "/cb?secret=" + newToken},
		{name: "named parameter, default name used", cfg: named, uri: "/cb?token=" + newToken, msg: "missing"},
		{name: "basic", cfg: basic, uri: "/cb", user: "vibes", pass: basicPw},
		{name: "basic, rotated pair", cfg: basic, uri: "/cb", user: "vibes2", pass: basicPw2},
		{name: "basic, pairs not mixed", cfg: basic, uri: "/cb", user: "vibes", pass: basicPw2, msg: "invalid"},
		{name: "basic wrong password", cfg: basic, uri: "/cb", user: "vibes", pass: "basic-pass-78", msg: "invalid"},
		{name: "basic wrong user", cfg: basic, uri: "/cb", user: "vibez", pass: basicPw, msg: "invalid"},
		{name: "basic missing", cfg: basic, uri: "/cb?token=" + newToken, msg: "missing"},
		{name: "basic not configured", cfg: tok, uri: "/cb", user: "vibes", pass: basicPw, msg: "missing"},
		{name: "both, token", cfg: both, uri: "/cb?token=" + newToken},
		{name: "both, basic", cfg: both, uri: "/cb?token=nope", user: "vibes", pass: basicPw},
		{name: "both, neither", cfg: both, uri: "/cb?token=nope", user: "vibes", pass: "nope", msg: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tt.uri, nil)
			if tt.user != "" || tt.pass != "" {
				r.SetBasicAuth(tt.user, tt.pass)
			}
			v := cbauth.New(tt.cfg)
			err := v.Verify(r)
			if tt.msg == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var e *sms.Error
			require.ErrorAs(t, err, &e)
			want := sms.CodeUnauthenticated
			if strings.Contains(tt.msg, "not configured") {
				want = sms.CodeInternal // a server configuration problem, not a forgery
			}
			require.Equal(t, want, e.Code)
			require.Equal(t, tt.cfg.Provider, e.Provider)
			require.Contains(t, e.Message, tt.msg)
			for _, s := range secrets {
				require.NotContains(t, err.Error(), s)
			}
			require.NotContains(t, err.Error(), "nope")
		})
	}
}

func TestConfiguredAndChallenge(t *testing.T) {
	require.False(t, cbauth.New(cbauth.Config{}).Configured())
	require.True(t, cbauth.New(cbauth.Config{InsecureSkipAuth: true}).Configured())
	require.True(t, cbauth.New(cbauth.Config{Tokens: tokens("x")}).Configured())

	require.Empty(t, cbauth.New(cbauth.Config{Provider: "acs", Tokens: tokens("x")}).Challenge(), "no Basic, no challenge")
	v := cbauth.New(cbauth.Config{Provider: "vibes", Basic: []cbauth.Basic{{User: "u", Password: sms.NewSecret("p")}}})
	require.Equal(t, `Basic realm="vibes", charset="UTF-8"`, v.Challenge())
	v = cbauth.New(cbauth.Config{Realm: `LINK "callbacks"`, Basic: []cbauth.Basic{{User: "u", Password: sms.NewSecret("p")}}})
	require.Equal(t, `Basic realm="LINK \"callbacks\"", charset="UTF-8"`, v.Challenge())

	require.Equal(t, cbauth.DefaultTokenParam, cbauth.New(cbauth.Config{}).TokenParam())
	require.Equal(t, "code", cbauth.New(cbauth.Config{TokenParam: "code"}).TokenParam())
}

// No formatting path prints a secret or its digest.
func TestNoSecretLeaks(t *testing.T) {
	v := cbauth.New(cbauth.Config{Provider: "acs", Tokens: tokens(oldToken, newToken), Basic: []cbauth.Basic{{User: "u", Password: sms.NewSecret(basicPw)}}})
	var logs strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("v", "v", v)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("v", "v", v)
	js, err := json.Marshal(v)
	require.NoError(t, err)
	all := fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v) + string(js) + logs.String()
	for _, s := range secrets {
		require.NotContains(t, all, s)
	}
	require.Contains(t, all, "cbauth.Verifier{param=token, tokens=2, basic=1}")
}

// BenchmarkVerify runs beside the check an application would write by hand: parse the query
// and compare the token with each secret in constant time.
func BenchmarkVerify(b *testing.B) {
	r := httptest.NewRequest(http.MethodPost, "/cb?ref=order-42&token="+newToken, nil)
	b.Run("bare-query+ConstantTimeCompare", func(b *testing.B) {
		secrets := [][]byte{[]byte(oldToken), []byte(newToken)}
		b.ReportAllocs()
		for b.Loop() {
			got := []byte(r.URL.Query().Get("token"))
			ok := 0
			for _, s := range secrets {
				ok |= subtle.ConstantTimeCompare(got, s)
			}
			if ok != 1 {
				b.Fatal("refused")
			}
		}
	})
	b.Run("cbauth.Verify", func(b *testing.B) {
		v := cbauth.New(cbauth.Config{Tokens: tokens(oldToken, newToken)})
		b.ReportAllocs()
		for b.Loop() {
			if err := v.Verify(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
