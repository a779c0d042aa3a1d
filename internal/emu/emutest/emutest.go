// Package emutest holds the test helpers every vendor emulator's tests use: a bounded
// context, a control-API call and a plain round trip, written once.
package emutest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms/internal/emu"
)

// Context returns a context that ends with the test, or after 20 seconds: the bound a
// test gives its waits for callbacks, so that a hang fails instead of stalling the run.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Control calls the control API of the emulator at baseURL (path relative to
// emu.ControlPrefix, e.g. "/faults") with an optional JSON body, and returns the status
// and the body of the answer.
func Control(t testing.TB, baseURL, method, path, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, baseURL+strings.TrimSuffix(emu.ControlPrefix, "/")+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, b := Do(t, req)
	return resp.StatusCode, b
}

// Do sends req with http.DefaultClient and returns the response, whose body is closed,
// and the body read. It fails the test when no answer arrives.
func Do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
