package smstest

import (
	"bytes"
	"context"
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
}

// Harness is what a provider supplies to RunConformance: the provider wired to a fake of its
// vendor (usually its <vendor>test emulator), what the fake received, fault injection, and
// callback requests authenticated as the vendor authenticates them.
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
	run       func(t *testing.T, s *suite)
}

type suite struct {
	h     Harness
	f     Features
	clock *FakeClock
	logs  *bytes.Buffer
	logMu *sync.Mutex
}

func (s *suite) client(t testing.TB, p sms.Provider) *sms.Client {
	return sms.NewClient(p, &sms.ClientOptions{
		Clock:  s.clock,
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{mu: s.logMu, w: s.logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
}

func (s *suite) msg(to ...string) *sms.Message {
	return &sms.Message{To: to, From: s.h.Sender(), Body: "conformance test message", Reference: "ref-conformance"}
}

// RunConformance runs the conformance rules against the provider the harness supplies, each
// as a named subtest with a line saying why it matters. Sends go through sms.NewClient and
// callbacks through webhook.Handler — the same path applications use.
func RunConformance(t *testing.T, h Harness, f Features) {
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			t.Logf("why: %s", r.why)
			s := &suite{h: h, f: f, clock: &FakeClock{}, logs: &bytes.Buffer{}, logMu: &sync.Mutex{}}
			r.run(t, s)
		})
	}
}

// Numbers used by the suite: valid E.164 in +1 555 01xx (fictional).
const (
	num1 = "+12025550101"
	num2 = "+12025550102"
	num3 = "+12025550103"
)

