package vibes

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

const okAnswer = `<mtMessageRsp messageId="b75fccf3-8f06-4d8f-a282-d1886a4792a2" submitterMessageId="x" carrier="102"/>`

// wireMessage is the request body as a test reads it back.
type wireMessage struct {
	XMLName            xml.Name `xml:"mtMessage"`
	SubmitterMessageID string   `xml:"submitterMessageId,attr"`
	SplitLongMessage   string   `xml:"splitLongMessage,attr"`
	Destination        address  `xml:"destination"`
	Source             address  `xml:"source"`
	Text               string   `xml:"text"`
	ReceiptOption      *struct {
		CallbackURL string `xml:"callbackUrl,attr"`
		Value       string `xml:",chardata"`
	} `xml:"receiptOption"`
}

func decodeWire(t testing.TB, b []byte) wireMessage {
	var m wireMessage
	require.NoError(t, xml.Unmarshal(b, &m), string(b))
	return m
}

func TestSendRequest(t *testing.T) {
	f := newFake(t, 200, string(readTestdata(t, "send_response.xml")))
	p := newTestProvider(t, f.srv.URL)
	res, err := p.Send(context.Background(), &sms.Message{
		To: []string{"+18475551212"}, From: shortCode, Body: "123857AB12",
		IdempotencyKey: "order-42", Reference: "ref 1&2",
	})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.NoError(t, res[0].Err)
	require.Equal(t, "b75fccf3-8f06-4d8f-a282-d1886a4792a2", res[0].MessageID)
	require.Equal(t, sms.StatusAccepted, res[0].Status)
	require.Equal(t, 1, res[0].Segments)

	r := f.last(t)
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/MessageApi/mt/messages", r.Path)
	require.Equal(t, "text/xml; charset=utf-8", r.Header.Get("Content-Type"))
	user, pass, ok := (&http.Request{Header: r.Header}).BasicAuth()
	require.True(t, ok)
	require.Equal(t, testUser, user)
	require.Equal(t, testPassword, pass)
	require.True(t, strings.HasPrefix(string(r.Body), `<?xml version="1.0" encoding="UTF-8"?>`))

	got := decodeWire(t, r.Body)
	want := wireMessage{
		XMLName:            xml.Name{Local: "mtMessage"},
		SubmitterMessageID: SubmitterMessageID("order-42", "+18475551212"),
		Destination:        address{Address: "+18475551212", Type: "MDN"},
		Source:             address{Address: "63901", Type: "SC"},
		Text:               "123857AB12",
	}
	want.ReceiptOption = &struct {
		CallbackURL string `xml:"callbackUrl,attr"`
		Value       string `xml:",chardata"`
	}{testDelivery + "&smsbridge_ref=ref+1%262", "ALL"}
	require.Empty(t, cmp.Diff(want, got))
	require.LessOrEqual(t, len(got.SubmitterMessageID), MaxSubmitterMessageID)
}

// The submitterMessageId depends only on the idempotency key and the recipient.
func TestSubmitterMessageID(t *testing.T) {
	a := SubmitterMessageID("k", "+12025550101")
	require.Len(t, a, 36)
	require.Equal(t, a, SubmitterMessageID("k", "+12025550101"))
	require.NotEqual(t, a, SubmitterMessageID("k", "+12025550102"))
	require.NotEqual(t, a, SubmitterMessageID("k2", "+12025550101"))
	require.Equal(t, byte('5'), a[14], "version 5")
}

// Without a receipt URL there is no receiptOption; Message.CallbackURL wins over DeliveryURL.
func TestSendReceiptOption(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	cfg := testConfig(f.srv.URL)
	cfg.DeliveryURL = ""
	p, err := New(cfg, nil)
	require.NoError(t, err)
	_, err = p.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "hi", Reference: "r"})
	require.NoError(t, err)
	require.Nil(t, decodeWire(t, f.last(t).Body).ReceiptOption)
	require.NotContains(t, string(f.last(t).Body), "receiptOption")

	_, err = p.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "hi",
		CallbackURL: "https://other.example.com/cb?token=t#frag"})
	require.NoError(t, err)
	ro := decodeWire(t, f.last(t).Body).ReceiptOption
	require.NotNil(t, ro)
	require.Equal(t, "https://other.example.com/cb?token=t#frag", ro.CallbackURL)
	require.Equal(t, "ALL", ro.Value)

	_, err = p.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "hi", CallbackURL: "/relative"})
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	require.Len(t, f.requests(), 2)
}

