package emu

import (
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/sms"
)

// Outcome is what happens to a message after the emulator accepted it: the final status the
// emulator reports for it (in delivery reports and status look-ups), the vendor error code
// that goes with a failure, and how long after acceptance the final report is sent.
//
// The vendor emulator maps Status to its vendor's status word and ErrorCode into its
// vendor's error field; a vendor with several stages (sent, then delivered) reports
// the intermediate ones first.
type Outcome struct {
	Status      sms.Status    // the final status; StatusDelivered by default
	ErrorCode   string        // the vendor's delivery error code, in its own form
	Description string        // the vendor's error text, where its reports carry one
	Delay       time.Duration // from acceptance to the final report
}

// MarshalJSON encodes the outcome as in POST /_emulator/outcomes.
func (o Outcome) MarshalJSON() ([]byte, error) {
	return json.Marshal(outcomeJSON{
		Status: o.Status.String(), ErrorCode: o.ErrorCode, Description: o.Description,
		Delay: jsonDuration(o.Delay),
	})
}

type outcomeJSON struct {
	To          string       `json:"to,omitempty"`
	Status      string       `json:"status"`
	ErrorCode   string       `json:"error_code,omitempty"`
	Description string       `json:"description,omitempty"`
	Delay       jsonDuration `json:"delay,omitempty"`
}

// DefaultOutcome is the outcome of a recipient with no outcome of its own, until
// Outcomes.SetDefault changes it: delivered at once.
var DefaultOutcome = Outcome{Status: sms.StatusDelivered}

// Outcomes holds the outcome chosen per recipient. It is safe for concurrent use; the zero
// value is not (use NewOutcomes).
type Outcomes struct {
	mu   sync.Mutex
	def  Outcome
	byTo map[string]Outcome
}

// NewOutcomes returns Outcomes with DefaultOutcome as the default.
func NewOutcomes() *Outcomes {
	return &Outcomes{def: DefaultOutcome, byTo: map[string]Outcome{}}
}

// RecipientKey is how recipients are matched: the digits of to, so "+1 415-555-0100",
// "14155550100" and "+14155550100" are one recipient (vendors differ on the "+"). A value
// without digits is matched as is, case-insensitively.
func RecipientKey(to string) string {
	var b strings.Builder
	for i := 0; i < len(to); i++ {
		if c := to[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return strings.ToLower(strings.TrimSpace(to))
	}
	s := b.String()
	if strings.HasPrefix(strings.TrimSpace(to), "00") {
		s = s[2:]
	}
	return s
}

// Set chooses the outcome of messages to to.
func (oc *Outcomes) Set(to string, o Outcome) {
	oc.mu.Lock()
	oc.byTo[RecipientKey(to)] = o
	oc.mu.Unlock()
}

// SetDefault chooses the outcome of recipients without one of their own.
func (oc *Outcomes) SetDefault(o Outcome) {
	oc.mu.Lock()
	oc.def = o
	oc.mu.Unlock()
}

// Default returns the outcome of recipients without one of their own.
func (oc *Outcomes) Default() Outcome {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	return oc.def
}

// For returns the outcome of messages to to.
func (oc *Outcomes) For(to string) Outcome {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if o, ok := oc.byTo[RecipientKey(to)]; ok {
		return o
	}
	return oc.def
}

// All returns the per-recipient outcomes, keyed by RecipientKey.
func (oc *Outcomes) All() map[string]Outcome {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	return maps.Clone(oc.byTo)
}

// Reset forgets the per-recipient outcomes and restores DefaultOutcome.
func (oc *Outcomes) Reset() {
	oc.mu.Lock()
	oc.def = DefaultOutcome
	oc.byTo = map[string]Outcome{}
	oc.mu.Unlock()
}
