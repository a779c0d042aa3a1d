package vibestest_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/smsbridge/sms/vibes/vibestest"
)

// BenchmarkSend is one send through the emulator (Basic auth, validation, storage, no
// receipts asked for) beside a bare net/http server that reads the same XML body, decodes
// it and answers a fixed mtMessageRsp: the emulator's own cost over loopback HTTP.
func BenchmarkSend(b *testing.B) {
	body := `<?xml version="1.0" encoding="UTF-8"?><mtMessage submitterMessageId="239487234987234">` +
		`<destination address="+18475551212" type="MDN"/><source address="98765" type="SC"/>` +
		`<text>Your order has shipped</text><receiptOption>NONE</receiptOption></mtMessage>`
	run := func(b *testing.B, base string) {
		client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		defer client.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, base+vibestest.APIPath, strings.NewReader(body))
			req.Header.Set("Content-Type", "text/xml")
			req.SetBasicAuth(vibestest.DefaultUsername, vibestest.DefaultPassword)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatal(resp.Status)
			}
		}
	}
	b.Run("baseline", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			var m struct {
				Destination struct {
					Address string `xml:"address,attr"`
				} `xml:"destination"`
				Text string `xml:"text"`
			}
			if xml.Unmarshal(raw, &m) != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, `<mtMessageRsp messageId="b75fccf3-8f06-4d8f-a282-d1886a4792a2" carrier="102" splitLongMessage="false"/>`)
		}))
		defer srv.Close()
		run(b, srv.URL)
	})
	b.Run("emulator", func(b *testing.B) {
		srv := vibestest.NewServer(nil)
		defer srv.Close()
		run(b, srv.URL)
	})
}
