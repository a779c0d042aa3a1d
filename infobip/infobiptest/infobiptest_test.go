package infobiptest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/infobip/infobiptest"
)

// app is a webhook receiver that records every request and answers with the queued
// statuses (then 200).
type app struct {
	*httptest.Server
	mu      sync.Mutex
	got     []hook
	answers []int
}

type hook struct {
	Path, Query, Auth string
	Body              map[string]any
}

func newApp(t *testing.T, answers ...int) *app {
	return startApp(t, false, answers...)
}

func startApp(t *testing.T, useTLS bool, answers ...int) *app {
	a := &app{answers: answers}
	a.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		a.mu.Lock()
		a.got = append(a.got, hook{r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), body})
		status := 200
		if len(a.answers) > 0 {
			status, a.answers = a.answers[0], a.answers[1:]
		}
		a.mu.Unlock()
		w.WriteHeader(status)
	}))
	if useTLS {
		a.StartTLS()
	} else {
		a.Start()
	}
	t.Cleanup(a.Close)
	return a
}

func (a *app) hooks() []hook {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]hook(nil), a.got...)
}

// client returns an HTTP client that takes every host to the app (a notifyUrl on a public host).
func (a *app) client() *http.Client {
	addr := a.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}}
	if a.TLS != nil {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // the test server's certificate names no public host
	}
	return &http.Client{Transport: tr}
}

func post(t *testing.T, srv *infobiptest.Server, path, key string, body []byte) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "App "+key)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		require.NoError(t, json.Unmarshal(b, &out), "body %s", b)
	}
	return resp.StatusCode, out, resp.Header
}

func wait(t *testing.T, srv *infobiptest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, srv.WaitCallbacks(ctx))
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// The official Node client's captured request is accepted byte for byte, answered as that
// client parses it, and its notifyUrl gets a v2 report with the callbackData.
func TestNodeSDKCaptureAccepted(t *testing.T) {
	hooks := startApp(t, true)
	srv := infobiptest.NewServer(&infobiptest.Options{CallbackClient: hooks.client()})
	defer srv.Close()

	var headers map[string]string
	require.NoError(t, json.Unmarshal(readFile(t, "node-sdk-send.headers.json"), &headers))
	body := readFile(t, "node-sdk-send.body")
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/sms/2/text/advanced", bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		if k != "Content-Length" && k != "Connection" {
			req.Header.Set(k, v)
		}
	}
	status, got, _ := do(t, req)
	require.Equal(t, http.StatusOK, status)

	var want map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, "node-sdk-send.response.json"), &want))
	// Ids are the emulator's own; everything else is what the client parsed.
	ignoreIDs := cmp.FilterPath(func(p cmp.Path) bool {
		k := p.Last().String()
		return k == `["bulkId"]` || k == `["messageId"]`
	}, cmp.Ignore())
	require.Empty(t, cmp.Diff(want, got, ignoreIDs))
	require.NotEmpty(t, got["bulkId"])

	rec := srv.RecordedRequests()
	require.Len(t, rec, 1)
	require.Equal(t, body, rec[0].Body)

	wait(t, srv)
	hs := hooks.hooks()
	require.Len(t, hs, 1)
	require.Equal(t, "/infobip/dlr", hs[0].Path)
	require.Equal(t, "tenant=acme", hs[0].Query)
	res := hs[0].Body["results"].([]any)[0].(map[string]any)
	require.Equal(t, "acceptance-callback-data", res["callbackData"])
	require.Equal(t, "14155550100", res["to"])
	require.Equal(t, "InfoSMS", res["from"]) // v2: from, smsCount
	require.EqualValues(t, 1, res["smsCount"])
	require.Equal(t, "DELIVERED_TO_HANDSET", res["status"].(map[string]any)["name"])
	msgs := got["messages"].([]any)
	require.Equal(t, msgs[0].(map[string]any)["messageId"], res["messageId"])
}

