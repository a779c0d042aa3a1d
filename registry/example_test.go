package registry_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/registry"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// Two providers, three senders with owner tags, and a route; the credentials come from the
// environment (here a map, with the emulators' credentials), never from the file.
func Example() {
	tw, ib := twiliotest.NewServer(nil), infobiptest.NewServer(nil)
	defer tw.Close()
	defer ib.Close()
	env := map[string]string{
		"TWILIO_ACCOUNT_SID": tw.AccountSID(), "TWILIO_AUTH_TOKEN": tw.AuthToken(), "TWILIO_URL": tw.URL,
		"INFOBIP_API_KEY": ib.APIKey(), "INFOBIP_URL": ib.URL,
	}
	const file = `{
	  "providers": [
	    {"name": "twilio-us", "vendor": "twilio",
	     "credentials": {"account_sid": "TWILIO_ACCOUNT_SID", "auth_token": "TWILIO_AUTH_TOKEN"},
	     "options": {"base_url": "${TWILIO_URL}"}},
	    {"name": "infobip-eu", "vendor": "infobip",
	     "credentials": {"api_key": "INFOBIP_API_KEY"},
	     "options": {"base_url": "${INFOBIP_URL}", "timeout": "10s"}}
	  ],
	  "senders": [
	    {"name": "US alerts", "value": "+15005550006", "type": "long_code", "provider": "twilio-us", "owner": "retail"},
	    {"name": "EU brand", "value": "Acme", "type": "alphanumeric", "provider": "infobip-eu", "owner": "retail"},
	    {"name": "OTP", "value": "Verify", "provider": "infobip-eu"}
	  ],
	  "routes": [{"name": "alerts", "senders": ["US alerts", "EU brand"]}]
	}`
	reg, err := registry.Load(strings.NewReader(file), &registry.Options{
		Getenv: func(name string) (string, bool) { v, ok := env[name]; return v, ok },
		Client: &sms.ClientOptions{Retry: sms.RetryPolicy{MaxAttempts: 1}},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// By sender name.
	res, err := reg.Send(ctx, "OTP", &sms.Message{To: []string{"+41793026727"}, Body: "Your code is 123456"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0].To, "via", res[0].Provider, "from", res[0].From.Value, "("+res[0].From.Name+")")

	// By route: Twilio throttles, so the route moves on to Infobip.
	tw.Arm(twiliotest.Fault{Status: 429})
	res, err = reg.SendRoute(ctx, "alerts", &sms.Message{To: []string{"+14155550100"}, Body: "Storm warning"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0].To, "via", res[0].Provider, "from", res[0].From.Value, "("+res[0].From.Name+")")

	// Suppression scopes: one per owner, else one per sender.
	fmt.Println(reg.Scope("twilio", sms.Sender{Value: "+15005550006"}), reg.Scope("infobip", sms.Sender{Value: "Acme"}),
		reg.Scope("infobip", sms.Sender{Value: "Verify"}))
	// Output:
	// +41793026727 via infobip from Verify (OTP)
	// +14155550100 via infobip from Acme (EU brand)
	// owner:retail owner:retail sender:Verify
}
