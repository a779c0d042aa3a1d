package smsotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/smsbridge/sms"
	smsotel "github.com/smsbridge/sms/otel"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
)

// setup returns a Telemetry over an in-memory span recorder and a manual metric reader.
func setup(t *testing.T) (*smsotel.Telemetry, *tracetest.SpanRecorder, *sdkmetric.ManualReader) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	rd := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(rd))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel, err := smsotel.New(&smsotel.Options{TracerProvider: tp, MeterProvider: mp})
	require.NoError(t, err)
	return tel, sr, rd
}

// stepClock is a manual sms.Clock: Sleep moves it by d at once, so the waits reported are the
// delays the Client asked for, with no wall-clock wait.
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

// clockLimiter takes perToken × n of the test's clock per wait.
type clockLimiter struct {
	clock    *stepClock
	perToken time.Duration
}

func (l *clockLimiter) Wait(ctx context.Context, _ string, _ sms.Sender, n int) error {
	l.clock.advance(time.Duration(n) * l.perToken)
	return ctx.Err()
}

func attrMap(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

func spansNamed(sr *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// collect reads the metrics and returns, per metric name, the data points as
// "attr=value,…" → value (a counter's sum, a histogram's count and sum).
type point struct {
	Count uint64
	Sum   float64
}

func collect(t *testing.T, rd *sdkmetric.ManualReader) map[string]map[string]point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, rd.Collect(context.Background(), &rm))
	out := map[string]map[string]point{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, smsotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			pts := map[string]point{}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					pts[setKey(dp.Attributes)] = point{Sum: float64(dp.Value)}
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					pts[setKey(dp.Attributes)] = point{Count: dp.Count, Sum: dp.Sum}
				}
			default:
				t.Fatalf("metric %s: unexpected data %T", m.Name, m.Data)
			}
			out[m.Name] = pts
		}
	}
	return out
}

func setKey(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() { // sorted by key
		parts = append(parts, string(kv.Key)+"="+kv.Value.Emit())
	}
	return strings.Join(parts, ",")
}

