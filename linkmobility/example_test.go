package linkmobility_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/linkmobility"
)

// Send a message through sms.Client and read a delivery report of its second part. A local
// server stands in for the assigned LINK host (linkmobility.HostNorway in production).
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"messageId":"Dcshuhod0PMAAAFQ+/PbnR3x","resultCode":1005,"description":"Queued","smsCount":2}`)
	}))
	defer srv.Close()

	p, err := linkmobility.New(linkmobility.Config{
		Username: "user", Password: sms.NewSecret("password"),
		PlatformID: "COMMON_API", PlatformPartnerID: "1234", GateID: "BVldZyQt",
		BaseURL:      srv.URL, // in production: linkmobility.HostNorway or the host support assigned
		CallbackUser: "gate", CallbackPassword: sms.NewSecret("gate-password"),
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), &sms.Message{
		To: []string{"+4746910822"}, From: sms.Sender{Value: "2333", Type: sms.SenderShortCode}, Body: "Hello world",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0].Status, res[0].MessageID, res[0].Segments)

	body := []byte(`{"refId":null,"id":"Dcshuhod0PMAAAFQ+/PbnR3x$1","resultCode":1001,"segments":2,"timestamp":"2026-12-01T10:00:00Z"}`)
	r := httptest.NewRequest(http.MethodPost, "/sms/linkmobility", bytes.NewReader(body))
	r.SetBasicAuth("gate", "gate-password")
	cb, err := p.ParseCallback(context.Background(), r, body)
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := cb.Events[0]
	fmt.Println(ev.Type, ev.Status, ev.MessageID, ev.Part, "of", ev.Parts)
	// Output:
	// queued Dcshuhod0PMAAAFQ+/PbnR3x 2
	// delivery_report delivered Dcshuhod0PMAAAFQ+/PbnR3x 2 of 2
}
