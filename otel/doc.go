// Package smsotel instruments smsbridge with OpenTelemetry: traces and metrics of sends
// (through the root package's sms.Observer hooks) and of vendor callbacks (by wrapping the
// webhook handler and sink). It lives in its own module, github.com/smsbridge/sms/otel, so
// that applications that do not use OpenTelemetry do not pull it in.
//
//	tel, err := smsotel.New(&smsotel.Options{TracerProvider: tp, MeterProvider: mp})
//	client := sms.NewClient(provider, &sms.ClientOptions{Observer: tel.Observer()})
//	mux.Handle("/twilio/", tel.Webhook(provider, sink, nil)) // instead of webhook.Handler
//
// # Sends
//
// Each Client.Send is a span SpanSend with a child span SpanAttempt per vendor request; the
// provider runs under the attempt span's context, so a transport instrumented with otelhttp
// nests the HTTP request beneath it. Rate-limiter waits and retry waits are events on the send
// span, with the time waited (or about to be waited) read from the Client's clock. Metrics:
// MetricSends counts every recipient's final result by provider, sender type, outcome and
// error code; MetricRetries counts retry requests by cause; MetricRateLimitWait and
// MetricSendDuration are histograms in seconds. See Telemetry.Observer for every attribute.
//
// A send refused as a whole before any request (an invalid body or sender: a
// CodeInvalidArgument error and no results) calls no hook and makes no span; count those
// from Send's error if needed.
//
// # Callbacks
//
// Telemetry.Webhook is webhook.Handler with a span SpanCallback per request (the provider,
// the method, the status answered, the number of events) and a span event EventEvent per
// event handed to the application's sink (its type, and for delivery reports the status and
// error code). MetricCallbackDuration times the requests; MetricCallbackEvents counts events
// by type. Handler, Sink and OnError are the pieces, for an application that builds its
// handler otherwise. Events dropped as duplicates, and part reports folded into a message
// status, never reach the sink and are not counted.
//
// # What is never recorded
//
// No attribute, span event or metric carries a phone number (recipient, sender or inbound
// originator), a message body, a vendor message id, a client reference, an error's text
// (vendor messages may quote the request) or a credential: only the provider's name, sender
// types, counts, portable codes, statuses, attempt numbers and durations. Spans are named
// with constants and metric attributes take few values, so cardinality stays bounded by
// providers × sender types × codes.
package smsotel
