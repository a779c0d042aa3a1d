package infobip_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
)

// The reconcile path after an OutcomeUnknown, against the emulator: a resend with the
// persisted idempotency key carries the same messageId, which Infobip refuses as
// REJECTED_DUPLICATE_MESSAGE_ID; the provider reports it accepted under that id, nothing is
// sent twice, and FetchStatus finds the message by that id.
func TestResendWithSameKeyIsNotADuplicate(t *testing.T) {
	for _, v := range []infobip.APIVersion{infobip.V3, infobip.V2} {
		t.Run(v.String(), func(t *testing.T) {
			srv := infobiptest.NewServer(nil)
			t.Cleanup(srv.Close)
			p, err := infobip.New(infobip.Config{APIKey: sms.NewSecret(srv.APIKey()), BaseURL: srv.URL}, &infobip.Options{APIVersion: v})
			require.NoError(t, err)
			c := sms.NewClient(p, nil)
			msg := &sms.Message{To: []string{"+41793026727"}, From: sms.Sender{Value: "InfoSMS"}, Body: "hi", IdempotencyKey: "persisted-key"}
			first, err := c.Send(context.Background(), msg)
			require.NoError(t, err)
			again, err := c.Send(context.Background(), msg)
			require.NoError(t, err)
			require.NoError(t, again[0].Err)
			require.Equal(t, first[0].MessageID, again[0].MessageID)
			require.Equal(t, infobip.MessageID("persisted-key", "+41793026727"), again[0].MessageID)
			require.Equal(t, 1, srv.Accepted(), "the resend created no second message")

			st, err := p.FetchStatus(context.Background(), first[0].MessageID)
			require.NoError(t, err)
			require.NotEqual(t, sms.StatusUnknown, st)
			_, err = p.FetchStatus(context.Background(), infobip.MessageID("never-sent", "+41793026727"))
			require.ErrorIs(t, err, sms.ErrNotFound)
		})
	}
}
