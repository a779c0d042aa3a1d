package acstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/acssign"
)

// post signs body with the emulator's key as an ACS client does and posts it to /sms.
func post(srv *acstest.Server, at time.Time, body string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/sms?api-version=2021-03-07", bytes.NewReader([]byte(body)))
	if err != nil {
		return nil, err
	}
	key, err := acssign.DecodeKey(srv.AccessKey())
	if err != nil {
		return nil, err
	}
	date, hash := at.UTC().Format(http.TimeFormat), acssign.ContentHash([]byte(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-ms-date", date)
	req.Header.Set("x-ms-content-sha256", hash)
	req.Header.Set("Authorization", acssign.AuthorizationHeader(acssign.Sign(key, acssign.StringToSign("POST", req.URL.RequestURI(), date, req.URL.Host, hash))))
	return http.DefaultClient.Do(req)
}

// Start the emulator, point the acs provider at it, and send through sms.NewClient.
func Example() {
	srv := acstest.NewServer(nil)
	defer srv.Close()

	p, err := acs.New(acs.Config{
		Endpoint:  "https://contoso.communication.azure.com",
		AccessKey: sms.NewSecret(srv.AccessKey()),
	}, &acs.Options{BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	res, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{
		To:   []string{"+14155550100"},
		From: sms.Sender{Type: sms.SenderLongCode, Value: "+14155550199"},
		Body: "Hello from the emulator",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0].MessageID[:9], res[0].Status)
	m := srv.Messages()[0]
	fmt.Println(len(srv.Messages()), "message held, repeatable:", m.RepeatabilityRequestID != "")
	// Output:
	// Outgoing_ accepted
	// 1 message held, repeatable: true
}

// Sign a request as the official clients do, and read the per-recipient answer.
func Example_signedRequest() {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	srv := acstest.NewServer(&acstest.Options{Clock: emulator.NewManualClock(at)})
	defer srv.Close()

	resp, err := post(srv, at, `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"},{"to":"+1555"}],"message":"Hello"}`)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Value []struct {
			To             string
			MessageID      string
			HTTPStatusCode int
			ErrorMessage   string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode)
	for _, it := range answer.Value {
		if it.MessageID != "" {
			fmt.Println(it.To, it.HTTPStatusCode, it.MessageID[:23]) // Outgoing_ and the clock's time
		} else {
			fmt.Println(it.To, it.HTTPStatusCode, it.ErrorMessage)
		}
	}
	fmt.Println(srv.Accepted(), "message created")
	// Output:
	// 202
	// +14155550100 202 Outgoing_20261123120000
	// +1555 400 Invalid To phone number format.
	// 1 message created
}

// Delivery reports reach the application's Event Grid endpoint after the validation
// handshake.
func ExampleServer_WaitCallbacks() {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var events []struct {
			EventType string
			Data      json.RawMessage
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &events); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, ev := range events {
			var d struct {
				ValidationCode        string
				DeliveryStatus        string
				DeliveryStatusDetails string
			}
			_ = json.Unmarshal(ev.Data, &d)
			fmt.Println(strings.TrimSpace(strings.Join([]string{r.Header.Get("aeg-event-type"), ev.EventType, d.DeliveryStatus, d.DeliveryStatusDetails}, " ")))
			if d.ValidationCode != "" {
				json.NewEncoder(w).Encode(map[string]string{"validationResponse": d.ValidationCode})
			}
		}
	}))
	defer app.Close()

	srv := acstest.NewServer(&acstest.Options{EventGridURL: app.URL + "/acs/events?token=s3cret"})
	defer srv.Close()
	srv.SetOutcome("+14155550100", sms.StatusUndelivered, "4004")

	resp, err := post(srv, time.Now(), `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"Hello",
		"smsSendOptions":{"enableDeliveryReport":true,"tag":"order-42"}}`)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	if err := srv.WaitCallbacks(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.ValidationState())
	// Output:
	// SubscriptionValidation Microsoft.EventGrid.SubscriptionValidationEvent
	// Notification Microsoft.Communication.SMSDeliveryReportReceived Failed 4004: Destination number does not exist
	// validated
}
