package webhook_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/webhook"
)

// Options.Consent keeps a suppression store in step with what handsets say: STOP suppresses
// the handset for the number it wrote to, START lifts it, HELP is only handed to the sink (the
// vendor or the application answers it; the handler sends nothing).
func ExampleOptions_consent() {
	store := sms.NewMemorySuppressionStore()
	consent := &sms.Consent{Store: store} // sms.SenderScope: one scope per number
	vendor := smstest.NewRecorder(nil)
	h := webhook.Handler(vendor, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }),
		&webhook.Options{Consent: consent})

	const ours, theirs = "+12025550100", "+14155550101"
	for _, body := range []string{"STOP", "HELP", "START"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, vendor.InboundRequest(theirs, ours, body))
		blocked, _ := consent.Suppressed(context.Background(), sms.Sender{Value: ours}, theirs)
		fmt.Printf("%s → %d, suppressed: %v\n", body, w.Code, blocked)
	}
	// Output:
	// STOP → 200, suppressed: true
	// HELP → 200, suppressed: true
	// START → 200, suppressed: false
}
