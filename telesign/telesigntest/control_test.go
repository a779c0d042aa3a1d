package telesigntest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/telesign/telesigntest"
)

func control(t *testing.T, srv *telesigntest.Server, path, body string) int {
	t.Helper()
	resp, err := http.Post(srv.URL+"/_emulator"+path, "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// The control routes block numbers, cap sends and move the callback target; Reset forgets
// nonces, block lists and the cap.
func TestControlAPI(t *testing.T) {
	a := newApp(t)
	clock := emulator.NewManualClock(captureDate)
	srv := telesigntest.NewServer(&telesigntest.Options{Clock: clock})
	defer srv.Close()
	form := func(to string) url.Values {
		return url.Values{"phone_number": {to}, "message": {"hi"}, "message_type": {"ARN"}}
	}
	require.Equal(t, http.StatusOK, control(t, srv, "/blocklist", `{"to":"+14155550101"}`))
	require.Equal(t, http.StatusOK, control(t, srv, "/blocklist", `{"to":"+14155550102","global":true}`))
	require.Equal(t, http.StatusBadRequest, control(t, srv, "/blocklist", `{"to":""}`))
	require.Equal(t, http.StatusNoContent, control(t, srv, "/hardcap", `{"n":1}`))
	require.Equal(t, http.StatusNoContent, control(t, srv, "/config", `{"callback_url":"`+a.URL+`/tcs"}`))

	_, got := basicPost(t, srv, form("14155550101"))
	require.Equal(t, telesigntest.CodeBlockedByCustomer, code(t, got))
	_, got = basicPost(t, srv, form("14155550102"))
	require.Equal(t, telesigntest.CodeBlockedGlobally, code(t, got))
	status, got := basicPost(t, srv, form("14155550103"))
	require.Equal(t, http.StatusOK, status)
	ref := got["reference_id"].(string)
	status, _ = basicPost(t, srv, form("14155550103"))
	require.Equal(t, http.StatusTooManyRequests, status)

	require.NoError(t, srv.PushStatus(ref, sms.StatusFailed, "503"))
	require.Error(t, srv.PushStatus("nope", sms.StatusFailed, ""))
	wait(t, srv)
	hs := a.hooks()
	require.Len(t, hs, 3) // 203, 200, then the pushed 503
	require.Equal(t, "/tcs", hs[2].Path)
	require.Equal(t, 503, code(t, hs[2].Body))
	m, _ := srv.Message(ref)
	require.Equal(t, 503, m.Status.Code)
	require.Len(t, srv.Messages(), 4)

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/messaging/"+ref, nil)
	require.NoError(t, telesigntest.SignRequest(req, srv.CustomerID(), srv.APIKey(), "same", clock.Now()))
	status, _ = do(t, req)
	require.Equal(t, http.StatusOK, status)

	srv.Reset()
	require.Empty(t, srv.OptOuts())
	require.Equal(t, 0, srv.Accepted())
	status, _ = basicPost(t, srv, form("14155550102"))
	require.Equal(t, http.StatusOK, status)
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/v1/messaging/"+ref, nil)
	require.NoError(t, telesigntest.SignRequest(req, srv.CustomerID(), srv.APIKey(), "same", clock.Now()))
	status, got = do(t, req)
	require.Equal(t, http.StatusNotFound, status, "the nonce is forgotten, the message too: %v", got)
}

// A reset after processing takes the message and drops the connection; one before
// processing takes nothing.
func TestResetFaults(t *testing.T) {
	srv := telesigntest.NewServer(&telesigntest.Options{Retries: -1})
	defer srv.Close()
	post := func() error {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messaging",
			strings.NewReader("phone_number=14155550100&message=hi&message_type=ARN"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(srv.CustomerID(), srv.APIKey())
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	srv.Arm(telesigntest.Fault{ResetBeforeProcessing: true})
	require.Error(t, post())
	require.Equal(t, 0, srv.Accepted())
	srv.Arm(telesigntest.Fault{Reset: true})
	err := post()
	require.Error(t, err)
	require.False(t, errors.Is(err, syscall.ECONNREFUSED))
	require.Equal(t, 1, srv.Accepted())
	require.Equal(t, 2, srv.Requests())
	require.NoError(t, srv.WaitCallbacks(context.Background()))
}
