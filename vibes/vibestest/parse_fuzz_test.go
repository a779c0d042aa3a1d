package vibestest

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseSend: the send parser never panics, and what it accepts has the required fields,
// a known receiptOption, an absolute callbackUrl and a submitterMessageId of at most 40
// characters.
func FuzzParseSend(f *testing.F) {
	b, err := os.ReadFile("testdata/send-request.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`<mtMessage><destination address="8475551212"/><source address="98765" type="SC"/><text><![CDATA[a]]></text><x/></mtMessage>`))
	f.Add([]byte(`<mtMessage splitLongMessage="TRUE"><destination address="1"/><source address="2" type="LC"/><text>t</text><receiptOption>all</receiptOption></mtMessage><!-- c -->`))
	f.Add([]byte(`<mtMessageRsp messageId="x"/>`))
	f.Add([]byte(`<mtMessage><text>a</text><text>b</text></mtMessage>`))
	f.Add([]byte(`<`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseSend(body)
		if err != nil {
			return
		}
		switch {
		case strings.TrimSpace(r.Destination.Address) == "", strings.TrimSpace(r.Source.Address) == "",
			strings.TrimSpace(r.Source.Type) == "", r.Text == "":
			t.Fatalf("accepted without a required field: %+v", r)
		case utf8.RuneCountInString(r.SubmitterMessageID) > MaxSubmitterMessageID:
			t.Fatalf("accepted submitterMessageId %q", r.SubmitterMessageID)
		case r.CallbackURL != "" && !absoluteHTTP(r.CallbackURL):
			t.Fatalf("accepted callbackUrl %q", r.CallbackURL)
		}
		switch r.ReceiptOption {
		case "", ReceiptNone, ReceiptError, ReceiptAll, ReceiptSMSCError, ReceiptSMSCAll:
		default:
			t.Fatalf("accepted receiptOption %q", r.ReceiptOption)
		}
		if n, ok := nanp(r.Destination.Address); ok && (len(n) != 12 || n[:2] != "+1") {
			t.Fatalf("nanp(%q) = %q", r.Destination.Address, n)
		}
	})
}
