package proof

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/faultproxy"
)

var (
	long        = flag.Bool("long", false, "fault campaign: 10,000 sends per vendor instead of 200")
	seed        = flag.Uint64("seed", 1, "fault campaign: the seed of the fault sequence")
	slowTimeout = flag.Duration("slowtimeout", 500*time.Millisecond,
		"fault campaign: the HTTP client's timeout, which ends the responses the proxy holds")
)

const (
	faultRate   = 0.2             // share of the requests that meet a fault
	retryAfter  = 7 * time.Second // the proxy's 429 Retry-After; no backoff of the policy below reaches it
	baseDelay   = 100 * time.Millisecond
	maxAttempts = 3
	batchSize   = 3                // recipients of every tenth send, where the vendor takes several per request
	sendGuard   = 30 * time.Second // hang guard of one Send
	maxReported = 20               // failures printed per vendor; the rest are counted
)

// TestCampaign is the fault campaign (see the package documentation).
func TestCampaign(t *testing.T) {
	n := 200
	if *long {
		n = 10_000
	}
	leaks := goleak.IgnoreCurrent()
	var mu sync.Mutex
	sums := map[string]*summary{}
	// The vendors run side by side, each sending one message after another. Most of a run is
	// spent waiting for held responses to time out, so they run in goroutines of their own
	// rather than as parallel subtests, which -parallel (GOMAXPROCS) would queue.
	var wg sync.WaitGroup
	for _, v := range vendors {
		wg.Go(func() {
			t.Run(v.name, func(t *testing.T) {
				s := campaign(t, v, n)
				mu.Lock()
				sums[v.name] = s
				mu.Unlock()
			})
		})
	}
	wg.Wait()
	var ordered []*summary
	for _, v := range vendors {
		if s := sums[v.name]; s != nil {
			ordered = append(ordered, s)
		}
	}
	t.Logf("fault campaign: %d sends per vendor, seed %d, %.0f%% of requests faulted, client timeout %v\n%s",
		n, *seed, faultRate*100, *slowTimeout, table(ordered))
	goleak.VerifyNone(t, leaks)
}

// instantClock is the campaign's sms.Clock: Sleep returns at once and records the delay.
type instantClock struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (*instantClock) Now() time.Time { return time.Now() }

func (c *instantClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.delays = append(c.delays, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *instantClock) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.delays)
}

func (c *instantClock) since(n int) []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.delays[n:])
}

// tagHeader numbers the attempts for the proxy, which pairs them with its events by it and
// strips it before forwarding.
const tagHeader = "X-Campaign-Attempt"

// attempt is what the HTTP client saw of one request.
type attempt struct {
	id       int   // its number in tagHeader
	status   int   // the response status, 0 without a response
	err      error // from the round trip or from reading the body
	timedOut bool  // the client's own timeout ended it
	refused  bool  // the dial was refused
}

func (a attempt) String() string {
	switch {
	case a.err != nil:
		return fmt.Sprintf("attempt %d: %d, %v (timed out %v)", a.id, a.status, a.err, a.timedOut)
	default:
		return fmt.Sprintf("attempt %d: %d", a.id, a.status)
	}
}

// recordingTransport numbers and records every round trip the provider makes.
type recordingTransport struct {
	rt       *http.Transport
	mu       sync.Mutex
	attempts []attempt
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	i := len(r.attempts)
	r.attempts = append(r.attempts, attempt{id: i + 1})
	r.mu.Unlock()
	tagged := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	tagged.Header.Set(tagHeader, strconv.Itoa(i+1))
	resp, err := r.rt.RoundTrip(tagged)
	if err != nil {
		r.failed(i, req, err)
		return nil, err
	}
	r.mu.Lock()
	r.attempts[i].status = resp.StatusCode
	r.mu.Unlock()
	resp.Body = &recordingBody{ReadCloser: resp.Body, r: r, i: i, req: req}
	return resp, nil
}

// failed records attempt i's error. The client's timeout is the deadline of the request's
// context (http.Client sets it; the campaign's own context lives 30 s): an error once it
// has passed is the timeout, whichever error net/http chose to report it with.
func (r *recordingTransport) failed(i int, req *http.Request, err error) {
	dl, ok := req.Context().Deadline()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.attempts[i].err != nil {
		return
	}
	r.attempts[i].err = err
	r.attempts[i].timedOut = req.Context().Err() != nil || (ok && !time.Now().Before(dl))
	r.attempts[i].refused = errors.Is(err, syscall.ECONNREFUSED)
}

