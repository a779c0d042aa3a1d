package emu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/smsbridge/sms/emulator"
)

// Verdict is a RetryPolicy's decision about one delivery attempt; see emulator.Verdict.
type Verdict = emulator.Verdict

// Verdicts.
const (
	Success = emulator.Success // the receiver acknowledged; the delivery is done
	Retry   = emulator.Retry   // try again after a back-off, if retries remain
	Drop    = emulator.Drop    // give up now (the vendor drops or dead-letters it)
)

// RetryPolicy decides, from one attempt's HTTP status (0 when no response arrived) and
// transport error, whether a callback was acknowledged, must be retried, or is dropped. It
// is the vendor-specific part of callback delivery.
type RetryPolicy func(status int, err error) Verdict

// NoRetry acknowledges on any 2xx and drops everything else: for vendors that try a
// webhook once.
func NoRetry(status int, err error) Verdict {
	if err == nil && status >= 200 && status <= 299 {
		return Success
	}
	return Drop
}

// RetryTransient acknowledges on any 2xx; retries transport errors, 408, 429 and 5xx; drops
// every other status.
func RetryTransient(status int, err error) Verdict {
	switch {
	case err != nil:
		return Retry
	case status >= 200 && status <= 299:
		return Success
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return Retry
	}
	return Drop
}

// ExponentialBackoff waits min·2^n before retry n+1, capped at max, without jitter (so tests
// are deterministic) and ignoring Retry-After (vendors follow their own schedules). It has
// go-retryablehttp's Backoff signature.
func ExponentialBackoff(min, max time.Duration, attemptNum int, _ *http.Response) time.Duration {
	d := min
	for i := 0; i < attemptNum && d < max; i++ {
		d *= 2
	}
	return clampDuration(d, min, max)
}

func clampDuration(d, lo, hi time.Duration) time.Duration {
	if d < lo {
		d = lo
	}
	if hi > 0 && d > hi {
		d = hi
	}
	return d
}

// DelivererOptions configures a Deliverer. The zero value means: one attempt per callback,
// any 2xx acknowledges, 30 s per attempt, deliveries in parallel.
type DelivererOptions struct {
	// HTTPClient makes the attempts. Nil means a client with Timeout that does not follow
	// redirects (a 3xx is an answer for the policy to judge).
	HTTPClient *http.Client
	// Timeout bounds each attempt when HTTPClient is nil; 0 means 30 s.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// MinWait and MaxWait bound the back-off between attempts; 0 means 1 s and 30 s.
	// Tests use milliseconds.
	MinWait, MaxWait time.Duration
	// Backoff computes each wait; nil means ExponentialBackoff.
	Backoff retryablehttp.Backoff
	// Policy judges each attempt; nil means RetryTransient.
	Policy RetryPolicy
	// Sequential delivers callbacks that share an ordering key (Callback.Key, else the URL)
	// one at a time, in the order they were sent, each after the previous one's final
	// outcome (retries included). Otherwise every callback is delivered concurrently, and
	// receivers see them in any order, as vendors that promise no order do.
	Sequential bool
	// MaxResponseBody bounds the part of the final answer kept in Delivery.ResponseBody;
	// 0 means 64 KiB.
	MaxResponseBody int64
	// Clock timestamps deliveries and attempts and waits out Callback.Delay; nil means
	// RealClock.
	Clock Clock
}

// Callback is one HTTP request a vendor emulator wants delivered to an application: a
// delivery report or an inbound message, already built and signed as the vendor does.
type Callback struct {
	Method string      // "" means POST
	URL    string      // the application's webhook, with any query the vendor adds
	Header http.Header // a "Host" entry sets the request's Host
	Body   []byte      // the payload, already signed over where the vendor signs
	// Key orders sequential deliveries (a message id, so that one message's reports keep
	// their order while different messages interleave); "" means the URL.
	Key string
	// Delay postpones the first attempt (an Outcome's Delay), waited with the
	// Deliverer's Clock. Under Sequential, later callbacks with the same key wait behind it.
	Delay time.Duration
	// Prepare, if set, is called before every attempt (attempt counts from 1) with the
	// request about to be sent, whose Header it may change: a delivery-count header,
	// a fresh signature date. An error ends the delivery as dropped.
	Prepare func(req *http.Request, attempt int) error
}