// Markup characters and quotes in the text and the URL are escaped and come back exactly.
func TestSendEscaping(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	p := newTestProvider(t, f.srv.URL)
	body := `<b>Tom & "Jerry"</b> it's ]]> <![CDATA[x]]>` + "\tline\r\nnext é 😀"
	_, err := p.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: body,
		CallbackURL: `https://app.example.com/cb?token=t&a="b"&c=<d>`})
	require.NoError(t, err)
	raw := string(f.last(t).Body)
	require.NotContains(t, raw, "<b>")
	require.NotContains(t, raw, `"Jerry"`)
	require.NotContains(t, raw, "<![CDATA[")
	require.Contains(t, raw, "&lt;b&gt;Tom &amp; &#34;Jerry&#34;")
	m := decodeWire(t, f.last(t).Body)
	require.Equal(t, body, m.Text)
	require.Equal(t, `https://app.example.com/cb?token=t&a="b"&c=<d>`, m.ReceiptOption.CallbackURL)
}

func TestSendSplitLongMessage(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	p := newTestProvider(t, f.srv.URL)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"160 GSM characters", strings.Repeat("a", 160), ""},
		{"161 characters", strings.Repeat("a", 161), "true"},
		{"900 characters", strings.Repeat("a", 900), "true"},
		{"71 UCS-2 characters", strings.Repeat("é", 10) + strings.Repeat("ж", 61), "true"},
		{"70 UCS-2 characters", strings.Repeat("ж", 70), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: tc.body})
			require.NoError(t, err)
			require.Equal(t, tc.want, decodeWire(t, f.last(t).Body).SplitLongMessage)
		})
	}
}

// C0 control characters (other than tab, LF, CR), U+FFFE/U+FFFF and a validity are refused
// through sms.Client before any request, with no results.
func TestSendRefusedContent(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	c := sms.NewClient(newTestProvider(t, f.srv.URL), nil)
	for name, m := range map[string]*sms.Message{
		"NUL":      {Body: "a\x00b"},
		"ESC":      {Body: "a\x1bb"},
		"BEL":      {Body: "\x07"},
		"U+FFFE":   {Body: "a\uFFFEb"},
		"validity": {Body: "hello", Validity: time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			m.To, m.From = []string{"+12025550101"}, shortCode
			res, err := c.Send(context.Background(), m)
			require.Nil(t, res)
			require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err), "%v", err)
			require.True(t, sms.IsNotAccepted(err))
		})
	}
	require.Empty(t, f.requests())
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "tab\there\r\nline"})
	require.NoError(t, err)
	require.True(t, res[0].OK())
	require.Equal(t, "tab\there\r\nline", decodeWire(t, f.last(t).Body).Text)
	require.Error(t, checkXMLText("a\xffb"))
}

func TestSendSenderTypes(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	c := sms.NewClient(newTestProvider(t, f.srv.URL), nil)
	for _, tc := range []struct {
		from     sms.Sender
		wantType string
		wantAddr string
	}{
		{sms.Sender{Value: "63901"}, "SC", "63901"},
		{sms.Sender{Type: sms.SenderShortCode, Value: "123456"}, "SC", "123456"},
		{sms.Sender{Value: "+12025550100"}, "LC", "+12025550100"},
		{sms.Sender{Type: sms.SenderLongCode, Value: "+14165550100"}, "LC", "+14165550100"},
		{sms.Sender{Value: "+18885550100"}, "TF", "+18885550100"},
	} {
		res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: tc.from, Body: "hi"})
		require.NoError(t, err, tc.from)
		require.True(t, res[0].OK())
		m := decodeWire(t, f.last(t).Body)
		require.Equal(t, address{Address: tc.wantAddr, Type: tc.wantType}, m.Source)
	}
	n := len(f.requests())
	for _, from := range []sms.Sender{
		{Value: "ACME"}, // alphanumeric
		{Type: sms.SenderAlphanumeric, Value: "Acme1"},     // alphanumeric
		{Type: sms.SenderShortCode, Value: "1234"},         // 4 digits
		{Type: sms.SenderShortCode, Value: "1234567"},      // 7 digits
		{Type: sms.SenderLongCode, Value: "+447911123456"}, // not US/CA
		{Type: sms.SenderLongCode, Value: "+17875550100"},  // Puerto Rico
		{Type: sms.SenderPool, Value: "pool-1"},            // no pools
	} {
		res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: from, Body: "hi"})
		require.Nil(t, res, from)
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err), from)
	}
	require.Len(t, f.requests(), n)
	p := newTestProvider(t, f.srv.URL)
	require.ErrorIs(t, p.ValidateSender(sms.Sender{Type: sms.SenderAlphanumeric, Value: "ACME"}), errors.ErrUnsupported)
}

