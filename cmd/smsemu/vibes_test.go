package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/vibes/vibestest"
)

// The first line gives the Vibes base URL, the Basic credentials and the three provisioned
// codes; the facts' send sample is accepted from the short code, its receipts reach the
// callbackUrl (without Basic auth), and an inbound message reaches -inbound vibes=URL with
// the inbound Basic credentials. -vibes-block-on-stop makes a STOP block the code.
func TestVibesEntry(t *testing.T) {
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
	p := start(t, "-inbound", "vibes="+app.URL+"/vibes/mo?token=s3cret", "-vibes-inbound-user", "mo",
		"-vibes-inbound-password", "mo-secret", "-vibes-block-on-stop", "-vibes-short-code", "63901")
	var entry struct {
		BaseURL     string            `json:"base_url"`
		Credentials map[string]string `json:"credentials"`
	}
	require.NoError(t, json.Unmarshal(p.startup.Vendors["vibes"], &entry))
	require.Equal(t, map[string]string{"username": vibestest.DefaultUsername, "password": vibestest.DefaultPassword,
		"short_code": "63901", "long_code": vibestest.DefaultLongCode, "toll_free": vibestest.DefaultTollFree}, entry.Credentials)
	require.Regexp(t, `^http://127\.0\.0\.1:[1-9][0-9]*$`, entry.BaseURL)

	sample, err := os.ReadFile("../../vibes/vibestest/testdata/send-request.xml")
	require.NoError(t, err)
	body := strings.NewReplacer("http://www.client.com/callback", app.URL+"/vibes/dlr?token=s3cret", ">ERROR<", ">ALL<",
		`address="98765"`, `address="63901"`).Replace(string(sample))
	send := func() vibestest.SendResponse {
		req, _ := http.NewRequest(http.MethodPost, entry.BaseURL+vibestest.APIPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "text/xml")
		req.SetBasicAuth(entry.Credentials["username"], entry.Credentials["password"])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var out vibestest.SendResponse
		require.NoError(t, xml.NewDecoder(resp.Body).Decode(&out))
		return out
	}
	out := send()
	require.NotEmpty(t, out.MessageID)
	code, _ := getStatus(t, entry.BaseURL+"/_emulator/callbacks/wait?n=3&timeout=60s")
	require.Equal(t, http.StatusOK, code)

	status, _ := postJSON(t, entry.BaseURL+"/_emulator/inbound", `{"from":"+18475551212","to":"63901","body":"STOP"}`)
	require.Equal(t, http.StatusOK, status)
	mu.Lock()
	require.Len(t, hooks, 4)
	for i, h := range hooks[:3] {
		require.Equal(t, "/vibes/dlr?token=s3cret", h.path)
		require.Empty(t, h.auth)
		var rep vibestest.Report
		require.NoError(t, xml.Unmarshal([]byte(h.body), &rep))
		require.Equal(t, []string{"System", "Carrier", "Handset"}[i], rep.Type)
		require.Equal(t, "239487234987234", rep.SubmitterMessageID)
	}
	require.Equal(t, "/vibes/mo?token=s3cret", hooks[3].path)
	require.Equal(t, "Basic bW86bW8tc2VjcmV0", hooks[3].auth)
	require.Contains(t, hooks[3].body, `<moMessage messageId="`)
	mu.Unlock()

	out = send()
	require.Empty(t, out.MessageID, "blocked after STOP")
	require.Equal(t, "9", out.Status.InternalErrorCode)
}
