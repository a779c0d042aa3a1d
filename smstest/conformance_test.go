package smstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/smsbridge/sms"
)

// The kit's own test: for every rule, a deliberately broken driver (a Recorder behind a wrapper
// that gets one thing wrong) that the rule must fail. The rule runs against a ruleT that
// records failures instead of failing this test.

// ruleT is a testing.TB whose failures and skips are recorded; the harness still gets the real
// subtest for its cleanups.
type ruleT struct {
	testing.TB
	mu              sync.Mutex
	failed, skipped bool
	msgs            []string
}

func (r *ruleT) note(failed bool, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if failed {
		r.failed = true
	} else {
		r.skipped = true
	}
	r.msgs = append(r.msgs, msg)
}

func (r *ruleT) Helper()                           {}
func (r *ruleT) Error(args ...any)                 { r.note(true, fmt.Sprint(args...)) }
func (r *ruleT) Errorf(format string, args ...any) { r.note(true, fmt.Sprintf(format, args...)) }
func (r *ruleT) Fail()                             { r.note(true, "Fail") }
func (r *ruleT) FailNow()                          { r.note(true, "FailNow"); runtime.Goexit() }
func (r *ruleT) Fatal(args ...any)                 { r.Error(args...); runtime.Goexit() }
func (r *ruleT) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}
func (r *ruleT) Skip(args ...any) { r.note(false, fmt.Sprint(args...)); runtime.Goexit() }
func (r *ruleT) Skipf(format string, args ...any) {
	r.note(false, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *ruleT) SkipNow() { r.note(false, "SkipNow"); runtime.Goexit() }
func (r *ruleT) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}
func (r *ruleT) Skipped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skipped
}

// runRule runs one rule against h and returns what it recorded.
func runRule(t *testing.T, r rule, h Harness, f Features) *ruleT {
	rt := &ruleT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.run(rt, newSuite(h, f))
	}()
	<-done
	return rt
}

// broken is a driver over a Recorder with one thing wrong.
type broken struct {
	*Recorder
	caps  func(sms.Capabilities) sms.Capabilities
	send  func(ctx context.Context, msg *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error)
	parse func(cb *sms.Callback) // changes the decoded callback
	open  bool                   // accepts forged callbacks
}

func (b *broken) Capabilities() sms.Capabilities {
	c := b.Recorder.Capabilities()
	if b.caps != nil {
		c = b.caps(c)
	}
	return c
}

func (b *broken) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	if b.send != nil {
		return b.send(ctx, msg, b.Recorder.Send)
	}
	return b.Recorder.Send(ctx, msg)
}

func (b *broken) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if b.open {
		r = r.Clone(ctx)
		r.Header.Set(SignatureHeader, b.Recorder.sign(body))
	}
	cb, err := b.Recorder.ParseCallback(ctx, r, body)
	if err == nil && b.parse != nil {
		b.parse(cb)
	}
	return cb, err
}

// brokenHarness is the Recorder harness with the provider replaced by a broken driver.
type brokenHarness struct {
	*RecorderHarness
	wrap func(*Recorder) *broken
}

func (h *brokenHarness) Provider(t testing.TB) sms.Provider { return h.wrap(h.R) }
func (h *brokenHarness) ProviderWithBadCredentials(t testing.TB) sms.Provider {
	return h.wrap(h.RecorderHarness.ProviderWithBadCredentials(t).(*Recorder))
}

// eachEvent applies f to every event of a callback.
func eachEvent(f func(ev *sms.Event)) func(*sms.Callback) {
	return func(cb *sms.Callback) {
		for i := range cb.Events {
			f(&cb.Events[i])
		}
	}
}

