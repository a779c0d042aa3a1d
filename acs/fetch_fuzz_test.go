package acs_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/internal/emu/emutest"
)

// FuzzFetch: the delivery-report decoder behind FetchStatus and FetchDeliveryReport takes any answer without a panic, and every failure is this provider's
// *sms.Error.
func FuzzFetch(f *testing.F) {
	f.Add([]byte(`{"messageId":"Outgoing_1","from":"+18005550100","to":"+14155550100","deliveryStatus":"Delivered","deliveryStatusDetails":"No error.","tag":"t","receivedTimestamp":"2026-01-23T10:00:00Z","deliveryAttempts":[{"timestamp":"2026-01-23T10:00:00Z","segmentsSucceeded":1,"segmentsFailed":0}]}`), uint8(0))
	f.Add([]byte(`{"error":{"code":"NotFound","message":"Not found"}}`), uint8(4))
	f.Add([]byte(`{"deliveryStatus":7,"deliveryAttempts":{}}`), uint8(0))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, status uint8) {
		tr := emutest.FetchAnswer(body, status)
		p, err := acs.New(acs.Config{Endpoint: "https://fuzz.communication.azure.com", AccessKey: sms.NewSecret("ZnV6eiBhY2Nlc3Mga2V5")},
			&acs.Options{HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, err error) { emutest.ProviderError(t, acs.Name, what, err) }
		_, err = p.FetchStatus(ctx, "Outgoing_1")
		check("FetchStatus", err)
		_, err = p.FetchDeliveryReport(ctx, "Outgoing_1")
		check("FetchDeliveryReport", err)
	})
}
