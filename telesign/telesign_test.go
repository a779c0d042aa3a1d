package telesign_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/tsasign"
	"github.com/smsbridge/sms/telesign"
)

// wireCapture is the part of a shared/wire capture the tests read.
type wireCapture struct {
	Requests []struct {
		Method  string              `json:"method"`
		Path    string              `json:"path"`
		Headers map[string][]string `json:"headers"`
		Body    string              `json:"body"`
	} `json:"requests"`
}

func loadCapture(t *testing.T, name string) (hdr http.Header, body string) {
	var c wireCapture
	require.NoError(t, json.Unmarshal(fixture(t, name), &c))
	require.Len(t, c.Requests, 1)
	return http.Header(c.Requests[0].Headers), c.Requests[0].Body
}

const wireText = "Hello from acceptance ✓ 1+1=2 & 50% off? 🚀"

// The official Node client's TSA-signed request, reproduced with its Date and nonce: the same
// form fields in the same order and percent-encoding, and a signature that verifies exactly
// as the capture's does (the captured signature itself is reproduced in internal/tsasign).
func TestSendTSAMatchesOfficialClient(t *testing.T) {
	hdr, wireBody := loadCapture(t, "wire-telesignsdk-send.json")
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) { writeJSON(w, 200, accepted) })
	date, err := http.ParseTime(hdr.Get("Date"))
	require.NoError(t, err)
	p := newProvider(t, f.URL, &telesign.Options{
		Auth:  telesign.AuthTSA,
		Clock: &fixedClock{t: date},
		Nonce: func() string { return hdr.Get("X-Ts-Nonce") },
	})
	res, err := p.Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, Body: wireText, IdempotencyKey: "k1"})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.Equal(t, "0123456789ABCDEF0123456789ABCDEF", res[0].MessageID)
	require.Equal(t, sms.StatusAccepted, res[0].Status)
	require.Equal(t, 1, res[0].Segments)

	reqs := f.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	require.Equal(t, "POST", got.Method)
	require.Equal(t, "/v1/messaging", got.Path)
	// The captured body, then our external_id (the attempt id: no Reference was given).
	require.Equal(t, wireBody+"&external_id="+telesign.AttemptID("k1", "+14155550100"), string(got.Body))
	for _, h := range []string{"Date", "Content-Type", "X-Ts-Auth-Method", "X-Ts-Nonce"} {
		require.Equal(t, hdr.Get(h), got.Header.Get(h), h)
	}
	key, err := tsasign.DecodeKey(wireKey)
	require.NoError(t, err)
	want := tsasign.Authorization(customerID, tsasign.Sign(key, "POST", hdr.Get("Content-Type"), hdr.Get("Date"), hdr.Get("X-Ts-Nonce"), got.Body, "/v1/messaging"))
	require.Equal(t, want, got.Header.Get("Authorization"))
	// Signing the captured body the same way gives the captured header, bit for bit.
	require.Equal(t, hdr.Get("Authorization"), tsasign.Authorization(customerID,
		tsasign.Sign(key, "POST", hdr.Get("Content-Type"), hdr.Get("Date"), hdr.Get("X-Ts-Nonce"), []byte(wireBody), "/v1/messaging")))
}

func TestSendBasicMatchesOfficialClient(t *testing.T) {
	hdr, wireBody := loadCapture(t, "wire-telesignsdk-basic-send.json")
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) { writeJSON(w, 200, accepted) })
	p := newProvider(t, f.URL, nil)
	_, err := p.Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, Body: wireText, Reference: "r"})
	require.NoError(t, err)
	got := f.Requests()[0]
	require.Equal(t, hdr.Get("Authorization"), got.Header.Get("Authorization"))
	require.Equal(t, "Basic", got.Header.Get("X-Ts-Auth-Method"))
	require.Equal(t, wireBody+"&external_id=r", string(got.Body))
}

