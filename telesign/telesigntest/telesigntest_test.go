package telesigntest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/telesign/telesigntest"
)

// captureDate is the Date of the official Node client's captured requests.
var captureDate = time.Date(2026, 11, 23, 19, 13, 40, 0, time.UTC)

// app records callbacks and answers with the queued statuses (then 200).
type app struct {
	*httptest.Server
	mu      sync.Mutex
	got     []hook
	answers []int
}

type hook struct {
	Path, Auth, XAuth string
	Raw               []byte
	Body              map[string]any
}

func newApp(t *testing.T, answers ...int) *app {
	a := &app{answers: answers}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		a.mu.Lock()
		a.got = append(a.got, hook{r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("X-TS-Authorization"), b, body})
		status := 200
		if len(a.answers) > 0 {
			status, a.answers = a.answers[0], a.answers[1:]
		}
		a.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *app) hooks() []hook {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]hook(nil), a.got...)
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func wait(t *testing.T, srv *telesigntest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, srv.WaitCallbacks(ctx))
}

// sendRaw writes a captured request to the server byte for byte and reads the answer.
func sendRaw(t *testing.T, srv *telesigntest.Server, wire []byte) (int, map[string]any) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write(wire)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// basicPost sends a form with Basic auth.
func basicPost(t *testing.T, srv *telesigntest.Server, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/messaging", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(srv.CustomerID(), srv.APIKey())
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func code(t *testing.T, body map[string]any) int {
	t.Helper()
	st, ok := body["status"].(map[string]any)
	require.True(t, ok, "%v", body)
	return int(st["code"].(float64))
}

// Both captured requests of the official Node client (TSA-signed and Basic) are accepted
// byte for byte, with the emulator clock at the capture's Date, and answered in the shape
// that client parsed.
func TestCapturedRequestsAccepted(t *testing.T) {
	for _, name := range []string{"sdk-tsa-send", "sdk-basic-send"} {
		t.Run(name, func(t *testing.T) {
			srv := telesigntest.NewServer(&telesigntest.Options{Clock: emulator.NewManualClock(captureDate)})
			defer srv.Close()
			status, got := sendRaw(t, srv, readFile(t, name+".wire"))
			require.Equal(t, http.StatusOK, status, "%v", got)
			var want map[string]any
			require.NoError(t, json.Unmarshal(readFile(t, name+".response.json"), &want))
			ignore := cmp.FilterPath(func(p cmp.Path) bool {
				k := p.Last().String()
				return k == `["reference_id"]` || k == `["updated_on"]`
			}, cmp.Ignore())
			require.Empty(t, cmp.Diff(want, got, ignore))
			require.Regexp(t, `^[0-9A-F]{32}$`, got["reference_id"])
			m, ok := srv.Message(got["reference_id"].(string))
			require.True(t, ok)
			require.Equal(t, "14155550100", m.PhoneNumber)
			require.Equal(t, "Hello from acceptance ✓ 1+1=2 & 50% off? 🚀", m.Text)
			require.Equal(t, "ARN", m.MessageType)
		})
	}
}

// The captured TSA request is refused once its nonce was used (10002), when the clock is
// past the tolerance (10004), and when the key differs (10008 with signature_string).
func TestCapturedTSARefusals(t *testing.T) {
	wire := readFile(t, "sdk-tsa-send.wire")
	clock := emulator.NewManualClock(captureDate)
	srv := telesigntest.NewServer(&telesigntest.Options{Clock: clock})
	defer srv.Close()
	status, _ := sendRaw(t, srv, wire)
	require.Equal(t, http.StatusOK, status)
	status, got := sendRaw(t, srv, wire)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, telesigntest.CodeNonceReused, code(t, got))

	late := telesigntest.NewServer(&telesigntest.Options{Clock: emulator.NewManualClock(captureDate.Add(telesigntest.DefaultDateTolerance + time.Second))})
	defer late.Close()
	status, got = sendRaw(t, late, wire)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, telesigntest.CodeDateOutOfRange, code(t, got))

	other := telesigntest.NewServer(&telesigntest.Options{Clock: emulator.NewManualClock(captureDate), APIKey: "b3RoZXIga2V5"})
	defer other.Close()
	status, got = sendRaw(t, other, wire)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, telesigntest.CodeInvalidSignature, code(t, got))
	require.Equal(t, "POST\napplication/x-www-form-urlencoded\nMon, 23 Nov 2026 19:13:40 GMT\nx-ts-auth-method:HMAC-SHA256\n"+
		"x-ts-nonce:d31b834e-85bb-49f3-a7a3-254418ad1713\n"+strings.TrimSpace(string(wire[bytes.Index(wire, []byte("\r\n\r\n"))+4:]))+"\n/v1/messaging",
		got["signature_string"])
	require.Equal(t, 0, other.Accepted())
}

