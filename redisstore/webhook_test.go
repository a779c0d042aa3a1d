package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/redisstore"
	"github.com/smsbridge/sms/webhook"
)

const (
	hookToken = "hook-secret"
	hookURL   = "http://127.0.0.1/hooks/infobip?token=" + hookToken
	ourNumber = "+41793026700"
	handset   = "+41793026727"
)

// infobipProvider returns an Infobip provider talking to srv and accepting its callbacks.
func infobipProvider(t *testing.T, srv *infobiptest.Server) *infobip.Provider {
	p, err := infobip.New(infobip.Config{
		APIKey:         sms.NewSecret(srv.APIKey()),
		BaseURL:        srv.URL,
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)},
	}, nil)
	require.NoError(t, err)
	return p
}

// sink records the events handed to it and fails while failing is set.
type sink struct {
	mu      sync.Mutex
	events  []sms.Event
	failing bool
	then    func(ctx context.Context, ev sms.Event) error
}

func (s *sink) HandleEvents(ctx context.Context, evs []sms.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing {
		return errors.New("application down")
	}
	for _, ev := range evs {
		if s.then != nil {
			if err := s.then(ctx, ev); err != nil {
				return err
			}
		}
	}
	s.events = append(s.events, evs...)
	return nil
}

func (s *sink) got() []sms.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sms.Event(nil), s.events...)
}

func serve(h http.Handler, req *http.Request) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// Two webhook handlers (two processes, each with its own Redis client) share one DedupStore:
// a delivery report replayed to the other handler reaches no sink again, and an event whose
// sink failed is not marked, so its retry is delivered by whichever handler gets it.
func TestDedupStoreSharedByTwoHandlers(t *testing.T) {
	srv := newServer(t)
	emu := infobiptest.NewServer(nil)
	t.Cleanup(emu.Close)
	p := infobipProvider(t, emu)
	res, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{To: []string{handset}, From: sms.Sender{Value: "InfoSMS"}, Body: "order shipped"})
	require.NoError(t, err)
	id := res[0].MessageID
	report := emu.NewReport(id, handset, sms.StatusDelivered, "")

	opts := &redisstore.Options{Prefix: srv.prefix, DedupTTL: time.Hour}
	sinkA, sinkB := &sink{}, &sink{}
	a := webhook.Handler(p, sinkA, &webhook.Options{Dedup: redisstore.NewDedupStore(srv.client(t), opts)})
	b := webhook.Handler(p, sinkB, &webhook.Options{Dedup: redisstore.NewDedupStore(srv.client(t), opts)})

	require.Equal(t, http.StatusOK, serve(a, emu.DeliveryReportsRequest(hookURL, infobiptest.V3, report)))
	require.Len(t, sinkA.got(), 1)
	require.Equal(t, id, sinkA.got()[0].MessageID)
	require.Equal(t, sms.StatusDelivered, sinkA.got()[0].Status)

	require.Equal(t, http.StatusOK, serve(b, emu.DeliveryReportsRequest(hookURL, infobiptest.V3, report)), "a replay is answered with success")
	require.Empty(t, sinkB.got(), "the replay reached the other handler's sink")
	require.Equal(t, http.StatusOK, serve(a, emu.DeliveryReportsRequest(hookURL, infobiptest.V3, report)))
	require.Len(t, sinkA.got(), 1, "nor the first handler's, again")

	// Marked only after the sink succeeded: a failed sink leaves the event to the retry.
	failed := emu.NewReport(id, handset, sms.StatusFailed, "")
	sinkB.failing = true
	require.Equal(t, http.StatusInternalServerError, serve(b, emu.DeliveryReportsRequest(hookURL, infobiptest.V3, failed)))
	require.Equal(t, http.StatusOK, serve(a, emu.DeliveryReportsRequest(hookURL, infobiptest.V3, failed)))
	require.Len(t, sinkA.got(), 2, "the retry of an event whose sink failed is delivered")
	require.True(t, sinkA.got()[1].Status.IsFinal() && sinkA.got()[1].Status != sms.StatusDelivered, "%v", sinkA.got()[1].Status)

	// The marks expire after DedupTTL.
	rdb := srv.client(t)
	keys := srv.keys(t, rdb)
	require.Len(t, keys, 2)
	for _, k := range keys {
		ttl, err := rdb.PTTL(context.Background(), k).Result()
		require.NoError(t, err)
		require.True(t, ttl > 0 && ttl <= time.Hour, "%s: ttl %v", k, ttl)
	}
}

