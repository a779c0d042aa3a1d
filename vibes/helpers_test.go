package vibes

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu/emutest"
)

const (
	testUser     = "acme-connect"
	testPassword = "s3cret-pass-vibes"
	testToken    = "hook-token-7f3a"
	testDelivery = "https://app.example.com/hooks/vibes?token=" + testToken
)

// fakeVibes answers every request with status and body and records what it got.
type fakeVibes struct {
	srv *emutest.Fake
}

func newFake(t testing.TB, status int, body string) *fakeVibes {
	return &fakeVibes{srv: emutest.NewFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})}
}

func (f *fakeVibes) requests() []emutest.Recorded { return f.srv.Requests() }

func (f *fakeVibes) last(t testing.TB) emutest.Recorded {
	reqs := f.srv.Requests()
	require.NotEmpty(t, reqs)
	return reqs[len(reqs)-1]
}

func testConfig(base string) Config {
	return Config{
		Username: testUser, Password: sms.NewSecret(testPassword), BaseURL: base,
		DeliveryURL:    testDelivery,
		CallbackTokens: []sms.Secret{sms.NewSecret(testToken)},
	}
}

func newTestProvider(t testing.TB, base string) *Provider {
	p, err := New(testConfig(base), nil)
	require.NoError(t, err)
	return p
}

func readTestdata(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// shortCode is a sender Vibes takes.
var shortCode = sms.Sender{Type: sms.SenderShortCode, Value: "63901"}

// newHeaderFake is newFake with response headers.
func newHeaderFake(t testing.TB, status int, header map[string]string, body string) *emutest.Fake {
	return emutest.NewFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}
