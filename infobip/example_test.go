package infobip_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
)

// Send a message through sms.Client and read a delivery report. A local server stands in for
// the account's base URL.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		id := infobip.MessageID("order-42", "+41793026727")
		fmt.Fprintf(w, `{"bulkId":"b","messages":[{"messageId":%q,"status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED"},"destination":"41793026727"}]}`, id)
	}))
	defer srv.Close()

	p, err := infobip.New(infobip.Config{
		APIKey:         sms.NewSecret("your-api-key"),
		BaseURL:        srv.URL, // in production: "xxxxx.api.infobip.com"
		DeliveryURL:    "https://app.example.com/hooks/infobip?token=hook-secret",
		CallbackTokens: []sms.Secret{sms.NewSecret("hook-secret")},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), &sms.Message{
		To: []string{"+41793026727"}, From: sms.Sender{Value: "InfoSMS"}, Body: "Your order shipped",
		IdempotencyKey: "order-42",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0].Status, res[0].MessageID == infobip.MessageID("order-42", "+41793026727"))

	body := `{"results":[{"messageId":"` + res[0].MessageID + `","to":"41793026727","sender":"InfoSMS","doneAt":"2026-12-01T10:00:00.000+0000","messageCount":1,"status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET"},"error":{"groupId":0,"id":0,"name":"NO_ERROR"}}]}`
	r := httptest.NewRequest(http.MethodPost, "/hooks/infobip?token=hook-secret", strings.NewReader(body))
	cb, err := p.ParseCallback(context.Background(), r, []byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := cb.Events[0]
	fmt.Println(ev.Type, ev.Status, ev.To, ev.Timestamp.Format("15:04"))
	// Output:
	// accepted true
	// delivery_report delivered +41793026727 10:00
}
