package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

// keyLimiter records every Wait. Its Wait is the only line that knows the Limiter signature,
// so a change of that signature changes one line here.
type keyLimiter struct {
	mu   sync.Mutex
	keys []string
}

func (l *keyLimiter) Wait(ctx context.Context, provider string, from sms.Sender, n int) error {
	l.record(sms.RateKey(provider, from), n)
	return ctx.Err()
}

func (l *keyLimiter) record(key string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, fmt.Sprintf("%s×%d", key, n))
}

func (l *keyLimiter) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.keys...)
}

var (
	senderA = sms.Sender{Type: sms.SenderLongCode, Value: "+12025550100", Name: "a-line"}
	senderB = sms.Sender{Type: sms.SenderAlphanumeric, Value: "ACME", Name: "b-id"}
)

// routeVendor is one recording provider of a router test, behind its own Client and limiter.
type routeVendor struct {
	rec *smstest.Recorder
	lim *keyLimiter
	c   *sms.Client
}

func newVendor(name string, countries []string, retry sms.RetryPolicy) *routeVendor {
	var caps *sms.Capabilities
	if countries != nil {
		c := smstest.NewRecorder(nil).Capabilities()
		c.Countries = countries
		caps = &c
	}
	v := &routeVendor{rec: smstest.NewRecorder(&smstest.RecorderOptions{Name: name, Capabilities: caps}), lim: &keyLimiter{}}
	if retry.MaxAttempts == 0 {
		retry.MaxAttempts = 1
	}
	v.c = sms.NewClient(v.rec, &sms.ClientOptions{Limiter: v.lim, Retry: retry, Clock: fakeClock{}})
	return v
}

func twoRoutes(t *testing.T, a, b *routeVendor) *sms.Router {
	t.Helper()
	r, err := sms.NewRouter(sms.Route{Client: a.c, From: senderA}, sms.Route{Client: b.c, From: senderB})
	require.NoError(t, err)
	return r
}

func routed(to ...string) *sms.Message { return &sms.Message{To: to, Body: "hello"} }

func routeSentTo(rec *smstest.Recorder) []string {
	var out []string
	for _, s := range rec.Sent() {
		out = append(out, s.To)
	}
	return out
}

var (
	refused         = &sms.Error{Code: sms.CodeUnavailable, Message: "connection refused", NotAccepted: true}
	resetAfterWrite = &sms.Error{Code: sms.CodeOutcomeUnknown, Message: "reset after the request was written"}
)

func TestRouterRefusedMovesOn(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	a.rec.FailNext(refused)
	res, err := twoRoutes(t, a, b).Send(context.Background(), routed("+12025550101", "+12025550102"))
	require.NoError(t, err)
	require.Empty(t, a.rec.Sent())
	require.Equal(t, []string{"+12025550101", "+12025550102"}, routeSentTo(b.rec))
	for _, r := range res {
		require.NoError(t, r.Err)
		require.Equal(t, "b", r.Provider)
		require.Equal(t, senderB, r.From)
		require.Equal(t, 2, r.Attempts, "one request on each route")
	}
	require.Equal(t, res[0].IdempotencyKey, b.rec.Sent()[0].Key, "the key the deciding route sent with")
	require.True(t, strings.HasSuffix(res[0].IdempotencyKey, "/2"), res[0].IdempotencyKey)
}

// A route's own retries run first; the recipient moves on only once they gave up.
func TestRouterRateLimitedPastBudget(t *testing.T) {
	a := newVendor("a", nil, sms.RetryPolicy{MaxAttempts: 3, NoJitter: true})
	b := newVendor("b", nil, sms.RetryPolicy{})
	throttle := &sms.Error{Code: sms.CodeRateLimited, HTTPStatus: 429, NotAccepted: true}
	a.rec.FailNext(throttle, throttle, throttle)
	res, err := twoRoutes(t, a, b).Send(context.Background(), routed("+12025550101"))
	require.NoError(t, err)
	require.Equal(t, 3, a.rec.Calls())
	require.Equal(t, "b", res[0].Provider)
	require.Equal(t, 4, res[0].Attempts)
	require.Len(t, a.lim.got(), 3, "the first route's limiter, once per attempt")
	require.Len(t, b.lim.got(), 1)
}

