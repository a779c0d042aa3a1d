package twiliotest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
)

// Start the emulator, point the twilio provider at it, and send through sms.NewClient.
func Example() {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()

	p, err := twilio.New(twilio.Config{
		AccountSID: srv.AccountSID(),
		AuthToken:  sms.NewSecret(srv.AuthToken()),
	}, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	res, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{
		To:   []string{"+14155550100"},
		From: sms.Sender{Type: sms.SenderLongCode, Value: "+15005550006"},
		Body: "Hello from the emulator",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0].MessageID[:2], res[0].Status)
	fmt.Println(len(srv.Messages()), "message held")
	// Output:
	// SM queued
	// 1 message held
}

// Delivery reports reach the application's webhook handler, signed as Twilio signs them.
func ExampleServer_WaitCallbacks() {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()

	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	defer app.Close()
	p, err := twilio.New(twilio.Config{
		AccountSID:     srv.AccountSID(),
		AuthToken:      sms.NewSecret(srv.AuthToken()),
		PublicURL:      app.URL,
		StatusCallback: app.URL + "/twilio/status",
	}, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	events := make(chan sms.Event, 4)
	mux.Handle("/twilio/", webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		for _, ev := range evs {
			events <- ev
		}
		return nil
	}), nil))

	srv.SetOutcome("+14155550100", sms.StatusUndelivered, "30003")
	ctx := context.Background()
	if _, err := sms.NewClient(p, nil).Send(ctx, &sms.Message{
		To:        []string{"+14155550100"},
		From:      sms.Sender{Value: "+15005550006"},
		Body:      "Your code is 123456",
		Reference: "login-7",
	}); err != nil {
		log.Fatal(err)
	}
	if err := srv.WaitCallbacks(ctx); err != nil {
		log.Fatal(err)
	}
	close(events)
	for ev := range events {
		fmt.Println(ev.Status, ev.ErrorCode, ev.Reference)
	}
	// Output:
	// sent  login-7
	// undelivered 30003 login-7
}
