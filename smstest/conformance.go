package smstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// Fault is a failure the harness arms on its vendor fake for the next send request.
type Fault struct {
	Status     int           // answer with this HTTP status (and the vendor's error body) without accepting
	RetryAfter time.Duration // with Status: the Retry-After the vendor sends
	// Reset accepts the message, then resets the connection instead of answering: the
	// client has written the request and cannot know whether it was accepted.
	Reset bool
	// Hold, when set, makes the fake take the request as usual (a message it accepts is
	// accepted), call Hold.Arrive, and withhold its answer until Hold.Release or until the
	// client goes away. A fake that cannot hold by itself can be fronted by HoldTransport.
	Hold *Hold
}

// Harness is what a provider supplies to RunConformance: the provider wired to a fake of its
// vendor (usually its <vendor>test emulator), what the fake received, fault injection, and
// callback requests authenticated as the vendor authenticates them. RunConformance makes a
// fresh Harness for every rule, so nothing armed or recorded leaks from one rule to the next.
//
// A harness may also implement VendorOptOuter, RecipientRefuser, FailureCoder and
// SenderSampler; the rules that need them are skipped, with a message, when it does not.
type Harness interface {
	// Provider returns the provider under test with valid credentials. It must not be wrapped
	// in an sms.Client: the suite wraps it, as users do.
	Provider(t testing.TB) sms.Provider
	// ProviderWithBadCredentials returns the provider with credentials the fake rejects.
	ProviderWithBadCredentials(t testing.TB) sms.Provider
	// Sender returns a sender the fake accepts.
	Sender() sms.Sender
	// Requests returns how many send requests the fake has received so far.
	Requests() int
	// Accepted returns how many messages (recipients) the fake has accepted so far.
	Accepted() int
	// ArmFault arms f for the next send request.
	ArmFault(t testing.TB, f Fault)
	// DeliveryReports returns one callback request carrying the given reports (several items
	// only when the vendor batches; callers pass one report unless Features.BatchCallbacks).
	DeliveryReports(t testing.TB, reports ...DeliveryReport) *http.Request
	// Inbound returns a callback request for a message from a handset.
	Inbound(t testing.TB, from, to, body string) *http.Request
	// Forged returns a callback request the provider must reject: a bad signature, a wrong
	// token, tampered content.
	Forged(t testing.TB) *http.Request
	// Secrets returns every credential string that must never appear in an error or a log.
	Secrets() []string
}

// VendorOptOuter is implemented by a harness whose vendor flags opt-outs itself (Twilio's
// OptOutType=STOP): it returns an inbound callback request carrying that flag. Without it the
// VendorOptOutSurvives rule is skipped.
type VendorOptOuter interface {
	VendorOptOut(t testing.TB, from, to, body string) *http.Request
}

// RecipientRefuser is implemented by a harness whose fake can refuse one recipient of a send
// while accepting the others (a per-recipient error of the vendor's, such as Twilio's 21610
// opted-out number). RefuseRecipient arranges it for the next send and returns the number to
// use (valid E.164, not one of the suite's own) and the portable code the provider must report
// for it. Without it the AllRecipientsFailed rule is skipped.
type RecipientRefuser interface {
	RefuseRecipient(t testing.TB) (to string, code sms.Code)
}

// FailureCoder is implemented by a harness that knows one delivery error code of its vendor
// and the portable sms.Code the provider must report for it in Event.Code (for example Twilio
// 30005 → InvalidRecipient). Without it the FailedReportCode rule is skipped.
type FailureCoder interface {
	FailureCode() (vendorCode string, code sms.Code)
}

// SenderSampler is implemented by a harness that can name a sender the fake accepts for each
// sender type the provider supports, so that the kit can check Capabilities.SenderTypes
// against the vendor.
type SenderSampler interface {
	Senders() []sms.Sender
}

// Features lets a provider skip what its vendor legitimately lacks.
type Features struct {
	NoDeliveryReports bool // the vendor sends no delivery reports
	NoInbound         bool // the vendor delivers no inbound messages
	BatchCallbacks    bool // one callback request can carry several reports
	// NoUnknownStatus is set when the vendor's status field is closed (cannot carry an
	// unknown word), so the "unknown status" rule does not apply.
	NoUnknownStatus bool
}

type rule struct {
	name, why string
	run       func(t testing.TB, s *suite)
}

