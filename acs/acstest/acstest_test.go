package acstest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/emulator"
)

func TestDefaults(t *testing.T) {
	k, err := base64.StdEncoding.DecodeString(acstest.DefaultAccessKey)
	if err != nil || string(k) != "acstest emulator primary key 32B" {
		t.Fatalf("DefaultAccessKey decodes to %q %v", k, err)
	}
	srv := newServer(t, nil)
	if srv.AccessKey() != acstest.DefaultAccessKey {
		t.Errorf("AccessKey %q", srv.AccessKey())
	}
	ep, key, err := acs.ParseConnectionString(srv.ConnectionString())
	if err != nil || ep != srv.URL || key.Reveal() != acstest.DefaultAccessKey {
		t.Fatalf("ConnectionString %q parses to %q %v", srv.ConnectionString(), ep, err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q is not loopback", srv.URL)
	}
	if srv.ValidationState() != acstest.ValidationNone {
		t.Errorf("state %q without a URL", srv.ValidationState())
	}
}

func TestNewPanicsOnBadOptions(t *testing.T) {
	for name, o := range map[string]acstest.Options{
		"key":    {AccessKey: "not base64!"},
		"schema": {Schema: "xml"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			acstest.New(&o)
		})
	}
}

// wireSend is a send captured from an official ACS client (testdata/wire).
type wireSend struct {
	Client     string            `json:"client"`
	AccessKey  string            `json:"accessKey"`
	Method     string            `json:"method"`
	RequestURI string            `json:"requestURI"`
	Host       string            `json:"host"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func loadWire(t *testing.T, file string) wireSend {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var w wireSend
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// replay sends the capture to srv as the client sent it: same request target, headers,
// Host and body.
func (w wireSend) replay(t *testing.T, srv *acstest.Server, body string) apiResponse {
	t.Helper()
	req, err := http.NewRequest(w.Method, srv.URL+w.RequestURI, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range w.Headers {
		if k != "Content-Length" && k != "Connection" {
			req.Header.Set(k, v)
		}
	}
	req.Host = w.Host // the capture server's authority, which the signature covers
	return roundTrip(t, req)
}

func (w wireSend) date(t *testing.T) time.Time {
	d, err := http.ParseTime(w.Headers["X-Ms-Date"])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWireCaptures(t *testing.T) {
	files, err := filepath.Glob("testdata/wire/send-*.json")
	if err != nil || len(files) != 2 {
		t.Fatalf("want the two captures in testdata/wire, got %v %v", files, err)
	}
	for _, file := range files {
		w := loadWire(t, file)
		at := w.date(t)
		clock := func(d time.Duration) *emulator.ManualClock { return emulator.NewManualClock(at.Add(d)) }
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Run("accepted", func(t *testing.T) {
				srv := newServer(t, &acstest.Options{AccessKey: w.AccessKey, Clock: clock(0)})
				its := items(t, w.replay(t, srv, w.Body))
				var req struct {
					From          string
					SmsRecipients []struct{ To, RepeatabilityRequestID string }
					Message       string
				}
				if err := json.Unmarshal([]byte(w.Body), &req); err != nil {
					t.Fatal(err)
				}
				if len(its) != 1 || !its[0].Successful || its[0].HTTPStatusCode != 202 || its[0].To != req.SmsRecipients[0].To ||
					!outgoingID.MatchString(its[0].MessageID) || its[0].RepeatabilityResult != "accepted" || its[0].ErrorMessage != "" {
					t.Fatalf("%s: items %+v", w.Client, its)
				}
				if !strings.HasPrefix(its[0].MessageID, "Outgoing_"+at.UTC().Format("20060102150405")) {
					t.Errorf("message id %s does not start with the clock's time", its[0].MessageID)
				}
				msgs := srv.Messages()
				if len(msgs) != 1 || msgs[0].MessageID != its[0].MessageID || msgs[0].Message != req.Message ||
					msgs[0].From != req.From || msgs[0].Tag != "acceptance-tag" || !msgs[0].EnableDeliveryReport ||
					msgs[0].Request != w.Body || msgs[0].APIVersion != query(w.RequestURI).Get("api-version") ||
					msgs[0].RepeatabilityRequestID != req.SmsRecipients[0].RepeatabilityRequestID {
					t.Fatalf("messages %+v", msgs)
				}
				recs := srv.RecordedRequests()
				if len(recs) != 1 || string(recs[0].Body) != w.Body || recs[0].Host != w.Host ||
					recs[0].Header.Get("Authorization") != w.Headers["Authorization"] {
					t.Fatalf("recorded %+v", recs)
				}
				// The official client's retry repeats the ids: no second message.
				again := items(t, w.replay(t, srv, w.Body))
				if again[0].MessageID != its[0].MessageID || again[0].RepeatabilityResult != "accepted" || srv.Accepted() != 1 {
					t.Fatalf("replay: %+v, %d messages", again, srv.Accepted())
				}
			})
			t.Run("14 minutes late", func(t *testing.T) {
				srv := newServer(t, &acstest.Options{AccessKey: w.AccessKey, Clock: clock(14 * time.Minute)})
				items(t, w.replay(t, srv, w.Body))
			})
			deny := []struct {
				name   string
				opts   acstest.Options
				body   string
				reason string
			}{
				{"wrong key", acstest.Options{AccessKey: otherKey, Clock: clock(0)}, w.Body, "signature mismatch"},
				{"key as secondary of another", acstest.Options{AccessKey: otherKey, SecondaryAccessKey: otherKey, Clock: clock(0)}, w.Body, "signature mismatch"},
				{"tampered body", acstest.Options{AccessKey: w.AccessKey, Clock: clock(0)}, strings.Replace(w.Body, "Hello", "Jello", 1), "x-ms-content-sha256"},
				{"stale date", acstest.Options{AccessKey: w.AccessKey, Clock: clock(16 * time.Minute)}, w.Body, "x-ms-date"},
				{"date from the future", acstest.Options{AccessKey: w.AccessKey, Clock: clock(-16 * time.Minute)}, w.Body, "x-ms-date"},
			}
			for _, c := range deny {
				t.Run(c.name, func(t *testing.T) {
					srv := newServer(t, &c.opts)
					res := w.replay(t, srv, c.body)
					wantDenied(t, res, c.reason)
					if srv.Accepted() != 0 {
						t.Error("a denied request created a message")
					}
				})
			}
			t.Run("secondary key", func(t *testing.T) {
				srv := newServer(t, &acstest.Options{AccessKey: otherKey, SecondaryAccessKey: w.AccessKey, Clock: clock(0)})
				items(t, w.replay(t, srv, w.Body))
			})
		})
	}
}

func wantDenied(t *testing.T, res apiResponse, reason string) {
	t.Helper()
	if res.Status != http.StatusUnauthorized {
		t.Fatalf("HTTP %d %s, want 401", res.Status, res.Body)
	}
	e, _ := res.JSON["error"].(map[string]any)
	if e["code"] != "Denied" || e["message"] != "Denied by the resource provider." {
		t.Errorf("401 body %s", res.Body)
	}
	if got := res.Header.Get(acstest.DeniedHeader); !strings.Contains(got, reason) {
		t.Errorf("denied because %q, want %q", got, reason)
	}
}

func TestAuth(t *testing.T) {
	srv := newServer(t, &acstest.Options{SecondaryAccessKey: otherKey, BearerTokens: []string{"entra-token"}})
	body := []byte(`{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`)
	target := srv.URL + "/sms?api-version=2021-03-07"
	now := time.Now()

	items(t, roundTrip(t, signed(t, "POST", target, body, acstest.DefaultAccessKey, now)))
	items(t, roundTrip(t, signed(t, "POST", target, body, otherKey, now)))

	cases := []struct {
		name   string
		edit   func(r *http.Request)
		reason string
	}{
		{"no Authorization", func(r *http.Request) { r.Header.Del("Authorization") }, "no Authorization"},
		{"Basic", func(r *http.Request) { r.SetBasicAuth("a", "b") }, "neither"},
		{"other SignedHeaders", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-ms-date;host;", "host;x-ms-date;", 1))
		}, "SignedHeaders"},
		{"no signature", func(r *http.Request) {
			r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=")
		}, "no Signature"},
		{"no hash", func(r *http.Request) { r.Header.Del("x-ms-content-sha256") }, "no x-ms-content-sha256"},
		{"no date", func(r *http.Request) { r.Header.Del("x-ms-date") }, "no x-ms-date"},
		{"bad date", func(r *http.Request) { r.Header.Set("x-ms-date", "yesterday") }, "RFC 1123"},
		{"other host", func(r *http.Request) { r.Host = "contoso.communication.azure.com" }, "signature mismatch"},
		{"other query", func(r *http.Request) { r.URL.RawQuery = "api-version=2024-02-05" }, "signature mismatch"},
		{"unknown bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, "bearer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := signed(t, "POST", target, body, acstest.DefaultAccessKey, now)
			c.edit(req)
			wantDenied(t, roundTrip(t, req), c.reason)
		})
	}
	t.Run("bearer", func(t *testing.T) {
		req, _ := http.NewRequest("POST", target, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer entra-token")
		req.Header.Set("Content-Type", "application/json")
		items(t, roundTrip(t, req))
	})
	t.Run("bearer without tokens configured", func(t *testing.T) {
		plain := newServer(t, nil)
		req, _ := http.NewRequest("POST", plain.URL+"/sms?api-version=2021-03-07", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer ")
		wantDenied(t, roundTrip(t, req), "bearer")
	})
	if n := srv.Requests(); n != 2+len(cases)+1 {
		t.Errorf("Requests() = %d", n)
	}
	if srv.Accepted() != 3 {
		t.Errorf("Accepted() = %d, want 3", srv.Accepted())
	}
}

func TestAPIVersion(t *testing.T) {
	srv := newServer(t, nil)
	body := []byte(`{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`)
	for _, v := range []string{"2021-03-07", "2024-01-14-preview", "2024-02-05", "2025-09-17", "2026-01-23", "2025-05-29-preview"} {
		if !slices.Contains(acstest.APIVersions(), v) {
			t.Errorf("%s missing from APIVersions", v)
		}
	}
	for _, v := range acstest.APIVersions() {
		items(t, roundTrip(t, signed(t, "POST", srv.URL+"/sms?api-version="+v, body, srv.AccessKey(), time.Now())))
	}
	for target, code := range map[string]string{
		"/sms":                        "MissingApiVersionParameter",
		"/sms?api-version=":           "MissingApiVersionParameter",
		"/sms?api-version=2020-01-01": "UnsupportedApiVersion",
		"/sms?API-VERSION=2021-03-07": "MissingApiVersionParameter",
	} {
		res := roundTrip(t, signed(t, "POST", srv.URL+target, body, srv.AccessKey(), time.Now()))
		e, _ := res.JSON["error"].(map[string]any)
		if res.Status != 400 || e["code"] != code || e["message"] == "" {
			t.Errorf("%s: %d %s, want 400 %s", target, res.Status, res.Body, code)
		}
	}
	if srv.Accepted() != len(acstest.APIVersions()) {
		t.Errorf("%d messages", srv.Accepted())
	}
	res := roundTrip(t, signed(t, "POST", srv.URL+"/nope?api-version=2021-03-07", body, srv.AccessKey(), time.Now()))
	if res.Status != 404 {
		t.Errorf("unknown path: %d", res.Status)
	}
}

func TestSendValidation(t *testing.T) {
	srv := newServer(t, nil)
	recips := func(n int) string {
		var rs []string
		for i := range n {
			rs = append(rs, fmt.Sprintf(`{"to":"+1415555%04d"}`, i))
		}
		return "[" + strings.Join(rs, ",") + "]"
	}
	msg := func(m string) string { b, _ := json.Marshal(m); return string(b) }
	ok := []struct{ name, body string }{
		{"100 recipients", `{"from":"+14155550199","smsRecipients":` + recips(100) + `,"message":"hi"}`},
		{"short code", `{"from":"12345","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`},
		{"six-digit short code", `{"from":"123456","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`},
		{"alphanumeric", `{"from":"Contoso Ltd","smsRecipients":[{"to":"+447911123456"}],"message":"hi"}`},
		{"2048 characters", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":` + msg(strings.Repeat("a", 2048)) + `}`},
		{"1024 emoji are 2048 UTF-16 units", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":` + msg(strings.Repeat("🚀", 1024)) + `}`},
		{"empty message", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":""}`},
		{"options", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi","smsSendOptions":{"enableDeliveryReport":false,"validityPeriodSeconds":300}}`},
		{"unknown fields ignored", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi","future":1}`},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			for _, it := range items(t, send(t, srv, c.body)) {
				if !it.Successful {
					t.Errorf("item %+v", it)
				}
			}
		})
	}
	bad := []struct{ name, body, field string }{
		{"no recipients", `{"from":"+14155550199","smsRecipients":[],"message":"hi"}`, "SmsRecipients"},
		{"recipients missing", `{"from":"+14155550199","message":"hi"}`, "SmsRecipients"},
		{"101 recipients", `{"from":"+14155550199","smsRecipients":` + recips(101) + `,"message":"hi"}`, "SmsRecipients"},
		{"recipient without to", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"},{}],"message":"hi"}`, "SmsRecipients[1].To"},
		{"2049 characters", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":` + msg(strings.Repeat("a", 2049)) + `}`, "Message"},
		{"1025 emoji", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":` + msg(strings.Repeat("🚀", 1025)) + `}`, "Message"},
		{"no message", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}]}`, "Message"},
		{"no from", `{"smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`, "From"},
		{"from without plus", `{"from":"14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`, "From"},
		{"four-digit short code", `{"from":"1234","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`, "From"},
		{"long alphanumeric", `{"from":"ContosoLimited","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`, "From"},
		{"alphanumeric with a dot", `{"from":"Contoso.co","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`, "From"},
		{"no enableDeliveryReport", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi","smsSendOptions":{"tag":"x"}}`, "SmsSendOptions.EnableDeliveryReport"},
		{"validity period", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi","smsSendOptions":{"enableDeliveryReport":true,"validityPeriodSeconds":18001}}`, "SmsSendOptions.ValidityPeriodSeconds"},
		{"report timeout", `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi","smsSendOptions":{"enableDeliveryReport":true,"deliveryReportTimeoutInSeconds":59}}`, "SmsSendOptions.DeliveryReportTimeoutInSeconds"},
		{"not JSON", `{"from":`, "$"},
		{"two values", `{} {}`, "$"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			res := send(t, srv, c.body)
			if res.Status != 400 || res.JSON["status"] != float64(400) || res.JSON["title"] != "One or more validation errors occurred." ||
				res.JSON["type"] == nil || !strings.HasPrefix(fmt.Sprint(res.JSON["traceId"]), "00-") {
				t.Fatalf("%d %s, want a 400 validation problem", res.Status, res.Body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type %q", ct)
			}
			errs, _ := res.JSON["errors"].(map[string]any)
			if msgs, _ := errs[c.field].([]any); len(msgs) == 0 {
				t.Errorf("errors %v, want an entry for %s", errs, c.field)
			}
		})
	}
	if srv.Accepted() != 100+5+3 {
		t.Errorf("Accepted() = %d", srv.Accepted())
	}
}

// TestSpecExample sends the spec's example request and gets the spec's example answer, the
// 503 coming from SetRecipientFailure.
func TestSpecExample(t *testing.T) {
	srv := newServer(t, nil)
	srv.SetRecipientFailure("+11234567892", http.StatusServiceUnavailable, 1)
	body := `{"from": "+18001110000",
 "smsRecipients": [
   {"to": "+11234567890"},
   {"to": "+11234567891"},
   {"to": "+112345678901"},
   {"to": "+11234567892"},
   {"to": "+11234567893", "repeatabilityRequestId": "fda6d242-46aa-4247-8bf6-619a1206f9c3", "repeatabilityFirstSent": "Mon, 01 Apr 2019 06:22:03 GMT"},
   {"to": "+11234567894", "repeatabilityRequestId": "fda6d242-46aa-4247-8bf6-619a1206f9c3"}],
 "message": "Hello world!",
 "smsSendOptions": {"enableDeliveryReport": true, "tag": "testSmsRequest", "validityPeriodSeconds": 300}}`
	its := items(t, send(t, srv, body))
	want := []item{
		{To: "+11234567890", HTTPStatusCode: 202, Successful: true},
		{To: "+11234567891", HTTPStatusCode: 202, Successful: true},
		{To: "+112345678901", HTTPStatusCode: 400, ErrorMessage: "Invalid To phone number format."},
		{To: "+11234567892", HTTPStatusCode: 503, ErrorMessage: "ServiceUnavailable"},
		{To: "+11234567893", HTTPStatusCode: 202, RepeatabilityResult: "accepted", Successful: true},
		{To: "+11234567894", HTTPStatusCode: 400, RepeatabilityResult: "rejected",
			ErrorMessage: "Request sent with Invalid DateTime value for repeatability-first-sent. Expected is DateTime ,RFC1123 pattern."},
	}
	if len(its) != len(want) {
		t.Fatalf("%d items", len(its))
	}
	ids := map[string]bool{}
	for i, it := range its {
		w := want[i]
		if w.Successful != (it.MessageID != "") || (it.MessageID != "" && (!outgoingID.MatchString(it.MessageID) || ids[it.MessageID])) {
			t.Errorf("item %d: messageId %q", i, it.MessageID)
		}
		ids[it.MessageID] = true
		w.MessageID = it.MessageID
		if it != w {
			t.Errorf("item %d: %+v, want %+v", i, it, w)
		}
	}
	if srv.Accepted() != 3 {
		t.Errorf("%d messages, want 3", srv.Accepted())
	}
	// The failure was for one send: the recipient is served next time.
	if it := sendOne(t, srv, "+11234567892", "", "", false); !it.Successful {
		t.Errorf("after the failure: %+v", it)
	}
}

func TestRepeatability(t *testing.T) {
	srv := newServer(t, nil)
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	first := sendOne(t, srv, recipient, id, "t", false)
	if !first.Successful || first.RepeatabilityResult != "accepted" {
		t.Fatalf("first: %+v", first)
	}
	second := sendOne(t, srv, recipient, strings.ToUpper(id), "t", false)
	if second != first {
		t.Fatalf("repeat: %+v, want %+v", second, first)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Repeats != 1 || msgs[0].MessageID != first.MessageID {
		t.Fatalf("messages %+v", msgs)
	}

	t.Run("other first-sent is another request", func(t *testing.T) {
		body := `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100","repeatabilityRequestId":"` + id +
			`","repeatabilityFirstSent":"Tue, 24 Nov 2026 19:13:39 GMT"}],"message":"hi"}`
		it := items(t, send(t, srv, body))[0]
		if !it.Successful || it.MessageID == first.MessageID {
			t.Fatalf("%+v", it)
		}
	})
	t.Run("rejected first-sent", func(t *testing.T) {
		n := srv.Accepted()
		for _, fs := range []string{`""`, `"2026-11-23T19:13:39Z"`, `"Mon, 23 Nov 2026"`, `null`} {
			body := `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100","repeatabilityRequestId":"2f8fad5b-d9cb-469f-a165-70867728950e","repeatabilityFirstSent":` +
				fs + `}],"message":"hi"}`
			it := items(t, send(t, srv, body))[0]
			if it.Successful || it.HTTPStatusCode != 400 || it.RepeatabilityResult != "rejected" ||
				it.ErrorMessage != acstest.RepeatabilityRejectedMessage || it.MessageID != "" {
				t.Errorf("first-sent %s: %+v", fs, it)
			}
		}
		if srv.Accepted() != n {
			t.Error("a rejected item created a message")
		}
	})
	t.Run("a recipient failure does not burn the id", func(t *testing.T) {
		const id2 = "3f8fad5b-d9cb-469f-a165-70867728950e"
		to := "+14155550123"
		srv.SetRecipientFailure(to, 503, 2)
		for range 2 {
			if it := sendOne(t, srv, to, id2, "", false); it.Successful || it.HTTPStatusCode != 503 || it.MessageID != "" ||
				it.ErrorMessage != "ServiceUnavailable" || it.RepeatabilityResult != "" {
				t.Fatalf("%+v", it)
			}
		}
		ok := sendOne(t, srv, to, id2, "", false)
		again := sendOne(t, srv, to, id2, "", false)
		if !ok.Successful || again != ok {
			t.Fatalf("%+v then %+v", ok, again)
		}
		n := 0
		for _, m := range srv.Messages() {
			if m.To == to {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d messages to %s", n, to)
		}
	})
	t.Run("unlimited failure and clearing it", func(t *testing.T) {
		to := "+14155550124"
		srv.SetRecipientFailure(to, 500, -1)
		for range 3 {
			if it := sendOne(t, srv, to, "", "", false); it.HTTPStatusCode != 500 || it.ErrorMessage != "InternalServerError" {
				t.Fatalf("%+v", it)
			}
		}
		srv.SetRecipientFailure(to, 0, 0)
		if it := sendOne(t, srv, to, "", "", false); !it.Successful {
			t.Fatalf("%+v", it)
		}
	})
}

func TestFaults(t *testing.T) {
	srv := newServer(t, nil)
	t.Run("429", func(t *testing.T) {
		srv.Arm(acstest.Fault{Status: 429, RetryAfter: 7 * time.Second})
		res := send(t, srv, `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`)
		e, _ := res.JSON["error"].(map[string]any)
		if res.Status != 429 || res.Header.Get("Retry-After") != "7" || e["code"] != "TooManyRequests" || e["message"] == "" {
			t.Fatalf("%d %v %s", res.Status, res.Header, res.Body)
		}
		if srv.Accepted() != 0 {
			t.Fatal("a 429 created a message")
		}
		if it := sendOne(t, srv, recipient, "", "", false); !it.Successful {
			t.Fatalf("the fault outlived its one use: %+v", it)
		}
	})
	t.Run("custom code", func(t *testing.T) {
		srv.Arm(acstest.Fault{Status: 503, Code: "ServiceBusy", Message: "busy", Times: 2})
		for range 2 {
			res := send(t, srv, `{}`)
			if e, _ := res.JSON["error"].(map[string]any); res.Status != 503 || e["code"] != "ServiceBusy" || e["message"] != "busy" {
				t.Fatalf("%d %s", res.Status, res.Body)
			}
		}
	})
	t.Run("reset after processing", func(t *testing.T) {
		n := srv.Accepted()
		srv.Arm(acstest.Fault{Reset: true})
		body := `{"from":"+14155550199","smsRecipients":[{"to":"+14155550100","repeatabilityRequestId":"5f8fad5b-d9cb-469f-a165-70867728950e","repeatabilityFirstSent":"Mon, 23 Nov 2026 19:13:39 GMT"}],"message":"hi"}`
		req := signed(t, "POST", srv.URL+"/sms?api-version=2021-03-07", []byte(body), srv.AccessKey(), time.Now())
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("got HTTP %d, want a reset", resp.StatusCode)
		}
		if srv.Accepted() != n+1 {
			t.Fatal("the reset request was not processed")
		}
		// Retrying with the same repeatability fields is safe.
		it := items(t, send(t, srv, body))[0]
		if !it.Successful || it.MessageID != srv.Messages()[n].MessageID || srv.Accepted() != n+1 {
			t.Fatalf("retry %+v, %d messages", it, srv.Accepted())
		}
	})
	t.Run("faults spare delivery report look-ups", func(t *testing.T) {
		srv.Arm(acstest.Fault{Status: 500})
		res := roundTrip(t, signed(t, "GET", srv.URL+"/deliveryReports/x?api-version=2026-01-23", nil, srv.AccessKey(), time.Now()))
		if res.Status != 404 {
			t.Fatalf("GET: %d", res.Status)
		}
		if res := send(t, srv, `{}`); res.Status != 500 {
			t.Fatalf("POST: %d", res.Status)
		}
	})
}

func TestDeliveryReportLookup(t *testing.T) {
	srv := newServer(t, nil)
	srv.SetOutcome("+14155550111", sms.StatusFailed, "4004")
	delivered := sendOne(t, srv, recipient, "", "tag-1", false)
	failed := sendOne(t, srv, "+14155550111", "", "", true)
	get := func(id, version string) apiResponse {
		return roundTrip(t, signed(t, "GET", srv.URL+"/deliveryReports/"+id+"?api-version="+version, nil, srv.AccessKey(), time.Now()))
	}
	res := get(delivered.MessageID, "2026-01-23")
	if res.Status != 200 || res.JSON["deliveryStatus"] != "Delivered" || res.JSON["deliveryStatusDetails"] != "2000: No Error" ||
		res.JSON["messageId"] != delivered.MessageID || res.JSON["to"] != recipient || res.JSON["from"] != sender ||
		res.JSON["tag"] != "tag-1" || !sevenFrac.MatchString(fmt.Sprint(res.JSON["receivedTimestamp"])) {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	res = get(failed.MessageID, "2025-08-01-preview")
	atts, _ := res.JSON["deliveryAttempts"].([]any)
	if res.Status != 200 || res.JSON["deliveryStatus"] != "Failed" || res.JSON["deliveryStatusDetails"] != "4004: Destination number does not exist" || len(atts) != 1 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	if a := atts[0].(map[string]any); a["segmentsFailed"] != float64(1) || a["segmentsSucceeded"] != float64(0) {
		t.Errorf("attempt %v", a)
	}
	if res := get("Outgoing_nope", "2026-01-23"); res.Status != 404 || res.JSON["title"] != "Not Found" || res.JSON["status"] != float64(404) {
		t.Errorf("unknown id: %d %s", res.Status, res.Body)
	}
	if res := get(delivered.MessageID, "2021-03-07"); res.Status != 400 {
		t.Errorf("old api-version: %d %s", res.Status, res.Body)
	}
	req := signed(t, "GET", srv.URL+"/deliveryReports/"+delivered.MessageID+"?api-version=2026-01-23", nil, otherKey, time.Now())
	wantDenied(t, roundTrip(t, req), "signature")
	msgs := srv.Messages()
	if msgs[1].DeliveryStatus != "Failed" || msgs[1].DeliveryStatusDetails != "4004: Destination number does not exist" {
		t.Errorf("message %+v", msgs[1])
	}
}

func TestContentType(t *testing.T) {
	srv := newServer(t, nil)
	body := []byte(`{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`)
	for ct, want := range map[string]int{
		"application/json": 202, "application/json; charset=utf-8": 202, "Application/JSON": 202,
		"text/plain": 415, "": 415, "application/x-www-form-urlencoded": 415,
	} {
		req := signed(t, "POST", srv.URL+"/sms?api-version=2021-03-07", body, srv.AccessKey(), time.Now())
		req.Header.Set("Content-Type", ct)
		if ct == "" {
			req.Header.Del("Content-Type")
		}
		res := roundTrip(t, req)
		if res.Status != want || (want == 415 && res.JSON["title"] != "Unsupported Media Type") {
			t.Errorf("Content-Type %q: %d %s, want %d", ct, res.Status, res.Body, want)
		}
	}
	if srv.Accepted() != 3 {
		t.Errorf("%d messages", srv.Accepted())
	}
}

func TestClientRequestIDEcho(t *testing.T) {
	srv := newServer(t, nil)
	req := signed(t, "POST", srv.URL+"/sms?api-version=2021-03-07", []byte(`{"from":"+14155550199","smsRecipients":[{"to":"+14155550100"}],"message":"hi"}`), srv.AccessKey(), time.Now())
	req.Header.Set("x-ms-client-request-id", "abc-123")
	res := roundTrip(t, req)
	if res.Header.Get("x-ms-client-request-id") != "abc-123" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("headers %v", res.Header)
	}
}
