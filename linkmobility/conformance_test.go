package linkmobility_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/smstest"
)

const (
	gateURL      = "https://app.example.com/hooks/linkmobility"
	gateUser     = "gate-user"
	gatePassword = "gate-password-for-conformance"
)

// conformanceHarness wires the linkmobility provider to linkmobilitytest for
// smstest.RunConformance. Sends go through an smstest.HoldTransport so the kit can cancel one
// while LINK has it.
type conformanceHarness struct {
	srv *linkmobilitytest.Server
	tr  *smstest.HoldTransport
	p   *linkmobility.Provider
	gw  linkmobilitytest.Gate
}

// newHarness is the harness maker: a fresh emulator per rule.
func newHarness(t *testing.T) smstest.Harness {
	srv := linkmobilitytest.NewServer(nil)
	t.Cleanup(srv.Close)
	h := &conformanceHarness{srv: srv, tr: &smstest.HoldTransport{},
		gw: linkmobilitytest.Gate{URL: gateURL, Username: gateUser, Password: gatePassword}}
	h.p = h.provider(t, srv.Password(), &http.Client{Transport: h.tr})
	return h
}

func (h *conformanceHarness) provider(t testing.TB, password string, hc *http.Client) *linkmobility.Provider {
	p, err := linkmobility.New(linkmobility.Config{
		Username: h.srv.Username(), Password: sms.NewSecret(password),
		PlatformID: h.srv.PlatformID(), PlatformPartnerID: h.srv.PlatformPartnerID(),
		GateID: linkmobilitytest.DefaultGateID, BaseURL: h.srv.URL,
		CallbackUser: gateUser, CallbackPassword: sms.NewSecret(gatePassword),
	}, &linkmobility.Options{HTTPClient: hc})
	require.NoError(t, err)
	return p
}

func (h *conformanceHarness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *conformanceHarness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return h.provider(t, "wrong-password", nil)
}
func (h *conformanceHarness) Sender() sms.Sender { return sms.Sender{Value: "LINK"} }
func (h *conformanceHarness) Requests() int      { return h.srv.Requests() }
func (h *conformanceHarness) Accepted() int      { return h.srv.Accepted() }
func (h *conformanceHarness) ArmFault(t testing.TB, f smstest.Fault) {
	if f.Hold != nil {
		h.tr.Arm(f.Hold)
		return
	}
	h.srv.Arm(linkmobilitytest.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset})
}

// DeliveryReports is one report of a single-part message: LINK posts one per request.
func (h *conformanceHarness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	require.Len(t, reports, 1, "LINK does not batch reports")
	r := reports[0]
	return h.srv.DeliveryReportRequest(h.gw, h.srv.NewReport(r.MessageID, "", 0, 1, r.Status, r.ErrorCode))
}

func (h *conformanceHarness) Inbound(t testing.TB, from, to, body string) *http.Request {
	return h.srv.InboundRequest(h.gw, from, to, body)
}

// Forged is a well-formed inbound STOP with gate credentials that are not the configured ones.
func (h *conformanceHarness) Forged(t testing.TB) *http.Request {
	g := h.gw
	g.Password = "not-the-gate-password"
	return h.srv.InboundRequest(g, "+4741560067", "2333", "STOP")
}

func (h *conformanceHarness) Secrets() []string {
	return []string{h.srv.Password(), gatePassword, "wrong-password", "not-the-gate-password"}
}

// FailureCode: resultCode 2105 "Destination blocked (permanently barred)".
func (h *conformanceHarness) FailureCode() (string, sms.Code) {
	return "2105", sms.CodeInvalidRecipient
}

// Senders names one sender LINK takes for every sender type the provider claims.
func (h *conformanceHarness) Senders() []sms.Sender {
	return []sms.Sender{
		{Type: sms.SenderAlphanumeric, Value: "LINK"},
		{Type: sms.SenderShortCode, Value: "2333"},
		{Type: sms.SenderLongCode, Value: "+4799999999"},
	}
}

// NoUnknownStatus: LINK's resultCode is a number, which cannot carry the kit's unknown status
// word; an unknown code is failed with CodeUnknown (TestParseBarringCodes). Not implemented,
// so skipped: RecipientRefuser (LINK refuses no single recipient at send: barring and
// opt-outs come back as delivery reports 2105/2107/2205) and VendorOptOuter (LINK flags no
// opt-out: STOP is an ordinary inbound message).
var linkFeatures = smstest.Features{NoUnknownStatus: true}

func TestConformance(t *testing.T) {
	smstest.RunConformance(t, newHarness, linkFeatures)
}
