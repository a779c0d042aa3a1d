package sms

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Clock is the time source of retries and limits; tests inject a fake to assert the delays
// that were asked for without waiting.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx ends, returning ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Limiter rate-limits sends. Keys are per sender ("twilio:+14155550100"), because vendor
// limits are per number or per resource; n is the number of segments about to be sent. An
// implementation shared between processes (Redis, say) can replace the default.
type Limiter interface {
	// Wait blocks until n tokens for key are available or ctx ends; it returns the context
	// error in the latter case (also when the wait would outlast ctx's deadline).
	Wait(ctx context.Context, key string, n int) error
}

// RateLimiter is the default Limiter: one golang.org/x/time/rate limiter per key.
type RateLimiter struct {
	limit rate.Limit
	burst int
	mu    sync.Mutex
	keys  map[string]*rate.Limiter
}

// NewRateLimiter returns a Limiter allowing perSecond segments per second per key, with
// bursts of up to burst segments.
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	if burst < 1 {
		burst = 1
	}
	return &RateLimiter{limit: rate.Limit(perSecond), burst: burst, keys: map[string]*rate.Limiter{}}
}

// Wait implements Limiter. A request larger than the burst waits in burst-sized steps.
func (l *RateLimiter) Wait(ctx context.Context, key string, n int) error {
	l.mu.Lock()
	lim, ok := l.keys[key]
	if !ok {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.keys[key] = lim
	}
	l.mu.Unlock()
	for n > 0 {
		step := min(n, l.burst)
		if err := lim.WaitN(ctx, step); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if _, ok := ctx.Deadline(); ok {
				// "would exceed context deadline": report it as the deadline it is.
				return context.DeadlineExceeded
			}
			return err
		}
		n -= step
	}
	return nil
}