// brokenDrivers names, per rule, the driver it must catch.
var brokenDrivers = map[string]struct {
	what string
	wrap func(*Recorder) *broken
	opts *RecorderOptions // options of the Recorder under the driver, when not the default
}{
	"SendOne": {"returns results without message ids", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			res, err := next(ctx, m)
			for i := range res {
				res[i].MessageID = ""
			}
			return res, err
		}}
	}, nil},
	"SendManyInOrder": {"returns its results in reverse order", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			res, err := next(ctx, m)
			for i, j := 0, len(res)-1; i < j; i, j = i+1, j-1 {
				res[i], res[j] = res[j], res[i]
			}
			return res, err
		}}
	}, nil},
	"InvalidNumberNoRequest": {"sends whatever it is given, even no recipient", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			if m == nil {
				m = &sms.Message{}
			}
			if len(m.To) == 0 {
				c := *m
				c.To = []string{""}
				m = &c
			}
			return next(ctx, m)
		}}
	}, nil},
	"InvalidMessageNoRequest": {"declares a body limit above the vendor's", func(r *Recorder) *broken {
		return &broken{Recorder: r, caps: func(c sms.Capabilities) sms.Capabilities { c.MaxBody = 2000; return c }}
	}, nil},
	"UnsupportedSenderType": {"claims sender types the vendor refuses", func(r *Recorder) *broken {
		return &broken{Recorder: r, caps: func(c sms.Capabilities) sms.Capabilities {
			c.SenderTypes = []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree, sms.SenderShortCode, sms.SenderAlphanumeric, sms.SenderPool}
			return c
		}}
	}, &RecorderOptions{Capabilities: &sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode}, MaxRecipients: 100, MaxBody: 1600, DeliveryReports: true, Inbound: true}}},
	"BadCredentials": {"reports a refused key as Unavailable", mapErrors(func(e *sms.Error) {
		if e.Code == sms.CodeUnauthenticated {
			e.Code = sms.CodeUnavailable
		}
	}), nil},
	"RateLimitRetried": {"drops Retry-After", mapErrors(func(e *sms.Error) { e.RetryAfter = 0 }), nil},
	"ResetAfterWriteNeverTwice": {"retries on its own after an ambiguous failure", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			res, err := next(ctx, m)
			if sms.ErrorCode(err) == sms.CodeOutcomeUnknown {
				return next(ctx, m)
			}
			return res, err
		}}
	}, nil},
	"CanceledContext": {"reports a send canceled after it was written as the bare context error (not written)", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			res, err := next(ctx, m)
			if err != nil && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return res, err
		}}
	}, nil},
	"NoCredentialLeak": {"puts its key into errors", mapErrors(func(e *sms.Error) { e.Message += " (key rec-key-0123456789)" }), nil},
	"ConcurrentSends": {"derives message ids from something concurrent sends share", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			res, err := next(ctx, m)
			for i := range res {
				if res[i].Err == nil {
					res[i].MessageID = "id-" + m.Body
				}
			}
			return res, err
		}}
	}, nil},
	"DeliveryReportRoundTrip": {"drops the message id of reports", parseEach(func(ev *sms.Event) { ev.MessageID = "" }), nil},
	"DuplicateCallbackOnce": {"gives each decoding a new event id", func(r *Recorder) *broken {
		var mu sync.Mutex
		n := 0
		return &broken{Recorder: r, parse: eachEvent(func(ev *sms.Event) {
			mu.Lock()
			n++
			ev.ID = fmt.Sprintf("nonce-%d", n)
			mu.Unlock()
		})}
	}, nil},
	"UnknownStatusKept": {"maps an unknown vendor word to Failed", parseEach(func(ev *sms.Event) {
		if ev.Type == sms.EventDeliveryReport && ev.Status == sms.StatusUnknown {
			ev.Status = sms.StatusFailed
		}
	}), nil},
	"BatchOneEventPerItem": {"keeps only the first item of a batch", parseWith(func(cb *sms.Callback) { cb.Events = cb.Events[:min(1, len(cb.Events))] }), nil},
	"OutOfOrderNeverRegresses": {"maps delivered to sent", parseEach(func(ev *sms.Event) {
		if ev.Status == sms.StatusDelivered {
			ev.Status = sms.StatusSent
		}
	}), nil},
	"InboundMessage":      {"drops the body of inbound messages", parseEach(func(ev *sms.Event) { ev.Body = "" }), nil},
	"InboundStopIsOptOut": {"reports inbound messages as unknown events", parseEach(func(ev *sms.Event) { ev.Type = sms.EventUnknown }), nil},
	"VendorOptOutSurvives": {"classifies keywords itself and drops the vendor's opt-out flag", parseEach(func(ev *sms.Event) {
		if ev.Type.IsInbound() {
			ev.Type = sms.EventInbound
			sms.DefaultKeywords().Apply(ev)
		}
	}), nil},
	"ForgedCallbackRejected": {"ignores forged signatures", func(r *Recorder) *broken { return &broken{Recorder: r, open: true} }, nil},
	"BadRecipientAmongGood": {"sends to the first recipient only and reports the others sent", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			c := *m
			c.To = m.To[:1]
			res, err := next(ctx, &c)
			if err != nil {
				return res, err
			}
			for _, to := range m.To[1:] {
				res = append(res, sms.SendResult{To: to, MessageID: "made-up-" + to, Status: sms.StatusAccepted})
			}
			return res, nil
		}}
	}, nil},
	"AllRecipientsFailed": {"loses the vendor's per-recipient code", func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			res, err := next(ctx, m)
			for i := range res {
				if res[i].Err != nil {
					res[i].Err = &sms.Error{Code: sms.CodeUnknown, Message: "refused", NotAccepted: true}
				}
			}
			return res, err
		}}
	}, nil},
	"FailedReportCode": {"leaves Event.Code unset", parseEach(func(ev *sms.Event) { ev.Code = sms.CodeUnknown }), nil},
	// Invalid UTF-8 is no longer a driver bug to catch here: webhook replaces it before any
	// application sees the event. A status outside the enum cannot survive JSON.
	"EventsJSONRoundTrip": {"reports a status outside sms.Status's values", parseEach(func(ev *sms.Event) {
		if ev.Type == sms.EventDeliveryReport {
			ev.Status = sms.Status(99)
		}
	}), nil},
}

