package acs_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/smstest"
)

const (
	hookToken  = "hook-token-0123456789"
	eventsURL  = "https://app.example.com/acs/events?token=" + hookToken
	forgedURL  = "https://app.example.com/acs/events?token=guessed"
	wrongKey   = "d3Jvbmcga2V5IGZvciB0aGUgY29uZm9ybWFuY2Uga2l0"
	senderFrom = "+18005550100"
)

// harness wires the acs provider to acstest for smstest.RunConformance. Sends go through an
// smstest.HoldTransport so the kit can cancel one while ACS has it.
type harness struct {
	srv *acstest.Server
	tr  *smstest.HoldTransport
	p   *acs.Provider
}

// harnessMaker returns the harness maker for an Event Grid schema: a fresh emulator per
// conformance rule.
func harnessMaker(schema string) func(t *testing.T) smstest.Harness {
	return func(t *testing.T) smstest.Harness {
		srv := acstest.NewServer(&acstest.Options{Schema: schema})
		t.Cleanup(srv.Close)
		h := &harness{srv: srv, tr: &smstest.HoldTransport{}}
		h.p = newACSWith(t, srv, srv.AccessKey(), &acs.Options{HTTPClient: &http.Client{Transport: h.tr}})
		return h
	}
}

func newACS(t testing.TB, srv *acstest.Server, key string) *acs.Provider {
	return newACSWith(t, srv, key, nil)
}

func newACSWith(t testing.TB, srv *acstest.Server, key string, opts *acs.Options) *acs.Provider {
	p, err := acs.New(acs.Config{
		Endpoint:       srv.URL,
		AccessKey:      sms.NewSecret(key),
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)},
	}, opts)
	require.NoError(t, err)
	return p
}

func (h *harness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *harness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return newACS(t, h.srv, wrongKey)
}
func (h *harness) Sender() sms.Sender { return sms.Sender{Type: sms.SenderTollFree, Value: senderFrom} }
func (h *harness) Requests() int      { return h.srv.Requests() }
func (h *harness) Accepted() int      { return h.srv.Accepted() }
func (h *harness) ArmFault(t testing.TB, f smstest.Fault) {
	if f.Hold != nil {
		h.tr.Arm(f.Hold)
		return
	}
	h.srv.Arm(acstest.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset})
}

func (h *harness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	evs := make([]acstest.Event, len(reports))
	for i, r := range reports {
		code := r.ErrorCode
		if code == "" {
			code = acstest.DefaultDetailCode(r.Status)
		}
		evs[i] = h.srv.DeliveryReportEvent(r.MessageID, r.To, r.Status, code, r.RawStatus)
	}
	return h.srv.EventsRequest(eventsURL, evs...)
}

func (h *harness) Inbound(t testing.TB, from, to, body string) *http.Request {
	return h.srv.InboundRequest(eventsURL, from, to, body)
}

// Forged is a well-formed Event Grid delivery to the endpoint with a guessed token: Event Grid
// does not sign events, so the secret in the URL is the protection.
func (h *harness) Forged(t testing.TB) *http.Request {
	return h.srv.InboundRequest(forgedURL, "+12025550101", senderFrom, "STOP")
}

func (h *harness) Secrets() []string {
	return []string{h.srv.AccessKey(), wrongKey, hookToken}
}

// RefuseRecipient makes the emulator answer 403 for one recipient's item of the next send.
func (h *harness) RefuseRecipient(t testing.TB) (string, sms.Code) {
	const to = "+12025550109"
	h.srv.SetRecipientFailure(to, http.StatusForbidden, 1)
	return to, sms.CodePermissionDenied
}

// FailureCode: status detail 4004 "Destination number does not exist".
func (h *harness) FailureCode() (string, sms.Code) { return "4004", sms.CodeInvalidRecipient }

func TestConformanceEventGridSchema(t *testing.T) {
	smstest.RunConformance(t, harnessMaker(acstest.SchemaEventGrid), smstest.Features{BatchCallbacks: true})
}

func TestConformanceCloudEvents(t *testing.T) {
	// Without batching a CloudEvents delivery carries one event.
	smstest.RunConformance(t, harnessMaker(acstest.SchemaCloudEvents), smstest.Features{})
}

// Senders names one sender ACS takes for every sender type the provider claims.
func (h *harness) Senders() []sms.Sender {
	return []sms.Sender{
		{Type: sms.SenderTollFree, Value: senderFrom},
		{Type: sms.SenderLongCode, Value: "+12025550100"},
		{Type: sms.SenderShortCode, Value: "12345"},
		{Type: sms.SenderAlphanumeric, Value: "Acme"},
	}
}
