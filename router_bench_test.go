package sms_test

import (
	"context"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

// BenchmarkRouterSend measures what a Router adds over its first route's Client when that
// route accepts: the baseline sends the same message through the Client alone, in the same run.
func BenchmarkRouterSend(b *testing.B) {
	msg := func() *sms.Message { return &sms.Message{To: []string{"+12025550101"}, Body: "hello"} }
	b.Run("client", func(b *testing.B) {
		c := sms.NewClient(smstest.NewRecorder(nil), nil)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			m := msg()
			m.From = senderA
			if _, err := c.Send(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("router", func(b *testing.B) {
		c := sms.NewClient(smstest.NewRecorder(nil), nil)
		r, err := sms.NewRouter(sms.Route{Client: c, From: senderA}, sms.Route{Client: sms.NewClient(smstest.NewRecorder(nil), nil), From: senderB})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Send(ctx, msg()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
