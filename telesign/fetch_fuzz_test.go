package telesign_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/smsbridge/sms/telesign"
)

// FuzzFetch: the status decoder behind FetchStatus takes any answer without a panic, and every failure is this provider's
// *sms.Error.
func FuzzFetch(f *testing.F) {
	f.Add([]byte(`{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset","updated_on":"2026-01-01T10:00:00.000000Z"}}`), uint8(0))
	f.Add([]byte(`{"reference_id":"R","status":{"code":"290"}}`), uint8(0))
	f.Add([]byte(`{"status":null}`), uint8(0))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, status uint8) {
		tr := emutest.FetchAnswer(body, status)
		p, err := telesign.New(telesign.Config{CustomerID: "FFFFFFFF-EEEE-DDDD-1234-AB1234567890", APIKey: sms.NewSecret("ZnV6eiBrZXk=")},
			&telesign.Options{BaseURL: "http://fuzz.invalid", HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, err error) { emutest.ProviderError(t, telesign.Name, what, err) }
		_, err = p.FetchStatus(ctx, "0123456789ABCDEF0123456789ABCDEF")
		check("FetchStatus", err)
	})
}
