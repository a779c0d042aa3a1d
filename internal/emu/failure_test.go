package emu

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/emulator"
)

func TestDelivererCheckReportsEachFailureOnce(t *testing.T) {
	rv := &receiver{script: []int{401, 200}}
	url := newReceiver(t, rv)
	d := NewDeliverer(&DelivererOptions{Policy: NoRetry})
	t.Cleanup(func() { d.Close() })
	d.Send(Callback{URL: url + "?token=k3y-secret", Key: "a", Body: []byte("one")})
	d.Send(Callback{URL: url, Key: "b", Body: []byte("two")})
	waitAll(t, d)

	err := d.Check(nil)
	var de *emulator.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Deliveries, 1)
	require.Contains(t, err.Error(), "answered 401 Unauthorized: ack ")
	require.NotContains(t, err.Error(), "k3y-secret")
	require.NoError(t, d.Check(nil), "reported once")
}

func TestDelivererWaitFinished(t *testing.T) {
	rv := &receiver{}
	url := newReceiver(t, rv)
	d := NewDeliverer(nil)
	t.Cleanup(func() { d.Close() })
	done := make(chan error, 1)
	go func() { done <- d.WaitFinished(context.Background(), 2) }()
	d.Send(Callback{URL: url, Body: []byte("1")})
	d.Send(Callback{URL: url, Body: []byte("2")})
	require.NoError(t, <-done, "returns once two deliveries finished, though none was queued when it started")
	require.Len(t, rv.got(), 2)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, d.WaitFinished(ctx, 3), context.Canceled, "a third never comes")
}

func TestControlMuxAnswersJSON(t *testing.T) {
	s := NewServer(&Options{Clock: FixedClock(t0)})
	ts := start(t, s, &counter{})

	code, b := controlDo(t, ts, http.MethodGet, "", "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	var list struct{ Routes []Route }
	require.NoError(t, json.Unmarshal(b, &list))
	seen := map[string]bool{}
	for _, r := range list.Routes {
		require.NotEmpty(t, r.Doc, "%s %s has a description", r.Method, r.Path)
		seen[r.Method+" "+r.Path] = true
	}
	for _, want := range []string{"GET /_emulator/", "GET /_emulator/callbacks/wait", "GET /_emulator/optouts", "POST /_emulator/faults"} {
		require.True(t, seen[want], "lists %s", want)
	}

	req, _ := http.NewRequest(http.MethodPut, ts.URL+"/_emulator/requests", nil)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.Contains(t, resp.Header.Get("Allow"), "GET")
	var e ErrorBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	require.Contains(t, e.Error, "not allowed")

	code, b = controlDo(t, ts, http.MethodGet, "nope", "")
	require.Equal(t, http.StatusNotFound, code)
	require.NoError(t, json.Unmarshal(b, &e), "%s", b)

	code, b = controlDo(t, ts, http.MethodGet, "callbacks/wait?timeout=forever", "")
	require.Equal(t, http.StatusBadRequest, code, "%s", b)
}

func TestWaitEndpointReportsFailures(t *testing.T) {
	rv := &receiver{script: []int{500}}
	url := newReceiver(t, rv)
	s := NewServer(&Options{Delivery: &DelivererOptions{Policy: NoRetry}})
	ts := start(t, s, &counter{})
	s.Deliverer.Send(Callback{URL: url, Body: []byte("x")})
	code, b := controlDo(t, ts, http.MethodGet, "callbacks/wait?n=1&timeout=60s", "")
	require.Equal(t, http.StatusBadGateway, code, "%s", b)
	var f struct {
		Error      string
		Deliveries []json.RawMessage
	}
	require.NoError(t, json.Unmarshal(b, &f))
	require.Len(t, f.Deliveries, 1)
	require.Contains(t, f.Error, "answered 500")

	code, b = controlDo(t, ts, http.MethodGet, "callbacks/wait?n=1&timeout=60s", "")
	require.Equal(t, http.StatusOK, code, "reported once: %s", b)

	// A wait that cannot end answers 504 when its timeout passes.
	code, b = controlDo(t, ts, http.MethodGet, "callbacks/wait?n=5&timeout=1ms", "")
	require.Equal(t, http.StatusGatewayTimeout, code, "%s", b)
}

func TestOptOutsControl(t *testing.T) {
	s := NewServer(nil)
	ts := start(t, s, &counter{})
	code, b := controlDo(t, ts, http.MethodPost, "optouts", `{"from":"+1 415 555 0199","to":"+14155550100"}`)
	require.Equal(t, http.StatusOK, code, "%s", b)
	require.True(t, s.OptOuts.Has("+14155550199", "+1 (415) 555-0100"), "numbers compare by digits")
	require.False(t, s.OptOuts.Has("MG14155550199", "+14155550100"), "a service SID is not a number")
	code, _ = controlDo(t, ts, http.MethodPost, "optouts", `{"to":"+14155550100"}`)
	require.Equal(t, http.StatusBadRequest, code)
	code, _ = controlDo(t, ts, http.MethodDelete, "optouts?from=%2B14155550199", "")
	require.Equal(t, http.StatusBadRequest, code)
	code, _ = controlDo(t, ts, http.MethodDelete, "optouts?from=%2B14155550199&to=%2B14155550100", "")
	require.Equal(t, http.StatusNoContent, code)
	require.Empty(t, s.OptOuts.List())
	require.Equal(t, "STOP", Keyword(" stop\n", []string{"STOP"}))
	require.Empty(t, Keyword("stop please", []string{"STOP"}))
}
