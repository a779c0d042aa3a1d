package sms

import (
	"context"
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// Limiter rate-limits sends. Client calls Wait once before each vendor request with the
// provider's Name, the message's sender and n, the number of segments about to be sent (all
// recipients of the request). Limits are per provider and sender (RateKey), because vendor
// limits are per number or per resource; the limit itself is chosen from the sender (its type
// and value, see RateProfiles), so that rate profiles are data rather than key conventions.
// An implementation shared between processes (the redisstore module, say) can replace the
// default RateLimiter. Implementations are safe for concurrent use.
type Limiter interface {
	// Wait blocks until n tokens for provider and from are available or ctx ends; it returns
	// the context error in the latter case (also when the wait would outlast ctx's deadline).
	// Any other error means the limiter could not decide (a shared store is down): Client
	// then sends nothing and reports CodeUnavailable, not accepted.
	Wait(ctx context.Context, provider string, from Sender, n int) error
}

// RateKey returns the key under which a limiter counts provider's sends from from, e.g.
// "twilio:+14155550100". Senders with the same value on one provider share one limit,
// whatever their Type or Name.
func RateKey(provider string, from Sender) string { return provider + ":" + from.Value }

// RateProfile is the sending rate of one sender: PerSecond segments per second on average, in
// bursts of up to Burst segments. PerSecond <= 0 means no limit. Burst < 1 means
// ceil(PerSecond), at least 1.
type RateProfile struct {
	PerSecond float64
	Burst     int
}

// Unlimited reports whether the profile limits nothing (PerSecond <= 0).
func (p RateProfile) Unlimited() bool { return !(p.PerSecond > 0) }

// normalized fills in the default burst.
func (p RateProfile) normalized() RateProfile {
	if p.Unlimited() {
		return RateProfile{}
	}
	if p.Burst < 1 {
		p.Burst = max(1, int(math.Min(math.Ceil(p.PerSecond), math.MaxInt32)))
	}
	return p
}

// RateProfiles chooses each sender's RateProfile: the entry in BySender for the sender's
// value if there is one, else the entry in ByType for its type (Sender.ResolvedType, so a
// SenderAuto number is found under SenderLongCode or SenderTollFree), else Default. The zero
// value limits nothing. Profiles are data: load them from configuration, one per sender type
// (short code, toll-free, 10DLC long code, alphanumeric…) with overrides for single numbers
// whose vendor granted another throughput.
type RateProfiles struct {
	Default  RateProfile
	ByType   map[SenderType]RateProfile
	BySender map[string]RateProfile // by Sender.Value, exactly as the message carries it
}

// For returns the profile of from, with Burst filled in (see RateProfile).
func (p RateProfiles) For(from Sender) RateProfile {
	if r, ok := p.BySender[from.Value]; ok {
		return r.normalized()
	}
	if r, ok := p.ByType[from.ResolvedType()]; ok {
		return r.normalized()
	}
	return p.Default.normalized()
}

// DefaultRateProfiles returns starting figures for senders in the United States and Canada,
// in segments per second: long code (10DLC) 1, toll-free 3, short code 100, alphanumeric
// sender ID 10, vendor-side pools (a Twilio Messaging Service, say) unlimited because the
// vendor queues for them, and 1 for anything else. These are the defaults vendors commonly
// document for new accounts (inferred, not confirmed for every vendor): the real throughput
// of a number depends on the vendor, the country and, for 10DLC, the brand's registration, so
// set your own profiles from what your vendor granted. The map is new on every call.
func DefaultRateProfiles() RateProfiles {
	return RateProfiles{
		Default: RateProfile{PerSecond: 1},
		ByType: map[SenderType]RateProfile{
			SenderLongCode:     {PerSecond: 1},
			SenderTollFree:     {PerSecond: 3},
			SenderShortCode:    {PerSecond: 100},
			SenderAlphanumeric: {PerSecond: 10},
			SenderPool:         {},
		},
	}
}

// RateLimiter is the default Limiter, in one process: one golang.org/x/time/rate limiter per
// RateKey, with the rate of the sender's profile when the key is first used. A request larger
// than the burst waits in burst-sized steps. Processes that send from the same senders need a
// shared Limiter instead (the redisstore module), or each allows the full rate.
type RateLimiter struct {
	profiles RateProfiles
	mu       sync.Mutex
	keys     map[string]*rate.Limiter
}

// NewRateLimiter returns a RateLimiter allowing every sender perSecond segments per second,
// with bursts of up to burst segments (at least 1): NewProfileRateLimiter with only a Default
// profile. perSecond <= 0 means no limit.
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	return NewProfileRateLimiter(RateProfiles{Default: RateProfile{PerSecond: perSecond, Burst: max(burst, 1)}})
}

// NewProfileRateLimiter returns a RateLimiter that limits each sender by its profile in p.
// The maps in p are read, never written; do not change them afterwards.
func NewProfileRateLimiter(p RateProfiles) *RateLimiter {
	return &RateLimiter{profiles: p, keys: map[string]*rate.Limiter{}}
}

// Wait implements Limiter.
func (l *RateLimiter) Wait(ctx context.Context, provider string, from Sender, n int) error {
	prof := l.profiles.For(from)
	if prof.Unlimited() || n <= 0 {
		return ctx.Err()
	}
	key := RateKey(provider, from)
	l.mu.Lock()
	lim, ok := l.keys[key]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(prof.PerSecond), prof.Burst)
		l.keys[key] = lim
	}
	l.mu.Unlock()
	burst := lim.Burst()
	for n > 0 {
		step := min(n, burst)
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
