package telesign_test

import (
	"context"
	"embed"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/smsbridge/sms/telesign"
)

const (
	customerID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
	// wireKey is the API key of the captured official requests (shared/wire).
	wireKey = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
	// sdkKey is the SDK-test key of Telesign's published vectors (lenient decoding needed).
	sdkKey = "EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw=="
)

// fake is a recording stand-in for the vendor (emutest.Fake).
type fake = emutest.Fake

func newFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *fake {
	return emutest.NewFake(t, handle)
}

// fixedClock is an sms.Clock that returns t and advances by step on every Now.
type fixedClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

func (c *fixedClock) Sleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// counterNonce returns nonces "nonce-1", "nonce-2", …
func counterNonce() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("nonce-%d", n)
	}
}

func newProvider(t testing.TB, base string, opts *telesign.Options) *telesign.Provider {
	var o telesign.Options
	if opts != nil {
		o = *opts
	}
	o.BaseURL = base
	p, err := telesign.New(telesign.Config{CustomerID: customerID, APIKey: sms.NewSecret(wireKey)}, &o)
	require.NoError(t, err)
	return p
}

func fixture(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

const accepted = `{"reference_id":"0123456789ABCDEF0123456789ABCDEF","external_id":null,"status":{"code":290,"description":"Message in progress","updated_on":"2026-11-23T12:00:00.000000Z"},"additional_info":{"message_parts_count":1}}`

//go:embed testdata
var testdataFS embed.FS

// refusingTransport is an *http.Transport whose every dial is refused.
func refusingTransport() *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}}
}