// The root places +1 numbers by area code: Capabilities.Countries {US, CA} refuses the
// Caribbean members of the NANP and every other country as that recipient's
// InvalidRecipient, before any request; toll-free numbers reach both.
func TestSendCountries(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	p := newTestProvider(t, f.srv.URL)
	require.Equal(t, []string{"US", "CA"}, p.Capabilities().Countries)
	c := sms.NewClient(p, nil)
	to := []string{"+12025550101", "+14165550101", "+18005550101", "+447911123456", "+17875550101", "+18765550101", "+12425550101"}
	res, err := c.Send(context.Background(), &sms.Message{To: to, From: shortCode, Body: "hi"})
	require.NoError(t, err)
	require.Len(t, res, len(to))
	for i := range 3 {
		require.True(t, res[i].OK(), to[i])
	}
	for i := 3; i < len(to); i++ {
		require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(res[i].Err), to[i])
		require.True(t, sms.IsNotAccepted(res[i].Err))
	}
	require.Len(t, f.requests(), 3)
	// The provider called directly refuses them too, with no request.
	res, err = p.Send(context.Background(), &sms.Message{To: []string{"+447911123456"}, From: shortCode, Body: "hi"})
	require.NoError(t, err)
	require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(res[0].Err))
	require.Len(t, f.requests(), 3)
}

func TestSendAnswers(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		header      map[string]string
		body        string
		id          string
		code        sms.Code
		vendorCode  string
		notAccepted bool
		perResult   bool // the error is the recipient's result, not the call's
	}{
		{name: "documented success", status: 200, body: string(mustRead("send_response.xml")), id: "b75fccf3-8f06-4d8f-a282-d1886a4792a2"},
		{name: "messageId element", status: 200, body: `<mtMessageRsp><messageId>abc</messageId></mtMessageRsp>`, id: "abc"},
		{name: "messageId and an error status", status: 200, body: `<mtMessageRsp messageId="m1"><status isError="true"><internalErrorCode>9</internalErrorCode></status></mtMessageRsp>`, id: "m1"},
		{name: "201 with messageId", status: 201, body: okAnswer, id: "b75fccf3-8f06-4d8f-a282-d1886a4792a2"},
		{name: "assumed failure, MDN blocked", status: 200, body: string(mustRead("send_failure_assumed.xml")), code: sms.CodeOptedOut, vendorCode: "9", notAccepted: true, perResult: true},
		{name: "failure under another root", status: 200, body: `<error><status isError="TRUE"><description>capped</description><internalErrorCode>12</internalErrorCode></status></error>`, code: sms.CodeUnknown, vendorCode: "12", notAccepted: true, perResult: true},
		{name: "failure with only errorCode", status: 200, body: `<mtMessageRsp><status isError="true"><errorCode>107</errorCode></status></mtMessageRsp>`, code: sms.CodeUnknown, vendorCode: "107", notAccepted: true, perResult: true},
		{name: "failure, unpublished code", status: 200, body: `<mtMessageRsp><status isError="true"><internalErrorCode>26</internalErrorCode></status></mtMessageRsp>`, code: sms.CodeUnknown, vendorCode: "26", notAccepted: true, perResult: true},
		{name: "status without error", status: 200, body: `<mtMessageRsp><status isError="false"/></mtMessageRsp>`, code: sms.CodeOutcomeUnknown},
		{name: "empty root", status: 200, body: `<mtMessageRsp/>`, code: sms.CodeOutcomeUnknown},
		{name: "empty body", status: 200, body: ``, code: sms.CodeOutcomeUnknown},
		{name: "not XML", status: 200, body: `{"messageId":"x"}`, code: sms.CodeOutcomeUnknown},
		{name: "204", status: 204, body: ``, code: sms.CodeOutcomeUnknown},
		{name: "400", status: 400, body: `<mtMessageRsp><status isError="true"><description>bad source</description><internalErrorCode>8</internalErrorCode></status></mtMessageRsp>`, code: sms.CodeInvalidArgument, vendorCode: "8", notAccepted: true},
		{name: "401", status: 401, body: `Unauthorized`, code: sms.CodeUnauthenticated, notAccepted: true},
		{name: "403", status: 403, body: ``, code: sms.CodePermissionDenied, notAccepted: true},
		{name: "404", status: 404, body: ``, code: sms.CodeNotFound, notAccepted: true},
		{name: "429", status: 429, header: map[string]string{"Retry-After": "7"}, body: ``, code: sms.CodeRateLimited, notAccepted: true},
		{name: "500", status: 500, body: `<html>oops</html>`, code: sms.CodeOutcomeUnknown},
		{name: "502", status: 502, body: ``, code: sms.CodeOutcomeUnknown},
		{name: "503", status: 503, body: ``, code: sms.CodeOutcomeUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeVibes{srv: newHeaderFake(t, tc.status, tc.header, tc.body)}
			p := newTestProvider(t, f.srv.URL)
			res, err := p.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "hi", IdempotencyKey: "k"})
			if tc.id != "" {
				require.NoError(t, err)
				require.Equal(t, tc.id, res[0].MessageID)
				require.NoError(t, res[0].Err)
				return
			}
			if tc.perResult {
				require.NoError(t, err)
				require.Len(t, res, 1)
				err = res[0].Err
			} else {
				require.Nil(t, res)
			}
			var e *sms.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code, "%v", err)
			require.Equal(t, tc.vendorCode, e.VendorCode)
			require.Equal(t, tc.notAccepted, e.NotAccepted)
			require.Equal(t, Name, e.Provider)
			if tc.status == 429 {
				require.Equal(t, 7*time.Second, e.RetryAfter)
			}
			if tc.code == sms.CodeOutcomeUnknown {
				require.Contains(t, e.Message, SubmitterMessageID("k", "+12025550101"))
			}
			require.NotContains(t, err.Error(), "oops", "an unparsed body never reaches an error")
		})
	}
}

