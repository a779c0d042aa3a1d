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

// With a Message.Reference and no callback URL the attempt id is sent nowhere (external_id
// is the Reference), so the OutcomeUnknown error must not tell the application to wait for a
// report carrying it: it names the Reference, which the reports echo in external_id.
func TestOutcomeUnknownNamesWhatTheReportCarries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusBadGateway, `{}`)
	})
	p := newProvider(t, f.URL, nil)
	const key, to = "order-47-key", "+14155550104"
	msg := &sms.Message{To: []string{to}, From: sms.Sender{Value: "Acme"}, Body: "hi", IdempotencyKey: key}
	for _, tc := range []struct {
		name, reference, callback, want, notWant string
	}{
		{"no reference", "", "", telesign.AttemptID(key, to), "Reference"},
		{"reference and callback URL", "order-47", "https://app.example.com/cb", telesign.AttemptID(key, to), "Reference"},
		{"reference, no callback URL", "order-47", "", "Reference", telesign.AttemptID(key, to)},
	} {
		m := *msg
		m.Reference, m.CallbackURL = tc.reference, tc.callback
		_, err := p.Send(context.Background(), &m)
		var se *sms.Error
		require.ErrorAs(t, err, &se, tc.name)
		require.Equal(t, sms.CodeOutcomeUnknown, se.Code, tc.name)
		require.Contains(t, se.Message, tc.want, tc.name)
		require.NotContains(t, se.Message, tc.notWant, tc.name)
	}
}
