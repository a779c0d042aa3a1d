package linkmobility

import (
	"bytes"
	"encoding/json"
	"errors"
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

// FuzzParseCallback: any body gives one event or an InvalidArgument error, never a panic; a
// body encoding/json refuses is refused; Raw is the body; a report has a RawStatus and an id;
// a part is within LINK's 254.
func FuzzParseCallback(f *testing.F) {
	seeds(f, "dlr_delivered.json", "dlr_number_error.json", "mo_keyword.json")
	f.Add([]byte(`{"id":"a$1","resultCode":1001,"segments":3}`))
	f.Add([]byte(`{"id":"a$999","resultCode":-1,"segments":-3,"content":null}`))
	f.Add([]byte(`{"destination":"NO-","content":{"userData":1}}`))
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
		ev := cb.Events[0]
		if ev.Type == sms.EventDeliveryReport && (ev.RawStatus == "" || ev.ID == "" && ev.MessageID != "") {
			t.Fatalf("report without RawStatus, or with an id but no ID")
		}
		if ev.Part < 0 || ev.Part > MaxSegments || (ev.Parts != 0 && ev.Parts < ev.Part) {
			t.Fatalf("part %d of %d", ev.Part, ev.Parts)
		}
	})
}

// FuzzSplitPartID: the message id and part always rebuild the id.
func FuzzSplitPartID(f *testing.F) {
	for _, s := range []string{"abc$0", "abc", "a$b$1", "$1", "abc$+1", "abc$01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		m, n := SplitPartID(id)
		if n == 0 && m != id {
			t.Fatalf("whole id changed: %q → %q", id, m)
		}
		if n > 0 && (!strings.HasPrefix(id, m+"$") || n > MaxSegments) {
			t.Fatalf("%q → %q, %d", id, m, n)
		}
	})
}

// FuzzSendResponse: any answer to a send, any HTTP status, single or batch, gives one result
// per recipient or an *sms.Error whose text never holds the body's unparsed bytes.
func FuzzSendResponse(f *testing.F) {
	seeds(f, "send_response.json", "sendbatch_response.json")
	f.Add([]byte(`{"status":106100,"description":"Invalid authentication","translatedDescription":"x"}`))
	f.Add([]byte(`SECRET-TOKEN`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[null,{"messageId":"a"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := &sms.Message{To: []string{"+4746910822", "+4741560067"}}
		for _, status := range []int{200, 400, 401, 500} {
			resp := &httpx.Response{StatusCode: status, Header: http.Header{}, Body: body}
			if status != 200 {
				e := mapError(resp)
				if e == nil || e.Code == sms.CodeUnknown {
					t.Fatalf("no code for %d", status)
				}
				if strings.Contains(e.Error(), "SECRET-TOKEN") && !bytes.Contains(body, []byte(`"SECRET-TOKEN`)) {
					t.Fatalf("raw body in error: %v", e)
				}
				continue
			}
			for _, batch := range []bool{false, true} {
				m := msg
				if !batch {
					m = &sms.Message{To: msg.To[:1]}
				}
				res, err := results(m, batch, resp)
				if err == nil && len(res) != len(m.To) {
					t.Fatalf("%d results for %d recipients", len(res), len(m.To))
				}
				for _, r := range res {
					if (r.MessageID == "") == (r.Err == nil) {
						t.Fatalf("result with neither or both id and error: %+v", r)
					}
					// NotAccepted (sent again by sms.Client) only on a failure resultCode LINK
					// answered for this recipient.
					if sms.IsNotAccepted(r.Err) && !bytes.Contains(body, []byte("resultCode")) {
						t.Fatalf("NotAccepted without a resultCode in the answer: %v", r.Err)
					}
				}
			}
		}
	})
}