func mustRead(name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// A 5xx through sms.Client is OutcomeUnknown and sent once: the superseded wiki's "retry"
// is not followed (never send twice).
func TestSendServerErrorNeverTwice(t *testing.T) {
	f := newFake(t, 500, ``)
	c := sms.NewClient(newTestProvider(t, f.srv.URL), nil)
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "hi"})
	require.Error(t, err)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(res[0].Err))
	require.False(t, sms.IsNotAccepted(res[0].Err))
	require.Len(t, f.requests(), 1)
}

// A refused connection proves nothing was sent: NotAccepted, unwrapping to ECONNREFUSED.
func TestSendConnectionRefused(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}}}
	p, err := New(testConfig("http://127.0.0.1:9"), &Options{HTTPClient: hc})
	require.NoError(t, err)
	_, err = p.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "hi"})
	require.True(t, sms.IsNotAccepted(err), "%v", err)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
}

func TestSendDirectRefusals(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	p := newTestProvider(t, f.srv.URL)
	_, err := p.Send(context.Background(), &sms.Message{From: shortCode, Body: "hi"})
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	_, err = p.Send(context.Background(), &sms.Message{To: []string{"+12025550101", "+12025550102"}, From: shortCode, Body: "hi"})
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Send(ctx, &sms.Message{To: []string{"+12025550101"}, From: shortCode, Body: "hi"})
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, f.requests())
}

func TestNew(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no username":      {Password: sms.NewSecret("p")},
		"no password":      {Username: "u"},
		"colon in user":    {Username: "a:b", Password: sms.NewSecret("p")},
		"bad base URL":     {Username: "u", Password: sms.NewSecret("p"), BaseURL: "ftp://x"},
		"bad delivery URL": {Username: "u", Password: sms.NewSecret("p"), DeliveryURL: "/hooks/vibes?token=secret-in-url"},
		"delivery URL without token": {Username: "u", Password: sms.NewSecret("p"), DeliveryURL: "https://a.example/hooks",
			CallbackTokens: []sms.Secret{sms.NewSecret("secret-in-url")}},
		"delivery URL with another token": {Username: "u", Password: sms.NewSecret("p"), DeliveryURL: "https://a.example/hooks?token=secret-in-url",
			CallbackTokens: []sms.Secret{sms.NewSecret("other")}},
		"invalid source prefix": {Username: "u", Password: sms.NewSecret("p"), CallbackSources: []netip.Prefix{{}}},
	} {
		_, err := New(cfg, nil)
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err), name)
		require.NotContains(t, err.Error(), "secret-in-url")
	}
	p, err := New(Config{Username: "u", Password: sms.NewSecret("p")}, nil)
	require.NoError(t, err)
	require.Equal(t, DefaultBaseURL+pathSend, p.sendURL)
	_, err = New(Config{Username: "u", Password: sms.NewSecret("p"), DeliveryURL: "https://a.example/hooks", InsecureSkipCallbackAuth: true}, nil)
	require.NoError(t, err)
	p, err = New(Config{Username: "u", Password: sms.NewSecret("p"), BaseURL: "emulator.local:8080/"}, nil)
	require.NoError(t, err)
	require.Equal(t, "https://emulator.local:8080"+pathSend, p.sendURL)
	p.CloseIdleConnections()
}

