package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/infobip/infobiptest"
)

// The first line gives the Infobip base URL and API key; the official Node client's captured
// request sent with them is accepted, and its report reaches -status-callback infobip=URL
// when the request names none.
func TestInfobipEntry(t *testing.T) {
	var mu sync.Mutex
	var reports []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reports = append(reports, r.URL.RequestURI()+" "+r.Header.Get("Authorization")+" "+string(b))
		mu.Unlock()
	}))
	defer app.Close()
	p := start(t, "-status-callback", "infobip="+app.URL+"/dlr?token=s3cret", "-infobip-webhook-user", "ib", "-infobip-webhook-password", "pw")
	var entry struct {
		BaseURL     string            `json:"base_url"`
		Credentials map[string]string `json:"credentials"`
	}
	require.NoError(t, json.Unmarshal(p.startup.Vendors["infobip"], &entry))
	require.Equal(t, map[string]string{"api_key": infobiptest.DefaultAPIKey}, entry.Credentials)
	require.Regexp(t, `^http://127\.0\.0\.1:[1-9][0-9]*$`, entry.BaseURL)

	wire, err := os.ReadFile("../../infobip/infobiptest/testdata/node-sdk-send.body")
	require.NoError(t, err)
	body := strings.Replace(string(wire), `"notifyUrl":"https://hooks.example.com/infobip/dlr?tenant=acme",`, "", 1)
	req, _ := http.NewRequest(http.MethodPost, entry.BaseURL+"/sms/2/text/advanced", strings.NewReader(body))
	req.Header.Set("Authorization", "App "+entry.Credentials["api_key"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var out struct {
		Messages []struct {
			MessageID, To string
			Status        struct{ Name string }
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "PENDING_ACCEPTED", out.Messages[0].Status.Name)

	code, _ := getStatus(t, entry.BaseURL+"/_emulator/callbacks/wait?n=1&timeout=60s")
	require.Equal(t, http.StatusOK, code)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reports, 1)
	require.True(t, strings.HasPrefix(reports[0], "/dlr?token=s3cret Basic aWI6cHc= "), reports[0])
	require.Contains(t, reports[0], `"messageId":"`+out.Messages[0].MessageID+`"`)
	require.Contains(t, reports[0], `"callbackData":"acceptance-callback-data"`)
}

func getStatus(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
