package sms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

func TestRateProfilesFor(t *testing.T) {
	p := sms.RateProfiles{
		Default: sms.RateProfile{PerSecond: 1},
		ByType: map[sms.SenderType]sms.RateProfile{
			sms.SenderShortCode:    {PerSecond: 100, Burst: 20},
			sms.SenderTollFree:     {PerSecond: 2.5},
			sms.SenderAlphanumeric: {PerSecond: 0.2},
			sms.SenderPool:         {},
		},
		BySender: map[string]sms.RateProfile{"+12025550199": {PerSecond: 30, Burst: 5}},
	}
	for _, tc := range []struct {
		name string
		from sms.Sender
		want sms.RateProfile
	}{
		{"short code by type, explicit burst", sms.Sender{Value: "12345"}, sms.RateProfile{PerSecond: 100, Burst: 20}},
		{"toll-free inferred from an auto sender, burst rounded up", sms.Sender{Value: "+18005550100"}, sms.RateProfile{PerSecond: 2.5, Burst: 3}},
		{"alphanumeric below one per second bursts one", sms.Sender{Value: "ACME"}, sms.RateProfile{PerSecond: 0.2, Burst: 1}},
		{"long code falls back to Default", sms.Sender{Value: "+12025550100"}, sms.RateProfile{PerSecond: 1, Burst: 1}},
		{"explicit type wins over the value's shape", sms.Sender{Type: sms.SenderShortCode, Value: "+12025550100"}, sms.RateProfile{PerSecond: 100, Burst: 20}},
		{"per-sender override wins over the type", sms.Sender{Type: sms.SenderLongCode, Value: "+12025550199"}, sms.RateProfile{PerSecond: 30, Burst: 5}},
		{"a zero profile is unlimited", sms.Sender{Type: sms.SenderPool, Value: "MG123"}, sms.RateProfile{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, p.For(tc.from))
		})
	}
	require.True(t, sms.RateProfiles{}.For(sms.Sender{Value: "+12025550100"}).Unlimited(), "the zero RateProfiles limits nothing")
}

func TestDefaultRateProfiles(t *testing.T) {
	p := sms.DefaultRateProfiles()
	for _, tc := range []struct {
		typ  sms.SenderType
		want float64
	}{
		{sms.SenderLongCode, 1}, {sms.SenderTollFree, 3}, {sms.SenderShortCode, 100},
		{sms.SenderAlphanumeric, 10}, {sms.SenderPool, 0}, {sms.SenderAuto, 1},
	} {
		v := "x"
		if tc.typ == sms.SenderAuto {
			v = "" // resolves to no type: Default
		}
		require.Equal(t, tc.want, p.For(sms.Sender{Type: tc.typ, Value: v}).PerSecond, "%v", tc.typ)
	}
	p.ByType[sms.SenderLongCode] = sms.RateProfile{PerSecond: 50}
	require.Equal(t, 1.0, sms.DefaultRateProfiles().For(sms.Sender{Value: "+12025550100"}).PerSecond, "each call returns a new map")
}

// The profile of each sender sets its burst: with a rate far below one per second, the burst
// passes at once and the next token is beyond the (30 s) deadline, which the limiter reports
// at once as DeadlineExceeded. No wall-clock window is involved.
func TestProfileRateLimiterBurstPerSender(t *testing.T) {
	l := sms.NewProfileRateLimiter(sms.RateProfiles{
		Default: sms.RateProfile{PerSecond: 0.001, Burst: 1},
		ByType:  map[sms.SenderType]sms.RateProfile{sms.SenderShortCode: {PerSecond: 0.001, Burst: 3}, sms.SenderPool: {}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct {
		from   sms.Sender
		grants int
	}{
		{sms.Sender{Value: "+12025550100"}, 1},
		{sms.Sender{Value: "12345"}, 3},
		{sms.Sender{Value: "67890"}, 3}, // another short code: its own bucket
	} {
		t.Run(tc.from.Value, func(t *testing.T) {
			for i := range tc.grants {
				require.NoError(t, l.Wait(ctx, "p", tc.from, 1), "grant %d", i)
			}
			require.ErrorIs(t, l.Wait(ctx, "p", tc.from, 1), context.DeadlineExceeded)
			require.NoError(t, l.Wait(ctx, "other", tc.from, 1), "another provider is another key")
		})
	}
	for range 100 {
		require.NoError(t, l.Wait(ctx, "p", sms.Sender{Type: sms.SenderPool, Value: "MG1"}, 1000), "an unlimited profile never waits")
	}
	canceled, stop := context.WithCancel(context.Background())
	stop()
	require.ErrorIs(t, l.Wait(canceled, "p", sms.Sender{Type: sms.SenderPool, Value: "MG1"}, 1), context.Canceled)
}

// A request above the burst is taken in burst-sized steps (x/time/rate's WaitN alone would
// refuse it). The rate is high enough that the steps take microseconds.
func TestRateLimiterAboveBurst(t *testing.T) {
	l := sms.NewRateLimiter(1e6, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, l.Wait(ctx, "p", sms.Sender{Value: "+12025550100"}, 7))
	require.NoError(t, sms.NewRateLimiter(0, 0).Wait(ctx, "p", sms.Sender{Value: "+12025550100"}, 1000), "a rate <= 0 is no limit")
}

type failingLimiter struct{ calls int }

func (l *failingLimiter) Wait(context.Context, string, sms.Sender, int) error {
	l.calls++
	return errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

// A limiter that cannot decide (its shared store is down) never lets a send through: the
// recipient gets CodeUnavailable, marked not accepted, and the vendor sees no request.
func TestLimiterFailureSendsNothing(t *testing.T) {
	p := &scripted{errs: []error{nil}}
	lim := &failingLimiter{}
	c := sms.NewClient(p, &sms.ClientOptions{Limiter: lim})
	res, err := c.Send(context.Background(), oneMsg())
	require.Error(t, err)
	require.Equal(t, 1, lim.calls)
	require.Zero(t, p.calls.Load(), "no vendor request")
	require.Len(t, res, 1)
	for _, e := range []error{res[0].Err, err} {
		require.Equal(t, sms.CodeUnavailable, sms.ErrorCode(e), "%v", e)
		require.True(t, sms.IsNotAccepted(e), "%v", e)
		require.Contains(t, e.Error(), "connection refused")
	}
	require.Empty(t, res[0].MessageID)
}

func ExampleNewProfileRateLimiter() {
	profiles := sms.DefaultRateProfiles()
	profiles.ByType[sms.SenderLongCode] = sms.RateProfile{PerSecond: 4.5} // this brand's 10DLC throughput
	profiles.BySender = map[string]sms.RateProfile{"12345": {PerSecond: 250, Burst: 50}}
	lim := sms.NewProfileRateLimiter(profiles)
	_ = sms.NewClient(&scripted{errs: []error{nil}}, &sms.ClientOptions{Limiter: lim})

	for _, from := range []sms.Sender{{Value: "+12025550100"}, {Value: "+18005550100"}, {Value: "12345"}, {Value: "ACME"}} {
		p := profiles.For(from)
		fmt.Printf("%-13s %-12v %g/s burst %d\n", from.Value, from.ResolvedType(), p.PerSecond, p.Burst)
	}
	// Output:
	// +12025550100  long_code    4.5/s burst 5
	// +18005550100  toll_free    3/s burst 3
	// 12345         short_code   250/s burst 50
	// ACME          alphanumeric 10/s burst 10
}
