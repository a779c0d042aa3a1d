package sms_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

func msg(to ...string) *sms.Message {
	return &sms.Message{To: to, From: sms.Sender{Value: "+12025550100"}, Body: "hello"}
}

func TestClientSplitsByMaxRecipientsAndLimitsPerSender(t *testing.T) {
	rec := smstest.NewRecorder(&smstest.RecorderOptions{MaxRecipients: 2})
	lim := &countingLimiter{}
	c := sms.NewClient(rec, &sms.ClientOptions{Limiter: lim, Concurrency: 1})
	m := msg("+12025550101", "+12025550102", "+12025550103", "+12025550104", "+12025550105")
	m.Body = strings.Repeat("a", 161) // 2 segments
	res, err := c.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Calls() != 3 || len(res) != 5 {
		t.Fatalf("want 3 vendor calls and 5 results, got %d and %d", rec.Calls(), len(res))
	}
	for i, r := range res {
		if want := fmt.Sprintf("+1202555010%d", i+1); r.To != want || !r.OK() || r.Segments != 2 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	if fmt.Sprint(lim.ns) != "[4 4 2]" || lim.keys[0] != "recorder:+12025550100" {
		t.Fatalf("limiter asked for %v tokens with keys %v", lim.ns, lim.keys)
	}
	sent := rec.Sent()
	if sent[0].Key == "" || sent[0].Key != sent[4].Key {
		t.Fatal("one idempotency key must be set for the whole send")
	}
}

func TestClientSuppression(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	sup := sms.SuppressorFunc(func(ctx context.Context, from sms.Sender, to string) (bool, error) {
		return to == "+12025550102", nil
	})
	c := sms.NewClient(rec, &sms.ClientOptions{Suppressor: sup})
	res, err := c.Send(context.Background(), msg("+12025550101", "+12025550102"))
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].OK() || !errors.Is(res[1].Err, sms.ErrOptedOut) || res[1].Attempts != 0 {
		t.Fatalf("got %+v", res)
	}
	// Every recipient suppressed: nothing was sent, so the result and an OptedOut error.
	res, err = c.Send(context.Background(), msg("+12025550102"))
	require.Len(t, res, 1)
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.ErrorIs(t, err, sms.ErrOptedOut)
	require.True(t, sms.IsNotAccepted(err))
	if rec.Calls() != 1 {
		t.Fatalf("want 1 vendor call, got %d", rec.Calls())
	}
}

func TestClientValidation(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	c := sms.NewClient(rec, nil)
	cases := map[string]*sms.Message{
		"nil":          nil,
		"no to":        msg(),
		"empty body":   {To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}},
		"bad utf8":     {To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "\xff"},
		"no sender":    {To: []string{"+12025550101"}, Body: "x"},
		"bad sender":   {To: []string{"+12025550101"}, From: sms.Sender{Type: sms.SenderLongCode, Value: "12"}, Body: "x"},
		"too long":     {To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: strings.Repeat("é", 1601)},
		"neg validity": {To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "x", Validity: -time.Second},
		"bad type":     {To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "x", Type: sms.MessageType(9)},
	}
	for name, m := range cases {
		res, err := c.Send(context.Background(), m)
		if sms.ErrorCode(err) != sms.CodeInvalidArgument || !sms.IsNotAccepted(err) || res != nil {
			t.Errorf("%s: want InvalidArgument and no results, got %v %v", name, res, err)
		}
		if _, err := c.Validate(m); sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("%s: Validate: want InvalidArgument, got %v", name, err)
		}
	}
	if rec.Calls() != 0 {
		t.Fatalf("validation must happen before any call, got %d", rec.Calls())
	}
}

func TestClientBodyUnits(t *testing.T) {
	for _, c := range []struct {
		unit sms.BodyUnit
		max  int
		body string
		ok   bool
	}{
		{sms.UnitCharacters, 2, "éé", true}, {sms.UnitBytes, 3, "éé", false}, {sms.UnitUTF16, 2, "😀", true},
		{sms.UnitUTF16, 1, "😀", false}, {sms.UnitSegments, 1, strings.Repeat("a", 160), true}, {sms.UnitSegments, 1, strings.Repeat("a", 161), false},
	} {
		caps := smstest.NewRecorder(nil).Capabilities()
		caps.MaxBody, caps.BodyUnit = c.max, c.unit
		cl := sms.NewClient(smstest.NewRecorder(&smstest.RecorderOptions{Capabilities: &caps}), nil)
		m := msg("+12025550101")
		m.Body = c.body
		_, err := cl.Send(context.Background(), m)
		if (err == nil) != c.ok {
			t.Errorf("%s max %d %q: err %v", c.unit, c.max, c.body, err)
		}
	}
}

func TestClientMiddlewareOrderAndSingleLayer(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	var order []string
	mw := func(name string) sms.Middleware {
		return func(next sms.Provider) sms.Provider {
			return sendFunc{next, func(ctx context.Context, m *sms.Message) ([]sms.SendResult, error) {
				order = append(order, name)
				return next.Send(ctx, m)
			}}
		}
	}
	inner := sms.NewClient(rec, &sms.ClientOptions{Middleware: []sms.Middleware{mw("a")}})
	outer := sms.NewClient(inner, &sms.ClientOptions{Middleware: []sms.Middleware{mw("x"), mw("y")}})
	if outer.Unwrap() != sms.Provider(rec) {
		t.Fatal("wrapping a Client must unwrap to the vendor provider")
	}
	if _, err := outer.Send(context.Background(), msg("+12025550101")); err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "x,y" {
		t.Fatalf("middleware order %v (the inner client's layer must not run again)", order)
	}
}

