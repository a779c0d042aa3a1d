package sms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Middleware wraps a provider. Client applies middleware around the vendor provider, inside
// its own validation, limits and retries, so a middleware sees each vendor attempt.
type Middleware func(Provider) Provider

// Suppressor decides whether a recipient must not be messaged from a sender (an opt-out list,
// a consent store). Suppressed recipients get a CodeOptedOut error and no request.
type Suppressor interface {
	Suppressed(ctx context.Context, from Sender, to string) (bool, error)
}

// SuppressorFunc adapts a function to Suppressor.
type SuppressorFunc func(ctx context.Context, from Sender, to string) (bool, error)

// Suppressed implements Suppressor.
func (f SuppressorFunc) Suppressed(ctx context.Context, from Sender, to string) (bool, error) {
	return f(ctx, from, to)
}

// RetryPolicy bounds the retries of sends. Only recipients whose error proves the vendor did
// not accept the message (IsNotAccepted with a rate-limit or unavailability code) are retried,
// or, for providers with Capabilities.IdempotentSends, any transient failure of a message
// carrying an IdempotencyKey.
type RetryPolicy struct {
	MaxAttempts   int           // attempts per recipient including the first; 0 = 3, 1 = no retries
	BaseDelay     time.Duration // first backoff; 0 = 500ms; doubles each attempt
	MaxDelay      time.Duration // cap on computed backoff; 0 = 10s
	MaxRetryAfter time.Duration // a longer Retry-After ends the retries; 0 = 60s
	NoJitter      bool          // disable the 0–25% random extra on computed backoff
}

// ClientOptions configures a Client. The zero value is all defaults.
type ClientOptions struct {
	Logger      *slog.Logger // nil = the provider's (LoggerOf), else silent
	Limiter     Limiter      // nil = no rate limiting
	Clock       Clock        // nil = the real clock
	Retry       RetryPolicy
	Suppressor  Suppressor   // nil = none
	Middleware  []Middleware // applied in order, the first outermost
	Concurrency int          // vendor requests in flight for one Send; 0 = 4
	Observer    *Observer    // nil = none; hooks for tracing and metrics (see also WithProgress)
}

// Client is the portable sender: it wraps any Provider with validation, suppression, segment
// counting, per-sender rate limiting, retries that never send twice, middleware and logging.
// It implements Provider itself, and wrapping a Client again (or putting Clients in a
// composite) still runs that layer exactly once. A Client is safe for concurrent use.
type Client struct {
	base  Provider // the vendor provider, without middleware
	p     Provider // base with middleware
	opts  ClientOptions
	clock Clock
	log   *slog.Logger
}

// NewClient returns a Client around p. opts may be nil. It panics if p is nil, a programming
// error that would otherwise surface at the first Send.
//
// The root layer runs once per send however Clients are nested: a Client passed to NewClient
// is unwrapped, and a Client reached again behind a wrapper (middleware, a composite) sees
// the context mark of the outer one and passes the send straight to its provider.
func NewClient(p Provider, opts *ClientOptions) *Client {
	if p == nil {
		panic("sms: NewClient with a nil Provider")
	}
	found := LoggerOf(p) // before unwrapping: a Client given as p passes its logger on
	if c, ok := p.(*Client); ok {
		p = c.base
	}
	c := &Client{base: p, p: p}
	if opts != nil {
		c.opts = *opts
	}
	for i := len(c.opts.Middleware) - 1; i >= 0; i-- {
		c.p = c.opts.Middleware[i](c.p)
	}
	c.clock = c.opts.Clock
	if c.clock == nil {
		c.clock = RealClock{}
	}
	if c.opts.Logger == nil {
		c.opts.Logger = found
	}
	c.log = c.opts.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.opts.Concurrency <= 0 {
		c.opts.Concurrency = 4
	}
	r := &c.opts.Retry
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 3
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = 500 * time.Millisecond
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 10 * time.Second
	}
	if r.MaxRetryAfter <= 0 {
		r.MaxRetryAfter = time.Minute
	}
	return c
}

// The optional interfaces a Client forwards to the provider it wraps.
var (
	_ StatusFetcher    = (*Client)(nil)
	_ CallbackMethoder = (*Client)(nil)
	_ SenderValidator  = (*Client)(nil)
	_ MessageValidator = (*Client)(nil)
	_ IdleCloser       = (*Client)(nil)
	_ Unwrapper        = (*Client)(nil)
	_ LoggerSource     = (*Client)(nil)
)

