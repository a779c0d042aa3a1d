package tsasign_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/internal/tsasign"
)

const (
	customerID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
	sdkKey     = "EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw=="
	date       = "Wed, 14 Dec 2016 18:20:12 GMT"
	nonce      = "A1592C6F-E384-4CDB-BC42-C3AB970369E9"
)

// The published SDK vectors (python_telesign tests/test_rest.py, vendors/telesign.md §1.2).
func TestSignPublishedVectors(t *testing.T) {
	key, err := tsasign.DecodeKey(sdkKey)
	require.NoError(t, err)
	require.Len(t, key, 61)
	const form = "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		method, ct, body, want string
	}{
		{"POST", form, "test=param", "2xVlmbrxLjYrrPun3G3WMNG6Jon4yKcTeOoK9DjXJ/Q="},
		{"POST", form, "test=%CF%BF", "h8d4I0RTxErbxYXuzCOtNqb/f0w3Ck8e5SEkGNj01+8="},
		{"GET", "", "", "aUm7I+9GKl3ww7PNeeJntCT0iS7b+EmRKEE4LnRzChQ="},
	} {
		got := tsasign.Sign(key, tc.method, tc.ct, date, nonce, []byte(tc.body), "/v1/resource")
		require.Equal(t, tc.want, got, tc.method+" "+tc.body)
	}
}

// The request the official Node client sent (shared/wire/telesign-telesignsdk-send.json).
func TestSignCapturedNodeRequest(t *testing.T) {
	key, err := tsasign.DecodeKey("QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=")
	require.NoError(t, err)
	body := "phone_number=14155550100&message=Hello+from+acceptance+%E2%9C%93+1%2B1%3D2+%26+50%25+off%3F+%F0%9F%9A%80&message_type=ARN"
	sig := tsasign.Sign(key, "POST", "application/x-www-form-urlencoded", "Mon, 23 Nov 2026 19:13:40 GMT",
		"d31b834e-85bb-49f3-a7a3-254418ad1713", []byte(body), "/v1/messaging")
	require.Equal(t, "TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:7iAI95fmGQt1qBu1lOX9raRe5XByHh6hxlYzjwRmg04=",
		tsasign.Authorization(customerID, sig))
}

// The published callback vector (python_telesign tests/test_util.py, §7).
func TestCallbackVector(t *testing.T) {
	key, err := tsasign.DecodeKey(sdkKey)
	require.NoError(t, err)
	body := []byte("{'test': 123}")
	require.Equal(t, "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744=", tsasign.SignBody(key, body))
	other := []byte("another key")
	require.True(t, tsasign.VerifyBody([][]byte{other, key}, body, "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744="))
	require.False(t, tsasign.VerifyBody([][]byte{other}, body, "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744="))
	require.False(t, tsasign.VerifyBody([][]byte{key}, []byte("{'test': 124}"), "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744="))
	require.False(t, tsasign.VerifyBody([][]byte{key}, body, "short"))
}

func TestDecodeKeyRefusesNonBase64(t *testing.T) {
	for _, k := range []string{"", "----", "A", "ABCDE"} {
		_, err := tsasign.DecodeKey(k)
		require.Error(t, err, k)
	}
}

func TestParseAuthorization(t *testing.T) {
	id, sig, ok := tsasign.ParseAuthorization("TSA " + customerID + ":abc=")
	require.True(t, ok)
	require.Equal(t, customerID, id)
	require.Equal(t, "abc=", sig)
	for _, bad := range []string{"", "Basic x:y", "TSA", "TSA :sig", "TSA id:", "TSAid:sig"} {
		_, _, ok := tsasign.ParseAuthorization(bad)
		require.False(t, ok, bad)
	}
}

// A signature whose last base64 character differs only in the unused bits decodes to the same
// MAC; it is still refused (the canonical text is compared).
func TestVerifyBodyCanonicalOnly(t *testing.T) {
	key, err := tsasign.DecodeKey(sdkKey)
	require.NoError(t, err)
	require.False(t, tsasign.VerifyBody([][]byte{key}, []byte("{'test': 123}"), "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN745="))
}

// BodyVerifier gives VerifyBody's answer for every case, whichever key matches and in any
// order of use, including from many goroutines at once (run with -race): each key's pooled
// states never serve another key and carry nothing from one body to the next.
func TestBodyVerifierMatchesVerifyBody(t *testing.T) {
	key, err := tsasign.DecodeKey(sdkKey)
	require.NoError(t, err)
	other := []byte("another key")
	const vector = "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744="
	cases := []struct {
		name string
		keys [][]byte
		body string
		sig  string
	}{
		{"second key", [][]byte{other, key}, "{'test': 123}", vector},
		{"first key", [][]byte{key, other}, "{'test': 123}", vector},
		{"no key matches", [][]byte{other}, "{'test': 123}", vector},
		{"other body", [][]byte{key}, "{'test': 124}", vector},
		{"short", [][]byte{key}, "{'test': 123}", "short"},
		{"non-canonical", [][]byte{key}, "{'test': 123}", "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN745="},
		{"no keys", nil, "{'test': 123}", vector},
		{"other key's signature", [][]byte{key}, "{'test': 123}", tsasign.SignBody(other, []byte("{'test': 123}"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := tsasign.NewBodyVerifier(c.keys)
			want := tsasign.VerifyBody(c.keys, []byte(c.body), c.sig)
			for range 3 { // reused states answer as fresh ones
				require.Equal(t, want, v.Verify([]byte(c.body), c.sig))
			}
		})
	}
	require.True(t, tsasign.NewBodyVerifier([][]byte{other, key}).Verify([]byte("{'test': 123}"), vector))

	v := tsasign.NewBodyVerifier([][]byte{key, other})
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				body := []byte(fmt.Sprintf("{'g': %d, 'i': %d}", g, i))
				k := [][]byte{key, other}[(g+i)%2]
				if !v.Verify(body, tsasign.SignBody(k, body)) {
					errs <- fmt.Sprintf("goroutine %d body %d: own signature refused", g, i)
					return
				}
				if v.Verify(body, tsasign.SignBody([]byte("third"), body)) {
					errs <- fmt.Sprintf("goroutine %d body %d: foreign signature accepted", g, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