// A send with a recipient refused once (rate limited with Retry-After) then accepted, one
// accepted at once and one invalid, behind a limiter: one send span, two attempt spans under
// it, the waits as events, and the metrics by outcome and code.
func TestSendSpansAndMetrics(t *testing.T) {
	tel, sr, rd := setup(t)
	rec := smstest.NewRecorder(&smstest.RecorderOptions{Name: "rec"})
	rec.Script("+12025550102", &sms.Error{Code: sms.CodeRateLimited, HTTPStatus: 429, NotAccepted: true, RetryAfter: 7 * time.Second})
	clock := &stepClock{t: time.Unix(1700000000, 0)}
	c := sms.NewClient(rec, &sms.ClientOptions{Clock: clock, Observer: tel.Observer(),
		Limiter: &clockLimiter{clock: clock, perToken: 500 * time.Millisecond}})

	parentCtx, parent := sdktrace.NewTracerProvider().Tracer("app").Start(context.Background(), "app")
	res, err := c.Send(parentCtx, &sms.Message{
		To:   []string{"+12025550101", "+12025550102", "12"},
		From: sms.Sender{Value: "ACME"}, Body: "Your code is 123456",
	})
	parent.End()
	require.NoError(t, err)
	require.Equal(t, 2, res[1].Attempts)

	sends := spansNamed(sr, smsotel.SpanSend)
	require.Len(t, sends, 1)
	send := sends[0]
	require.Equal(t, parent.SpanContext().TraceID(), send.SpanContext().TraceID(), "the send span joins the caller's trace")
	require.Equal(t, parent.SpanContext().SpanID(), send.Parent().SpanID())
	require.Equal(t, trace.SpanKindInternal, send.SpanKind())
	require.Equal(t, map[string]any{
		"sms.provider": "rec", "sms.sender.type": "alphanumeric", "sms.recipients": int64(3), "sms.segments": int64(1),
		"sms.accepted": int64(2), "sms.attempts": int64(3), "sms.outcome": "partial", "error.type": "InvalidRecipient",
	}, attrMap(send.Attributes()))
	require.Equal(t, codes.Unset, send.Status().Code, "a send that reached someone is not an error")

	require.Len(t, send.Events(), 3)
	ev := send.Events()
	require.Equal(t, smsotel.EventLimiterWait, ev[0].Name)
	require.Equal(t, map[string]any{"sms.attempt": int64(1), "sms.ratelimit.tokens": int64(2), "sms.wait": 1.0}, attrMap(ev[0].Attributes))
	require.Equal(t, smsotel.EventRetryWait, ev[1].Name)
	require.Equal(t, map[string]any{"sms.attempt": int64(1), "sms.recipients": int64(1), "sms.wait": 7.0, "error.type": "RateLimited"}, attrMap(ev[1].Attributes))
	require.Equal(t, smsotel.EventLimiterWait, ev[2].Name)
	require.Equal(t, map[string]any{"sms.attempt": int64(2), "sms.ratelimit.tokens": int64(1), "sms.wait": 0.5}, attrMap(ev[2].Attributes))

	attempts := spansNamed(sr, smsotel.SpanAttempt)
	require.Len(t, attempts, 2)
	for _, a := range attempts {
		require.Equal(t, send.SpanContext().SpanID(), a.Parent().SpanID(), "attempts are children of the send")
		require.Equal(t, trace.SpanKindClient, a.SpanKind())
	}
	require.Equal(t, map[string]any{"sms.attempt": int64(1), "sms.recipients": int64(2), "sms.accepted": int64(1), "error.type": "RateLimited"},
		attrMap(attempts[0].Attributes()))
	require.Equal(t, codes.Unset, attempts[0].Status().Code)
	require.Equal(t, map[string]any{"sms.attempt": int64(2), "sms.recipients": int64(1), "sms.accepted": int64(1)},
		attrMap(attempts[1].Attributes()))

	m := collect(t, rd)
	require.Equal(t, map[string]point{
		"sms.outcome=accepted,sms.provider=rec,sms.sender.type=alphanumeric":                           {Sum: 2},
		"error.type=InvalidRecipient,sms.outcome=failed,sms.provider=rec,sms.sender.type=alphanumeric": {Sum: 1},
	}, m[smsotel.MetricSends])
	require.Equal(t, map[string]point{"error.type=RateLimited,sms.provider=rec": {Sum: 1}}, m[smsotel.MetricRetries])
	require.Equal(t, map[string]point{"sms.provider=rec,sms.sender.type=alphanumeric": {Count: 2, Sum: 1.5}}, m[smsotel.MetricRateLimitWait])
	require.Equal(t, map[string]point{"sms.outcome=partial,sms.provider=rec,sms.sender.type=alphanumeric": {Count: 1, Sum: 8.5}},
		m[smsotel.MetricSendDuration], "1 s + 7 s + 0.5 s on the Client's clock")
}

