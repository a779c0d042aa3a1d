package acssign_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/internal/acssign"
)

// Vectors published in the Azure SDK for JavaScript tests (vendors/acs.md §1.2).
func TestSignVectors(t *testing.T) {
	key, err := acssign.DecodeKey("pw==")
	require.NoError(t, err)
	const date = "Wed, 13 Apr 2022 18:09:12 GMT"
	for _, c := range []struct{ pathAndQuery, want string }{
		{"/testPath?testQuery=test", "DGdgwggJWnQyc6EHjR/Vbqg1ES64KpD6U2XwTDDj3tU="},
		{"/testPath", "+6tWkg3lNKVjQHHmxkdGQcJjUgzclsWTMebnuCz1ngU="},
	} {
		sts := acssign.StringToSign("get", c.pathAndQuery, date, "example.com", acssign.ContentHash(nil))
		require.Equal(t, c.want, acssign.Sign(key, sts), c.pathAndQuery)
	}
	require.Equal(t, "88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8=", acssign.Sign(key, "banana"))
	require.Equal(t, "tJPUg2Sv5E0RwBZc9HCkFk0eJgmRHvmYvoaNRq3j3k4=", acssign.ContentHash([]byte("banana")))
	require.Equal(t, acssign.EmptyContentHash, acssign.ContentHash(nil))
	require.Equal(t, "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=abc", acssign.AuthorizationHeader("abc"))
}

func TestDecodeKey(t *testing.T) {
	for _, bad := range []string{"", "  ", "!!!", "not base64 %%secret%%"} {
		_, err := acssign.DecodeKey(bad)
		require.Error(t, err, bad)
		require.NotContains(t, err.Error(), "secret")
	}
	k, err := acssign.DecodeKey(" c2VjcmV0 ")
	require.NoError(t, err)
	require.Equal(t, "secret", string(k))
}

// A Signer gives Sign's signatures, also when used concurrently.
func TestSigner(t *testing.T) {
	key, err := acssign.DecodeKey("pw==")
	require.NoError(t, err)
	s := acssign.NewSigner(key)
	require.Equal(t, "88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8=", s.Sign("banana"))
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 200 {
				sts := fmt.Sprintf("POST\n/sms?i=%d&j=%d\ndate;host;hash", i, j)
				if got, want := s.Sign(sts), acssign.Sign(key, sts); got != want {
					t.Errorf("%q: Signer %s, Sign %s", sts, got, want)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// Signer.Authorization is the Authorization header of Sign over StringToSign, byte for byte,
// whatever the inputs (a lower-case method included), also when used concurrently.
func TestSignerAuthorization(t *testing.T) {
	key, err := acssign.DecodeKey("c2VuZC10ZXN0LWtleS1BLXNlY3JldC1tYXRlcmlhbA==")
	require.NoError(t, err)
	s := acssign.NewSigner(key)
	want := func(method, uri, date, host, hash string) string {
		return acssign.AuthorizationHeader(acssign.Sign(key, acssign.StringToSign(method, uri, date, host, hash)))
	}
	for _, c := range [][5]string{
		{"POST", "/sms?api-version=2021-03-07", "Wed, 13 Apr 2022 18:09:12 GMT", "contoso.communication.azure.com", acssign.ContentHash([]byte(`{"a":1}`))},
		{"get", "/deliveryReports/Outgoing_1?api-version=2025-05-29-preview", "Thu, 01 Jan 1970 00:00:00 GMT", "127.0.0.1:8080", acssign.EmptyContentHash},
		{"", "", "", "", ""},
	} {
		require.Equal(t, want(c[0], c[1], c[2], c[3], c[4]), s.Authorization(c[0], c[1], c[2], c[3], c[4]), "%q", c)
	}
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 200 {
				uri := fmt.Sprintf("/sms?i=%d&j=%d", i, j)
				if got, w := s.Authorization("POST", uri, "date", "host", "hash"), want("POST", uri, "date", "host", "hash"); got != w {
					t.Errorf("%s: Authorization %s, want %s", uri, got, w)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// ContentHash is base64 of the body's SHA-256.
func TestContentHash(t *testing.T) {
	require.Equal(t, acssign.EmptyContentHash, acssign.ContentHash(nil))
	require.Equal(t, "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=", acssign.ContentHash([]byte("a")))
}

func BenchmarkSign(b *testing.B) {
	key, _ := acssign.DecodeKey("c2VuZC10ZXN0LWtleS1BLXNlY3JldC1tYXRlcmlhbA==")
	sts := acssign.StringToSign("POST", "/sms?api-version=2021-03-07", "Wed, 13 Apr 2022 18:09:12 GMT", "contoso.communication.azure.com", acssign.EmptyContentHash)
	b.Run("Sign", func(b *testing.B) {
		for b.Loop() {
			acssign.Sign(key, sts)
		}
	})
	s := acssign.NewSigner(key)
	b.Run("Signer", func(b *testing.B) {
		for b.Loop() {
			s.Sign(sts)
		}
	})
	b.Run("Authorization", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.Authorization("POST", "/sms?api-version=2021-03-07", "Wed, 13 Apr 2022 18:09:12 GMT", "contoso.communication.azure.com", acssign.EmptyContentHash)
		}
	})
}
