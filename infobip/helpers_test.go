package infobip_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
)

const (
	testKey   = "0123456789abcdef0123456789abcdef-01234567-89ab-cdef-0123-456789abcdef"
	hookToken = "hook-token-for-tests"
)

// recorded is one request the fake received.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// fake is an httptest server that records requests and answers with handle.
type fake struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request, body []byte)
}

func newFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *fake {
	f := &fake{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		f.mu.Unlock()
		f.handle(w, r, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func newProvider(t testing.TB, base string, opts *infobip.Options) *infobip.Provider {
	p, err := infobip.New(infobip.Config{
		APIKey:         sms.NewSecret(testKey),
		BaseURL:        base,
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)},
	}, opts)
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

func sprintf(verb string, v any) string { return fmt.Sprintf(verb, v) }
