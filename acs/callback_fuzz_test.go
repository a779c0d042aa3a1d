package acs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
)

// FuzzParseCallback checks, for any body and handshake headers, that ParseCallback never
// panics, refuses every request without the token, answers non-JSON with InvalidArgument, and
// gives every event the provider name and an ID.
func FuzzParseCallback(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, true, false, "", "Notification")
		f.Add(body, false, false, "", "Notification")
		f.Add(body, true, false, "", "SubscriptionValidation")
	}
	f.Add([]byte(nil), true, true, "eventgrid.azure.net", "")
	f.Add([]byte(nil), true, true, " ", "")
	f.Add([]byte(nil), false, true, "eventgrid.azure.net", "")
	f.Add([]byte("\xef\xbb\xbf [1, null, {}, [], {\"data_base64\": \"e30=\", \"type\": \"Microsoft.Communication.SMSReceived\"}]"), true, false, "", "")
	f.Add([]byte(`{"specVersion":"1.0","TYPE":"Microsoft.Communication.SMSReceived","Data":{"Message":"STOP"}}`), true, false, "", "")
	f.Add([]byte("not json"), true, false, "", "")
	f.Add([]byte(`[{"d\u0061ta":{"message":"x"},"eventType":"Microsoft.Communication.SMSReceived"},{"DATA":"s"},"str\"]",[1,{"a":[]}],-1.5e3 , true]`), true, false, "", "")

	f.Fuzz(func(t *testing.T, body []byte, withToken, options bool, origin, aegEventType string) {
		uri := "/sms/acs"
		if withToken {
			uri = cbPath
		}
		method := http.MethodPost
		if options {
			method = http.MethodOptions
		}
		r := httptest.NewRequest(method, uri, bytes.NewReader(body))
		if isHeaderValue(origin) {
			r.Header.Set("WebHook-Request-Origin", origin)
		}
		if isHeaderValue(aegEventType) {
			r.Header.Set("aeg-event-type", aegEventType)
		}

		cb, err := cbTokenProvider().ParseCallback(context.Background(), r, body)
		if err != nil {
			var e *sms.Error
			if cb != nil || !errors.As(err, &e) || e.Provider != Name {
				t.Fatalf("ParseCallback = %v, %v; want nil and an *sms.Error", cb, err)
			}
		}
		switch {
		case !withToken:
			if err == nil || sms.ErrorCode(err) != sms.CodeUnauthenticated {
				t.Fatalf("without a token: %v, %v; want Unauthenticated", cb, err)
			}
			return
		case options:
			if strings.TrimSpace(r.Header.Get("WebHook-Request-Origin")) == "" {
				if sms.ErrorCode(err) != sms.CodeInvalidArgument {
					t.Fatalf("OPTIONS without origin: %v", err)
				}
				return
			}
			if err != nil || cb.Reply == nil || !cb.Reply.Handshake || len(cb.Events) != 0 ||
				cb.Reply.Header["WebHook-Allowed-Origin"] != strings.TrimSpace(r.Header.Get("WebHook-Request-Origin")) {
				t.Fatalf("OPTIONS: %+v, %v", cb, err)
			}
			return
		}
		if !json.Valid(trimJSONStart(body)) {
			if sms.ErrorCode(err) != sms.CodeInvalidArgument {
				t.Fatalf("non-JSON body %q: %v, %v; want InvalidArgument", body, cb, err)
			}
			return
		}
		if err != nil {
			if sms.ErrorCode(err) != sms.CodeInvalidArgument {
				t.Fatalf("%v, want InvalidArgument", err)
			}
			return
		}
		if cb.Reply != nil {
			if !cb.Reply.Handshake || cb.Reply.StatusCode != http.StatusOK || len(cb.Events) != 0 {
				t.Fatalf("reply %+v with events %v", cb.Reply, cb.Events)
			}
			var v struct{ ValidationResponse string }
			if json.Unmarshal(cb.Reply.Body, &v) != nil || v.ValidationResponse == "" {
				t.Fatalf("validation reply %q", cb.Reply.Body)
			}
			return
		}
		// Raw of each event is exactly its item, as encoding/json delimits it.
		var items []json.RawMessage
		if b := bytes.TrimSpace(trimJSONStart(body)); b[0] == '[' {
			if err := json.Unmarshal(b, &items); err != nil {
				t.Fatalf("accepted an array encoding/json refuses: %v", err)
			}
		} else {
			items = []json.RawMessage{b}
		}
		if len(items) != len(cb.Events) {
			t.Fatalf("%d events for %d items", len(cb.Events), len(items))
		}
		for i, ev := range cb.Events {
			if !bytes.Equal(ev.Raw, items[i]) {
				t.Fatalf("event %d: Raw %q, item %q", i, ev.Raw, items[i])
			}
		}
		for _, ev := range cb.Events {
			if ev.Provider != Name || ev.ID == "" || !json.Valid(ev.Raw) {
				t.Fatalf("event provider %q, id %q, raw %q", ev.Provider, ev.ID, ev.Raw)
			}
			if ev.Type == sms.EventUnknown && (ev.MessageID != "" || ev.Status != sms.StatusUnknown) {
				t.Fatalf("unknown event with fields: %+v", ev)
			}
		}
	})
}

// isHeaderValue reports whether s can be sent as a header value (net/http refuses the others
// before a handler sees them).
func isHeaderValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
