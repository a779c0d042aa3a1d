package linkmobility

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
	"github.com/stretchr/testify/require"
)

func gateRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/sms/linkmobility", bytes.NewReader(body))
	r.SetBasicAuth("gate", "gate-pass")
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestParseDeliveryReports(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	body := readTestdata(t, "dlr_delivered.json")
	cb, err := p.ParseCallback(context.Background(), gateRequest(body), body)
	require.NoError(t, err)
	require.Len(t, cb.Events, 1)
	ev := cb.Events[0]
	require.Equal(t, sms.EventDeliveryReport, ev.Type)
	require.Equal(t, "0", ev.MessageID)
	require.Equal(t, sms.StatusDelivered, ev.Status)
	require.Equal(t, "1001", ev.RawStatus)
	require.Equal(t, 0, ev.Part)
	require.Empty(t, ev.ErrorCode)
	require.Equal(t, time.Date(2015, 11, 19, 9, 37, 0, 0, time.UTC), ev.Timestamp) // timestamp, not the local "received"
	require.Nil(t, cb.Reply)

	body = readTestdata(t, "dlr_number_error.json")
	cb, err = p.ParseCallback(context.Background(), gateRequest(body), body)
	require.NoError(t, err)
	ev = cb.Events[0]
	require.Equal(t, sms.StatusRejected, ev.Status)
	require.Equal(t, sms.CodeInvalidRecipient, ev.Code)
	require.Equal(t, "2106", ev.ErrorCode)
	require.Equal(t, "Number error", ev.ErrorDescription)
}

func TestParseBarringCodes(t *testing.T) {
	for code, want := range map[string]struct {
		st sms.Status
		c  sms.Code
	}{
		"2205": {sms.StatusRejected, sms.CodeOptedOut},
		"2105": {sms.StatusRejected, sms.CodeInvalidRecipient},
		"2107": {sms.StatusUndelivered, sms.CodeUnavailable},
		"9999": {sms.StatusFailed, sms.CodeUnknown},
	} {
		body := []byte(`{"id":"m1","resultCode":` + code + `,"segments":1,"customParameters":{"destination":"+4741560067","source":"LINK"}}`)
		cb, err := parseCallback(body)
		require.NoError(t, err)
		require.Equal(t, want.st, cb.Events[0].Status, code)
		require.Equal(t, want.c, cb.Events[0].Code, code)
		require.Equal(t, "+4741560067", cb.Events[0].To)
		require.Equal(t, "LINK", cb.Events[0].From)
	}
}

func TestParseMultipartIDs(t *testing.T) {
	for id, want := range map[string][2]any{
		"abc$0": {"abc", 1}, "abc$2": {"abc", 3}, "abc": {"abc", 0}, "a$b$1": {"a$b", 2},
		"abc$": {"abc$", 0}, "abc$x": {"abc$x", 0}, "$1": {"$1", 0}, "abc$-1": {"abc$-1", 0}, "abc$+1": {"abc$+1", 0},
	} {
		m, n := SplitPartID(id)
		require.Equal(t, want[0], m, id)
		require.Equal(t, want[1], n, id)
	}
	cb, err := parseCallback([]byte(`{"id":"abc$1","resultCode":1001,"segments":3}`))
	require.NoError(t, err)
	ev := cb.Events[0]
	require.Equal(t, "abc", ev.MessageID)
	require.Equal(t, 2, ev.Part)
	require.Equal(t, 3, ev.Parts)
	// A segments value that cannot be the total leaves Parts unknown.
	cb, _ = parseCallback([]byte(`{"id":"abc$3","resultCode":1001,"segments":1}`))
	require.Equal(t, 0, cb.Events[0].Parts)
}

// TestMultipartFold sends the parts of a three-part message through webhook.Handler in
// separate requests and out of order: the sink sees sent, never delivered before the last
// part, then delivered; a failed part makes the message failed and it never regresses.
func TestMultipartFold(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	var got []sms.Status
	h := webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		for _, e := range evs {
			got = append(got, e.Status)
		}
		return nil
	}), nil)
	post := func(body string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, gateRequest([]byte(body)))
		require.Equal(t, 200, w.Code, w.Body.String())
	}
	post(`{"id":"m$2","resultCode":1001,"segments":3}`)
	post(`{"id":"m$0","resultCode":1001,"segments":3}`)
	require.Equal(t, []sms.Status{sms.StatusSent}, got)
	post(`{"id":"m$1","resultCode":1001,"segments":3}`)
	require.Equal(t, []sms.Status{sms.StatusSent, sms.StatusDelivered}, got)

	got = nil
	post(`{"id":"n$1","resultCode":1001,"segments":2}`)
	post(`{"id":"n$0","resultCode":2107,"segments":2}`)
	post(`{"id":"n$0","resultCode":1001,"segments":2}`)
	require.Equal(t, []sms.Status{sms.StatusSent, sms.StatusUndelivered}, got)
}