// Name returns the provider's name.
func (c *Client) Name() string { return c.base.Name() }

// Capabilities returns the provider's capabilities.
func (c *Client) Capabilities() Capabilities { return c.base.Capabilities() }

// Unwrap returns the vendor provider.
func (c *Client) Unwrap() Provider { return c.base }

// Logger returns the logger the Client logs through: ClientOptions.Logger, else the
// provider's (LoggerOf), else nil (silent). A webhook.Handler given the Client uses it too.
func (c *Client) Logger() *slog.Logger { return c.opts.Logger }

// ParseCallback delegates to the vendor provider.
func (c *Client) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*Callback, error) {
	return c.p.ParseCallback(ctx, r, body)
}

// FetchStatus forwards to the wrapped provider's StatusFetcher. When the provider has none it
// returns a CodeUnsupported *Error wrapping errors.ErrUnsupported. Every error is an *Error; a
// context error is one that also satisfies errors.Is(err, ctx.Err()).
func (c *Client) FetchStatus(ctx context.Context, messageID string) (Status, error) {
	sf, ok := c.base.(StatusFetcher)
	if !ok {
		return StatusUnknown, unsupported(c.base.Name(), "fetching a message status")
	}
	st, err := sf.FetchStatus(ctx, messageID)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			return st, &Error{Code: ErrorCode(err), Provider: c.base.Name(), Err: err}
		}
		return st, wrapErr(c.base.Name(), err)
	}
	return st, nil
}

// CallbackMethods forwards to the wrapped provider's CallbackMethoder, and returns nil (POST
// only) when the provider has none.
func (c *Client) CallbackMethods() []string {
	if m, ok := c.base.(CallbackMethoder); ok {
		return m.CallbackMethods()
	}
	return nil
}

// ValidateMessage checks the message-level rules as Send does before any request (body,
// sender, options, and the provider's own MessageValidator), not the recipients; see
// Validate for those. Every failure is a CodeInvalidArgument *Error.
func (c *Client) ValidateMessage(m *Message) error {
	return checkMessage(c.base, c.base.Capabilities(), m)
}

// ValidateSender checks s as Send does before any request: the root sender rules, the
// provider's supported sender types, and the provider's own SenderValidator when it has one.
// Every failure is a CodeInvalidArgument *Error.
func (c *Client) ValidateSender(s Sender) error {
	return checkSender(c.base, c.base.Capabilities(), s)
}

// CloseIdleConnections forwards to the wrapped provider's IdleCloser; it does nothing when
// the provider has none.
func (c *Client) CloseIdleConnections() {
	if ic, ok := c.base.(IdleCloser); ok {
		ic.CloseIdleConnections()
	}
}

// Validate checks msg as Send does, without sending. A message-level problem (body, sender,
// an option the provider cannot honour) returns (nil, err) with a CodeInvalidArgument *Error.
// Otherwise it returns the recipients in canonical E.164 (a malformed one as given), and, when
// some are bad (malformed, repeated, or in a country the provider does not serve), an *Error
// with CodeInvalidRecipient listing every bad recipient: it unwraps to each one's error, the
// same error Send would put in that recipient's SendResult.
func (c *Client) Validate(msg *Message) ([]string, error) {
	caps := c.base.Capabilities()
	if err := checkMessage(c.base, caps, msg); err != nil {
		return nil, err
	}
	to, errs := checkRecipients(c.base.Name(), caps, msg.To)
	if errs == nil {
		return to, nil
	}
	var causes recipientErrors
	for i, e := range errs {
		if e != nil {
			causes.add(msg.To[i], e)
		}
	}
	return to, &Error{Code: CodeInvalidRecipient, Provider: c.base.Name(), NotAccepted: true,
		Message: fmt.Sprintf("%d of %d recipients are invalid", len(causes.errs), len(to)), Err: causes}
}