func TestDedupStore(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	a := redisstore.NewDedupStore(srv.client(t), &redisstore.Options{Prefix: srv.prefix})
	b := redisstore.NewDedupStore(srv.client(t), &redisstore.Options{Prefix: srv.prefix})
	other := redisstore.NewDedupStore(srv.client(t), &redisstore.Options{Prefix: srv.prefix + "other:"})
	require.NoError(t, a.Mark(ctx, nil))
	ids := make([]string, 1200) // more than one pipelined batch
	for i := range ids {
		ids[i] = "ev-" + time.Duration(i).String()
	}
	require.NoError(t, a.Mark(ctx, ids))
	require.NoError(t, b.Mark(ctx, ids[:3]), "marking again is not an error")
	for _, tc := range []struct {
		store *redisstore.DedupStore
		id    string
		want  bool
	}{
		{a, ids[0], true}, {b, ids[0], true}, {b, ids[len(ids)-1], true},
		{b, "never-marked", false}, {other, ids[0], false},
	} {
		seen, err := tc.store.Seen(ctx, tc.id)
		require.NoError(t, err)
		require.Equal(t, tc.want, seen, tc.id)
	}
	ttl, err := srv.client(t).TTL(ctx, srv.prefix+"dedup:"+ids[0]).Result()
	require.NoError(t, err)
	require.InDelta(t, redisstore.DefaultDedupTTL.Seconds(), ttl.Seconds(), 60)
}

// A STOP received by one process blocks the next send from another: each has its own
// sms.Consent over its own Redis client, and the webhook handler of the first records the
// opt-out (webhook.Options.Consent) that the Client of the second checks. A START lets the
// send through again.
func TestStopReceivedByOneProcessBlocksAnother(t *testing.T) {
	srv := newServer(t)
	emu := infobiptest.NewServer(nil)
	t.Cleanup(emu.Close)
	p := infobipProvider(t, emu)
	opts := &redisstore.Options{Prefix: srv.prefix}

	// Process A receives callbacks; process B sends.
	hooks := &sink{}
	a := webhook.Handler(p, hooks, &webhook.Options{Consent: &sms.Consent{Store: redisstore.NewSuppressionStore(srv.client(t), opts)}})
	b := sms.NewClient(p, &sms.ClientOptions{Suppressor: &sms.Consent{Store: redisstore.NewSuppressionStore(srv.client(t), opts)}})
	send := func() ([]sms.SendResult, error) {
		return b.Send(context.Background(), &sms.Message{To: []string{handset}, From: sms.Sender{Value: ourNumber}, Body: "sale today"})
	}

	res, err := send()
	require.NoError(t, err)
	require.True(t, res[0].OK())
	require.Equal(t, 1, emu.Requests())

	require.Equal(t, http.StatusOK, serve(a, emu.InboundRequest(hookURL, handset, ourNumber, "STOP")))
	require.Len(t, hooks.got(), 1)
	require.Equal(t, sms.EventOptOut, hooks.got()[0].Type)
	require.Equal(t, []string{srv.prefix + "suppress:" + sms.SenderScope("infobip", sms.Sender{Value: ourNumber})}, srv.keys(t, srv.client(t)))

	res, err = send()
	require.ErrorIs(t, err, sms.ErrOptedOut)
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.True(t, sms.IsNotAccepted(res[0].Err))
	require.Equal(t, 1, emu.Requests(), "no request for the opted-out recipient")

	require.Equal(t, http.StatusOK, serve(a, emu.InboundRequest(hookURL, handset, ourNumber, "START")))
	res, err = send()
	require.NoError(t, err)
	require.True(t, res[0].OK())
	require.Equal(t, 2, emu.Requests())
}

