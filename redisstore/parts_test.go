package redisstore_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/redisstore"
	"github.com/smsbridge/sms/webhook"
)

// linkGate is the delivery-report gate of the LINK Mobility tests.
var linkGate = linkmobilitytest.Gate{URL: "http://127.0.0.1/hooks/link", Username: "gate-user", Password: "gate-password"}

func linkProvider(t *testing.T, srv *linkmobilitytest.Server) *linkmobility.Provider {
	p, err := linkmobility.New(linkmobility.Config{
		Username: srv.Username(), Password: sms.NewSecret(linkmobilitytest.DefaultPassword),
		PlatformID: srv.PlatformID(), PlatformPartnerID: srv.PlatformPartnerID(),
		GateID: linkmobilitytest.DefaultGateID, BaseURL: srv.URL,
		CallbackUser: linkGate.Username, CallbackPassword: sms.NewSecret(linkGate.Password),
	}, nil)
	require.NoError(t, err)
	return p
}

// Two handlers share one PartStore: the reports of a two-part message's parts, each received
// by a different process, fold into "delivered" (alone, the second would only see its part).
func TestPartStoreSharedByTwoHandlers(t *testing.T) {
	srv := newServer(t)
	emu := linkmobilitytest.NewServer(nil)
	t.Cleanup(emu.Close)
	p := linkProvider(t, emu)
	opts := &redisstore.Options{Prefix: srv.prefix}
	sinkA, sinkB := &sink{}, &sink{}
	a := webhook.Handler(p, sinkA, &webhook.Options{Parts: redisstore.NewPartStore(srv.client(t), opts)})
	b := webhook.Handler(p, sinkB, &webhook.Options{Parts: redisstore.NewPartStore(srv.client(t), opts)})

	require.Equal(t, http.StatusOK, serve(a, emu.DeliveryReportRequest(linkGate, emu.NewReport("m1", "", 0, 2, sms.StatusDelivered, ""))))
	require.Len(t, sinkA.got(), 1)
	require.Equal(t, sms.StatusSent, sinkA.got()[0].Status, "one part of two delivered: the message is sent")

	require.Equal(t, http.StatusOK, serve(b, emu.DeliveryReportRequest(linkGate, emu.NewReport("m1", "", 1, 2, sms.StatusDelivered, ""))))
	require.Len(t, sinkB.got(), 1)
	require.Equal(t, "m1", sinkB.got()[0].MessageID)
	require.Equal(t, sms.StatusDelivered, sinkB.got()[0].Status, "both parts delivered, one in each process")

	// A late report of a part, to either process, moves nothing backwards and reaches no sink.
	require.Equal(t, http.StatusOK, serve(a, emu.DeliveryReportRequest(linkGate, emu.NewReport("m1", "", 0, 2, sms.StatusSent, ""))))
	require.Len(t, sinkA.got(), 1)
}

type addPart struct {
	key         string
	part, parts int
	status      sms.Status
}