func TestRouterOutcomeUnknownStops(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	a.rec.FailNext(resetAfterWrite) // the recorder takes the message, then "loses" the answer
	m := routed("+12025550101")
	m.IdempotencyKey = "order-42"
	res, err := twoRoutes(t, a, b).Send(context.Background(), m)
	require.ErrorIs(t, err, sms.ErrOutcomeUnknown)
	require.ErrorIs(t, res[0].Err, sms.ErrOutcomeUnknown)
	require.Equal(t, "a", res[0].Provider)
	require.Equal(t, senderA, res[0].From)
	require.Zero(t, b.rec.Calls(), "never tried elsewhere")
	require.Len(t, a.rec.Sent(), 1, "exactly one routeVendor holds the message")
	require.Equal(t, "order-42", res[0].IdempotencyKey, "the first route sends with the caller's key, to resend with")
	require.Equal(t, "order-42", a.rec.Sent()[0].Key)
}

func TestRouterNeverMovesOn(t *testing.T) {
	for _, code := range []sms.Code{sms.CodeOptedOut, sms.CodeInvalidArgument, sms.CodeInvalidRecipient, sms.CodeInternal} {
		t.Run(code.String(), func(t *testing.T) {
			a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
			a.rec.Script("+12025550101", &sms.Error{Code: code, NotAccepted: true})
			res, err := twoRoutes(t, a, b).Send(context.Background(), routed("+12025550101"))
			require.Error(t, err)
			require.Equal(t, code, sms.ErrorCode(res[0].Err))
			require.Equal(t, "a", res[0].Provider)
			require.Zero(t, b.rec.Calls())
		})
	}
}

// A suppressed recipient of the first route is never sent by the second.
func TestRouterSuppressedNeverMovesOn(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	a.c = sms.NewClient(a.rec, &sms.ClientOptions{Suppressor: sms.SuppressorFunc(func(_ context.Context, from sms.Sender, to string) (bool, error) {
		return to == "+12025550101", nil
	})})
	res, _ := twoRoutes(t, a, b).Send(context.Background(), routed("+12025550101"))
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.Zero(t, b.rec.Calls())
}

func TestRouterBatchMovesOnlySafeOnes(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	a.rec.Script("+12025550102", &sms.Error{Code: sms.CodeRateLimited, NotAccepted: true})
	a.rec.Script("+12025550103", &sms.Error{Code: sms.CodeOutcomeUnknown})
	a.rec.Script("+12025550104", &sms.Error{Code: sms.CodePermissionDenied, Message: "not sent", NotAccepted: true})
	a.rec.Script("+12025550105", &sms.Error{Code: sms.CodeOptedOut, NotAccepted: true})
	res, err := twoRoutes(t, a, b).Send(context.Background(),
		routed("+12025550101", "+12025550102", "+12025550103", "+12025550104", "+12025550105"))
	require.NoError(t, err)
	require.Equal(t, []string{"+12025550101"}, routeSentTo(a.rec))
	require.Equal(t, []string{"+12025550102", "+12025550104"}, routeSentTo(b.rec), "only the safe failures, in one request")
	require.Equal(t, 1, b.rec.Calls())
	want := []struct {
		provider string
		code     sms.Code
		ok       bool
	}{{"a", 0, true}, {"b", 0, true}, {"a", sms.CodeOutcomeUnknown, false}, {"b", 0, true}, {"a", sms.CodeOptedOut, false}}
	for i, w := range want {
		require.Equal(t, w.provider, res[i].Provider, "recipient %d", i+1)
		require.Equal(t, w.ok, res[i].OK(), "recipient %d", i+1)
		if !w.ok {
			require.Equal(t, w.code, sms.ErrorCode(res[i].Err), "recipient %d", i+1)
		}
	}
}

