package twiliotest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// control calls the emulator's control API and returns the status and body.
func control(t *testing.T, srv *twiliotest.Server, method, path, body string) (int, []byte) {
	t.Helper()
	return emutest.Control(t, srv.URL, method, path, body)
}

func TestControlAPI(t *testing.T) {
	srv := newServer(t, nil)
	a := newApp(t, srv, nil)

	t.Run("messages", func(t *testing.T) {
		sid := a.send(t, recipient, "")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		code, b := control(t, srv, http.MethodGet, "/messages", "")
		var msgs []map[string]any
		if code != 200 || json.Unmarshal(b, &msgs) != nil {
			t.Fatalf("%d %s", code, b)
		}
		if len(msgs) != 1 || msgs[0]["sid"] != sid || msgs[0]["to"] != recipient || msgs[0]["from"] != sender ||
			msgs[0]["body"] != "Hello from twiliotest" || msgs[0]["status"] != "delivered" || msgs[0]["form"] == "" {
			t.Fatalf("messages %s", b)
		}
		a.sink.take()
	})

	t.Run("inbound and config", func(t *testing.T) {
		body := `{"from":"` + recipient + `","to":"` + sender + `","body":"STOP","media_urls":["https://media.example.com/x.png"]}`
		if code, b := control(t, srv, http.MethodPost, "/inbound", body); code != http.StatusConflict {
			t.Fatalf("inbound without a URL: %d %s", code, b)
		}
		if code, b := control(t, srv, http.MethodPost, "/config", `{"inbound_url":"`+a.srv.URL+`/inbound"}`); code != http.StatusNoContent {
			t.Fatalf("config: %d %s", code, b)
		}
		code, b := control(t, srv, http.MethodPost, "/inbound", body)
		var d struct {
			State        string `json:"state"`
			StatusCode   int    `json:"status_code"`
			URL          string `json:"url"`
			ResponseBody string `json:"response_body"`
		}
		if code != 200 || json.Unmarshal(b, &d) != nil {
			t.Fatalf("inbound: %d %s", code, b)
		}
		if d.State != "delivered" || d.StatusCode != 200 || d.URL != a.srv.URL+"/inbound" || !strings.Contains(d.ResponseBody, "<Response") {
			t.Fatalf("delivery %+v", d)
		}
		evs := a.sink.take()
		if len(evs) != 1 || evs[0].Type != sms.EventOptOut || evs[0].From != recipient || len(evs[0].MediaURLs) != 1 {
			t.Fatalf("events %+v", evs)
		}
		for _, bad := range []string{`{"to":"+1"}`, `{"from":"+1","to":"+2","nope":1}`, ``, `[`} {
			if code, b := control(t, srv, http.MethodPost, "/inbound", bad); code != http.StatusBadRequest {
				t.Errorf("inbound %q: %d %s", bad, code, b)
			}
		}
		// The account-level status callback through the config endpoint.
		if code, b := control(t, srv, http.MethodPost, "/config", `{"status_callback":"`+a.srv.URL+`/status"}`); code != http.StatusNoContent {
			t.Fatalf("config: %d %s", code, b)
		}
		require.True(t, srv.OptIn(sender, recipient), "the inbound STOP above opted the recipient out")
		r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"no callback of its own"}})
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), r.JSON["sid"].(string), "", []sms.Status{sms.StatusSent, sms.StatusDelivered}, []string{"", ""})
		if code, _ := control(t, srv, http.MethodPost, "/config", `{"status_callback":""}`); code != http.StatusNoContent {
			t.Fatal(code)
		}
	})

	t.Run("faults", func(t *testing.T) {
		code, b := control(t, srv, http.MethodPost, "/faults", `{"status":429,"retry_after":"2s"}`)
		if code != http.StatusCreated {
			t.Fatalf("arm: %d %s", code, b)
		}
		if code, b := control(t, srv, http.MethodGet, "/faults", ""); code != 200 || !strings.Contains(string(b), `"status": 429`) {
			t.Fatalf("armed faults: %d %s", code, b)
		}
		r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}})
		// An armed 429 answers with Twilio's error body, like Arm.
		wantTwilioError(t, apiResponse{Status: r.Status, Header: r.Header, JSON: r.JSON}, 429, 20429)
		if r.Header.Get("Retry-After") != "2" {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}}); r.Status != 201 {
			t.Fatalf("after the fault: %d %v", r.Status, r.JSON)
		}
		// A fault with a body of its own keeps it.
		if code, b := control(t, srv, http.MethodPost, "/faults", `{"status":500,"body":"{\"code\":12345}","content_type":"application/json"}`); code != http.StatusCreated {
			t.Fatalf("arm: %d %s", code, b)
		}
		if r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}}); r.Status != 500 || r.JSON["code"] != float64(12345) {
			t.Fatalf("custom body: %d %v", r.Status, r.JSON)
		}
		for _, bad := range []string{`{"status":429,"nope":true}`, `{"retry_after":"2s"}`, `{"status":99}`, `not json`} {
			if code, b := control(t, srv, http.MethodPost, "/faults", bad); code != http.StatusBadRequest {
				t.Errorf("fault %q: %d %s", bad, code, b)
			}
		}
		// The through-provider view: a control-API 429 is retried after its Retry-After.
		if code, _ := control(t, srv, http.MethodPost, "/faults", `{"status":429,"retry_after":3}`); code != http.StatusCreated {
			t.Fatal(code)
		}
		clock := &smstest.FakeClock{}
		c := sms.NewClient(a.p, &sms.ClientOptions{Clock: clock})
		res, err := c.Send(ctxT(t), message(recipient))
		if err != nil || !res[0].OK() || res[0].Attempts != 2 || len(clock.Sleeps()) != 1 || clock.Sleeps()[0].Seconds() != 3 {
			t.Fatalf("%v %+v sleeps %v", err, res, clock.Sleeps())
		}
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		a.sink.take()
	})

	t.Run("outcomes", func(t *testing.T) {
		to := "+14155550177"
		code, b := control(t, srv, http.MethodPost, "/outcomes", `{"to":"`+to+`","status":"undelivered","error_code":"30003"}`)
		if code != 200 {
			t.Fatalf("%d %s", code, b)
		}
		sid := a.send(t, to, "o")
		if err := srv.WaitCallbacks(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		wantReports(t, a.sink.take(), sid, "o", []sms.Status{sms.StatusSent, sms.StatusUndelivered}, []string{"", "30003"})
		if code, b := control(t, srv, http.MethodPost, "/outcomes", `{"status":"nonsense"}`); code != http.StatusBadRequest {
			t.Fatalf("bad outcome: %d %s", code, b)
		}
	})

	t.Run("deliveries and requests", func(t *testing.T) {
		code, b := control(t, srv, http.MethodGet, "/deliveries", "")
		if code != 200 || !bytes.Contains(b, []byte(`"state": "delivered"`)) {
			t.Fatalf("%d %s", code, b)
		}
		code, b = control(t, srv, http.MethodGet, "/requests?method=POST", "")
		var reqs []map[string]any
		if code != 200 || json.Unmarshal(b, &reqs) != nil || len(reqs) == 0 {
			t.Fatalf("%d %s", code, b)
		}
		for _, r := range reqs {
			if r["method"] != "POST" || strings.HasPrefix(r["path"].(string), "/_emulator") {
				t.Fatalf("request %v", r)
			}
		}
	})

	t.Run("reset", func(t *testing.T) {
		control(t, srv, http.MethodPost, "/faults", `{"status":503}`)
		if code, b := control(t, srv, http.MethodPost, "/reset", ""); code != http.StatusNoContent {
			t.Fatalf("%d %s", code, b)
		}
		code, b := control(t, srv, http.MethodGet, "/messages", "")
		if code != 200 || strings.TrimSpace(string(b)) != "[]" {
			t.Fatalf("messages after reset: %d %s", code, b)
		}
		if srv.Requests() != 0 || len(srv.Messages()) != 0 {
			t.Fatalf("%d requests, %d messages after reset", srv.Requests(), len(srv.Messages()))
		}
		if r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}}); r.Status != 201 {
			t.Fatalf("fault survived the reset: %d", r.Status)
		}
		if code, _ := control(t, srv, http.MethodGet, "/nothing-here", ""); code != http.StatusNotFound {
			t.Fatalf("unknown control path: %d", code)
		}
	})
}

