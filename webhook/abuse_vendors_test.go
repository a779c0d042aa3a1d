package webhook_test

// The vendors of the abuse suite (abuse_test.go): one entry per vendor handler, each built from
// the vendor's emulator (its request builders sign and authenticate callbacks exactly as the
// emulator's own deliveries do) and the vendor package's exported signing helpers. Adding a
// vendor is one entry in abuseVendors: a provider, a valid callback, a way to authenticate any
// body, and the statuses it answers to the payload cases.

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/telesign/telesigntest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/vibes"
	"github.com/smsbridge/sms/vibes/vibestest"
	"github.com/smsbridge/sms/webhook"
)

// wire is one callback as it travels: everything a mutation may change.
type wire struct {
	method string
	url    string // absolute, as the vendor requests it
	header http.Header
	body   []byte
}

// fromRequest captures a request an emulator built.
func fromRequest(t testing.TB, r *http.Request) wire {
	t.Helper()
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = b
	}
	return wire{method: r.Method, url: r.URL.String(), header: r.Header.Clone(), body: body}
}

// request returns w as a server receives it (RequestURI, Host, RemoteAddr set).
func (w wire) request() *http.Request {
	u, err := url.Parse(w.url)
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(w.method, u.RequestURI(), bytes.NewReader(w.body))
	r.Host = u.Host
	r.Header = w.header.Clone()
	return r
}

// with returns a copy of w with fn applied to the copy.
func (w wire) with(fn func(*wire)) wire {
	c := wire{method: w.method, url: w.url, header: w.header.Clone(), body: bytes.Clone(w.body)}
	fn(&c)
	return c
}

// withQuery returns w's URL with the query parameter key set to value ("" removes it).
func (w wire) withQuery(key, value string) wire {
	return w.with(func(c *wire) {
		u, _ := url.Parse(c.url)
		q := u.Query()
		if value == "" {
			q.Del(key)
		} else {
			q.Set(key, value)
		}
		u.RawQuery = q.Encode()
		c.url = u.String()
	})
}

// withPath returns w's URL with another path, same query.
func (w wire) withPath(p string) wire {
	return w.with(func(c *wire) {
		u, _ := url.Parse(c.url)
		u.Path = p
		c.url = u.String()
	})
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// Payload cases: each vendor says what it answers (0: the case does not apply, with why).
const (
	payTruncated = "truncated"
	payMalformed = "malformed"
	payNested    = "deeply nested"
	payItems     = "10,000 items"
	payEmpty     = "empty body"
)

// abuseKit is one vendor's handler under attack.
type abuseKit struct {
	p sms.Provider
	// valid returns an authenticated callback carrying one delivery report, a different one
	// for each n.
	valid func(n int) wire
	// inbound returns an authenticated inbound message with text.
	inbound func(text string) wire
	// sign returns a request that passes authentication carrying body (the vendor's
	// content type), so that the payload cases reach the decoder.
	sign func(body []byte) wire
	// wrongCredential returns valid(n) authenticated with a credential the provider does not
	// hold (another signing key, token or password).
	wrongCredential func(n int) wire
	// strip removes every credential from a callback.
	strip func(w wire) wire
	// bodyBound and urlBound say whether authentication covers the body and the URL path. A
	// scheme that does not (a token or Basic credentials; Telesign's signature covers the
	// body only) accepts a valid credential on another body or path: the vendor sends nothing
	// stronger.
	bodyBound, urlBound bool
	// items returns a payload of n items in the vendor's batch shape (a JSON array of
	// single-object callbacks for a vendor that never batches).
	items func(n int) []byte
	// bodies replaces the suite's payload of a case, for a vendor whose format is not JSON
	// (an XML vendor's deeply nested payload is nested elements).
	bodies map[string][]byte
	// payload gives the status of each payload case (absent: 400); 0 skips the case.
	payload map[string]int
	// why explains each skipped or non-400 payload case.
	why map[string]string
	// foreignContentType is what a valid callback answers with Content-Type text/plain: 200
	// where the body decides whatever the header says (see "Content types" in doc.go).
	foreignContentType int
	// secrets are the credentials of both sides, right and wrong: none may appear in a log,
	// an error or a formatted value.
	secrets []string
}

type abuseVendor struct {
	name string
	// setup builds the kit; the provider logs to log (nil: silent).
	setup func(t *testing.T, log *slog.Logger) *abuseKit
}

// abuseVendors is every vendor handler.
var abuseVendors = []abuseVendor{
	{"twilio", twilioKit},
	{"acs/eventgrid+token", func(t *testing.T, log *slog.Logger) *abuseKit { return acsKit(t, log, acstest.SchemaEventGrid) }},
	{"acs/cloudevents+basic", func(t *testing.T, log *slog.Logger) *abuseKit { return acsKit(t, log, acstest.SchemaCloudEvents) }},
	{"infobip", infobipKit},
	{"telesign", telesignKit},
	{"linkmobility", linkKit},
	{"vibes", func(t *testing.T, log *slog.Logger) *abuseKit { return vibesKit(t, log, false) }},
	{"vibes/sources+proxy", func(t *testing.T, log *slog.Logger) *abuseKit { return vibesKit(t, log, true) }},
}

// must returns v, or panics on a setup error (a test's misconfiguration).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// jsonArray returns [item(0),item(1),…] of n items.
func jsonArray(n int, item func(i int) []byte) []byte {
	var b bytes.Buffer
	b.Grow(n * 64)
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(item(i))
	}
	b.WriteByte(']')
	return b.Bytes()
}

