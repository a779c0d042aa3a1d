package acs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
)

type nowClock struct{}

func (nowClock) Now() time.Time                                   { return time.Now() }
func (nowClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// ACS: attempt 1 gets a 500 (may have been processed), the retry a 429. The recipient and the
// send stay OutcomeUnknown, never "nothing was sent" (NotAccepted), which would license a
// failover/resend elsewhere.
func TestACS500Then429(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(429)
	}))
	defer srv.Close()
	p, err := acs.New(acs.Config{Endpoint: srv.URL, AccessKey: sms.NewSecret("c2VjcmV0")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := sms.NewClient(p, &sms.ClientOptions{Clock: nowClock{}, Retry: sms.RetryPolicy{MaxAttempts: 2}})
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+18005550100"}, Body: "hi"})
	if len(res) != 1 || sms.IsNotAccepted(res[0].Err) || sms.IsNotAccepted(err) || sms.ErrorCode(err) != sms.CodeOutcomeUnknown {
		t.Fatalf("calls=%d Send=(%v, %v) IsNotAccepted=%v", n.Load(), res, err, sms.IsNotAccepted(err))
	}
}