// The published request samples (vendors/infobip.md §2d) get each version's response shape,
// with the client's own ids echoed.
func TestPublishedSamples(t *testing.T) {
	for _, tc := range []struct {
		file, path string
		wantBulk   string
		wantIDs    []string // "" = generated
		toKey      string
	}{
		{"v3-minimal.json", "/sms/3/messages", "", []string{""}, "destination"},
		{"v3-full.json", "/sms/3/messages", "BULK-ID-123-xyz", []string{"MESSAGE-ID-123-xyz", ""}, "destination"},
		{"v2.json", "/sms/2/text/advanced", "BULK-ID-123-xyz", []string{"MESSAGE-ID-123-xyz"}, "to"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			srv := infobiptest.NewServer(&infobiptest.Options{Retries: -1})
			defer srv.Close()
			status, got, _ := post(t, srv, tc.path, srv.APIKey(), readFile(t, tc.file))
			require.Equal(t, http.StatusOK, status, "%v", got)
			if tc.wantBulk != "" {
				require.Equal(t, tc.wantBulk, got["bulkId"])
			} else {
				require.NotEmpty(t, got["bulkId"])
			}
			msgs := got["messages"].([]any)
			require.Len(t, msgs, len(tc.wantIDs))
			for i, id := range tc.wantIDs {
				m := msgs[i].(map[string]any)
				if id != "" {
					require.Equal(t, id, m["messageId"])
				} else {
					require.NotEmpty(t, m["messageId"])
				}
				require.NotEmpty(t, m[tc.toKey])
				require.Equal(t, map[string]any{"groupId": 1.0, "groupName": "PENDING", "id": 26.0, "name": "PENDING_ACCEPTED", "description": "Message sent to next instance"}, m["status"])
			}
			require.Equal(t, len(tc.wantIDs), srv.Accepted())
		})
	}
}

func TestAuthentication(t *testing.T) {
	srv := infobiptest.NewServer(nil)
	defer srv.Close()
	body := readFile(t, "v3-minimal.json")
	for _, key := range []string{"", "wrong"} {
		status, got, _ := post(t, srv, "/sms/3/messages", key, body)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "E401", got["errorCode"])
		status, got, _ = post(t, srv, "/sms/2/text/advanced", key, readFile(t, "v2.json"))
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "UNAUTHORIZED", got["requestError"].(map[string]any)["serviceException"].(map[string]any)["messageId"])
	}
	require.Zero(t, srv.Accepted())
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sms/3/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("App:"+srv.APIKey())))
	status, _, _ := do(t, req)
	require.Equal(t, http.StatusUnauthorized, status)
}

func TestValidation(t *testing.T) {
	srv := infobiptest.NewServer(nil)
	defer srv.Close()
	for _, tc := range []struct {
		name, path, body, prop string
	}{
		{"v3 no messages", "/sms/3/messages", `{"messages":[]}`, "messages"},
		{"v3 no content", "/sms/3/messages", `{"messages":[{"destinations":[{"to":"41793026727"}]}]}`, "messages[0].content"},
		{"v3 no destinations", "/sms/3/messages", `{"messages":[{"content":{"text":"x"}}]}`, "messages[0].destinations"},
		{"v3 bad unit", "/sms/3/messages", `{"messages":[{"destinations":[{"to":"41793026727"}],"content":{"text":"x"},"options":{"validityPeriod":{"amount":1,"timeUnit":"DAYS"}}}]}`, "messages[0].options.validityPeriod.timeUnit"},
		{"v3 long id", "/sms/3/messages", `{"messages":[{"destinations":[{"to":"41793026727","messageId":"` + strings.Repeat("x", 201) + `"}],"content":{"text":"x"}}]}`, "messages[0].destinations[0].messageId"},
		{"v3 bad url", "/sms/3/messages", `{"messages":[{"destinations":[{"to":"41793026727"}],"content":{"text":"x"},"webhooks":{"delivery":{"url":"not a url"}}}]}`, "messages[0].webhooks.delivery.url"},
		{"v3 malformed", "/sms/3/messages", `{"messages":`, "body"},
		{"v2 no text", "/sms/2/text/advanced", `{"messages":[{"destinations":[{"to":"41793026727"}]}]}`, "messages[0].text"},
		{"v2 no messages", "/sms/2/text/advanced", `{}`, "messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, got, _ := post(t, srv, tc.path, srv.APIKey(), []byte(tc.body))
			require.Equal(t, http.StatusBadRequest, status)
			if strings.HasPrefix(tc.path, "/sms/3/") {
				require.Equal(t, "E400", got["errorCode"])
				require.Contains(t, got["violations"].([]any), map[string]any{"property": tc.prop, "violation": got["violations"].([]any)[0].(map[string]any)["violation"]})
			} else {
				se := got["requestError"].(map[string]any)["serviceException"].(map[string]any)
				require.Equal(t, "BAD_REQUEST", se["messageId"])
				require.Contains(t, se["validationErrors"], tc.prop)
			}
		})
	}
	require.Zero(t, srv.Accepted())
}