// Send validates msg, drops suppressed recipients, splits the recipients into vendor requests,
// waits for the rate limiter, sends, and retries each recipient whose failure proves the vendor
// did not accept it.
//
// A message-level problem (nil, empty, oversized or invalid UTF-8 body, a bad or unsupported
// sender, a negative validity, a portable field the provider cannot honour) returns no results
// and a CodeInvalidArgument *Error, before any request. Once the message is valid, Send always
// returns one SendResult per recipient, in msg.To order: a malformed, repeated or unserved
// recipient gets its own CodeInvalidRecipient error (no request), a suppressed one
// CodeOptedOut, and the others are sent. When no recipient was accepted the error is not nil:
// the failed recipient's own error for a one-recipient send, else a summary *Error whose Code
// is the recipients' shared code (CodeUnknown when they differ), NotAccepted when every
// recipient's is, and which unwraps (errors.Is, errors.As) to every recipient's error. Every
// error is an *Error; when the context ended before anything was written, errors.Is(err,
// context.Canceled) (or DeadlineExceeded) holds as well.
func (c *Client) Send(ctx context.Context, msg *Message) ([]SendResult, error) {
	if ctx.Value(layerKey{}) != nil {
		// Already inside a Client's layer (this Client sits behind a wrapper of another):
		// validation, limits and retries must run exactly once.
		return c.p.Send(ctx, msg)
	}
	name := c.base.Name()
	caps := c.base.Capabilities()
	if err := checkMessage(c.base, caps, msg); err != nil {
		return nil, err
	}
	to, bad := checkRecipients(name, caps, msg.To)
	m := msg.clone(to)
	if m.IdempotencyKey == "" {
		m.IdempotencyKey = newKey()
	}
	if m.FirstAttempt.IsZero() {
		m.FirstAttempt = c.clock.Now().UTC()
	}
	segs := CountSegments(m.Body).Segments
	if segs < 1 {
		segs = 1
	}
	ctx, o := c.observe(ctx, m, len(to), segs)
	results := make([]SendResult, len(to))
	pending := make([]int, 0, len(to))
	for i, n := range to {
		results[i] = SendResult{To: n, IdempotencyKey: m.IdempotencyKey, FirstAttempt: m.FirstAttempt, Provider: name, From: m.From}
		switch {
		case bad != nil && bad[i] != nil:
			results[i].Err = bad[i]
		case ctx.Err() != nil:
			results[i].Err = contextError(name, ctx.Err())
		default:
			pending = append(pending, i)
		}
	}
	if c.opts.Suppressor != nil {
		kept := pending[:0]
		for _, i := range pending {
			sup, err := suppressed(ctx, c.opts.Suppressor, name, m.From, to[i])
			switch {
			case err != nil && ctx.Err() != nil:
				results[i].Err = contextError(name, ctx.Err())
			case err != nil:
				results[i].Err = &Error{Code: CodeInternal, Provider: name, Message: "suppression check failed", NotAccepted: true, Err: err}
			case sup:
				results[i].Err = &Error{Code: CodeOptedOut, Provider: name, Message: "recipient is suppressed", NotAccepted: true}
			default:
				kept = append(kept, i)
			}
		}
		pending = kept
	}
	o.unsent(ctx, results, pending)
	maxR := caps.MaxRecipients
	if maxR <= 0 {
		maxR = 1
	}
	if len(pending) <= maxR { // one request: no goroutine, no semaphore
		if len(pending) > 0 {
			c.sendChunk(ctx, m, pending, results, caps, segs, o)
		}
		return results, o.done(ctx, results, c.finish(ctx, m, results))
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, c.opts.Concurrency)
	for start := 0; start < len(pending); start += maxR {
		chunk := pending[start:min(start+maxR, len(pending))]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			for _, i := range chunk {
				results[i].Err = contextError(name, ctx.Err())
			}
			o.final(ctx, results, chunk, nil)
			continue
		}
		wg.Add(1)
		ctx, segs := ctx, segs // captured by value: the originals are reassigned above and would move to the heap
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c.sendChunk(ctx, m, chunk, results, caps, segs, o)
		}()
	}
	wg.Wait()
	return results, o.done(ctx, results, c.finish(ctx, m, results))
}

// finish logs the outcome and returns the error of a send that no recipient accepted.
func (c *Client) finish(ctx context.Context, m *Message, results []SendResult) error {
	c.recordOptOuts(ctx, m, results)
	ok, attempts := 0, 0
	for _, r := range results {
		attempts += r.Attempts
		if r.Err == nil {
			ok++
		}
	}
	lvl := slog.LevelInfo
	if ok < len(results) {
		lvl = slog.LevelWarn
	}
	if c.log.Enabled(ctx, lvl) {
		attrs := []slog.Attr{
			slog.String("provider", c.base.Name()),
			slog.Int("recipients", len(results)),
			slog.Int("accepted", ok),
			slog.Int("attempts", attempts),
		}
		if m.Reference != "" {
			attrs = append(attrs, slog.String("reference", m.Reference))
		}
		for _, r := range results {
			if r.Err != nil {
				attrs = append(attrs, slog.String("error", r.Err.Error()))
				break
			}
		}
		c.log.LogAttrs(ctx, lvl, "sms send", attrs...)
	}
	if ok > 0 || len(results) == 0 {
		return nil
	}
	if len(results) == 1 {
		return results[0].Err
	}
	return summarize(c.base.Name(), results)
}

