package twilio_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// The documented reconcile path finds a message that is still queued (no DateSent), which a
// DateSent> filter misses: after a reset that followed acceptance, FindMessages with the
// attempt's To, From, body and first-attempt time finds the one message.
func TestFindMessagesFindsQueuedMessage(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	const to, from = "+14155550123", "+15005550006"
	srv.SetOutcome(to, sms.StatusQueued, "") // Twilio has not sent it yet
	p := newProvider(t, srv, srv.AuthToken())
	c := sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}})

	// Another message to the same recipient, with another body, created earlier.
	_, err := c.Send(context.Background(), &sms.Message{To: []string{to}, From: sms.Sender{Value: from}, Body: "earlier"})
	require.NoError(t, err)

	firstAttempt := time.Now().Add(-time.Minute) // less a margin for clock skew
	srv.Arm(twiliotest.Fault{Reset: true})
	res, err := c.Send(context.Background(), &sms.Message{To: []string{to}, From: sms.Sender{Value: from}, Body: "your code is 1234"})
	require.ErrorIs(t, err, sms.ErrOutcomeUnknown)
	require.Len(t, res, 1)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(res[0].Err))

	found, err := p.FindMessages(context.Background(), twilio.MessageFilter{To: to, From: from, CreatedSince: firstAttempt, Body: "your code is 1234"})
	require.NoError(t, err)
	require.Len(t, found, 1)
	require.Equal(t, srv.Messages()[1].SID, found[0].SID)
	require.Equal(t, "queued", found[0].Status)
	require.True(t, found[0].Sent.IsZero(), "a queued message has no DateSent")

	// Twilio's DateSent> filter, which FindMessages used before, does not see it.
	u := srv.URL + "/2010-04-01/Accounts/" + srv.AccountSID() + "/Messages.json?To=%2B14155550123&DateSent%3E=" + firstAttempt.UTC().Format("2006-01-02")
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var page struct{ Messages []any }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	resp.Body.Close()
	require.Empty(t, page.Messages)
}

// FindMessages follows next_page_uri until the list ends, within MaxPages.
func TestFindMessagesPages(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	p := newProvider(t, srv, srv.AuthToken())
	c := sms.NewClient(p, nil)
	for range 5 {
		_, err := c.Send(context.Background(), &sms.Message{To: []string{"+14155550123"}, From: sms.Sender{Value: "+15005550006"}, Body: "x"})
		require.NoError(t, err)
	}
	n := srv.Requests()
	found, err := p.FindMessages(context.Background(), twilio.MessageFilter{To: "+14155550123", PageSize: 2})
	require.NoError(t, err)
	require.Len(t, found, 5)
	require.Equal(t, 3, srv.Requests()-n, "three pages of two")

	found, err = p.FindMessages(context.Background(), twilio.MessageFilter{To: "+14155550123", PageSize: 2, MaxPages: 2})
	require.Len(t, found, 4)
	require.Error(t, err, "an incomplete listing says so")

	_, err = p.FindMessages(context.Background(), twilio.MessageFilter{})
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
}

// A next_page_uri outside the Messages list is not followed: the request carries credentials.
func TestFindMessagesFollowsOnlyTheList(t *testing.T) {
	var paths []string
	p := newP(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		_, _ = w.Write([]byte(`{"messages":[],"next_page_uri":"//evil.example.com/steal"}`))
	})
	_, err := p.FindMessages(context.Background(), twilio.MessageFilter{To: "+14155550123"})
	require.Error(t, err)
	require.Len(t, paths, 1)
}
