package twilio

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// FuzzSendResponse feeds arbitrary bodies to the error mapper and the message-resource
// decoder: never a panic, always an *sms.Error naming Twilio, and 4xx always "not accepted".
func FuzzSendResponse(f *testing.F) {
	for _, s := range []string{
		`{"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`,
		`{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}`,
		`{"code": 20429, "message": "Too Many Requests", "status": 429}`,
		`{"code": "x"}`, `[]`, `null`, ``, `<html>502</html>`,
		`{"sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "status": "queued", "num_segments": "1", "error_code": null, "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "from": null}`,
	} {
		f.Add([]byte(s), 400)
		f.Add([]byte(s), 408)
		f.Add([]byte(s), 201)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		var m messageResource
		if json.Unmarshal(body, &m) == nil {
			_ = m.public()
			_ = StatusOf(m.Status)
		}
		if status < 300 {
			return
		}
		err := mapError(&httpx.Response{StatusCode: status, Header: http.Header{}, Body: body})
		var e *sms.Error
		if !errors.As(err, &e) || e.Provider != Name {
			t.Fatalf("mapError gave %v", err)
		}
		if status >= 400 && status < 500 && status != 408 && status != 409 && !e.NotAccepted {
			t.Fatalf("a Twilio 4xx rejection creates no message: %+v", e)
		}
		if e.Code == sms.CodeOutcomeUnknown && e.NotAccepted {
			t.Fatalf("OutcomeUnknown cannot prove the message was not accepted: %+v", e)
		}
	})
}
