package telesigntest

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms/emulator"
)

// FuzzCheckAuth: the emulator's Basic and TSA verifier accepts a request only when it carries
// the account's Basic credentials or the TSA signature of what was sent, accepts a request
// SignRequest signed, and never panics on any header values.
func FuzzCheckAuth(f *testing.F) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(DefaultCustomerID+":"+DefaultAPIKey))
	body := []byte("phone_number=14155550100&message=hi&message_type=ARN")
	f.Add("", "", "", "", "", body, true)
	f.Add(basic, "", "", "", "", body, false)
	f.Add("TSA "+DefaultCustomerID+":c2ln", "HMAC-SHA256", now.Format(http.TimeFormat), "", "0123456789abcdef0123456789abcdef", body, false)
	f.Add("TSA :", "hmac-sha1", "", "junk date", "n", []byte{}, false)
	f.Add("Basic !!!", "", "", "", "", []byte("x"), false)
	s := New(&Options{Clock: emulator.NewManualClock(now)})
	key := DecodeKey(DefaultAPIKey)
	const ct = "application/x-www-form-urlencoded"
	f.Fuzz(func(t *testing.T, authz, method, date, tsDate, nonce string, body []byte, sign bool) {
		r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/v1/messaging", bytes.NewReader(body)) // GetBody set, for SignRequest
		if err != nil {
			t.Fatal(err)
		}
		r.Header = http.Header{"Content-Type": {ct}}
		if sign {
			if err := SignRequest(r, DefaultCustomerID, DefaultAPIKey, "0123456789abcdef0123456789abcdef", now); err != nil {
				t.Fatal(err)
			}
			r.Body, r.ContentLength = nil, 0 // checkAuth reads the body it is given
		} else {
			r.Header["Authorization"] = []string{authz}
			r.Header["X-Ts-Auth-Method"] = []string{method}
			r.Header["Date"] = []string{date}
			r.Header["X-Ts-Date"] = []string{tsDate}
			r.Header["X-Ts-Nonce"] = []string{nonce}
		}
		_, failure := s.checkAuth(r, body)
		if sign {
			if failure != nil {
				t.Fatalf("a signed request was refused: %+v", failure)
			}
			return
		}
		if failure != nil {
			return
		}
		h := r.Header
		sts := StringToSign(http.MethodPost, ct, h.Get("Date"), h.Get("X-Ts-Auth-Method"), h.Get("X-Ts-Date"), h.Get("X-Ts-Nonce"), body, "/v1/messaging")
		if !strings.Contains(authz, strings.TrimPrefix(basic, "Basic ")) &&
			!strings.Contains(authz, signWith(sha256.New, key, []byte(sts))) && !strings.Contains(authz, signWith(sha1.New, key, []byte(sts))) {
			t.Fatalf("accepted Authorization %q without the credentials or the signature", authz)
		}
	})
}
