package interop

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

const (
	benchTo   = "+14155550100"
	benchFrom = "+14155550199"
	benchBody = "Your code is 123456. It expires in 10 minutes."
	// resetEvery bounds the emulator's stored messages and recorded requests.
	resetEvery = 10000
)

// BenchmarkTwilioSend sends one message per iteration to the same loopback twiliotest server
// (no StatusCallback, so no callbacks) three ways: a bare net/http POST of the same form,
// sms.Client over the twilio provider, and twilio-go's CreateMessage. Each has its own
// http.Transport (a clone of http.DefaultTransport) so that keep-alive connections are
// comparable; twilio-go's also goes through the rewriting RoundTripper (one Request.Clone).
func BenchmarkTwilioSend(b *testing.B) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	ctx := context.Background()

	// reset periodically keeps the emulator's memory flat; its cost is not measured.
	reset := func(b *testing.B, i int) {
		if i > 0 && i%resetEvery == 0 {
			b.StopTimer()
			srv.Reset()
			b.StartTimer()
		}
	}

	b.Run("bare", func(b *testing.B) {
		srv.Reset()
		tr := http.DefaultTransport.(*http.Transport).Clone()
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		endpoint := srv.URL + "/2010-04-01/Accounts/" + srv.AccountSID() + "/Messages.json"
		form := url.Values{"To": {benchTo}, "From": {benchFrom}, "Body": {benchBody}}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			reset(b, i)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})

	b.Run("smsbridge", func(b *testing.B) {
		srv.Reset()
		tr := http.DefaultTransport.(*http.Transport).Clone()
		defer tr.CloseIdleConnections()
		p, err := twilio.New(twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken())},
			&twilio.Options{BaseURL: srv.URL, HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second}})
		if err != nil {
			b.Fatal(err)
		}
		c := sms.NewClient(p, nil)
		msg := &sms.Message{To: []string{benchTo}, From: sms.Sender{Value: benchFrom}, Body: benchBody}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			reset(b, i)
			res, err := c.Send(ctx, msg)
			if err != nil || !res[0].OK() {
				b.Fatal(err, res)
			}
		}
	})

	b.Run("twilio-go", func(b *testing.B) {
		srv.Reset()
		rc, _ := newSDK(b, srv, srv.AuthToken(), false)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			reset(b, i)
			params := &openapi.CreateMessageParams{}
			params.SetTo(benchTo).SetFrom(benchFrom).SetBody(benchBody)
			m, err := rc.Api.CreateMessage(params)
			if err != nil || m.Sid == nil {
				b.Fatal(err)
			}
		}
	})
}
