package redisstore_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/redisstore"
	"github.com/smsbridge/sms/smstest"
)

// sleepRecorder is an sms.Clock that records the waits asked for; after the first `allow`
// waits it cancels the context given to it, so a test ends a wait that the server would only
// end much later.
type sleepRecorder struct {
	mu     sync.Mutex
	waits  []time.Duration
	allow  int
	cancel context.CancelFunc
}

func (c *sleepRecorder) Now() time.Time { return time.Now() }

func (c *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	stop := len(c.waits) > c.allow
	c.mu.Unlock()
	if stop {
		c.cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	return ctx.Err()
}

func (c *sleepRecorder) asked() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

var longCode = sms.Sender{Value: "+12025550100"}

// slow is a profile whose next token, once the burst is spent, is 1000 s away per token: any
// wait the limiter asks for is the server's answer, never elapsed time.
func slow(burst int) sms.RateProfiles {
	return sms.RateProfiles{Default: sms.RateProfile{PerSecond: 0.001, Burst: burst}}
}

func TestLimiterWaits(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		name  string
		burst int
		waits []int // the n of each Wait, the last one refused
		// the wait the limiter asks for on the refused call, in tokens of 1000 s
		wantTokens float64
	}{
		// A request above the burst is taken in burst-sized chunks: the first 3 of 7 pass,
		// then the limiter waits for the next chunk of 3 (3000 s), not for 7 at once (AllowN
		// of 7 > burst would never pass: its RetryAfter would be 4000 s, forever).
		{"above the burst in chunks", 3, []int{7}, 3},
		{"the rest of a chunk", 3, []int{5}, 2},
		{"the burst passes at once, the next token waits", 2, []int{2, 1}, 1},
		{"one above the burst", 1, []int{1, 1}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			clock := &sleepRecorder{cancel: cancel}
			lim := redisstore.NewLimiter(srv.client(t), slow(tc.burst), &redisstore.Options{Prefix: srv.prefix + tc.name + ":", Clock: clock})
			last := len(tc.waits) - 1
			for i, n := range tc.waits[:last] {
				require.NoError(t, lim.Wait(ctx, "p", longCode, n), "wait %d", i)
				require.Empty(t, clock.asked(), "a grant within the burst does not sleep")
			}
			require.ErrorIs(t, lim.Wait(ctx, "p", longCode, tc.waits[last]), context.Canceled)
			asked := clock.asked()
			require.Len(t, asked, 1)
			want := time.Duration(tc.wantTokens * 1000 * float64(time.Second))
			require.InDelta(t, want.Seconds(), asked[0].Seconds(), 10, "asked to wait %v, want about %v", asked[0], want)
		})
	}
}

func TestLimiterDeadlineAndCancel(t *testing.T) {
	srv := newServer(t)
	clock := &sleepRecorder{cancel: func() {}}
	lim := redisstore.NewLimiter(srv.client(t), slow(1), &redisstore.Options{Prefix: srv.prefix, Clock: clock})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, lim.Wait(ctx, "p", longCode, 1))
	// The next token is 1000 s away, past the deadline: DeadlineExceeded at once, no sleep.
	require.ErrorIs(t, lim.Wait(ctx, "p", longCode, 1), context.DeadlineExceeded)
	require.Empty(t, clock.asked())
	require.NoError(t, lim.Wait(ctx, "other", longCode, 1), "another provider has its own bucket")
	require.NoError(t, lim.Wait(ctx, "p", sms.Sender{Value: "+12025550101"}, 1), "another sender has its own bucket")

	done, stop := context.WithCancel(context.Background())
	stop()
	require.ErrorIs(t, lim.Wait(done, "p", sms.Sender{Value: "+12025550102"}, 1), context.Canceled)
}

