package telesign_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/telesign"
)

// Send a message through sms.Client with TSA signing and read a signed delivery report. A
// local server stands in for rest-api.telesign.com.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":290,"description":"Message in progress"},"external_id":"order-42"}`)
	}))
	defer srv.Close()

	apiKey := sms.NewSecret("QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=")
	p, err := telesign.New(telesign.Config{
		CustomerID:  "FFFFFFFF-EEEE-DDDD-1234-AB1234567890",
		APIKey:      apiKey,
		DeliveryURL: "https://app.example.com/hooks/telesign",
	}, &telesign.Options{BaseURL: srv.URL, Auth: telesign.AuthTSA}) // in production: no BaseURL
	if err != nil {
		fmt.Println(err)
		return
	}
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), &sms.Message{
		To: []string{"+14155550100"}, From: sms.Sender{Value: "Acme"}, Body: "Your code is 123456",
		Type: sms.TypeOTP, Reference: "order-42",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0].Status, res[0].MessageID)

	body := []byte(`{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset","updated_on":"2026-12-01T10:00:00.000000Z"},"external_id":"order-42"}`)
	sig, _ := telesign.SignCallback(apiKey, body) // what Telesign computes
	r := httptest.NewRequest(http.MethodPost, "/hooks/telesign", bytes.NewReader(body))
	r.Header.Set("Authorization", "TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:"+sig)
	cb, err := p.ParseCallback(context.Background(), r, body)
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := cb.Events[0]
	fmt.Println(ev.Type, ev.Status, ev.Reference, ev.Timestamp.Format("15:04"))
	// Output:
	// accepted 0123456789ABCDEF0123456789ABCDEF
	// delivery_report delivered order-42 10:00
}
