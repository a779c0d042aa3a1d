package emu

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func TestURLsConfigRoutes(t *testing.T) {
	s := NewServer(nil)
	defer func() { _ = s.Close() }()
	u := NewURLs(map[string]string{"inbound_url": "http://127.0.0.1:1/in?token=secret"}, "inbound_url", "status_callback")
	u.Register(s.Control, "webhook")
	ts := httptest.NewServer(s.Handler(http.NotFoundHandler()))
	defer ts.Close()

	call := func(method, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+ControlPrefix+"config", strings.NewReader(body))
		require.NoError(t, err)
		res, err := ts.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}

	code, body := call(http.MethodGet, "")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, body, "secret", "GET /config redacts the URLs")
	require.JSONEq(t, `{"inbound_url":"http://127.0.0.1:1/in?token=[REDACTED]","status_callback":""}`, body)

	code, body = call(http.MethodPost, `{"status_callback":"http://127.0.0.1:1/st","inbound_url":null}`)
	require.Equal(t, http.StatusNoContent, code, body)
	got := map[string]string{"inbound_url": u.Get("inbound_url"), "status_callback": u.Get("status_callback")}
	want := map[string]string{"inbound_url": "http://127.0.0.1:1/in?token=secret", "status_callback": "http://127.0.0.1:1/st"}
	require.Empty(t, cmp.Diff(want, got), "POST changes the keys given; null leaves a key as it is")

	code, body = call(http.MethodPost, `{"delivery_url":"http://127.0.0.1:1/x","status_callback":""}`)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "delivery_url")
	require.Equal(t, "http://127.0.0.1:1/st", u.Get("status_callback"), "a refused POST changes nothing")

	u.Set("status_callback", "")
	require.Empty(t, u.Get("status_callback"))
}
