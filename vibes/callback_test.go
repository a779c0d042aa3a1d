package vibes

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
	"github.com/smsbridge/sms/webhook"
)

// callbackRequest is a callback as Vibes posts it, to the URL with the token.
func callbackRequest(query string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/vibes?"+query, bytes.NewReader(body))
	r.Header.Set("Content-Type", "text/xml")
	r.RemoteAddr = "35.155.139.143:40000"
	return r
}

func parse(t testing.TB, p *Provider, query string, body []byte) []sms.Event {
	t.Helper()
	cb, err := p.ParseCallback(context.Background(), callbackRequest(query, body), body)
	require.NoError(t, err)
	require.Nil(t, cb.Reply)
	return cb.Events
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// The facts' samples, re-typed under testdata/, decode to these events.
func TestParseSamples(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	q := "token=" + testToken
	type want struct {
		typ                   sms.EventType
		id, rawStatus         string
		status                sms.Status
		code                  sms.Code
		errCode, errDesc      string
		part, parts           int
		from, to, body, scope string
		ts                    time.Time
		reference, submitter  string
		carrier               string
		rawContains           string
	}
	for _, tc := range []struct {
		file string
		want []want
	}{
		{"receipt_template.xml", []want{{
			typ: sms.EventDeliveryReport, id: "865cd3d1-bea6-4a6f-8bac-bae483248a27", rawStatus: "System|Carrier|Handset",
			status: sms.StatusUnknown, part: 1, parts: 2, ts: at("2011-04-19T20:10:08.320Z"),
			reference: "239487234987234", submitter: "239487234987234",
		}}},
		{"receipts_wrapper.xml", []want{{
			typ: sms.EventDeliveryReport, id: "865cd3d1-bea6-4a6f-8bac-bae483248a27", rawStatus: "Carrier", status: sms.StatusSent,
			part: 1, parts: 2, ts: at("2011-05-16T20:48:08.515Z"),
			reference: "afbcc29f-7d2f-480f-9f5d-d961a2a864e3", submitter: "afbcc29f-7d2f-480f-9f5d-d961a2a864e3", rawContains: "<type>Carrier</type>",
		}, {
			typ: sms.EventDeliveryReport, id: "865cd3d1-bea6-4a6f-8bac-bae483248a27", rawStatus: "Handset", status: sms.StatusUndelivered,
			errCode: "7", errDesc: "Carrier failed while submitting message", part: 1, parts: 2, ts: at("2011-05-16T20:48:23.520Z"),
			reference: "afbcc29f-7d2f-480f-9f5d-d961a2a864e3", submitter: "afbcc29f-7d2f-480f-9f5d-d961a2a864e3", rawContains: "<type>Handset</type>",
		}}},
		{"mo.xml", []want{{
			typ: sms.EventInbound, id: "1132c1d2-5236-4631-9c6f-43f6049cd76b", from: "+15125551212", to: "63901", body: "test",
			scope: "63901", ts: at("2016-12-04T22:47:44Z"), carrier: "104",
		}}},
		{"mo_legacy.xml", []want{{
			typ: sms.EventInbound, id: "6439376297230", from: "+18475551212", to: "12345", body: "123857AB12",
			scope: "12345", carrier: "103",
		}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := readTestdata(t, tc.file)
			evs := parse(t, p, q, body)
			require.Len(t, evs, len(tc.want))
			for i, w := range tc.want {
				ev := evs[i]
				require.Equal(t, w.typ, ev.Type)
				require.Equal(t, Name, ev.Provider)
				require.Empty(t, ev.ID, "left to webhook")
				require.Equal(t, w.id, ev.MessageID)
				require.Equal(t, w.rawStatus, ev.RawStatus)
				require.Equal(t, w.status, ev.Status)
				require.Equal(t, w.code, ev.Code)
				require.Equal(t, w.errCode, ev.ErrorCode)
				require.Equal(t, w.errDesc, ev.ErrorDescription)
				require.Equal(t, w.part, ev.Part)
				require.Equal(t, w.parts, ev.Parts)
				require.Equal(t, w.from, ev.From)
				require.Equal(t, w.to, ev.To)
				require.Equal(t, w.body, ev.Body)
				require.Equal(t, w.scope, ev.ScopeID)
				require.True(t, w.ts.Equal(ev.Timestamp), "timestamp %v, want %v", ev.Timestamp, w.ts)
				require.Equal(t, w.reference, ev.Reference)
				require.Equal(t, w.submitter, SubmitterMessageIDOf(ev))
				require.Equal(t, w.carrier, CarrierOf(ev))
				if w.rawContains != "" {
					require.Contains(t, string(ev.Raw), w.rawContains)
					require.True(t, bytes.HasPrefix(ev.Raw, []byte("<mtMessageResponse ")), "the item, not the wrapper")
				} else {
					require.Equal(t, body, ev.Raw)
				}
			}
		})
	}
}

func receiptXML(id, stage string, isError bool, errorCode, internal string) string {
	s := `<mtMessageResponse messageId="` + id + `" submitterMessageId="sub-1" receiptDate="2026-12-01T10:00:00.000-05:00"><type>` + stage + `</type>`
	s += `<status isError="` + map[bool]string{true: "true", false: "false"}[isError] + `"><description>d</description>`
	if errorCode != "" {
		s += `<errorCode>` + errorCode + `</errorCode>`
	}
	if internal != "" {
		s += `<internalErrorCode>` + internal + `</internalErrorCode>`
	}
	return s + `</status></mtMessageResponse>`
}

func partXML(id, stage string, part, parts int) string {
	return `<mtMessageResponse messageId="` + id + `-p` + string(rune('0'+part)) + `" receiptDate="2026-12-01T10:00:00.000-05:00">` +
		`<multipart isMultipart="true" originalMessageId="` + id + `" noOfParts="` + string(rune('0'+parts)) + `" partNumber="` + string(rune('0'+part)) + `"/>` +
		`<type>` + stage + `</type><status isError="false"><description>ok</description></status></mtMessageResponse>`
}

// Every stage and error flag maps to its status; internal code 9 is an opt-out.
func TestParseStages(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	for _, tc := range []struct {
		stage          string
		isError        bool
		errCode, inner string
		status         sms.Status
		code           sms.Code
		wantErrCode    string
	}{
		{"System", false, "", "", sms.StatusAccepted, sms.CodeUnknown, ""},
		{"Carrier", false, "", "", sms.StatusSent, sms.CodeUnknown, ""},
		{"Handset", false, "", "", sms.StatusDelivered, sms.CodeUnknown, ""},
		{"System", true, "", "9", sms.StatusRejected, sms.CodeOptedOut, "9"},
		{"Carrier", true, "107", "9", sms.StatusFailed, sms.CodeOptedOut, "9"},
		{"Handset", true, "107", "", sms.StatusUndelivered, sms.CodeUnknown, "107"},
		{"Handset", true, "107", "12", sms.StatusUndelivered, sms.CodeUnknown, "12"},
		{" handset ", false, "", "", sms.StatusDelivered, sms.CodeUnknown, ""},
		{"Frobnicated", false, "", "", sms.StatusUnknown, sms.CodeUnknown, ""},
		{"", false, "", "", sms.StatusUnknown, sms.CodeUnknown, ""},
	} {
		evs := parse(t, p, "token="+testToken, []byte(receiptXML("m1", tc.stage, tc.isError, tc.errCode, tc.inner)))
		require.Len(t, evs, 1)
		ev := evs[0]
		require.Equal(t, tc.status, ev.Status, tc.stage)
		require.Equal(t, tc.code, ev.Code, tc.stage)
		require.Equal(t, tc.wantErrCode, ev.ErrorCode, tc.stage)
		require.Equal(t, strings.TrimSpace(tc.stage), ev.RawStatus)
		require.Equal(t, "m1", ev.MessageID)
		require.Equal(t, "sub-1", ev.Reference)
		require.True(t, at("2026-12-01T15:00:00Z").Equal(ev.Timestamp))
	}
}

// The ReferenceParam of the callback URL is the event's Reference; without it the
// submitterMessageId is.
func TestParseReference(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	body := []byte(receiptXML("m1", "Handset", false, "", ""))
	evs := parse(t, p, "token="+testToken+"&"+ReferenceParam+"=order+42%26b", body)
	require.Equal(t, "order 42&b", evs[0].Reference)
	require.Equal(t, "sub-1", SubmitterMessageIDOf(evs[0]))
	evs = parse(t, p, ReferenceParam+"=&token="+testToken, body)
	require.Equal(t, "", evs[0].Reference)
	mo := parse(t, p, "token="+testToken+"&"+ReferenceParam+"=x", readTestdata(t, "mo.xml"))
	require.Equal(t, "", mo[0].Reference)
	require.Equal(t, "", SubmitterMessageIDOf(mo[0]))
	require.Equal(t, "", CarrierOf(evs[0]))
}

func TestParseShapes(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	q := "token=" + testToken
	// Unknown elements are tolerated (API v3.2 longMessageInfo), and an unknown root is one
	// Unknown event; an unknown item of the wrapper is an Unknown event beside the others.
	mo := `<moMessage messageId="mo-1" receiptDate="2016-12-04 16:47:44-0600" attemptNumber="2"><source address="5125551212" carrier="104" type="MDN"/>` +
		`<destination address="+1 (512) 555-0100" type="LC"/><longMessageInfo ref="7" total="2" part="1"><x/></longMessageInfo><message>Hi &amp; bye</message></moMessage>`
	evs := parse(t, p, q, []byte(mo))
	require.Equal(t, sms.EventInbound, evs[0].Type)
	require.Equal(t, "+15125551212", evs[0].From)
	require.Equal(t, "+15125550100", evs[0].To)
	require.Equal(t, "+15125550100", evs[0].ScopeID)
	require.Equal(t, sms.ScopeSender, evs[0].Scope)
	require.Equal(t, "Hi & bye", evs[0].Body)
	require.Equal(t, "mo-1", evs[0].MessageID)

	evs = parse(t, p, q, []byte(`<?xml version="1.0"?><subscriptionEvent a="1"><x/></subscriptionEvent>`))
	require.Len(t, evs, 1)
	require.Equal(t, sms.EventUnknown, evs[0].Type)

	wrapped := `<mtMessageResponses>` + receiptXML("a", "System", false, "", "") + `<somethingElse id="2"/>` + receiptXML("b", "Handset", false, "", "") + `</mtMessageResponses>`
	evs = parse(t, p, q, []byte(wrapped))
	require.Len(t, evs, 3)
	require.Equal(t, sms.StatusAccepted, evs[0].Status)
	require.Equal(t, sms.EventUnknown, evs[1].Type)
	require.Equal(t, `<somethingElse id="2"/>`, string(evs[1].Raw))
	require.Equal(t, "b", evs[2].MessageID)
	require.Equal(t, sms.StatusDelivered, evs[2].Status)
	evs = parse(t, p, q, []byte(`<mtMessageResponses/>`))
	require.Empty(t, evs)

	// Legacy text as element content, an 11-digit source, a masterMessageUid, a bad part.
	evs = parse(t, p, q, []byte(`<deliver><source address="18475551212"/><destination address="12345"/><message>hello</message></deliver>`))
	require.Equal(t, "+18475551212", evs[0].From)
	require.Equal(t, "hello", evs[0].Body)
	require.Equal(t, "", evs[0].MessageID)
	evs = parse(t, p, q, []byte(`<mtMessageResponse messageId="p2"><multipart isMultipart="true" masterMessageUid="whole" noOfParts="3" partNumber="2"/><type>Carrier</type></mtMessageResponse>`))
	require.Equal(t, "whole", evs[0].MessageID)
	require.Equal(t, 2, evs[0].Part)
	require.Equal(t, 3, evs[0].Parts)
	for _, mp := range []string{
		`<multipart isMultipart="false" originalMessageId="whole" noOfParts="3" partNumber="2"/>`,
		`<multipart isMultipart="true" originalMessageId="whole" noOfParts="2" partNumber="3"/>`,
		`<multipart isMultipart="true" originalMessageId="whole" noOfParts="2" partNumber="0"/>`,
		`<multipart isMultipart="true" originalMessageId="whole" noOfParts="999" partNumber="1"/>`,
	} {
		evs = parse(t, p, q, []byte(`<mtMessageResponse messageId="p2">`+mp+`<type>Carrier</type></mtMessageResponse>`))
		require.Equal(t, "p2", evs[0].MessageID, mp)
		require.Zero(t, evs[0].Part, mp)
	}
}

// A body that is not well-formed XML is a 400 through webhook.Handler, never a panic.
func TestParseMalformed(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	h := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }), nil)
	for _, body := range []string{
		``, `   `, `not xml`, `<mtMessageResponse messageId="a">`, `<mtMessageResponse></moMessage>`,
		`<a/><b/>`, `<moMessage/>trailing`, `text<moMessage/>`, `<mtMessageResponses><mtMessageResponse>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><moMessage><message>caf` + "\xe9" + `</message></moMessage>`,
		`<moMessage messageId="a&b;"/>`,
	} {
		_, err := p.ParseCallback(context.Background(), callbackRequest("token="+testToken, []byte(body)), []byte(body))
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err), "%q", body)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, callbackRequest("token="+testToken, []byte(body)))
		require.Equal(t, http.StatusBadRequest, w.Code, "%q", body)
	}
	// Invalid UTF-8 is not malformed: each bad sequence becomes U+FFFD and the MO is kept.
	body := []byte(`<moMessage messageId="a"><message>caf` + "\xff" + `</message></moMessage>`)
	cb, err := p.ParseCallback(context.Background(), callbackRequest("token="+testToken, body), body)
	require.NoError(t, err)
	require.Equal(t, "caf\uFFFD", cb.Events[0].Body)
	for _, enc := range []string{"us-ascii", "UTF8", "utf-8"} {
		_, err := p.ParseCallback(context.Background(), callbackRequest("token="+testToken, nil),
			[]byte(`<?xml version="1.0" encoding="`+enc+`"?><moMessage messageId="a"><message>ok</message></moMessage>`))
		require.NoError(t, err, enc)
	}
}