// Per-destination rejections: 200 with group 5 statuses, the others accepted.
func TestPerDestinationStatuses(t *testing.T) {
	srv := infobiptest.NewServer(&infobiptest.Options{Retries: -1})
	defer srv.Close()
	_, got, _ := post(t, srv, "/sms/3/messages", srv.APIKey(), []byte(`{"messages":[{"sender":"InfoSMS","content":{"text":"hi"},"destinations":[
		{"to":"41793026727","messageId":"a"},{"to":"","messageId":"b"},{"to":"12ab","messageId":"c"},{"to":"+41793026728","messageId":"a"}]}]}`))
	names := []string{}
	tos := []string{}
	for _, m := range got["messages"].([]any) {
		names = append(names, m.(map[string]any)["status"].(map[string]any)["name"].(string))
		tos = append(tos, m.(map[string]any)["destination"].(string))
	}
	require.Equal(t, []string{"PENDING_ACCEPTED", "MISSING_TO", "REJECTED_DESTINATION", "REJECTED_DUPLICATE_MESSAGE_ID"}, names)
	require.Equal(t, []string{"41793026727", "", "12ab", "41793026728"}, tos)
	require.Equal(t, 1, srv.Accepted())

	// A messageId used by an earlier request is a duplicate too.
	_, got, _ = post(t, srv, "/sms/3/messages", srv.APIKey(), []byte(`{"messages":[{"content":{"text":"hi"},"destinations":[{"to":"41793026727","messageId":"a"}]}]}`))
	st := got["messages"].([]any)[0].(map[string]any)["status"].(map[string]any)
	require.Equal(t, 23.0, st["id"])
	require.Equal(t, 5.0, st["groupId"])
	require.Equal(t, 1, srv.Accepted())
}

// An inbound STOP blocks the handset for the number it was sent to: REJECTED_DESTINATION_BLOCKLISTED.
func TestStopBlocklists(t *testing.T) {
	hooks := newApp(t)
	srv := infobiptest.NewServer(&infobiptest.Options{InboundURL: hooks.URL + "/in"})
	defer srv.Close()
	_, err := srv.SendInbound(context.Background(), "+41793026727", "+41793000000", " stop ")
	require.NoError(t, err)
	in := hooks.hooks()[0].Body
	item := in["results"].([]any)[0].(map[string]any)
	require.Equal(t, "41793026727", item["from"])
	require.Equal(t, "41793000000", item["to"])
	require.EqualValues(t, 1, in["messageCount"])
	_, err = time.Parse(infobiptest.TimeLayout, item["receivedAt"].(string))
	require.NoError(t, err)

	send := `{"messages":[{"sender":"41793000000","content":{"text":"hi"},"destinations":[{"to":"41793026727"},{"to":"41793026728"}]}]}`
	_, got, _ := post(t, srv, "/sms/3/messages", srv.APIKey(), []byte(send))
	m := got["messages"].([]any)
	require.Equal(t, "REJECTED_DESTINATION_BLOCKLISTED", m[0].(map[string]any)["status"].(map[string]any)["name"])
	require.Equal(t, "PENDING_ACCEPTED", m[1].(map[string]any)["status"].(map[string]any)["name"])

	srv.Block("+41793026728")
	_, got, _ = post(t, srv, "/sms/3/messages", srv.APIKey(), []byte(`{"messages":[{"sender":"Other","content":{"text":"hi"},"destinations":[{"to":"41793026728"}]}]}`))
	require.Equal(t, 14.0, got["messages"].([]any)[0].(map[string]any)["status"].(map[string]any)["id"])
}

