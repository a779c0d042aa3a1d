package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

// stepClock is a manual sms.Clock: Sleep moves it by d at once and returns, so a test reads
// the delays that were asked for without waiting on the wall clock.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.advance(d)
	return ctx.Err()
}

func (c *stepClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(max(d, 0))
	c.mu.Unlock()
}

// clockLimiter waits perToken × n on the test's clock, so the wait the observer reports is
// known exactly; fail makes its next wait fail.
type clockLimiter struct {
	clock    *stepClock
	perToken time.Duration
	fail     error
}

func (l *clockLimiter) Wait(ctx context.Context, _ string, _ sms.Sender, n int) error {
	if l.fail != nil {
		return l.fail
	}
	l.clock.advance(time.Duration(n) * l.perToken)
	return ctx.Err()
}

// traceLog records every hook call as one line.
type traceLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *traceLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

type ctxTag struct{}

// observer returns an Observer logging every hook to l. SendStart and AttemptStart tag the
// context; the hooks after them check the tag came through.
func (l *traceLog) observer(t *testing.T) *sms.Observer {
	tagged := func(ctx context.Context, want string) {
		require.Equal(t, want, ctx.Value(ctxTag{}), "the context returned by the start hook reaches the later hooks")
	}
	return &sms.Observer{
		SendStart: func(ctx context.Context, i sms.SendStartInfo) context.Context {
			l.add("send start %s %s recipients=%d segments=%d", i.Provider, i.SenderType, i.Recipients, i.Segments)
			return context.WithValue(ctx, ctxTag{}, "send")
		},
		SendDone: func(ctx context.Context, i sms.SendDoneInfo) {
			tagged(ctx, "send")
			l.add("send done accepted=%d attempts=%d elapsed=%s results=%d err=%s", i.Accepted, i.Attempts, i.Elapsed, len(i.Results), sms.ErrorCode(i.Err))
		},
		AttemptStart: func(ctx context.Context, i sms.AttemptStartInfo) context.Context {
			tagged(ctx, "send")
			l.add("attempt %d start recipients=%d", i.Attempt, i.Recipients)
			return context.WithValue(ctx, ctxTag{}, "attempt")
		},
		AttemptDone: func(ctx context.Context, i sms.AttemptDoneInfo) {
			tagged(ctx, "attempt")
			l.add("attempt %d done recipients=%d accepted=%d code=%s", i.Attempt, i.Recipients, i.Accepted, i.Code)
		},
		LimiterWait: func(ctx context.Context, i sms.LimiterWaitInfo) {
			tagged(ctx, "send")
			l.add("limiter attempt=%d tokens=%d waited=%s err=%v", i.Attempt, i.Tokens, i.Waited, i.Err != nil)
		},
		RetryWait: func(ctx context.Context, i sms.RetryWaitInfo) {
			tagged(ctx, "send")
			l.add("retry after attempt %d recipients=%d delay=%s code=%s", i.Attempt, i.Recipients, i.Delay, i.Code)
		},
		Result: func(ctx context.Context, i int, r sms.SendResult) {
			tagged(ctx, "send")
			l.add("result %d %s attempts=%d code=%s", i, r.To, r.Attempts, codeOf(r.Err))
		},
	}
}

func codeOf(err error) string {
	if err == nil {
		return "ok"
	}
	return sms.ErrorCode(err).String()
}

