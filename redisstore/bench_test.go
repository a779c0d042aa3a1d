package redisstore_test

import (
	"context"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/redisstore"
)

// The stores beside the bare Redis round trip each one costs at least, on the same server in
// the same run: the ratio is the price of the scripts and of the library around them.
func BenchmarkRoundTrips(b *testing.B) {
	srv := newServer(b)
	rdb := srv.client(b)
	ctx := context.Background()
	opts := &redisstore.Options{Prefix: srv.prefix}
	fast := sms.RateProfiles{Default: sms.RateProfile{PerSecond: 1e9, Burst: 1 << 30}} // never waits
	lim := redisstore.NewLimiter(rdb, fast, opts)
	dedup := redisstore.NewDedupStore(rdb, opts)
	parts := redisstore.NewPartStore(rdb, opts)
	from := sms.Sender{Value: "+12025550100"}
	b.Run("baseline=PING", func(b *testing.B) {
		for b.Loop() {
			if err := rdb.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Limiter.Wait", func(b *testing.B) {
		for b.Loop() {
			if err := lim.Wait(ctx, "p", from, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DedupStore.Seen", func(b *testing.B) {
		for b.Loop() {
			if _, err := dedup.Seen(ctx, "ev"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PartStore.AddPart", func(b *testing.B) {
		for b.Loop() {
			if _, err := parts.AddPart(ctx, "m", 1, 2, sms.StatusSent); err != nil {
				b.Fatal(err)
			}
		}
	})
}
