// Command quickstart is the README's first command: it sends an SMS through every vendor the
// library supports (Twilio, Azure Communication Services, Infobip, Telesign, LINK Mobility and Vibes), each on its built-in
// emulator, and receives the delivery reports and inbound messages through webhook.Handler —
// fully offline, on loopback.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/telesign/telesigntest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/vibes"
	"github.com/smsbridge/sms/vibes/vibestest"
	"github.com/smsbridge/sms/webhook"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The application: one webhook endpoint per vendor and kind, all feeding one channel.
	events := make(chan sms.Event, 16)
	sink := webhook.SinkFunc(func(ctx context.Context, evs []sms.Event) error {
		for _, ev := range evs {
			events <- ev
		}
		return nil
	})
	mux := http.NewServeMux()
	app := httptest.NewServer(mux) // 127.0.0.1 only

	defer app.Close()

	// Twilio, on its emulator. In production: drop BaseURL, use your console's credentials,
	// and set PublicURL to the origin Twilio reaches your application at.
	emu := twiliotest.NewServer(&twiliotest.Options{InboundURL: app.URL + "/twilio/inbound"})
	defer emu.Close()
	tw, err := twilio.New(twilio.Config{
		AccountSID:     emu.AccountSID(),
		AuthToken:      sms.NewSecret(emu.AuthToken()),
		PublicURL:      app.URL,
		StatusCallback: app.URL + "/twilio/status",
	}, &twilio.Options{BaseURL: emu.URL})
	if err != nil {
		return err
	}
	mux.Handle("/twilio/", webhook.Handler(tw, sink, nil))

	client := sms.NewClient(tw, nil)
	res, err := client.Send(ctx, &sms.Message{
		To:        []string{"+1 (415) 555-0100"},
		From:      sms.Sender{Type: sms.SenderLongCode, Value: "+15005550006", Name: "support line"},
		Body:      "Your order #42 has shipped 🚚",
		Reference: "order-42",
	})
	if err != nil {
		return fmt.Errorf("twilio send: %w", err)
	}
	seg := sms.CountSegments("Your order #42 has shipped 🚚")
	for _, r := range res {
		fmt.Fprintf(out, "twilio  sent      to=%s id=%s status=%s err=%v (%s, %d segment)\n", r.To, r.MessageID, r.Status, r.Err, seg.Encoding, seg.Segments)
	}
	if err := emu.WaitCallbacks(ctx); err != nil {
		return err
	}
	if _, err := emu.SendInbound(ctx, "+14155550100", "+15005550006", "STOP"); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 3); err != nil { // sent, delivered, the inbound STOP
		return err
	}
	// The recipient replied STOP: Twilio (and its emulator) now refuses sends to them from
	// that number, until they reply START.
	res, err = client.Send(ctx, &sms.Message{
		To:   []string{"+14155550100"},
		From: sms.Sender{Type: sms.SenderLongCode, Value: "+15005550006"},
		Body: "One more thing…",
	})
	if err == nil {
		return fmt.Errorf("twilio send after STOP: accepted, want the recipient's opt-out")
	}
	fmt.Fprintf(out, "twilio  refused   to=+14155550100 after STOP: %v\n", err)

	// Azure Communication Services, on its emulator, with Event Grid posting to the app. The
	// subscription's validation handshake is answered by the webhook handler itself.
	const token = "quickstart-secret"
	az := acstest.NewServer(&acstest.Options{EventGridURL: app.URL + "/acs/events?token=" + token})
	defer az.Close()
	ap, err := acs.New(acs.Config{
		ConnectionString: sms.NewSecret(az.ConnectionString()),
		CallbackTokens:   []sms.Secret{sms.NewSecret(token)},
	}, nil)
	if err != nil {
		return err
	}
	mux.Handle("/acs/events", webhook.Handler(ap, sink, nil))
	res, err = sms.NewClient(ap, nil).Send(ctx, &sms.Message{
		To:        []string{"+14155550100", "+14155550101"}, // one request, two recipients
		From:      sms.Sender{Type: sms.SenderTollFree, Value: "+18005550100"},
		Body:      "Your order #43 has shipped",
		Reference: "order-43",
	})
	if err != nil {
		return fmt.Errorf("acs send: %w", err)
	}
	for _, r := range res {
		fmt.Fprintf(out, "acs     sent      to=%s id=%s status=%s err=%v\n", r.To, r.MessageID, r.Status, r.Err)
	}
	if err := az.WaitCallbacks(ctx); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 2); err != nil { // one delivery report per recipient
		return err
	}
	if _, err := az.SendInbound(ctx, "+14155550101", "+18005550100", "HELP"); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 1); err != nil {
		return err
	}

	// Infobip, on its emulator. In production: BaseURL and APIKey from the portal's Developers
	// tab; the delivery URL goes with every message, the inbound URL is the number's
	// forwarding setting. Both carry the callback token.
	const ibToken = "quickstart-infobip-secret"
	hook := app.URL + "/infobip/hooks?token=" + ibToken
	ibEmu := infobiptest.NewServer(&infobiptest.Options{InboundURL: hook})
	defer ibEmu.Close()
	ib, err := infobip.New(infobip.Config{
		APIKey:         sms.NewSecret(ibEmu.APIKey()),
		BaseURL:        ibEmu.URL,
		DeliveryURL:    hook,
		CallbackTokens: []sms.Secret{sms.NewSecret(ibToken)},
	}, nil)
	if err != nil {
		return err
	}
	mux.Handle("/infobip/hooks", webhook.Handler(ib, sink, nil))
	res, err = sms.NewClient(ib, nil).Send(ctx, &sms.Message{
		To:        []string{"+41793026727", "+41793026728"}, // one request, our own messageIds
		From:      sms.Sender{Type: sms.SenderAlphanumeric, Value: "InfoSMS"},
		Body:      "Your order #44 has shipped",
		Reference: "order-44",
	})
	if err != nil {
		return fmt.Errorf("infobip send: %w", err)
	}
	for _, r := range res {
		fmt.Fprintf(out, "infobip sent      to=%s id=%s status=%s err=%v\n", r.To, r.MessageID, r.Status, r.Err)
	}
	if err := ibEmu.WaitCallbacks(ctx); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 2); err != nil { // one batch, a report per recipient
		return err
	}
	if _, err := ibEmu.SendInbound(ctx, "+41793026727", "+41790000000", "STOP"); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 1); err != nil {
		return err
	}

	// Telesign, on its emulator. In production: the Customer ID and API key from the portal,
	// and "Callback status" switched on in the SMS settings with the app's URL (the emulator's
	// CallbackURL plays that setting). Requests are TSA-signed; callbacks carry Telesign's
	// signature, checked with the same key.
	tsHook := app.URL + "/telesign/hooks"
	tsEmu := telesigntest.NewServer(&telesigntest.Options{CallbackURL: tsHook})
	defer tsEmu.Close()
	ts, err := telesign.New(telesign.Config{
		CustomerID: tsEmu.CustomerID(),
		APIKey:     sms.NewSecret(tsEmu.APIKey()),
	}, &telesign.Options{BaseURL: tsEmu.URL, Auth: telesign.AuthTSA})
	if err != nil {
		return err
	}
	mux.Handle("/telesign/hooks", webhook.Handler(ts, sink, nil))
	res, err = sms.NewClient(ts, nil).Send(ctx, &sms.Message{
		To:        []string{"+14155550102"},
		From:      sms.Sender{Type: sms.SenderAlphanumeric, Value: "Acme"},
		Body:      "Your code is 123456",
		Type:      sms.TypeOTP, // message_type OTP
		Reference: "order-45",  // external_id
	})
	if err != nil {
		return fmt.Errorf("telesign send: %w", err)
	}
	for _, r := range res {
		fmt.Fprintf(out, "telesign sent     to=%s id=%s status=%s err=%v\n", r.To, r.MessageID, r.Status, r.Err)
	}
	if err := tsEmu.WaitCallbacks(ctx); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 2); err != nil { // 203 delivered to gateway, then 200
		return err
	}
	// "ARRÊT" is one of Telesign's stop keywords: its action "stop" makes it an opt-out.
	if _, err := tsEmu.SendInbound(ctx, "+14155550102", "+14155550199", "ARRÊT"); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 1); err != nil {
		return err
	}
	if err := linkLeg(ctx, out, app.URL, mux, sink, events); err != nil {
		return err
	}
	return vibesLeg(ctx, out, app.URL, mux, sink, events)
}

