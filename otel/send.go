package smsotel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/smsbridge/sms"
)

// Span and span-event names of sends.
const (
	SpanSend         = "sms.send"           // one Client.Send
	SpanAttempt      = "sms.attempt"        // one vendor request, a child of SpanSend
	EventLimiterWait = "sms.ratelimit.wait" // on SpanSend: a rate-limiter wait
	EventRetryWait   = "sms.retry.wait"     // on SpanSend: the wait before a retry
)

// sendKey is the context key of the send's labels, for the hooks after SendStart.
type sendKey struct{}

// labelKey identifies the label set of a send.
type labelKey struct {
	provider   string
	senderType sms.SenderType
}

// labels are the attributes and measurement options of one (provider, sender type), built
// once and cached: a send's hooks then reuse them instead of building sets each time.
type labels struct {
	kv       [2]attribute.KeyValue // provider, sender type
	set      attribute.Set
	accepted metric.AddOption       // MetricSends, outcome accepted
	duration [3]metric.RecordOption // MetricSendDuration by send outcome: accepted, partial, failed
	wait     metric.RecordOption    // MetricRateLimitWait
}

var sendOutcomes = [3]string{OutcomeAccepted, OutcomePartial, OutcomeFailed}

func (t *Telemetry) labels(provider string, st sms.SenderType) *labels {
	k := labelKey{provider, st}
	if l, ok := t.labelCache.Load(k); ok {
		return l.(*labels)
	}
	l := &labels{kv: [2]attribute.KeyValue{AttrProvider.String(provider), AttrSenderType.String(st.String())}}
	l.set = attribute.NewSet(l.kv[:]...)
	l.accepted = metric.WithAttributes(l.kv[0], l.kv[1], AttrOutcome.String(OutcomeAccepted))
	for i, o := range sendOutcomes {
		l.duration[i] = metric.WithAttributes(l.kv[0], l.kv[1], AttrOutcome.String(o))
	}
	l.wait = metric.WithAttributeSet(l.set)
	got, _ := t.labelCache.LoadOrStore(k, l)
	return got.(*labels)
}

// Span start options used on every send.
var (
	kindInternal = trace.WithSpanKind(trace.SpanKindInternal)
	kindClient   = trace.WithSpanKind(trace.SpanKindClient)
	kindServer   = trace.WithSpanKind(trace.SpanKindServer)
)

// Observer returns the hooks to put in sms.ClientOptions.Observer:
//
//   - a span SpanSend per Client.Send (a child of the span in the caller's context), with
//     AttrProvider, AttrSenderType, AttrRecipients, AttrSegments, and at its end AttrAccepted,
//     AttrAttempts, AttrOutcome and, when some recipient failed, AttrErrorType (the code of
//     the send's error, else of the first failed recipient); its status is Error when no
//     recipient was accepted;
//   - a child span SpanAttempt per vendor request (AttrAttempt, AttrRecipients, AttrAccepted,
//     AttrErrorType when a recipient was refused; status Error when none was accepted). The
//     provider receives the attempt span's context, so an instrumented HTTP transport
//     (otelhttp) nests its span under it;
//   - events EventLimiterWait (AttrAttempt, AttrTokens, AttrWait) and EventRetryWait
//     (AttrAttempt, AttrRecipients, AttrWait, AttrErrorType) on the send span;
//   - metrics MetricSends (per recipient: AttrProvider, AttrSenderType, AttrOutcome,
//     AttrErrorType), MetricSendDuration (AttrProvider, AttrSenderType, AttrOutcome),
//     MetricRetries (AttrProvider, AttrErrorType) and MetricRateLimitWait (AttrProvider,
//     AttrSenderType).
//
// Waits and durations are read from the Client's clock (sms.ClientOptions.Clock). The
// returned Observer leaves Result unset, for the application to fill (or to use
// sms.WithProgress); a new one is returned on each call, so changing it changes no other.
func (t *Telemetry) Observer() *sms.Observer {
	return &sms.Observer{
		SendStart:    t.sendStart,
		SendDone:     t.sendDone,
		AttemptStart: t.attemptStart,
		AttemptDone:  t.attemptDone,
		LimiterWait:  t.limiterWait,
		RetryWait:    t.retryWait,
	}
}

func (t *Telemetry) sendStart(ctx context.Context, info sms.SendStartInfo) context.Context {
	l := t.labels(info.Provider, info.SenderType)
	ctx, _ = t.tracer.Start(ctx, SpanSend, kindInternal, trace.WithAttributes(
		l.kv[0], l.kv[1], AttrRecipients.Int(info.Recipients), AttrSegments.Int(info.Segments)))
	return context.WithValue(ctx, sendKey{}, l)
}

