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

// ApplyConsent makes the consent changes of events with c, in order, as Handler does with
// Options.Consent once its sink accepted them: an opt-out event suppresses Event.From for the
// sender it wrote to (Event.To, and the vendor's wider scope when Event.ScopeID names another
// sender), an opt-in lifts that, a delivery report whose Code is sms.CodeOptedOut suppresses
// Event.To for its sender (Event.From), and nothing else changes anything (help events
// included). An event that names no handset or no sender cannot be scoped and is skipped. It
// is for applications that read callbacks with Parse; it goes on after a failure and returns
// every failure joined.
func ApplyConsent(ctx context.Context, c ConsentRecorder, events []sms.Event) error {
	changes := planConsent(events, nil)
	return applyConsent(ctx, c, changes)
}

// consentChange is one change to make once the sink accepted its event.
type consentChange struct {
	optIn    bool
	provider string
	from     sms.Sender
	to       string
}

// planConsent lists the consent changes of events, in order, calling skip (when not nil) for
// each event that should change consent but cannot be scoped. Handler plans before the sink
// runs, since the sink owns the events from then on, and applies after it accepted them.
func planConsent(events []sms.Event, skip func(ev *sms.Event, why string)) []consentChange {
	var out []consentChange
	for i := range events {
		ev := &events[i]
		switch ev.Type {
		case sms.EventOptOut, sms.EventOptIn:
			senders := consentSenders(ev)
			if ev.From == "" || len(senders) == 0 {
				if skip != nil {
					skip(ev, "an opt-out or opt-in event names no handset or no sender")
				}
				continue
			}
			for _, s := range senders {
				out = append(out, consentChange{optIn: ev.Type == sms.EventOptIn, provider: ev.Provider, from: s, to: ev.From})
			}
		case sms.EventDeliveryReport:
			if ev.Code != sms.CodeOptedOut {
				continue
			}
			if ev.From == "" || ev.To == "" {
				// Some vendors' reports name no sender; the Client learns the opt-out from
				// the vendor's refusal of the next send instead.
				if skip != nil {
					skip(ev, "an opted-out delivery report names no sender or no recipient")
				}
				continue
			}
			out = append(out, consentChange{provider: ev.Provider, from: sms.Sender{Value: ev.From}, to: ev.To})
		}
	}
	return out
}

// applyConsent makes the changes in order, so an opt-out and a later opt-in of one handset in
// one request end opted in. It goes on after a failure (each change is idempotent, and the
// vendor's retry re-applies the whole request in order) and returns every failure joined.
func applyConsent(ctx context.Context, c ConsentRecorder, changes []consentChange) error {
	var errs []error
	for _, ch := range changes {
		var err error
		if ch.optIn {
			err = c.RecordOptIn(ctx, ch.provider, ch.from, ch.to)
		} else {
			err = c.RecordOptOut(ctx, ch.provider, ch.from, ch.to)
		}
		if err != nil {
			errs = append(errs, err)
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

// consentSkipper returns the skip function of planConsent for one request: a warning per
// event that could not be scoped.
func (h *handler) consentSkipper(ctx context.Context) func(ev *sms.Event, why string) {
	if h.log == nil {
		return nil
	}
	return func(ev *sms.Event, why string) {
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: consent not updated: "+why,
			slog.String("provider", h.provider), slog.String("event", ev.Type.String()), slog.String("event_id", ev.ID))
	}
}
