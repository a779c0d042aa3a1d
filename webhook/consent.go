package webhook

import (
	"context"
	"errors"
	"log/slog"

	"github.com/smsbridge/sms"
)

// ConsentRecorder is what Handler updates from opt-out, opt-in and opted-out delivery events
// (Options.Consent). *sms.Consent implements it over any sms.SuppressionStore.
//
// Both methods take the send-side view: from is our sender the handset wrote to (or the
// sender of the reported message), to is the handset. provider is Event.Provider. Both must be
// idempotent (a vendor's retry, or a request the sink saw twice, applies them again) and safe
// for concurrent use.
type ConsentRecorder interface {
	sms.OptOutRecorder
	// RecordOptIn lifts an opt-out of to for from's scope.
	RecordOptIn(ctx context.Context, provider string, from sms.Sender, to string) error
}

var _ ConsentRecorder = (*sms.Consent)(nil)

// recordConsent applies the consent changes of the events the sink accepted, in order, so an
// opt-out and a later opt-in of one handset in one request end opted in. It goes on after a
// failure (each change is idempotent, and the vendor's retry re-applies the whole request in
// order) and returns every failure joined.
func (h *handler) recordConsent(ctx context.Context, events []sms.Event) error {
	var errs []error
	for i := range events {
		ev := &events[i]
		switch ev.Type {
		case sms.EventOptOut, sms.EventOptIn:
			senders := consentSenders(ev)
			if ev.From == "" || len(senders) == 0 {
				h.skipConsent(ctx, ev, "an opt-out or opt-in event names no handset or no sender")
				continue
			}
			for _, s := range senders {
				var err error
				if ev.Type == sms.EventOptOut {
					err = h.consent.RecordOptOut(ctx, ev.Provider, s, ev.From)
				} else {
					err = h.consent.RecordOptIn(ctx, ev.Provider, s, ev.From)
				}
				if err != nil {
					errs = append(errs, err)
				}
			}
		case sms.EventDeliveryReport:
			if ev.Code != sms.CodeOptedOut {
				continue
			}
			if ev.From == "" || ev.To == "" {
				// Some vendors' reports name no sender; the Client learns the opt-out from
				// the vendor's refusal of the next send instead.
				h.skipConsent(ctx, ev, "an opted-out delivery report names no sender or no recipient")
				continue
			}
			if err := h.consent.RecordOptOut(ctx, ev.Provider, sms.Sender{Value: ev.From}, ev.To); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// consentSenders returns the senders an inbound opt-out or opt-in applies to: the number (or
// short code) the handset wrote to, and the vendor's scope when it names another one (a
// Twilio Messaging Service: a pool sender; an account).
func consentSenders(ev *sms.Event) []sms.Sender {
	var out []sms.Sender
	if ev.To != "" {
		out = append(out, sms.Sender{Value: ev.To})
	}
	if ev.ScopeID != "" && ev.ScopeID != ev.To {
		s := sms.Sender{Value: ev.ScopeID}
		if ev.Scope == sms.ScopeService {
			s.Type = sms.SenderPool
		}
		out = append(out, s)
	}
	return out
}

func (h *handler) skipConsent(ctx context.Context, ev *sms.Event, why string) {
	if h.log != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: consent not updated: "+why,
			slog.String("provider", h.provider), slog.String("event", ev.Type.String()), slog.String("event_id", ev.ID))
	}
}
