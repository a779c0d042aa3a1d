// Command failover sends through two vendors in order, Twilio then Infobip, both on their
// built-in emulators, and shows the two rules of failover:
//
//  1. A recipient moves to the next vendor only when the error proves the first did not
//     accept the message: here Twilio's connection is refused before a byte is written, so
//     after Twilio's own retry both recipients go out through Infobip.
//  2. A recipient whose outcome is unknown stays where it is: here Twilio takes the message,
//     then the connection is reset before the answer. The recipient is reported
//     OutcomeUnknown and never sent through Infobip, which could text them twice.
//
// At the end the emulators' own records prove that each recipient holds exactly one accepted
// message. Offline, on loopback:
//
//	go run ./examples/failover
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Twilio, on its emulator, through a dialer we can switch to "connection refused" (what
	// a vendor that is down looks like from here).
	tw := twiliotest.NewServer(nil)
	defer tw.Close()
	var down atomic.Bool
	var dialer net.Dialer
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if down.Load() {
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		}
		return dialer.DialContext(ctx, network, addr)
	}}
	defer transport.CloseIdleConnections()
	twp, err := twilio.New(twilio.Config{AccountSID: tw.AccountSID(), AuthToken: sms.NewSecret(tw.AuthToken())},
		&twilio.Options{BaseURL: tw.URL, HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		return err
	}

	// Infobip, on its emulator.
	ib := infobiptest.NewServer(nil)
	defer ib.Close()
	ibp, err := infobip.New(infobip.Config{APIKey: sms.NewSecret(ib.APIKey()), BaseURL: ib.URL, InsecureSkipCallbackAuth: true}, nil)
	if err != nil {
		return err
	}

	// Each route has its own Client: its own validation, limits and retries. Twilio's
	// retries a refused connection once, after a short pause, before giving up.
	retryOnce := &sms.ClientOptions{Retry: sms.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, NoJitter: true}}
	router, err := sms.NewRouter(
		sms.Route{Client: sms.NewClient(twp, retryOnce), From: sms.Sender{Type: sms.SenderLongCode, Value: "+15005550006", Name: "us-alerts"}},
		sms.Route{Client: sms.NewClient(ibp, retryOnce), From: sms.Sender{Type: sms.SenderAlphanumeric, Value: "ACME", Name: "eu-backup"}},
	)
	if err != nil {
		return err
	}
	show := func(res []sms.SendResult) {
		for _, r := range res {
			var e *sms.Error
			if errors.As(r.Err, &e) {
				fmt.Fprintf(out, "  %s via %s from %s (%s): %s after %d request(s): %s\n", r.To, r.Provider, r.From.Value, r.From.Name, e.Code, r.Attempts, e.Message)
				continue
			}
			fmt.Fprintf(out, "  %s via %s from %s (%s): accepted after %d request(s)\n", r.To, r.Provider, r.From.Value, r.From.Name, r.Attempts)
		}
	}

	fmt.Fprintln(out, "1. Twilio refuses the connection: both recipients move to Infobip")
	down.Store(true)
	res, err := router.Send(ctx, &sms.Message{To: []string{"+14155550101", "+14155550102"}, Body: "Your order #42 has shipped", Reference: "order-42"})
	if err != nil {
		return fmt.Errorf("send 1: %w", err)
	}
	show(res)
	down.Store(false)

	fmt.Fprintln(out, "2. Twilio takes the message, then the connection is reset: reported, not moved")
	tw.Arm(twiliotest.Fault{Reset: true})
	res, err = router.Send(ctx, &sms.Message{To: []string{"+14155550103"}, Body: "Your order #43 has shipped", Reference: "order-43"})
	if sms.ErrorCode(err) != sms.CodeOutcomeUnknown {
		return fmt.Errorf("send 2: got %v, want OutcomeUnknown", err)
	}
	show(res)

	// What each vendor holds, from the emulators' own records.
	held := map[string][]string{}
	for _, m := range tw.Messages() {
		held[m.To] = append(held[m.To], "twilio "+m.SID)
	}
	for _, m := range ib.Messages() {
		if m.Accepted {
			to := "+" + strings.TrimPrefix(m.To, "+")
			held[to] = append(held[to], "infobip "+m.MessageID)
		}
	}
	fmt.Fprintf(out, "emulators: twilio received %d request(s) and accepted %d message(s); infobip received %d and accepted %d\n",
		tw.Requests(), len(tw.Messages()), ib.Requests(), ib.Accepted())
	recipients := make([]string, 0, len(held))
	for to := range held {
		recipients = append(recipients, to)
	}
	sort.Strings(recipients)
	for _, to := range recipients {
		vendor, _, _ := strings.Cut(held[to][0], " ")
		fmt.Fprintf(out, "  %s: %d accepted message(s), at %s\n", to, len(held[to]), vendor)
		if len(held[to]) != 1 {
			return fmt.Errorf("%s holds %d messages: %v", to, len(held[to]), held[to])
		}
	}
	if len(recipients) != 3 {
		return fmt.Errorf("%d recipients hold a message, want 3", len(recipients))
	}
	return nil
}
