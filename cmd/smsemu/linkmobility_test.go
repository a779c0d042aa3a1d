package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
)

// The first line gives the LINK Mobility base URL and the five values LINK's support hands
// out; the facts' batch sample sent with them is answered per item, and the reports reach
// -status-callback linkmobility=URL (the gate) with the gate's Basic credentials.
func TestLinkMobilityEntry(t *testing.T) {
	type hook struct{ path, auth, body string }
	var mu sync.Mutex
	var hooks []hook
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, hook{r.URL.RequestURI(), r.Header.Get("Authorization"), string(b)})
		mu.Unlock()
	}))
	defer app.Close()
	p := start(t, "-status-callback", "linkmobility="+app.URL+"/link/dlr", "-linkmobility-gate-user", "gate",
		"-linkmobility-gate-password", "s3cret")
	var entry struct {
		BaseURL     string            `json:"base_url"`
		Credentials map[string]string `json:"credentials"`
	}
	require.NoError(t, json.Unmarshal(p.startup.Vendors["linkmobility"], &entry))
	require.Equal(t, map[string]string{"username": linkmobilitytest.DefaultUsername, "password": linkmobilitytest.DefaultPassword,
		"platform_id": linkmobilitytest.DefaultPlatformID, "platform_partner_id": linkmobilitytest.DefaultPlatformPartnerID,
		"gate_id": linkmobilitytest.DefaultGateID}, entry.Credentials)
	require.Regexp(t, `^http://127\.0\.0\.1:[1-9][0-9]*$`, entry.BaseURL)

	sample, err := os.ReadFile("../../linkmobility/linkmobilitytest/testdata/batch-request.json")
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(sample, &body))
	body["ignoreResponse"] = false
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, entry.BaseURL+"/sms/sendbatch", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(entry.Credentials["username"], entry.Credentials["password"])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var out []linkmobilitytest.BatchItemResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, out, 2)

	code, _ := getStatus(t, entry.BaseURL+"/_emulator/callbacks/wait?n=2&timeout=60s")
	require.Equal(t, http.StatusOK, code)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, hooks, 2)
	for _, h := range hooks {
		require.Equal(t, "/link/dlr", h.path)
		require.Equal(t, "Basic Z2F0ZTpzM2NyZXQ=", h.auth)
		var rep linkmobilitytest.Report
		require.NoError(t, json.Unmarshal([]byte(h.body), &rep))
		require.Equal(t, 1001, rep.ResultCode)
		require.Contains(t, []string{"wir7kkw", "qts883r"}, *rep.RefID)
	}
}