// The facts' SDK test vectors (vendors/telesign.md §1.2, §7) reproduce.
func TestSignatureVectors(t *testing.T) {
	const key = "EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw=="
	const date, nonce = "Wed, 14 Dec 2016 18:20:12 GMT", "A1592C6F-E384-4CDB-BC42-C3AB970369E9"
	require.Len(t, telesigntest.DecodeKey(key), 61)
	for _, tc := range []struct{ method, ct, body, want string }{
		{"POST", "application/x-www-form-urlencoded", "test=param", "2xVlmbrxLjYrrPun3G3WMNG6Jon4yKcTeOoK9DjXJ/Q="},
		{"POST", "application/x-www-form-urlencoded", "test=%CF%BF", "h8d4I0RTxErbxYXuzCOtNqb/f0w3Ck8e5SEkGNj01+8="},
		{"GET", "", "", "aUm7I+9GKl3ww7PNeeJntCT0iS7b+EmRKEE4LnRzChQ="},
	} {
		sts := telesigntest.StringToSign(tc.method, tc.ct, date, "HMAC-SHA256", "", nonce, []byte(tc.body), "/v1/resource")
		require.Equal(t, tc.want, telesigntest.Sign(key, []byte(sts)), tc.body)
	}
	require.Equal(t, "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744=", telesigntest.Sign(key, []byte("{'test': 123}")))
}

// Authentication failures answer 401 with Telesign's envelope and the code of the failure.
func TestAuthFailures(t *testing.T) {
	clock := emulator.NewManualClock(captureDate)
	srv := telesigntest.NewServer(&telesigntest.Options{Clock: clock})
	defer srv.Close()
	body := "phone_number=14155550100&message=hi&message_type=ARN"
	newReq := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messaging", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	for _, tc := range []struct {
		name string
		prep func(*http.Request)
		want int
	}{
		{"no header", func(*http.Request) {}, telesigntest.CodeMissingAuth},
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, telesigntest.CodeMalformedAuth},
		{"basic wrong customer", func(r *http.Request) { r.SetBasicAuth("someone", srv.APIKey()) }, telesigntest.CodeInvalidCustomerID},
		{"basic wrong key", func(r *http.Request) { r.SetBasicAuth(srv.CustomerID(), "bad") }, telesigntest.CodeInvalidAPIKey},
		{"tsa wrong customer", func(r *http.Request) {
			require.NoError(t, telesigntest.SignRequest(r, "someone", srv.APIKey(), "n1", clock.Now()))
		}, telesigntest.CodeInvalidCustomerID},
		{"tsa no date", func(r *http.Request) {
			require.NoError(t, telesigntest.SignRequest(r, srv.CustomerID(), srv.APIKey(), "n2", clock.Now()))
			r.Header.Del("Date")
		}, telesigntest.CodeMissingDate},
		{"tsa bad date", func(r *http.Request) {
			require.NoError(t, telesigntest.SignRequest(r, srv.CustomerID(), srv.APIKey(), "n3", clock.Now()))
			r.Header.Set("Date", "yesterday")
		}, telesigntest.CodeDateFormat},
		{"tsa method", func(r *http.Request) {
			require.NoError(t, telesigntest.SignRequest(r, srv.CustomerID(), srv.APIKey(), "n4", clock.Now()))
			r.Header.Set("x-ts-auth-method", "MD5")
		}, telesigntest.CodeAuthMethod},
		{"tsa no nonce", func(r *http.Request) {
			require.NoError(t, telesigntest.SignRequest(r, srv.CustomerID(), srv.APIKey(), "", clock.Now()))
		}, telesigntest.CodeNonceLength},
		{"tsa old date", func(r *http.Request) {
			require.NoError(t, telesigntest.SignRequest(r, srv.CustomerID(), srv.APIKey(), "n5", clock.Now().Add(-time.Hour)))
		}, telesigntest.CodeDateOutOfRange},
		{"tsa tampered", func(r *http.Request) {
			require.NoError(t, telesigntest.SignRequest(r, srv.CustomerID(), srv.APIKey(), "n6", clock.Now()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		}, telesigntest.CodeInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newReq()
			tc.prep(req)
			status, got := do(t, req)
			require.Equal(t, http.StatusUnauthorized, status)
			require.Equal(t, tc.want, code(t, got))
			require.Regexp(t, `^[0-9A-F]{32}$`, got["reference_id"])
		})
	}
	require.Equal(t, 0, srv.Accepted())

	// x-ts-date in place of Date: the Date line is empty and an x-ts-date line is signed.
	req := newReq()
	d := clock.Now().Format(http.TimeFormat)
	req.Header.Set("x-ts-date", d)
	req.Header.Set("x-ts-auth-method", "HMAC-SHA256")
	req.Header.Set("x-ts-nonce", "n7")
	sts := telesigntest.StringToSign("POST", "application/x-www-form-urlencoded", "", "HMAC-SHA256", d, "n7", []byte(body), "/v1/messaging")
	req.Header.Set("Authorization", "TSA "+srv.CustomerID()+":"+telesigntest.Sign(srv.APIKey(), []byte(sts)))
	status, got := do(t, req)
	require.Equal(t, http.StatusOK, status, "%v", got)
}