func TestNewFromEnv(t *testing.T) {
	for _, k := range []string{EnvUsername, EnvPassword, EnvBaseURL, EnvDeliveryURL, EnvCallbackTokens, EnvCallbackSources, EnvTrustedProxies} {
		t.Setenv(k, "")
	}
	_, err := NewFromEnv(nil)
	require.ErrorContains(t, err, "VIBES_USERNAME and VIBES_PASSWORD are not set")
	t.Setenv(EnvUsername, "u")
	_, err = NewFromEnv(nil)
	require.ErrorContains(t, err, "VIBES_PASSWORD is not set")
	t.Setenv(EnvPassword, "env-password")
	t.Setenv(EnvCallbackTokens, " a , ,"+testToken+" ")
	t.Setenv(EnvCallbackSources, "default")
	t.Setenv(EnvTrustedProxies, "10.0.0.0/8, 192.168.1.1")
	t.Setenv(EnvBaseURL, "http://127.0.0.1:1")
	t.Setenv(EnvDeliveryURL, testDelivery)
	p, err := NewFromEnv(nil)
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:1"+pathSend, p.sendURL)
	require.Equal(t, testDelivery, p.delivery.Reveal())
	require.Len(t, p.sources, len(callbackSources))
	require.Len(t, p.proxies, 2)
	require.Contains(t, p.cb.String(), "tokens=2")
	t.Setenv(EnvTrustedProxies, "not-an-address")
	_, err = NewFromEnv(nil)
	require.ErrorContains(t, err, EnvTrustedProxies)
	require.NotContains(t, err.Error(), "not-an-address")
}

// Credentials and the callback token never appear in any formatting of the provider.
func TestRedaction(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	var sb strings.Builder
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("p", "provider", p)
	for _, s := range []string{p.String(), fmt.Sprint(p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p), fmt.Sprintf("%v", *p), sb.String()} {
		require.NotContains(t, s, testPassword)
		require.NotContains(t, s, testToken)
		require.NotContains(t, s, "YWNtZS1jb25uZWN0") // base64 of the user, as in the auth header
	}
	require.Contains(t, p.String(), "vibes.Provider{base=http://127.0.0.1:1")
}

// The body has the shape of the facts' sample request (testdata/send_request.xml): the same
// elements and attributes, differing only where this package chooses (its derived
// submitterMessageId, receiptOption ALL to its own URL, no carrier or transaction).
func TestSendMatchesSample(t *testing.T) {
	f := newFake(t, 200, okAnswer)
	p := newTestProvider(t, f.srv.URL)
	_, err := p.Send(context.Background(), &sms.Message{To: []string{"+18475551212"}, From: sms.Sender{Value: "98765"},
		Body: strings.Repeat("123857AB12", 17), IdempotencyKey: "k"})
	require.NoError(t, err)
	got := decodeWire(t, f.last(t).Body)
	want := decodeWire(t, readTestdata(t, "send_request.xml"))
	require.Equal(t, "true", want.SplitLongMessage)
	want.SubmitterMessageID = SubmitterMessageID("k", "+18475551212")
	want.Destination.Carrier = ""
	want.Text = strings.Repeat("123857AB12", 17)
	want.ReceiptOption.CallbackURL, want.ReceiptOption.Value = testDelivery, "ALL"
	require.Empty(t, cmp.Diff(want, got))
}

// One list reader for the environment and the registry: addresses become /32 or /128 (a
// v4-mapped v6 address its v4 form), "default" expands only where defaults are given, and a bad
// item is named by position, never quoted.
func TestParsePrefixes(t *testing.T) {
	def := DefaultCallbackSources()
	got, err := ParsePrefixes(" 10.0.0.0/8, ,::ffff:192.0.2.1, Default ", def)
	require.NoError(t, err)
	want := append([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}, def...)
	require.Equal(t, want, got)
	_, err = ParsePrefixes("10.0.0.1,default", nil)
	require.EqualError(t, err, "item 2 is not an IP address or prefix (comma-separated list)")
	_, err = ParsePrefixes("secret-host", def)
	require.ErrorContains(t, err, `item 1 is not an IP address or prefix or "default"`)
	require.NotContains(t, err.Error(), "secret-host")
}
