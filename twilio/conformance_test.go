package twilio_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

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

// harness wires the twilio provider to twiliotest for smstest.RunConformance. Sends go through
// an smstest.HoldTransport so the kit can cancel one while Twilio has it.
type harness struct {
	srv *twiliotest.Server
	tr  *smstest.HoldTransport
	p   *twilio.Provider
}

// newHarness is the harness maker: a fresh emulator per conformance rule.
func newHarness(t *testing.T) smstest.Harness {
	srv := twiliotest.NewServer(nil)
	t.Cleanup(srv.Close)
	h := &harness{srv: srv, tr: &smstest.HoldTransport{}}
	h.p = newProviderWith(t, srv, srv.AuthToken(), &http.Client{Transport: h.tr})
	return h
}

func newProvider(t testing.TB, srv *twiliotest.Server, token string) *twilio.Provider {
	return newProviderWith(t, srv, token, nil)
}

func newProviderWith(t testing.TB, srv *twiliotest.Server, token string, hc *http.Client) *twilio.Provider {
	p, err := twilio.New(twilio.Config{
		AccountSID: srv.AccountSID(),
		AuthToken:  sms.NewSecret(token),
		PublicURL:  publicURL,
	}, &twilio.Options{BaseURL: srv.URL, HTTPClient: hc})
	require.NoError(t, err)
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
	if f.Hold != nil {
		h.tr.Arm(f.Hold)
		return
	}
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

// VendorOptOut is an inbound callback with Advanced Opt-Out's OptOutType=STOP, signed again.
func (h *harness) VendorOptOut(t testing.TB, from, to, body string) *http.Request {
	req := h.srv.InboundRequest(inboundURL, from, to, body)
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	form, err := url.ParseQuery(string(b))
	require.NoError(t, err)
	form.Set("OptOutType", "STOP")
	b = []byte(form.Encode())
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	req.Header.Set("X-Twilio-Signature", twilio.Sign(h.srv.AuthToken(), inboundURL, form))
	return req
}

// RefuseRecipient uses Twilio's magic number that answers 21610 (the recipient replied STOP).
func (h *harness) RefuseRecipient(t testing.TB) (string, sms.Code) {
	return "+15005550004", sms.CodeOptedOut
}

// FailureCode: 30005 "Unknown destination handset" is a recipient that does not exist.
func (h *harness) FailureCode() (string, sms.Code) { return "30005", sms.CodeInvalidRecipient }

func TestConformance(t *testing.T) {
	smstest.RunConformance(t, newHarness, smstest.Features{})
}

// Senders names one sender Twilio takes for every sender type the provider claims.
func (h *harness) Senders() []sms.Sender {
	return []sms.Sender{
		{Type: sms.SenderLongCode, Value: "+15005550006"},
		{Type: sms.SenderTollFree, Value: "+18005550100"},
		{Type: sms.SenderShortCode, Value: "12345"},
		{Type: sms.SenderAlphanumeric, Value: "Acme"},
		{Type: sms.SenderPool, Value: "MG0123456789abcdef0123456789abcdef"},
	}
}
