package acs

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// FuzzSendResponse feeds arbitrary 202 bodies and error bodies to the response mappers: they
// never panic, always give one result per recipient, never claim success without a message
// id, and map every error body to an *sms.Error naming the provider.
func FuzzSendResponse(f *testing.F) {
	seeds := []string{
		`{"value":[{"to":"+11234567890","messageId":"Outgoing_1","httpStatusCode":202,"successful":true},{"to":"+112345678901","httpStatusCode":400,"errorMessage":"Invalid To phone number format.","successful":false}]}`,
		`{"value":[{"to":"+11234567892","messageId":"Outgoing_2","httpStatusCode":503,"errorMessage":"ServiceUnavailable","successful":false},{"to":"+11234567893","messageId":"Outgoing_3_noam","httpStatusCode":202,"repeatabilityResult":"accepted","successful":true}]}`,
		`{"value":[{"to":"+11234567894","httpStatusCode":400,"repeatabilityResult":"rejected","errorMessage":"Request sent with Invalid DateTime value for repeatability-first-sent. Expected is DateTime ,RFC1123 pattern.","successful":false}]}`,
		`{"error":{"code":"Denied","message":"Denied by the resource provider."}}`,
		`{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"SmsRecipients":["max 100"]},"traceId":"00-abc"}`,
		`{"value":null}`, `[]`, `not json`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s), 202)
		f.Add([]byte(s), 400)
	}
	p := &Provider{}
	msg := &sms.Message{To: []string{"+11234567890", "+112345678901"}}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		resp := &httpx.Response{StatusCode: status, Header: http.Header{}, Body: body}
		if status >= 200 && status <= 299 {
			res, accepted := p.results(msg, resp)
			if len(res) != len(msg.To) {
				t.Fatalf("%d results for %d recipients", len(res), len(msg.To))
			}
			ok := 0
			for i, r := range res {
				if r.To != msg.To[i] {
					t.Fatalf("result %d is for %q", i, r.To)
				}
				if r.Err == nil {
					ok++
					if r.MessageID == "" {
						t.Fatal("success without a message id")
					}
				}
			}
			if ok != accepted {
				t.Fatalf("accepted %d, successes %d", accepted, ok)
			}
			return
		}
		err := mapError(resp)
		var e *sms.Error
		if !errors.As(err, &e) || e.Provider != Name {
			t.Fatalf("mapError gave %v", err)
		}
	})
}

// FuzzSendBody checks that the hand-written request encoder writes what encoding/json
// writes with SetEscapeHTML(false) — the bytes the official client sends — for any strings
// (control characters, invalid UTF-8, U+2028) and options.
func FuzzSendBody(f *testing.F) {
	f.Add("+18005550100", "+14155550100", "Hello from acceptance ✓ 1+1=2 & 50% off? 🚀", "tag", 300, 0, true, 2)
	f.Add("Contoso", "+14155550100", "a\"b\\c\x00\x1f\x7f\b\f\n\r\t<>&\u2028\u2029\xff\xfe", "", 0, 3600, false, 1)
	f.Add("", "", "", "t\xc3", 0, 0, false, 0)
	f.Fuzz(func(t *testing.T, from, to, body, tag string, validity, timeout int, reports bool, n int) {
		r := sendRequest{From: from, Message: body, Options: sendOptions{EnableDeliveryReport: reports, Tag: tag, ValidityPeriodSeconds: validity, DeliveryReportTimeout: timeout}}
		if n > 0 {
			r.Recipients = make([]recipient, n%5)
			for i := range r.Recipients {
				r.Recipients[i] = recipient{To: to + strings.Repeat("\x01", i), ID: body, FirstSent: tag}
			}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&r); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := r.appendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("appendJSON\n got %q\nwant %q", got, want)
		}
	})
}