// The validation table: missing and invalid parameters get HTTP 400 and their code.
func TestValidation(t *testing.T) {
	srv := telesigntest.NewServer(nil)
	defer srv.Close()
	ok := url.Values{"phone_number": {"14155550100"}, "message": {"hi"}, "message_type": {"ARN"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range ok {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	for _, tc := range []struct {
		form url.Values
		want int
	}{
		{with("phone_number", ""), telesigntest.CodeMissingPhone},
		{with("message", ""), telesigntest.CodeMissingMessage},
		{with("message_type", ""), telesigntest.CodeMissingMessageType},
		{with("phone_number", "+14155550100"), telesigntest.CodeInvalidPhone},
		{with("phone_number", "123"), telesigntest.CodeInvalidPhone},
		{with("phone_number", "04155550100"), telesigntest.CodeInvalidCountry},
		{with("message", strings.Repeat("x", 1601)), telesigntest.CodeInvalidMessage},
		{with("message_type", "PROMO"), telesigntest.CodeInvalidMessageType},
		{with("sender_id", "way-too-long-sender-id!"), telesigntest.CodeInvalidSenderID},
		{with("callback_url", "not a url"), telesigntest.CodeInvalidCallbackURL},
		{with("account_lifecycle_event", "bogus"), telesigntest.CodeInvalidLifecycle},
		{with("originating_ip", "1.2.3"), telesigntest.CodeInvalidOrigIP},
	} {
		status, got := basicPost(t, srv, tc.form)
		require.Equal(t, http.StatusBadRequest, status, "%v", tc.form)
		require.Equal(t, tc.want, code(t, got), "%v", tc.form)
	}
	require.Equal(t, 0, srv.Accepted())
	status, got := basicPost(t, srv, with("external_id", "CustomExternalID7349"))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "CustomExternalID7349", got["external_id"])
	require.Equal(t, 290, code(t, got))
	require.Equal(t, "Message in progress", got["status"].(map[string]any)["description"])
}

// An accepted send's callback_url gets a signed 203, then the final report; the status
// query follows. Both callbacks verify with the API key.
func TestDeliveryReports(t *testing.T) {
	a := newApp(t)
	clock := emulator.NewManualClock(captureDate)
	srv := telesigntest.NewServer(&telesigntest.Options{Clock: clock})
	defer srv.Close()
	srv.SetOutcome("+14155550100", sms.StatusUndelivered, "511")
	status, got := basicPost(t, srv, url.Values{"phone_number": {"14155550100"}, "message": {"hi"}, "message_type": {"OTP"},
		"callback_url": {a.URL + "/telesign"}, "external_id": {"att-1"}})
	require.Equal(t, http.StatusOK, status)
	ref := got["reference_id"].(string)
	wait(t, srv)
	hs := a.hooks()
	require.Len(t, hs, 2)
	for i, wantCode := range []int{203, 511} {
		h := hs[i]
		require.Equal(t, "/telesign", h.Path)
		require.Equal(t, srv.CallbackAuthorization(h.Raw), h.Auth)
		require.Equal(t, "TSA "+srv.CustomerID()+":"+h.XAuth, h.Auth)
		require.Equal(t, ref, h.Body["reference_id"])
		require.Equal(t, "att-1", h.Body["external_id"])
		require.Equal(t, wantCode, code(t, h.Body))
		require.Equal(t, "2026-11-23T19:13:40.000000Z", h.Body["submit_timestamp"])
	}
	require.False(t, telesigntest.Final(203))
	require.True(t, telesigntest.Final(511))

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/messaging/"+ref, nil)
	require.NoError(t, telesigntest.SignRequest(req, srv.CustomerID(), srv.APIKey(), "q1", clock.Now()))
	status, got = do(t, req)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 511, code(t, got))

	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/v1/messaging/0123456789ABCDEF0123456789ABCDEF", nil)
	req.SetBasicAuth(srv.CustomerID(), srv.APIKey())
	status, got = do(t, req)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, telesigntest.CodeNotFound, code(t, got))
}

