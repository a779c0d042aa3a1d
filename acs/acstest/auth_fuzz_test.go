package acstest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/acssign"
)

// FuzzAuthenticate: the emulator's HMAC-SHA256 verifier accepts a request only when its
// Authorization carries the signature of what was sent (method, target, x-ms-date, Host,
// x-ms-content-sha256 of the body), accepts every correctly signed request, and never panics
// on any header values.
func FuzzAuthenticate(f *testing.F) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"from":"+18005550100","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`)
	f.Add("", now.Format(http.TimeFormat), acssign.ContentHash(body), body, true)
	f.Add("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA", now.Format(http.TimeFormat), acssign.ContentHash(body), body, false)
	f.Add("Bearer token", "Tue, 01 Dec 2026 10:00:00 GMT", "", []byte{}, false)
	f.Add("hmac-sha256 signedheaders=X-MS-DATE;HOST;X-MS-CONTENT-SHA256&signature==&signature=x", "junk", "x", []byte("x"), false)
	s := New(&Options{Clock: emulator.NewManualClock(now)})
	key, err := acssign.DecodeKey(DefaultAccessKey)
	if err != nil {
		f.Fatal(err)
	}
	const target, host = "/sms?api-version=2021-03-07", "contoso.communication.azure.com"
	f.Fuzz(func(t *testing.T, authz, date, hash string, body []byte, sign bool) {
		if sign {
			date, hash = now.Format(http.TimeFormat), acssign.ContentHash(body)
			authz = acssign.AuthorizationHeader(acssign.Sign(key, acssign.StringToSign(http.MethodPost, target, date, host, hash)))
		}
		r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		r.Host = host
		r.Header = http.Header{"Authorization": {authz}, "X-Ms-Date": {date}, "X-Ms-Content-Sha256": {hash}}
		reason := s.authenticate(r, body)
		if sign && reason != "" {
			t.Fatalf("a correctly signed request was denied: %s", reason)
		}
		if reason == "" && !sign {
			want := acssign.Sign(key, acssign.StringToSign(http.MethodPost, target, r.Header.Get("x-ms-date"), host, r.Header.Get("x-ms-content-sha256")))
			if !strings.Contains(authz, want) || r.Header.Get("x-ms-content-sha256") != acssign.ContentHash(body) {
				t.Fatalf("accepted Authorization %q, date %q, hash %q without the signature", authz, date, hash)
			}
		}
	})
}