func TestRouterCountries(t *testing.T) {
	a := newVendor("a", []string{"US", "CA"}, sms.RetryPolicy{})
	b := newVendor("b", nil, sms.RetryPolicy{})
	res, err := twoRoutes(t, a, b).Send(context.Background(), routed("+12025550101", "+447911123456", "+16135550100"))
	require.NoError(t, err)
	require.Equal(t, []string{"+12025550101", "+16135550100"}, routeSentTo(a.rec))
	require.Equal(t, []string{"+447911123456"}, routeSentTo(b.rec))
	require.Equal(t, "b", res[1].Provider)
	require.Equal(t, 1, a.rec.Calls())
	require.Empty(t, a.lim.got()[1:], "one request to a")
}

func TestRouterNoEligibleRoute(t *testing.T) {
	a := newVendor("a", []string{"US", "CA"}, sms.RetryPolicy{})
	b := newVendor("b", []string{"US"}, sms.RetryPolicy{})
	res, err := twoRoutes(t, a, b).Send(context.Background(), routed("+447911123456", "+12025550101", "+12025550101", "not a number"))
	require.NoError(t, err)
	require.ErrorIs(t, res[0].Err, sms.ErrInvalidRecipient)
	require.Contains(t, res[0].Err.Error(), "GB")
	require.Empty(t, res[0].Provider)
	require.True(t, res[1].OK())
	require.ErrorIs(t, res[2].Err, sms.ErrInvalidRecipient, "a repeat is never sent again")
	require.ErrorIs(t, res[3].Err, sms.ErrInvalidRecipient)
	require.Equal(t, []string{"+12025550101"}, routeSentTo(a.rec))
	require.Zero(t, b.rec.Calls())

	// Alone, the unserved recipient is the send's error.
	_, err = twoRoutes(t, a, b).Send(context.Background(), routed("+447911123456"))
	require.ErrorIs(t, err, sms.ErrInvalidRecipient)
}

// Each child's limiter is asked once per attempt, under its own provider and sender, and no
// limiter of another layer is asked.
func TestRouterLimiterPerChild(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	a.rec.FailNext(refused)
	_, err := twoRoutes(t, a, b).Send(context.Background(), routed("+12025550101", "+12025550102"))
	require.NoError(t, err)
	require.Equal(t, []string{"a:+12025550100×2"}, a.lim.got())
	require.Equal(t, []string{"b:ACME×2"}, b.lim.got())
}

// A Router called from inside a Client's layer (middleware) still runs each child's layer.
func TestRouterInsideClientLayer(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	r := twoRoutes(t, a, b)
	outer := sms.NewClient(smstest.NewRecorder(nil), &sms.ClientOptions{Middleware: []sms.Middleware{
		func(sms.Provider) sms.Provider { return viaRouter{r} },
	}})
	_, err := outer.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, From: senderA, Body: "hi"})
	require.NoError(t, err)
	require.Equal(t, []string{"a:+12025550100×1"}, a.lim.got())
}

// viaRouter is middleware that hands sends to a Router (dropping the message's sender).
type viaRouter struct{ r *sms.Router }

func (viaRouter) Name() string                   { return "via" }
func (viaRouter) Capabilities() sms.Capabilities { return smstest.NewRecorder(nil).Capabilities() }
func (v viaRouter) Send(ctx context.Context, m *sms.Message) ([]sms.SendResult, error) {
	c := *m
	c.From = sms.Sender{}
	return v.r.Send(ctx, &c)
}
func (viaRouter) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	return nil, errors.ErrUnsupported
}

func TestRouterIsNotAProvider(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	var r any = twoRoutes(t, a, b)
	_, isProvider := r.(sms.Provider)
	require.False(t, isProvider, "a Client around a Router would skip the children's layers")
}

