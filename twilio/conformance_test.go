package twilio_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

const (
	publicURL  = "https://app.example.com"
	statusURL  = publicURL + "/twilio/status"
	inboundURL = publicURL + "/twilio/inbound"
	wrongToken = "ffffffffffffffffffffffffffffffff"
)

// harness wires the twilio provider to twiliotest for smstest.RunConformance.
type harness struct {
	srv *twiliotest.Server
	p   *twilio.Provider
}

func newHarness(t testing.TB) *harness {
	srv := twiliotest.NewServer(nil)
	t.Cleanup(srv.Close)
	return &harness{srv: srv, p: newProvider(t, srv, srv.AuthToken())}
}

func newProvider(t testing.TB, srv *twiliotest.Server, token string) *twilio.Provider {
	p, err := twilio.New(twilio.Config{
		AccountSID: srv.AccountSID(),
		AuthToken:  sms.NewSecret(token),
		PublicURL:  publicURL,
	}, &twilio.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (h *harness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *harness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return newProvider(t, h.srv, wrongToken)
}
func (h *harness) Sender() sms.Sender {
	return sms.Sender{Type: sms.SenderLongCode, Value: "+15005550006"}
}
func (h *harness) Requests() int { return h.srv.Requests() }
func (h *harness) Accepted() int { return len(h.srv.Messages()) }
func (h *harness) ArmFault(t testing.TB, f smstest.Fault) {
	h.srv.Arm(twiliotest.Fault{Status: f.Status, RetryAfter: f.RetryAfter, Reset: f.Reset})
}

var words = map[sms.Status]string{
	sms.StatusAccepted: "accepted", sms.StatusQueued: "queued", sms.StatusSent: "sent",
	sms.StatusDelivered: "delivered", sms.StatusUndelivered: "undelivered", sms.StatusFailed: "failed",
}

func (h *harness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	if len(reports) != 1 {
		t.Fatalf("twilio sends one report per callback")
	}
	r := reports[0]
	word := r.RawStatus
	if word == "" {
		word = words[r.Status]
	}
	return h.srv.StatusCallbackRequest(statusURL+"?"+twilio.ReferenceParam+"=ref-1", r.MessageID, r.To, word, r.ErrorCode)
}

func (h *harness) Inbound(t testing.TB, from, to, body string) *http.Request {
	return h.srv.InboundRequest(inboundURL, from, to, body)
}

// Forged is a genuine inbound callback whose body was changed after Twilio signed it.
func (h *harness) Forged(t testing.TB) *http.Request {
	req := h.srv.InboundRequest(inboundURL, "+12025550101", "+15005550006", "hello")
	b, _ := io.ReadAll(req.Body)
	form, _ := url.ParseQuery(string(b))
	form.Set("Body", "STOP")
	b = []byte(form.Encode())
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	return req
}

func (h *harness) Secrets() []string { return []string{h.srv.AuthToken(), wrongToken} }

func TestConformance(t *testing.T) {
	smstest.RunConformance(t, newHarness(t), smstest.Features{})
}
