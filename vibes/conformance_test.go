package vibes_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/vibes"
	"github.com/smsbridge/sms/vibes/vibestest"
)

const (
	hookToken  = "hook-token-for-conformance"
	receiptURL = "https://app.example.com/hooks/vibes?token=" + hookToken
	inboundURL = "https://app.example.com/hooks/vibes/mo?token=" + hookToken
)

// shape is one way Vibes' callbacks come: receipts one per request (mtMessageResponse) or
// wrapped (mtMessageResponses, the pull API's shape), inbound messages as moMessage or the
// legacy deliver.
type shape struct {
	wrapped bool
	legacy  bool
}

// conformanceHarness wires the vibes provider to vibestest for smstest.RunConformance. Sends
// go through an smstest.HoldTransport so the kit can cancel one while Vibes has it.
type conformanceHarness struct {
	srv   *vibestest.Server
	tr    *smstest.HoldTransport
	p     *vibes.Provider
	shape shape
}

func newHarnessMaker(sh shape) func(t *testing.T) smstest.Harness {
	return func(t *testing.T) smstest.Harness {
		srv := vibestest.NewServer(&vibestest.Options{LegacyInbound: sh.legacy})
		t.Cleanup(srv.Close)
		h := &conformanceHarness{srv: srv, tr: &smstest.HoldTransport{}, shape: sh}
		h.p = h.provider(t, srv.Password(), &http.Client{Transport: h.tr})
		return h
	}
}

func (h *conformanceHarness) provider(t testing.TB, password string, hc *http.Client) *vibes.Provider {
	p, err := vibes.New(vibes.Config{
		Username: h.srv.Username(), Password: sms.NewSecret(password), BaseURL: h.srv.URL,
		DeliveryURL:    receiptURL,
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)},
	}, &vibes.Options{HTTPClient: hc})
	require.NoError(t, err)
	return p
}

func (h *conformanceHarness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *conformanceHarness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return h.provider(t, "wrong-password", nil)
}
func (h *conformanceHarness) Sender() sms.Sender {
	return sms.Sender{Type: sms.SenderShortCode, Value: vibestest.DefaultShortCode}
}
func (h *conformanceHarness) Requests() int { return h.srv.Requests() }
func (h *conformanceHarness) Accepted() int { return h.srv.Accepted() }
func (h *conformanceHarness) ArmFault(t testing.TB, f smstest.Fault) {
	if f.Hold != nil {
		h.tr.Arm(f.Hold)
		return
	}
	h.srv.Arm(vibestest.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset})
}

// report is the receipt Vibes posts for one kit report: the stage of its status, its code as
// the internal error code, or the kit's unknown word as the stage.
func (h *conformanceHarness) report(r smstest.DeliveryReport) vibestest.Report {
	code := ""
	if r.ErrorCode != "" {
		code = ":" + r.ErrorCode
	}
	rep := h.srv.NewReport(r.MessageID, "", r.Status, code)
	if r.RawStatus != "" {
		rep.Type = r.RawStatus
	}
	return rep
}

// DeliveryReports is one mtMessageResponse per request, or every report in one
// mtMessageResponses for the wrapped shape.
func (h *conformanceHarness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	if !h.shape.wrapped {
		require.Len(t, reports, 1, "Vibes posts one receipt per request")
		return h.srv.DeliveryReportRequest(receiptURL, h.report(reports[0]))
	}
	var all vibestest.Responses
	for _, r := range reports {
		all.Responses = append(all.Responses, h.report(r))
	}
	body, err := xml.Marshal(all)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, receiptURL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/xml")
	return req
}

func (h *conformanceHarness) Inbound(t testing.TB, from, to, body string) *http.Request {
	return h.srv.InboundRequest(inboundURL, from, to, body)
}

// Forged is a well-formed inbound STOP posted to the URL with a token that is not the
// configured one.
func (h *conformanceHarness) Forged(t testing.TB) *http.Request {
	return h.srv.InboundRequest("https://app.example.com/hooks/vibes/mo?token=guessed-token", "+12025550101", vibestest.DefaultShortCode, "STOP")
}

func (h *conformanceHarness) Secrets() []string {
	return []string{h.srv.Password(), hookToken, "wrong-password", "guessed-token"}
}

// FailureCode: internal error code 9, "MDN blocked", is an opt-out.
func (h *conformanceHarness) FailureCode() (string, sms.Code) {
	return "9", sms.CodeOptedOut
}

// RefuseRecipient blocks a number: Vibes answers the send 200 with internal error 9.
func (h *conformanceHarness) RefuseRecipient(t testing.TB) (string, sms.Code) {
	const to = "+12025550109"
	h.srv.Block(to)
	return to, sms.CodeOptedOut
}

// Senders names one provisioned code of every type the provider claims.
func (h *conformanceHarness) Senders() []sms.Sender {
	return []sms.Sender{
		{Type: sms.SenderShortCode, Value: vibestest.DefaultShortCode},
		{Type: sms.SenderLongCode, Value: vibestest.DefaultLongCode},
		{Type: sms.SenderTollFree, Value: vibestest.DefaultTollFree},
	}
}

var (
	_ smstest.Harness          = (*conformanceHarness)(nil)
	_ smstest.FailureCoder     = (*conformanceHarness)(nil)
	_ smstest.RecipientRefuser = (*conformanceHarness)(nil)
	_ smstest.SenderSampler    = (*conformanceHarness)(nil)
)

// TestConformance runs the kit once per callback shape: single receipts with moMessage
// inbound messages, and wrapped receipts (one event per item: BatchOneEventPerItem applies)
// with legacy deliver inbound messages. Skipped everywhere: VendorOptOutSurvives (Vibes flags
// no opt-out of its own: a STOP is an ordinary MO, which webhook classifies); in the single
// shape BatchOneEventPerItem (Vibes posts one receipt per request).
func TestConformance(t *testing.T) {
	t.Run("receipt+moMessage", func(t *testing.T) {
		smstest.RunConformance(t, newHarnessMaker(shape{}), smstest.Features{})
	})
	t.Run("wrapper+legacyDeliver", func(t *testing.T) {
		smstest.RunConformance(t, newHarnessMaker(shape{wrapped: true, legacy: true}), smstest.Features{BatchCallbacks: true})
	})
}