// Without a callback URL the final status applies when due on the emulator clock; a
// callback not answered exactly 200 is retried, and one never answered 200 is reported.
func TestStatusAndRetries(t *testing.T) {
	clock := emulator.NewManualClock(captureDate)
	srv := telesigntest.NewServer(&telesigntest.Options{Clock: clock})
	defer srv.Close()
	srv.SetOutcomeDelay("14155550100", sms.StatusDelivered, "", time.Minute)
	_, got := basicPost(t, srv, url.Values{"phone_number": {"14155550100"}, "message": {"hi"}, "message_type": {"ARN"}})
	ref := got["reference_id"].(string)
	m, _ := srv.Message(ref)
	require.Equal(t, 203, m.Status.Code)
	clock.Advance(time.Minute)
	m, _ = srv.Message(ref)
	require.Equal(t, 200, m.Status.Code)

	a := newApp(t, 204, 500) // 204 is not 200: retried
	srv.SetCallbackURL(a.URL)
	srv.SetOutcome("14155550100", sms.StatusDelivered, "")
	basicPost(t, srv, url.Values{"phone_number": {"14155550100"}, "message": {"hi"}, "message_type": {"ARN"}})
	wait(t, srv)
	require.Len(t, a.hooks(), 4) // 203 twice refused then taken, final once

	bad := newApp(t, 500, 500, 500, 500)
	srv.SetCallbackURL(bad.URL)
	basicPost(t, srv, url.Values{"phone_number": {"14155550100"}, "message": {"hi"}, "message_type": {"ARN"}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var de *emulator.DeliveryError
	require.ErrorAs(t, srv.WaitCallbacks(ctx), &de)
	require.Len(t, bad.hooks(), 4+1) // 1 + DefaultRetries attempts of the 203, then the final
}

// Blocked numbers: the customer's block list (Block, an inbound STOP) refuses with 10031,
// Telesign's global one with 10032; START lifts an opt-out. The hard cap answers 429 10020,
// an armed 429 fault 10019 with Retry-After.
func TestRefusals(t *testing.T) {
	in := newApp(t)
	srv := telesigntest.NewServer(&telesigntest.Options{InboundURL: in.URL + "/mo"})
	defer srv.Close()
	form := func(to string) url.Values {
		return url.Values{"phone_number": {to}, "message": {"hi"}, "message_type": {"MKT"}}
	}
	srv.Block("+14155550101")
	srv.BlockGlobally("+14155550102")
	status, got := basicPost(t, srv, form("14155550101"))
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, telesigntest.CodeBlockedByCustomer, code(t, got))
	status, got = basicPost(t, srv, form("14155550102"))
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, telesigntest.CodeBlockedGlobally, code(t, got))

	_, err := srv.SendInbound(context.Background(), "+14155550103", "+14155550199", "Arrêt")
	require.NoError(t, err)
	h := in.hooks()[0]
	require.Equal(t, srv.CallbackAuthorization(h.Raw), h.Auth)
	ur := h.Body["user_response"].(map[string]any)
	require.Equal(t, "stop", ur["action"])
	require.Equal(t, "arrêt", ur["keyword"])
	require.Equal(t, "14155550103", ur["phone_number"])
	require.Equal(t, "14155550199", ur["sender_id"])
	require.Equal(t, "mo_sms", h.Body["sub_resource"])
	status, got = basicPost(t, srv, form("14155550103"))
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, telesigntest.CodeBlockedByCustomer, code(t, got))
	_, err = srv.SendInbound(context.Background(), "+14155550103", "+14155550199", "START")
	require.NoError(t, err)
	status, _ = basicPost(t, srv, form("14155550103"))
	require.Equal(t, http.StatusOK, status)

	srv.SetHardCap(1)
	status, _ = basicPost(t, srv, form("14155550104"))
	require.Equal(t, http.StatusOK, status)
	status, got = basicPost(t, srv, form("14155550104"))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, telesigntest.CodeHardCap, code(t, got))
	srv.SetHardCap(0)

	srv.Arm(telesigntest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messaging", strings.NewReader(form("14155550104").Encode()))
	req.SetBasicAuth(srv.CustomerID(), srv.APIKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "2", resp.Header.Get("Retry-After"))
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, telesigntest.CodeRateLimit, code(t, body))
}

