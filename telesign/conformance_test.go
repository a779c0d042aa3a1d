package telesign_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/tsasign"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/telesign/telesigntest"
)

const (
	hookURL = "https://app.example.com/hooks/telesign"
	// wrongKey is valid base64 that is not the emulator's key.
	wrongKey = "d3Jvbmcta2V5LWZvci1jb25mb3JtYW5jZS10ZXN0cw=="
)

// conformanceHarness wires the telesign provider to telesigntest for smstest.RunConformance.
// Sends go through an smstest.HoldTransport so the kit can cancel one while Telesign has it.
type conformanceHarness struct {
	srv  *telesigntest.Server
	tr   *smstest.HoldTransport
	p    *telesign.Provider
	auth telesign.AuthScheme
}

// harnessMaker returns the harness maker for an authentication scheme: a fresh emulator per
// rule.
func harnessMaker(auth telesign.AuthScheme) func(t *testing.T) smstest.Harness {
	return func(t *testing.T) smstest.Harness {
		srv := telesigntest.NewServer(nil)
		t.Cleanup(srv.Close)
		h := &conformanceHarness{srv: srv, tr: &smstest.HoldTransport{}, auth: auth}
		h.p = h.provider(t, srv.APIKey(), &http.Client{Transport: h.tr})
		return h
	}
}

func (h *conformanceHarness) provider(t testing.TB, key string, hc *http.Client) *telesign.Provider {
	p, err := telesign.New(telesign.Config{CustomerID: h.srv.CustomerID(), APIKey: sms.NewSecret(key)},
		&telesign.Options{BaseURL: h.srv.URL, Auth: h.auth, HTTPClient: hc})
	require.NoError(t, err)
	return p
}

func (h *conformanceHarness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *conformanceHarness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return h.provider(t, wrongKey, nil)
}
func (h *conformanceHarness) Sender() sms.Sender { return sms.Sender{Value: "Acme"} }
func (h *conformanceHarness) Requests() int      { return h.srv.Requests() }
func (h *conformanceHarness) Accepted() int      { return h.srv.Accepted() }
func (h *conformanceHarness) ArmFault(t testing.TB, f smstest.Fault) {
	if f.Hold != nil {
		h.tr.Arm(f.Hold)
		return
	}
	h.srv.Arm(telesigntest.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset})
}

// DeliveryReports is one signed report: Telesign posts one per request.
func (h *conformanceHarness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	require.Len(t, reports, 1, "Telesign does not batch reports")
	r := reports[0]
	return h.srv.DeliveryReportRequest(hookURL, h.srv.NewReport(r.MessageID, "", r.Status, r.ErrorCode))
}

func (h *conformanceHarness) Inbound(t testing.TB, from, to, body string) *http.Request {
	return h.srv.InboundRequest(hookURL, from, to, body)
}

// Forged is a well-formed inbound STOP signed with a key that is not the account's.
func (h *conformanceHarness) Forged(t testing.TB) *http.Request {
	r := h.srv.InboundRequest(hookURL, "+14155550101", "+14155550199", "STOP")
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	r.Body = io.NopCloser(bytes.NewReader(body))
	key, err := tsasign.DecodeKey(wrongKey)
	require.NoError(t, err)
	sig := tsasign.SignBody(key, body)
	r.Header.Set("Authorization", "TSA "+h.srv.CustomerID()+":"+sig)
	r.Header.Set("X-TS-Authorization", sig)
	return r
}

func (h *conformanceHarness) Secrets() []string { return []string{h.srv.APIKey(), wrongKey} }

// VendorOptOut is an inbound message Telesign maps to its "stop" action ("Arrêt" is one of
// Telesign's default stop keywords), which the provider reports as an opt-out.
func (h *conformanceHarness) VendorOptOut(t testing.TB, from, to, body string) *http.Request {
	return h.srv.InboundRequest(hookURL, from, to, body)
}

// RefuseRecipient puts one number on the customer's block list: Telesign answers 400 10031
// for it; the other recipients, each in its own request, are accepted.
func (h *conformanceHarness) RefuseRecipient(t testing.TB) (string, sms.Code) {
	const to = "+14155550177"
	h.srv.Block(to)
	return to, sms.CodeOptedOut
}

// FailureCode: status 507 "Invalid destination address".
func (h *conformanceHarness) FailureCode() (string, sms.Code) { return "507", sms.CodeInvalidRecipient }

// Senders names one sender Telesign takes for every sender type the provider claims.
func (h *conformanceHarness) Senders() []sms.Sender {
	return []sms.Sender{
		{Type: sms.SenderLongCode, Value: "+14155550199"},
		{Type: sms.SenderTollFree, Value: "+18005550100"},
		{Type: sms.SenderShortCode, Value: "12345"},
		{Type: sms.SenderAlphanumeric, Value: "Acme"},
	}
}

// NoUnknownStatus: Telesign's status is a number (status.code), which cannot carry the kit's
// unknown status word; an unknown number is kept in RawStatus (TestCallbackUnknownCode).
var tsFeatures = smstest.Features{NoUnknownStatus: true}

func TestConformanceBasic(t *testing.T) {
	smstest.RunConformance(t, harnessMaker(telesign.AuthBasic), tsFeatures)
}

func TestConformanceTSA(t *testing.T) {
	smstest.RunConformance(t, harnessMaker(telesign.AuthTSA), tsFeatures)
}
