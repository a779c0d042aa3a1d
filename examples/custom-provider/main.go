// Command custom-provider shows a seventh vendor plugged in from outside the library: a
// Provider implementation (acme.go), sent through sms.NewClient, with its callbacks served by
// webhook.Handler. acme_test.go proves it with smstest.RunConformance.
//
//	go run ./examples/custom-provider
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(out io.Writer) error {
	vendor := httptest.NewServer(&fakeAcme{apiKey: "acme-key"})
	defer vendor.Close()
	p := &acme{baseURL: vendor.URL, apiKey: sms.NewSecret("acme-key"), hookKey: sms.NewSecret("hook-key"), hc: vendor.Client()}

	client := sms.NewClient(p, nil)
	res, err := client.Send(context.Background(), &sms.Message{
		To:   []string{"+44 7911 123456"},
		From: sms.Sender{Type: sms.SenderAlphanumeric, Value: "Acme"},
		Body: "Hello from a custom channel",
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "sent:", res[0].To, res[0].MessageID)

	h := webhook.Handler(p, webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error {
		for _, ev := range evs {
			fmt.Fprintln(out, "event:", ev.Type, ev.MessageID, ev.Status)
		}
		return nil
	}), nil)
	body := `[{"ID":"d1","Kind":"dlr","MessageID":"` + res[0].MessageID + `","Status":"DELIVERED"}]`
	req := httptest.NewRequest(http.MethodPost, "/acme", bytes.NewBufferString(body))
	req.Header.Set("X-Acme-Key", "hook-key")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Fprintln(out, "webhook answered", w.Code)
	return nil
}