// Reports of one send go out together, up to BatchSize per POST, in the v3 shape, with Basic auth.
func TestBatchedReports(t *testing.T) {
	hooks := newApp(t)
	srv := infobiptest.NewServer(&infobiptest.Options{BatchSize: 2, WebhookUsername: "ib", WebhookPassword: "s3cret"})
	defer srv.Close()
	srv.SetOutcome("41793026729", sms.StatusUndelivered, "")
	send := `{"messages":[{"sender":"InfoSMS","content":{"text":"hi"},"webhooks":{"delivery":{"url":"` + hooks.URL + `/dlr?token=t"},"callbackData":"ref-1"},
		"destinations":[{"to":"41793026727","messageId":"m1"},{"to":"41793026728","messageId":"m2"},{"to":"41793026729","messageId":"m3"}]}]}`
	status, _, _ := post(t, srv, "/sms/3/messages", srv.APIKey(), []byte(send))
	require.Equal(t, http.StatusOK, status)
	wait(t, srv)
	hs := hooks.hooks()
	require.Len(t, hs, 2)
	var ids []string
	for _, h := range hs {
		require.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("ib:s3cret")), h.Auth)
		require.Equal(t, "token=t", h.Query)
		for _, r := range h.Body["results"].([]any) {
			r := r.(map[string]any)
			ids = append(ids, r["messageId"].(string))
			require.Equal(t, "ref-1", r["callbackData"])
			require.Equal(t, "InfoSMS", r["sender"]) // v3: sender, messageCount
			require.EqualValues(t, 1, r["messageCount"])
			if r["messageId"] == "m3" {
				require.Equal(t, "UNDELIVERABLE", r["status"].(map[string]any)["groupName"])
				require.Equal(t, "EC_ABSENT_SUBSCRIBER", r["error"].(map[string]any)["name"])
			}
		}
	}
	require.ElementsMatch(t, []string{"m1", "m2", "m3"}, ids)
	m, ok := srv.Message("m3")
	require.True(t, ok)
	require.Equal(t, 9, m.Status.ID)
}

// A webhook that fails is retried with Infobip's back-off shape until it answers 2xx.
func TestReportRetried(t *testing.T) {
	hooks := newApp(t, 500, 503)
	srv := infobiptest.NewServer(&infobiptest.Options{DeliveryURL: hooks.URL + "/dlr", RetryUnit: time.Millisecond})
	defer srv.Close()
	post(t, srv, "/sms/2/text/advanced", srv.APIKey(), []byte(`{"messages":[{"from":"InfoSMS","text":"x","destinations":[{"to":"41793026727"}]}]}`))
	wait(t, srv)
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	require.Equal(t, emulator.StateDelivered, ds[0].State)
	require.Len(t, ds[0].Attempts, 3)
	require.Len(t, hooks.hooks(), 3)

	// 1min + 1min·n², scaled.
	require.Equal(t, []time.Duration{2, 5, 10, 17}, []time.Duration{
		infobiptest.RetryWait(1, 1), infobiptest.RetryWait(1, 2), infobiptest.RetryWait(1, 3), infobiptest.RetryWait(1, 4)})
}

