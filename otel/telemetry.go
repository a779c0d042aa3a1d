package smsotel

import (
	"errors"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and meter: this module's path.
const ScopeName = "github.com/smsbridge/sms/otel"

// Attribute keys set on spans, span events and metrics. None of them carries a phone number,
// a message body, a vendor message id or a credential.
const (
	AttrProvider   = attribute.Key("sms.provider")         // Provider.Name(): "twilio", "acs", …
	AttrSenderType = attribute.Key("sms.sender.type")      // resolved sender type: "long_code", "alphanumeric", …
	AttrRecipients = attribute.Key("sms.recipients")       // recipients of a send, or of one attempt
	AttrSegments   = attribute.Key("sms.segments")         // segments per recipient (the library's count)
	AttrAccepted   = attribute.Key("sms.accepted")         // recipients the vendor accepted
	AttrAttempts   = attribute.Key("sms.attempts")         // vendor requests of a send, retries included
	AttrAttempt    = attribute.Key("sms.attempt")          // 1 for the first request, 2 for the first retry, …
	AttrOutcome    = attribute.Key("sms.outcome")          // see the Outcome constants
	AttrErrorType  = attribute.Key("error.type")           // a portable sms.Code name ("RateLimited"), or a webhook error kind
	AttrTokens     = attribute.Key("sms.ratelimit.tokens") // tokens asked of the limiter
	AttrWait       = attribute.Key("sms.wait")             // seconds waited (limiter) or about to be waited (retry)
	AttrEventType  = attribute.Key("sms.event.type")       // sms.EventType name: "delivery_report", "inbound", …
	AttrStatus     = attribute.Key("sms.status")           // sms.Status name of a delivery report
	AttrEvents     = attribute.Key("sms.events")           // events a callback handed to the sink
	AttrHTTPStatus = attribute.Key("http.response.status_code")
	AttrHTTPMethod = attribute.Key("http.request.method")
)

// Values of AttrOutcome. A recipient is accepted, failed (the vendor or the library refused
// it), or unknown (sms.CodeOutcomeUnknown: the vendor may have accepted it). A send is
// accepted when every recipient was, partial when some were, failed when none was.
const (
	OutcomeAccepted = "accepted"
	OutcomePartial  = "partial"
	OutcomeFailed   = "failed"
	OutcomeUnknown  = "unknown"
)

// Metric names (the unit is in brackets).
const (
	MetricSends            = "sms.sends"             // counter {message}: one per recipient's final result
	MetricSendDuration     = "sms.send.duration"     // histogram [s]: one Client.Send, on the Client's clock
	MetricRetries          = "sms.retries"           // counter {request}: retry requests, by cause
	MetricRateLimitWait    = "sms.ratelimit.wait"    // histogram [s]: limiter waits, on the Client's clock
	MetricCallbackDuration = "sms.callback.duration" // histogram [s]: one callback request in the handler
	MetricCallbackEvents   = "sms.callback.events"   // counter {event}: events handed to the sink, by type
)

// Options configures New. The zero value (or a nil *Options) uses the global providers.
type Options struct {
	// TracerProvider makes the tracer; nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider makes the meter; nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
}

// Telemetry holds a tracer and the metric instruments. It hands out an sms.Observer for
// Clients (Observer) and wraps webhook handlers and sinks (Webhook, Handler, Sink). One
// Telemetry serves any number of Clients and handlers and is safe for concurrent use.
type Telemetry struct {
	tracer     trace.Tracer
	labelCache sync.Map // labelKey → *labels

	sends        metric.Int64Counter
	sendDuration metric.Float64Histogram
	retries      metric.Int64Counter
	limiterHist  metric.Float64Histogram
	cbDuration   metric.Float64Histogram
	cbEvents     metric.Int64Counter
}

// waitBuckets suit waits from a millisecond to a minute (rate limits, Retry-After).
var waitBuckets = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// New returns a Telemetry over the providers in opts. It fails only when an instrument
// cannot be created (the meter provider's error).
func New(opts *Options) (*Telemetry, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.TracerProvider == nil {
		o.TracerProvider = otel.GetTracerProvider()
	}
	if o.MeterProvider == nil {
		o.MeterProvider = otel.GetMeterProvider()
	}
	t := &Telemetry{tracer: o.TracerProvider.Tracer(ScopeName)}
	m := o.MeterProvider.Meter(ScopeName)
	var err, e error
	t.sends, e = m.Int64Counter(MetricSends, metric.WithUnit("{message}"),
		metric.WithDescription("Recipients of sends by final outcome and error code."))
	err = errors.Join(err, e)
	t.sendDuration, e = m.Float64Histogram(MetricSendDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of Client.Send, retries and waits included."),
		metric.WithExplicitBucketBoundaries(waitBuckets...))
	err = errors.Join(err, e)
	t.retries, e = m.Int64Counter(MetricRetries, metric.WithUnit("{request}"),
		metric.WithDescription("Retry requests of recipients the vendor did not accept, by cause."))
	err = errors.Join(err, e)
	t.limiterHist, e = m.Float64Histogram(MetricRateLimitWait, metric.WithUnit("s"),
		metric.WithDescription("Time spent waiting for the rate limiter before a request."),
		metric.WithExplicitBucketBoundaries(waitBuckets...))
	err = errors.Join(err, e)
	t.cbDuration, e = m.Float64Histogram(MetricCallbackDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of vendor callback requests in the webhook handler."),
		metric.WithExplicitBucketBoundaries(waitBuckets...))
	err = errors.Join(err, e)
	t.cbEvents, e = m.Int64Counter(MetricCallbackEvents, metric.WithUnit("{event}"),
		metric.WithDescription("Callback events handed to the application's sink, by type."))
	err = errors.Join(err, e)
	if err != nil {
		return nil, err
	}
	return t, nil
}
