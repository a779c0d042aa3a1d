package infobip_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/smstest"
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

// idRegistry answers sends as Infobip's duplicate-id check does (and as infobiptest does): a
// messageId seen before — accepted or rejected — is REJECTED_DUPLICATE_MESSAGE_ID; a new one
// gets first(i).
func idRegistry(t *testing.T, first func(i int) (group, id int, name string)) *fake {
	var mu sync.Mutex
	seen := map[string]bool{}
	return newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		var req struct {
			Messages []struct {
				Destinations []struct{ To, MessageID string } `json:"destinations"`
			} `json:"messages"`
		}
		require.NoError(t, json.Unmarshal(body, &req))
		mu.Lock()
		defer mu.Unlock()
		var items []any
		for i, d := range req.Messages[0].Destinations {
			g, id, name := first(i)
			if seen[d.MessageID] {
				g, id, name = 5, 23, "REJECTED_DUPLICATE_MESSAGE_ID"
			}
			seen[d.MessageID] = true
			items = append(items, map[string]any{"messageId": d.MessageID, "destination": d.To,
				"status": map[string]any{"groupId": g, "id": id, "name": name}})
		}
		b, _ := json.Marshal(map[string]any{"bulkId": "b", "messages": items})
		writeJSON(w, http.StatusOK, string(b))
	})
}

// A recipient Infobip rejected at acceptance with a transient reason (REJECTED_SYSTEM_ERROR,
// whose class is Unavailable) must not come back accepted when sms.Client retries it: the
// retry carries the same messageId, which Infobip then refuses as a duplicate of the
// rejected message.
func TestClientRetryOfRejectedRecipientIsNotAccepted(t *testing.T) {
	f := idRegistry(t, func(int) (int, int, string) { return 5, 21, "REJECTED_SYSTEM_ERROR" })
	p := newProvider(t, f.URL, nil)
	c := sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}})
	res, _ := c.Send(context.Background(), &sms.Message{To: []string{"+41790000001"}, From: sms.Sender{Value: "InfoSMS"}, Body: "x", IdempotencyKey: "k"})
	require.Len(t, res, 1)
	require.Greater(t, res[0].Attempts, 1, "the transient rejection was retried")
	require.Len(t, f.Requests(), res[0].Attempts)
	require.Error(t, res[0].Err, "nothing was ever accepted")
	require.Empty(t, res[0].MessageID)
	var e *sms.Error
	require.ErrorAs(t, res[0].Err, &e)
	require.Equal(t, sms.CodeUnavailable, e.Code)
	require.True(t, e.NotAccepted, "Infobip has no message for the recipient: another vendor may send it")
	require.Equal(t, "REJECTED_SYSTEM_ERROR", e.VendorCode)
}
