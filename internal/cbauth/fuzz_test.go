package cbauth

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
)

// FuzzQueryValue: the hand-written query lookup agrees with url.ParseQuery + Values.Get for
// any raw query, so a token cannot be smuggled past (or hidden from) the check by encoding.
func FuzzQueryValue(f *testing.F) {
	for _, s := range []string{"token=abc", "a=1&token=abc&token=def", "tok%65n=a%2Bb", "token=a+b", "token=%zz&token=ok",
		"x;token=1&token=2", "token", "=&&token=", "token=%", "%74oken=%61"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, has := queryValue(raw, "token")
		vals, _ := url.ParseQuery(raw)
		want, wantHas := vals.Get("token"), len(vals["token"]) > 0
		if got != want || has != wantHas {
			t.Fatalf("queryValue(%q) = %q, %v; url.ParseQuery gives %q, %v", raw, got, has, want, wantHas)
		}
	})
}

// FuzzVerify: a request is accepted only when its token or its Basic credentials are one of
// the configured ones, is refused with CodeUnauthenticated otherwise, and the error never
// carries what was presented or configured.
func FuzzVerify(f *testing.F) {
	const token, user, pass = "fuzz-token-0123", "gate", "fuzz-password-0123"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	f.Add("token="+token, "")
	f.Add("token=wrong", basic)
	f.Add("", basic)
	f.Add("token=", "Basic Z2F0ZTo=")
	f.Add("a=b&token="+url.QueryEscape(token)+"x", "Bearer "+token)
	f.Add("token=fuzz%2Dtoken%2D0123", "basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	v := New(Config{Provider: "fuzz", Tokens: []sms.Secret{sms.NewSecret(token), sms.NewSecret("second-token")},
		Basic: []Basic{{User: user, Password: sms.NewSecret(pass)}}})
	f.Fuzz(func(t *testing.T, rawQuery, authorization string) {
		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/cb", RawQuery: rawQuery}, Header: http.Header{}}
		if authorization != "" {
			r.Header["Authorization"] = []string{authorization}
		}
		err := v.Verify(r)
		q, _ := url.ParseQuery(r.URL.RawQuery)
		u, p, hasBasic := r.BasicAuth()
		want := q.Get("token") == token || q.Get("token") == "second-token" || (hasBasic && u == user && p == pass)
		if (err == nil) != want {
			t.Fatalf("query %q, Authorization %q: err %v, want accepted=%v", rawQuery, authorization, err, want)
		}
		if err == nil {
			return
		}
		if sms.ErrorCode(err) != sms.CodeUnauthenticated {
			t.Fatalf("code %v, want Unauthenticated", sms.ErrorCode(err))
		}
		msg := err.Error()
		for _, s := range []string{token, pass, "second-token"} {
			if strings.Contains(msg, s) {
				t.Fatalf("the error %q carries a secret", msg)
			}
		}
		if len(rawQuery) > 8 && strings.Contains(msg, rawQuery) {
			t.Fatalf("the error %q echoes the query", msg)
		}
	})
}