func TestCallbackAuth(t *testing.T) {
	body := readTestdata(t, "mo.xml")
	tokens := []sms.Secret{sms.NewSecret("old-token"), sms.NewSecret(testToken)}
	us := DefaultCallbackSources()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name   string
		cfg    func(*Config)
		query  string
		remote string
		xff    []string
		code   sms.Code // CodeUnknown: accepted
	}{
		{"token", nil, "token=" + testToken, "", nil, sms.CodeUnknown},
		{"rotated token", nil, "token=old-token", "", nil, sms.CodeUnknown},
		{"no token", nil, "", "", nil, sms.CodeUnauthenticated},
		{"wrong token", nil, "token=nope", "", nil, sms.CodeUnauthenticated},
		{"nothing configured fails closed", func(c *Config) { c.CallbackTokens, c.DeliveryURL = nil, "" }, "token=" + testToken, "", nil, sms.CodeInternal},
		{"insecure", func(c *Config) { c.CallbackTokens, c.InsecureSkipCallbackAuth = nil, true }, "", "", nil, sms.CodeUnknown},
		{"allow-listed address", func(c *Config) { c.CallbackSources = us }, "token=" + testToken, "52.48.241.82:1234", nil, sms.CodeUnknown},
		{"IPv4-mapped allow-listed address", func(c *Config) { c.CallbackSources = us }, "token=" + testToken, "[::ffff:52.48.241.82]:1234", nil, sms.CodeUnknown},
		{"other address", func(c *Config) { c.CallbackSources = us }, "token=" + testToken, "203.0.113.9:1234", nil, sms.CodePermissionDenied},
		{"other address, insecure", func(c *Config) { c.CallbackSources, c.InsecureSkipCallbackAuth = us, true }, "", "203.0.113.9:1234", nil, sms.CodePermissionDenied},
		{"allow-listed address, no token", func(c *Config) { c.CallbackSources = us }, "", "52.48.241.82:1234", nil, sms.CodeUnauthenticated},
		{"X-Forwarded-For from an untrusted peer", func(c *Config) { c.CallbackSources, c.TrustedProxies = us, proxies }, "token=" + testToken, "203.0.113.9:1", []string{"52.48.241.82"}, sms.CodePermissionDenied},
		{"X-Forwarded-For without trusted proxies", func(c *Config) { c.CallbackSources = us }, "token=" + testToken, "10.0.0.5:1", []string{"52.48.241.82"}, sms.CodePermissionDenied},
		{"trusted proxy", func(c *Config) { c.CallbackSources, c.TrustedProxies = us, proxies }, "token=" + testToken, "10.0.0.5:1", []string{"52.48.241.82"}, sms.CodeUnknown},
		{"IPv6 client in brackets", func(c *Config) {
			c.CallbackSources, c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}, proxies
		}, "token=" + testToken, "10.0.0.5:1", []string{"[2001:db8::7]"}, sms.CodeUnknown},
		{"two trusted proxies", func(c *Config) { c.CallbackSources, c.TrustedProxies = us, proxies }, "token=" + testToken, "10.0.0.5:1", []string{"52.48.241.82, 10.1.1.1"}, sms.CodeUnknown},
		{"spoofed left entry", func(c *Config) { c.CallbackSources, c.TrustedProxies = us, proxies }, "token=" + testToken, "10.0.0.5:1", []string{"52.48.241.82", "203.0.113.9"}, sms.CodePermissionDenied},
		{"trusted proxy, no header", func(c *Config) { c.CallbackSources, c.TrustedProxies = us, proxies }, "token=" + testToken, "10.0.0.5:1", nil, sms.CodePermissionDenied},
		{"trusted proxy, garbage header", func(c *Config) { c.CallbackSources, c.TrustedProxies = us, proxies }, "token=" + testToken, "10.0.0.5:1", []string{"52.48.241.82, unknown"}, sms.CodePermissionDenied},
		{"unreadable peer", func(c *Config) { c.CallbackSources = us }, "token=" + testToken, "pipe", nil, sms.CodePermissionDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("http://127.0.0.1:1")
			cfg.CallbackTokens = tokens
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			p, err := New(cfg, nil)
			require.NoError(t, err)
			r := callbackRequest(tc.query, body)
			if tc.remote != "" {
				r.RemoteAddr = tc.remote
			}
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			cb, err := p.ParseCallback(context.Background(), r, body)
			if tc.code == sms.CodeUnknown {
				require.NoError(t, err)
				require.Len(t, cb.Events, 1)
				return
			}
			require.Nil(t, cb)
			require.Equal(t, tc.code, sms.ErrorCode(err), "%v", err)
			for _, s := range []string{testToken, "old-token", "52.48.241.82", "203.0.113.9"} {
				require.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestDefaultCallbackSources(t *testing.T) {
	a := DefaultCallbackSources()
	require.Len(t, a, 14)
	a[0] = netip.Prefix{}
	require.True(t, DefaultCallbackSources()[0].IsValid(), "a fresh slice on every call")
	for _, s := range []string{"35.155.139.143", "54.148.156.236", "34.243.232.57", "54.217.181.160"} {
		require.True(t, contains(DefaultCallbackSources(), netip.MustParseAddr(s)), s)
	}
	require.False(t, contains(DefaultCallbackSources(), netip.MustParseAddr("35.155.139.144")))
}

// A retried MO (same messageId, next attemptNumber) reaches the application once.
func TestInboundRetryDeduplicated(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	var got []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error { got = append(got, evs...); return nil }), nil)
	first := readTestdata(t, "mo.xml")
	retry := bytes.Replace(first, []byte(`attemptNumber="1"`), []byte(`attemptNumber="2"`), 1)
	require.NotEqual(t, first, retry)
	for _, b := range [][]byte{first, retry} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, callbackRequest("token="+testToken, b))
		require.Equal(t, http.StatusOK, w.Code)
	}
	require.Len(t, got, 1)
	require.NotEmpty(t, got[0].ID)
	require.Equal(t, sms.EventInbound, got[0].Type)

	// A STOP is classified once, by webhook, as an opt-out scoped to the short code.
	stop := bytes.Replace(bytes.Replace(first, []byte("<message>test"), []byte("<message>Stop "), 1), []byte("1132c1d2"), []byte("2132c1d2"), 1)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, callbackRequest("token="+testToken, stop))
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, got, 2)
	require.Equal(t, sms.EventOptOut, got[1].Type)
	require.Equal(t, "STOP", got[1].Keyword)
	require.Equal(t, "63901", got[1].ScopeID)
}

