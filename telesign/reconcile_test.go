package telesign_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/telesign/telesigntest"
)

// A send whose answer is lost (Telesign took it, then the connection reset) is
// OutcomeUnknown and names its attempt id; the delivery reports Telesign then posts carry
// that id, in external_id (Event.Reference, no Reference was set) and on the callback URL
// (AttemptOf), so the application settles the outcome without resending.
func TestOutcomeUnknownSettledByAttemptID(t *testing.T) {
	type got struct {
		ev      sms.Event
		attempt string
	}
	var (
		mu   sync.Mutex
		seen []got
		p    *telesign.Provider
	)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cb, err := p.ParseCallback(r.Context(), r, body)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		for _, ev := range cb.Events {
			seen = append(seen, got{ev, telesign.AttemptOf(r)})
		}
		mu.Unlock()
	}))
	defer app.Close()
	emu := telesigntest.NewServer(nil)
	defer emu.Close()
	var err error
	p, err = telesign.New(telesign.Config{CustomerID: emu.CustomerID(), APIKey: sms.NewSecret(emu.APIKey()),
		DeliveryURL: app.URL + "/hooks/telesign"}, &telesign.Options{BaseURL: emu.URL, Auth: telesign.AuthTSA})
	require.NoError(t, err)

	emu.Arm(telesigntest.Fault{Reset: true})
	const key, to = "order-46-key", "+14155550103"
	res, err := p.Send(context.Background(), &sms.Message{To: []string{to}, From: sms.Sender{Value: "Acme"}, Body: "hi", IdempotencyKey: key})
	require.Nil(t, res)
	var se *sms.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, sms.CodeOutcomeUnknown, se.Code)
	attempt := telesign.AttemptID(key, to)
	require.Contains(t, se.Message, attempt)

	require.NoError(t, emu.WaitCallbacks(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2)
	for _, g := range seen {
		require.Equal(t, attempt, g.attempt)
		require.Equal(t, attempt, g.ev.Reference)
	}
	require.Equal(t, sms.StatusSent, seen[0].ev.Status)
	require.Equal(t, sms.StatusDelivered, seen[1].ev.Status)
	msgs := emu.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, msgs[0].ReferenceID, seen[1].ev.MessageID)
}
