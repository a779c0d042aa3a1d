package smstest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

func TestRecorderConformance(t *testing.T) {
	smstest.RunConformance(t, smstest.NewRecorderHarness(), smstest.Features{BatchCallbacks: true})
}

func TestRecorderIdempotentConformance(t *testing.T) {
	h := smstest.NewRecorderHarness()
	caps := h.R.Capabilities()
	caps.IdempotentSends = true
	h.R = smstest.NewRecorder(&smstest.RecorderOptions{Capabilities: &caps})
	smstest.RunConformance(t, h, smstest.Features{BatchCallbacks: true})
}

func TestRecorderScriptedRateLimitPerRecipient(t *testing.T) {
	r := smstest.NewRecorder(nil)
	r.Script("+12025550102", &sms.Error{Code: sms.CodeRateLimited, RetryAfter: 3 * time.Second, NotAccepted: true})
	r.Script("+12025550103", &sms.Error{Code: sms.CodeInvalidRecipient, VendorCode: "21211", NotAccepted: true})
	clock := &smstest.FakeClock{}
	c := sms.NewClient(r, &sms.ClientOptions{Clock: clock})
	res, err := c.Send(context.Background(), &sms.Message{
		To:   []string{"+12025550101", "+12025550102", "+12025550103"},
		From: sms.Sender{Value: "+12025550100"}, Body: "hi",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].OK() || !res[1].OK() || res[1].Attempts != 2 || res[0].Attempts != 1 {
		t.Fatalf("want first OK in 1 attempt and second OK after a retry, got %+v", res[:2])
	}
	if !errors.Is(res[2].Err, sms.ErrInvalidRecipient) || res[2].Attempts != 1 {
		t.Fatalf("want the third recipient InvalidRecipient, not retried, got %+v", res[2])
	}
	if got := clock.Sleeps(); len(got) != 1 || got[0] != 3*time.Second {
		t.Fatalf("want one 3s wait, got %v", got)
	}
	if n := len(r.Sent()); n != 2 {
		t.Fatalf("want 2 messages recorded, got %d", n)
	}
}

func TestRecorderWithoutIdempotenceNeverRetriesUnknown(t *testing.T) {
	r := smstest.NewRecorder(nil)
	r.FailNext(&sms.Error{Code: sms.CodeOutcomeUnknown})
	c := sms.NewClient(r, &sms.ClientOptions{Clock: &smstest.FakeClock{}})
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
	if len(res) != 1 || sms.ErrorCode(err) != sms.CodeOutcomeUnknown {
		t.Fatalf("want one result and the OutcomeUnknown error, got %+v, %v", res, err)
	}
	if sms.ErrorCode(res[0].Err) != sms.CodeOutcomeUnknown || r.Calls() != 1 || len(r.Sent()) != 1 {
		t.Fatalf("want OutcomeUnknown after one call that did record the message, got %v, %d calls", res[0].Err, r.Calls())
	}
}

func ExampleRecorder() {
	rec := smstest.NewRecorder(nil)
	client := sms.NewClient(rec, nil)
	res, err := client.Send(context.Background(), &sms.Message{
		To:   []string{"+1 202 555 0101"},
		From: sms.Sender{Type: sms.SenderAlphanumeric, Value: "Acme"},
		Body: "Your code is 123456",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0].To, res[0].MessageID, len(rec.Sent()))
	// Output: +12025550101 rec-000001 1
}