// A webhook that never answers 2xx is reported by WaitCallbacks after the retries.
func TestReportExhausted(t *testing.T) {
	hooks := newApp(t, 500, 500, 500)
	srv := infobiptest.NewServer(&infobiptest.Options{DeliveryURL: hooks.URL, Retries: 2, RetryUnit: time.Millisecond})
	defer srv.Close()
	post(t, srv, "/sms/3/messages", srv.APIKey(), readFile(t, "v3-minimal.json"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var de *emulator.DeliveryError
	require.ErrorAs(t, srv.WaitCallbacks(ctx), &de)
	require.Len(t, hooks.hooks(), 3)
}

// A delayed outcome's report waits for the emulator clock; until then logs show it pending.
func TestDelayedOutcomeAndLogs(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	hooks := newApp(t)
	srv := infobiptest.NewServer(&infobiptest.Options{Clock: clock, DeliveryURL: hooks.URL})
	defer srv.Close()
	srv.SetOutcomeDelay("41793026727", sms.StatusDelivered, "", time.Hour)
	post(t, srv, "/sms/3/messages", srv.APIKey(), []byte(`{"messages":[{"content":{"text":"x"},"destinations":[{"to":"41793026727","messageId":"late"}]}]}`))

	logs := func() map[string]any {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/sms/3/logs?messageId=late", nil)
		req.Header.Set("Authorization", "App "+srv.APIKey())
		status, got, _ := do(t, req)
		require.Equal(t, http.StatusOK, status)
		res := got["results"].([]any)
		require.Len(t, res, 1)
		return res[0].(map[string]any)
	}
	l := logs()
	require.Equal(t, "PENDING", l["status"].(map[string]any)["groupName"])
	require.Equal(t, "2026-01-02T03:04:05.000+0000", l["sentAt"])
	require.Equal(t, "41793026727", l["destination"])

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, clock.WaitSleepers(ctx, 1))
	require.Empty(t, hooks.hooks())
	clock.Advance(time.Hour)
	wait(t, srv)
	require.Len(t, hooks.hooks(), 1)
	l = logs()
	require.Equal(t, "DELIVERED_TO_HANDSET", l["status"].(map[string]any)["name"])
	require.Equal(t, "2026-01-02T04:04:05.000+0000", l["doneAt"])
}

// Without a push URL, reports wait for a pull and are returned once.
func TestPulledReports(t *testing.T) {
	srv := infobiptest.NewServer(nil)
	defer srv.Close()
	post(t, srv, "/sms/2/text/advanced", srv.APIKey(), []byte(`{"messages":[{"from":"InfoSMS","text":"x","destinations":[{"to":"41793026727","messageId":"p1"}]}]}`))
	get := func() []any {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/sms/1/reports", nil)
		req.Header.Set("Authorization", "App "+srv.APIKey())
		_, got, _ := do(t, req)
		return got["results"].([]any)
	}
	r := get()
	require.Len(t, r, 1)
	require.Equal(t, "p1", r[0].(map[string]any)["messageId"])
	require.Empty(t, get())
}

// Faults answer with Infobip's error body; a 429 carries Retry-After.
func TestFaults(t *testing.T) {
	srv := infobiptest.NewServer(nil)
	defer srv.Close()
	srv.Arm(infobiptest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second})
	status, got, h := post(t, srv, "/sms/3/messages", srv.APIKey(), readFile(t, "v3-minimal.json"))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, "2", h.Get("Retry-After"))
	require.Equal(t, "E429", got["errorCode"])
	require.Zero(t, srv.Accepted())

	// A v2 path answers in the ApiException shape; Legacy asks for it on v3 paths too.
	srv.Arm(infobiptest.Fault{Status: http.StatusInternalServerError})
	status, got, _ = post(t, srv, "/sms/2/text/advanced", srv.APIKey(), readFile(t, "v2.json"))
	require.Equal(t, http.StatusInternalServerError, status)
	require.Equal(t, "GENERAL_ERROR", got["requestError"].(map[string]any)["serviceException"].(map[string]any)["messageId"])
	srv.Arm(infobiptest.Fault{Status: http.StatusTooManyRequests, Legacy: true})
	status, got, _ = post(t, srv, "/sms/3/messages", srv.APIKey(), readFile(t, "v3-minimal.json"))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, "TOO_MANY_REQUESTS", got["requestError"].(map[string]any)["serviceException"].(map[string]any)["messageId"])
	// Through the control API too.
	code, _, _ := post(t, srv, "/_emulator/faults", "", []byte(`{"status":429,"retry_after":"1s"}`))
	require.Equal(t, http.StatusCreated, code)
	status, got, h = post(t, srv, "/sms/2/text/advanced", srv.APIKey(), readFile(t, "v2.json"))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, "1", h.Get("Retry-After"))
	require.Equal(t, "TOO_MANY_REQUESTS", got["requestError"].(map[string]any)["serviceException"].(map[string]any)["messageId"])

	// Reset: the message is taken, the client reads a reset.
	srv.Arm(infobiptest.Fault{Reset: true})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sms/3/messages", bytes.NewReader(readFile(t, "v3-minimal.json")))
	req.Header.Set("Authorization", "App "+srv.APIKey())
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	require.Equal(t, 1, srv.Accepted())
	srv.Arm(infobiptest.Fault{Reset: true}) // through the v1/v2 writer too
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/sms/2/text/advanced", bytes.NewReader(readFile(t, "v2.json")))
	req.Header.Set("Authorization", "App "+srv.APIKey())
	_, err = http.DefaultClient.Do(req)
	require.Error(t, err)
	require.Equal(t, 2, srv.Accepted())
	require.Equal(t, 6, srv.Requests())
}