// DeliveryState is where a delivery stands; see emulator.DeliveryState.
type DeliveryState = emulator.DeliveryState

// Delivery states.
const (
	StatePending   = emulator.StatePending   // queued, waiting or being attempted
	StateDelivered = emulator.StateDelivered // the policy judged an answer a success
	StateDropped   = emulator.StateDropped   // the policy said drop, or the request could not be built
	StateExhausted = emulator.StateExhausted // the last retry failed
	StateCanceled  = emulator.StateCanceled  // the Deliverer was closed first
)

// Attempt is one try of a delivery; see emulator.Attempt.
type Attempt = emulator.Attempt

// Delivery is the record of one Callback: what was sent, every attempt, and how it ended;
// see emulator.Delivery.
type Delivery = emulator.Delivery

// Retries resolves a vendor Options retry count where 0 means the vendor's default:
// 0 gives def, a negative n none, any other n itself.
func Retries(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}

// NewCallbackClient returns the HTTP client a vendor's webhook deliveries use by default:
// timeout per attempt, its own connection pool, and redirects not followed (a 3xx is an
// answer for the vendor's retry rule to judge).
func NewCallbackClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:   timeout,
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// NonNil returns s, or an empty slice for nil, so that a JSON answer lists nothing as [].
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// job is a delivery in flight.
type job struct {
	d        Delivery // guarded by Deliverer.mu
	reported bool     // its failure was returned by Check; guarded by Deliverer.mu
	cb       Callback
	done     chan struct{}
}

// Deliverer posts vendor callbacks asynchronously with the vendor's retry behaviour, on
// go-retryablehttp with its logger off, and records every attempt. It is safe for
// concurrent use. Close it to stop retries that are still waiting.
type Deliverer struct {
	opts   DelivererOptions
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	jobs    []*job
	nextID  int
	queues  map[string][]*job // Sequential: per-key FIFO; present while a worker runs
	pending int
	idle    chan struct{} // closed while pending == 0
	changed chan struct{} // closed and replaced whenever a delivery finishes
	closed  bool
	wg      sync.WaitGroup
}

// NewDeliverer returns a Deliverer; nil opts means the zero DelivererOptions.
func NewDeliverer(opts *DelivererOptions) *Deliverer {
	var o DelivererOptions
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MinWait <= 0 {
		o.MinWait = time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 30 * time.Second
	}
	if o.MaxWait < o.MinWait {
		o.MaxWait = o.MinWait
	}
	if o.Backoff == nil {
		o.Backoff = ExponentialBackoff
	}
	if o.Policy == nil {
		o.Policy = RetryTransient
	}
	if o.MaxResponseBody <= 0 {
		o.MaxResponseBody = 64 << 10
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	client := o.HTTPClient
	if client == nil {
		client = NewCallbackClient(o.Timeout)
	}
	ctx, cancel := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	return &Deliverer{opts: o, client: client, ctx: ctx, cancel: cancel,
		queues: map[string][]*job{}, idle: idle, changed: make(chan struct{})}
}

// Send queues cb for delivery and returns its Delivery ID at once. After Close, the
// delivery is recorded as canceled.
func (d *Deliverer) Send(cb Callback) int {
	return d.enqueue(cb).d.ID
}

// Deliver sends cb and waits for its final outcome or for ctx to end (the delivery then
// goes on in the background; ctx only bounds the wait).
func (d *Deliverer) Deliver(ctx context.Context, cb Callback) (Delivery, error) {
	j := d.enqueue(cb)
	select {
	case <-j.done:
	case <-ctx.Done():
		return d.snapshot(j), ctx.Err()
	}
	return d.snapshot(j), nil
}

// DeliverChecked is Deliver followed by Check of that one delivery: what a vendor's
// SendInbound does, so that a webhook's refusal comes back as a *emulator.DeliveryError
// (reported once) with the Delivery.
func (d *Deliverer) DeliverChecked(ctx context.Context, cb Callback) (Delivery, error) {
	dl, err := d.Deliver(ctx, cb)
	if err != nil {
		return dl, err
	}
	return dl, d.Check(func(x Delivery) bool { return x.ID == dl.ID })
}

func (d *Deliverer) snapshot(j *job) Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return j.d.Clone()
}