func TestRouterMessage(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	r := twoRoutes(t, a, b)
	ctx := context.Background()
	for name, m := range map[string]*sms.Message{
		"nil":   nil,
		"no to": {Body: "x"},
		"from":  {To: []string{"+12025550101"}, From: senderA, Body: "x"},
		"empty": {To: []string{"+12025550101"}},
	} {
		res, err := r.Send(ctx, m)
		require.ErrorIs(t, err, sms.ErrInvalidArgument, name)
		require.Nil(t, res, name)
	}
	require.Zero(t, a.rec.Calls()+b.rec.Calls())
}

// A route whose Client refuses the message itself is skipped for the whole message.
func TestRouterSkipsRouteRefusingMessage(t *testing.T) {
	small := smstest.NewRecorder(nil).Capabilities()
	small.MaxBody = 5
	a := &routeVendor{rec: smstest.NewRecorder(&smstest.RecorderOptions{Name: "a", Capabilities: &small})}
	a.c = sms.NewClient(a.rec, nil)
	b := newVendor("b", nil, sms.RetryPolicy{})
	r := twoRoutes(t, a, b)
	res, err := r.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, Body: "longer than five"})
	require.NoError(t, err)
	require.Equal(t, "b", res[0].Provider)
	require.Zero(t, a.rec.Calls())

	r, err = sms.NewRouter(sms.Route{Client: a.c, From: senderA})
	require.NoError(t, err)
	res, err = r.Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, Body: "longer than five"})
	require.ErrorIs(t, err, sms.ErrInvalidArgument)
	require.Nil(t, res)
}

func TestRouterContext(t *testing.T) {
	a, b := newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := twoRoutes(t, a, b).Send(ctx, routed("+12025550101", "+12025550102"))
	require.ErrorIs(t, err, context.Canceled)
	for _, r := range res {
		require.ErrorIs(t, r.Err, context.Canceled)
	}
	require.Zero(t, a.rec.Calls()+b.rec.Calls())

	// Canceled after the first route refused: the recipient is not failed over.
	a, b = newVendor("a", nil, sms.RetryPolicy{}), newVendor("b", nil, sms.RetryPolicy{})
	ctx, cancel = context.WithCancel(context.Background())
	a.c = sms.NewClient(a.rec, &sms.ClientOptions{Retry: sms.RetryPolicy{MaxAttempts: 1}, Middleware: []sms.Middleware{
		func(p sms.Provider) sms.Provider { return cancelAfter{p, cancel} },
	}})
	a.rec.FailNext(refused)
	res, err = twoRoutes(t, a, b).Send(ctx, routed("+12025550101"))
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, res[0].Err, context.Canceled)
	require.True(t, strings.Contains(res[0].Err.Error(), "not failed over"), res[0].Err.Error())
	require.Zero(t, b.rec.Calls())
}

// cancelAfter cancels a context once its provider answered.
type cancelAfter struct {
	sms.Provider
	cancel func()
}

func (c cancelAfter) Send(ctx context.Context, m *sms.Message) ([]sms.SendResult, error) {
	defer c.cancel()
	return c.Provider.Send(ctx, m)
}

func TestNewRouterReportsEveryProblem(t *testing.T) {
	numbersOnly := smstest.NewRecorder(nil).Capabilities()
	numbersOnly.SenderTypes = []sms.SenderType{sms.SenderLongCode}
	c := sms.NewClient(smstest.NewRecorder(&smstest.RecorderOptions{Capabilities: &numbersOnly}), nil)
	_, err := sms.NewRouter(
		sms.Route{From: senderA},                 // no client
		sms.Route{Client: c, From: senderB},      // alphanumeric not supported
		sms.Route{Client: c, From: sms.Sender{}}, // no sender
		sms.Route{Client: c, From: senderA},
		sms.Route{Client: c, From: senderA}, // repeat
	)
	require.Error(t, err)
	for _, want := range []string{"route 1: no Client", "route 2", "alphanumeric", "route 3", "route 5", "repeats route 4"} {
		require.Contains(t, err.Error(), want)
	}
	require.ErrorIs(t, err, sms.ErrInvalidArgument)
	_, err = sms.NewRouter()
	require.ErrorIs(t, err, sms.ErrInvalidArgument)
}