func mapErrors(f func(*sms.Error)) func(*Recorder) *broken {
	fix := func(err error) error {
		var e *sms.Error
		if !errors.As(err, &e) {
			return err
		}
		c := *e
		f(&c)
		return &c
	}
	return func(r *Recorder) *broken {
		return &broken{Recorder: r, send: func(ctx context.Context, m *sms.Message, next func(context.Context, *sms.Message) ([]sms.SendResult, error)) ([]sms.SendResult, error) {
			res, err := next(ctx, m)
			for i := range res {
				if res[i].Err != nil {
					res[i].Err = fix(res[i].Err)
				}
			}
			if err != nil {
				err = fix(err)
			}
			return res, err
		}}
	}
}

func parseEach(f func(*sms.Event)) func(*Recorder) *broken {
	return parseWith(eachEvent(f))
}

func parseWith(f func(*sms.Callback)) func(*Recorder) *broken {
	return func(r *Recorder) *broken { return &broken{Recorder: r, parse: f} }
}

// Every rule fails its broken driver; and the same rule passes the Recorder it wraps, so the
// failure is the driver's.
func TestEveryRuleCatchesItsBrokenDriver(t *testing.T) {
	f := Features{BatchCallbacks: true}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			bd, ok := brokenDrivers[r.name]
			if !ok {
				t.Fatalf("rule %s has no broken driver in this test", r.name)
			}
			newHarness := func() *brokenHarness {
				h := NewRecorderHarness()
				if bd.opts != nil {
					o := *bd.opts
					o.Credential, o.Expected = h.R.opts.Credential, h.R.opts.Expected
					h.R = NewRecorder(&o)
				}
				return &brokenHarness{RecorderHarness: h, wrap: bd.wrap}
			}
			good := runRule(t, r, newHarness().RecorderHarness, f)
			if good.Failed() {
				t.Fatalf("the rule fails the Recorder itself: %v", good.msgs)
			}
			got := runRule(t, r, newHarness(), f)
			switch {
			case got.Skipped() && len(got.msgs) > 0 && strings.HasPrefix(got.msgs[len(got.msgs)-1], "needs root"):
				t.Skipf("the rule waits for the root: %s", got.msgs[len(got.msgs)-1])
			case got.Skipped() && !got.Failed():
				t.Fatalf("the rule skipped a driver that %s: %v", bd.what, got.msgs)
			case !got.Failed():
				t.Fatalf("the rule passed a driver that %s", bd.what)
			}
			t.Logf("caught a driver that %s: %.300s", bd.what, got.msgs[0])
		})
	}
	for name := range brokenDrivers {
		found := false
		for _, r := range rules {
			found = found || r.name == name
		}
		if !found {
			t.Errorf("broken driver for unknown rule %s", name)
		}
	}
}
