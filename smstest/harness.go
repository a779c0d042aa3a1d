package smstest

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/smsbridge/sms"
)

// RecorderHarness runs RunConformance against a Recorder. It is also the smallest example of a
// Harness for a custom provider's author, with every optional interface:
//
//	smstest.RunConformance(t, func(t *testing.T) smstest.Harness {
//		return smstest.NewRecorderHarness()
//	}, smstest.Features{BatchCallbacks: true})
type RecorderHarness struct {
	R *Recorder
}

// NewRecorderHarness returns a harness around a fresh Recorder.
func NewRecorderHarness() *RecorderHarness {
	return &RecorderHarness{R: NewRecorder(&RecorderOptions{Credential: sms.NewSecret("rec-key-0123456789"), Expected: sms.NewSecret("rec-key-0123456789")})}
}

// Provider implements Harness.
func (h *RecorderHarness) Provider(t testing.TB) sms.Provider { return h.R }

// ProviderWithBadCredentials implements Harness.
func (h *RecorderHarness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return NewRecorder(&RecorderOptions{Credential: sms.NewSecret("rec-wrong-9876543210"), Expected: sms.NewSecret("rec-key-0123456789")})
}

// Sender implements Harness.
func (h *RecorderHarness) Sender() sms.Sender {
	return sms.Sender{Type: sms.SenderLongCode, Value: "+12025550100"}
}

// Requests implements Harness.
func (h *RecorderHarness) Requests() int { return h.R.Calls() }

// Accepted implements Harness.
func (h *RecorderHarness) Accepted() int { return len(h.R.Sent()) }

// ArmFault implements Harness.
func (h *RecorderHarness) ArmFault(t testing.TB, f Fault) {
	switch {
	case f.Hold != nil:
		h.R.HoldNext(f.Hold)
	case f.Reset:
		h.R.FailNext(&sms.Error{Code: sms.CodeOutcomeUnknown, Message: "connection reset after the request was written"})
	case f.Status == http.StatusTooManyRequests:
		h.R.FailNext(&sms.Error{Code: sms.CodeRateLimited, HTTPStatus: 429, RetryAfter: f.RetryAfter, NotAccepted: true})
	default:
		h.R.FailNext(&sms.Error{Code: sms.CodeUnavailable, HTTPStatus: f.Status})
	}
}

// DeliveryReports implements Harness.
func (h *RecorderHarness) DeliveryReports(t testing.TB, reports ...DeliveryReport) *http.Request {
	return h.R.DeliveryRequest(reports...)
}

// Inbound implements Harness.
func (h *RecorderHarness) Inbound(t testing.TB, from, to, body string) *http.Request {
	return h.R.InboundRequest(from, to, body)
}

// Forged implements Harness: a valid request whose body was changed after signing.
func (h *RecorderHarness) Forged(t testing.TB) *http.Request {
	req := h.R.InboundRequest("+12025550101", "+12025550100", "hello")
	body, _ := io.ReadAll(req.Body)
	body = bytes.Replace(body, []byte("hello"), []byte("HELLO"), 1)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return req
}

// Secrets implements Harness.
func (h *RecorderHarness) Secrets() []string {
	return []string{"rec-key-0123456789", "rec-wrong-9876543210", "recorder-callback-secret"}
}

// VendorOptOut implements VendorOptOuter: an inbound message the Recorder flags as an opt-out.
func (h *RecorderHarness) VendorOptOut(t testing.TB, from, to, body string) *http.Request {
	return h.R.OptOutRequest(from, to, body)
}

// RefuseRecipient implements RecipientRefuser: the next send to +12025550109 is refused as
// opted out (vendor code R-OPTED-OUT).
func (h *RecorderHarness) RefuseRecipient(t testing.TB) (string, sms.Code) {
	const to = "+12025550109"
	h.R.Script(to, &sms.Error{Code: sms.CodeOptedOut, VendorCode: "R-OPTED-OUT", Message: "the recipient opted out", NotAccepted: true})
	return to, sms.CodeOptedOut
}

// FailureCode implements FailureCoder: R-UNKNOWN-NUMBER is InvalidRecipient (see RecorderCodes).
func (h *RecorderHarness) FailureCode() (string, sms.Code) {
	return "R-UNKNOWN-NUMBER", sms.CodeInvalidRecipient
}

// Senders implements SenderSampler: one sender of every type.
func (h *RecorderHarness) Senders() []sms.Sender {
	return []sms.Sender{
		{Type: sms.SenderLongCode, Value: "+12025550100"},
		{Type: sms.SenderTollFree, Value: "+18005550100"},
		{Type: sms.SenderShortCode, Value: "12345"},
		{Type: sms.SenderAlphanumeric, Value: "Acme"},
		{Type: sms.SenderPool, Value: "pool-1"},
	}
}

var (
	_ Harness          = (*RecorderHarness)(nil)
	_ VendorOptOuter   = (*RecorderHarness)(nil)
	_ RecipientRefuser = (*RecorderHarness)(nil)
	_ FailureCoder     = (*RecorderHarness)(nil)
	_ SenderSampler    = (*RecorderHarness)(nil)
)
