package infobip

import (
	"slices"
	"strconv"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/codetable"
)

// Status groups (status.groupId), vendors/infobip.md §5c.
const (
	GroupPending       = 1
	GroupUndeliverable = 2
	GroupDelivered     = 3
	GroupExpired       = 4
	GroupRejected      = 5
)

// Statuses this package treats specially (status.id).
const (
	StatusDeliveredToOperator = 2  // group DELIVERED, but not final
	StatusBlocklisted         = 14 // REJECTED_DESTINATION_BLOCKLISTED: the recipient opted out
	StatusDuplicateMessageID  = 23 // REJECTED_DUPLICATE_MESSAGE_ID: our messageId was already used
)

// StatusRow is one row of the status table: an Infobip status (groupId and id; names vary
// between Infobip's sources for the same id, so only the numbers are matched), the portable
// status, and the portable class of a failure (sms.Event.Code, sms.Error.Code).
type StatusRow struct {
	Group  int
	ID     int
	Name   string
	Status sms.Status
	Class  sms.Code // CodeUnknown when the status is not a failure or has no portable class
}

// statusTable is Infobip's status list (vendors/infobip.md §5c), in group and id order.
var statusTable = []StatusRow{
	{1, 3, "PENDING_WAITING_DELIVERY", sms.StatusSent, sms.CodeUnknown},
	{1, 7, "PENDING_ENROUTE", sms.StatusSent, sms.CodeUnknown},
	{1, 26, "PENDING_ACCEPTED", sms.StatusAccepted, sms.CodeUnknown},
	{2, 4, "UNDELIVERABLE_REJECTED_OPERATOR", sms.StatusUndelivered, sms.CodeUnknown},
	{2, 9, "UNDELIVERABLE_NOT_DELIVERED", sms.StatusUndelivered, sms.CodeUnknown},
	{2, 31, "UNDELIVERABLE_NOT_SENT", sms.StatusUndelivered, sms.CodeUnknown},
	{3, 2, "DELIVERED_TO_OPERATOR", sms.StatusSent, sms.CodeUnknown},
	{3, 5, "DELIVERED_TO_HANDSET", sms.StatusDelivered, sms.CodeUnknown},
	{4, 15, "EXPIRED_EXPIRED", sms.StatusExpired, sms.CodeUnavailable},
	{4, 29, "EXPIRED_DLR_UNKNOWN", sms.StatusExpired, sms.CodeUnknown},
	{4, 87, "SIGNALS_BLOCKED", sms.StatusExpired, sms.CodePermissionDenied},
	{5, 6, "REJECTED_NETWORK", sms.StatusRejected, sms.CodePermissionDenied},
	{5, 8, "REJECTED_PREFIX_MISSING", sms.StatusRejected, sms.CodeInvalidRecipient},
	{5, 10, "REJECTED_DND", sms.StatusRejected, sms.CodeOptedOut},
	{5, 11, "REJECTED_SOURCE", sms.StatusRejected, sms.CodePermissionDenied},
	{5, 12, "REJECTED_NOT_ENOUGH_CREDITS", sms.StatusRejected, sms.CodePermissionDenied},
	{5, 13, "REJECTED_SENDER", sms.StatusRejected, sms.CodePermissionDenied},
	{5, 14, "REJECTED_DESTINATION_BLOCKLISTED", sms.StatusRejected, sms.CodeOptedOut},
	{5, 17, "REJECTED_PREPAID_PACKAGE_EXPIRED", sms.StatusRejected, sms.CodePermissionDenied},
	{5, 18, "REJECTED_DESTINATION_NOT_REGISTERED", sms.StatusRejected, sms.CodePermissionDenied},
	{5, 19, "REJECTED_ROUTE_NOT_AVAILABLE", sms.StatusRejected, sms.CodeUnavailable},
	{5, 20, "REJECTED_FLOODING_FILTER", sms.StatusRejected, sms.CodeRateLimited},
	{5, 21, "REJECTED_SYSTEM_ERROR", sms.StatusRejected, sms.CodeUnavailable},
	{5, 23, "REJECTED_DUPLICATE_MESSAGE_ID", sms.StatusUnknown, sms.CodeUnknown},
	{5, 24, "REJECTED_INVALID_UDH", sms.StatusRejected, sms.CodeInvalidArgument},
	{5, 25, "REJECTED_MESSAGE_TOO_LONG", sms.StatusRejected, sms.CodeInvalidArgument},
	{5, 51, "MISSING_TO", sms.StatusRejected, sms.CodeInvalidRecipient},
	{5, 52, "REJECTED_DESTINATION", sms.StatusRejected, sms.CodeInvalidRecipient},
	{5, 87, "SIGNALS_BLOCKED", sms.StatusRejected, sms.CodePermissionDenied},
	{5, 100, "UNDELIVERABLE_REJECTED_PLATFORM", sms.StatusRejected, sms.CodePermissionDenied},
}

