package telesign

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/internal/tsasign"
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

// FuzzParseCallback: any body gives one event or a 400-class error, never a panic; a body
// encoding/json refuses is refused; Raw is the body; a report has a RawStatus, and an id
// exactly when it has a reference_id (the webhook derives the others' from Raw).
func FuzzParseCallback(f *testing.F) {
	seeds(f, "dlr-delivered.json", "dlr-bulk-failure.json", "dlr-rfc1123.json",
		"inbound-start.json", "inbound-arret.json", "inbound-generic.json")
	f.Add([]byte(`{"status":"x","user_response":[],"errors":[1]}`))
	f.Add([]byte(`{"status":{"code":"2e9"},"additional_info":{"message_parts_count":"-1"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := parseCallback(body)
		if err != nil {
			var e *sms.Error
			if !errors.As(err, &e) || e.Code != sms.CodeInvalidArgument {
				t.Fatalf("error %v is not InvalidArgument", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("parsed invalid JSON")
		}
		if len(cb.Events) != 1 || !bytes.Equal(cb.Events[0].Raw, body) {
			t.Fatalf("want one event with the body as Raw")
		}
		if ev := cb.Events[0]; ev.Type == sms.EventDeliveryReport && (ev.RawStatus == "" || (ev.MessageID != "") != (ev.ID != "")) {
			t.Fatalf("report without RawStatus, or with an ID not following its reference_id")
		}
	})
}

// FuzzSendResponse: any answer to a send, any HTTP status, gives results or an *sms.Error
// whose text never holds the body's unparsed bytes.
func FuzzSendResponse(f *testing.F) {
	for _, n := range []string{"send-response.json", "send-response-parts.json", "error-missing-parameter.json",
		"error-rate-limit.json", "error-invalid-signature.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(200, b)
		f.Add(400, b)
	}
	f.Add(500, []byte(`<html>SECRETSECRET</html>`))
	f.Add(200, []byte(`{"reference_id":"A","status":{"code":"10031"}}`))
	p := &Provider{}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		resp := &httpx.Response{StatusCode: status, Body: body}
		var err error
		if status >= 200 && status < 300 {
			var res []sms.SendResult
			res, err = p.result("+14155550100", "ATTEMPT", resp)
			if err == nil {
				if len(res) != 1 || (res[0].Err == nil && res[0].MessageID == "") {
					t.Fatalf("accepted without a message id: %+v", res)
				}
				return
			}
		} else {
			err = mapError(resp)
		}
		var e *sms.Error
		if !errors.As(err, &e) {
			t.Fatalf("not an *sms.Error: %v", err)
		}
		if strings.Contains(err.Error(), "SECRETSECRET") {
			t.Fatalf("unparsed body in error: %v", err)
		}
	})
}

// FuzzCallbackAuth: any pair of header values is refused unless it carries the body's
// signature; never a panic.
func FuzzCallbackAuth(f *testing.F) {
	key, _ := tsasign.DecodeKey("QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=")
	body := []byte(`{"reference_id":"A","status":{"code":200}}`)
	good := tsasign.SignBody(key, body)
	f.Add("TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:"+good, good)
	f.Add("TSA x:"+good, "")
	f.Add("tsa\tFFFFFFFF-EEEE-DDDD-1234-AB1234567890 : "+good, "TSA ::")
	other, _ := tsasign.DecodeKey("b3RoZXIga2V5IGZvciByb3RhdGlvbg==")
	cb := [][]byte{other, key}
	p := &Provider{customerID: "FFFFFFFF-EEEE-DDDD-1234-AB1234567890", keys: &keys{cb: cb, cbv: tsasign.NewBodyVerifier(cb)}}
	plain := &Provider{customerID: p.customerID, keys: &keys{cb: cb}} // tsasign.VerifyBody
	f.Fuzz(func(t *testing.T, auth, xauth string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header["Authorization"] = []string{auth}
		r.Header["X-Ts-Authorization"] = []string{xauth}
		err := p.authenticate(r, body)
		if perr := plain.authenticate(r, body); (err == nil) != (perr == nil) {
			t.Fatalf("pooled verifier %v, VerifyBody %v", err, perr)
		}
		if err == nil && !strings.Contains(auth, good) && !strings.Contains(xauth, good) {
			t.Fatalf("accepted %q / %q", auth, xauth)
		}
		if err != nil {
			var e *sms.Error
			if !errors.As(err, &e) || e.Code != sms.CodeUnauthenticated {
				t.Fatalf("error %v is not Unauthenticated", err)
			}
		}
		_, _, _ = tsasign.ParseAuthorization(auth)
	})
}