type sendFunc struct {
	sms.Provider
	f func(context.Context, *sms.Message) ([]sms.SendResult, error)
}

func (s sendFunc) Send(ctx context.Context, m *sms.Message) ([]sms.SendResult, error) {
	return s.f(ctx, m)
}

func TestClientContextEndsDuringRetryWait(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	rec.FailNext(&sms.Error{Code: sms.CodeRateLimited, NotAccepted: true, RetryAfter: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	clock := clockFunc(func(ctx2 context.Context, d time.Duration) error { cancel(); return ctx2.Err() })
	c := sms.NewClient(rec, &sms.ClientOptions{Clock: clock})
	res, err := c.Send(ctx, msg("+12025550101"))
	require.Len(t, res, 1)
	require.ErrorIs(t, err, context.Canceled, "nothing was sent: the error is the context's")
	var e *sms.Error
	require.ErrorAs(t, err, &e, "and an *sms.Error")
	require.Equal(t, sms.CodeCanceled, e.Code)
	require.True(t, e.NotAccepted)
	if rec.Calls() != 1 {
		t.Fatalf("want 1 call, got %d", rec.Calls())
	}
}

func TestClientRetryAfterTooLongIsNotRetried(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	rec.FailNext(&sms.Error{Code: sms.CodeRateLimited, NotAccepted: true, RetryAfter: time.Hour})
	clock := &smstest.FakeClock{}
	c := sms.NewClient(rec, &sms.ClientOptions{Clock: clock})
	_, err := c.Send(context.Background(), msg("+12025550101"))
	if !errors.Is(err, sms.ErrRateLimited) || len(clock.Sleeps()) != 0 {
		t.Fatalf("want RateLimited without waiting an hour, got %v, sleeps %v", err, clock.Sleeps())
	}
}

func TestClientBackoffGrowsWithoutRetryAfter(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	unavailable := &sms.Error{Code: sms.CodeUnavailable, NotAccepted: true}
	rec.FailNext(unavailable, unavailable)
	clock := &smstest.FakeClock{}
	c := sms.NewClient(rec, &sms.ClientOptions{Clock: clock, Retry: sms.RetryPolicy{NoJitter: true, BaseDelay: 100 * time.Millisecond}})
	res, err := c.Send(context.Background(), msg("+12025550101"))
	if err != nil || !res[0].OK() || res[0].Attempts != 3 {
		t.Fatalf("want success on the third attempt, got %+v %v", res, err)
	}
	if fmt.Sprint(clock.Sleeps()) != "[100ms 200ms]" {
		t.Fatalf("backoff %v", clock.Sleeps())
	}
}

type clockFunc func(ctx context.Context, d time.Duration) error

func (f clockFunc) Now() time.Time                                   { return time.Unix(0, 0) }
func (f clockFunc) Sleep(ctx context.Context, d time.Duration) error { return f(ctx, d) }

func ExampleClient_Send() {
	rec := smstest.NewRecorder(nil) // any Provider: twilio.New(...), a custom one, …
	client := sms.NewClient(rec, nil)
	res, err := client.Send(context.Background(), &sms.Message{
		To:   []string{"+1 (202) 555-0101", "+12025550102"},
		From: sms.Sender{Type: sms.SenderLongCode, Value: "+12025550100"},
		Body: "Your table is ready",
	})
	if err != nil {
		fmt.Println("nothing sent:", err)
		return
	}
	for _, r := range res {
		fmt.Println(r.To, r.MessageID, r.Err)
	}
	// Output:
	// +12025550101 rec-000001 <nil>
	// +12025550102 rec-000002 <nil>
}

func ExampleStatus_Supersedes() {
	stored := sms.StatusSent
	for _, report := range []sms.Status{sms.StatusDelivered, sms.StatusSent} { // out of order
		if report.Supersedes(stored) {
			stored = report
		}
	}
	fmt.Println(stored)
	// Output: delivered
}

func TestClientRecipientsNotAttemptedAfterCancel(t *testing.T) {
	rec := smstest.NewRecorder(&smstest.RecorderOptions{MaxRecipients: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelAfterFirst := func(next sms.Provider) sms.Provider {
		return sendFunc{next, func(ctx context.Context, m *sms.Message) ([]sms.SendResult, error) {
			res, err := next.Send(ctx, m)
			cancel()
			return res, err
		}}
	}
	c := sms.NewClient(rec, &sms.ClientOptions{Concurrency: 1, Middleware: []sms.Middleware{cancelAfterFirst}})
	res, err := c.Send(ctx, msg("+12025550101", "+12025550102", "+12025550103"))
	if err != nil {
		t.Fatalf("the first recipient was sent, so results are expected: %v", err)
	}
	if !res[0].OK() {
		t.Fatalf("first: %+v", res[0])
	}
	for _, r := range res[1:] {
		if !errors.Is(r.Err, context.Canceled) || !sms.IsNotAccepted(r.Err) || r.Attempts != 0 {
			t.Errorf("%s: want a not-attempted context error, got %+v", r.To, r)
		}
	}
	if len(rec.Sent()) != 1 {
		t.Fatalf("want 1 message sent, got %d", len(rec.Sent()))
	}
}

func TestNewClientNilPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("want a panic")
		}
	}()
	sms.NewClient(nil, nil)
}