// The builders for webhook tests render the published report samples' shapes exactly.
func TestReportShapes(t *testing.T) {
	sent := time.Date(2019, 11, 9, 16, 0, 0, 0, time.UTC)
	r := infobiptest.Report{BulkID: "BULK-ID-123-xyz", MessageID: "MESSAGE-ID-123-xyz", To: "41793026727", Sender: "InfoSMS",
		SentAt: sent, DoneAt: sent, MessageCount: 1, CallbackData: "callbackData", Price: infobiptest.Price{PricePerMessage: 0.01, Currency: "EUR"},
		Status: infobiptest.StatusDeliveredToHandset, Error: infobiptest.NoError,
		EntityID: "promotional-traffic-entity", ApplicationID: "marketing-automation-application"}
	for _, tc := range []struct {
		api  infobiptest.API
		file string
	}{{infobiptest.V2, "dlr-v2.json"}, {infobiptest.V3, "dlr-v3.json"}} {
		var want, got map[string]any
		require.NoError(t, json.Unmarshal(readFile(t, tc.file), &want))
		require.NoError(t, json.Unmarshal(infobiptest.ReportsBody(tc.api, r), &got))
		w := want["results"].([]any)[0].(map[string]any)
		g := got["results"].([]any)[0].(map[string]any)
		// The published samples differ in from/offset/groupName casing only where noted in the facts.
		delete(w, "sentAt")
		delete(w, "doneAt")
		delete(g, "sentAt")
		delete(g, "doneAt")
		w["error"].(map[string]any)["groupName"] = "OK"
		if tc.api == infobiptest.V2 {
			delete(g, "from") // the v2 sample has no from
		}
		require.Empty(t, cmp.Diff(w, g), tc.file)
	}
	var in map[string]any
	require.NoError(t, json.Unmarshal(infobiptest.InboundBody(infobiptest.Inbound{MessageID: "1", From: "385916242493", To: "385921004026", Text: "hi", CleanText: "hi", ReceivedAt: "2019-11-09T16:00:00.000+0000", SmsCount: 1}), &in))
	var pub map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, "inbound.json"), &pub))
	for k := range pub["results"].([]any)[0].(map[string]any) {
		if k != "keyword" && k != "callbackData" {
			require.Contains(t, in["results"].([]any)[0], k)
		}
	}
}

// The control API takes outcomes and pushes statuses.
func TestControlStatusPush(t *testing.T) {
	hooks := newApp(t)
	srv := infobiptest.NewServer(&infobiptest.Options{DeliveryURL: hooks.URL})
	defer srv.Close()
	srv.SetOutcome("*", sms.StatusSent, "")
	post(t, srv, "/sms/3/messages", srv.APIKey(), []byte(`{"messages":[{"content":{"text":"x"},"destinations":[{"to":"41793026727","messageId":"c1"}]}]}`))
	wait(t, srv)
	status, _, _ := post(t, srv, "/_emulator/messages/c1/status", "", []byte(`{"status":"failed","error_code":"2052"}`))
	require.Equal(t, http.StatusOK, status)
	wait(t, srv)
	hs := hooks.hooks()
	require.Len(t, hs, 2)
	last := hs[1].Body["results"].([]any)[0].(map[string]any)
	require.Equal(t, "EC_BLACKLISTED_DESTINATIONADDRESS", last["error"].(map[string]any)["name"])
	m, _ := srv.Message("c1")
	require.Equal(t, 2, m.Status.GroupID)
}

