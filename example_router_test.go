package sms_test

import (
	"context"
	"fmt"
	"log"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

// A Router tries its routes in order: here the primary vendor refuses the connection, so the
// message goes out through the backup, from the backup's own sender.
func ExampleRouter() {
	primary := smstest.NewRecorder(&smstest.RecorderOptions{Name: "primary"})
	backup := smstest.NewRecorder(&smstest.RecorderOptions{Name: "backup"})
	primary.FailNext(&sms.Error{Code: sms.CodeUnavailable, Message: "connection refused", NotAccepted: true})

	noRetry := &sms.ClientOptions{Retry: sms.RetryPolicy{MaxAttempts: 1}}
	router, err := sms.NewRouter(
		sms.Route{Client: sms.NewClient(primary, noRetry), From: sms.Sender{Type: sms.SenderLongCode, Value: "+12025550100"}},
		sms.Route{Client: sms.NewClient(backup, noRetry), From: sms.Sender{Type: sms.SenderAlphanumeric, Value: "ACME"}},
	)
	if err != nil {
		log.Fatal(err)
	}
	res, err := router.Send(context.Background(), &sms.Message{To: []string{"+1 202 555 0101"}, Body: "Your code is 123456"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		fmt.Println(r.To, "sent by", r.Provider, "from", r.From.Value, "after", r.Attempts, "requests")
	}
	// Output:
	// +12025550101 sent by backup from ACME after 2 requests
}