// ---------------------------------------------------------------------------------------------

const (
	twilioToken      = "abuse-twilio-auth-token-0123456789"
	twilioWrongToken = "another-twilio-auth-token-98765"
	publicURL        = "https://app.example.com"
)

func twilioKit(t *testing.T, log *slog.Logger) *abuseKit {
	emu := twiliotest.New(&twiliotest.Options{AuthToken: twilioToken})
	forger := twiliotest.New(&twiliotest.Options{AuthToken: twilioWrongToken})
	p := must(twilio.New(twilio.Config{AccountSID: emu.AccountSID(), AuthToken: sms.NewSecret(twilioToken), PublicURL: publicURL},
		&twilio.Options{Logger: log}))
	cbURL := publicURL + "/sms/twilio?" + twilio.ReferenceParam + "=order-7"
	sid := func(n int) string { return fmt.Sprintf("SM%032x", n) }
	return &abuseKit{
		p: p,
		valid: func(n int) wire {
			return fromRequest(t, emu.StatusCallbackRequest(cbURL, sid(n), "+14155550100", "delivered", ""))
		},
		inbound: func(text string) wire {
			return fromRequest(t, emu.InboundRequest(publicURL+"/sms/twilio", "+14155550100", "+14155550199", text))
		},
		sign: func(body []byte) wire { // Twilio's body-hash form of the signature covers any bytes
			signedURL, sig := twilio.SignJSON(twilioToken, cbURL, body)
			return wire{method: http.MethodPost, url: signedURL, body: body, header: http.Header{
				"Content-Type": {"application/x-www-form-urlencoded"}, twilio.SignatureHeader: {sig}}}
		},
		wrongCredential: func(n int) wire {
			return fromRequest(t, forger.StatusCallbackRequest(cbURL, sid(n), "+14155550100", "delivered", ""))
		},
		strip:     func(w wire) wire { return w.with(func(c *wire) { c.header.Del(twilio.SignatureHeader) }) },
		bodyBound: true, urlBound: true,
		items: func(n int) []byte {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "&F%d=v", i)
			}
			return []byte("MessageSid=SM1&MessageStatus=delivered" + b.String())
		},
		payload: map[string]int{payTruncated: 200, payNested: 0, payEmpty: 200},
		why: map[string]string{
			payTruncated: "a form has no end: the first half of a status callback is a shorter form, acknowledged as a report or an unknown event",
			payNested:    "form bodies do not nest",
			payEmpty:     "an empty signed form is an unknown event, acknowledged",
			payItems:     "more than twilio.MaxFormFields fields",
		},
		// A form signature is computed over the decoded form: a body of another type cannot
		// be checked against it, so it fails verification (fail closed).
		foreignContentType: http.StatusUnauthorized,
		secrets:            []string{twilioToken, twilioWrongToken},
	}
}

// ---------------------------------------------------------------------------------------------