// summarize builds the error of a send of several recipients none of which was accepted.
func summarize(provider string, results []SendResult) *Error {
	var causes recipientErrors
	code := ErrorCode(results[0].Err)
	notAccepted := true
	var retryAfter time.Duration
	for _, r := range results {
		causes.add(r.To, r.Err)
		if ErrorCode(r.Err) != code {
			code = CodeUnknown
		}
		notAccepted = notAccepted && IsNotAccepted(r.Err)
		retryAfter = max(retryAfter, retryAfterOf(r.Err))
	}
	e := &Error{Code: code, Provider: provider, NotAccepted: notAccepted, Err: causes,
		Message: fmt.Sprintf("none of %d recipients accepted", len(results))}
	if code == CodeRateLimited {
		e.RetryAfter = retryAfter
	}
	return e
}

// recipientErrors holds the errors of several recipients. It unwraps to each, so errors.Is
// and errors.As reach every cause through the *Error that holds it.
type recipientErrors struct {
	to   []string
	errs []error
}

func (r *recipientErrors) add(to string, err error) {
	r.to = append(r.to, to)
	r.errs = append(r.errs, err)
}

// Error lists the recipients and their errors.
func (r recipientErrors) Error() string {
	var b strings.Builder
	for i, err := range r.errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.to[i])
		b.WriteString(": ")
		b.WriteString(trimPrefix(err.Error()))
	}
	return b.String()
}

// Unwrap returns every recipient's error.
func (r recipientErrors) Unwrap() []error { return r.errs }

// sendChunk sends one vendor request's worth of recipients and retries those that may be
// retried. It writes only results[i] for i in idxs, and reports each as final to o.
func (c *Client) sendChunk(ctx context.Context, m *Message, idxs []int, results []SendResult, caps Capabilities, segs int, o *sendObs) {
	name := c.base.Name()
	pending := idxs
	if o != nil {
		defer func() { o.final(ctx, results, pending, nil) }() // those not reported below
	}
	pol := c.opts.Retry
	// ambiguous marks recipients an earlier attempt of which may have been accepted: no later
	// "not accepted" answer can prove that nothing was sent to them.
	var ambiguous map[int]bool
	settle := func(i int, e error) error {
		if e == nil {
			return nil
		}
		if !IsNotAccepted(e) {
			if ambiguous == nil {
				ambiguous = map[int]bool{}
			}
			ambiguous[i] = true
			return e
		}
		if ambiguous[i] {
			return &Error{Code: CodeOutcomeUnknown, Provider: name, RetryAfter: retryAfterOf(e),
				Message: "an earlier attempt may have been accepted; the last one was not: " + trimPrefix(e.Error()), Err: e}
		}
		return e
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			c.giveUp(pending, results, ambiguous, err)
			return
		}
		waitStart := o.now(c.opts.Limiter != nil)
		if c.opts.Limiter != nil {
			if err := c.opts.Limiter.Wait(ctx, name, m.From, len(pending)*segs); err != nil {
				if ctx.Err() == nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
					err = &Error{Code: CodeUnavailable, Provider: name, Message: "rate limiter failed", NotAccepted: true, Err: err}
				}
				o.limited(ctx, attempt, len(pending)*segs, waitStart, err)
				c.giveUp(pending, results, ambiguous, err)
				return
			}
			o.limited(ctx, attempt, len(pending)*segs, waitStart, nil)
		}
		to := make([]string, len(pending))
		for j, i := range pending {
			to[j] = results[i].To
		}
		actx, t0 := o.attemptStart(ctx, attempt, len(pending))
		res, err := c.p.Send(withLayer(actx), m.clone(to))
		if len(res) != len(pending) && (err == nil || len(res) > 0) {
			err = &Error{Code: CodeOutcomeUnknown, Message: fmt.Sprintf("provider returned %d results for %d recipients", len(res), len(pending))}
			res = nil
		}
		for j, i := range pending {
			r := &results[i]
			r.Attempts = attempt
			// With one result per recipient, an error beside them is a summary: each
			// recipient's own result (an id, or its error) says what happened to it. Only a
			// result with neither takes the request's error.
			if err != nil && (len(res) == 0 || (res[j].Err == nil && res[j].MessageID == "")) {
				r.Err = settle(i, wrapErr(name, err))
				continue
			}
			r.MessageID, r.Status, r.Segments = res[j].MessageID, res[j].Status, res[j].Segments
			r.Err = nil
			if res[j].Err != nil {
				r.Err = settle(i, wrapErr(name, res[j].Err))
				r.MessageID = ""
			} else if r.Segments == 0 {
				r.Segments = segs
			}
		}
		o.attemptDone(actx, attempt, t0, results, pending)
		if attempt >= pol.MaxAttempts {
			return
		}
		var retry []int
		var delay time.Duration
		for _, i := range pending {
			d, ok := c.retryDelay(ctx, results[i].Err, caps, m, attempt)
			if ok {
				retry = append(retry, i)
				delay = max(delay, d)
			}
		}
		if len(retry) == 0 {
			return
		}
		o.final(ctx, results, pending, retry)
		o.retryWait(ctx, attempt, results, retry, delay)
		pending = retry
		if err := c.clock.Sleep(ctx, delay); err != nil {
			c.giveUp(retry, results, ambiguous, err)
			return
		}
	}
}

