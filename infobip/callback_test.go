package infobip_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/webhook"
)

const hookPath = "/hooks/infobip?token=" + hookToken

func hookRequest(target string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func parse(t *testing.T, p *infobip.Provider, body []byte) *sms.Callback {
	t.Helper()
	cb, err := p.ParseCallback(context.Background(), hookRequest(hookPath, body), body)
	require.NoError(t, err)
	return cb
}

var ignoreRawAndID = cmpopts.IgnoreFields(sms.Event{}, "Raw", "ID")

// The published samples of both report versions and of an inbound push decode to the same
// portable events; numbers get their '+', the offset without colon parses.
func TestParseCallbackPublishedSamples(t *testing.T) {
	p := newProvider(t, "https://x.api.infobip.com", nil)
	at := time.Date(2019, 11, 9, 15, 0, 0, 0, time.UTC)
	report := sms.Event{
		Type: sms.EventDeliveryReport, Provider: infobip.Name, MessageID: "MESSAGE-ID-123-xyz",
		From: "InfoSMS", To: "+41793026727", Status: sms.StatusDelivered, Segments: 1,
		Timestamp: at, Reference: "callbackData", RawStatus: "DELIVERED_TO_HANDSET",
	}
	v2 := report
	v2.Timestamp = at.Add(time.Hour) // the v2 sample is at +0000
	v2.From = ""                     // and names no sender
	for _, tc := range []struct {
		file string
		want sms.Event
	}{
		{"dlr-v3.json", report},
		{"dlr-v2.json", v2},
		{"inbound.json", sms.Event{
			Type: sms.EventInbound, Provider: infobip.Name, MessageID: "817790313235066447",
			From: "+385916242493", To: "+385921004026", Body: "QUIZ Correct answer is Paris",
			Segments: 1, Timestamp: time.Date(2019, 11, 9, 16, 0, 0, 0, time.UTC),
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := fixture(t, tc.file)
			cb := parse(t, p, body)
			require.Len(t, cb.Events, 1)
			ev := cb.Events[0]
			require.Empty(t, cmp.Diff(tc.want, ev, ignoreRawAndID))
			require.NotEmpty(t, ev.ID)
			require.True(t, bytes.HasPrefix(ev.Raw, []byte("{")) && bytes.HasSuffix(ev.Raw, []byte("}")), "%s", ev.Raw)
			if ev.Type == sms.EventDeliveryReport {
				require.Contains(t, string(ev.Raw), `"price":{"pricePerMessage":0.01,"currency":"EUR"}`, "the price is kept raw")
			}
		})
	}
}

// One event per item of a batch: DELIVERED_TO_OPERATOR is not final, a blocklisted
// destination is an opt-out, a duplicate-id report is an unknown event that cannot overwrite
// the original's status, the error object classifies an undeliverable report, and items of no
// known kind become unknown events without failing the batch.
func TestParseCallbackMixedBatch(t *testing.T) {
	p := newProvider(t, "https://x.api.infobip.com", nil)
	cb := parse(t, p, fixture(t, "dlr-mixed-batch.json"))
	require.Len(t, cb.Events, 6)
	type row struct {
		Type      sms.EventType
		MessageID string
		Status    sms.Status
		Code      sms.Code
		ErrorCode string
		RawStatus string
	}
	var got []row
	for _, ev := range cb.Events {
		got = append(got, row{ev.Type, ev.MessageID, ev.Status, ev.Code, ev.ErrorCode, ev.RawStatus})
	}
	want := []row{
		{sms.EventDeliveryReport, "m-operator", sms.StatusSent, sms.CodeUnknown, "", "DELIVERED_TO_OPERATOR"},
		{sms.EventDeliveryReport, "m-blocklisted", sms.StatusRejected, sms.CodeOptedOut, "", "REJECTED_DESTINATION_BLOCKLISTED"},
		{sms.EventUnknown, "m-duplicate", sms.StatusUnknown, sms.CodeUnknown, "", "REJECTED_DUPLICATE_MESSAGE_ID"},
		{sms.EventDeliveryReport, "m-unknown-subscriber", sms.StatusUndelivered, sms.CodeInvalidRecipient, "1", "UNDELIVERABLE_NOT_DELIVERED"},
		{sms.EventUnknown, "", sms.StatusUnknown, sms.CodeUnknown, "", ""},
		{sms.EventUnknown, "", sms.StatusUnknown, sms.CodeUnknown, "", ""},
	}
	require.Empty(t, cmp.Diff(want, got))
	require.False(t, cb.Events[0].Status.IsFinal(), "DELIVERED_TO_OPERATOR is not final")
	require.Equal(t, "Unknown subscriber", cb.Events[3].ErrorDescription)
	require.Equal(t, time.Date(2019, 11, 9, 15, 0, 2, 0, time.UTC), cb.Events[1].Timestamp, "RFC 3339 with 7 fractional digits")
	require.Equal(t, `{"something":"else"}`, string(cb.Events[4].Raw))
	require.Equal(t, `42`, string(cb.Events[5].Raw))
	ids := map[string]bool{}
	for _, ev := range cb.Events[:4] {
		require.False(t, ids[ev.ID], "ids differ")
		ids[ev.ID] = true
	}
}

// An inbound STOP is reported as plain inbound: keywords are the webhook's, once.
func TestParseCallbackInboundStopIsNotClassified(t *testing.T) {
	p := newProvider(t, "https://x.api.infobip.com", nil)
	body := []byte(`{"results":[{"messageId":"mo-1","from":"14155550100","to":"14155550199","text":"STOP","receivedAt":"2026-12-01T10:00:00.000+0000","smsCount":1}],"messageCount":1,"pendingMessageCount":0}`)
	cb := parse(t, p, body)
	require.Equal(t, sms.EventInbound, cb.Events[0].Type)
	require.Empty(t, cb.Events[0].Keyword)

	var got []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		got = append(got, evs...)
		return nil
	}), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hookRequest(hookPath, body))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Len(t, got, 1)
	require.Equal(t, sms.EventOptOut, got[0].Type, "the webhook classifies STOP")
}

