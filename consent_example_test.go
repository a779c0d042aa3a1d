package sms_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/webhook"
)

// The consent loop end to end: a handset answers "parar" to one of a shop's two Brazilian
// numbers; the webhook records the opt-out for the shop (its owner scope); the next send from
// the shop's other number skips that handset with OptedOut, before any request, and still
// sends to the others.
func ExampleConsent() {
	const (
		saoPaulo = "+5511912340000"
		rio      = "+5521912340000"
		handset  = "+5511998887777"
		friend   = "+5511998886666"
	)
	// The numbers that stand in for one another share a scope (a sender registry gives this).
	owner := func(provider string, from sms.Sender) string {
		if from.Value == saoPaulo || from.Value == rio {
			return "owner:loja"
		}
		return "" // any other sender: its own scope (sms.SenderScope)
	}
	consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: owner}

	// Portuguese keywords for the Brazilian numbers, the English defaults elsewhere.
	pt := sms.DefaultKeywords()
	pt.OptOut = append(pt.OptOut, "PARAR", "SAIR", "CANCELAR")
	pt.OptIn = append(pt.OptIn, "VOLTAR")
	pt.Help = append(pt.Help, "AJUDA")
	keywords := map[string]*sms.Keywords{saoPaulo: &pt, rio: &pt}

	vendor := smstest.NewRecorder(nil) // stands for any vendor provider
	sink := webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		for _, ev := range evs {
			fmt.Println("event:", ev.Type, ev.Keyword, ev.From, "→", ev.To)
		}
		return nil
	})
	hook := webhook.Handler(vendor, sink, &webhook.Options{
		Consent:     consent,
		KeywordsFor: func(_, to string) *sms.Keywords { return keywords[to] },
	})
	w := httptest.NewRecorder()
	hook.ServeHTTP(w, vendor.InboundRequest(handset, saoPaulo, "parar"))
	fmt.Println("webhook answered", w.Code)

	client := sms.NewClient(vendor, &sms.ClientOptions{Suppressor: consent})
	res, err := client.Send(context.Background(), &sms.Message{
		To:   []string{handset, friend},
		From: sms.Sender{Value: rio},
		Body: "Promoção de hoje",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			fmt.Println(r.To, "refused:", sms.ErrorCode(r.Err), "attempts:", r.Attempts)
		} else {
			fmt.Println(r.To, "sent, attempts:", r.Attempts)
		}
	}
	fmt.Println("sent by the vendor:", len(vendor.Sent()))
	// Output:
	// event: opt_out PARAR +5511998887777 → +5511912340000
	// webhook answered 200
	// +5511998887777 refused: OptedOut attempts: 0
	// +5511998886666 sent, attempts: 1
	// sent by the vendor: 1
}
