package linkmobilitytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
)

var start = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// gate records the posts a gate receives and answers with the queued statuses (then 200).
type gate struct {
	*httptest.Server
	mu      sync.Mutex
	got     []hook
	answers []int
}

type hook struct {
	Auth string
	Raw  []byte
	Body map[string]any
}

func newGate(t *testing.T, answers ...int) *gate {
	g := &gate{answers: answers}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		g.mu.Lock()
		g.got = append(g.got, hook{r.Header.Get("Authorization"), b, body})
		status := 200
		if len(g.answers) > 0 {
			status, g.answers = g.answers[0], g.answers[1:]
		}
		g.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gate) hooks() []hook {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]hook(nil), g.got...)
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func wait(t *testing.T, srv *linkmobilitytest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, srv.WaitCallbacks(ctx))
}

// post sends body to path with the server's credentials; it returns the status and raw body.
func post(t *testing.T, srv *linkmobilitytest.Server, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(srv.Username(), srv.Password())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m), "%s", raw)
	return slices.Sorted(maps.Keys(m))
}

// withField returns the JSON object raw with key set to v.
func withField(t *testing.T, raw []byte, key string, v any) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	m[key] = v
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// The facts' single-send sample is accepted: without ignoreResponse (LINK's default true)
// the answer is 204 with no body; with ignoreResponse false it has the sample answer's keys.
func TestSendSample(t *testing.T) {
	srv := linkmobilitytest.NewServer(nil)
	defer srv.Close()
	sample := readFile(t, "send-request.json")

	status, body := post(t, srv, "/sms/send", sample)
	require.Equal(t, http.StatusNoContent, status)
	require.Empty(t, body)

	status, body = post(t, srv, "/sms/send", withField(t, sample, "ignoreResponse", false))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, keys(t, readFile(t, "send-response.json")), keys(t, body))
	var out linkmobilitytest.SendResponse
	require.NoError(t, json.Unmarshal(body, &out))
	require.Equal(t, 1005, out.ResultCode)
	require.Equal(t, "Queued", out.Description)
	m, ok := srv.Message(out.MessageID)
	require.True(t, ok)
	require.Equal(t, "+4799999999", m.Destination)
	require.Equal(t, 2, srv.Accepted())

	status, body = post(t, srv, "/sms/send", withField(t, withField(t, sample, "ignoreResponse", false),
		"customParameters", map[string]string{"replySmsCount": "TRUE"}))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, string(body), `"smsCount":1`)
}

// The facts' batch sample gets one answer per item with the sample answer's keys
// ("message", not "description"), refIds echoed, and each item's report reaches the gate.
func TestBatchSample(t *testing.T) {
	g := newGate(t)
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: g.URL + "/dlr"}}})
	defer srv.Close()
	status, body := post(t, srv, "/sms/sendbatch", withField(t, readFile(t, "batch-request.json"), "ignoreResponse", false))
	require.Equal(t, http.StatusOK, status, "%s", body)
	var got []json.RawMessage
	require.NoError(t, json.Unmarshal(body, &got))
	var sample []json.RawMessage
	require.NoError(t, json.Unmarshal(readFile(t, "batch-response.json"), &sample))
	require.Len(t, got, 2)
	var refs []string
	for _, item := range got {
		require.Equal(t, keys(t, sample[0]), keys(t, item))
		var a linkmobilitytest.BatchItemResponse
		require.NoError(t, json.Unmarshal(item, &a))
		require.Equal(t, "Queued", a.Message)
		require.Equal(t, 1005, a.ResultCode)
		refs = append(refs, *a.RefID)
	}
	require.Equal(t, []string{"wir7kkw", "qts883r"}, refs)

	wait(t, srv)
	hooks := g.hooks()
	require.Len(t, hooks, 2)
	sampleKeys := keys(t, readFile(t, "dlr-delivered.json"))
	var gotRefs []string
	for _, h := range hooks {
		require.Equal(t, sampleKeys, keys(t, h.Raw))
		require.Equal(t, float64(1001), h.Body["resultCode"])
		gotRefs = append(gotRefs, h.Body["refId"].(string))
		cp := h.Body["customParameters"].(map[string]any)
		require.Equal(t, "2333", cp["source"])
	}
	require.ElementsMatch(t, refs, gotRefs)
}