func TestCanFailover(t *testing.T) {
	tests := []struct {
		code        sms.Code
		notAccepted bool
		want        bool
	}{
		{sms.CodeUnknown, true, false},
		{sms.CodeInvalidArgument, true, false},
		{sms.CodeUnauthenticated, true, true},
		{sms.CodeUnauthenticated, false, false},
		{sms.CodePermissionDenied, true, true},
		{sms.CodeRateLimited, true, true},
		{sms.CodeRateLimited, false, false},
		{sms.CodeUnavailable, true, true},
		{sms.CodeUnavailable, false, false},
		{sms.CodeInvalidRecipient, true, false},
		{sms.CodeOptedOut, true, false},
		{sms.CodeOutcomeUnknown, false, false},
		{sms.CodeOutcomeUnknown, true, false},
		{sms.CodeInternal, true, false},
		{sms.CodeNotFound, true, true},
		{sms.CodeCanceled, true, false},
		{sms.CodeDeadlineExceeded, true, false},
		{sms.CodeUnsupported, true, false},
		{sms.Code(99), true, false},
	}
	for _, tt := range tests {
		err := &sms.Error{Code: tt.code, NotAccepted: tt.notAccepted}
		require.Equal(t, tt.want, sms.CanFailover(err), "%s notAccepted=%v", tt.code, tt.notAccepted)
		require.Equal(t, tt.want, sms.CanFailover(fmt.Errorf("wrapped: %w", err)), "%s wrapped", tt.code)
	}
	require.False(t, sms.CanFailover(nil))
	require.False(t, sms.CanFailover(errors.New("foreign")))
	require.False(t, sms.CanFailover(context.Canceled))
	// A refused request whose cause is the context's end stops too.
	require.False(t, sms.CanFailover(&sms.Error{Code: sms.CodeUnavailable, NotAccepted: true, Err: context.DeadlineExceeded}))
	require.False(t, sms.CanFailover(sms.NotAttempted("x", context.Canceled)))
}

// Client.Send names the provider and the sender on every result, failed ones included.
func TestSendResultNamesProviderAndSender(t *testing.T) {
	rec := smstest.NewRecorder(&smstest.RecorderOptions{Name: "rec"})
	rec.Script("+12025550102", &sms.Error{Code: sms.CodeInvalidRecipient, NotAccepted: true})
	res, err := sms.NewClient(rec, nil).Send(context.Background(), &sms.Message{
		To: []string{"+12025550101", "+12025550102", "bad"}, From: senderA, Body: "x"})
	require.NoError(t, err)
	for _, r := range res {
		require.Equal(t, "rec", r.Provider)
		require.Equal(t, senderA, r.From)
	}
}

// A later route that cannot carry the message is passed over when a recipient reaches it:
// the recipient keeps the error of the last route that could.
func TestRouterLaterRouteRefusingMessage(t *testing.T) {
	a := newVendor("a", nil, sms.RetryPolicy{})
	small := smstest.NewRecorder(nil).Capabilities()
	small.MaxBody = 5
	b := &routeVendor{rec: smstest.NewRecorder(&smstest.RecorderOptions{Name: "b", Capabilities: &small})}
	b.c = sms.NewClient(b.rec, nil)
	a.rec.FailNext(refused)
	res, err := twoRoutes(t, a, b).Send(context.Background(), &sms.Message{To: []string{"+12025550101"}, Body: "longer than five"})
	require.ErrorIs(t, err, sms.ErrUnavailable)
	require.Equal(t, "a", res[0].Provider)
	require.Zero(t, b.rec.Calls())
}