// Per-part, per-stage receipts fold through webhook.Handler into one message status that
// never moves back: a part's Carrier receipt after its Handset one changes nothing, and the
// message is delivered only when every part is.
func TestPartReceiptsFold(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	var got []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error { got = append(got, evs...); return nil }), nil)
	post := func(body string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, callbackRequest("token="+testToken, []byte(body)))
		require.Equal(t, http.StatusOK, w.Code)
	}
	post(partXML("whole", "System", 1, 2))  // accepted
	post(partXML("whole", "System", 2, 2))  // still accepted: nothing new
	post(partXML("whole", "Handset", 1, 2)) // part 1 delivered, part 2 accepted: accepted
	post(partXML("whole", "Carrier", 2, 2)) // part 2 sent, part 1 delivered: sent
	post(partXML("whole", "Carrier", 1, 2)) // late: part 1 stays delivered
	post(partXML("whole", "Handset", 2, 2)) // every part delivered
	post(partXML("whole", "Carrier", 2, 2)) // late again: nothing
	var statuses []sms.Status
	for _, ev := range got {
		require.Equal(t, "whole", ev.MessageID)
		require.Equal(t, 2, ev.Parts)
		statuses = append(statuses, ev.Status)
	}
	require.Equal(t, []sms.Status{sms.StatusAccepted, sms.StatusSent, sms.StatusDelivered}, statuses)
}

