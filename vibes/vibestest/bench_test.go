package vibestest_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms/vibes/vibestest"
)

// BenchmarkSend is one send through the emulator (Basic auth, validation, recording,
// storage, the receipts planned but none posted) beside a bare net/http server that reads
// the same XML body, decodes the same fields and encodes an mtMessageRsp: the emulator's
// own cost over loopback HTTP. The
// "paired" run alternates the two per iteration and reports the ratio of their median
// times (x-baseline), so that a shared machine's load hits both alike.
func BenchmarkSend(b *testing.B) {
	body := `<?xml version="1.0" encoding="UTF-8"?><mtMessage submitterMessageId="239487234987234">` +
		`<destination address="+18475551212" type="MDN"/><source address="98765" type="SC"/>` +
		`<text>Your order has shipped</text><receiptOption>NONE</receiptOption></mtMessage>`
	type addr struct {
		Address string `xml:"address,attr"`
		Type    string `xml:"type,attr"`
	}
	type answer struct {
		XMLName   xml.Name `xml:"mtMessageRsp"`
		MessageID string   `xml:"messageId,attr"`
		Submitter string   `xml:"submitterMessageId,attr"`
		Carrier   string   `xml:"carrier,attr"`
		Split     string   `xml:"splitLongMessage,attr"`
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var m struct {
			Submitter     string `xml:"submitterMessageId,attr"`
			Destination   addr   `xml:"destination"`
			Source        addr   `xml:"source"`
			Text          string `xml:"text"`
			ReceiptOption struct {
				CallbackURL string `xml:"callbackUrl,attr"`
				Value       string `xml:",chardata"`
			} `xml:"receiptOption"`
		}
		if _, _, ok := r.BasicAuth(); !ok || xml.Unmarshal(raw, &m) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		out, _ := xml.Marshal(answer{MessageID: "b75fccf3-8f06-4d8f-a282-d1886a4792a2", Submitter: m.Submitter, Carrier: "102", Split: "false"})
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(out)
	}))
	defer bare.Close()
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer client.CloseIdleConnections()
	send := func(base string) {
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
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			send(bare.URL)
		}
	})
	b.Run("emulator", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			send(srv.URL)
		}
	})
	b.Run("paired", func(b *testing.B) {
		var te, tb []time.Duration
		for b.Loop() {
			t0 := time.Now()
			send(srv.URL)
			t1 := time.Now()
			send(bare.URL)
			t2 := time.Now()
			te, tb = append(te, t1.Sub(t0)), append(tb, t2.Sub(t1))
		}
		slices.Sort(te)
		slices.Sort(tb)
		me, mb := te[len(te)/2], tb[len(tb)/2]
		b.ReportMetric(float64(me.Nanoseconds()), "ns/op-median")
		b.ReportMetric(float64(mb.Nanoseconds()), "ns/baseline-median")
		b.ReportMetric(float64(me)/float64(mb), "x-baseline")
	})
	srv.Reset() // the stored messages
}