// Every attempt is signed afresh: a retry by sms.Client gets a new Date and nonce, and so a
// new signature (Telesign refuses a reused nonce, 10002).
func TestSendFreshSignatureEveryAttempt(t *testing.T) {
	n := 0
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		n++
		if n == 1 {
			writeJSON(w, 429, string(fixture(t, "error-rate-limit.json")))
			return
		}
		writeJSON(w, 200, accepted)
	})
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	p := newProvider(t, f.URL, &telesign.Options{Auth: telesign.AuthTSA, Clock: &fixedClock{t: start, step: 2 * time.Second}, Nonce: counterNonce()})
	c := sms.NewClient(p, &sms.ClientOptions{Clock: &fixedClock{t: start}})
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "Acme"}, Body: "hi"})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "nonce-1", reqs[0].Header.Get("X-Ts-Nonce"))
	require.Equal(t, "nonce-2", reqs[1].Header.Get("X-Ts-Nonce"))
	require.NotEqual(t, reqs[0].Header.Get("Date"), reqs[1].Header.Get("Date"))
	require.NotEqual(t, reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization"))
	require.Equal(t, reqs[0].Body, reqs[1].Body, "the same attempt id and form")
}

func TestSendFormFields(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) { writeJSON(w, 200, accepted) })
	p, err := telesign.New(telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(wireKey),
		DeliveryURL: "https://app.example.com/hooks/telesign?x=1"}, &telesign.Options{BaseURL: f.URL})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		msg  sms.Message
		want url.Values
	}{
		{"default", sms.Message{To: []string{"+447700900123"}, Body: "b", IdempotencyKey: "k"}, url.Values{
			"phone_number": {"447700900123"}, "message": {"b"}, "message_type": {"ARN"},
			"callback_url": {"https://app.example.com/hooks/telesign?x=1&smsbridge_attempt=" + telesign.AttemptID("k", "+447700900123")},
			"external_id":  {telesign.AttemptID("k", "+447700900123")},
		}},
		{"otp, number sender, own callback, reference", sms.Message{To: []string{"+447700900123"}, Body: "123456", Type: sms.TypeOTP,
			From: sms.Sender{Value: "+14155550199"}, CallbackURL: "https://other.example.com/cb", Reference: "order-7", IdempotencyKey: "k"}, url.Values{
			"phone_number": {"447700900123"}, "message": {"123456"}, "message_type": {"OTP"}, "sender_id": {"14155550199"},
			"callback_url": {"https://other.example.com/cb?smsbridge_attempt=" + telesign.AttemptID("k", "+447700900123")},
			"external_id":  {"order-7"},
		}},
		{"marketing, alphanumeric", sms.Message{To: []string{"+447700900123"}, Body: "sale", Type: sms.TypeMarketing,
			From: sms.Sender{Value: "Acme"}, Reference: "r", IdempotencyKey: "k"}, url.Values{
			"phone_number": {"447700900123"}, "message": {"sale"}, "message_type": {"MKT"}, "sender_id": {"Acme"},
			"callback_url": {"https://app.example.com/hooks/telesign?x=1&smsbridge_attempt=" + telesign.AttemptID("k", "+447700900123")},
			"external_id":  {"r"},
		}},
		{"transactional", sms.Message{To: []string{"+447700900123"}, Body: "b", Type: sms.TypeTransactional, Reference: "r", IdempotencyKey: "k"}, url.Values{
			"phone_number": {"447700900123"}, "message": {"b"}, "message_type": {"ARN"},
			"callback_url": {"https://app.example.com/hooks/telesign?x=1&smsbridge_attempt=" + telesign.AttemptID("k", "+447700900123")},
			"external_id":  {"r"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(f.Requests())
			_, err := p.Send(context.Background(), &tc.msg)
			require.NoError(t, err)
			got, err := url.ParseQuery(string(f.Requests()[n].Body))
			require.NoError(t, err)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Fatalf("form (-want +got):\n%s", d)
			}
		})
	}
}

func TestAttemptIDStable(t *testing.T) {
	a := telesign.AttemptID("key", "+14155550100")
	require.Len(t, a, 32)
	require.Equal(t, a, telesign.AttemptID("key", "+14155550100"))
	require.NotEqual(t, a, telesign.AttemptID("key", "+14155550101"))
	require.Equal(t, strings.ToUpper(a), a)
}

func TestSendRefusesBeforeAnyRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) { writeJSON(w, 200, accepted) })
	p := newProvider(t, f.URL, nil)
	for name, msg := range map[string]*sms.Message{
		"two recipients": {To: []string{"+14155550100", "+14155550101"}, Body: "b"},
		"validity":       {To: []string{"+14155550100"}, Body: "b", Validity: time.Hour},
		"too long":       {To: []string{"+14155550100"}, Body: strings.Repeat("é", telesign.MaxBody+1)},
		"bad callback":   {To: []string{"+14155550100"}, Body: "b", CallbackURL: "/relative"},
		"bad type":       {To: []string{"+14155550100"}, Body: "b", Type: sms.MessageType(99)},
	} {
		res, err := p.Send(context.Background(), msg)
		require.Nil(t, res, name)
		var se *sms.Error
		require.ErrorAs(t, err, &se, name)
		require.True(t, se.NotAccepted, name)
	}
	require.Empty(t, f.Requests())
}

// The error table: HTTP status and Telesign's status.code → portable code and NotAccepted.
func TestSendErrorTable(t *testing.T) {
	for _, tc := range []struct {
		http        int
		body        string
		code        sms.Code
		notAccepted bool
		vendorCode  string
	}{
		{429, `{"status":{"code":10019,"description":"Rate Limit Exceeded"}}`, sms.CodeRateLimited, true, "10019"},
		{429, `{"status":{"code":10020,"description":"Messaging transaction hard cap reached"}}`, sms.CodePermissionDenied, true, "10020"},
		{401, `{"status":{"code":10008,"description":"Invalid Signature."},"signature_string":"POST\nsecret"}`, sms.CodeUnauthenticated, true, "10008"},
		{401, `{"status":{"code":10002,"description":"Nonce reused"}}`, sms.CodeUnauthenticated, true, "10002"},
		{401, `{"status":{"code":10010,"description":"Account suspended"}}`, sms.CodePermissionDenied, true, "10010"},
		{402, `{"status":{"code":10030,"description":"Insufficient funds"}}`, sms.CodePermissionDenied, true, "10030"},
		{400, `{"status":{"code":10031,"description":"Message blocked by customer request"}}`, sms.CodeOptedOut, true, "10031"},
		{400, `{"status":{"code":10032,"description":"Message blocked by Telesign"}}`, sms.CodePermissionDenied, true, "10032"},
		{400, `{"status":{"code":11000,"description":"Invalid value for parameter phone_number"}}`, sms.CodeInvalidRecipient, true, "11000"},
		{400, `{"status":{"code":"11011","description":"Invalid parameter value"}}`, sms.CodeInvalidArgument, true, "11011"},
		{400, string(fixtureBytes("error-missing-parameter.json")), sms.CodeInvalidArgument, true, "12000"},
		{404, `{"status":{"code":10036,"description":"Reference ID expired"}}`, sms.CodeNotFound, true, "10036"},
		{500, `{"status":{"code":10000,"description":"System Unavailable, Please try again later"}}`, sms.CodeOutcomeUnknown, false, "10000"},
		{503, `{"status":{"code":10000,"description":"System Unavailable"}}`, sms.CodeOutcomeUnknown, false, "10000"},
		{400, `{"errors":[{"code":-90001,"description":"System Unavailable"}]}`, sms.CodeInvalidArgument, true, "-90001"},
		{502, `<html>proxy echo Authorization: Basic c2VjcmV0</html>`, sms.CodeOutcomeUnknown, false, ""},
	} {
		t.Run(fmt.Sprintf("%d %s", tc.http, tc.vendorCode), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) { writeJSON(w, tc.http, tc.body) })
			p := newProvider(t, f.URL, nil)
			res, err := p.Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, Body: "b", IdempotencyKey: "k"})
			require.Nil(t, res)
			var se *sms.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, tc.code, se.Code)
			require.Equal(t, tc.notAccepted, se.NotAccepted)
			require.Equal(t, tc.vendorCode, se.VendorCode)
			require.Equal(t, tc.http, se.HTTPStatus)
			require.NotContains(t, err.Error(), "c2VjcmV0")
			require.NotContains(t, err.Error(), "secret")
			require.NotContains(t, err.Error(), "proxy")
			if tc.code == sms.CodeOutcomeUnknown {
				require.Contains(t, se.Message, telesign.AttemptID("k", "+14155550100"))
			}
		})
	}
}

