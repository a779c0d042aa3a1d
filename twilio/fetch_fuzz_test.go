package twilio_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/smsbridge/sms/twilio"
)

// FuzzFetch: the message-resource decoders behind FetchStatus, FetchMessage and FindMessages
// take any answer without a panic, and every failure is this provider's *sms.Error.
func FuzzFetch(f *testing.F) {
	f.Add([]byte(`{"sid":"SM1fc5c260adf048999bce1a51c6a3565f","status":"delivered","to":"+14155550100","from":"+14155550199","error_code":null,"num_segments":"1","date_created":"Thu, 24 Aug 2023 05:01:45 +0000"}`), uint8(0))
	f.Add([]byte(`{"messages":[{"sid":"SM1","status":"failed","error_code":30003,"body":"x"}],"next_page_uri":"/2010-04-01/Accounts/AC/Messages.json?Page=1"}`), uint8(0))
	f.Add([]byte(`{"code":20404,"message":"The requested resource was not found","more_info":"https://example.com","status":404}`), uint8(4))
	f.Add([]byte(`{"messages":null}`), uint8(0))
	f.Add([]byte(`[]`), uint8(1))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, status uint8) {
		tr := emutest.FetchAnswer(body, status)
		p, err := twilio.New(twilio.Config{AccountSID: "ACf00dfeedf00dfeedf00dfeedf00dfeed", AuthToken: sms.NewSecret("fuzz-token")},
			&twilio.Options{BaseURL: "http://fuzz.invalid", HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, err error) { emutest.ProviderError(t, twilio.Name, what, err) }
		_, err = p.FetchStatus(ctx, "SM1fc5c260adf048999bce1a51c6a3565f")
		check("FetchStatus", err)
		_, err = p.FetchMessage(ctx, "SM1fc5c260adf048999bce1a51c6a3565f")
		check("FetchMessage", err)
		_, err = p.FindMessages(ctx, twilio.MessageFilter{To: "+14155550100", MaxPages: 3})
		check("FindMessages", err)
	})
}
