package acs_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/smstest"
)

const entraToken = "entra-token-for-the-conformance-run"

// staticToken is an azcore.TokenCredential with a fixed token.
type staticToken string

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// entraHarness is the conformance harness of the Microsoft Entra ID path: the same emulator,
// served over TLS (azcore sends bearer tokens only over https), accepting a bearer token, and
// the provider authenticating with an azcore.TokenCredential through azcore's pipeline.
type entraHarness struct {
	*harness
	ts *httptest.Server
}

func newEntraHarness(t testing.TB, schema string) *entraHarness {
	srv := acstest.New(&acstest.Options{Schema: schema, BearerTokens: []string{entraToken}})
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut by Close are expected
	ts.StartTLS()
	srv.URL = ts.URL
	t.Cleanup(func() { srv.Close(); ts.Close() })
	h := &entraHarness{harness: &harness{srv: srv, tr: &smstest.HoldTransport{Base: ts.Client().Transport}}, ts: ts}
	h.p = h.entra(t, entraToken)
	return h
}

func (h *entraHarness) entra(t testing.TB, token string) *acs.Provider {
	p, err := acs.New(acs.Config{
		Endpoint:       h.ts.URL,
		Credential:     staticToken(token),
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)},
	}, &acs.Options{HTTPClient: &http.Client{Transport: h.tr}})
	require.NoError(t, err)
	return p
}

func (h *entraHarness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *entraHarness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return h.entra(t, "a-token-the-emulator-refuses")
}
func (h *entraHarness) Secrets() []string { return []string{entraToken, hookToken} }

// Both authentication paths — HMAC through the shared one-attempt helper, Entra ID through
// azcore's pipeline — pass the same conformance run.
func TestConformanceEntraID(t *testing.T) {
	smstest.RunConformance(t, func(t *testing.T) smstest.Harness {
		return newEntraHarness(t, acstest.SchemaEventGrid)
	}, smstest.Features{BatchCallbacks: true})
}