// intermediateReport: DELIVERED_TO_OPERATOR goes out before DELIVERED_TO_HANDSET; a
// duplicate messageId is reported REJECTED without touching the original message.
func TestIntermediateAndDuplicateReports(t *testing.T) {
	hooks := startApp(t, true)
	srv := infobiptest.NewServer(&infobiptest.Options{CallbackClient: hooks.client()})
	defer srv.Close()
	post(t, srv, "/sms/3/messages", srv.APIKey(), readFile(t, "v3-full.json"))
	wait(t, srv)
	var seq []string
	for _, h := range hooks.hooks() {
		require.Equal(t, "/sms/advanced", h.Path)
		for _, r := range h.Body["results"].([]any) {
			r := r.(map[string]any)
			seq = append(seq, r["status"].(map[string]any)["name"].(string))
			require.Equal(t, "DLR callback data", r["callbackData"])
		}
	}
	require.Equal(t, []string{"DELIVERED_TO_OPERATOR", "DELIVERED_TO_OPERATOR", "DELIVERED_TO_HANDSET", "DELIVERED_TO_HANDSET"}, seq)

	post(t, srv, "/sms/3/messages", srv.APIKey(), readFile(t, "v3-full.json")) // same ids again
	wait(t, srv)
	var dup map[string]any
	for _, h := range hooks.hooks()[2:] {
		for _, r := range h.Body["results"].([]any) {
			if r.(map[string]any)["messageId"] == "MESSAGE-ID-123-xyz" {
				require.Nil(t, dup, "two reports for the duplicate")
				dup = r.(map[string]any)
			}
		}
	}
	require.NotNil(t, dup, "no report for the duplicate")
	require.Equal(t, "REJECTED_DUPLICATE_MESSAGE_ID", dup["status"].(map[string]any)["name"])
	m, ok := srv.Message("MESSAGE-ID-123-xyz")
	require.True(t, ok)
	require.Equal(t, "DELIVERED_TO_HANDSET", m.Status.Name)
}

// The request builders for webhook tests: Infobip's shape, authenticated as configured.
func TestRequestBuilders(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := infobiptest.New(&infobiptest.Options{Clock: clock, WebhookUsername: "u", WebhookPassword: "p"})
	defer srv.Close()
	rep := srv.NewReport("m-1", "+41793026727", sms.StatusUndelivered, "")
	require.Equal(t, "41793026727", rep.To)
	require.Equal(t, "EC_ABSENT_SUBSCRIBER", rep.Error.Name)
	req := srv.DeliveryReportsRequest("https://app.example.com/dlr?token=t#frag", infobiptest.V3, rep)
	require.Equal(t, "/dlr?token=t", req.RequestURI)
	user, pass, ok := req.BasicAuth()
	require.True(t, ok)
	require.Equal(t, "u:p", user+":"+pass)
	var body map[string]any
	require.NoError(t, json.NewDecoder(req.Body).Decode(&body))
	r := body["results"].([]any)[0].(map[string]any)
	require.Equal(t, "2026-03-04T05:06:07.000+0000", r["doneAt"])
	require.Equal(t, "UNDELIVERABLE_NOT_DELIVERED", r["status"].(map[string]any)["name"])

	in := srv.InboundRequest("https://app.example.com/in", "+41793026727", "+41793000000", "hello")
	require.NoError(t, json.NewDecoder(in.Body).Decode(&body))
	item := body["results"].([]any)[0].(map[string]any)
	require.Equal(t, "41793026727", item["from"])
	require.Equal(t, "hello", item["cleanText"])
	require.Equal(t, "2026-03-04T05:06:07.000+0000", item["receivedAt"])
}

// Inbound through the control API: a STOP reaches the app and puts the pair on the opt-out list.
func TestControlInbound(t *testing.T) {
	hooks := newApp(t)
	srv := infobiptest.NewServer(nil)
	defer srv.Close()
	code, _, _ := post(t, srv, "/_emulator/config", "", []byte(`{"inbound_url":"`+hooks.URL+`/in"}`))
	require.Equal(t, http.StatusNoContent, code)
	code, _, _ = post(t, srv, "/_emulator/inbound", "", []byte(`{"from":"+41793026727","to":"41793000000","body":"STOP"}`))
	require.Equal(t, http.StatusOK, code)
	require.Len(t, hooks.hooks(), 1)
	require.Equal(t, []emulator.OptOut{{From: "41793000000", To: "+41793026727"}}, srv.OptOuts())
}
