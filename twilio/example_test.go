package twilio_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// Sending through the Twilio emulator; in production drop BaseURL and use the console's
// credentials.
func ExampleNew() {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()

	p, err := twilio.New(twilio.Config{
		AccountSID: srv.AccountSID(),
		AuthToken:  sms.NewSecret(srv.AuthToken()),
	}, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	client := sms.NewClient(p, nil)
	res, err := client.Send(context.Background(), &sms.Message{
		To:   []string{"+14155550100", "+15005550004"}, // the second is Twilio's "opted out" test number
		From: sms.Sender{Type: sms.SenderLongCode, Value: "+15005550006"},
		Body: "Hello from smsbridge",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			e := r.Err.(*sms.Error)
			fmt.Println(r.To, "failed:", e.Code, e.VendorCode)
			continue
		}
		fmt.Println(r.To, r.MessageID[:2], r.Status)
	}
	// Output:
	// +14155550100 SM queued
	// +15005550004 failed: OptedOut 21610
}

// The signature Twilio sends in X-Twilio-Signature, on twilio-go's published test vector.
func ExampleSign() {
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"}, "Reason": {"Participant"}, "ReasonConferenceEnded": {"test"},
	}
	fmt.Println(twilio.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
	// Output: vOEb5UThFn24KEfnOFLQY2AE5FY=
}

// Reconciling a send that ended OutcomeUnknown: look for the message the failed request may
// have created before sending again.
func ExampleProvider_FindMessages() {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	p, err := twilio.New(twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken())},
		&twilio.Options{BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	msg := &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+15005550006"}, Body: "Your code is 1234"}
	firstAttempt := time.Now()

	srv.Arm(twiliotest.Fault{Reset: true}) // Twilio accepts the message, the answer is lost
	res, _ := sms.NewClient(p, nil).Send(context.Background(), msg)
	fmt.Println(sms.ErrorCode(res[0].Err))

	found, err := p.FindMessages(context.Background(), twilio.MessageFilter{
		To: msg.To[0], From: msg.From.Value, Body: msg.Body,
		CreatedSince: firstAttempt.Add(-time.Minute), // a margin for clock skew
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("already created:", len(found) == 1)
	// Output:
	// OutcomeUnknown
	// already created: true
}

// NewFromEnv names the variable that is missing; a logger given once in Options is the one
// the client and the webhook handler use.
func ExampleNewFromEnv() {
	defer os.Unsetenv(twilio.EnvAccountSID)
	defer os.Unsetenv(twilio.EnvAuthToken)
	os.Setenv(twilio.EnvAccountSID, "AC0123456789abcdef0123456789abcdef")
	os.Unsetenv(twilio.EnvAuthToken)
	os.Unsetenv(twilio.EnvAPIKey)
	os.Unsetenv(twilio.EnvAPISecret)
	_, err := twilio.NewFromEnv(nil)
	fmt.Println(err)

	os.Setenv(twilio.EnvAuthToken, "example-token")
	logger := slog.New(slog.DiscardHandler)
	p, err := twilio.NewFromEnv(&twilio.Options{Logger: logger})
	if err != nil {
		panic(err)
	}
	fmt.Println(sms.NewClient(p, nil).Logger() == logger)
	// Output:
	// sms/twilio: InvalidArgument: TWILIO_AUTH_TOKEN is not set (nor TWILIO_API_KEY with TWILIO_API_SECRET)
	// true
}
