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

// sendKey is the context key of the per-send state the hooks after SendStart read.
type sendKey struct{}

// sendState is what SendStart learnt, for the metrics of the hooks that follow.
type sendState struct {
	span  trace.Span
	attrs attribute.Set // provider and sender type
}

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
// Waits and durations are read from the Client's clock (sms.ClientOptions.Clock).
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
	st := &sendState{attrs: attribute.NewSet(AttrProvider.String(info.Provider), AttrSenderType.String(info.SenderType.String()))}
	ctx, st.span = t.tracer.Start(ctx, SpanSend, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(
		AttrProvider.String(info.Provider),
		AttrSenderType.String(info.SenderType.String()),
		AttrRecipients.Int(info.Recipients),
		AttrSegments.Int(info.Segments),
	))
	return context.WithValue(ctx, sendKey{}, st)
}

// state returns the send's state, or one with a no-op span and empty attributes when ctx did
// not come from sendStart (an Observer whose SendStart was replaced).
func state(ctx context.Context) *sendState {
	if st, ok := ctx.Value(sendKey{}).(*sendState); ok {
		return st
	}
	return &sendState{span: trace.SpanFromContext(ctx)}
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
	st := state(ctx)
	// Recipients by (outcome, code): one Add per distinct pair, however long the list.
	type key struct {
		outcome string
		code    sms.Code
	}
	counts := map[key]int64{}
	var firstErr error
	for _, r := range info.Results {
		k := key{outcome: outcome(r.Err)}
		if r.Err != nil {
			k.code = sms.ErrorCode(r.Err)
			if firstErr == nil {
				firstErr = r.Err
			}
		}
		counts[k]++
	}
	base := st.attrs.ToSlice()
	for k, n := range counts {
		attrs := append(base[:len(base):len(base)], AttrOutcome.String(k.outcome))
		if k.outcome != OutcomeAccepted {
			attrs = append(attrs, AttrErrorType.String(k.code.String()))
		}
		t.sends.Add(ctx, n, metric.WithAttributes(attrs...))
	}
	send := OutcomeAccepted
	switch {
	case info.Accepted == 0 && len(info.Results) > 0:
		send = OutcomeFailed
	case info.Accepted < len(info.Results):
		send = OutcomePartial
	}
	t.sendDuration.Record(ctx, info.Elapsed.Seconds(), metric.WithAttributes(append(base, AttrOutcome.String(send))...))

	sp := st.span
	sp.SetAttributes(AttrAccepted.Int(info.Accepted), AttrAttempts.Int(info.Attempts), AttrOutcome.String(send))
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
	ctx, _ = t.tracer.Start(ctx, SpanAttempt, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		AttrAttempt.Int(info.Attempt),
		AttrRecipients.Int(info.Recipients),
	))
	return ctx
}

func (t *Telemetry) attemptDone(ctx context.Context, info sms.AttemptDoneInfo) {
	sp := trace.SpanFromContext(ctx)
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
	st := state(ctx)
	t.limiterHist.Record(ctx, info.Waited.Seconds(), metric.WithAttributeSet(st.attrs))
	attrs := []attribute.KeyValue{AttrAttempt.Int(info.Attempt), AttrTokens.Int(info.Tokens), AttrWait.Float64(info.Waited.Seconds())}
	if info.Err != nil {
		attrs = append(attrs, AttrErrorType.String(sms.ErrorCode(info.Err).String()))
	}
	st.span.AddEvent(EventLimiterWait, trace.WithAttributes(attrs...))
}

func (t *Telemetry) retryWait(ctx context.Context, info sms.RetryWaitInfo) {
	st := state(ctx)
	provider, _ := st.attrs.Value(AttrProvider)
	t.retries.Add(ctx, 1, metric.WithAttributes(AttrProvider.String(provider.AsString()), AttrErrorType.String(info.Code.String())))
	st.span.AddEvent(EventRetryWait, trace.WithAttributes(
		AttrAttempt.Int(info.Attempt),
		AttrRecipients.Int(info.Recipients),
		AttrWait.Float64(info.Delay.Seconds()),
		AttrErrorType.String(info.Code.String()),
	))
}
