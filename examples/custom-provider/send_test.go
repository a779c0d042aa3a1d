package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

func testMessage() *sms.Message {
	return &sms.Message{To: []string{"+447911123456"}, From: sms.Sender{Type: sms.SenderAlphanumeric, Value: "Acme"}, Body: "hi"}
}

// A context that ends before the request is written comes back as the context error itself
// (the contract in the sms.Provider docs), not as OutcomeUnknown: nothing reached Acme.
func TestSendCanceledBeforeTheRequestIsWritten(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dials atomic.Int32
	hc := &http.Client{Transport: &http.Transport{DialContext: func(dctx context.Context, _, _ string) (net.Conn, error) {
		dials.Add(1)
		cancel() // the caller gives up while the connection is being made
		<-dctx.Done()
		return nil, dctx.Err()
	}}}
	p := &acme{baseURL: "http://127.0.0.1:9", apiKey: sms.NewSecret("acme-key"), hc: hc}

	res, err := p.Send(ctx, testMessage())
	require.Nil(t, res)
	require.ErrorIs(t, err, context.Canceled)
	require.NotEqual(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err), "nothing was written: %v", err)
	require.False(t, errorIsOutcomeUnknown(err))
	require.EqualValues(t, 1, dials.Load(), "precondition: the transport was reached")
}

// A context that ends once Acme has the request is OutcomeUnknown — Acme may have accepted
// the message — and still unwraps to the context error.
func TestSendCanceledAfterAcmeHasTheRequest(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		n.Add(1)
		arrived <- struct{}{}
		<-release
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	p := &acme{baseURL: srv.URL, apiKey: sms.NewSecret("acme-key"), hc: srv.Client()}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	res, err := p.Send(ctx, testMessage())
	require.Nil(t, res)
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err), "error: %v", err)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, sms.IsNotAccepted(err))
	require.EqualValues(t, 1, n.Load())
}

// A refused connection proves Acme never saw the message: Unavailable and NotAccepted, so
// sms.Client may retry it.
func TestSendRefusedIsNotAccepted(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errConnRefused}
	}}}
	p := &acme{baseURL: "http://127.0.0.1:9", apiKey: sms.NewSecret("acme-key"), hc: hc}
	_, err := p.Send(context.Background(), testMessage())
	require.Equal(t, sms.CodeUnavailable, sms.ErrorCode(err), "error: %v", err)
	require.True(t, sms.IsNotAccepted(err))
}

func errorIsOutcomeUnknown(err error) bool { return errors.Is(err, sms.ErrOutcomeUnknown) }

var errConnRefused = os.NewSyscallError("connect", syscall.ECONNREFUSED)
