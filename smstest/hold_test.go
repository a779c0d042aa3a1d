package smstest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/smstest"
)

func TestHoldTransport(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		io.WriteString(w, "created")
	}))
	t.Cleanup(srv.Close)
	tr := &smstest.HoldTransport{Base: srv.Client().Transport}
	hc := &http.Client{Transport: tr}

	// Canceled while held: the server has the request, the caller gets the context error.
	hold := smstest.NewHold()
	tr.Arm(hold)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-hold.Arrived()
	require.Equal(t, int32(1), got.Load(), "the server must have the request before Arrived")
	cancel()
	require.True(t, errors.Is(<-errc, context.Canceled))

	// Released: the answer comes through.
	hold = smstest.NewHold()
	tr.Arm(hold)
	hold.Release()
	resp, err := hc.Get(srv.URL)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "created", string(b))

	// Not armed: passes through.
	resp, err = hc.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, int32(3), got.Load())
}
