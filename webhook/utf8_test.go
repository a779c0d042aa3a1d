package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// rawProvider returns the events it was built with, as a provider that copies vendor bytes
// into Event fields unchecked would.
type rawProvider struct{ evs []sms.Event }

func (p rawProvider) Name() string                   { return "raw" }
func (p rawProvider) Capabilities() sms.Capabilities { return sms.Capabilities{Inbound: true} }
func (p rawProvider) Send(context.Context, *sms.Message) ([]sms.SendResult, error) {
	return nil, sms.ErrUnsupported
}
func (p rawProvider) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	out := make([]sms.Event, len(p.evs))
	for i, ev := range p.evs {
		ev.MediaURLs = append([]string(nil), ev.MediaURLs...)
		out[i] = ev
	}
	return &sms.Callback{Events: out}, nil
}

// Invalid UTF-8 in a vendor's fields never reaches the application: each invalid sequence
// becomes U+FFFD in the event's text fields, and the bytes as received stay in Raw.
func TestInvalidUTF8IsReplaced(t *testing.T) {
	raw := []byte("Body=caf\xe9&From=%2B14155550100")
	p := rawProvider{evs: []sms.Event{{
		Type: sms.EventInbound, MessageID: "SM1\xff", From: "+14155550100", Body: "caf\xe9 ok",
		ErrorDescription: "bad\xc3", MediaURLs: []string{"https://m.example/\xfe"}, Raw: raw,
	}}}
	check := func(t *testing.T, ev sms.Event) {
		for _, s := range []string{ev.ID, ev.MessageID, ev.Body, ev.ErrorDescription, ev.MediaURLs[0]} {
			require.True(t, utf8.ValidString(s), "%q", s)
		}
		require.Equal(t, "caf\uFFFD ok", ev.Body)
		require.Equal(t, "SM1\uFFFD", ev.MessageID)
		require.Equal(t, raw, ev.Raw, "Raw keeps the vendor's bytes")
	}
	t.Run("Handler", func(t *testing.T) {
		sink := &recSink{}
		w := serve(webhook.Handler(p, sink, nil), post("x"))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Equal(t, 1, sink.n())
		check(t, sink.last()[0])
	})
	t.Run("Parse", func(t *testing.T) {
		cb, err := webhook.Parse(context.Background(), p, post("x"), 0)
		require.NoError(t, err)
		check(t, cb.Events[0])
	})
}
