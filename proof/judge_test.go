package proof

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	fp "github.com/smsbridge/sms/internal/faultproxy"
)

// TestCheckCatches proves that the campaign's judge can fail: each case is a send record
// with one thing wrong (or nothing), and the judge must find exactly that.
func TestCheckCatches(t *testing.T) {
	const to = "+14157000001"
	ok := func(id string) []sms.SendResult { return []sms.SendResult{{To: to, MessageID: id}} }
	failed := func(err error) []sms.SendResult { return []sms.SendResult{{To: to, Err: err}} }
	ev := func(f fp.Fault) fp.Event { return fp.Event{Fault: f, Method: "POST"} }
	refused := fp.Event{Fault: fp.Refuse, Dial: true}
	fine := attempt{status: 200}
	dialErr := attempt{err: errors.New("connect: connection refused")}
	held := record{ID: "M1", To: to}
	unknown := &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: "test"}
	limited := &sms.Error{Code: sms.CodeRateLimited, Provider: "test", NotAccepted: true, RetryAfter: retryAfter}
	unavailable := &sms.Error{Code: sms.CodeUnavailable, Provider: "test", NotAccepted: true}

	tests := []struct {
		name       string
		idempotent bool
		x          sent
		recs       []record
		problems   int
	}{
		{"success", false, sent{res: ok("M1"), events: []fp.Event{ev(fp.None)}, attempts: []attempt{fine}}, []record{held}, 0},
		{"success after a refused dial", false,
			sent{res: ok("M1"), events: []fp.Event{refused, ev(fp.None)}, attempts: []attempt{dialErr, fine}, delays: []time.Duration{baseDelay}},
			[]record{held}, 0},
		{"success after a 429", false,
			sent{res: ok("M1"), events: []fp.Event{ev(fp.TooManyRequests), ev(fp.None)}, attempts: []attempt{{status: 429}, fine}, delays: []time.Duration{retryAfter}},
			[]record{held}, 0},
		{"OutcomeUnknown after a reset, message held", false,
			sent{res: failed(unknown), events: []fp.Event{ev(fp.ResetAfter)}, attempts: []attempt{{err: errors.New("reset")}}},
			[]record{held}, 0},
		{"idempotent resend after a 500", true,
			sent{res: ok("M1"), events: []fp.Event{ev(fp.InternalAfter), ev(fp.None)}, attempts: []attempt{{status: 500}, fine}, delays: []time.Duration{baseDelay}},
			[]record{{ID: "M1", To: to, Key: "k", Repeats: 1}}, 0},
		{"not accepted after ambiguous is OutcomeUnknown", true,
			sent{res: failed(unknown), events: []fp.Event{ev(fp.ResetBefore), ev(fp.Unavailable), ev(fp.TooManyRequests)},
				attempts: []attempt{{err: errors.New("reset")}, {status: 503}, {status: 429}}, delays: []time.Duration{baseDelay, 2 * baseDelay}},
			nil, 0},

		{"accepted twice", false, sent{res: ok("M1"), events: []fp.Event{ev(fp.None)}, attempts: []attempt{fine}},
			[]record{held, {ID: "M2", To: to}}, 3}, // twice; the success is not the only message; one request made two
		{"idempotency key twice", true, sent{res: ok("M1"), events: []fp.Event{ev(fp.None)}, attempts: []attempt{fine}},
			[]record{{ID: "M1", To: to, Key: "k"}, {ID: "M9", To: "+14157000002", Key: "k"}}, 1},
		{"success missing from the record", false, sent{res: ok("M1"), events: []fp.Event{ev(fp.None)}, attempts: []attempt{fine}}, nil, 3},
		{"success without an id", false, sent{res: ok(""), events: []fp.Event{ev(fp.None)}, attempts: []attempt{fine}}, []record{held}, 2},
		{"unclassified error", false,
			sent{res: failed(errors.New("boom")), events: []fp.Event{ev(fp.ResetBefore)}, attempts: []attempt{{err: errors.New("reset")}}}, nil, 2},
		{"code Unknown", false,
			sent{res: failed(&sms.Error{Provider: "test"}), events: []fp.Event{ev(fp.ResetBefore)}, attempts: []attempt{{err: errors.New("reset")}}}, nil, 2},
		{"not accepted, yet held", false,
			sent{res: failed(unavailable), events: []fp.Event{refused, refused, refused},
				attempts: []attempt{dialErr, dialErr, dialErr}, delays: []time.Duration{baseDelay, 2 * baseDelay}},
			[]record{held}, 2}, // the proof is false, and nothing reached the vendor
		{"resent after an ambiguous failure", false,
			sent{res: ok("M1"), events: []fp.Event{ev(fp.ResetAfter), ev(fp.None)}, attempts: []attempt{{err: errors.New("reset")}, fine}, delays: []time.Duration{baseDelay}},
			[]record{held}, 2}, // the reset should have ended it, with OutcomeUnknown
		{"no retry after a refused dial", false,
			sent{res: failed(unavailable), events: []fp.Event{refused}, attempts: []attempt{dialErr}}, nil, 1},
		{"Retry-After not honoured", false,
			sent{res: ok("M1"), events: []fp.Event{ev(fp.TooManyRequests), ev(fp.None)}, attempts: []attempt{{status: 429}, fine}, delays: []time.Duration{baseDelay}},
			[]record{held}, 1},
		{"backoff out of range", false,
			sent{res: ok("M1"), events: []fp.Event{refused, ev(fp.None)}, attempts: []attempt{dialErr, fine}, delays: []time.Duration{time.Second}},
			[]record{held}, 1},
		{"three 429s", false,
			sent{res: failed(limited), events: []fp.Event{ev(fp.TooManyRequests), ev(fp.TooManyRequests), ev(fp.TooManyRequests)},
				attempts: []attempt{{status: 429}, {status: 429}, {status: 429}}, delays: []time.Duration{retryAfter, retryAfter}},
			nil, 0},
		{"RateLimited reported as OutcomeUnknown", false,
			sent{res: failed(unknown), events: []fp.Event{ev(fp.TooManyRequests), ev(fp.TooManyRequests), ev(fp.TooManyRequests)},
				attempts: []attempt{{status: 429}, {status: 429}, {status: 429}}, delays: []time.Duration{retryAfter, retryAfter}},
			nil, 1},
		{"a 503 the vendor does not document, called not accepted", false,
			sent{res: failed(unavailable), events: []fp.Event{ev(fp.Unavailable)}, attempts: []attempt{{status: 503}}}, nil, 1},
		{"error without the provider's name", false,
			sent{res: failed(&sms.Error{Code: sms.CodeOutcomeUnknown}), events: []fp.Event{ev(fp.ResetBefore)}, attempts: []attempt{{err: errors.New("reset")}}}, nil, 1},
		{"Attempts miscounted", false,
			sent{res: []sms.SendResult{{To: to, MessageID: "M1", Attempts: 2}}, events: []fp.Event{ev(fp.None)}, attempts: []attempt{fine}}, []record{held}, 1},
		{"attempts the proxy did not see", false,
			sent{res: ok("M1"), events: []fp.Event{ev(fp.None)}, attempts: []attempt{dialErr, fine}}, []record{held}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.x.to = []string{to}
			for i := range tt.x.res {
				if tt.x.res[i].Attempts == 0 {
					tt.x.res[i].Attempts = len(tt.x.events)
				}
			}
			var got []string
			s := &summary{failed: map[sms.Code]int{}}
			check(vendor{name: "test"}, tt.idempotent, []sent{tt.x}, tt.recs, s, func(format string, args ...any) {
				got = append(got, fmt.Sprintf(format, args...))
			})
			if len(got) != tt.problems || s.problems != 0 {
				t.Errorf("%d problems, want %d:", len(got), tt.problems)
				for _, p := range got {
					t.Log("  ", p)
				}
			}
		})
	}
}

// TestSpuriousTimeout: a client timeout on a request the proxy did not hold is judged as a
// held response and counted, not reported.
func TestSpuriousTimeout(t *testing.T) {
	to := "+14157000001"
	x := sent{to: []string{to}, res: []sms.SendResult{{To: to, Attempts: 1, Err: &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: "test"}}},
		events:   []fp.Event{{Fault: fp.None, Method: "POST", Upstream: 201, Status: 201}},
		attempts: []attempt{{err: errors.New("net/http: request canceled"), timedOut: true}}}
	s := &summary{failed: map[sms.Code]int{}}
	var got []string
	check(vendor{name: "test"}, false, []sent{x}, []record{{ID: "M1", To: to}}, s, func(format string, args ...any) {
		got = append(got, fmt.Sprintf(format, args...))
	})
	if len(got) != 0 || s.spurious != 1 || s.unknownHeld != 1 {
		t.Errorf("problems %q, spurious %d, unknown held %d; want none, 1, 1", got, s.spurious, s.unknownHeld)
	}
}