const (
	acsToken    = "abuse-acs-callback-token-0123456789"
	acsUser     = "eventgrid"
	acsPassword = "abuse-acs-basic-password-0123456789"
)

func acsKit(t *testing.T, log *slog.Logger, schema string) *abuseKit {
	cfg := acs.Config{Endpoint: "https://abuse.communication.azure.com", AccessKey: sms.NewSecret(acstest.DefaultAccessKey)}
	eo := &acstest.Options{Schema: schema, Seed: 7}
	cbURL := publicURL + "/sms/acs"
	contentType := "application/json"
	var wrongCredential func(w wire) wire
	var strip func(w wire) wire
	if schema == acstest.SchemaEventGrid { // a secret token in the subscription's URL
		cfg.CallbackTokens = []sms.Secret{sms.NewSecret(acsToken)}
		cbURL += "?" + acs.CallbackTokenParam + "=" + acsToken
		wrongCredential = func(w wire) wire { return w.withQuery(acs.CallbackTokenParam, "wrong-callback-token-4242") }
		strip = func(w wire) wire { return w.withQuery(acs.CallbackTokenParam, "") }
	} else { // Basic credentials as a static delivery header
		cfg.CallbackUser, cfg.CallbackPassword = acsUser, sms.NewSecret(acsPassword)
		eo.DeliveryHeaders = http.Header{"Authorization": {basicAuth(acsUser, acsPassword)}}
		contentType = "application/cloudevents-batch+json; charset=utf-8"
		wrongCredential = func(w wire) wire {
			return w.with(func(c *wire) { c.header.Set("Authorization", basicAuth(acsUser, "wrong-callback-password-4242")) })
		}
		strip = func(w wire) wire { return w.with(func(c *wire) { c.header.Del("Authorization") }) }
	}
	emu := acstest.New(eo)
	p := must(acs.New(cfg, &acs.Options{Logger: log}))
	valid := func(n int) wire {
		return fromRequest(t, emu.DeliveryReportRequest(cbURL, fmt.Sprintf("acs-msg-%d", n), "+14155550100", sms.StatusDelivered, "", ""))
	}
	return &abuseKit{
		p:     p,
		valid: valid,
		inbound: func(text string) wire {
			return fromRequest(t, emu.InboundRequest(cbURL, "+14155550100", "+14155550199", text))
		},
		sign: func(body []byte) wire {
			w := valid(0)
			w.body = body
			w.header.Set("Content-Type", contentType)
			return w
		},
		wrongCredential: func(n int) wire { return wrongCredential(valid(n)) },
		strip:           strip,
		items: func(n int) []byte {
			one := valid(0).body // an array of one event
			item := bytes.TrimSuffix(bytes.TrimPrefix(bytes.TrimSpace(one), []byte("[")), []byte("]"))
			return jsonArray(n, func(int) []byte { return item })
		},
		payload: map[string]int{},
		why: map[string]string{
			payItems: "more than acs.MaxCallbackEvents: Event Grid never sends that many",
		},
		foreignContentType: http.StatusOK,
		secrets: []string{acsToken, acsPassword, basicAuth(acsUser, acsPassword), acstest.DefaultAccessKey,
			"wrong-callback-token-4242", "wrong-callback-password-4242", basicAuth(acsUser, "wrong-callback-password-4242")},
	}
}

// ---------------------------------------------------------------------------------------------

const infobipToken = "abuse-infobip-callback-token-0123456789"