// The hooks report, in order, what the client did, and the waits are the delays the client
// asked of its clock: the vendor's Retry-After, the computed backoff, and the limiter's wait
// measured on the same clock.
func TestObserverHooks(t *testing.T) {
	limited := &sms.Error{Code: sms.CodeRateLimited, HTTPStatus: 429, NotAccepted: true, RetryAfter: 7 * time.Second}
	unavailable := &sms.Error{Code: sms.CodeUnavailable, HTTPStatus: 503, NotAccepted: true}
	refused := &sms.Error{Code: sms.CodeInvalidRecipient, HTTPStatus: 400, NotAccepted: true}
	tests := []struct {
		name    string
		to      []string
		script  map[string][]error
		limiter bool
		want    []string
	}{{
		name: "accepted at once",
		to:   []string{"+12025550101"},
		want: []string{
			"send start rec long_code recipients=1 segments=1",
			"attempt 1 start recipients=1",
			"attempt 1 done recipients=1 accepted=1 code=Unknown",
			"result 0 +12025550101 attempts=1 code=ok",
			"send done accepted=1 attempts=1 elapsed=0s results=1 err=Unknown",
		},
	}, {
		name:    "retry-after then accepted, behind a limiter",
		to:      []string{"+12025550101", "+12025550102"},
		script:  map[string][]error{"+12025550102": {limited}},
		limiter: true,
		want: []string{
			"send start rec long_code recipients=2 segments=1",
			"limiter attempt=1 tokens=2 waited=2s err=false",
			"attempt 1 start recipients=2",
			"attempt 1 done recipients=2 accepted=1 code=RateLimited",
			"result 0 +12025550101 attempts=1 code=ok",
			"retry after attempt 1 recipients=1 delay=7s code=RateLimited",
			"limiter attempt=2 tokens=1 waited=1s err=false",
			"attempt 2 start recipients=1",
			"attempt 2 done recipients=1 accepted=1 code=Unknown",
			"result 1 +12025550102 attempts=2 code=ok",
			"send done accepted=2 attempts=3 elapsed=10s results=2 err=Unknown",
		},
	}, {
		name:   "backoff doubles, then the attempts run out",
		to:     []string{"+12025550101"},
		script: map[string][]error{"+12025550101": {unavailable, unavailable, unavailable}},
		want: []string{
			"send start rec long_code recipients=1 segments=1",
			"attempt 1 start recipients=1",
			"attempt 1 done recipients=1 accepted=0 code=Unavailable",
			"retry after attempt 1 recipients=1 delay=100ms code=Unavailable",
			"attempt 2 start recipients=1",
			"attempt 2 done recipients=1 accepted=0 code=Unavailable",
			"retry after attempt 2 recipients=1 delay=200ms code=Unavailable",
			"attempt 3 start recipients=1",
			"attempt 3 done recipients=1 accepted=0 code=Unavailable",
			"result 0 +12025550101 attempts=3 code=Unavailable",
			"send done accepted=0 attempts=3 elapsed=300ms results=1 err=Unavailable",
		},
	}, {
		name:   "refused and invalid recipients are final without retries",
		to:     []string{"+12025550101", "not a number", "+12025550103"},
		script: map[string][]error{"+12025550103": {refused}},
		want: []string{
			"send start rec long_code recipients=3 segments=1",
			"result 1 not a number attempts=0 code=InvalidRecipient",
			"attempt 1 start recipients=2",
			"attempt 1 done recipients=2 accepted=1 code=InvalidRecipient",
			"result 0 +12025550101 attempts=1 code=ok",
			"result 2 +12025550103 attempts=1 code=InvalidRecipient",
			"send done accepted=1 attempts=2 elapsed=0s results=3 err=Unknown",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := smstest.NewRecorder(&smstest.RecorderOptions{Name: "rec"})
			for to, errs := range tt.script {
				rec.Script(to, errs...)
			}
			clock := &stepClock{t: time.Unix(1700000000, 0)}
			var log traceLog
			opts := &sms.ClientOptions{Clock: clock, Observer: log.observer(t),
				Retry: sms.RetryPolicy{BaseDelay: 100 * time.Millisecond, NoJitter: true}}
			if tt.limiter {
				opts.Limiter = &clockLimiter{clock: clock, perToken: time.Second}
			}
			c := sms.NewClient(rec, opts)
			_, _ = c.Send(context.Background(), &sms.Message{To: tt.to, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
			require.Equal(t, tt.want, log.lines)
		})
	}
}

// A failing limiter is reported with its error, and the recipients it held back are final.
func TestObserverLimiterFailure(t *testing.T) {
	clock := &stepClock{}
	var log traceLog
	c := sms.NewClient(smstest.NewRecorder(&smstest.RecorderOptions{Name: "rec"}), &sms.ClientOptions{
		Clock: clock, Observer: log.observer(t), Limiter: &clockLimiter{clock: clock, fail: errors.New("limiter down")}})
	_, err := c.Send(context.Background(), oneMsg())
	require.Error(t, err)
	require.Equal(t, []string{
		"send start rec long_code recipients=1 segments=1",
		"limiter attempt=1 tokens=1 waited=0s err=true",
		"result 0 +12025550101 attempts=0 code=Unavailable",
		"send done accepted=0 attempts=0 elapsed=0s results=1 err=Unavailable",
	}, log.lines)
}

// A message refused as a whole calls no hook; an Observer with no hooks set changes nothing.
func TestObserverQuiet(t *testing.T) {
	var log traceLog
	c := sms.NewClient(smstest.NewRecorder(nil), &sms.ClientOptions{Observer: log.observer(t)})
	_, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}})
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	require.Empty(t, log.lines)

	c = sms.NewClient(smstest.NewRecorder(nil), &sms.ClientOptions{Observer: &sms.Observer{}})
	res, err := c.Send(sms.WithProgress(context.Background(), nil), oneMsg())
	require.NoError(t, err)
	require.Len(t, res, 1)
}

