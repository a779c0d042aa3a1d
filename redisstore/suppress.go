package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/smsbridge/sms"
)

// SuppressionStore is an sms.SuppressionStore in Redis, for an sms.Consent shared by every
// process that sends or receives callbacks: one set per scope (key <prefix>suppress:<scope>) holding the suppressed recipients. Entries never expire: an opt-out
// lasts until the recipient opts back in (Unsuppress). Every process that uses the same server
// and prefix sees an opt-out as soon as Suppress returned. It is safe for concurrent use.
type SuppressionStore struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ sms.SuppressionStore = (*SuppressionStore)(nil)

// NewSuppressionStore returns a SuppressionStore on rdb; it reads Options.Prefix. It panics if
// rdb is nil.
func NewSuppressionStore(rdb redis.UniversalClient, opts *Options) *SuppressionStore {
	mustClient(rdb, "NewSuppressionStore")
	o := opts.withDefaults()
	return &SuppressionStore{rdb: rdb, prefix: o.Prefix + "suppress:"}
}

// Suppressed implements sms.SuppressionStore.
func (s *SuppressionStore) Suppressed(ctx context.Context, scope, recipient string) (bool, error) {
	ok, err := s.rdb.SIsMember(ctx, s.prefix+scope, recipient).Result()
	if err != nil {
		return false, storeError("suppression check", err)
	}
	return ok, nil
}

// Suppress implements sms.SuppressionStore. An empty scope or recipient is a
// CodeInvalidArgument *sms.Error, as for the in-memory store: nothing could ever find it.
func (s *SuppressionStore) Suppress(ctx context.Context, scope, recipient string) error {
	if scope == "" || recipient == "" {
		return &sms.Error{Code: sms.CodeInvalidArgument, Message: "redisstore: suppression needs a scope and a recipient"}
	}
	if err := s.rdb.SAdd(ctx, s.prefix+scope, recipient).Err(); err != nil {
		return storeError("suppress", err)
	}
	return nil
}

// Unsuppress implements sms.SuppressionStore.
func (s *SuppressionStore) Unsuppress(ctx context.Context, scope, recipient string) error {
	if err := s.rdb.SRem(ctx, s.prefix+scope, recipient).Err(); err != nil {
		return storeError("unsuppress", err)
	}
	return nil
}
