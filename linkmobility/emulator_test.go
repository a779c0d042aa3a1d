package linkmobility_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/webhook"
)

// TestEndToEndEmulator sends a batch (one long message, a barred number, an opted-out number)
// through sms.Client to linkmobilitytest, whose gate posts the part reports to
// webhook.Handler: the sink sees one folded status per change, the barring codes with their
// portable classes, and a STOP scoped to the short code.
func TestEndToEndEmulator(t *testing.T) {
	var mu sync.Mutex
	var got []sms.Event
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	defer app.Close()
	gate := linkmobilitytest.Gate{URL: app.URL + "/hooks", Username: "gate", Password: "gate-pw"}
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: gate}, Inbound: gate, Seed: 7,
	})
	defer srv.Close()
	p, err := linkmobility.New(linkmobility.Config{
		Username: srv.Username(), Password: sms.NewSecret(srv.Password()),
		PlatformID: srv.PlatformID(), PlatformPartnerID: srv.PlatformPartnerID(),
		GateID: linkmobilitytest.DefaultGateID, BaseURL: srv.URL,
		CallbackUser: "gate", CallbackPassword: sms.NewSecret("gate-pw"),
	}, nil)
	require.NoError(t, err)
	mux.Handle("/hooks", webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		mu.Lock()
		got = append(got, evs...)
		mu.Unlock()
		return nil
	}), nil))
	srv.Bar("+4741560001", 2105)
	srv.Bar("+4741560002", 2107)
	srv.Bar("+4741560003", 2205)

	res, err := sms.NewClient(p, nil).Send(context.Background(), &sms.Message{
		To:   []string{"+4746910822", "+4741560001", "+4741560002", "+4741560003"},
		From: sms.Sender{Type: sms.SenderShortCode, Value: "2333"}, Body: strings.Repeat("0123456789", 40), // 3 parts
		Reference: "ref-e2e",
	})
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
		require.Equal(t, 3, r.Segments)
	}
	require.NoError(t, srv.WaitCallbacks(context.Background()))

	byTo := map[string][]sms.Event{}
	mu.Lock()
	for _, ev := range got {
		byTo[ev.To] = append(byTo[ev.To], ev)
	}
	mu.Unlock()
	delivered := byTo["+4746910822"]
	require.Len(t, delivered, 2, "sent (first part), then delivered (all three)")
	require.Equal(t, sms.StatusSent, delivered[0].Status)
	require.Equal(t, sms.StatusDelivered, delivered[1].Status)
	require.Equal(t, res[0].MessageID, delivered[1].MessageID)
	require.Equal(t, 3, delivered[1].Parts)
	require.Equal(t, "ref-e2e", delivered[1].Reference)
	for to, want := range map[string]sms.Code{"+4741560001": sms.CodeInvalidRecipient, "+4741560002": sms.CodeUnavailable, "+4741560003": sms.CodeOptedOut} {
		evs := byTo[to]
		require.Len(t, evs, 1, "a failed part fails the message once: %s", to)
		require.Equal(t, want, evs[0].Code, to)
	}

	mu.Lock()
	got = nil
	mu.Unlock()
	_, err = srv.SendInbound(context.Background(), "+4746910822", "2333", "STOP")
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	require.Equal(t, sms.EventOptOut, got[0].Type)
	require.Equal(t, "NO-2333", got[0].To)
	require.Equal(t, "2333", got[0].ScopeID)
}
