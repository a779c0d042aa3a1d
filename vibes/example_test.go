package vibes_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/vibes"
)

// Send a message through sms.Client and read its delivery receipt. A local server stands in
// for Vibes' API.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, `<mtMessageRsp messageId="b75fccf3-8f06-4d8f-a282-d1886a4792a2" carrier="102"/>`)
	}))
	defer srv.Close()

	p, err := vibes.New(vibes.Config{
		Username:       "connect-user",
		Password:       sms.NewSecret("connect-password"),
		BaseURL:        srv.URL, // in production: leave empty for vibes.DefaultBaseURL
		DeliveryURL:    "https://app.example.com/hooks/vibes?token=hook-secret",
		CallbackTokens: []sms.Secret{sms.NewSecret("hook-secret")},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), &sms.Message{
		To: []string{"+18475551212"}, From: sms.Sender{Value: "98765"}, Body: "Your order shipped",
		IdempotencyKey: "order-42",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0].Status, res[0].MessageID)

	body := `<mtMessageResponse messageId="` + res[0].MessageID + `" submitterMessageId="` +
		vibes.SubmitterMessageID("order-42", "+18475551212") + `" receiptDate="2026-12-01T10:00:00.000-06:00">` +
		`<type>Handset</type><status isError="false"><description>Delivered</description></status></mtMessageResponse>`
	r := httptest.NewRequest(http.MethodPost, "/hooks/vibes?token=hook-secret", strings.NewReader(body))
	cb, err := p.ParseCallback(context.Background(), r, []byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := cb.Events[0]
	fmt.Println(ev.Type, ev.Status, ev.Timestamp.Format("15:04 MST"))
	fmt.Println(vibes.SubmitterMessageIDOf(ev) == vibes.SubmitterMessageID("order-42", "+18475551212"))
	// Output:
	// accepted b75fccf3-8f06-4d8f-a282-d1886a4792a2
	// delivery_report delivered 16:00 UTC
	// true
}

// Read an inbound message (MO) that Vibes posts to the URL given to the account manager.
func ExampleProvider_ParseCallback_inbound() {
	p, err := vibes.New(vibes.Config{
		Username: "connect-user", Password: sms.NewSecret("connect-password"),
		CallbackTokens: []sms.Secret{sms.NewSecret("hook-secret")},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	body := `<?xml version="1.0" encoding="UTF-8"?><moMessage messageId="1132c1d2-5236-4631-9c6f-43f6049cd76b" receiptDate="2016-12-04 16:47:44-0600" attemptNumber="1"><source address="+15125551212" carrier="104" type="MDN" /><destination address="63901" type="SC" /><message>test</message></moMessage>`
	r := httptest.NewRequest(http.MethodPost, "/hooks/vibes/mo?token=hook-secret", strings.NewReader(body))
	cb, err := p.ParseCallback(context.Background(), r, []byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := cb.Events[0]
	fmt.Println(ev.Type, ev.From, ev.To, ev.Body, vibes.CarrierOf(ev), ev.Timestamp.Format("2006-01-02 15:04 MST"))
	// Output:
	// inbound +15125551212 63901 test 104 2016-12-04 22:47 UTC
}
