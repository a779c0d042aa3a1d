package sms_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

// loggedProvider is a provider given a logger, as a vendor's Options.Logger gives one.
type loggedProvider struct {
	sms.Provider
	log *slog.Logger
}

func (p loggedProvider) Logger() *slog.Logger { return p.log }

// wrapper hides a provider behind sms.Unwrapper, as middleware does.
type wrapper struct{ sms.Provider }

func (w wrapper) Unwrap() sms.Provider { return w.Provider }

func TestLoggerOf(t *testing.T) {
	l := slog.New(slog.DiscardHandler)
	rec := smstest.NewRecorder(nil)
	lp := loggedProvider{rec, l}
	require.Nil(t, sms.LoggerOf(rec))
	require.Nil(t, sms.LoggerOf(loggedProvider{rec, nil}), "a nil logger is none")
	require.Same(t, l, sms.LoggerOf(lp))
	require.Same(t, l, sms.LoggerOf(wrapper{wrapper{lp}}))
}

// TestClientLogsThroughTheProvidersLogger: a Client without ClientOptions.Logger logs its send
// records through the provider's logger; its own logger wins; a Client wrapped again passes
// its logger on.
func TestClientLogsThroughTheProvidersLogger(t *testing.T) {
	var provLogs, ownLogs bytes.Buffer
	lp := loggedProvider{smstest.NewRecorder(nil), slog.New(slog.NewTextHandler(&provLogs, nil))}

	_, err := sms.NewClient(lp, nil).Send(context.Background(), msg("+12025550101"))
	require.NoError(t, err)
	require.Contains(t, provLogs.String(), "sms send")

	provLogs.Reset()
	own := slog.New(slog.NewTextHandler(&ownLogs, nil))
	c := sms.NewClient(lp, &sms.ClientOptions{Logger: own})
	_, err = c.Send(context.Background(), msg("+12025550101"))
	require.NoError(t, err)
	require.Empty(t, provLogs.String())
	require.Contains(t, ownLogs.String(), "sms send")
	require.Same(t, own, sms.NewClient(c, nil).Logger())
}