// CloseIdleConnections closes the idle connections of the transport (http.Client forwards).
func (r *recordingTransport) CloseIdleConnections() { r.rt.CloseIdleConnections() }

func (r *recordingTransport) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.attempts)
}

func (r *recordingTransport) since(n int) []attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.attempts[n:])
}

type recordingBody struct {
	io.ReadCloser
	r   *recordingTransport
	i   int
	req *http.Request
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.r.failed(b.i, b.req, err)
	}
	return n, err
}

// pair gives each attempt the proxy's event for it: a refused dial, or the request tagged
// with its number. unpaired counts the attempts the proxy has no event for.
func pair(attempts []attempt, byTag map[string][]faultproxy.Event) (events []faultproxy.Event, unpaired []attempt, replayed bool) {
	for _, a := range attempts {
		if a.refused {
			events = append(events, faultproxy.Event{Fault: faultproxy.Refuse, Dial: true})
			continue
		}
		evs := byTag[strconv.Itoa(a.id)]
		switch len(evs) {
		case 0:
			unpaired = append(unpaired, a)
		case 1:
			events = append(events, evs[0])
		default:
			replayed = true
			events = append(events, evs...)
		}
	}
	return events, unpaired, replayed
}

// sent is one Send of the campaign and everything observed about it.
type sent struct {
	i        int
	to       []string
	res      []sms.SendResult
	err      error
	events   []faultproxy.Event // what the proxy did, one per attempt
	attempts []attempt          // what the HTTP client saw, one per attempt
	delays   []time.Duration    // what sms.Client asked its clock to wait, one per retry
}

// summary is a vendor's line of the campaign's table.
type summary struct {
	vendor          string
	sends           int
	recipients      int
	attempts        int
	faults          map[faultproxy.Fault]int
	accepted        int
	failed          map[sms.Code]int
	unknownHeld     int // OutcomeUnknown, and the emulator has the message
	unknownNotHeld  int // OutcomeUnknown, and the emulator has no message
	acceptedTwice   int // recipients (or idempotency keys) with more than one message
	retries         int
	retryAfterWaits int
	repeats         int // resends the vendor answered with the message it already had (ACS)
	spurious        int // client timeouts on requests the proxy did not hold
	unpaired        int // attempts the client's timeout ended before the proxy saw them
	problems        int
}

// campaign runs n sends for v and checks them.
func campaign(t *testing.T, v vendor, n int) *summary {
	target, accepted, newProvider := v.start(t)
	proxy, err := faultproxy.New(faultproxy.Options{Target: target, Rate: faultRate, Seed: *seed, RetryAfter: retryAfter, TagHeader: tagHeader})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	tr := &recordingTransport{rt: proxy.Transport()}
	// The timeout ends the held (Slow) responses: the proxy keeps them until the client
	// closes, so it always fires there. Any other request that outlives it is counted as a
	// spurious timeout and judged as a held one.
	hc := &http.Client{Transport: tr, Timeout: *slowTimeout}
	p, err := newProvider(proxy.URL, hc)
	if err != nil {
		t.Fatal(err)
	}
	clock := &instantClock{}
	client := sms.NewClient(p, &sms.ClientOptions{
		Clock: clock,
		Retry: sms.RetryPolicy{MaxAttempts: maxAttempts, BaseDelay: baseDelay},
	})
	t.Cleanup(func() {
		client.CloseIdleConnections()
		tr.CloseIdleConnections()
	})

	// Every tenth send of a vendor that takes several recipients per request is a batch of
	// batchSize: one request, so each attempt is still one event at the proxy.
	batch := p.Capabilities().MaxRecipients >= batchSize
	sends := make([]sent, n)
	next := 0
	for i := range n {
		k := 1
		if batch && i%10 == 9 {
			k = batchSize
		}
		to := make([]string, k)
		for j := range to {
			to[j] = v.to(next)
			next++
		}
		a0, d0 := tr.len(), clock.len()
		ctx, cancel := context.WithTimeout(context.Background(), sendGuard)
		res, err := client.Send(ctx, &sms.Message{To: to, From: v.from, Body: fmt.Sprintf("campaign message %d", i)})
		cancel()
		sends[i] = sent{i: i, to: to, res: res, err: err, attempts: tr.since(a0), delays: clock.since(d0)}
	}
	// A request the client gave up on may reach the proxy after the send returned: close
	// the client's connections and the proxy (which waits for its handlers) before pairing.
	client.CloseIdleConnections()
	tr.CloseIdleConnections()
	_ = proxy.Close()

	s := &summary{vendor: v.name, sends: n, recipients: next, attempts: tr.len(), faults: proxy.Counts(), failed: map[sms.Code]int{}}
	problem := func(format string, args ...any) {
		s.problems++
		if s.problems <= maxReported {
			t.Errorf(format, args...)
		}
	}
	byTag := map[string][]faultproxy.Event{}
	for _, ev := range proxy.Events() {
		if !ev.Dial {
			byTag[ev.Tag] = append(byTag[ev.Tag], ev)
		}
	}
	refused := 0
	for i := range sends {
		x := &sends[i]
		var unpaired []attempt
		var replayed bool
		x.events, unpaired, replayed = pair(x.attempts, byTag)
		for _, a := range x.attempts {
			if a.refused {
				refused++
			}
		}
		switch {
		case replayed:
			problem("%s send %d: an attempt reached the proxy more than once (replayed by the transport): %v", v.name, i, x.events)
		case len(unpaired) > 0:
			// Only an attempt the client's timeout ended before its connection carried
			// anything can be missing; it is then not judged.
			for _, a := range unpaired {
				if !a.timedOut {
					problem("%s send %d: the proxy has no event for %v", v.name, i, a)
				}
			}
			s.unpaired += len(unpaired)
			x.events = nil // not modelled
		}
	}
	if refused != s.faults[faultproxy.Refuse] {
		problem("%s: the client saw %d refused dials, the proxy refused %d", v.name, refused, s.faults[faultproxy.Refuse])
	}
	check(v, p.Capabilities().IdempotentSends, sends, accepted(), s, problem)
	if s.problems > maxReported {
		t.Errorf("%d problems in all (the first %d are above)", s.problems, maxReported)
	}
	t.Logf("\n%s", table([]*summary{s}))
	return s
}

