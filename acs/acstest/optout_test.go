package acstest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/emulator"
)

// optOutCall calls the Opt-Out Management API, signed as the official clients sign.
func optOutCall(t *testing.T, srv *acstest.Server, action, body string) (int, []map[string]any) {
	t.Helper()
	req := signed(t, http.MethodPost, srv.URL+"/sms/optouts:"+action+"?api-version=2025-09-17", []byte(body), srv.AccessKey(), time.Now())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Value []map[string]any `json:"value"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Value
}

func TestOptOutManagementAPI(t *testing.T) {
	srv := newServer(t, nil)
	code, v := optOutCall(t, srv, "add", `{"from":"`+sender+`","recipients":[{"to":"`+recipient+`"}]}`)
	require.Equal(t, http.StatusOK, code)
	require.EqualValues(t, 200, v[0]["httpStatusCode"])
	require.Equal(t, []emulator.OptOut{{From: sender, To: recipient}}, srv.OptOuts())

	// The spec's check example: opted out, not opted out, a malformed number.
	code, v = optOutCall(t, srv, "check", `{"from":"`+sender+`","recipients":[{"to":"`+recipient+`"},{"to":"+14155550101"},{"to":"+123"}]}`)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, v, 3)
	require.Equal(t, true, v[0]["isOptedOut"])
	require.Equal(t, false, v[1]["isOptedOut"])
	require.EqualValues(t, 400, v[2]["httpStatusCode"])
	require.Equal(t, acstest.InvalidOptOutRecipientMessage, v[2]["errorMessage"])

	code, _ = optOutCall(t, srv, "remove", `{"from":"`+sender+`","recipients":[{"to":"`+recipient+`"}]}`)
	require.Equal(t, http.StatusOK, code)
	require.Empty(t, srv.OptOuts())

	code, _ = optOutCall(t, srv, "check", `{"from":"`+sender+`","recipients":[]}`)
	require.Equal(t, http.StatusBadRequest, code)
	req := signed(t, http.MethodPost, srv.URL+"/sms/optouts:check?api-version=2021-03-07", []byte(`{}`), srv.AccessKey(), time.Now())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "the API does not exist in 2021-03-07")
	req = signed(t, http.MethodPost, srv.URL+"/sms/optouts:check?api-version=2025-09-17", []byte(`{}`), "b3RoZXIga2V5IG5vdCBoZWxkIGJ5IHRoZSBlbXVsYXRvcg==", time.Now())
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
