package infobip_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/smstest"
)

const (
	hookURL   = "https://app.example.com/hooks/infobip?token=" + hookToken
	forgedURL = "https://app.example.com/hooks/infobip?token=guessed"
	wrongKey  = "not-the-api-key"
)

// conformanceHarness wires the infobip provider to infobiptest for smstest.RunConformance.
// Sends go through an smstest.HoldTransport so the kit can cancel one while Infobip has it.
type conformanceHarness struct {
	srv     *infobiptest.Server
	tr      *smstest.HoldTransport
	p       *infobip.Provider
	version infobip.APIVersion
	api     infobiptest.API
}

// harnessMaker returns the harness maker for an API version: a fresh emulator per rule, and
// callbacks in that version's shape.
func harnessMaker(v infobip.APIVersion) func(t *testing.T) smstest.Harness {
	return func(t *testing.T) smstest.Harness {
		srv := infobiptest.NewServer(nil)
		t.Cleanup(srv.Close)
		h := &conformanceHarness{srv: srv, tr: &smstest.HoldTransport{}, version: v, api: infobiptest.V3}
		if v == infobip.V2 {
			h.api = infobiptest.V2
		}
		h.p = h.provider(t, srv.APIKey(), &http.Client{Transport: h.tr})
		return h
	}
}

func (h *conformanceHarness) provider(t testing.TB, key string, hc *http.Client) *infobip.Provider {
	p, err := infobip.New(infobip.Config{
		APIKey:         sms.NewSecret(key),
		BaseURL:        h.srv.URL,
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)},
	}, &infobip.Options{APIVersion: h.version, HTTPClient: hc})
	require.NoError(t, err)
	return p
}

func (h *conformanceHarness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *conformanceHarness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return h.provider(t, wrongKey, nil)
}
func (h *conformanceHarness) Sender() sms.Sender { return sms.Sender{Value: "InfoSMS"} }
func (h *conformanceHarness) Requests() int      { return h.srv.Requests() }
func (h *conformanceHarness) Accepted() int      { return h.srv.Accepted() }
func (h *conformanceHarness) ArmFault(t testing.TB, f smstest.Fault) {
	if f.Hold != nil {
		h.tr.Arm(f.Hold)
		return
	}
	h.srv.Arm(infobiptest.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset})
}

func (h *conformanceHarness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	items := make([]infobiptest.Report, len(reports))
	for i, r := range reports {
		items[i] = h.srv.NewReport(r.MessageID, r.To, r.Status, r.ErrorCode)
		if r.RawStatus != "" { // a status Infobip's table does not have
			items[i].Status = infobiptest.Status{GroupID: 9, GroupName: "FROBNICATED", ID: 999, Name: r.RawStatus}
		}
	}
	return h.srv.DeliveryReportsRequest(hookURL, h.api, items...)
}

func (h *conformanceHarness) Inbound(t testing.TB, from, to, body string) *http.Request {
	return h.srv.InboundRequest(hookURL, from, to, body)
}

// Forged is a well-formed push with a guessed token: Infobip does not sign callbacks, so the
// secret in the URL is the protection.
func (h *conformanceHarness) Forged(t testing.TB) *http.Request {
	return h.srv.InboundRequest(forgedURL, "+14155550101", "+14155550199", "STOP")
}

func (h *conformanceHarness) Secrets() []string {
	return []string{h.srv.APIKey(), wrongKey, hookToken}
}

// RefuseRecipient blocklists one number: Infobip answers REJECTED_DESTINATION_BLOCKLISTED
// for it in the 200 and accepts the others.
func (h *conformanceHarness) RefuseRecipient(t testing.TB) (string, sms.Code) {
	const to = "+14155550177"
	h.srv.Block(to)
	return to, sms.CodeOptedOut
}

// FailureCode: error 1 EC_UNKNOWN_SUBSCRIBER is a recipient that does not exist.
func (h *conformanceHarness) FailureCode() (string, sms.Code) { return "1", sms.CodeInvalidRecipient }

// Senders names one sender Infobip takes for every sender type the provider claims.
func (h *conformanceHarness) Senders() []sms.Sender {
	return []sms.Sender{
		{Type: sms.SenderLongCode, Value: "+14155550199"},
		{Type: sms.SenderTollFree, Value: "+18005550100"},
		{Type: sms.SenderShortCode, Value: "12345"},
		{Type: sms.SenderAlphanumeric, Value: "InfoSMS"},
	}
}

// VendorOptOutSurvives is skipped: an Infobip inbound push carries no opt-out flag of its own
// (a number's keyword rules act on Infobip's side), so the webhook's keywords are the only
// classification.
func TestConformanceV3(t *testing.T) {
	smstest.RunConformance(t, harnessMaker(infobip.V3), smstest.Features{BatchCallbacks: true})
}

func TestConformanceV2(t *testing.T) {
	smstest.RunConformance(t, harnessMaker(infobip.V2), smstest.Features{BatchCallbacks: true})
}
