package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

// harness is all a custom-channel author writes to run the conformance kit.
type harness struct {
	fake *fakeAcme
	srv  *httptest.Server
	tr   *smstest.HoldTransport
	p    *acme
	seq  int
}

// newHarness is the harness maker RunConformance calls once per rule: a fresh fake each time.
// Sends go through an smstest.HoldTransport, so the kit can cancel one while Acme has it.
func newHarness(t *testing.T) smstest.Harness {
	h := &harness{fake: &fakeAcme{apiKey: "acme-key"}}
	h.srv = httptest.NewServer(h.fake)
	t.Cleanup(h.srv.Close)
	h.tr = &smstest.HoldTransport{Base: h.srv.Client().Transport}
	h.p = &acme{baseURL: h.srv.URL, apiKey: sms.NewSecret("acme-key"), hookKey: sms.NewSecret("hook-key"), hc: &http.Client{Transport: h.tr}}
	return h
}

func (h *harness) Provider(t testing.TB) sms.Provider { return h.p }
func (h *harness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return &acme{baseURL: h.srv.URL, apiKey: sms.NewSecret("wrong-key"), hookKey: h.p.hookKey, hc: h.srv.Client()}
}
func (h *harness) Sender() sms.Sender {
	return sms.Sender{Type: sms.SenderLongCode, Value: "+447700900001"}
}
func (h *harness) Requests() int {
	h.fake.mu.Lock()
	defer h.fake.mu.Unlock()
	return h.fake.n
}
func (h *harness) Accepted() int { return h.Requests() }
func (h *harness) ArmFault(t testing.TB, f smstest.Fault) {
	if f.Hold != nil {
		h.tr.Arm(f.Hold)
		return
	}
	h.fake.mu.Lock()
	defer h.fake.mu.Unlock()
	if f.Reset {
		h.fake.fail = append(h.fake.fail, fault{})
		return
	}
	h.fake.fail = append(h.fake.fail, fault{status: f.Status, retryAfter: f.RetryAfter})
}

var words = map[sms.Status]string{sms.StatusDelivered: "DELIVERED", sms.StatusSent: "SENT", sms.StatusQueued: "QUEUED", sms.StatusFailed: "FAILED"}

func (h *harness) DeliveryReports(t testing.TB, reports ...smstest.DeliveryReport) *http.Request {
	var items []map[string]string
	for _, r := range reports {
		w := r.RawStatus
		if w == "" {
			w = words[r.Status]
		}
		h.seq++
		items = append(items, map[string]string{"ID": "dlr-" + strconv.Itoa(h.seq), "Kind": "dlr", "MessageID": r.MessageID, "To": r.To, "Status": w})
	}
	return h.request(items, "hook-key")
}

func (h *harness) Inbound(t testing.TB, from, to, body string) *http.Request {
	h.seq++
	return h.request([]map[string]string{{"ID": "mo-" + strconv.Itoa(h.seq), "Kind": "mo", "MessageID": "mo", "From": from, "To": to, "Text": body}}, "hook-key")
}

func (h *harness) Forged(t testing.TB) *http.Request {
	return h.request([]map[string]string{{"Kind": "mo", "Text": "STOP"}}, "guessed")
}

func (h *harness) Secrets() []string { return []string{"acme-key", "wrong-key", "hook-key"} }

func (h *harness) request(items []map[string]string, key string) *http.Request {
	b, _ := json.Marshal(items)
	r := httptest.NewRequest(http.MethodPost, "/acme", bytes.NewReader(b))
	r.Header.Set("X-Acme-Key", key)
	return r
}

func TestAcmeConformance(t *testing.T) {
	smstest.RunConformance(t, newHarness, smstest.Features{BatchCallbacks: true})
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	want := "sent: +447911123456 acme-1\nevent: delivery_report acme-1 delivered\nwebhook answered 200\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
