package emutest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/smsbridge/sms/internal/emu/emutest"
)

// Control calls an emulator's control API and returns the status and body; a test fails on a
// transport error instead of checking it at every call.
func ExampleControl() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"method":%q,"path":%q}`, r.Method, r.URL.Path)
	}))
	defer srv.Close()
	t := &testing.T{}
	status, body := emutest.Control(t, srv.URL, http.MethodGet, "/requests", "") // relative to /_emulator
	fmt.Println(status, string(body))
	// Output: 200 {"method":"GET","path":"/_emulator/requests"}
}