func (d *Deliverer) enqueue(cb Callback) *job {
	if cb.Method == "" {
		cb.Method = http.MethodPost
	}
	cb.Header = cb.Header.Clone()
	cb.Body = slices.Clone(cb.Body)
	key := cb.Key
	if key == "" {
		key = cb.URL
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nextID++
	j := &job{cb: cb, done: make(chan struct{}), d: Delivery{
		ID: d.nextID, Key: cb.Key, Method: cb.Method, URL: cb.URL, Header: cb.Header,
		Body: cb.Body, Queued: d.opts.Clock.Now(),
	}}
	d.jobs = append(d.jobs, j)
	if d.closed {
		j.d.State, j.d.Err, j.d.Finished = StateCanceled, context.Canceled, j.d.Queued
		close(j.done)
		return j
	}
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending++
	if !d.opts.Sequential {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.run(j)
		}()
		return j
	}
	q, running := d.queues[key]
	d.queues[key] = append(q, j)
	if !running { // else the key's worker will get to it
		d.wg.Add(1)
		go d.worker(key)
	}
	return j
}

// worker delivers the queue of one key in order, then exits.
func (d *Deliverer) worker(key string) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 {
			delete(d.queues, key)
			d.mu.Unlock()
			return
		}
		j := q[0]
		q[0] = nil
		d.queues[key] = q[1:]
		d.mu.Unlock()
		d.run(j)
	}
}

// run makes every attempt of j and records the outcome.
func (d *Deliverer) run(j *job) {
	state, status, body, err := d.attempt(j)
	d.mu.Lock()
	j.d.State, j.d.StatusCode, j.d.ResponseBody, j.d.Err = state, status, body, err
	j.d.Finished = d.opts.Clock.Now()
	close(j.done)
	d.pending--
	if d.pending == 0 {
		close(d.idle)
	}
	close(d.changed)
	d.changed = make(chan struct{})
	d.mu.Unlock()
}

// WaitFinished blocks until at least n deliveries are recorded as finished and none is
// pending, or until ctx ends: the wait of a test that knows how many callbacks its actions
// cause, even before the emulator has queued them all. n <= 0 is Wait.
func (d *Deliverer) WaitFinished(ctx context.Context, n int) error {
	for {
		d.mu.Lock()
		finished := 0
		for _, j := range d.jobs {
			if j.d.State != StatePending {
				finished++
			}
		}
		done := finished >= n && d.pending == 0
		changed := d.changed
		d.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (d *Deliverer) attempt(j *job) (DeliveryState, int, []byte, error) {
	ctx, cb := d.ctx, j.cb
	if ctx.Err() != nil {
		return StateCanceled, 0, nil, ctx.Err()
	}
	if cb.Delay > 0 {
		if err := d.opts.Clock.Sleep(ctx, cb.Delay); err != nil {
			return StateCanceled, 0, nil, err
		}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cb.Method, cb.URL, cb.Body)
	if err != nil {
		return StateDropped, 0, nil, RedactError(err)
	}
	req.Header = cb.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
		req.Header.Del("Host")
	}
	n := 1
	if cb.Prepare != nil {
		if err := cb.Prepare(req.Request, n); err != nil {
			return StateDropped, 0, nil, err
		}
	}
	var (
		last     = Retry
		lastErr  error
		lastCode int
		lastBody []byte
		prepErr  error
	)
	rc := &retryablehttp.Client{
		HTTPClient:   d.client,
		Logger:       nil, // off: the emulator records attempts itself
		RetryWaitMin: d.opts.MinWait,
		RetryWaitMax: d.opts.MaxWait,
		RetryMax:     d.opts.MaxRetries,
		Backoff:      d.opts.Backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler, // keep the final answer
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			lastCode, lastBody = 0, nil
			if resp != nil {
				lastCode = resp.StatusCode
				// Keep the answer: a retry that Prepare refuses discards the response.
				lastBody, _ = io.ReadAll(io.LimitReader(resp.Body, d.opts.MaxResponseBody))
				resp.Body.Close()
				resp.Body = io.NopCloser(bytes.NewReader(lastBody))
			}
			err = RedactError(err)
			lastErr = err
			last = d.opts.Policy(lastCode, err)
			d.mu.Lock()
			j.d.Attempts = append(j.d.Attempts, Attempt{
				Time: d.opts.Clock.Now(), StatusCode: lastCode, Err: err, Verdict: last,
			})
			d.mu.Unlock()
			if last == Retry && ctx.Err() != nil {
				return false, ctx.Err()
			}
			return last == Retry, nil
		},
		PrepareRetry: func(r *http.Request) error {
			n++
			r.Header = r.Header.Clone() // the previous attempt's request keeps its own
			if cb.Prepare != nil {
				prepErr = cb.Prepare(r, n)
			}
			return prepErr
		},
	}
	resp, doErr := rc.Do(req)
	body := lastBody
	if resp != nil {
		resp.Body.Close()
	}
	switch {
	case prepErr != nil:
		return StateDropped, lastCode, body, prepErr
	case ctx.Err() != nil && last == Retry:
		return StateCanceled, lastCode, body, ctx.Err()
	case last == Success:
		return StateDelivered, lastCode, body, nil
	}
	switch {
	case lastErr != nil:
	case lastCode != 0:
		lastErr = fmt.Errorf("emu: %s %s answered %d %s", cb.Method, emulator.RedactURL(cb.URL), lastCode, http.StatusText(lastCode))
	case doErr != nil:
		lastErr = RedactError(doErr)
	default:
		lastErr = fmt.Errorf("emu: %s %s: no response", cb.Method, emulator.RedactURL(cb.URL))
	}
	if last == Drop {
		return StateDropped, lastCode, body, lastErr
	}
	return StateExhausted, lastCode, body, lastErr
}

