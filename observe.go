package sms

import (
	"context"
	"sync"
	"time"
)

// Observer is a set of hooks a Client calls as a send goes through its layer: the send as a
// whole, each vendor request (attempt), each rate-limiter wait and retry wait, and each
// recipient's final result. Every field is optional; a nil hook is skipped, and a Client with
// no Observer (and no WithProgress function in the send's context) does no observing work at
// all. Tracing and metrics packages (the github.com/smsbridge/sms/otel module) fill these
// hooks; an application can fill some of them itself.
//
// It is a struct of functions, like net/http/httptrace.ClientTrace, rather than an interface:
// hooks can be added in later versions without breaking anyone, and an observer sets only the
// ones it needs.
//
// Hooks run synchronously on the send's goroutines, so they must be quick and must not call
// back into the Client. A send of more recipients than one request carries runs its requests
// concurrently (ClientOptions.Concurrency): AttemptStart, AttemptDone, LimiterWait, RetryWait
// and Result may then be called concurrently, and must be safe for that. SendStart is called
// once per Send before any of them, and SendDone once after all of them.
//
// The information the hooks receive holds no message body, no credentials and no phone
// numbers, except the recipient in the SendResult given to Result (and the Results of
// SendDoneInfo), which is the caller's own data.
//
// Hooks are called only for a message that passed the message-level checks: a send refused
// as a whole (a CodeInvalidArgument error and no results) calls none.
type Observer struct {
	// SendStart is called once the message is valid, before suppression checks and the
	// first request. The context it returns (ctx, or one derived from it, carrying a span
	// say) is the one the rest of the send runs with: the suppressor, the limiter, the other
	// hooks and the provider all receive it or a context derived from it.
	SendStart func(ctx context.Context, info SendStartInfo) context.Context
	// SendDone is called once, when Send is about to return.
	SendDone func(ctx context.Context, info SendDoneInfo)
	// AttemptStart is called before each vendor request. The context it returns is the one
	// the provider's Send receives (so an HTTP transport's span nests under an attempt span)
	// and the one AttemptDone receives.
	AttemptStart func(ctx context.Context, info AttemptStartInfo) context.Context
	// AttemptDone is called after each vendor request, once its recipients' results are
	// filled in.
	AttemptDone func(ctx context.Context, info AttemptDoneInfo)
	// LimiterWait is called after each ClientOptions.Limiter wait, with the time it took on
	// the Client's clock. Not called when the Client has no Limiter.
	LimiterWait func(ctx context.Context, info LimiterWaitInfo)
	// RetryWait is called before the Client waits to retry recipients the vendor did not
	// accept, with the delay it is about to wait.
	RetryWait func(ctx context.Context, info RetryWaitInfo)
	// Result is called once per recipient as soon as its result is final (see WithProgress
	// for the ordering and concurrency rules, which are the same). i indexes the message's To
	// and the results Send returns.
	Result func(ctx context.Context, i int, r SendResult)
}

// SendStartInfo describes a send as it starts.
type SendStartInfo struct {
	Provider   string     // the provider's Name
	SenderType SenderType // the sender's resolved type (never SenderAuto for a valid sender)
	Recipients int        // recipients in the message, valid or not
	Segments   int        // segments of the body per recipient (the library's count)
}

// SendDoneInfo describes a finished send.
type SendDoneInfo struct {
	SendStartInfo
	Accepted int           // recipients the vendor accepted
	Attempts int           // vendor requests made for all recipients, retries included
	Elapsed  time.Duration // from SendStart to SendDone, on the Client's clock
	// Results are the results Send returns, one per recipient. The hook must not modify
	// them; it may read them until it returns.
	Results []SendResult
	// Err is the error Send returns: nil when at least one recipient was accepted.
	Err error
}

// AttemptStartInfo describes one vendor request as it starts.
type AttemptStartInfo struct {
	Attempt    int // 1 for the first request of these recipients, 2 for the first retry, …
	Recipients int // recipients in this request
}

// AttemptDoneInfo describes one vendor request once its results are known.
type AttemptDoneInfo struct {
	AttemptStartInfo
	Accepted int           // recipients of this request the vendor accepted
	Elapsed  time.Duration // on the Client's clock
	// Code and Err are those of the first recipient of this request that was not accepted
	// (CodeUnknown and nil when every recipient was).
	Code Code
	Err  error
}

// LimiterWaitInfo describes one rate-limiter wait.
type LimiterWaitInfo struct {
	Attempt int           // the attempt the wait precedes
	Tokens  int           // tokens asked for: recipients × segments
	Waited  time.Duration // time the wait took, on the Client's clock
	Err     error         // the limiter's error, if the wait failed (the send then gives up)
}

// RetryWaitInfo describes a wait before a retry.
type RetryWaitInfo struct {
	Attempt    int           // the attempt that failed; the retry is Attempt+1
	Recipients int           // recipients about to be retried
	Delay      time.Duration // the delay the Client is about to wait (Retry-After or backoff)
	Code       Code          // the error code of the first recipient retried: the cause
}

// progressKey is the context key of WithProgress.
type progressKey struct{}