// An inbound answered other than 200 after the retries is a *emulator.DeliveryError.
func TestSendInboundError(t *testing.T) {
	in := newApp(t, 401, 401, 401, 401)
	srv := telesigntest.NewServer(&telesigntest.Options{CallbackURL: in.URL})
	defer srv.Close()
	_, err := srv.SendInbound(context.Background(), "+14155550103", "4442", "hello")
	var de *emulator.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "generic", in.hooks()[0].Body["user_response"].(map[string]any)["action"])
}

// The facts' published payloads keep their shape through the emulator's types: the DLR and
// inbound samples re-encode to the same JSON, and the harness builders sign what they send.
func TestPublishedPayloads(t *testing.T) {
	for _, tc := range []struct {
		file string
		into interface{ Body() []byte }
	}{
		{"dlr.json", &telesigntest.Report{}},
		{"inbound.json", &telesigntest.Inbound{}},
	} {
		raw := readFile(t, tc.file)
		require.NoError(t, json.Unmarshal(raw, tc.into))
		var want, got map[string]any
		require.NoError(t, json.Unmarshal(raw, &want))
		require.NoError(t, json.Unmarshal(tc.into.Body(), &got))
		require.Empty(t, cmp.Diff(want, got), tc.file)
	}
	var sendResp, errResp map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, "send-response.json"), &sendResp))
	require.NoError(t, json.Unmarshal(readFile(t, "error-401.json"), &errResp))
	require.Equal(t, "Message in progress", telesigntest.Description(int(sendResp["status"].(map[string]any)["code"].(float64))))
	require.Equal(t, errResp["status"].(map[string]any)["description"], telesigntest.Description(telesigntest.CodeInvalidSignature))

	srv := telesigntest.NewServer(nil)
	defer srv.Close()
	req := srv.DeliveryReportRequest("https://app.example/telesign", srv.NewReport("REF", "", sms.StatusDelivered, ""))
	b, _ := io.ReadAll(req.Body)
	require.Equal(t, srv.CallbackAuthorization(b), req.Header.Get("Authorization"))
	require.Contains(t, string(b), `"external_id":null`)
	req = srv.InboundRequest("https://app.example/telesign", "+33612345678", "4442", "stop")
	b, _ = io.ReadAll(req.Body)
	require.Equal(t, telesigntest.Sign(srv.APIKey(), b), req.Header.Get("X-TS-Authorization"))
	require.Contains(t, string(b), `"iso_country_code":"FR"`)
}