func TestParseInbound(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	body := readTestdata(t, "mo_keyword.json")
	cb, err := p.ParseCallback(context.Background(), gateRequest(body), body)
	require.NoError(t, err)
	ev := cb.Events[0]
	require.Equal(t, sms.EventInbound, ev.Type)
	require.Equal(t, "+4741560067", ev.From)
	require.Equal(t, "NO-2333", ev.To)
	require.Equal(t, "2333", ev.ScopeID)
	require.Equal(t, sms.ScopeSender, ev.Scope)
	require.Equal(t, "Bclt hello", ev.Body)
	require.Equal(t, time.Date(2015, 11, 17, 14, 28, 40, 0, time.UTC), ev.Timestamp)
	require.Equal(t, "+4799999999", ScopeID("+4799999999"))

	// A STOP through the webhook is an opt-out scoped to the short code as it is sent from.
	var evs []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, e []sms.Event) error { evs = append(evs, e...); return nil }), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, gateRequest([]byte(`{"destination":"NO-2333","source":"+4741560067","content":{"type":"SMS","userData":"STOP","encoding":"TEXT"},"messageId":"mo1","timestamp":"2015-11-17T14:28:40Z"}`)))
	require.Equal(t, 200, w.Code)
	require.Len(t, evs, 1)
	require.Equal(t, sms.EventOptOut, evs[0].Type)
	require.Equal(t, "2333", evs[0].ScopeID)
}

func TestCallbackAuth(t *testing.T) {
	body := readTestdata(t, "dlr_delivered.json")
	p := newTestProvider(t, "http://127.0.0.1:1")
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	_, err := p.ParseCallback(context.Background(), r, body)
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeUnauthenticated, e.Code)
	r.SetBasicAuth("gate", "wrong")
	_, err = p.ParseCallback(context.Background(), r, body)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "wrong")

	// Nothing configured: fail closed.
	cfg := testConfig("http://127.0.0.1:1")
	cfg.CallbackPassword = sms.Secret{}
	q, err := New(cfg, nil)
	require.NoError(t, err)
	_, err = q.ParseCallback(context.Background(), gateRequest(body), body)
	require.Error(t, err)

	// Token in the URL; allow-list of sources; acknowledge body.
	cfg.CallbackTokens = []sms.Secret{sms.NewSecret("tok")}
	cfg.CallbackSources = []netip.Prefix{netip.MustParsePrefix("195.84.162.34/32")}
	cfg.AckBody = "OK"
	q, err = New(cfg, nil)
	require.NoError(t, err)
	r = httptest.NewRequest(http.MethodPost, "/?token=tok", bytes.NewReader(body))
	r.RemoteAddr = "195.84.162.34:5555"
	cb, err := q.ParseCallback(context.Background(), r, body)
	require.NoError(t, err)
	require.Equal(t, "OK", string(cb.Reply.Body))
	r.RemoteAddr = "10.0.0.1:5555"
	_, err = q.ParseCallback(context.Background(), r, body)
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodePermissionDenied, e.Code)
}

func TestParseMalformed(t *testing.T) {
	for _, b := range []string{"", "[]", "id=1&resultCode=1001", "<xml/>", `{"id":`} {
		_, err := parseCallback([]byte(b))
		var e *sms.Error
		require.ErrorAs(t, err, &e, b)
		require.Equal(t, sms.CodeInvalidArgument, e.Code)
	}
	cb, err := parseCallback([]byte(`{"hello":"world"}`))
	require.NoError(t, err)
	require.Equal(t, sms.EventUnknown, cb.Events[0].Type)
	cb, err = parseCallback([]byte(`{"id":"x","resultCode":"1001"}`))
	require.NoError(t, err)
	require.True(t, strings.Contains(string(cb.Events[0].Raw), "1001"))
}

// TestParseReportWithoutIDKeepsEventIDEmpty: a report with no id must not get an Event.ID made
// of the result code alone — two different id-less reports with the same code would share it
// and webhook would drop the second as a duplicate. Left empty, webhook derives the id from the
// raw payload.
func TestParseReportWithoutIDKeepsEventIDEmpty(t *testing.T) {
	a, err := parseCallback([]byte(`{"refId":"r1","resultCode":1001,"segments":1}`))
	require.NoError(t, err)
	b, err := parseCallback([]byte(`{"refId":"r2","resultCode":1001,"segments":1}`))
	require.NoError(t, err)
	require.Empty(t, a.Events[0].ID)
	require.Empty(t, b.Events[0].ID)
}

// TestCallbackSourcesAddressForms: the allow-list reads r.RemoteAddr in every form net/http
// gives it (IPv4, IPv6 in brackets, IPv4-mapped IPv6, no port) and refuses what it cannot
// read, even when the secret check is skipped.
func TestCallbackSourcesAddressForms(t *testing.T) {
	cfg := testConfig("https://example.test")
	cfg.CallbackSources = []netip.Prefix{netip.MustParsePrefix("195.84.162.34/32"), netip.MustParsePrefix("2001:db8::/32")}
	cfg.InsecureSkipCallbackAuth = true
	p, err := New(cfg, nil)
	require.NoError(t, err)
	for addr, want := range map[string]bool{
		"195.84.162.34:1": true, "195.84.162.34": true, "[::ffff:195.84.162.34]:1": true, "[2001:db8::1]:443": true,
		"[2001:db8::1%eth0]:443": false, "195.84.162.35:1": false, "": false, "garbage": false, "[::1]:1": false,
		"195.84.162.34:1:2": false,
	} {
		r := httptest.NewRequest(http.MethodPost, "/cb", nil)
		r.RemoteAddr = addr
		err := p.authenticate(r)
		if want {
			require.NoError(t, err, addr)
		} else {
			require.Error(t, err, addr)
			require.Equal(t, sms.CodePermissionDenied, sms.ErrorCode(err), addr)
		}
	}
}