// outcome is what the library must make of one attempt.
type outcome struct {
	success     bool
	code        sms.Code
	notAccepted bool
	retryAfter  time.Duration
	reached     bool // the vendor processed the request (the emulator has the message)
}

// expect returns what the library must make of one attempt, judged by what the proxy did
// (ev) and what the client saw (a). spurious is true when the client's timeout ended an
// attempt the proxy did not hold (a busy machine, or a request the proxy got to only after
// the client had given up): the client then saw a timeout, OutcomeUnknown, whatever the
// proxy did next.
func expect(v vendor, ev faultproxy.Event, a attempt) (o outcome, spurious bool) {
	forwarded := !ev.Dial && ev.Upstream != 0
	switch f := ev.Fault; {
	case ev.Dial:
		return outcome{code: sms.CodeUnavailable, notAccepted: true}, false
	case a.timedOut && f != faultproxy.Slow:
		return outcome{code: sms.CodeOutcomeUnknown, reached: forwarded}, true
	case f == faultproxy.None, f == faultproxy.Refuse: // Refuse on a request: forwarded untouched
		return outcome{success: true, reached: true}, false
	case f == faultproxy.TooManyRequests:
		return outcome{code: sms.CodeRateLimited, notAccepted: true, retryAfter: retryAfter}, false
	case f == faultproxy.Unavailable:
		if slices.Contains(v.notProcessed, 503) {
			return outcome{code: sms.CodeUnavailable, notAccepted: true}, false
		}
		return outcome{code: sms.CodeOutcomeUnknown}, false
	case f == faultproxy.ResetBefore:
		return outcome{code: sms.CodeOutcomeUnknown}, false
	}
	// ResetAfter, InternalAfter, Slow: processed by the vendor, the answer lost or replaced.
	return outcome{code: sms.CodeOutcomeUnknown, reached: true}, false
}