// The Redis store folds exactly as webhook.MemoryPartStore does: the same sequences of reports
// give the same states (Supersedes per part, the largest part count, the folded status).
func TestPartStoreMatchesMemoryStore(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		adds   []addPart
		folded []sms.Status // SetFolded after the adds, in order
	}{
		{"parts in order", []addPart{{"m", 1, 2, sms.StatusSent}, {"m", 2, 2, sms.StatusSent}, {"m", 1, 2, sms.StatusDelivered}, {"m", 2, 0, sms.StatusDelivered}}, []sms.Status{sms.StatusSent, sms.StatusDelivered}},
		{"a late report does not go back", []addPart{{"m", 1, 3, sms.StatusDelivered}, {"m", 1, 3, sms.StatusSent}, {"m", 1, 0, sms.StatusQueued}}, nil},
		{"the first final status wins", []addPart{{"m", 1, 2, sms.StatusFailed}, {"m", 1, 2, sms.StatusDelivered}, {"m", 2, 2, sms.StatusExpired}, {"m", 2, 2, sms.StatusRejected}}, []sms.Status{sms.StatusFailed, sms.StatusDelivered}},
		{"unknown never replaces, is replaced", []addPart{{"m", 1, 0, sms.StatusUnknown}, {"m", 2, 0, sms.StatusSent}, {"m", 2, 0, sms.StatusUnknown}, {"m", 1, 0, sms.StatusQueued}}, nil},
		{"the part count only grows", []addPart{{"m", 3, 4, sms.StatusAccepted}, {"m", 1, 2, sms.StatusAccepted}, {"m", 5, 0, sms.StatusAccepted}}, nil},
		{"a folded status never goes back", []addPart{{"m", 1, 2, sms.StatusDelivered}}, []sms.Status{sms.StatusSent, sms.StatusQueued, sms.StatusUnknown}},
		{"messages apart", []addPart{{"m", 1, 2, sms.StatusDelivered}, {"n", 1, 1, sms.StatusFailed}}, []sms.Status{sms.StatusDelivered}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := webhook.NewMemoryPartStore(0)
			red := redisstore.NewPartStore(srv.client(t), &redisstore.Options{Prefix: srv.prefix + tc.name + ":"})
			for i, a := range tc.adds {
				want, err := mem.AddPart(ctx, a.key, a.part, a.parts, a.status)
				require.NoError(t, err)
				got, err := red.AddPart(ctx, a.key, a.part, a.parts, a.status)
				require.NoError(t, err)
				require.Equal(t, want, got, "after add %d", i)
				require.Equal(t, want.Status(), got.Status())
			}
			for _, f := range tc.folded {
				require.NoError(t, mem.SetFolded(ctx, "m", f))
				require.NoError(t, red.SetFolded(ctx, "m", f))
			}
			want, _ := mem.AddPart(ctx, "m", 1, 0, sms.StatusUnknown)
			got, err := red.AddPart(ctx, "m", 1, 0, sms.StatusUnknown)
			require.NoError(t, err)
			require.Equal(t, want, got, "final state")
		})
	}
}

func TestPartStoreSetFoldedOnAnExpiredMessage(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	rdb := srv.client(t)
	s := redisstore.NewPartStore(rdb, &redisstore.Options{Prefix: srv.prefix, PartTTL: time.Hour})
	require.NoError(t, s.SetFolded(ctx, "gone", sms.StatusDelivered))
	require.Empty(t, srv.keys(t, rdb), "a message no longer stored is left so")
	_, err := s.AddPart(ctx, "m", 1, 2, sms.StatusSent)
	require.NoError(t, err)
	ttl, err := rdb.PTTL(ctx, srv.prefix+"parts:m").Result()
	require.NoError(t, err)
	require.True(t, ttl > 0 && ttl <= time.Hour, "ttl %v", ttl)
}

// Reports of one message handled at the same time by several processes are all kept: each
// AddPart is atomic on the server. Every part ends with the first final status it was given,
// and the count with the largest count given.
func TestPartStoreConcurrentProcesses(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	const (
		procs = 4
		parts = 25
	)
	stores := make([]*redisstore.PartStore, procs)
	for i := range stores {
		stores[i] = redisstore.NewPartStore(srv.client(t), &redisstore.Options{Prefix: srv.prefix})
	}
	var wg sync.WaitGroup
	errs := make(chan error, procs*parts*3)
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := 1; part <= parts; part++ {
				// Each process reports every part: sent, then a final status that differs
				// between processes, so that the first final one must stick.
				final := []sms.Status{sms.StatusDelivered, sms.StatusFailed, sms.StatusExpired, sms.StatusUndelivered}[i]
				for _, st := range []sms.Status{sms.StatusSent, final, sms.StatusQueued} {
					if _, err := s.AddPart(ctx, "m", part, i+parts, st); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := stores[0].AddPart(ctx, "m", 1, 0, sms.StatusUnknown)
	require.NoError(t, err)
	require.Equal(t, procs-1+parts, got.Parts)
	require.Len(t, got.Statuses, parts, "a part was lost")
	for part, st := range got.Statuses {
		require.True(t, st.IsFinal(), "part %d: %v", part, st)
	}
	// The message counts procs-1+parts parts, of which only parts were reported: when every
	// reported part was delivered (process 0's final won each race), parts are still missing
	// and the message is sent; a part that failed for good makes it final.
	allDelivered := true
	for _, st := range got.Statuses {
		allDelivered = allDelivered && st == sms.StatusDelivered
	}
	if allDelivered {
		require.Equal(t, sms.StatusSent, got.Status(), fmt.Sprint(got))
	} else {
		require.True(t, got.Status().IsFinal(), fmt.Sprint(got))
	}
}
