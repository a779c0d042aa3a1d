package acs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
)

// fetchFuzzStatuses are the answers a fetch reads without retrying (a retried 429 or 5xx
// would wait out real backoffs).
var fetchFuzzStatuses = []int{200, 400, 401, 403, 404}

// fetchFuzzTransport answers every request with one status and body, without a network.
type fetchFuzzTransport struct {
	status int
	body   []byte
}

func (t fetchFuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: t.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: int64(len(t.body)), Request: r}, nil
}

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
		tr := fetchFuzzTransport{status: fetchFuzzStatuses[int(status)%len(fetchFuzzStatuses)], body: body}
		p, err := acs.New(acs.Config{Endpoint: "https://fuzz.communication.azure.com", AccessKey: sms.NewSecret("ZnV6eiBhY2Nlc3Mga2V5")},
			&acs.Options{HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, err error) {
			var e *sms.Error
			if err != nil && (!errors.As(err, &e) || e.Provider != acs.Name) {
				t.Fatalf("%s: %v is not a acs *sms.Error", what, err)
			}
		}
		_, err = p.FetchStatus(ctx, "Outgoing_1")
		check("FetchStatus", err)
		_, err = p.FetchDeliveryReport(ctx, "Outgoing_1")
		check("FetchDeliveryReport", err)
	})
}