// retries reports whether sms.Client retries after o.
func retries(o outcome, idempotent bool) bool {
	if o.notAccepted && (o.code == sms.CodeRateLimited || o.code == sms.CodeUnavailable) {
		return true
	}
	return idempotent && !o.success
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// check judges every send against the faults it met and the emulator's record.
func check(v vendor, idempotent bool, sends []sent, recs []record, s *summary, problem func(string, ...any)) {
	byTo := map[string][]record{}
	byID := map[string]record{}
	byKey := map[string]int{}
	for _, r := range recs {
		byTo[digits(r.To)] = append(byTo[digits(r.To)], r)
		byID[r.ID] = r
		if r.Key != "" {
			byKey[r.Key]++
		}
		s.repeats += r.Repeats
	}
	for to, rs := range byTo {
		if len(rs) > 1 {
			s.acceptedTwice++
			problem("%s: %s accepted %d times: %v", v.name, to, len(rs), rs)
		}
	}
	for key, k := range byKey {
		if k > 1 {
			s.acceptedTwice++
			problem("%s: idempotency key %s accepted %d times", v.name, key, k)
		}
	}

	for _, x := range sends {
		s.retries += len(x.delays)
		for _, d := range x.delays {
			if d == retryAfter {
				s.retryAfterWaits++
			}
		}
		final, reached, modelled := model(v, idempotent, x, s, problem)
		if len(x.res) != len(x.to) {
			problem("%s send %d: %d results for %d recipients (err %v)", v.name, x.i, len(x.res), len(x.to), x.err)
			continue
		}
		for j, r := range x.res {
			to := x.to[j]
			held := len(byTo[digits(to)])
			// Every result is classified.
			if r.Err == nil {
				s.accepted++
				if r.MessageID == "" {
					problem("%s send %d: success without a message id", v.name, x.i)
				}
			} else {
				var e *sms.Error
				switch {
				case !errors.As(r.Err, &e):
					problem("%s send %d: error %T is not an *sms.Error: %v", v.name, x.i, r.Err, r.Err)
				case e.Code == sms.CodeUnknown:
					problem("%s send %d: unclassified error: %v", v.name, x.i, r.Err)
				case e.Provider != v.name:
					problem("%s send %d: the error names provider %q: %v", v.name, x.i, e.Provider, r.Err)
				}
				code := sms.ErrorCode(r.Err)
				s.failed[code]++
				if code == sms.CodeOutcomeUnknown {
					if held > 0 {
						s.unknownHeld++
					} else {
						s.unknownNotHeld++
					}
				}
			}

			// The emulator's record agrees with the result.
			switch {
			case r.Err == nil:
				rec, ok := byID[r.MessageID]
				if !ok {
					problem("%s send %d: success %s is not in the emulator's record", v.name, x.i, r.MessageID)
				} else if digits(rec.To) != digits(to) {
					problem("%s send %d: success %s is the emulator's message to %s, sent to %s", v.name, x.i, r.MessageID, rec.To, to)
				}
				if held != 1 {
					problem("%s send %d: success, and the emulator holds %d messages for %s", v.name, x.i, held, to)
				}
			case sms.IsNotAccepted(r.Err) && held > 0:
				problem("%s send %d: %v proves the message was not accepted, and the emulator holds %d for %s",
					v.name, x.i, r.Err, held, to)
			}
			if !modelled {
				continue
			}

			// The result follows from the faults the send met.
			if r.Attempts != len(x.events) {
				problem("%s send %d: %s: Attempts = %d, and the proxy saw %d: %v", v.name, x.i, to, r.Attempts, len(x.events), x.events)
			}
			switch {
			case final.success && r.Err != nil:
				problem("%s send %d: %s: %v, want success after %v", v.name, x.i, to, r.Err, x.events)
			case !final.success && r.Err == nil:
				problem("%s send %d: %s: success, want %v after %v", v.name, x.i, to, final.code, x.events)
			case !final.success && (sms.ErrorCode(r.Err) != final.code || sms.IsNotAccepted(r.Err) != final.notAccepted):
				problem("%s send %d: %s: %v (not accepted: %v), want %v (not accepted: %v) after %v",
					v.name, x.i, to, r.Err, sms.IsNotAccepted(r.Err), final.code, final.notAccepted, x.events)
			}
			if reached && held != 1 {
				problem("%s send %d: the emulator holds %d messages for %s, want 1 after %v", v.name, x.i, held, to, x.events)
			} else if !reached && held != 0 {
				problem("%s send %d: the emulator holds %d messages for %s, and no request reached it: %v", v.name, x.i, held, to, x.events)
			}
		}
	}
}

// model replays the faults one send met (one request per attempt: the campaign's sends fit
// one vendor request) through the library's rules, checks the retries and their waits, and
// returns the outcome every recipient of the send must have and whether any attempt reached
// the vendor. modelled is false when the attempts cannot be paired with the proxy's events.
func model(v vendor, idempotent bool, x sent, s *summary, problem func(string, ...any)) (final outcome, reached, modelled bool) {
	if x.events == nil && len(x.attempts) > 0 {
		return outcome{}, false, false // some attempt could not be paired (counted by the caller)
	}
	if len(x.events) != len(x.attempts) || len(x.events) == 0 {
		problem("%s send %d: the proxy saw %d attempts (%v), the client made %d (%v)",
			v.name, x.i, len(x.events), x.events, len(x.attempts), x.attempts)
		return outcome{}, false, false
	}
	ambiguous := false
	for k, ev := range x.events {
		o, spurious := expect(v, ev, x.attempts[k])
		if spurious {
			s.spurious++
		}
		reached = reached || o.reached
		last := k == len(x.events)-1
		final = o
		if !o.success && o.notAccepted && ambiguous {
			// An earlier attempt may have been accepted: this refusal proves nothing.
			final.code, final.notAccepted = sms.CodeOutcomeUnknown, false
		}
		if o.success || k+1 == maxAttempts || !retries(o, idempotent) {
			if !last {
				problem("%s send %d: attempt %d (%v) should have been the last; events %v", v.name, x.i, k+1, ev, x.events)
			}
			break
		}
		if !o.notAccepted {
			ambiguous = true
		}
		if last {
			problem("%s send %d: no retry after attempt %d (%v)", v.name, x.i, k+1, ev)
			break
		}
		if k >= len(x.delays) {
			problem("%s send %d: retried without waiting after attempt %d", v.name, x.i, k+1)
			continue
		}
		d := x.delays[k]
		if o.retryAfter > 0 {
			if d != o.retryAfter {
				problem("%s send %d: waited %v after a 429 with Retry-After %v", v.name, x.i, d, o.retryAfter)
			}
		} else if b := baseDelay << k; d < b || d > b+b/4 {
			problem("%s send %d: waited %v after attempt %d, want backoff %v…%v", v.name, x.i, d, k+1, b, b+b/4)
		}
	}
	if len(x.delays) != len(x.events)-1 {
		problem("%s send %d: %d waits for %d attempts", v.name, x.i, len(x.delays), len(x.events))
	}
	return final, reached, true
}

// table formats summaries as one column per vendor.
func table(sums []*summary) string {
	type row struct {
		name string
		val  func(*summary) int
	}
	rows := []row{
		{"sends", func(s *summary) int { return s.sends }},
		{"recipients", func(s *summary) int { return s.recipients }},
		{"HTTP attempts", func(s *summary) int { return s.attempts }},
	}
	for _, f := range faultproxy.Faults() {
		rows = append(rows, row{"  fault: " + f.String(), func(s *summary) int { return s.faults[f] }})
	}
	rows = append(rows,
		row{"result: accepted (per recipient)", func(s *summary) int { return s.accepted }},
		row{"result: RateLimited", func(s *summary) int { return s.failed[sms.CodeRateLimited] }},
		row{"result: Unavailable", func(s *summary) int { return s.failed[sms.CodeUnavailable] }},
		row{"result: OutcomeUnknown, vendor has it", func(s *summary) int { return s.unknownHeld }},
		row{"result: OutcomeUnknown, vendor has not", func(s *summary) int { return s.unknownNotHeld }},
		row{"result: other codes", func(s *summary) int {
			n := 0
			for c, k := range s.failed {
				if c != sms.CodeRateLimited && c != sms.CodeUnavailable && c != sms.CodeOutcomeUnknown {
					n += k
				}
			}
			return n
		}},
		row{"accepted twice", func(s *summary) int { return s.acceptedTwice }},
		row{"resends de-duplicated by the vendor", func(s *summary) int { return s.repeats }},
		row{"retries", func(s *summary) int { return s.retries }},
		row{"  of them after Retry-After", func(s *summary) int { return s.retryAfterWaits }},
		row{"client timeouts not held by the proxy", func(s *summary) int { return s.spurious }},
		row{"  of them never seen by the proxy", func(s *summary) int { return s.unpaired }},
		row{"problems", func(s *summary) int { return s.problems }},
	)
	var b strings.Builder
	fmt.Fprintf(&b, "| %-40s |", "")
	for _, s := range sums {
		fmt.Fprintf(&b, " %12s |", s.vendor)
	}
	b.WriteString("\n| " + strings.Repeat("-", 40) + " |")
	for range sums {
		b.WriteString(" " + strings.Repeat("-", 11) + ": |")
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "\n| %-40s |", r.name)
		for _, s := range sums {
			fmt.Fprintf(&b, " %12d |", r.val(s))
		}
	}
	return b.String()
}
