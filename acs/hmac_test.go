package acs_test

import (
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
)

// Vectors published in the Azure SDK for JavaScript tests (acs.md §1.2).
func TestSignVectors(t *testing.T) {
	key, err := acs.DecodeKey("pw==")
	if err != nil {
		t.Fatal(err)
	}
	const date = "Wed, 13 Apr 2022 18:09:12 GMT"
	cases := []struct{ pathAndQuery, want string }{
		{"/testPath?testQuery=test", "DGdgwggJWnQyc6EHjR/Vbqg1ES64KpD6U2XwTDDj3tU="},
		{"/testPath", "+6tWkg3lNKVjQHHmxkdGQcJjUgzclsWTMebnuCz1ngU="},
	}
	for _, c := range cases {
		sts := acs.StringToSign("get", c.pathAndQuery, date, "example.com", acs.ContentHash(nil))
		if got := acs.Sign(key, sts); got != c.want {
			t.Errorf("%s: got %s want %s", c.pathAndQuery, got, c.want)
		}
	}
	if got := acs.Sign(key, "banana"); got != "88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8=" {
		t.Errorf("banana HMAC %s", got)
	}
	if got := acs.ContentHash([]byte("banana")); got != "tJPUg2Sv5E0RwBZc9HCkFk0eJgmRHvmYvoaNRq3j3k4=" {
		t.Errorf("banana hash %s", got)
	}
	if acs.ContentHash(nil) != acs.EmptyContentHash {
		t.Error("empty hash")
	}
	want := "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=abc"
	if acs.AuthorizationHeader("abc") != want {
		t.Error("authorization header")
	}
}

func TestParseConnectionString(t *testing.T) {
	ep, key, err := acs.ParseConnectionString("endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0a2V5PT0=")
	if err != nil || ep != "https://contoso.communication.azure.com" || key.Reveal() != "c2VjcmV0a2V5PT0=" {
		t.Fatalf("%q %v", ep, err)
	}
	ep, _, err = acs.ParseConnectionString(" AccessKey=pw== ; Endpoint=https://x.communication.azure.com ")
	if err != nil || ep != "https://x.communication.azure.com" {
		t.Fatalf("order and case: %q %v", ep, err)
	}
	for _, bad := range []string{"", "endpoint=https://x", "accesskey=pw==", "endpoint=x;accesskey=pw==", "endpoint=https://x;accesskey=!!!", "garbage"} {
		_, _, err := acs.ParseConnectionString(bad)
		if sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("%q: want InvalidArgument, got %v", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw==") {
			t.Errorf("%q: the key leaked into the error", bad)
		}
	}
}