func fixtureBytes(name string) []byte {
	b, err := testdataFS.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// A 2xx whose status is a failure refuses that recipient; an unreadable 2xx is OutcomeUnknown
// for the whole request.
func TestSendSuccessAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     sms.Status
		code       sms.Code
		segments   int
		whole      bool
	}{
		{"published", string(fixtureBytes("send-response.json")), sms.StatusAccepted, sms.CodeUnknown, 0, false},
		{"parts", string(fixtureBytes("send-response-parts.json")), sms.StatusAccepted, sms.CodeUnknown, 2, false},
		{"queued", `{"reference_id":"A","status":{"code":292}}`, sms.StatusQueued, sms.CodeUnknown, 0, false},
		{"blocked in 200", `{"reference_id":"A","status":{"code":10031,"description":"blocked"}}`, 0, sms.CodeOptedOut, 0, false},
		{"invalid destination", `{"reference_id":"A","status":{"code":507,"description":"Invalid destination address"}}`, 0, sms.CodeInvalidRecipient, 0, false},
		{"not json", `ok`, 0, sms.CodeOutcomeUnknown, 0, true},
		{"no status", `{"reference_id":"A"}`, 0, sms.CodeOutcomeUnknown, 0, true},
		{"no reference", `{"status":{"code":290}}`, 0, sms.CodeOutcomeUnknown, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) { writeJSON(w, 200, tc.body) })
			p := newProvider(t, f.URL, nil)
			res, err := p.Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, Body: "b"})
			var se *sms.Error
			switch {
			case tc.whole:
				require.Nil(t, res)
				require.ErrorAs(t, err, &se)
				require.Equal(t, tc.code, se.Code)
				require.False(t, se.NotAccepted)
			case tc.code != sms.CodeUnknown:
				require.NoError(t, err)
				require.ErrorAs(t, res[0].Err, &se)
				require.Equal(t, tc.code, se.Code)
				require.Empty(t, res[0].MessageID)
			default:
				require.NoError(t, err)
				require.NoError(t, res[0].Err)
				require.Equal(t, tc.status, res[0].Status)
				require.Equal(t, tc.segments, res[0].Segments)
			}
		})
	}
}

func TestSendConnectionRefusedIsNotAccepted(t *testing.T) {
	hc := &http.Client{Transport: refusingTransport()}
	p := newProvider(t, "http://127.0.0.1:9", &telesign.Options{HTTPClient: hc})
	_, err := p.Send(context.Background(), &sms.Message{To: []string{"+14155550100"}, Body: "b"})
	var se *sms.Error
	require.ErrorAs(t, err, &se)
	require.True(t, se.NotAccepted)
}

func TestFetchStatusSignsEveryAttempt(t *testing.T) {
	n := 0
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		n++
		if n == 1 {
			writeJSON(w, 503, `{"status":{"code":10000}}`)
			return
		}
		writeJSON(w, 200, `{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset"}}`)
	})
	p := newProvider(t, f.URL, &telesign.Options{Auth: telesign.AuthTSA, Nonce: counterNonce(),
		Clock: &fixedClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), step: time.Second}})
	st, err := p.FetchStatus(context.Background(), "0123456789ABCDEF0123456789ABCDEF")
	require.NoError(t, err)
	require.Equal(t, sms.StatusDelivered, st)
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	key, _ := tsasign.DecodeKey(wireKey)
	for i, r := range reqs {
		require.Equal(t, "GET", r.Method)
		require.Equal(t, "/v1/messaging/0123456789ABCDEF0123456789ABCDEF", r.Path)
		require.Empty(t, r.Header.Get("Content-Type"))
		require.Equal(t, fmt.Sprintf("nonce-%d", i+1), r.Header.Get("X-Ts-Nonce"))
		want := tsasign.Authorization(customerID, tsasign.Sign(key, "GET", "", r.Header.Get("Date"), r.Header.Get("X-Ts-Nonce"), nil, r.Path))
		require.Equal(t, want, r.Header.Get("Authorization"))
	}
}

