package linkmobility

import (
	"slices"
	"strconv"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/codetable"
)

// ResultQueued is the resultCode of an accepted send: 1005 "Queued" (vendors/linkmobility.md
// §2d). It is also a temporary delivery-report code.
const ResultQueued = 1005

// StatusRow is one row of the resultCode table: LINK's code, its text, the portable status,
// the portable class of a failure (sms.Event.Code; CodeUnknown when the report is not a failure
// or the code has no portable class) and whether LINK calls the state final.
type StatusRow struct {
	Code   int
	Text   string
	Status sms.Status
	Class  sms.Code
	Final  bool
}

// statusTable is LINK's complete delivery-report resultCode table (vendors/linkmobility.md §5c,
// v1.18), in code order. Status follows the facts' proposal: 1000, 1005, 1008, 1011, 1012,
// 1013 are on their way; 1001 and 1007 delivered; 1002 and 1010 expired; 4 and 5 ("unknown
// delivery") StatusUnknown; everything else a final failure. Classes are this package's
// reading of the texts; the barring codes are 2105 → InvalidRecipient, 2107 → a temporary
// undelivered (Unavailable), 2205 → OptedOut.
var statusTable = []StatusRow{
	{0, "Unknown error", sms.StatusFailed, sms.CodeUnknown, true},
	{1, "Temporary routing error", sms.StatusUndelivered, sms.CodeUnavailable, true},
	{2, "Permanent routing error", sms.StatusUndelivered, sms.CodeInvalidRecipient, true},
	{3, "Maximum throttling exceeded", sms.StatusFailed, sms.CodeRateLimited, true},
	{4, "Timeout", sms.StatusUnknown, sms.CodeUnknown, true},
	{5, "Operator unknown error", sms.StatusUnknown, sms.CodeUnknown, true},
	{6, "Operator error", sms.StatusUndelivered, sms.CodeUnavailable, true},
	{104, "Configuration error", sms.StatusFailed, sms.CodePermissionDenied, true},
	{105, "Internal error", sms.StatusFailed, sms.CodeInternal, true},
	{1000, "Sent", sms.StatusSent, sms.CodeUnknown, false},
	{1001, "Billed and delivered", sms.StatusDelivered, sms.CodeUnknown, true},
	{1002, "Expired", sms.StatusExpired, sms.CodeUnavailable, true},
	{1003, "Deleted", sms.StatusFailed, sms.CodeUnknown, true},
	{1004, "Mobile full", sms.StatusUndelivered, sms.CodeUnavailable, true},
	{1005, "Queued", sms.StatusQueued, sms.CodeUnknown, false},
	{1006, "Not delivered", sms.StatusUndelivered, sms.CodeUnknown, true},
	{1007, "Delivered, billed delayed", sms.StatusDelivered, sms.CodeUnknown, false},
	{1008, "Billed OK (charged before sending)", sms.StatusQueued, sms.CodeUnknown, false},
	{1009, "Billed OK and NOT delivered", sms.StatusUndelivered, sms.CodeUnknown, true},
	{1010, "Expired, absence of operator DLR", sms.StatusExpired, sms.CodeUnknown, true},
	{1011, "Billed OK and sent", sms.StatusSent, sms.CodeUnknown, false},
	{1012, "Delayed (temporary billing error, will resend)", sms.StatusQueued, sms.CodeUnknown, false},
	{1013, "Sent to operator, bill delayed", sms.StatusSent, sms.CodeUnknown, false},
	{2000, "Invalid source (number or alpha)", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2001, "Source shortnumber not supported", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2002, "Source alpha not supported", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2003, "Source MSISDN not supported", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2100, "Destination shortnumber not supported", sms.StatusRejected, sms.CodeInvalidRecipient, true},
	{2101, "Destination alpha not supported", sms.StatusRejected, sms.CodeInvalidRecipient, true},
	{2102, "Destination MSISDN not supported", sms.StatusRejected, sms.CodeInvalidRecipient, true},
	{2103, "Operation blocked for destination", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2104, "Unknown subscriber", sms.StatusRejected, sms.CodeInvalidRecipient, true},
	{2105, "Destination blocked (permanently barred)", sms.StatusRejected, sms.CodeInvalidRecipient, true},
	{2106, "Number error", sms.StatusRejected, sms.CodeInvalidRecipient, true},
	{2107, "Destination temporarily blocked (temporarily barred)", sms.StatusUndelivered, sms.CodeUnavailable, true},
	{2200, "Charging error", sms.StatusFailed, sms.CodeUnknown, true},
	{2201, "Subscriber has low balance", sms.StatusUndelivered, sms.CodeUnknown, true},
	{2202, "Subscriber barred for premium messages", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2203, "Subscriber too young for content", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2204, "Prepaid subscriber not allowed", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2205, "Service rejected by subscriber", sms.StatusRejected, sms.CodeOptedOut, true},
	{2206, "Subscriber not registered in payment system", sms.StatusRejected, sms.CodePermissionDenied, true},
	{2207, "Subscriber has reached max balance", sms.StatusRejected, sms.CodePermissionDenied, true},
	{3000, "GSM encoding not supported", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{3001, "UCS2 encoding not supported", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{3002, "Binary encoding not supported", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4000, "Delivery report not supported", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4001, "Invalid message content", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4002, "Invalid tariff", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4003, "Invalid user data", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4004, "Invalid user data header", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4005, "Invalid data coding", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4006, "Invalid VAT", sms.StatusRejected, sms.CodeInvalidArgument, true},
	{4007, "Unsupported content for destination", sms.StatusRejected, sms.CodeInvalidArgument, true},
}

// StatusTable returns the table StatusOf applies, in code order. It is a copy.
func StatusTable() []StatusRow { return slices.Clone(statusTable) }

// lookup returns the row of code, or nil.
func lookup(code int) *StatusRow {
	return codetable.Find(statusTable, code, func(r StatusRow) int { return r.Code })
}

// StatusOf maps a resultCode to the portable status and failure class. A code not in the
// table is a failure LINK added after v1.18: StatusFailed with CodeUnknown, never a panic.
func StatusOf(code int) (sms.Status, sms.Code) {
	if r := lookup(code); r != nil {
		return r.Status, r.Class
	}
	return sms.StatusFailed, sms.CodeUnknown
}

// statusText is LINK's text for code, or the code itself.
func statusText(code int) string {
	if r := lookup(code); r != nil {
		return r.Text
	}
	return "resultCode " + strconv.Itoa(code)
}