// Vibes documents the inbound date as "YYYY-MM-DD HH:MM:SS Z" (a space before the offset, as
// Java-style formatters write it); the facts' sample has none. Both are read, as is a receipt
// date written that way; an unreadable date still leaves Timestamp zero.
func TestParseDocumentedDateFormats(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	q := "token=" + testToken
	want := at("2016-12-04T22:47:44Z")
	for _, tc := range []struct {
		date string
		want time.Time
	}{
		{"2016-12-04 16:47:44-0600", want},
		{"2016-12-04 16:47:44 -0600", want},
		{"2016-12-04 16:47:44 -06:00", want},
		{"2016-12-04 16:47:44.000 -0600", want},
		{" 2016-12-04 16:47:44 +0000 ", at("2016-12-04T16:47:44Z")},
		{"2016-12-04 16:47:44 CST", time.Time{}},
		{"2016-12-04 - 16:47:44", time.Time{}},
	} {
		mo := `<moMessage messageId="mo-1" receiptDate="` + tc.date + `" attemptNumber="1"><source address="+15125551212" carrier="104" type="MDN"/>` +
			`<destination address="63901" type="SC"/><message>hi</message></moMessage>`
		evs := parse(t, p, q, []byte(mo))
		require.True(t, tc.want.Equal(evs[0].Timestamp), "%q: %v", tc.date, evs[0].Timestamp)
		rc := `<mtMessageResponse messageId="m" receiptDate="` + tc.date + `"><type>Carrier</type><status isError="false"/></mtMessageResponse>`
		evs = parse(t, p, q, []byte(rc))
		require.True(t, tc.want.Equal(evs[0].Timestamp), "receipt %q: %v", tc.date, evs[0].Timestamp)
	}
}