func TestFetchStatusNotFound(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		writeJSON(w, 404, `{"status":{"code":10036,"description":"Reference ID expired"}}`)
	})
	p := newProvider(t, f.URL, nil)
	_, err := p.FetchStatus(context.Background(), "X")
	var se *sms.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, sms.CodeNotFound, se.Code)
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  telesign.Config
		opts *telesign.Options
	}{
		"no customer id":   {telesign.Config{APIKey: sms.NewSecret(wireKey)}, nil},
		"no key":           {telesign.Config{CustomerID: customerID}, nil},
		"tsa non-base64":   {telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret("----")}, &telesign.Options{Auth: telesign.AuthTSA}},
		"bad delivery url": {telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(wireKey), DeliveryURL: "x"}, nil},
		"bad base url":     {telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(wireKey)}, &telesign.Options{BaseURL: "ftp://x"}},
		"bad auth":         {telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(wireKey)}, &telesign.Options{Auth: 7}},
	} {
		_, err := telesign.New(tc.cfg, tc.opts)
		var se *sms.Error
		require.ErrorAs(t, err, &se, name)
		require.Equal(t, sms.CodeInvalidArgument, se.Code, name)
		require.NotContains(t, err.Error(), wireKey, name)
	}
}

func TestNewFromEnv(t *testing.T) {
	t.Setenv(telesign.EnvCustomerID, "")
	t.Setenv(telesign.EnvAPIKey, "")
	_, err := telesign.NewFromEnv(nil)
	require.ErrorContains(t, err, "TELESIGN_CUSTOMER_ID is not set")
	t.Setenv(telesign.EnvCustomerID, customerID)
	_, err = telesign.NewFromEnv(nil)
	require.ErrorContains(t, err, "TELESIGN_API_KEY is not set")
	t.Setenv(telesign.EnvAPIKey, wireKey)
	t.Setenv(telesign.EnvAuth, "digest-ish")
	_, err = telesign.NewFromEnv(nil)
	require.ErrorContains(t, err, "TELESIGN_AUTH")
	t.Setenv(telesign.EnvAuth, "tsa")
	t.Setenv(telesign.EnvBaseURL, "http://127.0.0.1:1")
	p, err := telesign.NewFromEnv(nil)
	require.NoError(t, err)
	require.Equal(t, "telesign.Provider{base=http://127.0.0.1:1, auth=tsa}", p.String())
}

func TestCredentialsNeverPrinted(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", &telesign.Options{Auth: telesign.AuthTSA})
	for _, s := range []string{fmt.Sprintf("%v", p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p), fmt.Sprint(p)} {
		require.NotContains(t, s, wireKey)
		require.NotContains(t, s, "QEFC")
	}
}

func TestCapabilities(t *testing.T) {
	c := newProvider(t, "http://127.0.0.1:1", nil).Capabilities()
	require.Equal(t, 1, c.MaxRecipients)
	require.True(t, c.CallbackURL)
	require.ElementsMatch(t, []sms.MessageType{sms.TypeTransactional, sms.TypeMarketing, sms.TypeOTP}, c.MessageTypes)
}

func TestValidateSender(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", nil)
	require.NoError(t, p.ValidateSender(sms.Sender{Value: "Acme"}))
	err := p.ValidateSender(sms.Sender{Type: sms.SenderAlphanumeric, Value: "TwelveLetters"})
	var se *sms.Error
	require.True(t, errors.As(err, &se))
}

// The attempt id is a fixed function of key and recipient: a value computed once, so that a
// change of derivation (which would orphan persisted ids) fails here.
const attemptGolden = "BDC6A0E2246C5AFA8AD94DED93113393"

func TestAttemptIDValue(t *testing.T) {
	require.Equal(t, attemptGolden, telesign.AttemptID("order-46-key", "+14155550103"))
}

// The logger is set once, on the provider: sms.NewClient and webhook.Handler find it.
func TestLoggerIsTheProvidersLogger(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	p, err := telesign.New(telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(wireKey)}, &telesign.Options{Logger: log})
	require.NoError(t, err)
	require.Same(t, log, sms.LoggerOf(p))
	require.Same(t, log, sms.LoggerOf(sms.NewClient(p, nil)))
}