func infobipKit(t *testing.T, log *slog.Logger) *abuseKit {
	emu := infobiptest.New(nil)
	p := must(infobip.New(infobip.Config{APIKey: sms.NewSecret(infobiptest.DefaultAPIKey), BaseURL: "https://abuse.api.infobip.com",
		CallbackTokens: []sms.Secret{sms.NewSecret(infobipToken)}}, &infobip.Options{Logger: log}))
	cbURL := publicURL + "/sms/infobip?" + infobip.CallbackTokenParam + "=" + infobipToken
	report := func(n int) infobiptest.Report {
		return emu.NewReport(fmt.Sprintf("ib-msg-%d", n), "+14155550100", sms.StatusDelivered, "")
	}
	valid := func(n int) wire { return fromRequest(t, emu.DeliveryReportsRequest(cbURL, infobiptest.V3, report(n))) }
	return &abuseKit{
		p:     p,
		valid: valid,
		inbound: func(text string) wire {
			return fromRequest(t, emu.InboundRequest(cbURL, "+14155550100", "+14155550199", text))
		},
		sign:            func(body []byte) wire { w := valid(0); w.body = body; return w },
		wrongCredential: func(n int) wire { return valid(n).withQuery(infobip.CallbackTokenParam, "wrong-callback-token-4242") },
		strip:           func(w wire) wire { return w.withQuery(infobip.CallbackTokenParam, "") },
		items: func(n int) []byte {
			reports := make([]infobiptest.Report, n)
			for i := range reports {
				reports[i] = report(i)
			}
			return infobiptest.ReportsBody(infobiptest.V3, reports...)
		},
		payload:            map[string]int{payItems: 200},
		why:                map[string]string{payItems: "Infobip batches results[]: every item becomes an event"},
		foreignContentType: http.StatusOK,
		secrets:            []string{infobipToken, infobiptest.DefaultAPIKey, "wrong-callback-token-4242"},
	}
}

// ---------------------------------------------------------------------------------------------

func telesignKit(t *testing.T, log *slog.Logger) *abuseKit {
	emu := telesigntest.New(nil)
	otherKey := base64.StdEncoding.EncodeToString([]byte("another telesign api key, 32 B!!"))
	forger := telesigntest.New(&telesigntest.Options{APIKey: otherKey})
	p := must(telesign.New(telesign.Config{CustomerID: emu.CustomerID(), APIKey: sms.NewSecret(emu.APIKey())},
		&telesign.Options{BaseURL: "http://127.0.0.1:9", Logger: log}))
	cbURL := publicURL + "/sms/telesign"
	report := func(s *telesigntest.Server, n int) *http.Request {
		return s.DeliveryReportRequest(cbURL, s.NewReport(fmt.Sprintf("%032X", n), "", sms.StatusDelivered, ""))
	}
	return &abuseKit{
		p:     p,
		valid: func(n int) wire { return fromRequest(t, report(emu, n)) },
		inbound: func(text string) wire {
			return fromRequest(t, emu.InboundRequest(cbURL, "+14155550100", "+14155550199", text))
		},
		sign: func(body []byte) wire {
			sig := must(telesign.SignCallback(sms.NewSecret(emu.APIKey()), body))
			return wire{method: http.MethodPost, url: cbURL, body: body, header: http.Header{
				"Content-Type": {"application/json"}, "Authorization": {"TSA " + emu.CustomerID() + ":" + sig}, "X-Ts-Authorization": {sig}}}
		},
		wrongCredential: func(n int) wire { return fromRequest(t, report(forger, n)) },
		strip: func(w wire) wire {
			return w.with(func(c *wire) { c.header.Del("Authorization"); c.header.Del("X-Ts-Authorization") })
		},
		bodyBound: true,
		items: func(n int) []byte {
			one := fromRequest(t, report(emu, 0)).body
			return jsonArray(n, func(int) []byte { return one })
		},
		payload:            map[string]int{},
		why:                map[string]string{payItems: "Telesign posts one object per callback: an array is malformed"},
		foreignContentType: http.StatusOK,
		secrets:            []string{emu.APIKey(), otherKey},
	}
}

// ---------------------------------------------------------------------------------------------

const (
	linkGateUser     = "gate-user"
	linkGatePassword = "abuse-link-gate-password-0123456789"
)