// WithProgress calls its function once per recipient, as each becomes final, never two calls
// at once although the requests run concurrently: the function below keeps unsynchronised
// state, so the race detector would catch overlapping calls, and the in-flight counter
// catches them without it.
func TestWithProgress(t *testing.T) {
	rec := smstest.NewRecorder(&smstest.RecorderOptions{MaxRecipients: 3})
	limited := &sms.Error{Code: sms.CodeRateLimited, NotAccepted: true, RetryAfter: time.Second}
	var to []string
	for i := range 60 {
		to = append(to, fmt.Sprintf("+120255501%02d", i))
	}
	to[7] = "bad"
	rec.Script(to[10], limited)
	rec.Script(to[20], &sms.Error{Code: sms.CodeInvalidRecipient, NotAccepted: true})
	optedOut := to[30]
	c := sms.NewClient(rec, &sms.ClientOptions{
		Clock: &stepClock{}, Concurrency: 8,
		Suppressor: sms.SuppressorFunc(func(_ context.Context, _ sms.Sender, n string) (bool, error) { return n == optedOut, nil }),
	})

	var inFlight atomic.Int32
	seen := map[int]sms.SendResult{} // written without a lock: the calls are serialized
	var order []int
	ctx := sms.WithProgress(context.Background(), func(i int, r sms.SendResult) {
		if inFlight.Add(1) != 1 {
			t.Errorf("progress called concurrently")
		}
		defer inFlight.Add(-1)
		if _, dup := seen[i]; dup {
			t.Errorf("recipient %d reported twice", i)
		}
		seen[i] = r
		order = append(order, i)
	})
	res, err := c.Send(ctx, &sms.Message{To: to, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
	require.NoError(t, err)
	require.Len(t, seen, len(to))
	for i, r := range res {
		require.Equal(t, r, seen[i], "recipient %d reported as returned", i)
	}
	require.Equal(t, 2, res[10].Attempts)
	require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(res[20].Err))
	require.Equal(t, sms.CodeOptedOut, sms.ErrorCode(res[30].Err))
	// Recipients refused before any request come first; the retried one after its chunk.
	require.ElementsMatch(t, []int{7, 30}, order[:2])
	pos := map[int]int{}
	for p, i := range order {
		pos[i] = p
	}
	// Pending recipients go 3 to a request: 10, 11 and 12 share one (7 is refused before).
	require.Greater(t, pos[10], pos[11], "the retried recipient is final after the others of its request")
	require.Greater(t, pos[10], pos[12], "the retried recipient is final after the others of its request")
}

// Only the outermost Client reports progress and calls its observer, once per recipient,
// when one Client is reached again behind a wrapper of another.
func TestProgressNestedOnce(t *testing.T) {
	var innerLog traceLog
	inner := sms.NewClient(smstest.NewRecorder(nil), &sms.ClientOptions{Observer: innerLog.observer(t)})
	outer := sms.NewClient(passThrough{inner}, nil)
	var calls atomic.Int32
	ctx := sms.WithProgress(context.Background(), func(int, sms.SendResult) { calls.Add(1) })
	_, err := outer.Send(ctx, &sms.Message{To: []string{"+12025550101", "+12025550102"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
	require.NoError(t, err)
	require.EqualValues(t, 2, calls.Load())
	require.Empty(t, innerLog.lines)
}

// passThrough hides a provider behind a wrapper (as middleware or a composite would).
type passThrough struct{ sms.Provider }

func (p passThrough) Send(ctx context.Context, m *sms.Message) ([]sms.SendResult, error) {
	return p.Provider.Send(ctx, m)
}

func (p passThrough) ParseCallback(ctx context.Context, r *http.Request, b []byte) (*sms.Callback, error) {
	return p.Provider.ParseCallback(ctx, r, b)
}

// Concurrent requests of one send report every attempt and every result exactly once.
func TestObserverConcurrentChunks(t *testing.T) {
	rec := smstest.NewRecorder(&smstest.RecorderOptions{MaxRecipients: 2})
	var log traceLog
	c := sms.NewClient(rec, &sms.ClientOptions{Observer: log.observer(t), Concurrency: 4})
	var to []string
	for i := range 9 {
		to = append(to, fmt.Sprintf("+1202555010%d", i))
	}
	_, err := c.Send(context.Background(), &sms.Message{To: to, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
	require.NoError(t, err)
	var attempts, results int
	for _, l := range log.lines {
		switch {
		case strings.HasPrefix(l, "attempt 1 done"):
			attempts++
		case strings.HasPrefix(l, "result "):
			results++
		}
	}
	require.Equal(t, 5, attempts)
	require.Equal(t, 9, results)
	require.True(t, strings.HasPrefix(log.lines[0], "send start"))
	require.True(t, strings.HasPrefix(log.lines[len(log.lines)-1], "send done accepted=9 attempts=9"))
	lines := append([]string(nil), log.lines...)
	sort.Strings(lines)
	require.Len(t, lines, 1+5+5+9+1)
}

// noopProvider accepts everything without work: the benchmark measures the Client's layer.
type noopProvider struct{ res []sms.SendResult }

func (noopProvider) Name() string { return "noop" }
func (noopProvider) Capabilities() sms.Capabilities {
	return sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode}, MaxRecipients: 1}
}
func (noopProvider) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	return nil, errors.ErrUnsupported
}
func (p noopProvider) Send(_ context.Context, m *sms.Message) ([]sms.SendResult, error) {
	p.res[0] = sms.SendResult{To: m.To[0], MessageID: "id", Status: sms.StatusAccepted}
	return p.res, nil
}

// BenchmarkClientSend measures Client.Send to a provider that does nothing, beside the same
// provider called directly (the baseline), without an observer, with an empty one, with every
// hook set to a no-op, and with a progress function: the cost of the root layer and of
// observing it.
func BenchmarkClientSend(b *testing.B) {
	p := noopProvider{res: make([]sms.SendResult, 1)}
	msg := &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi", IdempotencyKey: "k"}
	full := &sms.Observer{
		SendStart:    func(ctx context.Context, _ sms.SendStartInfo) context.Context { return ctx },
		SendDone:     func(context.Context, sms.SendDoneInfo) {},
		AttemptStart: func(ctx context.Context, _ sms.AttemptStartInfo) context.Context { return ctx },
		AttemptDone:  func(context.Context, sms.AttemptDoneInfo) {},
		RetryWait:    func(context.Context, sms.RetryWaitInfo) {},
		LimiterWait:  func(context.Context, sms.LimiterWaitInfo) {},
		Result:       func(context.Context, int, sms.SendResult) {},
	}
	ctx := context.Background()
	run := func(b *testing.B, c *sms.Client, ctx context.Context) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Send(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("provider", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Send(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client", func(b *testing.B) { run(b, sms.NewClient(p, nil), ctx) })
	b.Run("client+empty-observer", func(b *testing.B) { run(b, sms.NewClient(p, &sms.ClientOptions{Observer: &sms.Observer{}}), ctx) })
	b.Run("client+observer", func(b *testing.B) { run(b, sms.NewClient(p, &sms.ClientOptions{Observer: full}), ctx) })
	b.Run("client+progress", func(b *testing.B) {
		run(b, sms.NewClient(p, nil), sms.WithProgress(ctx, func(int, sms.SendResult) {}))
	})
}

// Show progress while a list is sent: one call per recipient as its result is final.
func ExampleWithProgress() {
	client := sms.NewClient(smstest.NewRecorder(nil), nil)
	list := []string{"+14155550100", "not a number", "+14155550102"}
	done := 0
	ctx := sms.WithProgress(context.Background(), func(i int, r sms.SendResult) {
		done++ // calls never overlap: no lock needed
		fmt.Printf("%d/%d %s ok=%t\n", done, len(list), list[i], r.OK())
	})
	if _, err := client.Send(ctx, &sms.Message{To: list, From: sms.Sender{Value: "+14155550000"}, Body: "Doors open at 7"}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1/3 not a number ok=false
	// 2/3 +14155550100 ok=true
	// 3/3 +14155550102 ok=true
}
