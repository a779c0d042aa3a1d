package infobip_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/internal/emu/emutest"
)

// FuzzFetch: the logs decoder behind FetchStatus takes any answer without a panic, and every failure is this provider's
// *sms.Error.
func FuzzFetch(f *testing.F) {
	f.Add([]byte(`{"results":[{"messageId":"m1","to":"41793026727","sentAt":"2026-01-01T10:00:00.000+0000","doneAt":"2026-01-01T10:00:01.000+0000","status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET"},"error":{"groupId":0,"id":0,"name":"NO_ERROR"}}]}`), uint8(0))
	f.Add([]byte(`{"results":[]}`), uint8(0))
	f.Add([]byte(`{"results":[{"status":null},{"status":{"groupId":"x"}}]}`), uint8(0))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, status uint8) {
		tr := emutest.FetchAnswer(body, status)
		p, err := infobip.New(infobip.Config{APIKey: sms.NewSecret("fuzz-key"), BaseURL: "http://fuzz.invalid"},
			&infobip.Options{HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, err error) { emutest.ProviderError(t, infobip.Name, what, err) }
		_, err = p.FetchStatus(ctx, "m1")
		check("FetchStatus", err)
	})
}
