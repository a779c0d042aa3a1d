package smshttp

import (
	"testing"

	"github.com/smsbridge/sms/internal/httpx"
)

// The public cap is its own constant (no internal name in the API) and must stay the one
// the shared attempt applies when no MaxBody is given.
func TestDefaultMaxBodyIsTheSharedCap(t *testing.T) {
	if DefaultMaxBody != httpx.DefaultMaxBody {
		t.Fatalf("smshttp.DefaultMaxBody = %d, httpx.DefaultMaxBody = %d", DefaultMaxBody, httpx.DefaultMaxBody)
	}
}
