package acs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
)

// Sending through a stand-in for the ACS endpoint; in production the connection string is
// the one the Azure portal shows under "Keys". The stand-in answers 202 with one item per
// recipient, as ACS does, and refuses numbers starting with +1555 (acs/acstest is a full
// emulator: signatures checked, delivery reports sent through Event Grid handshakes).
func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Recipients []struct {
				To string `json:"to"`
			} `json:"smsRecipients"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		items := []map[string]any{}
		for i, rc := range req.Recipients {
			if rc.To[:5] == "+1555" {
				items = append(items, map[string]any{"to": rc.To, "httpStatusCode": 400, "successful": false, "errorMessage": "Invalid To phone number format."})
				continue
			}
			items = append(items, map[string]any{"to": rc.To, "messageId": fmt.Sprintf("Outgoing_%d", i+1), "httpStatusCode": 202, "successful": true})
		}
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]any{"value": items})
	}))
	defer srv.Close()

	p, err := acs.New(acs.Config{
		ConnectionString: sms.NewSecret("endpoint=" + srv.URL + "/;accesskey=c2VjcmV0LWtleS1mb3ItdGhlLWV4YW1wbGU="),
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	client := sms.NewClient(p, nil)
	res, err := client.Send(context.Background(), &sms.Message{
		To:        []string{"+14155550100", "+15555550101"},
		From:      sms.Sender{Type: sms.SenderTollFree, Value: "+18005550100"},
		Body:      "Your order has shipped",
		Reference: "order-42", // comes back as the delivery report's tag
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		var e *sms.Error
		if errors.As(r.Err, &e) {
			fmt.Println(r.To, "failed:", e.Code, e.Message)
			continue
		}
		fmt.Println(r.To, r.MessageID, r.Status)
	}
	// Output:
	// +14155550100 Outgoing_1 accepted
	// +15555550101 failed: InvalidRecipient Invalid To phone number format.
}

// The portable status and failure class of a delivery report, from its deliveryStatus and
// deliveryStatusDetails.
func ExampleReportStatus() {
	fmt.Println(acs.ReportStatus("Failed", "4007: Destination opted out of your messages"))
	fmt.Println(acs.ReportStatus("Failed", "4004: Destination number does not exist"))
	fmt.Println(acs.ReportStatus("Delivered", "2000: No Error"))
	// Output:
	// rejected OptedOut 4007
	// undelivered InvalidRecipient 4004
	// delivered Unknown 2000
}

// The repeatability id of a recipient depends only on the message's idempotency key and the
// number, so an application that stored Message.IdempotencyKey and Message.FirstAttempt can
// retry from another process without a duplicate.
func ExampleRepeatabilityID() {
	fmt.Println(acs.RepeatabilityID("order-42", "+14155550100"))
	fmt.Println(acs.RepeatabilityID("order-42", "+14155550100") == acs.RepeatabilityID("order-42", "+14155550100"))
	// Output:
	// bd0c3480-6af1-5f9e-b80d-863a6501c68f
	// true
}

// NewFromEnv names the variable that is missing; the callback tokens are a comma-separated
// list, so that a new token can be added to the Event Grid subscription before the old one is
// removed.
func ExampleNewFromEnv() {
	defer os.Unsetenv(acs.EnvEndpoint)
	defer os.Unsetenv(acs.EnvAccessKey)
	defer os.Unsetenv(acs.EnvCallbackTokens)
	os.Unsetenv(acs.EnvConnectionString)
	os.Setenv(acs.EnvEndpoint, "https://contoso.communication.azure.com")
	_, err := acs.NewFromEnv(nil)
	fmt.Println(err)

	os.Setenv(acs.EnvAccessKey, "c2VjcmV0") // the portal's base64 key
	os.Setenv(acs.EnvCallbackTokens, "old-token,new-token")
	p, err := acs.NewFromEnv(nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p)
	// Output:
	// sms/acs: InvalidArgument: ACS_ACCESS_KEY is not set
	// acs.Provider{endpoint=https://contoso.communication.azure.com, api-version=2021-03-07, auth=access key}
}