// WithProgress returns a context that makes Client.Send call f once per recipient as soon as
// that recipient's result is final, so that an application can show progress or stream the
// results of a large list while the rest is still being sent (or retried). i indexes msg.To
// and the results Send returns; r is that recipient's result as Send will return it.
//
// Calls come in no particular order (recipients refused before any request first, then each
// request's recipients as the request ends) and from different goroutines, but never
// concurrently: the calls of one Send are serialized, so f needs no locking of its own for
// state only it touches. Every call happens before Send returns. f must be quick: other
// requests of the same send wait while it runs. A send refused as a whole (no results)
// makes no call. Only the outermost Client layer calls f, once per recipient, however
// Clients are nested.
func WithProgress(ctx context.Context, f func(i int, r SendResult)) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// sendObs is the observing state of one Send. A nil *sendObs observes nothing: every method
// returns at once, so an unobserved Send pays a nil check per call site.
type sendObs struct {
	ob       Observer
	progress func(int, SendResult)
	clock    Clock
	start    time.Time
	info     SendStartInfo
	mu       sync.Mutex // serializes Result and progress calls
}

// observe starts observing a send, or returns (ctx, nil) when nothing observes it.
func (c *Client) observe(ctx context.Context, m *Message, recipients, segs int) (context.Context, *sendObs) {
	pf, _ := ctx.Value(progressKey{}).(func(int, SendResult))
	if c.opts.Observer == nil && pf == nil {
		return ctx, nil
	}
	o := &sendObs{progress: pf, clock: c.clock}
	if c.opts.Observer != nil {
		o.ob = *c.opts.Observer
	}
	o.info = SendStartInfo{Provider: c.base.Name(), SenderType: m.From.ResolvedType(), Recipients: recipients, Segments: segs}
	o.start = c.clock.Now()
	if o.ob.SendStart != nil {
		if nctx := o.ob.SendStart(ctx, o.info); nctx != nil {
			ctx = nctx
		}
	}
	return ctx, o
}

// done reports the end of the send and returns err unchanged.
func (o *sendObs) done(ctx context.Context, results []SendResult, err error) error {
	if o == nil || o.ob.SendDone == nil {
		return err
	}
	info := SendDoneInfo{SendStartInfo: o.info, Results: results, Err: err, Elapsed: o.clock.Now().Sub(o.start)}
	for _, r := range results {
		info.Attempts += r.Attempts
		if r.Err == nil {
			info.Accepted++
		}
	}
	o.ob.SendDone(ctx, info)
	return err
}

// result reports results[i] as final.
func (o *sendObs) result(ctx context.Context, i int, results []SendResult) {
	if o.ob.Result == nil && o.progress == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ob.Result != nil {
		o.ob.Result(ctx, i, results[i])
	}
	if o.progress != nil {
		o.progress(i, results[i])
	}
}

// unsent reports every recipient not in pending (ascending): those settled before any request.
func (o *sendObs) unsent(ctx context.Context, results []SendResult, pending []int) {
	if o == nil {
		return
	}
	j := 0
	for i := range results {
		if j < len(pending) && pending[j] == i {
			j++
			continue
		}
		o.result(ctx, i, results)
	}
}

// final reports every recipient in idxs that is not in except (both ascending, except a
// subsequence of idxs).
func (o *sendObs) final(ctx context.Context, results []SendResult, idxs, except []int) {
	if o == nil {
		return
	}
	j := 0
	for _, i := range idxs {
		if j < len(except) && except[j] == i {
			j++
			continue
		}
		o.result(ctx, i, results)
	}
}

// now reads the clock when a limiter wait (limited is true) is observed.
func (o *sendObs) now(limited bool) time.Time {
	if o == nil || !limited || o.ob.LimiterWait == nil {
		return time.Time{}
	}
	return o.clock.Now()
}

// limited reports a limiter wait that started at t0.
func (o *sendObs) limited(ctx context.Context, attempt, tokens int, t0 time.Time, err error) {
	if o == nil || o.ob.LimiterWait == nil {
		return
	}
	o.ob.LimiterWait(ctx, LimiterWaitInfo{Attempt: attempt, Tokens: tokens, Waited: o.clock.Now().Sub(t0), Err: err})
}

// attemptStart reports a request about to be made and returns the context to make it with.
func (o *sendObs) attemptStart(ctx context.Context, attempt, recipients int) (context.Context, time.Time) {
	if o == nil {
		return ctx, time.Time{}
	}
	t0 := o.clock.Now()
	if o.ob.AttemptStart != nil {
		if nctx := o.ob.AttemptStart(ctx, AttemptStartInfo{Attempt: attempt, Recipients: recipients}); nctx != nil {
			ctx = nctx
		}
	}
	return ctx, t0
}

// attemptDone reports the results of the request made for pending.
func (o *sendObs) attemptDone(ctx context.Context, attempt int, t0 time.Time, results []SendResult, pending []int) {
	if o == nil || o.ob.AttemptDone == nil {
		return
	}
	info := AttemptDoneInfo{AttemptStartInfo: AttemptStartInfo{Attempt: attempt, Recipients: len(pending)}, Elapsed: o.clock.Now().Sub(t0)}
	for _, i := range pending {
		if e := results[i].Err; e == nil {
			info.Accepted++
		} else if info.Err == nil {
			info.Err, info.Code = e, ErrorCode(e)
		}
	}
	o.ob.AttemptDone(ctx, info)
}

// retryWait reports the wait before retrying the recipients in retry.
func (o *sendObs) retryWait(ctx context.Context, attempt int, results []SendResult, retry []int, delay time.Duration) {
	if o == nil || o.ob.RetryWait == nil {
		return
	}
	o.ob.RetryWait(ctx, RetryWaitInfo{Attempt: attempt, Recipients: len(retry), Delay: delay, Code: ErrorCode(results[retry[0]].Err)})
}