// Deliveries returns every delivery's record, in Send order.
func (d *Deliverer) Deliveries() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Delivery, len(d.jobs))
	for i, j := range d.jobs {
		out[i] = j.d.Clone()
	}
	return out
}

// Delivery returns the record of the delivery with the given ID.
func (d *Deliverer) Delivery(id int) (Delivery, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, j := range d.jobs {
		if j.d.ID == id {
			return j.d.Clone(), true
		}
	}
	return Delivery{}, false
}

// Pending returns the number of deliveries not finished yet.
func (d *Deliverer) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pending
}

// Wait blocks until every delivery sent before the call has finished (delivered, dropped,
// exhausted or canceled), or until ctx ends.
func (d *Deliverer) Wait(ctx context.Context) error {
	d.mu.Lock()
	idle := d.idle
	d.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitChecked is Wait followed by Check(nil): what a vendor's WaitCallbacks does.
func (d *Deliverer) WaitChecked(ctx context.Context) error {
	if err := d.Wait(ctx); err != nil {
		return err
	}
	return d.Check(nil)
}

// Check returns a *emulator.DeliveryError naming every finished delivery that did not
// succeed (see emulator.Delivery.Failure), that keep accepts (nil keeps all) and that no
// earlier Check returned, and marks them returned; nil when there is none. Emulator
// helpers call it after waiting, so that a failure is reported once and never hidden.
func (d *Deliverer) Check(keep func(Delivery) bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var failed []Delivery
	for _, j := range d.jobs {
		if j.reported || j.d.State == StatePending || j.d.Failure() == nil {
			continue
		}
		if keep != nil && !keep(j.d) {
			continue
		}
		j.reported = true
		failed = append(failed, j.d.Clone())
	}
	if len(failed) == 0 {
		return nil
	}
	return &emulator.DeliveryError{Deliveries: failed}
}

// Flush waits up to timeout for every pending delivery to finish, and reports whether they
// all did.
func (d *Deliverer) Flush(timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.Wait(ctx) == nil
}

// Reset forgets the records of finished deliveries; pending ones stay listed.
func (d *Deliverer) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.jobs = slices.DeleteFunc(d.jobs, func(j *job) bool { return j.d.State != StatePending })
}

// Close cancels waiting and in-flight deliveries, waits for them to end and releases idle
// connections. Later Sends are recorded as canceled. Close is idempotent.
func (d *Deliverer) Close() error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	if d.opts.HTTPClient == nil {
		d.client.CloseIdleConnections()
	}
	return nil
}

// RedactError hides the secrets of the webhook URL a transport error names (net/http's
// *url.Error quotes the whole URL, ?token=… included), so that Delivery.Err and
// Attempt.Err are safe to show.
func RedactError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	c := *ue
	c.URL = emulator.RedactURL(ue.URL)
	if ue == err {
		return &c
	}
	return fmt.Errorf("%s", strings.Replace(err.Error(), ue.URL, c.URL, 1)) // wrapped: keep the text only
}