// linkLeg is LINK Mobility, on its emulator. In production: the regional host, username,
// password, platformId and platformPartnerId LINK's support hands out, and the gate id they
// create for the delivery-report URL you give them (the emulator's Gates play that); the
// inbound URL goes to support too. Gates authenticate with Basic credentials. A long message
// is reported part by part ("id$0", "id$1", …, in any order): webhook.Handler folds them into
// one message status, so the application sees sent, then delivered once every part is.
func linkLeg(ctx context.Context, out io.Writer, appURL string, mux *http.ServeMux, sink webhook.Sink, events <-chan sms.Event) error {
	gate := linkmobilitytest.Gate{URL: appURL + "/linkmobility/hooks", Username: "gate", Password: "gate-secret"}
	lmEmu := linkmobilitytest.NewServer(&linkmobilitytest.Options{
		Gates:   map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: gate},
		Inbound: gate,
	})
	defer lmEmu.Close()
	lm, err := linkmobility.New(linkmobility.Config{
		Username: lmEmu.Username(), Password: sms.NewSecret(lmEmu.Password()),
		PlatformID: lmEmu.PlatformID(), PlatformPartnerID: lmEmu.PlatformPartnerID(),
		GateID:       linkmobilitytest.DefaultGateID,
		BaseURL:      lmEmu.URL, // in production: linkmobility.HostNorway or the host support assigned
		CallbackUser: gate.Username, CallbackPassword: sms.NewSecret(gate.Password),
	}, nil)
	if err != nil {
		return err
	}
	mux.Handle("/linkmobility/hooks", webhook.Handler(lm, sink, nil))
	res, err := sms.NewClient(lm, nil).Send(ctx, &sms.Message{
		To:        []string{"+4746910822"},
		From:      sms.Sender{Type: sms.SenderShortCode, Value: "2333"},
		Body:      strings.Repeat("Your parcel 42 is on its way. ", 8), // 240 characters: 2 parts
		Reference: "order-46",                                          // refId
	})
	if err != nil {
		return fmt.Errorf("linkmobility send: %w", err)
	}
	for _, r := range res {
		fmt.Fprintf(out, "linkmobility sent to=%s id=%s status=%s segments=%d err=%v\n", r.To, r.MessageID, r.Status, r.Segments, r.Err)
	}
	if err := lmEmu.WaitCallbacks(ctx); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 2); err != nil { // the folded status: sent, then delivered
		return err
	}
	// STOP is an ordinary inbound message at LINK; webhook classifies it. The opt-out's scope
	// is the short code as a send writes it ("2333"), not LINK's "NO-2333".
	if _, err := lmEmu.SendInbound(ctx, "+4746910822", "2333", "STOP"); err != nil {
		return err
	}
	return receive(ctx, out, events, 1)
}

