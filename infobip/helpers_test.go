package infobip_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/internal/emu/emutest"
)

const (
	testKey   = "0123456789abcdef0123456789abcdef-01234567-89ab-cdef-0123-456789abcdef"
	hookToken = "hook-token-for-tests"
)

// fake is a recording stand-in for the vendor (emutest.Fake).
type fake = emutest.Fake

func newFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *fake {
	return emutest.NewFake(t, handle)
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
