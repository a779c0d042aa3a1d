package sms_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

type fakeClock struct{ onSleep func() }

func (fakeClock) Now() time.Time { return time.Unix(1700000000, 0) }
func (c fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.onSleep != nil {
		c.onSleep()
	}
	return ctx.Err()
}

// scripted is an idempotent provider whose n-th call returns errs[n] for every recipient.
type scripted struct {
	errs  []error
	calls atomic.Int32
}

func (p *scripted) Name() string { return "scripted" }
func (p *scripted) Capabilities() sms.Capabilities {
	return sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode}, MaxRecipients: 1, IdempotentSends: true}
}
func (p *scripted) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	return nil, errors.ErrUnsupported
}
func (p *scripted) Send(ctx context.Context, m *sms.Message) ([]sms.SendResult, error) {
	n := int(p.calls.Add(1)) - 1
	res := make([]sms.SendResult, len(m.To))
	for i, to := range m.To {
		res[i] = sms.SendResult{To: to, Err: p.errs[min(n, len(p.errs)-1)]}
		if res[i].Err == nil {
			res[i].MessageID = "id"
		}
	}
	return res, nil
}

func oneMsg() *sms.Message {
	return &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi"}
}

var (
	ambiguous = &sms.Error{Code: sms.CodeOutcomeUnknown, HTTPStatus: 500, Message: "may have been processed"}
	throttled = &sms.Error{Code: sms.CodeRateLimited, HTTPStatus: 429, NotAccepted: true}
)

// A recipient an attempt of which may have been accepted stays ambiguous whatever later
// attempts answer: after an OutcomeUnknown then a 429 it is OutcomeUnknown, not "proved not
// accepted", and so is the error of Send (nothing was accepted for sure).
func TestRetryAfterAmbiguousThenNotAccepted(t *testing.T) {
	p := &scripted{errs: []error{ambiguous, throttled}}
	c := sms.NewClient(p, &sms.ClientOptions{Clock: fakeClock{}, Retry: sms.RetryPolicy{MaxAttempts: 2}})
	res, err := c.Send(context.Background(), oneMsg())
	require.Len(t, res, 1)
	require.Equal(t, 2, res[0].Attempts)
	for _, e := range []error{res[0].Err, err} {
		require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(e), "%v", e)
		require.False(t, sms.IsNotAccepted(e), "%v", e)
	}
}

// Same, but the context ends while waiting before attempt 3: giving up proves nothing about a
// recipient that may have been accepted, so it stays OutcomeUnknown, not Canceled.
func TestGiveUpAfterAmbiguousThenNotAccepted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &scripted{errs: []error{ambiguous, throttled}}
	sleeps := 0
	clk := fakeClock{onSleep: func() {
		sleeps++
		if sleeps == 2 {
			cancel()
		}
	}}
	c := sms.NewClient(p, &sms.ClientOptions{Clock: clk, Retry: sms.RetryPolicy{MaxAttempts: 5}})
	res, err := c.Send(ctx, oneMsg())
	require.Len(t, res, 1)
	for _, e := range []error{res[0].Err, err} {
		require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(e), "%v", e)
		require.False(t, sms.IsNotAccepted(e), "%v", e)
	}
}

type brokenLimiter struct{ n atomic.Int32 }

func (l *brokenLimiter) Wait(context.Context, string, sms.Sender, int) error {
	if l.n.Add(1) == 1 {
		return nil
	}
	return errors.New("redis: connection refused")
}

// A limiter failure while the context is alive is Unavailable (not attempted), never a
// context cancellation.
func TestLimiterErrorIsNotCanceled(t *testing.T) {
	p := &scripted{errs: []error{nil}}
	c := sms.NewClient(p, &sms.ClientOptions{Limiter: &brokenLimiter{}, Concurrency: 1})
	m := oneMsg()
	m.To = append(m.To, "+12025550102")
	res, err := c.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	err = res[1].Err
	if errors.Is(err, context.Canceled) || sms.ErrorCode(err) == sms.CodeCanceled {
		t.Fatalf("live context, limiter error reported as canceled: %v (code %v)", err, sms.ErrorCode(err))
	}
}
