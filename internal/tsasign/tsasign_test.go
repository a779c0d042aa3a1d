package tsasign_test

import (
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