// TestControlAPIHidesCredentials checks that the recorded requests served over HTTP show the
// client's Basic credentials only as "Basic [REDACTED]", and that a failed inbound delivery
// does not show the webhook's token.
func TestControlAPIHidesCredentials(t *testing.T) {
	srv := newServer(t, nil)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/2010-04-01/Accounts/"+srv.AccountSID()+"/Messages.json", nil)
	require.NoError(t, err)
	req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	code, b := control(t, srv, http.MethodGet, "/requests", "")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, string(b), srv.AuthToken())
	require.NotContains(t, string(b), req.Header.Get("Authorization")[len("Basic "):])
	var reqs []struct {
		Header http.Header `json:"header"`
	}
	require.NoError(t, json.Unmarshal(b, &reqs))
	require.Len(t, reqs, 1)
	require.Equal(t, "Basic [REDACTED]", reqs[0].Header.Get("Authorization"))
	require.Equal(t, req.Header.Get("Authorization"), srv.RecordedRequests()[0].Header.Get("Authorization"),
		"Go callers still see what was sent")

	const token = "s3cretT0ken"
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer failing.Close()
	code, b = control(t, srv, http.MethodPost, "/config", `{"inbound_url":"`+failing.URL+`/in?token=`+token+`"}`)
	require.Equal(t, http.StatusNoContent, code, "%s", b)
	code, b = control(t, srv, http.MethodPost, "/inbound", `{"from":"`+recipient+`","to":"`+sender+`","body":"hi"}`)
	require.Equal(t, http.StatusBadGateway, code, "the application's 500 is not hidden: %s", b)
	require.Contains(t, string(b), "answered 500")
	require.Contains(t, string(b), "down", "the first line of the answer")
	require.NotContains(t, string(b), token)
	_, b = control(t, srv, http.MethodGet, "/deliveries", "")
	require.NotContains(t, string(b), token)
	require.Contains(t, string(b), "token=[REDACTED]")
}