func linkKit(t *testing.T, log *slog.Logger) *abuseKit {
	emu := linkmobilitytest.New(nil)
	p := must(linkmobility.New(linkmobility.Config{
		Username: linkmobilitytest.DefaultUsername, Password: sms.NewSecret(linkmobilitytest.DefaultPassword),
		PlatformID: linkmobilitytest.DefaultPlatformID, PlatformPartnerID: linkmobilitytest.DefaultPlatformPartnerID,
		BaseURL:      "https://abuse.link.example",
		CallbackUser: linkGateUser, CallbackPassword: sms.NewSecret(linkGatePassword),
	}, &linkmobility.Options{Logger: log}))
	gate := linkmobilitytest.Gate{URL: publicURL + "/sms/link", Username: linkGateUser, Password: linkGatePassword}
	report := func(n int) linkmobilitytest.Report {
		return emu.NewReport(fmt.Sprintf("link-msg-%d", n), "", 1, 1, sms.StatusDelivered, "")
	}
	valid := func(n int) wire { return fromRequest(t, emu.DeliveryReportRequest(gate, report(n))) }
	return &abuseKit{
		p:     p,
		valid: valid,
		inbound: func(text string) wire {
			return fromRequest(t, emu.InboundRequest(gate, "+14155550100", "+14155550199", text))
		},
		sign: func(body []byte) wire { w := valid(0); w.body = body; return w },
		wrongCredential: func(n int) wire {
			return valid(n).with(func(c *wire) { c.header.Set("Authorization", basicAuth(linkGateUser, "wrong-callback-password-4242")) })
		},
		strip: func(w wire) wire { return w.with(func(c *wire) { c.header.Del("Authorization") }) },
		items: func(n int) []byte {
			return jsonArray(n, func(i int) []byte { return report(i).Body() })
		},
		payload:            map[string]int{},
		why:                map[string]string{payItems: "a LINK gate posts one object per callback: an array is malformed"},
		foreignContentType: http.StatusOK,
		secrets: []string{linkGatePassword, basicAuth(linkGateUser, linkGatePassword), linkmobilitytest.DefaultPassword,
			"wrong-callback-password-4242", basicAuth(linkGateUser, "wrong-callback-password-4242")},
	}
}

// ---------------------------------------------------------------------------------------------

const (
	vibesToken      = "abuse-vibes-callback-token-0123456789"
	vibesWrongToken = "wrong-callback-token-4242"
	// vibesSource is one of Vibes' published callback addresses (vibes.DefaultCallbackSources).
	vibesSource = "52.32.61.199"
)

// vibesProxies are the reverse proxies of the sources+proxy entry: the test's own peers
// (httptest.NewRequest's 192.0.2.1, a real server's loopback), so that every callback of the
// suite arrives through a trusted proxy that names Vibes in X-Forwarded-For.
var vibesProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("127.0.0.0/8")}

// vibesProvider returns a provider whose receipt URL carries the callback token; with sources,
// Config.CallbackSources is Vibes' published list behind the trusted vibesProxies.
func vibesProvider(log *slog.Logger, sources bool) *vibes.Provider {
	cfg := vibes.Config{Username: vibestest.DefaultUsername, Password: sms.NewSecret(vibestest.DefaultPassword),
		BaseURL: "https://abuse.vibes.example", DeliveryURL: vibesCallbackURL(),
		CallbackTokens: []sms.Secret{sms.NewSecret(vibesToken)}}
	if sources {
		cfg.CallbackSources, cfg.TrustedProxies = vibes.DefaultCallbackSources(), vibesProxies
	}
	return must(vibes.New(cfg, &vibes.Options{Logger: log}))
}

func vibesCallbackURL() string {
	return publicURL + "/sms/vibes?" + vibes.CallbackTokenParam + "=" + vibesToken
}

func vibesKit(t *testing.T, log *slog.Logger, sources bool) *abuseKit {
	emu := vibestest.New(nil)
	p := vibesProvider(log, sources)
	cbURL := vibesCallbackURL()
	via := func(w wire) wire { // the trusted proxy's header: the peer it took the callback from
		if sources {
			w.header.Set("X-Forwarded-For", vibesSource)
		}
		return w
	}
	report := func(n int) vibestest.Report {
		return emu.NewReport(fmt.Sprintf("vibes-msg-%d", n), "", sms.StatusDelivered, "")
	}
	valid := func(n int) wire { return via(fromRequest(t, emu.DeliveryReportRequest(cbURL, report(n)))) }
	valid0 := valid(0)
	return &abuseKit{
		p:     p,
		valid: valid,
		inbound: func(text string) wire {
			return via(fromRequest(t, emu.InboundRequest(cbURL, "+14155550100", vibestest.DefaultShortCode, text)))
		},
		sign:            func(body []byte) wire { return valid0.with(func(c *wire) { c.body = body }) },
		wrongCredential: func(n int) wire { return valid(n).withQuery(vibes.CallbackTokenParam, vibesWrongToken) },
		strip:           func(w wire) wire { return w.withQuery(vibes.CallbackTokenParam, "") },
		items: func(n int) []byte {
			rs := vibestest.Responses{Responses: make([]vibestest.Report, n)}
			for i := range rs.Responses {
				rs.Responses[i] = report(i)
			}
			return []byte(xml.Header + string(must(xml.Marshal(rs))))
		},
		bodies: map[string][]byte{
			payTruncated: valid0.body[:len(valid0.body)/2],
			payMalformed: []byte(`<?xml version="1.0" encoding="UTF-8"?><mtMessageResponse messageId="a"><type>Handset</status></mtMessageResponse>`),
			payNested:    []byte(`<mtMessageResponses>` + strings.Repeat(`<mtMessageResponse><multipart>`, 25000)),
		},
		payload: map[string]int{payItems: 200},
		why: map[string]string{
			payItems: "mtMessageResponses is Vibes' own wrapper of receipts (the pull API's answer): every item " +
				"becomes an event, as Infobip's results[]; the body limit bounds the count",
		},
		foreignContentType: http.StatusOK,
		secrets: []string{vibesToken, vibesWrongToken, vibestest.DefaultPassword,
			basicAuth(vibestest.DefaultUsername, vibestest.DefaultPassword)},
	}
}