// A send no recipient accepted is an error span; an ambiguous recipient counts as unknown.
func TestSendFailedAndUnknown(t *testing.T) {
	tel, sr, rd := setup(t)
	rec := smstest.NewRecorder(&smstest.RecorderOptions{Name: "rec", MaxRecipients: 1})
	rec.Script("+12025550101", &sms.Error{Code: sms.CodeOutcomeUnknown, HTTPStatus: 500})
	rec.Script("+12025550102", &sms.Error{Code: sms.CodeInvalidRecipient, NotAccepted: true})
	c := sms.NewClient(rec, &sms.ClientOptions{Clock: &stepClock{}, Observer: tel.Observer()})
	_, err := c.Send(context.Background(), &sms.Message{To: []string{"+12025550101", "+12025550102"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi"})
	require.Error(t, err)
	send := spansNamed(sr, smsotel.SpanSend)[0]
	require.Equal(t, codes.Error, send.Status().Code)
	require.Equal(t, "Unknown", send.Status().Description, "the summary error's code: the recipients' codes differ")
	require.Equal(t, "failed", attrMap(send.Attributes())["sms.outcome"])
	for _, a := range spansNamed(sr, smsotel.SpanAttempt) {
		require.Equal(t, codes.Error, a.Status().Code)
	}
	require.Equal(t, map[string]point{
		"error.type=OutcomeUnknown,sms.outcome=unknown,sms.provider=rec,sms.sender.type=long_code":  {Sum: 1},
		"error.type=InvalidRecipient,sms.outcome=failed,sms.provider=rec,sms.sender.type=long_code": {Sum: 1},
	}, collect(t, rd)[smsotel.MetricSends])
}

// Through the Twilio emulator: a 429 with Retry-After on the first request is retried after
// exactly that delay, the HTTP request runs under the attempt span, and the delivery reports
// come back through the instrumented webhook as callback spans with their events. Nothing
// recorded carries a number, the body or a message id.
func TestTwilioEmulatorEndToEnd(t *testing.T) {
	tel, sr, rd := setup(t)
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	defer app.Close()

	// The transport notes the span each vendor request runs under.
	var mu sync.Mutex
	var requestSpans []trace.SpanContext
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		requestSpans = append(requestSpans, trace.SpanContextFromContext(r.Context()))
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})}
	p, err := twilio.New(twilio.Config{
		AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken()),
		PublicURL: app.URL, StatusCallback: app.URL + "/twilio/status",
	}, &twilio.Options{BaseURL: srv.URL, HTTPClient: hc})
	require.NoError(t, err)
	var got []sms.Event
	var gotMu sync.Mutex
	mux.Handle("/twilio/", tel.Webhook(p, webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		gotMu.Lock()
		got = append(got, evs...)
		gotMu.Unlock()
		return nil
	}), nil))

	srv.Arm(twiliotest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 3 * time.Second})
	srv.SetOutcome("+14155550199", sms.StatusUndelivered, "30003")
	clock := &stepClock{t: time.Unix(1700000000, 0)}
	c := sms.NewClient(p, &sms.ClientOptions{Clock: clock, Observer: tel.Observer()})
	const body = "Your code is 918273"
	res, err := c.Send(context.Background(), &sms.Message{
		To:   []string{"+14155550100", "+14155550199"},
		From: sms.Sender{Value: "+15005550006"}, Body: body, Reference: "order-77",
	})
	require.NoError(t, err)
	require.NoError(t, srv.WaitCallbacks(context.Background()))
	for _, r := range res {
		require.NoError(t, r.Err)
	}

	send := spansNamed(sr, smsotel.SpanSend)
	require.Len(t, send, 1)
	var retry []sdktrace.Event
	for _, ev := range send[0].Events() {
		if ev.Name == smsotel.EventRetryWait {
			retry = append(retry, ev)
		}
	}
	require.Len(t, retry, 1)
	require.Equal(t, map[string]any{"sms.attempt": int64(1), "sms.recipients": int64(1), "sms.wait": 3.0, "error.type": "RateLimited"},
		attrMap(retry[0].Attributes), "the wait is the vendor's Retry-After, read off the Client's clock")
	attempts := spansNamed(sr, smsotel.SpanAttempt)
	require.Len(t, attempts, 3, "one request per recipient (Twilio takes one), plus the retry")
	ids := map[trace.SpanID]bool{}
	for _, a := range attempts {
		ids[a.SpanContext().SpanID()] = true
	}
	mu.Lock()
	require.Len(t, requestSpans, 3)
	for _, sc := range requestSpans {
		require.True(t, ids[sc.SpanID()], "each HTTP request runs under its attempt span")
	}
	mu.Unlock()

	cbs := spansNamed(sr, smsotel.SpanCallback)
	require.Len(t, cbs, 4, "sent and an outcome for each recipient")
	statuses := map[string]int{}
	for _, cb := range cbs {
		a := attrMap(cb.Attributes())
		require.Equal(t, "twilio", a["sms.provider"])
		require.Equal(t, int64(200), a["http.response.status_code"])
		require.Equal(t, int64(1), a["sms.events"])
		require.Equal(t, trace.SpanKindServer, cb.SpanKind())
		require.Len(t, cb.Events(), 1)
		ev := attrMap(cb.Events()[0].Attributes)
		require.Equal(t, "delivery_report", ev["sms.event.type"])
		key := ev["sms.status"].(string)
		if et, ok := ev["error.type"]; ok {
			key += "/" + et.(string)
		}
		statuses[key]++
	}
	gotMu.Lock()
	require.Equal(t, map[string]int{"sent": 2, "delivered": 1, "undelivered/" + undeliveredCode(t, got): 1}, statuses)
	gotMu.Unlock()

	m := collect(t, rd)
	require.Equal(t, map[string]point{"sms.event.type=delivery_report,sms.provider=twilio": {Sum: 4}}, m[smsotel.MetricCallbackEvents])
	require.Equal(t, uint64(4), m[smsotel.MetricCallbackDuration]["http.response.status_code=200,sms.provider=twilio"].Count)
	require.Equal(t, map[string]point{"sms.outcome=accepted,sms.provider=twilio,sms.sender.type=long_code": {Sum: 2}}, m[smsotel.MetricSends])
	require.Equal(t, map[string]point{"error.type=RateLimited,sms.provider=twilio": {Sum: 1}}, m[smsotel.MetricRetries])

	// Nothing recorded names a number, the body, the reference or a message id.
	secrets := []string{"4155550", "5005550006", body, "918273", "order-77", srv.AccountSID(), srv.AuthToken()}
	for _, r := range res {
		secrets = append(secrets, r.MessageID)
	}
	for _, s := range sr.Ended() {
		all := append([]attribute.KeyValue{}, s.Attributes()...)
		for _, ev := range s.Events() {
			all = append(all, ev.Attributes...)
		}
		for _, kv := range all {
			for _, secret := range secrets {
				require.NotContains(t, kv.Value.Emit(), secret, "span %s attribute %s", s.Name(), kv.Key)
			}
		}
	}
	for name, pts := range m {
		for k := range pts {
			for _, secret := range secrets {
				require.NotContains(t, k, secret, "metric %s", name)
			}
		}
	}
}

