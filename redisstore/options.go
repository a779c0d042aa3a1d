package redisstore

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/smsbridge/sms"
)

// DefaultPrefix starts every key the stores write when Options.Prefix is empty.
const DefaultPrefix = "smsbridge:"

// Default lifetimes of the entries that expire (see the package documentation).
const (
	// DefaultDedupTTL is how long DedupStore remembers an event id: longer than the vendors
	// retry a callback (Event Grid retries for 24 hours by default).
	DefaultDedupTTL = 48 * time.Hour
	// DefaultPartTTL is how long PartStore keeps a multipart message's state after its
	// latest report.
	DefaultPartTTL = 72 * time.Hour
)

// Options configures the stores and the limiter. The zero value (or a nil *Options) is all
// defaults. Each field says which type reads it.
type Options struct {
	// Prefix starts every key; "" means DefaultPrefix. Processes that must share state use
	// the same prefix; separate prefixes keep separate applications (or tests) apart on one
	// server. Put a hash tag in it ("{sms}:") only if a cluster must keep all keys on one node:
	// no operation here spans more than one key.
	Prefix string
	// DedupTTL is how long DedupStore remembers an event id; 0 means DefaultDedupTTL.
	DedupTTL time.Duration
	// PartTTL is how long PartStore keeps a message's state after its latest report; 0
	// means DefaultPartTTL.
	PartTTL time.Duration
	// Clock is what Limiter sleeps on between tries; nil means the real clock. Tests inject a
	// fake to see the waits asked for. The limit itself is kept on the Redis server's clock.
	Clock sms.Clock
}

// withDefaults returns o (or the zero Options) with the defaults filled in.
func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.Prefix == "" {
		out.Prefix = DefaultPrefix
	}
	if out.DedupTTL <= 0 {
		out.DedupTTL = DefaultDedupTTL
	}
	if out.PartTTL <= 0 {
		out.PartTTL = DefaultPartTTL
	}
	if out.Clock == nil {
		out.Clock = sms.RealClock{}
	}
	return out
}

// mustClient panics on a nil client: a programming error that would otherwise surface at the
// first call, as sms.NewClient does for a nil Provider.
func mustClient(rdb redis.UniversalClient, what string) {
	if rdb == nil {
		panic("redisstore: " + what + " with a nil Redis client")
	}
}

// storeError wraps a Redis failure with the operation that failed.
func storeError(op string, err error) error { return fmt.Errorf("redisstore: %s: %w", op, err) }
