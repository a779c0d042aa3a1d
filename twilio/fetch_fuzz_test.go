package twilio_test

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
	"github.com/smsbridge/sms/twilio"
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
		tr := fetchFuzzTransport{status: fetchFuzzStatuses[int(status)%len(fetchFuzzStatuses)], body: body}
		p, err := twilio.New(twilio.Config{AccountSID: "ACf00dfeedf00dfeedf00dfeedf00dfeed", AuthToken: sms.NewSecret("fuzz-token")},
			&twilio.Options{BaseURL: "http://fuzz.invalid", HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, err error) {
			var e *sms.Error
			if err != nil && (!errors.As(err, &e) || e.Provider != twilio.Name) {
				t.Fatalf("%s: %v is not a twilio *sms.Error", what, err)
			}
		}
		_, err = p.FetchStatus(ctx, "SM1fc5c260adf048999bce1a51c6a3565f")
		check("FetchStatus", err)
		_, err = p.FetchMessage(ctx, "SM1fc5c260adf048999bce1a51c6a3565f")
		check("FetchMessage", err)
		_, err = p.FindMessages(ctx, twilio.MessageFilter{To: "+14155550100", MaxPages: 3})
		check("FindMessages", err)
	})
}
