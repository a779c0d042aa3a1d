package vibes

import (
	"slices"
	"strings"

	"github.com/smsbridge/sms"
)

// Receipt stages: the <type> of a delivery receipt (facts §5b). Vibes posts one receipt per
// stage, in this order.
const (
	StageSystem  = "System"  // Vibes' own processing
	StageCarrier = "Carrier" // handed to (or refused by) the carrier
	StageHandset = "Handset" // the handset's (carrier-relayed) report
)

// StatusRow is one row of the receipt status table: the stage (<type>), whether the receipt
// is an error (status@isError) and the portable status.
type StatusRow struct {
	Stage   string
	IsError bool
	Status  sms.Status
}

// statusTable maps a receipt's stage and isError to the portable status (facts §5c, a
// proposal: Vibes publishes no status enum). Only a Handset receipt without error is
// Delivered. A System error is Rejected (Vibes refused the message before any carrier saw
// it, e.g. internal code 9, MDN blocked); a Carrier error is Failed; a Handset error
// Undelivered. A stage not in the table is StatusUnknown.
var statusTable = []StatusRow{
	{StageSystem, false, sms.StatusAccepted},
	{StageSystem, true, sms.StatusRejected},
	{StageCarrier, false, sms.StatusSent},
	{StageCarrier, true, sms.StatusFailed},
	{StageHandset, false, sms.StatusDelivered},
	{StageHandset, true, sms.StatusUndelivered},
}

// StatusTable returns the table StatusOf applies. It is a copy.
func StatusTable() []StatusRow { return slices.Clone(statusTable) }

// StatusOf maps a receipt's stage (compared without regard to case or surrounding space) and
// isError to the portable status; an unknown stage is StatusUnknown.
func StatusOf(stage string, isError bool) sms.Status {
	stage = strings.TrimSpace(stage)
	for _, r := range statusTable {
		if r.IsError == isError && strings.EqualFold(r.Stage, stage) {
			return r.Status
		}
	}
	return sms.StatusUnknown
}
