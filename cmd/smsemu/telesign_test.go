package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/telesign/telesigntest"
)

// The first line gives the Telesign base URL, customer id and API key; the official Node
// client's captured Basic request sent to it byte for byte is accepted, and its signed
// reports (203, then 200) reach -status-callback telesign=URL.
func TestTelesignEntry(t *testing.T) {
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
	p := start(t, "-status-callback", "telesign="+app.URL+"/telesign")
	var entry struct {
		BaseURL     string            `json:"base_url"`
		Credentials map[string]string `json:"credentials"`
	}
	require.NoError(t, json.Unmarshal(p.startup.Vendors["telesign"], &entry))
	require.Equal(t, map[string]string{"customer_id": telesigntest.DefaultCustomerID, "api_key": telesigntest.DefaultAPIKey}, entry.Credentials)
	require.Regexp(t, `^http://127\.0\.0\.1:[1-9][0-9]*$`, entry.BaseURL)

	wire, err := os.ReadFile("../../telesign/telesigntest/testdata/sdk-basic-send.wire")
	require.NoError(t, err)
	u, _ := url.Parse(entry.BaseURL)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write(wire)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	var out struct {
		ReferenceID string `json:"reference_id"`
		Status      struct{ Code int }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 290, out.Status.Code)

	code, _ := getStatus(t, entry.BaseURL+"/_emulator/callbacks/wait?n=2&timeout=60s")
	require.Equal(t, http.StatusOK, code)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, hooks, 2)
	for i, want := range []int{203, 200} {
		var rep telesigntest.Report
		require.NoError(t, json.Unmarshal([]byte(hooks[i].body), &rep))
		require.Equal(t, "/telesign", hooks[i].path)
		require.Equal(t, out.ReferenceID, rep.ReferenceID)
		require.Equal(t, want, rep.Status.Code)
		require.Equal(t, "TSA "+telesigntest.DefaultCustomerID+":"+telesigntest.Sign(telesigntest.DefaultAPIKey, []byte(hooks[i].body)), hooks[i].auth)
	}
}