// retryAfterOf returns the RetryAfter of err's *Error, if any.
func retryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// giveUp marks recipients that could not be (re)attempted: the context ended, or the limiter
// failed (cause is then an *Error). A recipient an earlier attempt of which may have been
// accepted keeps its ambiguous error: giving up proves nothing about it.
func (c *Client) giveUp(idxs []int, results []SendResult, ambiguous map[int]bool, cause error) {
	for _, i := range idxs {
		r := &results[i]
		if r.Attempts > 0 && (ambiguous[i] || !IsNotAccepted(r.Err)) {
			continue
		}
		var e *Error
		if !errors.As(cause, &e) {
			e = contextError(c.base.Name(), cause)
		} else {
			copied := *e
			e = &copied
		}
		if r.Err != nil {
			e.Message = "gave up retrying after: " + trimPrefix(r.Err.Error())
		}
		r.Err = e
	}
}

// layerKey marks a context that has passed through a Client, so that a Client reached again
// behind a wrapper (middleware, a composite) does not run the root layer a second time.
type layerKey struct{}

func withLayer(ctx context.Context) context.Context {
	if ctx.Value(layerKey{}) != nil {
		return ctx
	}
	return context.WithValue(ctx, layerKey{}, true)
}

// retryDelay decides whether err may be retried and how long to wait first.
func (c *Client) retryDelay(ctx context.Context, err error, caps Capabilities, m *Message, attempt int) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	var e *Error // declared after the nil check: errors.As moves it to the heap
	if !errors.As(err, &e) {
		return 0, false
	}
	ok := false
	switch e.Code {
	case CodeRateLimited, CodeUnavailable:
		ok = e.NotAccepted
	}
	if caps.IdempotentSends && m.IdempotencyKey != "" && ctx.Err() == nil {
		// The vendor drops a resent request with the same key, so any transient failure
		// may be retried while the caller's context lives.
		switch e.Code {
		case CodeRateLimited, CodeUnavailable, CodeOutcomeUnknown, CodeInternal:
			ok = true
		}
	}
	if !ok {
		return 0, false
	}
	pol := c.opts.Retry
	if e.RetryAfter > 0 {
		if e.RetryAfter > pol.MaxRetryAfter {
			return 0, false
		}
		return e.RetryAfter, true
	}
	d := pol.BaseDelay << (attempt - 1)
	if d > pol.MaxDelay || d <= 0 {
		d = pol.MaxDelay
	}
	if !pol.NoJitter {
		d += time.Duration(mrand.Int64N(int64(d)/4 + 1))
	}
	return d, true
}

// wrapErr makes err an *Error naming the provider.
func wrapErr(provider string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Provider == "" {
			c := *e
			c.Provider = provider
			return &c
		}
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// A provider returns a bare context error only before the request was written.
		return contextError(provider, err)
	}
	return &Error{Code: CodeUnknown, Provider: provider, Err: err}
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
