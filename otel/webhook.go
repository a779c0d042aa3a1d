package smsotel

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// Span and span-event names of callbacks.
const (
	SpanCallback = "sms.callback" // one callback request
	EventEvent   = "sms.event"    // on SpanCallback: one event handed to the sink
)

// Webhook returns webhook.Handler(p, sink, opts) instrumented with Handler, Sink and OnError:
// a span per callback request with an event per event handed to the sink, the answered
// status, the error kind of a refused request, and the callback metrics. opts may be nil;
// its OnError, if set, is still called.
func (t *Telemetry) Webhook(p sms.Provider, sink webhook.Sink, opts *webhook.Options) http.Handler {
	var o webhook.Options
	if opts != nil {
		o = *opts
	}
	o.OnError = t.OnError(o.OnError)
	return t.Handler(webhook.Handler(p, t.Sink(sink), &o), p.Name())
}

// Handler wraps a callback handler (a webhook.Handler, or an application's own) with a span
// SpanCallback of kind server per request — a child of the span in the request's context,
// if any — carrying AttrProvider (provider names the handler's provider), AttrHTTPMethod,
// AttrHTTPStatus and AttrEvents; its status is Error for a 5xx answer. It records
// MetricCallbackDuration (AttrProvider, AttrHTTPStatus). The request's context carries the
// span, for Sink and OnError.
func (t *Telemetry) Handler(h http.Handler, provider string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, sp := t.tracer.Start(r.Context(), SpanCallback, kindServer, trace.WithAttributes(
			AttrProvider.String(provider),
			AttrHTTPMethod.String(r.Method),
		))
		defer sp.End()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r.WithContext(ctx))
		code := sw.code
		if code == 0 {
			code = http.StatusOK // net/http's answer to a handler that wrote nothing
		}
		sp.SetAttributes(AttrHTTPStatus.Int(code))
		if code >= 500 {
			sp.SetStatus(codes.Error, strconv.Itoa(code))
		}
		t.cbDuration.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(AttrProvider.String(provider), AttrHTTPStatus.Int(code)))
	})
}

// Sink wraps the application's sink: each event it is handed becomes a span event EventEvent
// (AttrEventType, and for a delivery report AttrStatus and, when the vendor reported an
// error, AttrErrorType with the event's portable code) on the span of the request's context,
// which gets AttrEvents, and counts in MetricCallbackEvents (AttrProvider, AttrEventType).
// Events are counted when handed over, whatever the sink answers; a sink error sets
// AttrErrorType "sink" on the span, and comes back wrapped so that OnError names it so too
// (errors.Is and errors.As still reach it, and its text is unchanged). The SDK's span limits (128 events by default) bound the
// span events of a large batch; the counter counts them all.
func (t *Telemetry) Sink(s webhook.Sink) webhook.Sink {
	return webhook.SinkFunc(func(ctx context.Context, events []sms.Event) error {
		sp := trace.SpanFromContext(ctx)
		sp.SetAttributes(AttrEvents.Int(len(events)))
		for i := range events {
			ev := &events[i]
			attrs := []attribute.KeyValue{AttrEventType.String(ev.Type.String())}
			if ev.Type == sms.EventDeliveryReport {
				attrs = append(attrs, AttrStatus.String(ev.Status.String()))
				if ev.ErrorCode != "" || ev.Code != sms.CodeUnknown {
					attrs = append(attrs, AttrErrorType.String(ev.Code.String()))
				}
			}
			sp.AddEvent(EventEvent, trace.WithAttributes(attrs...))
			t.cbEvents.Add(ctx, 1, metric.WithAttributes(AttrProvider.String(ev.Provider), AttrEventType.String(ev.Type.String())))
		}
		if err := s.HandleEvents(ctx, events); err != nil {
			sp.SetAttributes(AttrErrorType.String("sink"))
			return sinkError{err}
		}
		return nil
	})
}

// sinkError marks an error as the sink's, so OnError names it "sink" whatever it wraps. It
// reads and unwraps as the sink's error.
type sinkError struct{ err error }

func (e sinkError) Error() string { return e.err.Error() }
func (e sinkError) Unwrap() error { return e.err }

// OnError returns a webhook.Options.OnError that records why a request was refused on the
// span of its context — AttrErrorType: "method_not_allowed", "too_large", or the portable
// code of the provider's or store's error ("Unauthenticated", "InvalidArgument", …) — and
// then calls next, if not nil. The error's text is not recorded: it may quote the request.
func (t *Telemetry) OnError(next func(*http.Request, error)) func(*http.Request, error) {
	return func(r *http.Request, err error) {
		sp := trace.SpanFromContext(r.Context())
		if sp.SpanContext().IsValid() {
			sp.SetAttributes(AttrErrorType.String(errorKind(err)))
		}
		if next != nil {
			next(r, err)
		}
	}
}

// errorKind names a webhook error without its text.
func errorKind(err error) string {
	var se sinkError
	switch {
	case errors.As(err, &se):
		return "sink"
	case errors.Is(err, webhook.ErrMethodNotAllowed):
		return "method_not_allowed"
	case errors.Is(err, webhook.ErrTooLarge):
		return "too_large"
	}
	var e *sms.Error
	if !errors.As(err, &e) && errors.Is(err, errors.ErrUnsupported) {
		return sms.CodeUnsupported.String()
	}
	return sms.ErrorCode(err).String()
}

// statusWriter records the status a handler answers. It passes Flush through and unwraps for
// http.ResponseController (which reaches Hijack and deadlines of the writer beneath).
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
