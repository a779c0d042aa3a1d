// Command webhook-server receives delivery reports and inbound messages from Twilio and Azure
// Communication Services and logs them as one event type. Configure it with the vendors'
// usual environment variables:
//
//	TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN   Twilio account (the token verifies signatures)
//	TWILIO_PUBLIC_URL                       origin Twilio reaches this server at, e.g. https://hooks.example.com
//	ACS_CONNECTION_STRING                   endpoint=…;accesskey=… from the Azure portal
//	ACS_CALLBACK_TOKEN                      the secret in the Event Grid subscription URL (?token=…)
//
// and run it:
//
//	go run ./examples/webhook-server -addr 127.0.0.1:8080
//
// Twilio: set the number's "A MESSAGE COMES IN" webhook to <public URL>/twilio/inbound and send
// with StatusCallback <public URL>/twilio/status. ACS: create an Event Grid subscription for
// "SMS Received" and "SMS Delivery Report Received" to <public URL>/acs/events?token=<token>.
// A vendor without configuration is not mounted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/webhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	mux, vendors, err := newMux(os.Getenv, log)
	if err != nil {
		log.Error("configuration", "err", err)
		os.Exit(2)
	}
	if len(vendors) == 0 {
		log.Error("no vendor configured: set TWILIO_* or ACS_* (see the package doc)")
		os.Exit(2)
	}
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Info("listening", "addr", *addr, "vendors", vendors)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// newMux mounts one webhook.Handler per configured vendor, all feeding the same sink.
func newMux(getenv func(string) string, log *slog.Logger) (*http.ServeMux, []string, error) {
	mux := http.NewServeMux()
	var vendors []string
	sink := webhook.SinkFunc(func(ctx context.Context, events []sms.Event) error {
		for _, ev := range events {
			log.Info("sms event", "provider", ev.Provider, "type", ev.Type.String(), "id", ev.ID,
				"message", ev.MessageID, "status", ev.Status.String(), "error_code", ev.ErrorCode,
				"from", ev.From, "to", ev.To, "keyword", ev.Keyword, "reference", ev.Reference)
		}
		return nil // return an error to have the vendor retry (5xx)
	})
	opts := &webhook.Options{Logger: log}
	if sid := getenv("TWILIO_ACCOUNT_SID"); sid != "" {
		p, err := twilio.New(twilio.Config{
			AccountSID: sid,
			AuthToken:  sms.NewSecret(getenv("TWILIO_AUTH_TOKEN")),
			PublicURL:  getenv("TWILIO_PUBLIC_URL"),
		}, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("twilio: %w", err)
		}
		if getenv("TWILIO_PUBLIC_URL") == "" {
			return nil, nil, errors.New("twilio: TWILIO_PUBLIC_URL is required to verify signatures")
		}
		mux.Handle("/twilio/", webhook.Handler(p, sink, opts))
		vendors = append(vendors, "twilio")
	}
	if cs := getenv("ACS_CONNECTION_STRING"); cs != "" {
		if getenv("ACS_CALLBACK_TOKEN") == "" {
			return nil, nil, errors.New("acs: ACS_CALLBACK_TOKEN is required: Event Grid signs nothing")
		}
		p, err := acs.New(acs.Config{
			ConnectionString: sms.NewSecret(cs),
			CallbackTokens:   []sms.Secret{sms.NewSecret(getenv("ACS_CALLBACK_TOKEN"))},
		}, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("acs: %w", err)
		}
		mux.Handle("/acs/events", webhook.Handler(p, sink, opts)) // no method: OPTIONS handshakes pass
		vendors = append(vendors, "acs")
	}
	return mux, vendors, nil
}