// A UTF-8 byte order mark before the document is its encoding signature, not text outside
// the root: a callback that starts with one is read (refusing it would make Vibes retry and
// then drop the receipt), and a mark anywhere else outside the root is still refused.
func TestParseByteOrderMark(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	q := "token=" + testToken
	const bom = "\uFEFF"
	for _, name := range []string{"receipt_template.xml", "receipts_wrapper.xml", "mo.xml", "mo_legacy.xml"} {
		plain := parse(t, p, q, readTestdata(t, name))
		marked := parse(t, p, q, append([]byte(bom), readTestdata(t, name)...))
		require.Equal(t, plain, marked, name)
	}
	evs := parse(t, p, q, []byte(bom+`<moMessage messageId="a"><message>ok</message></moMessage>`))
	require.Equal(t, "ok", evs[0].Body)
	for _, body := range []string{bom + bom + `<moMessage/>`, `<moMessage/>` + bom, ` ` + bom + `<moMessage/>`} {
		_, err := p.ParseCallback(context.Background(), callbackRequest(q, []byte(body)), []byte(body))
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err), "%q", body)
	}
}

// status@isError and multipart@isMultipart are XML Schema booleans, whose lexical forms are
// true, false, 1 and 0 (the emulator's encoding/xml reads them so): isError="1" on a Handset
// receipt is a failure, never Delivered (a final status nothing can undo), and
// isMultipart="1" makes a part report, folded, not the whole message's status.
func TestParseSchemaBooleans(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	q := "token=" + testToken
	for _, tc := range []struct {
		isError string
		want    sms.Status
	}{
		{"true", sms.StatusUndelivered}, {"1", sms.StatusUndelivered}, {" TRUE ", sms.StatusUndelivered},
		{"false", sms.StatusDelivered}, {"0", sms.StatusDelivered},
	} {
		body := `<mtMessageResponse messageId="m"><type>Handset</type><status isError="` + tc.isError +
			`"><description>Carrier failed while submitting message</description><errorCode>107</errorCode></status></mtMessageResponse>`
		evs := parse(t, p, q, []byte(body))
		require.Equal(t, tc.want, evs[0].Status, "isError=%q", tc.isError)
	}
	body := `<mtMessageResponse messageId="m-p2"><multipart isMultipart="1" originalMessageId="m" noOfParts="2" partNumber="2"/>` +
		`<type>Handset</type><status isError="0"/></mtMessageResponse>`
	evs := parse(t, p, q, []byte(body))
	require.Equal(t, "m", evs[0].MessageID)
	require.Equal(t, 2, evs[0].Part)
	require.Equal(t, 2, evs[0].Parts)

	// The same form in a 200 send answer is Vibes' refusal, as "true" is.
	res, err := result("+12025550101", "hi", &httpx.Response{StatusCode: 200,
		Body: []byte(`<mtMessageRsp><status isError="1"><internalErrorCode>9</internalErrorCode></status></mtMessageRsp>`)})
	require.NoError(t, err)
	require.Equal(t, sms.CodeOptedOut, sms.ErrorCode(res[0].Err))
	require.True(t, sms.IsNotAccepted(res[0].Err))
}