// A Vibes callback is refused 403, whatever its token, unless its client address is one of
// Config.CallbackSources; X-Forwarded-For counts only when a trusted proxy wrote it, and then
// only its right-most untrusted entry.
func TestAbuseVibesSources(t *testing.T) {
	emu := vibestest.New(nil)
	w := fromRequest(t, emu.DeliveryReportRequest(vibesCallbackURL(), emu.NewReport("vibes-msg-1", "", sms.StatusDelivered, "")))
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         int
	}{
		{"from Vibes, no proxy", vibesSource + ":4242", nil, http.StatusOK},
		{"from outside", "203.0.113.9:4242", nil, http.StatusForbidden},
		{"spoofed X-Forwarded-For from an untrusted peer", "203.0.113.9:4242", []string{vibesSource}, http.StatusForbidden},
		{"spoofed entry left of the client, through the proxy", "192.0.2.1:4242", []string{vibesSource + ", 203.0.113.9"}, http.StatusForbidden},
		{"spoofed in an earlier header, through the proxy", "192.0.2.1:4242", []string{vibesSource, "203.0.113.9"}, http.StatusForbidden},
		{"through the proxy, no X-Forwarded-For", "192.0.2.1:4242", nil, http.StatusForbidden},
		{"unreadable X-Forwarded-For, through the proxy", "192.0.2.1:4242", []string{"52.32.61.199, not-an-address"}, http.StatusForbidden},
		{"from Vibes, through two proxies", "192.0.2.1:4242", []string{"203.0.113.9, " + vibesSource + ", 127.0.0.1"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, withProxies := range []bool{false, true} {
				sink := &recSink{}
				var gotErr error
				h := webhook.Handler(vibesProvider(nil, true), sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
				if !withProxies { // the same deployment without a proxy: X-Forwarded-For is never read
					p := must(vibes.New(vibes.Config{Username: vibestest.DefaultUsername, Password: sms.NewSecret(vibestest.DefaultPassword),
						BaseURL: "https://abuse.vibes.example", CallbackTokens: []sms.Secret{sms.NewSecret(vibesToken)},
						CallbackSources: vibes.DefaultCallbackSources()}, nil))
					h = webhook.Handler(p, sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
				}
				want := tc.want
				if !withProxies && tc.remote != vibesSource+":4242" {
					want = http.StatusForbidden // the peer is never Vibes
				}
				r := w.request()
				r.RemoteAddr = tc.remote
				for _, v := range tc.xff {
					r.Header.Add("X-Forwarded-For", v)
				}
				expectStatus(t, serve(h, r), want)
				if want == http.StatusForbidden {
					if sink.n() != 0 || sms.ErrorCode(gotErr) != sms.CodePermissionDenied {
						t.Fatalf("proxies %v: %d sink calls, cause %v; want none and CodePermissionDenied", withProxies, sink.n(), gotErr)
					}
				} else if sink.n() != 1 {
					t.Fatalf("proxies %v: %d sink calls, want 1", withProxies, sink.n())
				}
			}
		})
	}
}
