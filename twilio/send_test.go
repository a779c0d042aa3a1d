package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
)

const sid = "AC0123456789abcdef0123456789abcdef"

func newP(t *testing.T, h http.HandlerFunc) *twilio.Provider {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	p, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: sms.NewSecret("tok")}, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A 408 (a gateway timing out upstream) proves nothing; it must not be NotAccepted.
func TestTwilio408IsNotProofOfNotAccepted(t *testing.T) {
	p := newP(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusRequestTimeout)
	})
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
	if sms.IsNotAccepted(err) {
		t.Fatalf("Send = (%v, %v): 408 reported as proved-not-accepted (code %v)", res, err, sms.ErrorCode(err))
	}
}

// A deadline, not a cancellation, ended the send before the second recipient.
func TestTwilioDeadlineReportedAsDeadline(t *testing.T) {
	p := newP(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		w.WriteHeader(500)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err := p.Send(ctx, &sms.Message{To: []string{"+12025550101", "+12025550102"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	e := res[1].Err
	if sms.ErrorCode(e) != sms.CodeDeadlineExceeded || errors.Is(e, context.Canceled) {
		t.Fatalf("second recipient: code %v, Is(Canceled)=%v: %v", sms.ErrorCode(e), errors.Is(e, context.Canceled), e)
	}
}
