// Command webhook-server receives delivery reports and inbound messages from Twilio and Azure
// Communication Services and logs them as one event type. Configure it with the variables the
// vendor packages' NewFromEnv read (twilio.NewFromEnv, acs.NewFromEnv):
//
//	TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN   Twilio account (the token verifies signatures)
//	TWILIO_PUBLIC_URL                       origin Twilio reaches this server at, e.g. https://hooks.example.com
//	                                        (or TWILIO_STATUS_CALLBACK, whose origin is then used)
//	ACS_CONNECTION_STRING                   endpoint=…;accesskey=… from the Azure portal
//	                                        (or ACS_ENDPOINT with ACS_ACCESS_KEY)
//	ACS_CALLBACK_TOKENS                     the secret in the Event Grid subscription URL (?token=…);
//	                                        comma-separated during a rotation
//
// and run it:
//
//	go run ./examples/webhook-server -addr 127.0.0.1:8080
//
// Twilio: set the number's "A MESSAGE COMES IN" webhook to <public URL>/twilio/inbound and send
// with StatusCallback <public URL>/twilio/status. ACS: create an Event Grid subscription for
// "SMS Received" and "SMS Delivery Report Received" to <public URL>/acs/events?token=<token>.
// A vendor without configuration is not mounted; a missing or malformed variable stops the
// server with its name. The logger is given once, to each provider; the webhook handlers use
// it.
package main

import (
	"context"
	"errors"
	"flag"
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
	mux, vendors, err := newMux(log)
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

// newMux mounts one webhook.Handler per vendor configured in the environment, all feeding the
// same sink.
func newMux(log *slog.Logger) (*http.ServeMux, []string, error) {
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
	if os.Getenv(twilio.EnvAccountSID) != "" {
		p, err := twilio.NewFromEnv(&twilio.Options{Logger: log})
		if err != nil {
			return nil, nil, err
		}
		// The provider would answer every callback 500; refuse to start instead.
		if os.Getenv(twilio.EnvPublicURL) == "" && os.Getenv(twilio.EnvStatusCallback) == "" {
			return nil, nil, errors.New("twilio: " + twilio.EnvPublicURL + " (or " + twilio.EnvStatusCallback +
				") is not set: callbacks cannot be verified without the origin Twilio calls")
		}
		mux.Handle("/twilio/", webhook.Handler(p, sink, nil))
		vendors = append(vendors, "twilio")
	}
	if os.Getenv(acs.EnvConnectionString) != "" || os.Getenv(acs.EnvEndpoint) != "" {
		p, err := acs.NewFromEnv(&acs.Options{Logger: log})
		if err != nil {
			return nil, nil, err
		}
		if os.Getenv(acs.EnvCallbackTokens) == "" && os.Getenv(acs.EnvCallbackUser) == "" {
			return nil, nil, errors.New("acs: " + acs.EnvCallbackTokens + " is not set: Event Grid signs nothing")
		}
		mux.Handle("/acs/events", webhook.Handler(p, sink, nil)) // no method: OPTIONS handshakes pass
		vendors = append(vendors, "acs")
	}
	return mux, vendors, nil
}