// groupStatus is the portable status of a group whose id is not in the table.
var groupStatus = map[int]sms.Status{
	GroupPending:       sms.StatusAccepted,
	GroupUndeliverable: sms.StatusUndelivered,
	GroupDelivered:     sms.StatusDelivered,
	GroupExpired:       sms.StatusExpired,
	GroupRejected:      sms.StatusRejected,
}

// StatusTable returns the table StatusOf applies, in group and id order. It is a copy.
func StatusTable() []StatusRow { return slices.Clone(statusTable) }

// StatusOf maps an Infobip status object (groupId, id, groupName) to the portable status and
// failure class:
//
//	group            id                                  sms.Status   class
//	1 PENDING        26 PENDING_ACCEPTED                 Accepted     —
//	1 PENDING        3 WAITING_DELIVERY, 7 ENROUTE       Sent         —
//	2 UNDELIVERABLE  4, 9, 31                            Undelivered  — (the error object says why)
//	3 DELIVERED      2 DELIVERED_TO_OPERATOR             Sent         — (not final)
//	3 DELIVERED      5 DELIVERED_TO_HANDSET              Delivered    —
//	4 EXPIRED        15 EXPIRED_EXPIRED                  Expired      Unavailable
//	4 EXPIRED        29 EXPIRED_DLR_UNKNOWN              Expired      —
//	4/5              87 SIGNALS_BLOCKED                  Expired/Rej. PermissionDenied
//	5 REJECTED       10 DND, 14 DESTINATION_BLOCKLISTED  Rejected     OptedOut
//	5 REJECTED       8 PREFIX_MISSING, 51 MISSING_TO,    Rejected     InvalidRecipient
//	                 52 REJECTED_DESTINATION
//	5 REJECTED       6, 11, 12, 13, 17, 18, 100          Rejected     PermissionDenied
//	5 REJECTED       19 ROUTE_NOT_AVAILABLE, 21 SYSTEM   Rejected     Unavailable
//	5 REJECTED       20 FLOODING_FILTER                  Rejected     RateLimited
//	5 REJECTED       24 INVALID_UDH, 25 TOO_LONG         Rejected     InvalidArgument
//	5 REJECTED       23 DUPLICATE_MESSAGE_ID             Unknown      — (see below)
//	another id of a known group                          the group's  —
//	groupName ACCEPTED (no documented groupId)           Accepted     —
//	anything else                                        Unknown      —
//
// "—" is sms.CodeUnknown. REJECTED_DUPLICATE_MESSAGE_ID says that a message with the same
// messageId already exists: it is not the status of that message, so it maps to
// StatusUnknown (Send reports the recipient accepted; ParseCallback reports an EventUnknown
// that cannot overwrite the original's status).
func StatusOf(groupID, id int, groupName string) (sms.Status, sms.Code) {
	for i := range statusTable {
		if r := &statusTable[i]; r.Group == groupID && r.ID == id {
			return r.Status, r.Class
		}
	}
	if s, ok := groupStatus[groupID]; ok {
		return s, sms.CodeUnknown
	}
	if strings.EqualFold(strings.TrimSpace(groupName), "ACCEPTED") {
		return sms.StatusAccepted, sms.CodeUnknown
	}
	return sms.StatusUnknown, sms.CodeUnknown
}

// ErrorRow is one row of the error table: an Infobip error id (the error object of a
// delivery report), its name, whether Infobip calls it permanent, and its portable class.
type ErrorRow struct {
	ID        int
	Name      string
	Permanent bool
	Class     sms.Code
}

