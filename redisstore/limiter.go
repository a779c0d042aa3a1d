package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/smsbridge/sms"
)

// minRetry is the shortest wait between two tries of one chunk, so that a RetryAfter rounded
// to zero cannot make the limiter spin on the server.
const minRetry = time.Millisecond

// Limiter is an sms.Limiter shared by every process that uses the same Redis server and
// prefix: one GCRA bucket (github.com/go-redis/redis_rate) per provider and sender
// (<prefix>rate:<sms.RateKey>), with the rate of the sender's profile. Senders sharing a value
// on one provider share one limit across all processes; the limit is kept on the server's
// clock, so the processes' clocks need not agree. A key expires once its bucket is full again.
//
// Wait asks for at most the profile's burst at a time (a larger request could never be
// granted at once) and, while the server refuses, sleeps for the RetryAfter the server
// computed, on Options.Clock, then asks again. Grants are first come, first served among the
// processes that ask; a waiting process holds no reservation. A Redis failure returns an error
// that is not a context error, which sms.Client reports as CodeUnavailable without sending:
// an outage never lets a send through unlimited. It is safe for concurrent use.
type Limiter struct {
	rl       *redis_rate.Limiter
	profiles sms.RateProfiles
	prefix   string
	clock    sms.Clock
}

var _ sms.Limiter = (*Limiter)(nil)

// NewLimiter returns a Limiter on rdb that limits each sender by its profile in profiles (a
// zero profile means no limit, and the zero RateProfiles limits nothing: start from
// sms.DefaultRateProfiles). It reads Options.Prefix and Options.Clock. The maps in profiles
// are read, never written; do not change them afterwards. It panics if rdb is nil.
func NewLimiter(rdb redis.UniversalClient, profiles sms.RateProfiles, opts *Options) *Limiter {
	mustClient(rdb, "NewLimiter")
	o := opts.withDefaults()
	return &Limiter{
		rl:       redis_rate.NewLimiter(prefixed{rdb}),
		profiles: profiles,
		prefix:   o.Prefix + "rate:",
		clock:    o.Clock,
	}
}

// Wait implements sms.Limiter.
func (l *Limiter) Wait(ctx context.Context, provider string, from sms.Sender, n int) error {
	prof := l.profiles.For(from)
	if prof.Unlimited() || n <= 0 {
		return ctx.Err()
	}
	key := l.prefix + sms.RateKey(provider, from)
	limit := gcra(prof)
	for n > 0 {
		step := min(n, prof.Burst)
		if err := l.take(ctx, key, limit, step); err != nil {
			return err
		}
		n -= step
	}
	return nil
}

// take waits until the server grants n tokens of key at once (n <= the burst).
func (l *Limiter) take(ctx context.Context, key string, limit redis_rate.Limit, n int) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := l.rl.AllowN(ctx, key, limit, n)
		if err != nil {
			return limiterError(ctx, err)
		}
		if res.Allowed >= n {
			return nil
		}
		wait := max(res.RetryAfter, minRetry)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return context.DeadlineExceeded // the wait would outlast ctx, as sms.Limiter says
		}
		if err := l.clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// limiterError returns the error of a failed call to the server: ctx's error if ctx ended,
// else an error that does not unwrap to a context error even if the client's own timeouts
// said so, because sms.Client reads a context error as "the caller gave up".
func limiterError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("redisstore: rate limiter: %v", err)
	}
	return storeError("rate limiter", err)
}

// gcra returns the redis_rate limit of a (normalized, limited) profile: PerSecond tokens a
// second, exactly, as one token per emission interval when the rate is not whole.
func gcra(p sms.RateProfile) redis_rate.Limit {
	if p.PerSecond == math.Trunc(p.PerSecond) && p.PerSecond <= math.MaxInt32 {
		return redis_rate.Limit{Rate: int(p.PerSecond), Period: time.Second, Burst: p.Burst}
	}
	return redis_rate.Limit{Rate: 1, Period: time.Duration(float64(time.Second) / p.PerSecond), Burst: p.Burst}
}

// rateKeyPrefix is what redis_rate puts before every key it is given.
const rateKeyPrefix = "rate:"

// prefixed hands redis_rate a client that drops the prefix redis_rate adds to its keys, so
// that the limiter's keys start with Options.Prefix like every other key here (one prefix
// for ACLs, scans and key-space splits).
type prefixed struct{ redis.UniversalClient }

func unprefix(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k, rateKeyPrefix)
	}
	return out
}

func (c prefixed) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.Eval(ctx, script, unprefix(keys), args...)
}

func (c prefixed) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalSha(ctx, sha1, unprefix(keys), args...)
}

func (c prefixed) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalRO(ctx, script, unprefix(keys), args...)
}

func (c prefixed) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalShaRO(ctx, sha1, unprefix(keys), args...)
}

func (c prefixed) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	return c.UniversalClient.Del(ctx, unprefix(keys)...)
}