// The facts' report samples decode into Report and re-encode with the same keys.
func TestReportSamples(t *testing.T) {
	for _, name := range []string{"dlr-delivered.json", "dlr-number-error.json"} {
		t.Run(name, func(t *testing.T) {
			raw := readFile(t, name)
			var r linkmobilitytest.Report
			require.NoError(t, json.Unmarshal(raw, &r))
			require.Equal(t, keys(t, raw), keys(t, r.Body()))
			require.JSONEq(t, string(raw), string(r.Body()))
		})
	}
}

// Bad credentials are 401 with LINK's error body and 106100.
func TestAuthentication(t *testing.T) {
	srv := linkmobilitytest.NewServer(nil)
	defer srv.Close()
	for _, auth := range [][2]string{{"", ""}, {srv.Username(), "wrong"}, {"other", srv.Password()}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sms/send", bytes.NewReader(readFile(t, "send-request.json")))
		if auth[0] != "" {
			req.SetBasicAuth(auth[0], auth[1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		var e linkmobilitytest.ErrorResponse
		require.NoError(t, json.Unmarshal(b, &e))
		require.Equal(t, []string{"description", "status", "translatedDescription"}, keys(t, b))
		require.Equal(t, linkmobilitytest.ErrAuthentication, e.Status)
	}
	require.Zero(t, srv.Accepted())
}

// Each invalid request is refused with HTTP 400 and its code, and nothing is accepted.
func TestValidation(t *testing.T) {
	base := `"platformId":"0","platformPartnerId":"0","ignoreResponse":false`
	msg := func(fields string) string {
		return `{` + base + `,"source":"LINK","destination":"+4799999999","userData":"hi"` + fields + `}`
	}
	many := make([]string, linkmobilitytest.MaxBatch+1)
	for i := range many {
		many[i] = `{"source":"LINK","destination":"+4799999999","userData":"x"}`
	}
	cases := []struct {
		name, path, body string
		code             int
	}{
		{"no platformId", "/sms/send", `{"platformPartnerId":"0","source":"LINK","destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrPlatformID},
		{"wrong platformId", "/sms/send", `{"platformId":"9","platformPartnerId":"0","source":"LINK","destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrPlatformID},
		{"wrong partner", "/sms/send", `{"platformId":"0","platformPartnerId":"9","source":"LINK","destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrPlatformPartnerID},
		{"destination without +", "/sms/send", `{` + base + `,"source":"LINK","destination":"4799999999","userData":"hi"}`, linkmobilitytest.ErrUnknown},
		{"no source", "/sms/send", `{` + base + `,"destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrUnknown},
		{"alpha starts with digit", "/sms/send", `{` + base + `,"source":"1LINK","destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrUnknown},
		{"alpha too long", "/sms/send", `{` + base + `,"source":"ABCDEFGHIJKL","destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrUnknown},
		{"shortnumber letters", "/sms/send", `{` + base + `,"source":"23a","sourceTON":"SHORTNUMBER","destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrUnknown},
		{"msisdn source without +", "/sms/send", `{` + base + `,"source":"4712345678","sourceTON":"MSISDN","destination":"+4799999999","userData":"hi"}`, linkmobilitytest.ErrUnknown},
		{"no userData", "/sms/send", `{` + base + `,"source":"LINK","destination":"+4799999999"}`, linkmobilitytest.ErrUnknown},
		{"emoji", "/sms/send", msg(``)[:len(msg(``))-len(`"hi"}`)] + `"hi 😀"}`, linkmobilitytest.ErrUnknown},
		{"bool custom parameter", "/sms/send", msg(`,"customParameters":{"flash.sms":true}`), linkmobilitytest.ErrUnknown},
		{"validity zero", "/sms/send", msg(`,"relativeValidityTime":0`), linkmobilitytest.ErrUnknown},
		{"validity too far", "/sms/send", msg(`,"absoluteValidityTime":"2026-03-07T05:06:07Z"`), linkmobilitytest.ErrUnknown},
		{"reports without gates", "/sms/send", msg(`,"useDeliveryReport":true`), linkmobilitytest.ErrNoGates},
		{"unknown gate", "/sms/send", msg(`,"deliveryReportGates":["nope"]`), linkmobilitytest.ErrGateUnavailable},
		{"premium without currency", "/sms/send", `{` + base + `,"source":"2333","sourceTON":"SHORTNUMBER","destination":"+4799999999","userData":"hi","tariff":100}`, linkmobilitytest.ErrCurrency},
		{"not JSON", "/sms/send", `{`, linkmobilitytest.ErrUnknown},
		{"empty batch", "/sms/sendbatch", `{` + base + `,"sendRequestMessages":[]}`, linkmobilitytest.ErrUnknown},
		{"batch over 1000", "/sms/sendbatch", `{` + base + `,"sendRequestMessages":[` + strings.Join(many, ",") + `]}`, linkmobilitytest.ErrUnknown},
		{"batch bad item", "/sms/sendbatch", `{` + base + `,"sendRequestMessages":[{"source":"LINK","destination":"+4799999999","userData":"x"},{"source":"LINK","destination":"99","userData":"x"}]}`, linkmobilitytest.ErrUnknown},
	}
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{Clock: emulator.NewManualClock(start)})
	defer srv.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(t, srv, c.path, []byte(c.body))
			require.Equal(t, http.StatusBadRequest, status, "%s", body)
			var e linkmobilitytest.ErrorResponse
			require.NoError(t, json.Unmarshal(body, &e))
			require.Equal(t, c.code, e.Status, "%s", body)
			require.NotEmpty(t, e.Description)
			require.NotEmpty(t, e.TranslatedDescription)
		})
	}
	require.Zero(t, srv.Accepted())
	// A valid absolute validity, a 1000-item batch and the premium sample pass.
	status, body := post(t, srv, "/sms/send", []byte(msg(`,"absoluteValidityTime":"2026-03-04T06:06:07Z","customParameters":{"flash.sms":"true"}`)))
	require.Equal(t, http.StatusOK, status, "%s", body)
	status, body = post(t, srv, "/sms/sendbatch", []byte(`{`+base+`,"sendRequestMessages":[`+strings.Join(many[:linkmobilitytest.MaxBatch], ",")+`]}`))
	require.Equal(t, http.StatusOK, status, "%s", body)
	status, body = post(t, srv, "/sms/send", []byte(`{`+base+`,"source":"2333","sourceTON":"SHORTNUMBER","destination":"+4799999999","userData":"hi","tariff":100,"currency":"NOK","productDescription":"Informational message from 2333","productCategory":15,"useDeliveryReport":true,"deliveryReportGates":["0"]}`))
	require.Equal(t, http.StatusBadRequest, status, "gate 0 is not configured: %s", body)
	srv.SetGate("0", linkmobilitytest.Gate{})
	status, body = post(t, srv, "/sms/send", []byte(`{`+base+`,"source":"2333","sourceTON":"SHORTNUMBER","destination":"+4799999999","userData":"hi","tariff":100,"currency":"NOK","productDescription":"Informational message from 2333","productCategory":15,"useDeliveryReport":true,"deliveryReportGates":["0"]}`))
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.Equal(t, linkmobilitytest.MaxBatch+2, srv.Accepted())
}

// sendOne sends text to to with reports to the default gate and returns the messageId.
func sendOne(t *testing.T, srv *linkmobilitytest.Server, source, to, text, refID string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"platformId": "0", "platformPartnerId": "0", "ignoreResponse": false,
		"source": source, "sourceTON": "SHORTNUMBER", "destination": to, "userData": text, "refId": refID,
		"useDeliveryReport": true, "deliveryReportGates": []string{linkmobilitytest.DefaultGateID}})
	status, body := post(t, srv, "/sms/send", b)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var out linkmobilitytest.SendResponse
	require.NoError(t, json.Unmarshal(body, &out))
	return out.MessageID
}

// A long text gets one report per part, ids msgId$0…, each in its own request, in a
// seeded random order; every part carries the message's segment count and the refId.
func TestMultipartReports(t *testing.T) {
	order := func(seed uint64) []string {
		g := newGate(t)
		srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{Seed: seed,
			Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: g.URL, Username: "gate", Password: "secret"}}})
		defer srv.Close()
		text := strings.Repeat("0123456789", 40) // 400 GSM-7 characters: 3 segments
		require.Equal(t, 3, sms.CountSegments(text).Segments)
		id := sendOne(t, srv, "2333", "+4741560067", text, "ref-1")
		wait(t, srv)
		var ids []string
		for _, h := range g.hooks() {
			require.Equal(t, float64(3), h.Body["segments"])
			require.Equal(t, "ref-1", h.Body["refId"])
			require.True(t, strings.HasPrefix(h.Auth, "Basic "))
			ids = append(ids, h.Body["id"].(string))
		}
		require.ElementsMatch(t, []string{id + "$0", id + "$1", id + "$2"}, ids)
		for i := range ids {
			ids[i] = ids[i][len(id):]
		}
		return ids
	}
	a := order(7)
	require.Equal(t, a, order(7), "the same seed gives the same order")
	orders := map[string]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		orders[strings.Join(order(seed), "")] = true
	}
	require.Greater(t, len(orders), 1, "parts come in varying order")
}

// A gate answering non-2xx is retried (after unit·1, 2, 4: real, scaled-down waits) until
// it acknowledges; one that never does is reported by WaitCallbacks after the retries.
func TestGateRetries(t *testing.T) {
	g := newGate(t, 500, 503, 200)
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{Clock: emulator.NewManualClock(start), RetryUnit: time.Microsecond,
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: g.URL + "/dlr?token=t0k"}}})
	defer srv.Close()
	sendOne(t, srv, "2333", "+4741560067", "hi", "r")
	wait(t, srv)
	require.Len(t, g.hooks(), 3)
	d := srv.Deliveries()
	require.Len(t, d, 1)
	require.Len(t, d[0].Attempts, 3)
	require.Equal(t, time.Second, linkmobilitytest.RetryWait(time.Second, 1))
	require.Equal(t, 4*time.Second, linkmobilitytest.RetryWait(time.Second, 3))

	bad := newGate(t, 500, 500, 500)
	srv2 := linkmobilitytest.NewServer(&linkmobilitytest.Options{Retries: 2, RetryUnit: time.Microsecond,
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: bad.URL}}})
	defer srv2.Close()
	sendOne(t, srv2, "2333", "+4741560067", "hi", "r")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var de *emulator.DeliveryError
	require.ErrorAs(t, srv2.WaitCallbacks(ctx), &de)
	require.Len(t, bad.hooks(), 3)
}

// Barred numbers are accepted, then reported with the operator's code; a STOP from a handset
// puts it on the opt-out list of that short number, and later sends are reported 2205.
func TestBarringAndStop(t *testing.T) {
	g := newGate(t)
	in := newGate(t)
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{Inbound: linkmobilitytest.Gate{URL: in.URL},
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: g.URL}}})
	defer srv.Close()
	srv.Bar("+4740000001", linkmobilitytest.ResultPermanentlyBarred)
	srv.Bar("+4740000002", linkmobilitytest.ResultTemporarilyBarred)
	srv.SetOutcome("+4740000003", sms.StatusFailed, "2104")
	sendOne(t, srv, "2333", "+4740000001", "a", "1")
	sendOne(t, srv, "2333", "+4740000002", "b", "2")
	sendOne(t, srv, "2333", "+4740000003", "c", "3")
	_, err := srv.SendInbound(context.Background(), "+4740000004", "2333", "stop please")
	require.NoError(t, err)
	require.Equal(t, []emulator.OptOut{{From: "2333", To: "+4740000004"}}, srv.OptOuts())
	sendOne(t, srv, "2333", "+4740000004", "d", "4")
	sendOne(t, srv, "4444", "+4740000004", "e", "5") // another short number: not opted out
	wait(t, srv)
	got := map[string]float64{}
	for _, h := range g.hooks() {
		got[h.Body["refId"].(string)] = h.Body["resultCode"].(float64)
	}
	require.Equal(t, map[string]float64{"1": 2105, "2": 2107, "3": 2104, "4": 2205, "5": 1001}, got)
	require.Len(t, in.hooks(), 1)
}

// An inbound message has the sample's shape: destination NO-2333, RFC 3339 timestamps in
// UTC, customParameters.queued in LINK's local time.
func TestInbound(t *testing.T) {
	in := newGate(t)
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{Clock: emulator.NewManualClock(start),
		Inbound: linkmobilitytest.Gate{URL: in.URL, Username: "u", Password: "p"}})
	defer srv.Close()
	d, err := srv.SendInbound(context.Background(), "+4741560067", "2333", "Bclt hello")
	require.NoError(t, err)
	require.Equal(t, emulator.StateDelivered, d.State)
	hooks := in.hooks()
	require.Len(t, hooks, 1)
	sample := readFile(t, "inbound.json")
	require.Equal(t, keys(t, sample), keys(t, hooks[0].Raw))
	var got, want linkmobilitytest.Inbound
	require.NoError(t, json.Unmarshal(hooks[0].Raw, &got))
	require.NoError(t, json.Unmarshal(sample, &want))
	require.Equal(t, "NO-2333", got.Destination)
	require.Equal(t, want.Content, got.Content)
	require.Equal(t, "BCLT", got.Route.Keyword)
	require.Equal(t, "2026-03-04T05:06:07Z", got.Timestamp)
	require.Equal(t, "2026-03-04 06:06:07", got.CustomParameters["queued"])
	for k := range want.CustomParameters {
		require.Contains(t, got.CustomParameters, k)
	}
	require.True(t, strings.HasPrefix(hooks[0].Auth, "Basic "))

	req := srv.InboundRequest(linkmobilitytest.Gate{URL: "http://127.0.0.1/mo"}, "+4741560067", "SE-1234", "hi")
	b, _ := io.ReadAll(req.Body)
	require.Contains(t, string(b), `"destination":"SE-1234"`)
}

// Armed faults answer their status with LINK's error body, or reset the connection.
func TestFaults(t *testing.T) {
	srv := linkmobilitytest.NewServer(nil)
	defer srv.Close()
	body := withField(t, readFile(t, "send-request.json"), "ignoreResponse", false)
	srv.Arm(linkmobilitytest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 2 * time.Second})
	status, b := post(t, srv, "/sms/send", body)
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, []string{"description", "status", "translatedDescription"}, keys(t, b))
	srv.Arm(linkmobilitytest.Fault{Status: http.StatusForbidden})
	status, b = post(t, srv, "/sms/send", body)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, string(b), `"status":106101`)
	require.Zero(t, srv.Accepted())

	srv.Arm(linkmobilitytest.Fault{Reset: true})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sms/send", bytes.NewReader(body))
	req.SetBasicAuth(srv.Username(), srv.Password())
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	require.Equal(t, 1, srv.Accepted(), "Reset takes the message first")
	require.Equal(t, 3, srv.Requests())
}

// PushStatus reports a new result to the gates at once; NewReport and DeliveryReportRequest
// build a part's report.
func TestPushStatusAndBuilders(t *testing.T) {
	g := newGate(t)
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{Clock: emulator.NewManualClock(start),
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: g.URL}}})
	defer srv.Close()
	srv.SetOutcome("+4741560067", sms.StatusQueued, "")
	id := sendOne(t, srv, "2333", "+4741560067", "hi", "r")
	wait(t, srv)
	require.Empty(t, g.hooks())
	require.NoError(t, srv.PushStatus(id, sms.StatusExpired, ""))
	wait(t, srv)
	require.Len(t, g.hooks(), 1)
	require.Equal(t, float64(1002), g.hooks()[0].Body["resultCode"])
	require.Error(t, srv.PushStatus("nope", sms.StatusDelivered, ""))

	r := srv.NewReport("abc", "", 1, 2, sms.StatusDelivered, "")
	require.Equal(t, "abc$1", r.ID)
	require.Nil(t, r.RefID)
	require.Equal(t, 2, r.Segments)
	require.Equal(t, "2026-03-04 06:06:07", r.CustomParameters["received"])
	req := srv.DeliveryReportRequest(linkmobilitytest.Gate{URL: "http://127.0.0.1/dlr", Username: "u", Password: "p"}, r)
	u, p, ok := req.BasicAuth()
	require.True(t, ok)
	require.Equal(t, [2]string{"u", "p"}, [2]string{u, p})
	require.Equal(t, "abc", srv.NewReport("abc", "x", 0, 1, sms.StatusDelivered, "").ID)
}

// Gates configured through the control API receive reports.
func TestControlGates(t *testing.T) {
	g := newGate(t)
	srv := linkmobilitytest.NewServer(nil)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/_emulator/gates", "application/json",
		strings.NewReader(`{"id":"G1","url":"`+g.URL+`"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	b, _ := json.Marshal(map[string]any{"platformId": "0", "platformPartnerId": "0", "ignoreResponse": false,
		"source": "LINK", "destination": "+4741560067", "userData": "x", "deliveryReportGates": []string{"G1"}})
	status, body := post(t, srv, "/sms/send", b)
	require.Equal(t, http.StatusOK, status, "%s", body)
	wait(t, srv)
	require.Len(t, g.hooks(), 1)
}

// Every resultCode of the facts' table has LINK's description; an unknown one is named.
func TestDescriptions(t *testing.T) {
	for code, want := range map[int]string{1005: "Queued", 1001: "Billed and delivered", 2105: "Destination blocked",
		2107: "Destination temporarily blocked", 2205: "Service rejected by subscriber", 106100: "Invalid authentication",
		4007: "Unsupported content for destination", 9999: "Result 9999"} {
		require.Equal(t, want, linkmobilitytest.Description(code))
	}
	require.Equal(t, "m$2", linkmobilitytest.PartID("m", 2))
	require.Equal(t, "NO-2333", linkmobilitytest.Destination("2333"))
	require.Equal(t, "SE-1234", linkmobilitytest.Destination("SE-1234"))
}

// The barred control route bars a number; a refused send is kept with its code.
func TestControlBarredAndRefusals(t *testing.T) {
	g := newGate(t)
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: g.URL}}})
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/_emulator/barred", "application/json", strings.NewReader(`{"to":"+4740000009","code":2107}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	sendOne(t, srv, "2333", "+4740000009", "x", "b")
	wait(t, srv)
	require.Equal(t, float64(2107), g.hooks()[0].Body["resultCode"])
	srv.Bar("+4740000009", 0)
	sendOne(t, srv, "2333", "+4740000009", "x", "c")
	wait(t, srv)
	require.Equal(t, float64(1001), g.hooks()[1].Body["resultCode"])

	status, _ := post(t, srv, "/sms/send", []byte(`{"platformId":"0","platformPartnerId":"0","source":"LINK","destination":"47"}`))
	require.Equal(t, http.StatusBadRequest, status)
	msgs := srv.Messages()
	last := msgs[len(msgs)-1]
	require.False(t, last.Accepted)
	require.Equal(t, linkmobilitytest.ErrUnknown, last.ResultCode)
	srv.Reset()
	require.Empty(t, srv.Messages())
}