// errorTable is the part of Infobip's error list (vendors/infobip.md §5d) with a portable
// meaning, in id order. An id that is not in it has no class (CodeUnknown).
var errorTable = []ErrorRow{
	{1, "EC_UNKNOWN_SUBSCRIBER", true, sms.CodeInvalidRecipient},
	{5, "EC_UNIDENTIFIED_SUBSCRIBER", false, sms.CodeInvalidRecipient},
	{6, "EC_ABSENT_SUBSCRIBER_SM", false, sms.CodeUnavailable},
	{9, "EC_ILLEGAL_SUBSCRIBER", true, sms.CodeInvalidRecipient},
	{11, "EC_TELESERVICE_NOT_PROVISIONED", true, sms.CodeInvalidRecipient},
	{13, "EC_CALL_BARRED", false, sms.CodePermissionDenied},
	{27, "EC_ABSENT_SUBSCRIBER", false, sms.CodeUnavailable},
	{31, "EC_SUBSCRIBER_BUSY_FOR_MT_SMS", false, sms.CodeUnavailable},
	{34, "EC_SYSTEM_FAILURE", false, sms.CodeUnavailable},
	{256, "EC_SM_DF_MEMORYCAPACITYEXCEEDED", false, sms.CodeUnavailable},
	{345, "EC_OPERATOR_NOT_FOUND", false, sms.CodeInvalidRecipient},
	{351, "EC_INVALID_DESTINATION_ADDRESS", false, sms.CodeInvalidRecipient},
	{355, "EC_MSG_TEXT_TOO_LONG", true, sms.CodeInvalidArgument},
	{368, "EC_INVALID_SOURCE_ADDRESS", true, sms.CodeInvalidArgument},
	{375, "EC_SOURCE_ADDRESS_IS_BLOCKED", false, sms.CodePermissionDenied},
	{488, "EC_TF_NUMBER_NOT_VERIFIED", false, sms.CodePermissionDenied},
	{541, "EC_LIMIT_REACHED", false, sms.CodeRateLimited},
	{560, "EC_SC_BLOCKED_FOR_END_USER", false, sms.CodePermissionDenied},
	{561, "EC_CONTENT_BLOCKED_BY_OPERATOR", false, sms.CodePermissionDenied},
	{566, "EC_DESTINATION_BLOCKED_BY_OPERATOR", false, sms.CodePermissionDenied},
	{573, "EC_SC_BLOCKED_BY_END_USER", true, sms.CodeOptedOut},
	{603, "EC_CONTENT_BLOCKED", true, sms.CodePermissionDenied},
	{607, "EC_REJECTED_SPAM_BY_OPERATOR", true, sms.CodePermissionDenied},
	{629, "EC_DEST_ADDRESS_UNABLE_TO_RECEIVE_SMS", true, sms.CodeInvalidRecipient},
	{632, "EC_SMS_REJECTED_BY_MOBILE_OPERATOR", false, sms.CodePermissionDenied},
	{2048, "EC_TIME_OUT", false, sms.CodeUnavailable},
	{2052, "EC_BLACKLISTED_DESTINATIONADDRESS", true, sms.CodeOptedOut},
	{2053, "EC_BLACKLISTED_SENDERADDRESS", true, sms.CodePermissionDenied},
	{3041, "EC_DEACTIVATED_LIST", true, sms.CodeInvalidRecipient},
	{4098, "EC_VP_EXPIRED", false, sms.CodeUnavailable},
	{4101, "EC_VALIDITY_EXPIRED", false, sms.CodeUnavailable},
	{4103, "EC_DESTINATION_FLOODING", false, sms.CodeRateLimited},
	{4202, "EC_10DLC_LIMIT_REACHED", true, sms.CodeRateLimited},
}

// ErrorTable returns the table ErrorClass applies, in id order. It is a copy.
func ErrorTable() []ErrorRow { return slices.Clone(errorTable) }

// ErrorClass returns the portable class of an Infobip error id (0, NO_ERROR, and ids not in
// ErrorTable have none: CodeUnknown).
func ErrorClass(id int) sms.Code {
	if r := codetable.Find(errorTable, id, func(r ErrorRow) int { return r.ID }); r != nil {
		return r.Class
	}
	return sms.CodeUnknown
}

// statusObj is Infobip's status object, in send responses, delivery reports and logs.
type statusObj struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// errorObj is Infobip's error object of delivery reports and logs.
type errorObj struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Permanent   bool   `json:"permanent"`
}

// classOf is the portable class of a report: the status row's class when it has one (the
// REJECTED statuses say why), else the error object's (UNDELIVERABLE and EXPIRED reports
// carry the reason there).
func classOf(st *statusObj, er *errorObj) (sms.Status, sms.Code) {
	status, class := StatusOf(st.GroupID, st.ID, st.GroupName)
	if class == sms.CodeUnknown && er != nil && er.ID != 0 && status != sms.StatusDelivered {
		class = ErrorClass(er.ID)
	}
	return status, class
}

// rawStatus is the status word kept in Event.RawStatus: the name, else "group/id".
func rawStatus(st *statusObj) string {
	if st.Name != "" {
		return st.Name
	}
	return strconv.Itoa(st.GroupID) + "/" + strconv.Itoa(st.ID)
}