var rules = []rule{
	{"SendOne", "one recipient gives one result with the vendor's message id", func(t *testing.T, s *suite) {
		c := s.client(t, s.h.Provider(t))
		res, err := c.Send(context.Background(), s.msg(num1))
		mustNoErr(t, err)
		if len(res) != 1 || res[0].Err != nil || res[0].MessageID == "" || res[0].To != num1 {
			t.Fatalf("want one OK result with an id for %s, got %+v", num1, res)
		}
	}},
	{"SendManyInOrder", "several recipients give one result each, in the order given", func(t *testing.T, s *suite) {
		c := s.client(t, s.h.Provider(t))
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
	}},
	{"InvalidNumberNoRequest", "a malformed number is that recipient's InvalidRecipient result, before any network call", func(t *testing.T, s *suite) {
		c := s.client(t, s.h.Provider(t))
		before := s.h.Requests()
		for _, bad := range []string{"+1202555abcd", "2025550101", "+999123456789", ""} {
			res, err := c.Send(context.Background(), s.msg(bad))
			if len(res) != 1 || sms.ErrorCode(res[0].Err) != sms.CodeInvalidRecipient || sms.ErrorCode(err) != sms.CodeInvalidRecipient {
				t.Errorf("%q: want an InvalidRecipient result and error, got %+v, %v", bad, res, err)
			}
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("the fake saw %d requests for invalid numbers", n)
		}
	}},
	{"InvalidMessageNoRequest", "an empty body or one over the limit is InvalidArgument before any network call", func(t *testing.T, s *suite) {
		p := s.h.Provider(t)
		c := s.client(t, p)
		before := s.h.Requests()
		m := s.msg(num1)
		m.Body = ""
		if _, err := c.Send(context.Background(), m); sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("empty body: want InvalidArgument, got %v", err)
		}
		if caps := p.Capabilities(); caps.MaxBody > 0 && caps.BodyUnit != sms.UnitSegments {
			m = s.msg(num1)
			m.Body = strings.Repeat("a", caps.MaxBody+1)
			if _, err := c.Send(context.Background(), m); sms.ErrorCode(err) != sms.CodeInvalidArgument {
				t.Errorf("body over %d %s: want InvalidArgument, got %v", caps.MaxBody, caps.BodyUnit, err)
			}
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("the fake saw %d requests", n)
		}
	}},
	{"UnsupportedSenderType", "a sender type the provider does not support is rejected before any request", func(t *testing.T, s *suite) {
		p := s.h.Provider(t)
		caps := p.Capabilities()
		samples := map[sms.SenderType]string{
			sms.SenderLongCode: "+12025550199", sms.SenderTollFree: "+18005550199", sms.SenderShortCode: "12345",
			sms.SenderAlphanumeric: "Acme", sms.SenderPool: "pool-1",
		}
		c := s.client(t, p)
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
		if tried == 0 {
			t.Skip("the provider supports every sender type")
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("the fake saw %d requests", n)
		}
	}},
	{"BadCredentials", "wrong credentials are Unauthenticated, in the recipient's result and the error", func(t *testing.T, s *suite) {
		c := s.client(t, s.h.ProviderWithBadCredentials(t))
		res, err := c.Send(context.Background(), s.msg(num1))
		if err == nil || len(res) != 1 || sms.ErrorCode(res[0].Err) != sms.CodeUnauthenticated {
			t.Fatalf("want an Unauthenticated result and error, got %+v, %v", res, err)
		}
		if sms.ErrorCode(err) != sms.CodeUnauthenticated || !errors.Is(err, sms.ErrUnauthenticated) {
			t.Fatalf("want Unauthenticated, got %v", err)
		}
	}},
	{"RateLimitRetried", "a 429 proves the vendor did not accept the message: it is retried after Retry-After", func(t *testing.T, s *suite) {
		c := s.client(t, s.h.Provider(t))
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
	{"ResetAfterWriteNeverTwice", "a failure after the request was written must not produce a second message", func(t *testing.T, s *suite) {
		p := s.h.Provider(t)
		c := s.client(t, p)
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
		var got error
		if err != nil {
			got = err
		} else {
			got = res[0].Err
		}
		if sms.ErrorCode(got) != sms.CodeOutcomeUnknown || sms.IsNotAccepted(got) {
			t.Fatalf("want OutcomeUnknown (not retried), got %v", got)
		}
		if n := s.h.Requests() - before; n != 1 {
			t.Fatalf("want exactly one request, the fake saw %d", n)
		}
	}},
	{"CanceledContext", "a canceled context returns the context error and sends nothing", func(t *testing.T, s *suite) {
		c := s.client(t, s.h.Provider(t))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		before := s.h.Requests()
		_, err := c.Send(ctx, s.msg(num1))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		if n := s.h.Requests() - before; n != 0 {
			t.Fatalf("the fake saw %d requests", n)
		}
	}},
	{"NoCredentialLeak", "credentials never appear in errors, logs or formatted values", func(t *testing.T, s *suite) {
		bad := s.h.ProviderWithBadCredentials(t)
		good := s.h.Provider(t)
		c := s.client(t, bad)
		_, err := c.Send(context.Background(), s.msg(num1))
		s.h.ArmFault(t, Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
		res, err2 := s.client(t, good).Send(context.Background(), s.msg(num2))
		var texts []string
		for _, e := range []error{err, err2} {
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
	{"ConcurrentSends", "a provider is safe for concurrent use (run with -race)", func(t *testing.T, s *suite) {
		c := s.client(t, s.h.Provider(t))
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 8 {
			wg.Go(func() {
				for j := range 3 {
					res, err := c.Send(context.Background(), s.msg(fmt.Sprintf("+1202555%04d", 1000+i*10+j)))
					if err == nil && res[0].Err != nil {
						err = res[0].Err
					}
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}},
	{"DeliveryReportRoundTrip", "the id returned by Send comes back in a Delivered report", func(t *testing.T, s *suite) {
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
	{"DuplicateCallbackOnce", "a callback delivered twice reaches the application once", func(t *testing.T, s *suite) {
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
	{"UnknownStatusKept", "an unmapped vendor status becomes Unknown with the vendor's word kept", func(t *testing.T, s *suite) {
		if s.f.NoDeliveryReports || s.f.NoUnknownStatus {
			t.Skip("not applicable")
		}
		p := s.h.Provider(t)
		ev := deliverOne(t, p, s.h.DeliveryReports(t, DeliveryReport{MessageID: "unknown-status-msg", To: num1, RawStatus: "frobnicated"}))
		if ev.Status != sms.StatusUnknown || ev.RawStatus != "frobnicated" {
			t.Fatalf("want Unknown with raw status kept, got %v %q", ev.Status, ev.RawStatus)
		}
	}},
	{"BatchOneEventPerItem", "a batched callback yields one event per item", func(t *testing.T, s *suite) {
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
	{"OutOfOrderNeverRegresses", "a late non-final report never moves a final status back", func(t *testing.T, s *suite) {
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
	{"InboundMessage", "an inbound message arrives as an Inbound event with its body", func(t *testing.T, s *suite) {
		if s.f.NoInbound {
			t.Skip("no inbound")
		}
		p := s.h.Provider(t)
		ev := deliverOne(t, p, s.h.Inbound(t, num1, s.h.Sender().Value, "Hello there"))
		if ev.Type != sms.EventInbound || ev.Body != "Hello there" || ev.From != num1 || ev.ID == "" {
			t.Fatalf("want an inbound event from %s, got %+v", num1, ev)
		}
	}},
	{"InboundStopIsOptOut", "an inbound STOP becomes an opt-out event", func(t *testing.T, s *suite) {
		if s.f.NoInbound {
			t.Skip("no inbound")
		}
		p := s.h.Provider(t)
		ev := deliverOne(t, p, s.h.Inbound(t, num1, s.h.Sender().Value, " stop "))
		if ev.Type != sms.EventOptOut || ev.Keyword != "STOP" {
			t.Fatalf("want an opt-out with keyword STOP, got %s %q", ev.Type, ev.Keyword)
		}
	}},
	{"ForgedCallbackRejected", "a forged or tampered callback is rejected and never reaches the application", func(t *testing.T, s *suite) {
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
}

// sendOne sends the suite's message to num1 through the client and returns its message id.
func (s *suite) sendOne(t testing.TB, p sms.Provider) string {
	t.Helper()
	res, err := s.client(t, p).Send(context.Background(), s.msg(num1))
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