func TestParseCallbackRejectsNonInfobipBodies(t *testing.T) {
	p := newProvider(t, "https://x.api.infobip.com", nil)
	for _, body := range []string{``, `not json`, `[]`, `{}`, `{"results":null}`, `{"results":"x"}`, `<DeliveryReports/>`} {
		_, err := p.ParseCallback(context.Background(), hookRequest(hookPath, []byte(body)), []byte(body))
		var e *sms.Error
		require.ErrorAs(t, err, &e, "%q", body)
		require.Equal(t, sms.CodeInvalidArgument, e.Code, "%q", body)
	}
}

// Callback authentication fails closed: no secret configured refuses all; a wrong or missing
// token is refused; Basic auth and the verify hook work; the error never holds a secret.
func TestCallbackAuthentication(t *testing.T) {
	body := fixture(t, "dlr-v3.json")
	newP := func(cfg infobip.Config) *infobip.Provider {
		cfg.APIKey, cfg.BaseURL = sms.NewSecret(testKey), "x.api.infobip.com"
		p, err := infobip.New(cfg, nil)
		require.NoError(t, err)
		return p
	}
	basic := func(user, pass string) *http.Request {
		r := hookRequest("/hooks/infobip", body)
		r.SetBasicAuth(user, pass)
		return r
	}
	errHook := errors.New("bad hmac")
	hook := func(r *http.Request, b []byte) error {
		if r.Header.Get("X-Test-Signature") == "ok" && bytes.Equal(b, body) {
			return nil
		}
		return errHook
	}
	signed := func() *http.Request {
		r := hookRequest("/hooks/infobip", body)
		r.Header.Set("X-Test-Signature", "ok")
		return r
	}
	for _, tc := range []struct {
		name string
		cfg  infobip.Config
		req  *http.Request
		ok   bool
	}{
		{"nothing configured", infobip.Config{}, hookRequest(hookPath, body), false},
		{"token", infobip.Config{CallbackTokens: []sms.Secret{sms.NewSecret("old"), sms.NewSecret(hookToken)}}, hookRequest(hookPath, body), true},
		{"wrong token", infobip.Config{CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)}}, hookRequest("/h?token=guess", body), false},
		{"missing token", infobip.Config{CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)}}, hookRequest("/h", body), false},
		{"basic", infobip.Config{CallbackUser: "ib", CallbackPassword: sms.NewSecret("pw-secret")}, basic("ib", "pw-secret"), true},
		{"wrong basic", infobip.Config{CallbackUser: "ib", CallbackPassword: sms.NewSecret("pw-secret")}, basic("ib", "nope"), false},
		{"hook alone accepts", infobip.Config{VerifyCallback: hook}, signed(), true},
		{"hook alone refuses", infobip.Config{VerifyCallback: hook}, hookRequest("/h", body), false},
		{"token and hook: both needed", infobip.Config{CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)}, VerifyCallback: hook}, hookRequest(hookPath, body), false},
		{"insecure", infobip.Config{InsecureSkipCallbackAuth: true}, hookRequest("/h", body), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newP(tc.cfg)
			cb, err := p.ParseCallback(context.Background(), tc.req, body)
			if tc.ok {
				require.NoError(t, err)
				require.Len(t, cb.Events, 1)
				return
			}
			var e *sms.Error
			require.ErrorAs(t, err, &e)
			want := sms.CodeUnauthenticated
			if tc.name == "nothing configured" {
				want = sms.CodeInternal // a server configuration problem, not a forgery
			}
			require.Equal(t, want, e.Code)
			for _, s := range []string{hookToken, "pw-secret", testKey, "guess"} {
				require.NotContains(t, err.Error(), s)
			}
		})
	}
}
