package vibes

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// wellFormed reports whether encoding/xml reads b to the end without error.
func wellFormed(b []byte) bool {
	d := newDecoder(b)
	for {
		_, err := d.Token()
		if err != nil {
			return err.Error() == "EOF"
		}
	}
}

// FuzzParseCallback (receipts, the wrapper, MO and legacy MO): any body gives events or an
// InvalidArgument error, never a panic; a body encoding/xml refuses is refused; a report has
// sane parts; Raw of a one-item body is the body, of a wrapper item a piece of it.
func FuzzParseCallback(f *testing.F) {
	seeds(f, "receipt_template.xml", "receipts_wrapper.xml", "mo.xml", "mo_legacy.xml")
	f.Add([]byte(`<mtMessageResponse messageId="a"><multipart isMultipart="true" originalMessageId="w" noOfParts="2" partNumber="3"/><type>Handset</type><status isError="true"><internalErrorCode>9</internalErrorCode></status></mtMessageResponse>`))
	f.Add([]byte(`<mtMessageResponses><x/><mtMessageResponse/></mtMessageResponses>`))
	f.Add([]byte(`<moMessage><longMessageInfo/><message text="a">b</message></moMessage>`))
	f.Add([]byte(`<a/><b/>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := parseCallback(body)
		if err != nil {
			var e *sms.Error
			if !errors.As(err, &e) || e.Code != sms.CodeInvalidArgument || !e.NotAccepted {
				t.Fatalf("error %v is not InvalidArgument", err)
			}
			return
		}
		if !wellFormed(body) {
			t.Fatalf("parsed a body encoding/xml refuses")
		}
		for _, ev := range cb.Events {
			if ev.Provider != Name || !bytes.Contains(body, ev.Raw) {
				t.Fatalf("event %+v: provider or raw wrong", ev)
			}
			if ev.Part < 0 || ev.Part > maxParts || ev.Parts != 0 && ev.Parts < ev.Part {
				t.Fatalf("part %d of %d", ev.Part, ev.Parts)
			}
			if ev.Type == sms.EventDeliveryReport && ev.Status == sms.StatusDelivered && ev.ErrorCode != "" {
				t.Fatalf("delivered with error code %q", ev.ErrorCode)
			}
		}
	})
}

// FuzzSendAnswer: any 2xx body gives a message id, the recipient's NotAccepted refusal or
// OutcomeUnknown — never a panic, and never NotAccepted without an error status.
func FuzzSendAnswer(f *testing.F) {
	seeds(f, "send_response.xml", "send_failure_assumed.xml")
	f.Add([]byte(`<x><status isError="true"/></x>`))
	f.Add([]byte(`<mtMessageRsp><messageId> </messageId></mtMessageRsp>`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := result("+12025550101", "hi", &httpx.Response{StatusCode: 200, Body: body})
		if err != nil {
			if sms.ErrorCode(err) != sms.CodeOutcomeUnknown || sms.IsNotAccepted(err) || res != nil {
				t.Fatalf("whole-request error %v is not OutcomeUnknown", err)
			}
			return
		}
		if len(res) != 1 || res[0].To != "+12025550101" {
			t.Fatalf("want one result, got %+v", res)
		}
		if res[0].Err == nil {
			if res[0].MessageID == "" {
				t.Fatalf("success without a message id")
			}
			return
		}
		if !sms.IsNotAccepted(res[0].Err) || !bytes.Contains(bytes.ToLower(body), []byte("status")) {
			t.Fatalf("refusal %v without an error status", res[0].Err)
		}
	})
}

// FuzzSendBody: every text ValidateMessage takes goes out as well-formed XML whose text
// element reads back byte for byte; every other is refused before a body is built.
func FuzzSendBody(f *testing.F) {
	f.Add(`<b>Tom & "Jerry"</b> it's`, "https://a.example/cb?token=t&x=<y>", "ref&1")
	f.Add("tab\there\r\nline\x00", "", "")
	f.Add("]]>\uFFFE😀", "https://a.example/cb", "")
	p, err := New(Config{Username: "u", Password: sms.NewSecret("p")}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text, cb, ref string) {
		msg := &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "63901"}, Body: text, CallbackURL: cb, Reference: ref}
		body, err := p.sendBody(msg, SubmitterMessageID("k", "+12025550101"))
		if err != nil {
			if sms.ErrorCode(err) != sms.CodeInvalidArgument || !sms.IsNotAccepted(err) {
				t.Fatalf("refusal %v is not InvalidArgument", err)
			}
			if checkXMLText(text) == nil && checkCallbackURL(cb, "CallbackURL") == nil {
				t.Fatalf("refused a valid message: %v", err)
			}
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("built a body for invalid UTF-8")
		}
		var m struct {
			Text    string `xml:"text"`
			Receipt struct {
				URL string `xml:"callbackUrl,attr"`
			} `xml:"receiptOption"`
		}
		if err := xml.Unmarshal(body, &m); err != nil {
			t.Fatalf("body is not XML: %v\n%s", err, body)
		}
		if m.Text != text {
			t.Fatalf("text %q came back as %q", text, m.Text)
		}
		if cb != "" && !strings.HasPrefix(m.Receipt.URL, strings.Split(cb, "#")[0]) {
			t.Fatalf("callback URL %q came back as %q", cb, m.Receipt.URL)
		}
	})
}

// FuzzClientAddr: any RemoteAddr and X-Forwarded-For give an address only when the peer is
// readable, and never a trusted proxy's own address unless every hop is one.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.0.0.5:1", "52.48.241.82, 10.1.1.1")
	f.Add("203.0.113.9:1", "52.48.241.82")
	f.Add("10.0.0.5:1", "unknown")
	f.Add("[::ffff:10.0.0.5]:1", "")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{}}
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		a, ok := ClientAddr(r, trusted)
		if !ok {
			return
		}
		peer, pok := parseAddr(remote)
		if !pok {
			t.Fatalf("an address from an unreadable peer %q", remote)
		}
		if !contains(trusted, peer) && a != peer {
			t.Fatalf("X-Forwarded-For read for an untrusted peer")
		}
	})
}
