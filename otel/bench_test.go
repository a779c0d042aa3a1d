package smsotel_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/smsbridge/sms"
	smsotel "github.com/smsbridge/sms/otel"
)

// noopProvider accepts everything without work: the benchmark measures the layers above it.
type noopProvider struct{}

func (noopProvider) Name() string { return "noop" }
func (noopProvider) Capabilities() sms.Capabilities {
	return sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode}, MaxRecipients: 1}
}
func (noopProvider) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	return nil, errors.ErrUnsupported
}
func (noopProvider) Send(_ context.Context, m *sms.Message) ([]sms.SendResult, error) {
	return []sms.SendResult{{To: m.To[0], MessageID: "id", Status: sms.StatusAccepted}}, nil
}

// BenchmarkSend compares Client.Send to a provider that does nothing without an observer
// (the baseline), with the Observer over the no-op global providers, and with it over the
// SDK (every span sampled and recorded in memory, metrics aggregated): the cost of tracing a
// send, before any vendor request is made.
func BenchmarkSend(b *testing.B) {
	msg := &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}, Body: "hi", IdempotencyKey: "k"}
	ctx := context.Background()
	run := func(b *testing.B, c *sms.Client) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Send(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("client", func(b *testing.B) { run(b, sms.NewClient(noopProvider{}, nil)) })
	b.Run("client+otel-noop", func(b *testing.B) {
		tel, err := smsotel.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		run(b, sms.NewClient(noopProvider{}, &sms.ClientOptions{Observer: tel.Observer()}))
	})
	b.Run("client+otel-sdk", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(tracetest.NewNoopExporter())))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		defer func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) }()
		tel, err := smsotel.New(&smsotel.Options{TracerProvider: tp, MeterProvider: mp})
		if err != nil {
			b.Fatal(err)
		}
		run(b, sms.NewClient(noopProvider{}, &sms.ClientOptions{Observer: tel.Observer()}))
	})
}