type suite struct {
	h     Harness
	f     Features
	clock *FakeClock
	logs  *bytes.Buffer
	logMu *sync.Mutex
}

func newSuite(h Harness, f Features) *suite {
	return &suite{h: h, f: f, clock: &FakeClock{}, logs: &bytes.Buffer{}, logMu: &sync.Mutex{}}
}

func (s *suite) client(p sms.Provider) *sms.Client {
	return sms.NewClient(p, &sms.ClientOptions{
		Clock:  s.clock,
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{mu: s.logMu, w: s.logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
}

func (s *suite) msg(to ...string) *sms.Message {
	return &sms.Message{To: to, From: s.h.Sender(), Body: "conformance test message", Reference: "ref-conformance"}
}

// RunConformance runs the conformance rules against the provider, each as a named subtest with
// a line saying why it matters. newHarness is called once per rule, with that rule's subtest,
// and must return a harness over a fresh fake (an emulator per call, closed with t.Cleanup), as
// gocloud's drivertest does. Sends go through sms.NewClient and callbacks through
// webhook.Handler (and webhook.Parse) — the same path applications use; a few rules also call
// the provider directly, to test what the provider itself owns.
func RunConformance(t *testing.T, newHarness func(t *testing.T) Harness, f Features) {
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			t.Logf("why: %s", r.why)
			r.run(t, newSuite(newHarness(t), f))
		})
	}
}

// Numbers used by the suite: valid E.164 in +1 202 555 01xx (fictional).
const (
	num1 = "+12025550101"
	num2 = "+12025550102"
	num3 = "+12025550103"
)

// result is the error a send produced for its only recipient: the call's error, else the
// result's.
func onlyErr(res []sms.SendResult, err error) error {
	if len(res) == 1 && res[0].Err != nil {
		return res[0].Err
	}
	return err
}

// direct calls p.Send without the Client, turning a panic into an error.
func direct(p sms.Provider, msg *sms.Message) (res []sms.SendResult, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, fmt.Errorf("Send panicked: %v", v)
		}
	}()
	return p.Send(context.Background(), msg)
}

