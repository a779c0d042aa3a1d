package telesign_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/tsasign"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/webhook"
)

// signedRequest is a callback request signed as Telesign signs it (both headers).
func signedRequest(t testing.TB, key string, body []byte) *http.Request {
	sig, err := telesign.SignCallback(sms.NewSecret(key), body)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "https://app.example.com/hooks/telesign", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "TSA "+customerID+":"+sig)
	r.Header.Set("X-TS-Authorization", sig)
	return r
}

func parse(t *testing.T, p *telesign.Provider, r *http.Request, body []byte) sms.Event {
	cb, err := p.ParseCallback(context.Background(), r, body)
	require.NoError(t, err)
	require.Len(t, cb.Events, 1)
	return cb.Events[0]
}

func TestCallbackPublishedPayloads(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", nil)
	for _, tc := range []struct {
		file string
		want sms.Event
	}{
		{"dlr-delivered.json", sms.Event{Type: sms.EventDeliveryReport, MessageID: "B56259E45884010488343BAA15FB0002",
			Status: sms.StatusDelivered, RawStatus: "200", Reference: "CustomExternalID7349", Segments: 2,
			Timestamp: time.Date(2016, 10, 21, 14, 5, 36, 181346000, time.UTC)}},
		{"dlr-bulk-failure.json", sms.Event{Type: sms.EventDeliveryReport, MessageID: "0123456789ABCDEF0123456789ABCDEF",
			Status: sms.StatusFailed, RawStatus: "500", ErrorCode: "-90001", ErrorDescription: "System Unavailable, Please try again later.",
			Timestamp: time.Date(2016, 10, 25, 12, 33, 45, 420798000, time.UTC)}},
		{"dlr-rfc1123.json", sms.Event{Type: sms.EventDeliveryReport, MessageID: "0123456789ABCDEF0123456789ABCDEF",
			Status: sms.StatusQueued, RawStatus: "292", Segments: 2, Timestamp: time.Date(2022, 6, 23, 19, 3, 44, 0, time.UTC)}},
		{"inbound-start.json", sms.Event{Type: sms.EventOptIn, MessageID: "0123456789ABCDEF0123456789ABCDEF",
			From: "11234567890", To: "4442", Body: "Start", Keyword: "START", Scope: sms.ScopeSender, ScopeID: "4442",
			Timestamp: time.Date(2023, 10, 31, 14, 47, 10, 154000000, time.UTC)}},
		{"inbound-arret.json", sms.Event{Type: sms.EventOptOut, MessageID: "0123456789ABCDEF0123456789ABCDE1",
			From: "+15145550123", To: "+14155550199", Body: "arrêt", Keyword: "ARRÊT", Scope: sms.ScopeSender, ScopeID: "+14155550199",
			Timestamp: time.Date(2023, 10, 31, 14, 47, 10, 154000000, time.UTC)}},
		{"inbound-generic.json", sms.Event{Type: sms.EventInbound, MessageID: "0123456789ABCDEF0123456789ABCDE2",
			From: "11234567890", To: "4442", Body: "see you at 5",
			Timestamp: time.Date(2023, 10, 31, 14, 47, 10, 154000000, time.UTC)}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := fixture(t, tc.file)
			ev := parse(t, p, signedRequest(t, wireKey, body), body)
			require.NotEmpty(t, ev.ID)
			require.Equal(t, body, ev.Raw)
			tc.want.ID, tc.want.Provider, tc.want.Raw = ev.ID, telesign.Name, ev.Raw
			require.Equal(t, tc.want, ev)
		})
	}
}

// Event.ID comes from signed content: the same report twice has one id, an intermediate and
// a final status of one message have two.
func TestCallbackEventIDs(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", nil)
	id := func(body string) string {
		return parse(t, p, signedRequest(t, wireKey, []byte(body)), []byte(body)).ID
	}
	a := id(`{"reference_id":"R1","status":{"code":203,"description":"Delivered to gateway"}}`)
	b := id(`{"reference_id":"R1","status":{"code":203,"description":"Delivered to gateway","updated_on":"2026-01-01T00:00:00Z"}}`)
	c := id(`{"reference_id":"R1","status":{"code":200}}`)
	d := id(`{"reference_id":"R2","status":{"code":200}}`)
	require.Equal(t, a, b)
	require.NotEqual(t, a, c)
	require.NotEqual(t, c, d)
}

// A report without reference_id has no message to name: its Event.ID is left empty for the
// webhook to derive from the raw body, rather than one id shared by every such report of a
// status, which would drop all but the first as duplicates.
func TestCallbackEventIDWithoutReferenceID(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", nil)
	for _, body := range []string{
		`{"status":{"code":200},"external_id":"A"}`,
		`{"reference_id":"","status":{"code":200},"external_id":"B"}`,
	} {
		ev := parse(t, p, signedRequest(t, wireKey, []byte(body)), []byte(body))
		require.Equal(t, sms.EventDeliveryReport, ev.Type, body)
		require.Empty(t, ev.ID, body)
	}
}