func TestConsentStopThenStart(t *testing.T) {
	srv := twiliotest.NewServer(&twiliotest.Options{})
	t.Cleanup(srv.Close)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<Response/>") }))
	t.Cleanup(app.Close)
	srv.SetInboundURL(app.URL + "/in")
	sendForm := func(form url.Values) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/2010-04-01/Accounts/"+srv.AccountSID()+"/Messages.json", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	fromSender := url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}}
	other := url.Values{"To": {recipient}, "From": {"+15005550010"}, "Body": {"hi"}}

	code, _ := sendForm(fromSender)
	require.Equal(t, http.StatusCreated, code)
	_, err := srv.SendInbound(t.Context(), recipient, sender, " stop ")
	require.NoError(t, err)
	code, body := sendForm(fromSender)
	require.Equal(t, http.StatusBadRequest, code, "%v", body)
	require.EqualValues(t, 21610, body["code"])
	code, _ = sendForm(other)
	require.Equal(t, http.StatusCreated, code, "the block is per sender number")
	require.Equal(t, []emulator.OptOut{{From: sender, To: recipient}}, srv.OptOuts())

	_, err = srv.SendInbound(t.Context(), recipient, sender, "START")
	require.NoError(t, err)
	code, _ = sendForm(fromSender)
	require.Equal(t, http.StatusCreated, code, "START opts back in")

	// Through the control API, scoped to a Messaging Service.
	viaService := url.Values{"To": {recipient}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"}, "Body": {"hi"}}
	c, b := control(t, srv, http.MethodPost, "/optouts", `{"from":"MG0123456789abcdef0123456789abcdef","to":"`+recipient+`"}`)
	require.Equal(t, http.StatusOK, c, "%s", b)
	code, body = sendForm(viaService)
	require.Equal(t, http.StatusBadRequest, code)
	require.EqualValues(t, 21610, body["code"])
	c, b = control(t, srv, http.MethodGet, "/optouts", "")
	require.Equal(t, http.StatusOK, c)
	require.Contains(t, string(b), "MG0123456789abcdef0123456789abcdef")
	c, b = control(t, srv, http.MethodDelete, "/optouts?from=MG0123456789abcdef0123456789abcdef&to="+url.QueryEscape(recipient), "")
	require.Equal(t, http.StatusNoContent, c, "%s", b)
	code, _ = sendForm(viaService)
	require.Equal(t, http.StatusCreated, code)
	c, _ = control(t, srv, http.MethodDelete, "/optouts?from=MG0123456789abcdef0123456789abcdef&to="+url.QueryEscape(recipient), "")
	require.Equal(t, http.StatusNotFound, c)
}

func TestFetchedFailureCarriesErrorMessage(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	t.Cleanup(srv.Close)
	srv.SetOutcome(recipient, sms.StatusUndelivered, "30003")
	r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}})
	require.Equal(t, http.StatusCreated, r.Status)
	sid := r.JSON["sid"].(string)
	fetch := func() map[string]any {
		f := do(t, http.MethodGet, srv.URL+"/2010-04-01/Accounts/"+srv.AccountSID()+"/Messages/"+sid+".json", srv.AccountSID(), srv.AuthToken(), "", nil)
		require.Equal(t, http.StatusOK, f.Status)
		return f.JSON
	}
	got := fetch() // no status callback: the outcome applies at once (no delays configured)
	require.Equal(t, "undelivered", got["status"])
	require.EqualValues(t, 30003, got["error_code"])
	require.Equal(t, "Unreachable destination handset", got["error_message"])

	// A report pushed for the existing message.
	require.NoError(t, srv.PushStatus(sid, sms.StatusFailed, "30007"))
	got = fetch()
	require.Equal(t, "failed", got["status"])
	require.EqualValues(t, 30007, got["error_code"])
	require.Equal(t, "Message filtered", got["error_message"])
	require.NoError(t, srv.PushStatus(sid, sms.StatusDelivered, ""))
	got = fetch()
	require.Equal(t, "delivered", got["status"])
	require.Nil(t, got["error_code"])
	require.Nil(t, got["error_message"])
	require.Error(t, srv.PushStatus("SMnope", sms.StatusDelivered, ""))
}
