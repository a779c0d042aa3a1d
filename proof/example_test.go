package proof

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/internal/faultproxy"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// One fault of the campaign, alone: the connection is reset after the vendor processed the
// send. Twilio cannot de-duplicate a resend, so the library reports OutcomeUnknown and sends
// nothing more; ACS de-duplicates by repeatability id, so the library resends and the
// emulator answers with the message it already created.
func Example() {
	ctx := context.Background()
	msg := func(to string) *sms.Message {
		return &sms.Message{To: []string{to}, From: sms.Sender{Value: "+18005550100"}, Body: "hello"}
	}
	instant := sms.ClientOptions{Clock: &instantClock{}}

	tw := twiliotest.NewServer(nil)
	defer tw.Close()
	proxy, err := faultproxy.New(faultproxy.Options{Target: tw.URL, Script: []faultproxy.Fault{faultproxy.ResetAfter}})
	if err != nil {
		log.Fatal(err)
	}
	defer proxy.Close()
	tr := proxy.Transport()
	defer tr.CloseIdleConnections()
	p, err := twilio.New(twilio.Config{AccountSID: tw.AccountSID(), AuthToken: sms.NewSecret(tw.AuthToken())},
		&twilio.Options{BaseURL: proxy.URL, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		log.Fatal(err)
	}
	res, _ := sms.NewClient(p, &instant).Send(ctx, msg("+14155550100"))
	fmt.Printf("twilio: %v after %d attempt; the emulator holds %d message\n",
		sms.ErrorCode(res[0].Err), res[0].Attempts, len(tw.Messages()))

	az := acstest.NewServer(nil)
	defer az.Close()
	proxy2, err := faultproxy.New(faultproxy.Options{Target: az.URL, Script: []faultproxy.Fault{faultproxy.ResetAfter}})
	if err != nil {
		log.Fatal(err)
	}
	defer proxy2.Close()
	tr2 := proxy2.Transport()
	defer tr2.CloseIdleConnections()
	a, err := acs.New(acs.Config{ConnectionString: sms.NewSecret(az.ConnectionString())},
		&acs.Options{BaseURL: proxy2.URL, HTTPClient: &http.Client{Transport: tr2}})
	if err != nil {
		log.Fatal(err)
	}
	res, _ = sms.NewClient(a, &instant).Send(ctx, msg("+14155550100"))
	m := az.Messages()
	fmt.Printf("acs: accepted=%v after %d attempts; the emulator holds %d message, resent %d time\n",
		res[0].Err == nil && res[0].MessageID == m[0].MessageID, res[0].Attempts, len(m), m[0].Repeats)
	// Output:
	// twilio: OutcomeUnknown after 1 attempt; the emulator holds 1 message
	// acs: accepted=true after 2 attempts; the emulator holds 1 message, resent 1 time
}
