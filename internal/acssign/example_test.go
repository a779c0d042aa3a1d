package acssign_test

import (
	"fmt"

	"github.com/smsbridge/sms/internal/acssign"
)

// Signing a GET of https://example.com/testPath?testQuery=test with the published test key.
func Example() {
	key, _ := acssign.DecodeKey("pw==")
	sts := acssign.StringToSign("GET", "/testPath?testQuery=test", "Wed, 13 Apr 2022 18:09:12 GMT", "example.com", acssign.EmptyContentHash)
	fmt.Println(acssign.AuthorizationHeader(acssign.Sign(key, sts)))
	// Output: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=DGdgwggJWnQyc6EHjR/Vbqg1ES64KpD6U2XwTDDj3tU=
}
