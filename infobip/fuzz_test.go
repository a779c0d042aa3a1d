package infobip

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseCallback: any body gives events or a 400-class error, never a panic; every event's
// Raw is exactly the bytes encoding/json finds for that item of results[].
func FuzzParseCallback(f *testing.F) {
	seeds(f, "dlr-v3.json", "dlr-v2.json", "inbound.json", "dlr-mixed-batch.json")
	f.Add([]byte(`{"Results":[1,"a",null,{}],"results":[{"status":{"groupId":5,"id":23}}]}`))
	f.Add([]byte(`{"res\u0075lts":[{"from":"1","text":"x"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := parseCallback(body)
		if err != nil {
			var e *sms.Error
			if !errorsAs(err, &e) || e.Code != sms.CodeInvalidArgument {
				t.Fatalf("error %v is not InvalidArgument", err)
			}
			return
		}
		var ref struct {
			Results []json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatalf("parsed a body encoding/json refuses: %v", err)
		}
		if len(ref.Results) != len(cb.Events) {
			t.Fatalf("%d events for %d items", len(cb.Events), len(ref.Results))
		}
		for i, ev := range cb.Events {
			if !bytes.Equal(ev.Raw, ref.Results[i]) {
				t.Fatalf("item %d: Raw %q, want %q", i, ev.Raw, ref.Results[i])
			}
			if ev.Type == sms.EventDeliveryReport && ev.RawStatus == "" {
				t.Fatalf("report without RawStatus")
			}
		}
	})
}

// FuzzSendResponse: any 200 body gives one result per recipient — accepted with a message
// id, or an error — or a whole-request OutcomeUnknown, never a panic.
func FuzzSendResponse(f *testing.F) {
	seeds(f, "send-v3-response.json", "send-v2-response.json")
	f.Add([]byte(`{"messages":[{"messageId":"x","status":{"groupId":5,"id":23}},{"status":{"groupId":5,"id":14},"to":"41790000002"}]}`))
	p := &Provider{}
	msg := &sms.Message{To: []string{"+41793026727", "+41790000002"}}
	ids := []string{"2250be2d4219-3af1-78856-aabe-1362af1edfd2", "x"}
	f.Fuzz(func(t *testing.T, body []byte) {
		res, _, err := p.results(msg, ids, &httpx.Response{StatusCode: 200, Body: body})
		if err != nil {
			var e *sms.Error
			if !errorsAs(err, &e) || e.Code != sms.CodeOutcomeUnknown {
				t.Fatalf("whole-request error %v is not OutcomeUnknown", err)
			}
			return
		}
		if len(res) != len(msg.To) {
			t.Fatalf("%d results", len(res))
		}
		for _, r := range res {
			if (r.Err == nil) == (r.MessageID == "") {
				t.Fatalf("result %+v: exactly one of MessageID and Err must be set", r)
			}
		}
	})
}

// FuzzMapError: any error body maps to an error naming the provider whose text comes only
// from the documented fields — never the raw body.
func FuzzMapError(f *testing.F) {
	seeds(f, "error-apierror-400.json", "error-apiexception-400.json")
	f.Add([]byte(`<html>App secret-key</html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 401, 429, 500} {
			e := mapError(&httpx.Response{StatusCode: status, Body: body, Header: http.Header{}})
			if e.Provider != Name || e.HTTPStatus != status {
				t.Fatalf("%+v", e)
			}
			if len(body) > 20 && !json.Valid(body) && strings.Contains(e.Error(), string(body)) {
				t.Fatalf("raw body in the error: %v", e)
			}
		}
	})
}

func errorsAs(err error, target **sms.Error) bool {
	e, ok := err.(*sms.Error)
	if ok {
		*target = e
	}
	return ok
}
