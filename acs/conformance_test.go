package acs_test

import (
	"net/http"
	"testing"

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

// harness wires the acs provider to acstest for smstest.RunConformance.
type harness struct {
	srv *acstest.Server
	p   *acs.Provider
}

func newHarness(t testing.TB, schema string) *harness {
	srv := acstest.NewServer(&acstest.Options{Schema: schema})
	t.Cleanup(srv.Close)
	return &harness{srv: srv, p: newACS(t, srv, srv.AccessKey())}
}

func newACS(t testing.TB, srv *acstest.Server, key string) *acs.Provider {
	p, err := acs.New(acs.Config{
		Endpoint:       srv.URL,
		AccessKey:      sms.NewSecret(key),
		CallbackTokens: []sms.Secret{sms.NewSecret(hookToken)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
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
	h.srv.Arm(acstest.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset})
}

func (h *harness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	evs := make([]acstest.Event, len(reports))
	for i, r := range reports {
		evs[i] = h.srv.DeliveryReportEvent(r.MessageID, r.To, r.Status, acstest.DefaultDetailCode(r.Status), r.RawStatus)
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

func TestConformanceEventGridSchema(t *testing.T) {
	smstest.RunConformance(t, newHarness(t, acstest.SchemaEventGrid), smstest.Features{BatchCallbacks: true})
}

func TestConformanceCloudEvents(t *testing.T) {
	// Without batching a CloudEvents delivery carries one event.
	smstest.RunConformance(t, newHarness(t, acstest.SchemaCloudEvents), smstest.Features{})
}
