package telesign

import (
	"slices"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/codetable"
)

// StatusInProgress is the status.code of an accepted send: "Message in progress"
// (vendors/telesign.md §5.3).
const StatusInProgress = 290

// StatusRow is one row of the status table: a Telesign status.code, Telesign's text, the
// portable status, the portable class of a failure (sms.Event.Code; CodeUnknown when the
// status is not a failure or has no portable class) and whether Telesign sends a later status.
type StatusRow struct {
	Code         int
	Text         string
	Status       sms.Status
	Class        sms.Code
	Intermediate bool
}

// statusTable is the union of Telesign's delivery-report, status-query and bulk status tables
// (vendors/telesign.md §5.3), in code order. Classes are this package's reading of the texts.
var statusTable = []StatusRow{
	{200, "Delivered to handset", sms.StatusDelivered, sms.CodeUnknown, false},
	{201, "Transaction successfully completed, suspicious activity detected", sms.StatusDelivered, sms.CodeUnknown, false},
	{203, "Delivered to gateway", sms.StatusSent, sms.CodeUnknown, true},
	{207, "Error delivering SMS to handset (reason unknown)", sms.StatusUndelivered, sms.CodeUnknown, false},
	{210, "Temporary phone error", sms.StatusUndelivered, sms.CodeUnavailable, false},
	{211, "Permanent phone error", sms.StatusUndelivered, sms.CodeInvalidRecipient, false},
	{220, "Gateway/network cannot route message", sms.StatusUndelivered, sms.CodeUnavailable, false},
	{221, "Message expired before delivery", sms.StatusExpired, sms.CodeUnavailable, false},
	{222, "SMS not supported", sms.StatusUndelivered, sms.CodeInvalidRecipient, false},
	{229, "Message blocked by your request", sms.StatusRejected, sms.CodeOptedOut, false},
	{230, "Message blocked by Telesign", sms.StatusRejected, sms.CodePermissionDenied, false},
	{231, "Invalid/unsupported message content", sms.StatusRejected, sms.CodeInvalidArgument, false},
	{233, "Message blocked due to high risk score", sms.StatusRejected, sms.CodePermissionDenied, false},
	{237, "Message blocked in requested country", sms.StatusRejected, sms.CodePermissionDenied, false},
	{238, "Destination blocked by prefix", sms.StatusRejected, sms.CodePermissionDenied, false},
	{250, "Final status unknown", sms.StatusUnknown, sms.CodeUnknown, false},
	{251, "Sent out for delivery, no handset delivery report", sms.StatusSent, sms.CodeUnknown, false},
	{286, "Transaction not attempted (phone type)", sms.StatusRejected, sms.CodeInvalidRecipient, false},
	{290, "Message in progress", sms.StatusAccepted, sms.CodeUnknown, true},
	{292, "Queued by gateway", sms.StatusQueued, sms.CodeUnknown, true},
	{295, "Status delayed", sms.StatusUnknown, sms.CodeUnknown, true},
	{500, "Transaction not attempted", sms.StatusFailed, sms.CodeUnknown, false},
	{501, "Not authorized", sms.StatusFailed, sms.CodePermissionDenied, false},
	{502, "Campaign error", sms.StatusFailed, sms.CodePermissionDenied, false},
	{503, "Carrier rejected - temporary problem", sms.StatusFailed, sms.CodeUnavailable, false},
	{504, "Carrier rejected - permanent error", sms.StatusRejected, sms.CodePermissionDenied, false},
	{505, "Error on gateway - temporary", sms.StatusFailed, sms.CodeUnavailable, false},
	{506, "Error on gateway - permanent", sms.StatusFailed, sms.CodeInternal, false},
	{507, "Invalid destination address", sms.StatusRejected, sms.CodeInvalidRecipient, false},
	{508, "Invalid source address", sms.StatusRejected, sms.CodePermissionDenied, false},
	{509, "Parameters problem", sms.StatusRejected, sms.CodeInvalidArgument, false},
	{510, "Blocked by subscriber action or request", sms.StatusRejected, sms.CodeOptedOut, false},
	{511, "Subscriber low on credit", sms.StatusUndelivered, sms.CodeUnknown, false},
	{512, "Roaming error", sms.StatusUndelivered, sms.CodeUnavailable, false},
	{513, "Mobile number portability error", sms.StatusUndelivered, sms.CodeUnknown, false},
	{514, "Subscriber absent", sms.StatusUndelivered, sms.CodeUnavailable, false},
	{515, "Suspected spam", sms.StatusRejected, sms.CodePermissionDenied, false},
	{517, "Selected DLT details for India not supported", sms.StatusRejected, sms.CodeInvalidArgument, false},
	{518, "Blocked: high-risk SIM swap indicator", sms.StatusRejected, sms.CodePermissionDenied, false},
	{519, "Not sent: SIM swap check could not be performed", sms.StatusRejected, sms.CodeUnavailable, false},
	{520, "Content not allowed by the carrier", sms.StatusRejected, sms.CodeInvalidArgument, false},
	{521, "Sender ID not allowed for destination", sms.StatusRejected, sms.CodePermissionDenied, false},
	{599, "Status not available", sms.StatusUnknown, sms.CodeUnknown, false},
	{10000, "System unavailable", sms.StatusFailed, sms.CodeUnavailable, false},
	{10030, "Insufficient funds in prepaid wallet", sms.StatusFailed, sms.CodePermissionDenied, false},
	{10031, "Message blocked by customer request", sms.StatusRejected, sms.CodeOptedOut, false},
	{10032, "Message blocked by Telesign", sms.StatusRejected, sms.CodePermissionDenied, false},
	{11000, "Invalid value for parameter phone_number", sms.StatusRejected, sms.CodeInvalidRecipient, false},
}