// vibesLeg is Vibes, on its emulator. In production: the Connect API username and password
// Vibes hands out, and a short code (or long code, toll-free number) on the account. Vibes'
// receipts cannot carry Basic auth, so the delivery URL carries a secret token; the inbound
// (MO) URL, with the token too, is set account-wide by Vibes' account manager (the
// emulator's InboundURL plays that). Receipts come stage by stage: System (accepted),
// Carrier (sent), Handset (delivered). The emulator is set to block a handset's number
// after its STOP, so the next send is refused with Vibes' internal code 9, "MDN blocked".
func vibesLeg(ctx context.Context, out io.Writer, appURL string, mux *http.ServeMux, sink webhook.Sink, events <-chan sms.Event) error {
	const token = "quickstart-vibes-secret"
	hook := appURL + "/vibes/hooks?token=" + token
	vbEmu := vibestest.NewServer(&vibestest.Options{InboundURL: hook, BlockOnStop: true})
	defer vbEmu.Close()
	vb, err := vibes.New(vibes.Config{
		Username: vbEmu.Username(), Password: sms.NewSecret(vbEmu.Password()),
		BaseURL:        vbEmu.URL, // in production: leave empty for vibes.DefaultBaseURL
		DeliveryURL:    hook,      // receiptOption callbackUrl, with receiptOption ALL
		CallbackTokens: []sms.Secret{sms.NewSecret(token)},
	}, nil)
	if err != nil {
		return err
	}
	mux.Handle("/vibes/hooks", webhook.Handler(vb, sink, nil))
	client := sms.NewClient(vb, nil)
	from := sms.Sender{Type: sms.SenderShortCode, Value: vibestest.DefaultShortCode}
	res, err := client.Send(ctx, &sms.Message{
		To:        []string{"+14155550103"},
		From:      from,
		Body:      "Your order #47 has shipped",
		Reference: "order-47",
	})
	if err != nil {
		return fmt.Errorf("vibes send: %w", err)
	}
	for _, r := range res {
		fmt.Fprintf(out, "vibes   sent      to=%s id=%s status=%s err=%v\n", r.To, r.MessageID, r.Status, r.Err)
	}
	if err := vbEmu.WaitCallbacks(ctx); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 3); err != nil { // System, Carrier, Handset
		return err
	}
	if _, err := vbEmu.SendInbound(ctx, "+14155550103", vibestest.DefaultShortCode, "STOP"); err != nil {
		return err
	}
	if err := receive(ctx, out, events, 1); err != nil {
		return err
	}
	_, err = client.Send(ctx, &sms.Message{To: []string{"+14155550103"}, From: from, Body: "One more thing…"})
	if err == nil {
		return fmt.Errorf("vibes send after STOP: accepted, want the recipient's block")
	}
	fmt.Fprintf(out, "vibes   refused   to=+14155550103 after STOP: %v\n", err)
	return nil
}