func TestSuppressionStore(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	a := redisstore.NewSuppressionStore(srv.client(t), &redisstore.Options{Prefix: srv.prefix})
	b := redisstore.NewSuppressionStore(srv.client(t), &redisstore.Options{Prefix: srv.prefix})
	check := func(store *redisstore.SuppressionStore, scope, to string, want bool) {
		t.Helper()
		got, err := store.Suppressed(ctx, scope, to)
		require.NoError(t, err)
		require.Equal(t, want, got, "%s %s", scope, to)
	}
	require.NoError(t, a.Suppress(ctx, "owner:acme", handset))
	require.NoError(t, a.Suppress(ctx, "owner:acme", handset), "suppressing twice is not an error")
	for _, tc := range []struct {
		scope, to string
		want      bool
	}{
		{"owner:acme", handset, true},
		{"owner:acme", "+41793026728", false},
		{"owner:other", handset, false},
		{ourNumber, handset, false},
	} {
		check(b, tc.scope, tc.to, tc.want)
	}
	for _, bad := range [][2]string{{"", handset}, {"owner:acme", ""}} {
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(a.Suppress(ctx, bad[0], bad[1])), "%q", bad)
	}
	require.NoError(t, b.Unsuppress(ctx, "owner:acme", handset))
	require.NoError(t, b.Unsuppress(ctx, "owner:acme", handset), "removing an absent entry is not an error")
	check(a, "owner:acme", handset, false)
}

// Every key the stores write starts with the prefix, the limiter's included.
func TestKeysStartWithPrefix(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	rdb := srv.client(t)
	opts := &redisstore.Options{Prefix: srv.prefix}
	require.NoError(t, redisstore.NewLimiter(rdb, sms.DefaultRateProfiles(), opts).Wait(ctx, "infobip", sms.Sender{Value: ourNumber}, 1))
	require.NoError(t, redisstore.NewDedupStore(rdb, opts).Mark(ctx, []string{"ev1"}))
	require.NoError(t, redisstore.NewSuppressionStore(rdb, opts).Suppress(ctx, ourNumber, handset))
	_, err := redisstore.NewPartStore(rdb, opts).AddPart(ctx, "infobip\x00m1", 1, 2, sms.StatusSent)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{
		srv.prefix + "rate:infobip:" + ourNumber,
		srv.prefix + "dedup:ev1",
		srv.prefix + "suppress:" + ourNumber,
		srv.prefix + "parts:infobip\x00m1",
	}, srv.keys(t, rdb))
}

// An outage fails closed everywhere: no send to a recipient whose opt-out cannot be read,
// and a 500 (so the vendor retries) when the webhook state cannot be read.
func TestStoresOutage(t *testing.T) {
	down, _ := downClient(t)
	ctx := context.Background()
	emu := infobiptest.NewServer(nil)
	t.Cleanup(emu.Close)
	p := infobipProvider(t, emu)

	c := sms.NewClient(p, &sms.ClientOptions{Suppressor: &sms.Consent{Store: redisstore.NewSuppressionStore(down, nil)}})
	res, err := c.Send(ctx, &sms.Message{To: []string{handset}, From: sms.Sender{Value: ourNumber}, Body: "hi"})
	require.Error(t, err)
	require.True(t, sms.IsNotAccepted(res[0].Err), "%v", res[0].Err)
	require.Zero(t, emu.Requests())

	s := &sink{}
	h := webhook.Handler(p, s, &webhook.Options{Dedup: redisstore.NewDedupStore(down, nil)})
	require.Equal(t, http.StatusInternalServerError, serve(h, emu.DeliveryReportsRequest(hookURL, infobiptest.V3, emu.NewReport("m1", handset, sms.StatusDelivered, ""))))
	require.Empty(t, s.got())

	link := linkmobilitytest.NewServer(nil)
	t.Cleanup(link.Close)
	h = webhook.Handler(linkProvider(t, link), s, &webhook.Options{Parts: redisstore.NewPartStore(down, nil)})
	require.Equal(t, http.StatusInternalServerError, serve(h, link.DeliveryReportRequest(linkGate, link.NewReport("m1", "", 0, 2, sms.StatusDelivered, ""))))
	require.Empty(t, s.got())

	_, err = redisstore.NewDedupStore(down, nil).Seen(ctx, "x")
	require.ErrorContains(t, err, "connection refused")
	require.Error(t, redisstore.NewDedupStore(down, nil).Mark(ctx, []string{"x"}))
	require.Error(t, redisstore.NewSuppressionStore(down, nil).Suppress(ctx, "s", handset))
	require.Error(t, redisstore.NewSuppressionStore(down, nil).Unsuppress(ctx, "s", handset))
	require.Error(t, redisstore.NewPartStore(down, nil).SetFolded(ctx, "k", sms.StatusDelivered))
}