// StatusTable returns the table StatusOf applies, in code order. It is a copy.
func StatusTable() []StatusRow { return slices.Clone(statusTable) }

// lookup returns the row of code, or nil.
func lookup(code int) *StatusRow {
	return codetable.Find(statusTable, code, func(r StatusRow) int { return r.Code })
}

// StatusOf maps a Telesign status.code — a number in the body, never an HTTP status — to the
// portable status and failure class (see StatusTable for every row):
//
//	code                                   sms.Status   class
//	290 in progress                        Accepted     — (intermediate)
//	292 queued by gateway                  Queued       — (intermediate)
//	203 delivered to gateway               Sent         — (intermediate)
//	295 status delayed                     Unknown      — (intermediate)
//	251 sent, no handset report            Sent         —
//	200, 201 delivered                     Delivered    —
//	207, 511, 513                          Undelivered  —
//	210, 220, 512, 514                     Undelivered  Unavailable
//	211, 222                               Undelivered  InvalidRecipient
//	221 expired                            Expired      Unavailable
//	229, 510, 10031 blocked (your list,    Rejected     OptedOut
//	the subscriber)
//	230, 10032 blocked by Telesign         Rejected     PermissionDenied
//	233, 237, 238, 504, 508, 515, 518, 521 Rejected     PermissionDenied
//	231, 509, 517, 520                     Rejected     InvalidArgument
//	286, 507, 11000                        Rejected     InvalidRecipient
//	519                                    Rejected     Unavailable
//	500                                    Failed       —
//	501, 502, 10030                        Failed       PermissionDenied
//	503, 505, 10000 (temporary)            Failed       Unavailable
//	506                                    Failed       Internal
//	250, 599, any other code               Unknown      —
//
// "—" is sms.CodeUnknown.
func StatusOf(code int) (sms.Status, sms.Code) {
	if r := lookup(code); r != nil {
		return r.Status, r.Class
	}
	return sms.StatusUnknown, sms.CodeUnknown
}

// IsFinal reports whether Telesign sends no later status after code: false for the
// intermediate statuses 203, 290, 292 and 295, and for codes the table does not have.
func IsFinal(code int) bool {
	r := lookup(code)
	return r != nil && !r.Intermediate
}