// labelsOf returns the send's labels, or empty ones when ctx did not come from sendStart (an
// Observer whose SendStart was replaced).
func labelsOf(ctx context.Context) *labels {
	if l, ok := ctx.Value(sendKey{}).(*labels); ok {
		return l
	}
	return &labels{wait: metric.WithAttributeSet(*attribute.EmptySet())}
}

// outcome classifies one recipient's result.
func outcome(err error) string {
	switch {
	case err == nil:
		return OutcomeAccepted
	case sms.ErrorCode(err) == sms.CodeOutcomeUnknown:
		return OutcomeUnknown
	}
	return OutcomeFailed
}

func (t *Telemetry) sendDone(ctx context.Context, info sms.SendDoneInfo) {
	l := labelsOf(ctx)
	if info.Accepted > 0 {
		t.sends.Add(ctx, int64(info.Accepted), l.accepted)
	}
	// Failed recipients by code: one Add per distinct code, however long the list.
	var failed []sms.Code
	var counts []int64
	var firstErr error
	for _, r := range info.Results {
		if r.Err == nil {
			continue
		}
		if firstErr == nil {
			firstErr = r.Err
		}
		code, found := sms.ErrorCode(r.Err), false
		for i, c := range failed {
			if c == code {
				counts[i]++
				found = true
				break
			}
		}
		if !found {
			failed = append(failed, code)
			counts = append(counts, 1)
		}
	}
	for i, code := range failed {
		o := OutcomeFailed
		if code == sms.CodeOutcomeUnknown {
			o = OutcomeUnknown
		}
		t.sends.Add(ctx, counts[i], metric.WithAttributes(l.kv[0], l.kv[1], AttrOutcome.String(o), AttrErrorType.String(code.String())))
	}
	send := 0 // index in sendOutcomes
	switch {
	case info.Accepted == 0 && len(info.Results) > 0:
		send = 2
	case info.Accepted < len(info.Results):
		send = 1
	}
	t.sendDuration.Record(ctx, info.Elapsed.Seconds(), l.duration[send])

	sp := trace.SpanFromContext(ctx)
	if !sp.IsRecording() {
		sp.End()
		return
	}
	sp.SetAttributes(AttrAccepted.Int(info.Accepted), AttrAttempts.Int(info.Attempts), AttrOutcome.String(sendOutcomes[send]))
	if info.Err != nil {
		firstErr = info.Err
	}
	if firstErr != nil {
		code := sms.ErrorCode(firstErr).String()
		sp.SetAttributes(AttrErrorType.String(code))
		if info.Err != nil {
			sp.SetStatus(codes.Error, code)
		}
	}
	sp.End()
}

func (t *Telemetry) attemptStart(ctx context.Context, info sms.AttemptStartInfo) context.Context {
	ctx, _ = t.tracer.Start(ctx, SpanAttempt, kindClient, trace.WithAttributes(
		AttrAttempt.Int(info.Attempt),
		AttrRecipients.Int(info.Recipients),
	))
	return ctx
}

func (t *Telemetry) attemptDone(ctx context.Context, info sms.AttemptDoneInfo) {
	sp := trace.SpanFromContext(ctx)
	if !sp.IsRecording() {
		sp.End()
		return
	}
	sp.SetAttributes(AttrAccepted.Int(info.Accepted))
	if info.Err != nil {
		code := info.Code.String()
		sp.SetAttributes(AttrErrorType.String(code))
		if info.Accepted == 0 {
			sp.SetStatus(codes.Error, code)
		}
	}
	sp.End()
}

func (t *Telemetry) limiterWait(ctx context.Context, info sms.LimiterWaitInfo) {
	l := labelsOf(ctx)
	t.limiterHist.Record(ctx, info.Waited.Seconds(), l.wait)
	sp := trace.SpanFromContext(ctx)
	if !sp.IsRecording() {
		return
	}
	attrs := []attribute.KeyValue{AttrAttempt.Int(info.Attempt), AttrTokens.Int(info.Tokens), AttrWait.Float64(info.Waited.Seconds())}
	if info.Err != nil {
		attrs = append(attrs, AttrErrorType.String(sms.ErrorCode(info.Err).String()))
	}
	sp.AddEvent(EventLimiterWait, trace.WithAttributes(attrs...))
}

func (t *Telemetry) retryWait(ctx context.Context, info sms.RetryWaitInfo) {
	l := labelsOf(ctx)
	t.retries.Add(ctx, 1, metric.WithAttributes(l.kv[0], AttrErrorType.String(info.Code.String())))
	sp := trace.SpanFromContext(ctx)
	if !sp.IsRecording() {
		return
	}
	sp.AddEvent(EventRetryWait, trace.WithAttributes(
		AttrAttempt.Int(info.Attempt),
		AttrRecipients.Int(info.Recipients),
		AttrWait.Float64(info.Delay.Seconds()),
		AttrErrorType.String(info.Code.String()),
	))
}
