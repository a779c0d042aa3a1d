package vibes_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/smsbridge/sms/vibes"
	"github.com/smsbridge/sms/vibes/vibestest"
	"github.com/smsbridge/sms/webhook"
)

// app is an application's webhook server on loopback: webhook.Handler over the provider,
// recording what its sink received.
type app struct {
	*httptest.Server
	mu  sync.Mutex
	evs []sms.Event
}

func newApp(t *testing.T, p *vibes.Provider) *app {
	a := &app{}
	a.Server = httptest.NewServer(webhook.Handler(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.evs = append(a.evs, evs...)
		return nil
	}), nil))
	t.Cleanup(a.Close)
	return a
}

func (a *app) events() []sms.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]sms.Event(nil), a.evs...)
}

// newEmulated returns an emulator, a provider whose receipts go to an app, and the app. The
// provider is built twice: the app needs it, and its DeliveryURL needs the app's address.
func newEmulated(t *testing.T) (*vibestest.Server, *vibes.Provider, *app) {
	srv := vibestest.NewServer(nil)
	t.Cleanup(srv.Close)
	cfg := vibes.Config{Username: srv.Username(), Password: sms.NewSecret(srv.Password()), BaseURL: srv.URL,
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)}}
	p0, err := vibes.New(cfg, nil)
	require.NoError(t, err)
	a := newApp(t, p0)
	cfg.DeliveryURL = a.URL + "/hooks/vibes?token=" + hookToken
	p, err := vibes.New(cfg, nil)
	require.NoError(t, err)
	srv.SetInboundURL(a.URL + "/hooks/vibes/mo?token=" + hookToken)
	return srv, p, a
}

// A long text is split by Vibes; the receipts of every part and stage, posted by the
// emulator to the app, fold into one message status that only moves forward and ends
// Delivered, with the message's id and the Reference carried on the receipt URL.
func TestEmulatorSplitMessageReceipts(t *testing.T) {
	srv, p, a := newEmulated(t)
	c := sms.NewClient(p, nil)
	res, err := c.Send(emutest.Context(t), &sms.Message{To: []string{"+12025550101"},
		From: sms.Sender{Value: vibestest.DefaultShortCode}, Body: strings.Repeat("part of a long text ", 20), Reference: "order-7"})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.NoError(t, srv.WaitCallbacks(emutest.Context(t)))
	msg, ok := srv.Message(res[0].MessageID)
	require.True(t, ok)
	require.True(t, msg.SplitLongMessage)
	require.Greater(t, msg.Parts, 1)

	evs := a.events()
	require.NotEmpty(t, evs)
	last := sms.StatusUnknown
	for _, ev := range evs {
		require.Equal(t, sms.EventDeliveryReport, ev.Type)
		require.Equal(t, res[0].MessageID, ev.MessageID)
		require.Equal(t, "order-7", ev.Reference)
		require.Equal(t, msg.Parts, ev.Parts)
		require.True(t, ev.Status.Supersedes(last), "%s after %s", ev.Status, last)
		last = ev.Status
	}
	require.Equal(t, sms.StatusDelivered, last)
}

// A send whose answer was lost (the connection reset after Vibes took it) is OutcomeUnknown,
// sent once; the receipts that follow carry SubmitterMessageID of the idempotency key and
// recipient, which settles it.
func TestEmulatorOutcomeUnknownSettledByReceipt(t *testing.T) {
	srv, p, a := newEmulated(t)
	srv.Arm(vibestest.Fault{Reset: true})
	c := sms.NewClient(p, nil)
	const to = "+14165550101"
	res, err := c.Send(emutest.Context(t), &sms.Message{To: []string{to},
		From: sms.Sender{Value: vibestest.DefaultShortCode}, Body: "your code is 1234", IdempotencyKey: "order-9"})
	require.Error(t, err)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(res[0].Err))
	want := vibes.SubmitterMessageID(res[0].IdempotencyKey, to)
	require.Contains(t, res[0].Err.Error(), want)
	require.Equal(t, 1, srv.Requests())
	require.Equal(t, 1, srv.Accepted())
	require.NoError(t, srv.WaitCallbacks(emutest.Context(t)))
	var settled *sms.Event
	for _, ev := range a.events() {
		if vibes.SubmitterMessageIDOf(ev) == want {
			settled = &ev
		}
	}
	require.NotNil(t, settled, "a receipt carries the submitterMessageId")
	require.Equal(t, sms.StatusDelivered, settled.Status)
	require.Equal(t, want, settled.Reference, "without a Message.Reference, Reference is the submitterMessageId")
}

// A recipient Vibes blocks comes back as the recipient's OptedOut, not sent; a receipt with
// internal error 9 is an OptedOut failure; an inbound STOP reaches the app as an opt-out
// with the carrier kept.
func TestEmulatorBlockedAndInbound(t *testing.T) {
	srv, p, a := newEmulated(t)
	c := sms.NewClient(p, nil)
	srv.Block("+12025550109")
	res, err := c.Send(emutest.Context(t), &sms.Message{To: []string{"+12025550109"}, From: sms.Sender{Value: vibestest.DefaultShortCode}, Body: "hi"})
	require.Error(t, err)
	require.Equal(t, sms.CodeOptedOut, sms.ErrorCode(res[0].Err))
	require.True(t, sms.IsNotAccepted(res[0].Err))
	var e *sms.Error
	require.ErrorAs(t, res[0].Err, &e)
	require.Equal(t, "9", e.VendorCode)

	srv.SetOutcome("+12025550110", sms.StatusRejected, ":9")
	res, err = c.Send(emutest.Context(t), &sms.Message{To: []string{"+12025550110"}, From: sms.Sender{Value: vibestest.DefaultShortCode}, Body: "hi"})
	require.NoError(t, err)
	_, err = srv.SendInbound(emutest.Context(t), "+12025550111", vibestest.DefaultShortCode, "STOP")
	require.NoError(t, err)
	require.NoError(t, srv.WaitCallbacks(emutest.Context(t)))
	var rejected, optOut bool
	for _, ev := range a.events() {
		switch {
		case ev.Type == sms.EventDeliveryReport && ev.MessageID == res[0].MessageID && ev.Status == sms.StatusRejected:
			rejected = ev.Code == sms.CodeOptedOut && ev.ErrorCode == "9"
		case ev.Type == sms.EventOptOut:
			optOut = ev.From == "+12025550111" && ev.ScopeID == vibestest.DefaultShortCode && vibes.CarrierOf(ev) != ""
		}
	}
	require.True(t, rejected, "a System error with internal code 9: %+v", a.events())
	require.True(t, optOut, "%+v", a.events())
}