// Rate profiles are data: the sender's type (and a per-sender override) chooses its burst.
func TestLimiterProfilesPerSenderType(t *testing.T) {
	srv := newServer(t)
	profiles := sms.RateProfiles{
		Default:  sms.RateProfile{PerSecond: 0.001, Burst: 1},
		ByType:   map[sms.SenderType]sms.RateProfile{sms.SenderShortCode: {PerSecond: 0.001, Burst: 4}, sms.SenderAlphanumeric: {PerSecond: 0.001, Burst: 2}, sms.SenderPool: {}},
		BySender: map[string]sms.RateProfile{"+18005550100": {PerSecond: 0.001, Burst: 3}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lim := redisstore.NewLimiter(srv.client(t), profiles, &redisstore.Options{Prefix: srv.prefix})
	for _, tc := range []struct {
		from  sms.Sender
		burst int
	}{
		{sms.Sender{Value: "12345"}, 4},
		{sms.Sender{Value: "ACME"}, 2},
		{sms.Sender{Value: "+18005550100"}, 3},
		{sms.Sender{Value: "+12025550100"}, 1},
	} {
		t.Run(tc.from.Value, func(t *testing.T) {
			for i := range tc.burst {
				require.NoError(t, lim.Wait(ctx, "p", tc.from, 1), "grant %d", i)
			}
			require.ErrorIs(t, lim.Wait(ctx, "p", tc.from, 1), context.DeadlineExceeded)
		})
	}
	down, dials := downClient(t)
	unlimited := redisstore.NewLimiter(down, profiles, nil)
	require.NoError(t, unlimited.Wait(ctx, "p", sms.Sender{Type: sms.SenderPool, Value: "MG1"}, 1000))
	require.Zero(t, dials.count(), "an unlimited sender does not ask the server")
}

// Two processes sending from one sender share its limit: however they interleave, the grants
// up to any moment never exceed burst + rate × elapsed + 1. Each "process" is an sms.Client with
// its own Redis client and Limiter, sending through its own recording provider.
func TestLimiterSharedBetweenProcesses(t *testing.T) {
	srv := newServer(t)
	const (
		rate   = 20.0
		burst  = 5
		window = 2 * time.Second
		procs  = 2
	)
	profiles := sms.RateProfiles{ByType: map[sms.SenderType]sms.RateProfile{sms.SenderLongCode: {PerSecond: rate, Burst: burst}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var (
		mu     sync.Mutex
		grants []time.Duration
		wg     sync.WaitGroup
	)
	recs := make([]*smstest.Recorder, procs)
	start := time.Now()
	for i := range procs {
		recs[i] = smstest.NewRecorder(nil)
		lim := redisstore.NewLimiter(srv.client(t), profiles, &redisstore.Options{Prefix: srv.prefix})
		c := sms.NewClient(recs[i], &sms.ClientOptions{Limiter: lim})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sent := 0; sent < 10*int(rate*window.Seconds()); sent++ { // bounded in count and time
				if time.Since(start) >= window {
					return
				}
				res, err := c.Send(ctx, &sms.Message{To: []string{"+12025550199"}, From: longCode, Body: "hi"})
				if err != nil || !res[0].OK() {
					t.Errorf("send: %v", err)
					return
				}
				at := time.Since(start) // after the grant, so the bound below is the generous side
				mu.Lock()
				grants = append(grants, at)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(grants, func(i, j int) bool { return grants[i] < grants[j] })
	calls := make([]int, procs)
	total := 0
	for i, r := range recs {
		calls[i] = r.Calls()
		total += calls[i]
	}
	require.Equal(t, len(grants), total)
	require.Greater(t, total, burst, "the processes sent past the burst")
	for k, at := range grants {
		bound := burst + rate*at.Seconds() + 1
		require.LessOrEqual(t, float64(k+1), bound, "grant %d at %v exceeds burst + rate × elapsed + 1 = %.1f", k+1, at, bound)
	}
	elapsed := grants[len(grants)-1]
	t.Logf("two processes, one sender at %g/s burst %d: %d sends %v in %v (%.1f/s overall; %.1f/s after the burst; bound %.1f)",
		rate, burst, len(grants), calls, elapsed.Round(time.Millisecond), float64(len(grants))/elapsed.Seconds(),
		float64(len(grants)-burst)/elapsed.Seconds(), burst+rate*elapsed.Seconds()+1)
}

// A Redis outage never lets a send through past the limit: the send gets CodeUnavailable,
// marked not accepted, and the provider records no request.
func TestLimiterOutage(t *testing.T) {
	down, dials := downClient(t)
	rec := smstest.NewRecorder(nil)
	lim := redisstore.NewLimiter(down, sms.DefaultRateProfiles(), nil)
	c := sms.NewClient(rec, &sms.ClientOptions{Limiter: lim})
	res, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550199", "+12025550198"}, From: longCode, Body: "hi"})
	require.Error(t, err)
	require.Zero(t, rec.Calls(), "no request reached the provider")
	require.NotZero(t, dials.count(), "the limiter asked the server")
	for _, e := range []error{res[0].Err, res[1].Err, err} {
		require.Equal(t, sms.CodeUnavailable, sms.ErrorCode(e), "%v", e)
		require.True(t, sms.IsNotAccepted(e), "%v", e)
		require.False(t, errors.Is(e, context.Canceled) || errors.Is(e, context.DeadlineExceeded), "%v", e)
		require.Contains(t, e.Error(), "connection refused")
	}
}
