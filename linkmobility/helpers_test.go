package linkmobility

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/stretchr/testify/require"
)

// captured is one request the fake LINK server saw.
type captured struct {
	Path, Auth string
	Body       []byte
}

// fakeLINK answers every request with status and body and records what it got
// (emutest.Fake under it).
type fakeLINK struct {
	srv *emutest.Fake
}

func newFake(t testing.TB, status int, body string) *fakeLINK {
	return &fakeLINK{srv: emutest.NewFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})}
}

// requests returns what the fake received, oldest first.
func (f *fakeLINK) requests() []emutest.Recorded { return f.srv.Requests() }

func (f *fakeLINK) last(t testing.TB) captured {
	reqs := f.srv.Requests()
	require.NotEmpty(t, reqs)
	r := reqs[len(reqs)-1]
	return captured{Path: r.Path, Auth: r.Header.Get("Authorization"), Body: r.Body}
}

func testConfig(base string) Config {
	return Config{
		Username: "user", Password: sms.NewSecret("s3cret-pass"),
		PlatformID: "COMMON_API", PlatformPartnerID: "1234", GateID: "BVldZyQt",
		BaseURL: base, CallbackUser: "gate", CallbackPassword: sms.NewSecret("gate-pass"),
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
