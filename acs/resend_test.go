package acs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
)

// manualClock is one clock for the emulator (x-ms-date freshness, message times), the provider
// (x-ms-date) and the Client (FirstAttempt, retry waits): Sleep returns at once, Advance moves
// time on.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// resendSetup returns an emulator whose next send is processed and then answered with a
// connection reset, and a function making a Client ("a process") over it that does not retry
// by itself, so the OutcomeUnknown reaches the application.
func resendSetup(t *testing.T) (*acstest.Server, *manualClock, func() *sms.Client) {
	clock := &manualClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	srv := acstest.NewServer(&acstest.Options{Now: clock.Now})
	t.Cleanup(srv.Close)
	srv.Arm(acstest.Fault{Reset: true})
	newClient := func() *sms.Client {
		p, err := acs.New(acs.Config{Endpoint: srv.URL, AccessKey: sms.NewSecret(srv.AccessKey())}, &acs.Options{Now: clock.Now})
		require.NoError(t, err)
		return sms.NewClient(p, &sms.ClientOptions{Clock: clock, Retry: sms.RetryPolicy{MaxAttempts: 1}})
	}
	return srv, clock, newClient
}

func resendMessage() *sms.Message {
	return &sms.Message{
		To:   []string{"+14155550100"},
		From: sms.Sender{Type: sms.SenderTollFree, Value: senderFrom},
		Body: "Your code is 123456",
	}
}

// The resend recipe of sms.Message.IdempotencyKey: a send whose connection is reset after ACS
// processed it is OutcomeUnknown; the application persists the result's IdempotencyKey and
// FirstAttempt and later (another process, seconds or minutes on) resends the same message to
// that recipient with both set. ACS recognises the repeat: exactly one message exists.
func TestResendAfterOutcomeUnknownCreatesOneMessage(t *testing.T) {
	for _, later := range []time.Duration{0, 7 * time.Second, 3 * time.Minute} {
		t.Run(later.String(), func(t *testing.T) {
			srv, clock, newClient := resendSetup(t)
			ctx := context.Background()

			res, err := newClient().Send(ctx, resendMessage())
			require.Len(t, res, 1)
			require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(res[0].Err), "a reset after the request was written")
			require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err))
			require.Equal(t, 1, srv.Accepted(), "the emulator processed the request before the reset")
			key, first := res[0].IdempotencyKey, res[0].FirstAttempt
			require.NotEmpty(t, key)
			require.Equal(t, clock.Now(), first)

			clock.Advance(later)
			m := resendMessage()
			m.To = []string{res[0].To}
			m.IdempotencyKey, m.FirstAttempt = key, first
			res2, err := newClient().Send(ctx, m)
			require.NoError(t, err)
			require.True(t, res2[0].OK(), "%v", res2[0].Err)

			msgs := srv.Messages()
			require.Len(t, msgs, 1, "the resend must not create a second message")
			require.Equal(t, msgs[0].MessageID, res2[0].MessageID)
			require.Equal(t, 1, msgs[0].Repeats)
			require.Equal(t, key, res2[0].IdempotencyKey)
			require.True(t, first.Equal(res2[0].FirstAttempt))
		})
	}
}

// Without the persisted values a resend is a new message: what the recipe prevents.
func TestResendWithoutPersistedValuesDuplicates(t *testing.T) {
	srv, clock, newClient := resendSetup(t)
	ctx := context.Background()
	res, _ := newClient().Send(ctx, resendMessage())
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(res[0].Err))

	clock.Advance(7 * time.Second)
	withKeyOnly := resendMessage()
	withKeyOnly.IdempotencyKey = res[0].IdempotencyKey // FirstAttempt not kept: the Client stamps a new one
	_, err := newClient().Send(ctx, withKeyOnly)
	require.NoError(t, err)
	require.Equal(t, 2, srv.Accepted(), "a different first-attempt time is a different repeatability request")
}
