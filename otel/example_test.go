package smsotel_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/smsbridge/sms"
	smsotel "github.com/smsbridge/sms/otel"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/webhook"
)

// Trace a send that the vendor rate-limits once, and the delivery report that follows.
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tel, err := smsotel.New(&smsotel.Options{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		log.Fatal(err)
	}

	provider := smstest.NewRecorder(nil) // an in-memory vendor
	provider.Script("+14155550100", &sms.Error{Code: sms.CodeRateLimited, NotAccepted: true, RetryAfter: 2 * time.Second})
	client := sms.NewClient(provider, &sms.ClientOptions{
		Observer: tel.Observer(),
		Clock:    &stepClock{}, // waits without waiting, for the example
	})
	res, err := client.Send(context.Background(), &sms.Message{
		To: []string{"+14155550100"}, From: sms.Sender{Value: "+14155550000"}, Body: "Your table is ready",
	})
	if err != nil {
		log.Fatal(err)
	}

	handler := tel.Webhook(provider, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }), nil)
	handler.ServeHTTP(httptest.NewRecorder(), provider.DeliveryRequest(smstest.DeliveryReport{
		MessageID: res[0].MessageID, To: res[0].To, Status: sms.StatusDelivered,
	}))

	for _, s := range spans.Ended() {
		fmt.Print(s.Name())
		for _, ev := range s.Events() {
			fmt.Print(" [", ev.Name, "]")
		}
		fmt.Println()
	}
	// Output:
	// sms.attempt
	// sms.attempt
	// sms.send [sms.retry.wait]
	// sms.callback [sms.event]
}
