package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/smsbridge/sms/webhook"
)

// markBatch is how many ids one pipelined round trip of Mark writes.
const markBatch = 500

// DedupStore is a webhook.Store in Redis: one key per handled event id (<prefix>dedup:<id>),
// written only when the handler's sink succeeded (Mark) and expiring after Options.DedupTTL
// (default 48 hours); marking an id again does not extend its life. Every webhook handler, in
// any process, that shares the server and prefix drops an event another one already handled.
//
// Like every webhook.Store it de-duplicates deliveries that arrive after the first one was
// handled: two deliveries of one event in flight at the same moment can both reach their
// sinks, since the id is marked only after a sink accepted it (at least once, never lost).
// It is safe for concurrent use.
type DedupStore struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

var _ webhook.Store = (*DedupStore)(nil)

// NewDedupStore returns a DedupStore on rdb; it reads Options.Prefix and Options.DedupTTL. It
// panics if rdb is nil.
func NewDedupStore(rdb redis.UniversalClient, opts *Options) *DedupStore {
	mustClient(rdb, "NewDedupStore")
	o := opts.withDefaults()
	return &DedupStore{rdb: rdb, prefix: o.Prefix + "dedup:", ttl: o.DedupTTL}
}

// Seen implements webhook.Store: whether id was marked and has not expired.
func (s *DedupStore) Seen(ctx context.Context, id string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.prefix+id).Result()
	if err != nil {
		return false, storeError("dedup check", err)
	}
	return n > 0, nil
}

// Mark implements webhook.Store. It writes the ids in pipelined batches; an error leaves the
// ids of the failed batch unmarked (those events may be delivered again).
func (s *DedupStore) Mark(ctx context.Context, ids []string) error {
	for start := 0; start < len(ids); start += markBatch {
		batch := ids[start:min(start+markBatch, len(ids))]
		cmds, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, id := range batch {
				p.SetArgs(ctx, s.prefix+id, "1", redis.SetArgs{Mode: "NX", TTL: s.ttl})
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return storeError("dedup mark", err)
		}
		for _, c := range cmds {
			// SET NX answers nil for an id already marked: not a failure.
			if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
				return storeError("dedup mark", err)
			}
		}
	}
	return nil
}
