package cbauth_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/cbauth"
)

// A vendor package builds one Verifier from its Config and checks every callback with it
// before reading the body.
func Example() {
	v := cbauth.New(cbauth.Config{
		Provider: "infobip",
		Tokens:   []sms.Secret{sms.NewSecret("old-secret"), sms.NewSecret("new-secret")}, // a rotation
		Hint:     "set Config.CallbackTokens",
	})
	fmt.Println(v.Verify(httptest.NewRequest("POST", "/infobip/reports?token=new-secret", nil)))
	fmt.Println(v.Verify(httptest.NewRequest("POST", "/infobip/reports?token=guess", nil)))
	fmt.Println(v.Verify(httptest.NewRequest("POST", "/infobip/reports", nil)))
	// Output:
	// <nil>
	// sms/infobip: Unauthenticated: invalid callback token or credentials
	// sms/infobip: Unauthenticated: missing callback token or credentials
}
