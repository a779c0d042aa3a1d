package linkmobility

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/stretchr/testify/require"
)

// captured is one request the fake LINK server saw.
type captured struct {
	Path, Auth string
	Body       []byte
}

// fakeLINK answers every request with status and body and records what it got.
type fakeLINK struct {
	mu     sync.Mutex
	reqs   []captured
	status int
	body   string
	srv    *httptest.Server
}

func newFake(t testing.TB, status int, body string) *fakeLINK {
	f := &fakeLINK{status: status, body: body}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, captured{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: b})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLINK) last(t testing.TB) captured {
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(t, f.reqs)
	return f.reqs[len(f.reqs)-1]
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