var rules = []rule{
	{"SendOne", "one recipient gives one result with the vendor's message id", func(t testing.TB, s *suite) {
		c := s.client(s.h.Provider(t))
		before := s.h.Accepted()
		res, err := c.Send(context.Background(), s.msg(num1))
		mustNoErr(t, err)
		if len(res) != 1 || res[0].Err != nil || res[0].MessageID == "" || res[0].To != num1 {
			t.Fatalf("want one OK result with an id for %s, got %+v", num1, res)
		}
		if n := s.h.Accepted() - before; n != 1 {
			t.Fatalf("want the fake to accept one message, it accepted %d", n)
		}
	}},
	{"SendManyInOrder", "several recipients give one result each, in the order given, also from the provider itself", func(t testing.TB, s *suite) {
		p := s.h.Provider(t)
		c := s.client(p)
		res, err := c.Send(context.Background(), s.msg(num1, "+1 (202) 555-0102", "001-202-555-0103"))
		mustNoErr(t, err)
		want := []string{num1, num2, num3}
		if len(res) != 3 {
			t.Fatalf("want 3 results, got %d", len(res))
		}
		ids := map[string]bool{}
		for i, r := range res {
			if r.To != want[i] || r.Err != nil || r.MessageID == "" {
				t.Fatalf("result %d: want OK for %s, got %+v", i, want[i], r)
			}
			if ids[r.MessageID] {
				t.Fatalf("message id %s returned twice", r.MessageID)
			}
			ids[r.MessageID] = true
		}
		// Provider.Send itself: one result per recipient, in the order given.
		n := min(3, max(1, p.Capabilities().MaxRecipients))
		m := s.msg(want[:n]...)
		m.IdempotencyKey = "conformance-direct"
		res, err = direct(p, m)
		mustNoErr(t, err)
		if len(res) != n {
			t.Fatalf("Provider.Send: want %d results, got %d", n, len(res))
		}
		for i, r := range res {
			if r.Err != nil || r.MessageID == "" || (r.To != "" && r.To != want[i]) {
				t.Fatalf("Provider.Send result %d: want OK for %s, got %+v", i, want[i], r)
			}
		}
	}},
	{"InvalidNumberNoRequest", "a malformed number never reaches the vendor, and the provider itself refuses a message without recipients", func(t testing.TB, s *suite) {
		p := s.h.Provider(t)
		c := s.client(p)
		before := s.h.Requests()
		for _, bad := range []string{"+1202555abcd", "2025550101", "+999123456789", ""} {
			res, err := c.Send(context.Background(), s.msg(bad))
			if len(res) != 1 || sms.ErrorCode(res[0].Err) != sms.CodeInvalidRecipient || !sms.IsNotAccepted(res[0].Err) || sms.ErrorCode(err) != sms.CodeInvalidRecipient {
				t.Errorf("%q: want an InvalidRecipient result (not accepted) and error, got %+v, %v", bad, res, err)
			}
		}
		// The provider is called by the Client with valid input, but a direct call with
		// none must be a clear error, not a panic or a request.
		for name, m := range map[string]*sms.Message{"nil message": nil, "no recipients": {From: s.h.Sender(), Body: "hi"}} {
			res, err := direct(p, m)
			var e *sms.Error
			if !errors.As(err, &e) || e.Code != sms.CodeInvalidArgument || len(res) != 0 {
				t.Errorf("Provider.Send with %s: want an *sms.Error InvalidArgument and no results, got %+v, %v", name, res, err)
			}
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("the fake saw %d requests for invalid input", n)
		}
	}},
	{"InvalidMessageNoRequest", "an empty body or one over the declared limit never reaches the vendor, and the declared limit is the vendor's", func(t testing.TB, s *suite) {
		p := s.h.Provider(t)
		c := s.client(p)
		before := s.h.Requests()
		m := s.msg(num1)
		m.Body = ""
		if _, err := c.Send(context.Background(), m); sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("empty body: want InvalidArgument, got %v", err)
		}
		caps := p.Capabilities()
		limited := caps.MaxBody > 0 && caps.BodyUnit != sms.UnitSegments
		if limited {
			m = s.msg(num1)
			m.Body = strings.Repeat("a", caps.MaxBody+1)
			if _, err := c.Send(context.Background(), m); sms.ErrorCode(err) != sms.CodeInvalidArgument {
				t.Errorf("body over %d %s: want InvalidArgument, got %v", caps.MaxBody, caps.BodyUnit, err)
			}
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("the fake saw %d requests", n)
		}
		if limited {
			// Capabilities.MaxBody is what the vendor takes: a body at the limit is sent.
			m = s.msg(num1)
			m.Body = strings.Repeat("a", caps.MaxBody)
			res, err := c.Send(context.Background(), m)
			if got := onlyErr(res, err); got != nil {
				t.Fatalf("a body of exactly MaxBody (%d %s) must be accepted by the vendor, got %v", caps.MaxBody, caps.BodyUnit, got)
			}
		}
	}},
	{"UnsupportedSenderType", "a sender type the provider does not support is rejected before any request, and every type it claims is one the vendor takes", func(t testing.TB, s *suite) {
		p := s.h.Provider(t)
		caps := p.Capabilities()
		samples := map[sms.SenderType]string{
			sms.SenderLongCode: "+12025550199", sms.SenderTollFree: "+18005550199", sms.SenderShortCode: "12345",
			sms.SenderAlphanumeric: "Acme", sms.SenderPool: "pool-1",
		}
		c := s.client(p)
		before := s.h.Requests()
		tried := 0
		for _, st := range []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree, sms.SenderShortCode, sms.SenderAlphanumeric, sms.SenderPool} {
			if caps.SupportsSender(st) {
				continue
			}
			tried++
			m := s.msg(num1)
			m.From = sms.Sender{Type: st, Value: samples[st]}
			_, err := c.Send(context.Background(), m)
			if sms.ErrorCode(err) != sms.CodeInvalidArgument || !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("sender type %s: want InvalidArgument wrapping ErrUnsupported, got %v", st, err)
			}
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("the fake saw %d requests", n)
		}
		ss, ok := s.h.(SenderSampler)
		if !ok {
			if tried == 0 {
				t.Skip("the provider supports every sender type and the harness is no SenderSampler")
			}
			return
		}
		byType := map[sms.SenderType]sms.Sender{}
		for _, snd := range ss.Senders() {
			byType[snd.ResolvedType()] = snd
		}
		for _, st := range caps.SenderTypes {
			snd, ok := byType[st]
			if !ok {
				t.Errorf("the provider claims sender type %s but the harness names no sender of it", st)
				continue
			}
			m := s.msg(num1)
			m.From = snd
			res, err := c.Send(context.Background(), m)
			if got := onlyErr(res, err); got != nil {
				t.Errorf("sender type %s (%s) is in Capabilities.SenderTypes but the send failed: %v", st, snd.Value, got)
			}
		}
	}},
	{"BadCredentials", "wrong credentials are Unauthenticated, in the recipient's result and the error", func(t testing.TB, s *suite) {
		c := s.client(s.h.ProviderWithBadCredentials(t))
		res, err := c.Send(context.Background(), s.msg(num1))
		if err == nil || len(res) != 1 || sms.ErrorCode(res[0].Err) != sms.CodeUnauthenticated {
			t.Fatalf("want an Unauthenticated result and error, got %+v, %v", res, err)
		}
		if sms.ErrorCode(err) != sms.CodeUnauthenticated || !errors.Is(err, sms.ErrUnauthenticated) {
			t.Fatalf("want Unauthenticated, got %v", err)
		}
	}},
	{"RateLimitRetried", "a 429 proves the vendor did not accept the message: it is retried after Retry-After", func(t testing.TB, s *suite) {
		c := s.client(s.h.Provider(t))
		s.h.ArmFault(t, Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second})
		before := s.h.Requests()
		res, err := c.Send(context.Background(), s.msg(num1))
		mustNoErr(t, err)
		if res[0].Err != nil {
			t.Fatalf("want success after the retry, got %v", res[0].Err)
		}
		if n := s.h.Requests() - before; n != 2 {
			t.Errorf("want 2 requests (429 then success), the fake saw %d", n)
		}
		if got := s.clock.Sleeps(); len(got) != 1 || got[0] != 7*time.Second {
			t.Errorf("want one wait of 7s asked of the clock, got %v", got)
		}
	}},
	{"ResetAfterWriteNeverTwice", "a failure after the request was written must not produce a second message", func(t testing.TB, s *suite) {
		p := s.h.Provider(t)
		c := s.client(p)
		s.h.ArmFault(t, Fault{Reset: true})
		before, acc := s.h.Requests(), s.h.Accepted()
		res, err := c.Send(context.Background(), s.msg(num1))
		if p.Capabilities().IdempotentSends {
			mustNoErr(t, err)
			if res[0].Err != nil {
				t.Fatalf("idempotent vendor: want success after a safe retry, got %v", res[0].Err)
			}
			if n := s.h.Accepted() - acc; n != 1 {
				t.Fatalf("want exactly one accepted message, the fake accepted %d", n)
			}
			return
		}
		got := onlyErr(res, err)
		if sms.ErrorCode(got) != sms.CodeOutcomeUnknown || sms.IsNotAccepted(got) {
			t.Fatalf("want OutcomeUnknown (not retried), got %v", got)
		}
		if n := s.h.Requests() - before; n != 1 {
			t.Fatalf("want exactly one request, the fake saw %d", n)
		}
		if n := s.h.Accepted() - acc; n > 1 {
			t.Fatalf("want at most one accepted message, the fake accepted %d", n)
		}
	}},
	{"CanceledContext", "a context canceled while the vendor has the request is OutcomeUnknown unwrapping to the context error, never retried; one canceled before is the context error with no request", func(t testing.TB, s *suite) {
		c := s.client(s.h.Provider(t))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		before := s.h.Requests()
		if _, err := c.Send(ctx, s.msg(num1)); !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled before: want context.Canceled, got %v", err)
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("canceled before: the fake saw %d requests", n)
		}

		hold := NewHold()
		defer hold.Release()
		s.h.ArmFault(t, Fault{Hold: hold})
		ctx, cancel = context.WithCancel(context.Background())
		defer cancel()
		type outcome struct {
			res []sms.SendResult
			err error
		}
		done := make(chan outcome, 1)
		go func() {
			res, err := c.Send(ctx, s.msg(num1))
			done <- outcome{res, err}
		}()
		var out outcome
		select {
		case <-hold.Arrived():
			cancel()
			select {
			case out = <-done:
			case <-time.After(time.Minute): // only a driver that ignores its context gets here
				hold.Release()
				t.Fatalf("Send did not return within a minute of the cancel: the provider ignores its context")
			}
		case out = <-done:
			t.Fatalf("Send returned before the fake had the request (does the harness implement Fault.Hold?): %+v, %v", out.res, out.err)
		}
		got := onlyErr(out.res, out.err)
		if sms.ErrorCode(got) != sms.CodeOutcomeUnknown || sms.IsNotAccepted(got) || !errors.Is(got, context.Canceled) {
			t.Fatalf("canceled while the vendor held the request: want OutcomeUnknown unwrapping to context.Canceled, got %v", got)
		}
		if n := s.h.Requests() - before; n != 1 {
			t.Fatalf("canceled while held: want exactly one request, the fake saw %d", n)
		}
	}},
	{"NoCredentialLeak", "credentials never appear in errors, logs or formatted values", func(t testing.TB, s *suite) {
		bad := s.h.ProviderWithBadCredentials(t)
		good := s.h.Provider(t)
		_, err := s.client(bad).Send(context.Background(), s.msg(num1))
		s.h.ArmFault(t, Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
		res, err2 := s.client(good).Send(context.Background(), s.msg(num2))
		s.h.ArmFault(t, Fault{Status: http.StatusInternalServerError})
		res3, err3 := s.client(good).Send(context.Background(), s.msg(num3))
		res = append(res, res3...)
		var texts []string
		for _, e := range []error{err, err2, err3} {
			if e != nil {
				texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
			}
		}
		for _, r := range res {
			if r.Err != nil {
				texts = append(texts, r.Err.Error(), fmt.Sprintf("%#v", r.Err))
			}
		}
		for _, p := range []sms.Provider{bad, good} {
			texts = append(texts, fmt.Sprintf("%v", p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p))
		}
		s.logMu.Lock()
		texts = append(texts, s.logs.String())
		s.logMu.Unlock()
		for _, secret := range s.h.Secrets() {
			if secret == "" {
				continue
			}
			for _, txt := range texts {
				if strings.Contains(txt, secret) {
					t.Fatalf("a credential leaked into: %.200s", txt)
				}
			}
		}
	}},
	{"ConcurrentSends", "a provider is safe for concurrent use (run with -race): concurrent sends each get their own message id", func(t testing.TB, s *suite) {
		c := s.client(s.h.Provider(t))
		var wg sync.WaitGroup
		var mu sync.Mutex
		ids := map[string]string{}
		errs := make(chan error, 32)
		for i := range 8 {
			wg.Go(func() {
				for j := range 3 {
					to := fmt.Sprintf("+1202555%04d", 1000+i*10+j)
					res, err := c.Send(context.Background(), s.msg(to))
					if got := onlyErr(res, err); got != nil {
						errs <- got
						return
					}
					mu.Lock()
					if other, dup := ids[res[0].MessageID]; dup {
						errs <- fmt.Errorf("sends to %s and %s got the same message id %s", other, to, res[0].MessageID)
					}
					ids[res[0].MessageID] = to
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}},
	{"DeliveryReportRoundTrip", "the id returned by Send comes back in a Delivered report", func(t testing.TB, s *suite) {
		if s.f.NoDeliveryReports {
			t.Skip("no delivery reports")
		}
		p := s.h.Provider(t)
		id := s.sendOne(t, p)
		ev := deliverOne(t, p, s.h.DeliveryReports(t, DeliveryReport{MessageID: id, To: num1, Status: sms.StatusDelivered}))
		if ev.Type != sms.EventDeliveryReport || ev.MessageID != id || ev.Status != sms.StatusDelivered || ev.ID == "" || ev.Provider != p.Name() {
			t.Fatalf("want a Delivered report for %s, got %+v", id, ev)
		}
	}},
	{"DuplicateCallbackOnce", "a callback delivered twice reaches the application once", func(t testing.TB, s *suite) {
		if s.f.NoDeliveryReports {
			t.Skip("no delivery reports")
		}
		p := s.h.Provider(t)
		req := s.h.DeliveryReports(t, DeliveryReport{MessageID: s.sendOne(t, p), To: num1, Status: sms.StatusDelivered})
		body, _ := io.ReadAll(req.Body)
		var calls int
		h := webhook.Handler(p, webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error { calls++; return nil }), nil)
		for range 2 {
			r := req.Clone(context.Background())
			r.Body = io.NopCloser(bytes.NewReader(body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("want 200, got %d", w.Code)
			}
		}
		if calls != 1 {
			t.Fatalf("want the application called once, got %d", calls)
		}
	}},
	{"UnknownStatusKept", "an unmapped vendor status becomes Unknown with the vendor's word kept", func(t testing.TB, s *suite) {
		if s.f.NoDeliveryReports || s.f.NoUnknownStatus {
			t.Skip("not applicable")
		}
		p := s.h.Provider(t)
		ev := deliverOne(t, p, s.h.DeliveryReports(t, DeliveryReport{MessageID: "unknown-status-msg", To: num1, RawStatus: "frobnicated"}))
		if ev.Status != sms.StatusUnknown || ev.RawStatus != "frobnicated" {
			t.Fatalf("want Unknown with raw status kept, got %v %q", ev.Status, ev.RawStatus)
		}
	}},
	{"BatchOneEventPerItem", "a batched callback yields one event per item", func(t testing.TB, s *suite) {
		if s.f.NoDeliveryReports || !s.f.BatchCallbacks {
			t.Skip("the vendor does not batch callbacks")
		}
		p := s.h.Provider(t)
		evs, code := deliver(t, p, s.h.DeliveryReports(t,
			DeliveryReport{MessageID: "batch-1", To: num1, Status: sms.StatusDelivered},
			DeliveryReport{MessageID: "batch-2", To: num2, Status: sms.StatusFailed},
			DeliveryReport{MessageID: "batch-3", To: num3, Status: sms.StatusDelivered}))
		if code != http.StatusOK || len(evs) != 3 {
			t.Fatalf("want 200 and 3 events, got %d and %d", code, len(evs))
		}
		for i, want := range []string{"batch-1", "batch-2", "batch-3"} {
			if evs[i].MessageID != want {
				t.Errorf("event %d: want message %s, got %s", i, want, evs[i].MessageID)
			}
		}
	}},
	{"OutOfOrderNeverRegresses", "reports map to their own statuses, so a late non-final report never moves a final status back", func(t testing.TB, s *suite) {
		if s.f.NoDeliveryReports {
			t.Skip("no delivery reports")
		}
		p := s.h.Provider(t)
		id := s.sendOne(t, p)
		stored := sms.StatusAccepted
		for _, st := range []sms.Status{sms.StatusDelivered, sms.StatusSent, sms.StatusQueued} {
			ev := deliverOne(t, p, s.h.DeliveryReports(t, DeliveryReport{MessageID: id, To: num1, Status: st}))
			if ev.Status.Supersedes(stored) {
				stored = ev.Status
			}
		}
		if stored != sms.StatusDelivered {
			t.Fatalf("want Delivered to stay, got %s", stored)
		}
	}},
	{"InboundMessage", "an inbound message arrives as an Inbound event with its body", func(t testing.TB, s *suite) {
		if s.f.NoInbound {
			t.Skip("no inbound")
		}
		p := s.h.Provider(t)
		ev := deliverOne(t, p, s.h.Inbound(t, num1, s.h.Sender().Value, "Hello there"))
		if ev.Type != sms.EventInbound || ev.Body != "Hello there" || ev.From != num1 || ev.ID == "" {
			t.Fatalf("want an inbound event from %s, got %+v", num1, ev)
		}
	}},
	{"InboundStopIsOptOut", "an inbound STOP becomes an opt-out event", func(t testing.TB, s *suite) {
		if s.f.NoInbound {
			t.Skip("no inbound")
		}
		p := s.h.Provider(t)
		ev := deliverOne(t, p, s.h.Inbound(t, num1, s.h.Sender().Value, " stop "))
		if ev.Type != sms.EventOptOut || ev.Keyword != "STOP" || ev.From != num1 {
			t.Fatalf("want an opt-out from %s with keyword STOP, got %s %q from %s", num1, ev.Type, ev.Keyword, ev.From)
		}
	}},
	{"VendorOptOutSurvives", "an opt-out the vendor flagged stays an opt-out whatever its words, through webhook.Handler and webhook.Parse (a compliance matter)", func(t testing.TB, s *suite) {
		vo, ok := s.h.(VendorOptOuter)
		if !ok || s.f.NoInbound {
			t.Skip("the vendor has no opt-out flag of its own (the harness is no VendorOptOuter)")
		}
		p := s.h.Provider(t)
		ev := deliverOne(t, p, vo.VendorOptOut(t, num1, s.h.Sender().Value, "Arrêt"))
		if ev.Type != sms.EventOptOut || ev.From != num1 {
			t.Fatalf("webhook.Handler: want the vendor-flagged \"Arrêt\" from %s as an opt-out, got %s from %s", num1, ev.Type, ev.From)
		}
		cb, err := webhook.Parse(context.Background(), p, vo.VendorOptOut(t, num1, s.h.Sender().Value, "Arrêt"), 0)
		if err != nil || len(cb.Events) != 1 || cb.Events[0].Type != sms.EventOptOut {
			t.Fatalf("webhook.Parse: want one opt-out event, got %+v, %v", cb, err)
		}
	}},
	{"ForgedCallbackRejected", "a forged or tampered callback is rejected and never reaches the application", func(t testing.TB, s *suite) {
		if s.f.NoDeliveryReports && s.f.NoInbound {
			t.Skip("no callbacks")
		}
		p := s.h.Provider(t)
		evs, code := deliver(t, p, s.h.Forged(t))
		if code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Fatalf("want 401 or 403, got %d", code)
		}
		if len(evs) != 0 {
			t.Fatalf("the application received %d events", len(evs))
		}
	}},
	{"BadRecipientAmongGood", "one malformed number in a bulk send is that recipient's InvalidRecipient; the others are sent, and only they reach the vendor", func(t testing.TB, s *suite) {
		c := s.client(s.h.Provider(t))
		acc := s.h.Accepted()
		res, err := c.Send(context.Background(), s.msg(num1, "+1202555abcd", num3))
		mustNoErr(t, err)
		if len(res) != 3 {
			t.Fatalf("want 3 results, got %+v", res)
		}
		if res[0].Err != nil || res[2].Err != nil || res[0].MessageID == "" || res[2].MessageID == "" {
			t.Fatalf("want the good recipients sent, got %+v", res)
		}
		if sms.ErrorCode(res[1].Err) != sms.CodeInvalidRecipient || !sms.IsNotAccepted(res[1].Err) {
			t.Fatalf("want the malformed recipient InvalidRecipient, got %v", res[1].Err)
		}
		if n := s.h.Accepted() - acc; n != 2 {
			t.Fatalf("want the fake to accept the 2 good recipients, it accepted %d", n)
		}
	}},
	{"AllRecipientsFailed", "when nothing was accepted there is still one result per recipient with its own cause, and the error is an *sms.Error summary that errors.Is finds each cause in", func(t testing.TB, s *suite) {
		rr, ok := s.h.(RecipientRefuser)
		if !ok {
			t.Skip("the harness cannot make its fake refuse one recipient (it is no RecipientRefuser)")
		}
		c := s.client(s.h.Provider(t))
		refused, code := rr.RefuseRecipient(t)
		res, err := c.Send(context.Background(), s.msg(refused, "+1202555abcd"))
		if len(res) != 2 {
			t.Fatalf("want one result per recipient although none was accepted, got %+v, %v", res, err)
		}
		if sms.ErrorCode(res[0].Err) != code {
			t.Errorf("refused recipient %s: want %s (the vendor's per-recipient refusal), got %v", refused, code, res[0].Err)
		}
		if sms.ErrorCode(res[1].Err) != sms.CodeInvalidRecipient {
			t.Errorf("malformed recipient: want InvalidRecipient, got %v", res[1].Err)
		}
		var e *sms.Error
		if !errors.As(err, &e) {
			t.Fatalf("want an *sms.Error summary, got %T %v", err, err)
		}
		for i, r := range res {
			if r.Err != nil && !errors.Is(err, r.Err) {
				t.Errorf("errors.Is(summary, cause of recipient %d) is false: %v", i, r.Err)
			}
		}
		if !errors.Is(err, sms.ErrInvalidRecipient) {
			t.Errorf("errors.Is(summary, sms.ErrInvalidRecipient) is false: %v", err)
		}
	}},
	{"FailedReportCode", "a failed delivery report carries a portable Event.Code beside the vendor's code", func(t testing.TB, s *suite) {
		fc, ok := s.h.(FailureCoder)
		if !ok || s.f.NoDeliveryReports {
			t.Skip("the harness names no vendor delivery error code (it is no FailureCoder)")
		}
		vendor, want := fc.FailureCode()
		p := s.h.Provider(t)
		id := s.sendOne(t, p)
		ev := deliverOne(t, p, s.h.DeliveryReports(t, DeliveryReport{MessageID: id, To: num1, Status: sms.StatusFailed, ErrorCode: vendor}))
		if ev.Code != want || ev.ErrorCode != vendor || !ev.Status.IsFinal() || ev.Status == sms.StatusDelivered {
			t.Fatalf("a failed report with vendor code %s: want Event.Code %s and ErrorCode %s on a final failure, got Code %s, ErrorCode %q, Status %s",
				vendor, want, vendor, ev.Code, ev.ErrorCode, ev.Status)
		}
	}},
	{"EventsJSONRoundTrip", "events survive json.Marshal and json.Unmarshal unchanged, with snake_case keys (applications put them on queues)", func(t testing.TB, s *suite) {
		p := s.h.Provider(t)
		var evs []sms.Event
		if !s.f.NoDeliveryReports {
			id := s.sendOne(t, p)
			evs = append(evs, deliverOne(t, p, s.h.DeliveryReports(t, DeliveryReport{MessageID: id, To: num1, Status: sms.StatusDelivered})))
			code := ""
			if fc, ok := s.h.(FailureCoder); ok {
				code, _ = fc.FailureCode()
			}
			evs = append(evs, deliverOne(t, p, s.h.DeliveryReports(t, DeliveryReport{MessageID: id, To: num1, Status: sms.StatusFailed, ErrorCode: code})))
		}
		if !s.f.NoInbound {
			evs = append(evs, deliverOne(t, p, s.h.Inbound(t, num1, s.h.Sender().Value, "Hello there")))
			evs = append(evs, deliverOne(t, p, s.h.Inbound(t, num1, s.h.Sender().Value, "STOP")))
			if vo, ok := s.h.(VendorOptOuter); ok {
				evs = append(evs, deliverOne(t, p, vo.VendorOptOut(t, num1, s.h.Sender().Value, "Arrêt")))
			}
		}
		if len(evs) == 0 {
			t.Skip("no callbacks")
		}
		for _, ev := range evs {
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatalf("json.Marshal of a %s event: %v", ev.Type, err)
			}
			if !bytes.Contains(b, []byte(`"message_id"`)) {
				t.Errorf("a %s event's JSON has no snake_case \"message_id\" key:\n%s", ev.Type, b)
			}
			var back sms.Event
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("json.Unmarshal of a %s event: %v\n%s", ev.Type, err, b)
			}
			if d := cmp.Diff(ev, back); d != "" {
				t.Errorf("a %s event changed through JSON (-before +after):\n%s\n%s", ev.Type, d, b)
			}
		}
	}},
}

// sendOne sends the suite's message to num1 through the client and returns its message id.
func (s *suite) sendOne(t testing.TB, p sms.Provider) string {
	t.Helper()
	res, err := s.client(p).Send(context.Background(), s.msg(num1))
	mustNoErr(t, err)
	if res[0].Err != nil || res[0].MessageID == "" {
		t.Fatalf("send to %s: %+v", num1, res[0])
	}
	return res[0].MessageID
}

// deliverOne runs req through webhook.Handler and requires a 200 and exactly one event.
func deliverOne(t testing.TB, p sms.Provider, req *http.Request) sms.Event {
	t.Helper()
	evs, code := deliver(t, p, req)
	if code != http.StatusOK || len(evs) != 1 {
		t.Fatalf("want 200 and one event, got %d and %d", code, len(evs))
	}
	return evs[0]
}

// deliver runs req through webhook.Handler and returns the events the sink received.
func deliver(t testing.TB, p sms.Provider, req *http.Request) ([]sms.Event, int) {
	t.Helper()
	var got []sms.Event
	h := webhook.Handler(p, webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error {
		got = append(got, evs...)
		return nil
	}), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return got, w.Code
}

func mustNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// FakeClock is an sms.Clock whose Sleep returns at once and records the delay asked for.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// Now returns the fake time (it starts at 2026-01-01 UTC and advances with Sleep).
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return c.now
}

// Sleep records d, advances the fake time and returns ctx.Err().
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Now()
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// Sleeps returns the delays asked for so far.
func (c *FakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
