package twilio_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
)

const sid = "AC0123456789abcdef0123456789abcdef"

func newP(t *testing.T, h http.HandlerFunc) *twilio.Provider {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	p, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: sms.NewSecret("tok")}, &twilio.Options{BaseURL: srv.URL})
	require.NoError(t, err)
	return p
}

func oneMessage() *sms.Message {
	return &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi"}
}

// A 408 (a gateway timing out upstream) proves nothing; it must not be NotAccepted.
func TestSend408IsNotProofOfNotAccepted(t *testing.T) {
	p := newP(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusRequestTimeout)
	})
	res, err := sms.NewClient(p, nil).Send(context.Background(), oneMessage())
	if err == nil {
		err = res[0].Err
	}
	require.Error(t, err)
	require.False(t, sms.IsNotAccepted(err), "408 reported as proved-not-accepted: %v", err)
}

// A request that failed as a whole is (nil, err) from the provider, with the error's code as
// classified; sms.Client copies it into the recipient's result.
func TestSendWholeRequestFailure(t *testing.T) {
	p := newP(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	res, err := p.Send(context.Background(), oneMessage())
	require.Nil(t, res)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err))
	require.False(t, sms.IsNotAccepted(err))

	cres, cerr := sms.NewClient(p, nil).Send(context.Background(), oneMessage())
	require.Len(t, cres, 1, "the client copies the error into the recipient's result")
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(cres[0].Err))
	require.ErrorIs(t, cerr, sms.ErrOutcomeUnknown)
}

// More recipients than Capabilities.MaxRecipients is a caller's mistake, refused before any
// request (sms.Client never does it).
func TestSendOneRecipientPerRequest(t *testing.T) {
	requests := 0
	p := newP(t, func(w http.ResponseWriter, r *http.Request) { requests++ })
	msg := oneMessage()
	msg.To = append(msg.To, "+12025550102")
	res, err := p.Send(context.Background(), msg)
	require.Nil(t, res)
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	require.True(t, sms.IsNotAccepted(err))
	require.Zero(t, requests)
}

func TestCapabilities(t *testing.T) {
	p := newP(t, func(http.ResponseWriter, *http.Request) {})
	c := p.Capabilities()
	require.True(t, c.CallbackURL, "StatusCallback is set per message")
	require.Empty(t, c.MessageTypes, "Twilio's Messages API has no traffic-class field")
	require.Equal(t, 1, c.MaxRecipients)
}

// CloseIdleConnections closes the keep-alive connection a send left open.
func TestCloseIdleConnections(t *testing.T) {
	closed := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"sid":"SM1","status":"queued"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	p, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: sms.NewSecret("tok")},
		&twilio.Options{BaseURL: srv.URL, HTTPClient: &http.Client{Transport: &http.Transport{}}})
	require.NoError(t, err)
	var _ interface{ CloseIdleConnections() } = p // sms.IdleCloser
	_, err = p.Send(context.Background(), oneMessage())
	require.NoError(t, err)
	select {
	case <-closed:
		t.Fatal("the connection closed before CloseIdleConnections")
	default:
	}
	// net/http returns the connection to its idle pool on its own goroutine after Send
	// returned, so close idle connections until the server sees it closed.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	guard := time.After(30 * time.Second) // a hang guard, not a timing assertion
	for done := false; !done; {
		p.CloseIdleConnections()
		select {
		case <-closed:
			done = true
		case <-tick.C:
		case <-guard:
			t.Fatal("the idle connection was not closed")
		}
	}
}

// A body that is not Twilio's JSON error (a proxy echoing the request's headers) never
// reaches err.Error(), %+v or the client's log; Twilio's own code and message do.
func TestErrorBodyNotInErrorOrLog(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusBadGateway, http.StatusServiceUnavailable} {
		p := newP(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			_ = r.Header.Write(w) // echoes Authorization: Basic …
		})
		var logs bytes.Buffer
		c := sms.NewClient(p, &sms.ClientOptions{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Retry: sms.RetryPolicy{MaxAttempts: 1}})
		res, err := c.Send(context.Background(), oneMessage())
		if err == nil {
			err = res[0].Err
		}
		require.Error(t, err)
		perr := func() error { _, e := p.Send(context.Background(), oneMessage()); return e }()
		auth := base64.StdEncoding.EncodeToString([]byte(sid + ":tok"))
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%+v", perr), logs.String()} {
			require.NotContains(t, s, auth, "status %d", status)
			require.NotContains(t, s, "Authorization", "status %d", status)
		}
		require.Contains(t, err.Error(), http.StatusText(status))
	}

	p := newP(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":21211,"message":"The 'To' number is not a valid phone number.","more_info":"x","status":400}`))
	})
	_, err := p.Send(context.Background(), oneMessage())
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "21211", e.VendorCode)
	require.Equal(t, "The 'To' number is not a valid phone number.", e.Message)
	require.Equal(t, sms.CodeInvalidRecipient, e.Code)
}