// undeliveredCode returns the portable code the provider gave the undelivered report.
func undeliveredCode(t *testing.T, evs []sms.Event) string {
	for _, ev := range evs {
		if ev.Status == sms.StatusUndelivered {
			return ev.Code.String()
		}
	}
	t.Fatal("no undelivered report")
	return ""
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Refused callbacks: the span carries the status answered and why, never the error's text.
func TestWebhookRefusals(t *testing.T) {
	rec := smstest.NewRecorder(&smstest.RecorderOptions{Name: "rec"})
	var onError []error
	sinkErr := false
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		kind   string
	}{{
		name: "bad signature",
		req: func() *http.Request {
			r := rec.InboundRequest("+12025550101", "+12025550100", "hi")
			r.Header.Set(smstest.SignatureHeader, "00")
			return r
		},
		status: http.StatusUnauthorized, kind: "Unauthenticated",
	}, {
		name:   "wrong method",
		req:    func() *http.Request { return httptest.NewRequest(http.MethodPut, "/cb", nil) },
		status: http.StatusMethodNotAllowed, kind: "method_not_allowed",
	}, {
		name: "too large",
		req: func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(strings.Repeat("x", 2048)))
		},
		status: http.StatusRequestEntityTooLarge, kind: "too_large",
	}, {
		name: "sink fails",
		req: func() *http.Request {
			sinkErr = true
			return rec.InboundRequest("+12025550101", "+12025550100", "STOP")
		},
		status: http.StatusInternalServerError, kind: "sink",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel, sr, rd := setup(t)
			onError = nil
			h := tel.Webhook(rec, webhook.SinkFunc(func(context.Context, []sms.Event) error {
				if sinkErr {
					return context.DeadlineExceeded
				}
				return nil
			}), &webhook.Options{MaxBodyBytes: 1024, OnError: func(_ *http.Request, err error) { onError = append(onError, err) }})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req())
			require.Equal(t, tt.status, w.Code)
			require.Len(t, onError, 1, "the application's OnError is still called")
			cbs := spansNamed(sr, smsotel.SpanCallback)
			require.Len(t, cbs, 1)
			a := attrMap(cbs[0].Attributes())
			require.Equal(t, int64(tt.status), a["http.response.status_code"])
			require.Equal(t, tt.kind, a["error.type"])
			if tt.status >= 500 {
				require.Equal(t, codes.Error, cbs[0].Status().Code)
				require.Equal(t, map[string]point{"sms.event.type=opt_out,sms.provider=rec": {Sum: 1}}, collect(t, rd)[smsotel.MetricCallbackEvents])
			} else {
				require.Equal(t, codes.Unset, cbs[0].Status().Code, "a 4xx is the caller's fault, not the server's")
			}
		})
	}
}
