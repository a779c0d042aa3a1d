package sms

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

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