// receive prints n events from the webhook, sorted by recipient for the vendors that batch
// (Event Grid does not keep order).
func receive(ctx context.Context, out io.Writer, events <-chan sms.Event, n int) error {
	got := make([]sms.Event, 0, n)
	for range n {
		select {
		case ev := <-events:
			got = append(got, ev)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if p := got[0].Provider; p != "twilio" && p != "telesign" && p != "linkmobility" && p != "vibes" { // these post one message's reports in order
		slices.SortFunc(got, func(a, b sms.Event) int { return strings.Compare(a.To, b.To) })
	}
	for _, ev := range got {
		printEvent(out, ev)
	}
	return nil
}

func printEvent(out io.Writer, ev sms.Event) {
	switch {
	case ev.Type == sms.EventDeliveryReport:
		fmt.Fprintf(out, "%-7s report    id=%s to=%s status=%s reference=%s\n", ev.Provider, ev.MessageID, ev.To, ev.Status, ev.Reference)
	default:
		fmt.Fprintf(out, "%-7s %-9s from=%s body=%q keyword=%s\n", ev.Provider, ev.Type, ev.From, ev.Body, ev.Keyword)
		if ev.Provider == "linkmobility" {
			fmt.Fprintf(out, "%-7s           to=%s scope=%s\n", ev.Provider, ev.To, ev.ScopeID)
		}
	}
}