func TestCallbackAuthentication(t *testing.T) {
	body := fixture(t, "dlr-delivered.json")
	sig, err := telesign.SignCallback(sms.NewSecret(wireKey), body)
	require.NoError(t, err)
	p := newProvider(t, "http://127.0.0.1:1", nil)
	for _, tc := range []struct {
		name   string
		header map[string]string
		ok     bool
	}{
		{"both headers", map[string]string{"Authorization": "TSA " + customerID + ":" + sig, "X-TS-Authorization": sig}, true},
		{"authorization only", map[string]string{"Authorization": "TSA " + customerID + ":" + sig}, true},
		{"lower-case customer id", map[string]string{"Authorization": "TSA ffffffff-eeee-dddd-1234-ab1234567890:" + sig}, true},
		{"x-ts bare only", map[string]string{"X-TS-Authorization": sig}, true},
		{"x-ts TSA form only", map[string]string{"X-TS-Authorization": "TSA " + customerID + ":" + sig}, true},
		{"none", nil, false},
		{"wrong customer id", map[string]string{"Authorization": "TSA 00000000-EEEE-DDDD-1234-AB1234567890:" + sig}, false},
		{"wrong signature", map[string]string{"Authorization": "TSA " + customerID + ":B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744="}, false},
		{"basic", map[string]string{"Authorization": "Basic eDp5"}, false},
		{"garbage", map[string]string{"Authorization": "TSA " + customerID + ":!!!", "X-TS-Authorization": "%%%"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/hooks/telesign", bytes.NewReader(body))
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			cb, err := p.ParseCallback(context.Background(), r, body)
			if tc.ok {
				require.NoError(t, err)
				require.Len(t, cb.Events, 1)
				return
			}
			var se *sms.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, sms.CodeUnauthenticated, se.Code)
			require.NotContains(t, err.Error(), sig)
		})
	}
	// Tampered body, valid header for the original.
	r := signedRequest(t, wireKey, body)
	tampered := bytes.Replace(body, []byte(`"code": 200`), []byte(`"code": 210`), 1)
	_, err = p.ParseCallback(context.Background(), r, tampered)
	require.Error(t, err)
}

// The published callback vector (python_telesign tests/test_util.py) passes: customer id and
// SDK-test key, body {'test': 123}.
func TestCallbackPublishedVector(t *testing.T) {
	p, err := telesign.New(telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(sdkKey)}, nil)
	require.NoError(t, err)
	body := []byte("{'test': 123}")
	r := httptest.NewRequest(http.MethodPost, "/hooks/telesign", bytes.NewReader(body))
	r.Header.Set("Authorization", "TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744=")
	_, err = p.ParseCallback(context.Background(), r, body)
	// Authenticated, then refused as a body that is not JSON: not Unauthenticated.
	var se *sms.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, sms.CodeInvalidArgument, se.Code)
	r.Header.Set("Authorization", "TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN745=")
	_, err = p.ParseCallback(context.Background(), r, body)
	require.ErrorAs(t, err, &se)
	require.Equal(t, sms.CodeUnauthenticated, se.Code)
}

func TestCallbackKeyRotation(t *testing.T) {
	const newKey = "bmV3LWtleS1ieXRlcy1mb3Itcm90YXRpb24tdGVzdHM="
	p, err := telesign.New(telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(newKey),
		CallbackKeys: []sms.Secret{sms.NewSecret(wireKey)}}, nil)
	require.NoError(t, err)
	body := fixture(t, "dlr-delivered.json")
	parse(t, p, signedRequest(t, newKey, body), body)
	parse(t, p, signedRequest(t, wireKey, body), body)
	_, err = p.ParseCallback(context.Background(), signedRequest(t, sdkKey, body), body)
	require.Error(t, err)
}

func TestCallbackInsecure(t *testing.T) {
	p, err := telesign.New(telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(wireKey), InsecureSkipCallbackAuth: true}, nil)
	require.NoError(t, err)
	body := fixture(t, "dlr-delivered.json")
	parse(t, p, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)), body)
}

func TestCallbackBadBodies(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", nil)
	for _, b := range []string{``, `[]`, `"x"`, `{`, `null`} {
		_, err := p.ParseCallback(context.Background(), signedRequest(t, wireKey, []byte(b)), []byte(b))
		var se *sms.Error
		require.ErrorAs(t, err, &se, b)
		require.Equal(t, sms.CodeInvalidArgument, se.Code, b)
	}
	body := []byte(`{"hello":"world"}`)
	ev := parse(t, p, signedRequest(t, wireKey, body), body)
	require.Equal(t, sms.EventUnknown, ev.Type)
}

func TestAttemptOf(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/hooks/telesign?x=1&smsbridge_attempt=ABC", nil)
	require.Equal(t, "ABC", telesign.AttemptOf(r))
	require.Empty(t, telesign.AttemptOf(httptest.NewRequest(http.MethodPost, "/hooks", nil)))
}

// Through webhook.Handler: a signed report is answered exactly 200, a forged one refused,
// and Telesign's "stop" action stays an opt-out.
func TestCallbackThroughWebhook(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", nil)
	var got []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error {
		got = append(got, evs...)
		return nil
	}), nil)
	body := fixture(t, "inbound-arret.json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(t, wireKey, body))
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, got, 1)
	require.Equal(t, sms.EventOptOut, got[0].Type)

	w = httptest.NewRecorder()
	r := signedRequest(t, wireKey, body)
	r.Header.Set("Authorization", "TSA "+customerID+":"+tsasign.SignBody([]byte("guess"), body))
	r.Header.Del("X-TS-Authorization")
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusUnauthorized, w.Code)
}

// A status code the table does not have is StatusUnknown with the code kept.
func TestCallbackUnknownCode(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1", nil)
	body := []byte(`{"reference_id":"R","status":{"code":4242,"description":"frobnicated"}}`)
	ev := parse(t, p, signedRequest(t, wireKey, body), body)
	require.Equal(t, sms.EventDeliveryReport, ev.Type)
	require.Equal(t, sms.StatusUnknown, ev.Status)
	require.Equal(t, "4242", ev.RawStatus)
}
