package infobip_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/smstest"
)

// Through sms.Client: a send larger than Options.MaxRecipients is split into requests of at
// most that many destinations, and a 429 is retried with the same messageIds.
func TestClientChunksAndRetriesRateLimit(t *testing.T) {
	var calls atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, `{"errorCode":"E429","description":"Too many requests sent."}`)
			return
		}
		echoAccepted(w, r, body)
	})
	p := newProvider(t, f.URL, &infobip.Options{MaxRecipients: 2})
	c := sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}})
	to := []string{"+41790000001", "+41790000002", "+41790000003", "+41790000004", "+41790000005"}
	res, err := c.Send(context.Background(), &sms.Message{To: to, From: sms.Sender{Value: "InfoSMS"}, Body: "x", IdempotencyKey: "k"})
	require.NoError(t, err)
	require.Len(t, res, 5)
	for i, r := range res {
		require.NoError(t, r.Err)
		require.Equal(t, infobip.MessageID("k", to[i]), r.MessageID)
	}
	reqs := f.Requests()
	require.Len(t, reqs, 4, "three chunks, one of them retried once")
	seen := map[string]int{}
	for _, r := range reqs {
		var b struct {
			Messages []struct {
				Destinations []struct{ MessageID string } `json:"destinations"`
			} `json:"messages"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &b))
		require.LessOrEqual(t, len(b.Messages[0].Destinations), 2)
		for _, d := range b.Messages[0].Destinations {
			seen[d.MessageID]++
		}
	}
	require.Len(t, seen, 5, "the retried chunk carried the same messageIds")
}

// The logger is set once, on the provider: sms.NewClient and webhook.Handler find it.
func TestLoggerIsTheProvidersLogger(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	p, err := infobip.New(infobip.Config{APIKey: sms.NewSecret("key-0123456789"), BaseURL: "https://api.example.test"}, &infobip.Options{Logger: log})
	require.NoError(t, err)
	require.Same(t, log, sms.LoggerOf(p))
	require.Same(t, log, sms.LoggerOf(sms.NewClient(p, nil)))
}
