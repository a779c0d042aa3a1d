package sms_test

// The Go measurements behind bench/README.md that no vendor package owns: a 250-recipient
// batch per vendor (a test, so it runs in CI), the default limiter's achieved rate over 10 s
// and the heap after 100,000 sends against 1,000 (benchmarks: bench/run runs them).

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

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
)

// batchVendor is one vendor on its emulator, for the batch test.
type batchVendor struct {
	name string
	from sms.Sender
	// start returns the provider and a function counting the emulator's requests.
	start func(t *testing.T) (sms.Provider, func() int)
}

func batchVendors() []batchVendor {
	return []batchVendor{
		{"twilio", sms.Sender{Value: "+15005550006"}, func(t *testing.T) (sms.Provider, func() int) {
			emu := twiliotest.NewServer(nil)
			t.Cleanup(emu.Close)
			p, err := twilio.New(twilio.Config{AccountSID: emu.AccountSID(), AuthToken: sms.NewSecret(emu.AuthToken())}, &twilio.Options{BaseURL: emu.URL})
			if err != nil {
				t.Fatal(err)
			}
			return p, emu.Requests
		}},
		{"acs", sms.Sender{Type: sms.SenderTollFree, Value: "+18005550100"}, func(t *testing.T) (sms.Provider, func() int) {
			emu := acstest.NewServer(nil)
			t.Cleanup(emu.Close)
			p, err := acs.New(acs.Config{ConnectionString: sms.NewSecret(emu.ConnectionString())}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return p, emu.Requests
		}},
		{"infobip", sms.Sender{Type: sms.SenderAlphanumeric, Value: "InfoSMS"}, func(t *testing.T) (sms.Provider, func() int) {
			emu := infobiptest.NewServer(nil)
			t.Cleanup(emu.Close)
			p, err := infobip.New(infobip.Config{APIKey: sms.NewSecret(emu.APIKey()), BaseURL: emu.URL}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return p, emu.Requests
		}},
		{"telesign", sms.Sender{Type: sms.SenderAlphanumeric, Value: "Acme"}, func(t *testing.T) (sms.Provider, func() int) {
			emu := telesigntest.NewServer(nil)
			t.Cleanup(emu.Close)
			p, err := telesign.New(telesign.Config{CustomerID: emu.CustomerID(), APIKey: sms.NewSecret(emu.APIKey())}, &telesign.Options{BaseURL: emu.URL})
			if err != nil {
				t.Fatal(err)
			}
			return p, emu.Requests
		}},
		{"linkmobility", sms.Sender{Type: sms.SenderShortCode, Value: "2333"}, func(t *testing.T) (sms.Provider, func() int) {
			emu := linkmobilitytest.NewServer(nil)
			t.Cleanup(emu.Close)
			p, err := linkmobility.New(linkmobility.Config{
				Username: emu.Username(), Password: sms.NewSecret(emu.Password()),
				PlatformID: emu.PlatformID(), PlatformPartnerID: emu.PlatformPartnerID(),
				GateID: linkmobilitytest.DefaultGateID, BaseURL: emu.URL,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return p, emu.Requests
		}},
		{"vibes", sms.Sender{Type: sms.SenderShortCode, Value: vibestest.DefaultShortCode}, func(t *testing.T) (sms.Provider, func() int) {
			emu := vibestest.NewServer(nil)
			t.Cleanup(emu.Close)
			p, err := vibes.New(vibes.Config{Username: emu.Username(), Password: sms.NewSecret(emu.Password()), BaseURL: emu.URL}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return p, emu.Requests
		}},
	}
}

// TestBatchRequests sends one message to 250 recipients through sms.Client and checks that the
// vendor saw exactly ⌈250 / Capabilities.MaxRecipients⌉ requests, every recipient accepted once.
func TestBatchRequests(t *testing.T) {
	const n = 250
	to := make([]string, n)
	for i := range to {
		to[i] = fmt.Sprintf("+1415720%04d", i) // San Francisco numbers: every vendor serves them
	}
	for _, v := range batchVendors() {
		t.Run(v.name, func(t *testing.T) {
			p, requests := v.start(t)
			max := p.Capabilities().MaxRecipients
			if max <= 0 {
				max = 1
			}
			want := (n + max - 1) / max
			res, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{To: to, From: v.from, Body: "Batch of 250"})
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for i, r := range res {
				if !r.OK() || r.To != to[i] || ids[r.MessageID] {
					t.Fatalf("result %d: %+v", i, r)
				}
				ids[r.MessageID] = true
			}
			if got := requests(); got != want {
				t.Fatalf("%d requests for %d recipients at %d per request, want %d", got, n, max, want)
			}
			t.Logf("%s: %d recipients in %d requests (max %d per request)", v.name, n, want, max)
		})
	}
}

// BenchmarkLimiterRate measures the default limiter's achieved rate over 10 s at 200 grants
// per second, burst 1, with four goroutines competing for one sender. It reports the rate and
// its error against the configured one; the target is ±2 %.
func BenchmarkLimiterRate(b *testing.B) {
	const (
		perSecond = 200.0
		window    = 10 * time.Second
	)
	for b.Loop() {
		lim := sms.NewRateLimiter(perSecond, 1)
		from := sms.Sender{Value: "+14155550100"}
		ctx, cancel := context.WithTimeout(context.Background(), window)
		// The first token is the burst: start the clock after it, so the window counts
		// only the grants the rate allows.
		if err := limiterWait(ctx, lim, from); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		grants := make(chan int, 4)
		for range 4 {
			go func() {
				n := 0
				for limiterWait(ctx, lim, from) == nil {
					n++
				}
				grants <- n
			}()
		}
		total := 0
		for range 4 {
			total += <-grants
		}
		elapsed := time.Since(start)
		cancel()
		rate := float64(total) / elapsed.Seconds()
		b.ReportMetric(rate, "grants/s")
		b.ReportMetric(100*(rate-perSecond)/perSecond, "error-%")
	}
}

// BenchmarkHeapFlat sends 1,000 and then 99,000 more messages through sms.Client and the Twilio
// provider to a loopback server giving Twilio's answer, and reports the live heap after each
// (after a GC): memory must stay flat, not grow with the number of sends.
func BenchmarkHeapFlat(b *testing.B) {
	answer := []byte(`{"sid":"SM00000000000000000000000000000001","status":"queued","num_segments":"1","to":"+14155550100","from":"+15005550006"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	p, err := twilio.New(twilio.Config{AccountSID: "AC00000000000000000000000000000000", AuthToken: sms.NewSecret("0123456789abcdef0123456789abcdef")}, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	c := sms.NewClient(p, nil)
	msg := &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "+15005550006"}, Body: "Heap check"}
	send := func(n int) {
		for range n {
			if res, err := c.Send(context.Background(), msg); err != nil || !res[0].OK() {
				b.Fatal(err, res)
			}
		}
	}
	heap := func() float64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	}
	for b.Loop() {
		send(1000)
		h1 := heap()
		send(99000)
		h2 := heap()
		b.ReportMetric(h1/1024, "heap-KiB@1k")
		b.ReportMetric(h2/1024, "heap-KiB@100k")
		b.ReportMetric(h2/h1, "ratio")
	}
}

// limiterWait takes one token for from, the way Client does.
func limiterWait(ctx context.Context, lim sms.Limiter, from sms.Sender) error {
	return lim.Wait(ctx, "bench", from, 1)
}
