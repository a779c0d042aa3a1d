package infobiptest

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/smsbridge/sms"
)

// TimeLayout is Infobip's timestamp format (yyyy-MM-dd'T'HH:mm:ss.SSSZ): milliseconds and an
// offset without a colon.
const TimeLayout = "2006-01-02T15:04:05.000-0700"

// API is an Infobip send API version; it decides the field names of a message's send
// response and of its delivery reports.
type API string

// The send APIs the emulator speaks.
const (
	V2 API = "v2" // POST /sms/2/text/advanced
	V3 API = "v3" // POST /sms/3/messages
)

// Status is Infobip's status object, in send responses, delivery reports and logs.
type Status struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Action      string `json:"action,omitempty"`
}

// Error is Infobip's error object of a delivery report.
type Error struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Permanent   bool   `json:"permanent"`
}

// Price is a report's price object.
type Price struct {
	PricePerMessage float64 `json:"pricePerMessage"`
	Currency        string  `json:"currency"`
}

// Statuses the emulator uses (vendors/infobip.md §5c).
var (
	StatusPendingAccepted       = Status{1, "PENDING", 26, "PENDING_ACCEPTED", "Message sent to next instance", ""}
	StatusPendingEnroute        = Status{1, "PENDING", 7, "PENDING_ENROUTE", "Message sent to next instance", ""}
	StatusDeliveredToOperator   = Status{3, "DELIVERED", 2, "DELIVERED_TO_OPERATOR", "Message delivered to operator", ""}
	StatusDeliveredToHandset    = Status{3, "DELIVERED", 5, "DELIVERED_TO_HANDSET", "Message delivered to handset", ""}
	StatusUndeliverable         = Status{2, "UNDELIVERABLE", 9, "UNDELIVERABLE_NOT_DELIVERED", "Message sent not delivered", ""}
	StatusUndeliverableRejOp    = Status{2, "UNDELIVERABLE", 4, "UNDELIVERABLE_REJECTED_OPERATOR", "Message rejected by operator", ""}
	StatusExpired               = Status{4, "EXPIRED", 15, "EXPIRED_EXPIRED", "Message expired", ""}
	StatusRejectedDestination   = Status{5, "REJECTED", 52, "REJECTED_DESTINATION", "Invalid destination address.", "Check to parameter."}
	StatusRejectedBlocklisted   = Status{5, "REJECTED", 14, "REJECTED_DESTINATION_BLOCKLISTED", "Destination address is blocklisted", ""}
	StatusRejectedDuplicateID   = Status{5, "REJECTED", 23, "REJECTED_DUPLICATE_MESSAGE_ID", "Duplicate message ID", ""}
	StatusRejectedTooLong       = Status{5, "REJECTED", 25, "REJECTED_MESSAGE_TOO_LONG", "Message too long", ""}
	StatusRejectedSender        = Status{5, "REJECTED", 13, "REJECTED_SENDER", "Sender rejected", ""}
	StatusMissingTo             = Status{5, "REJECTED", 51, "MISSING_TO", "Missing destination.", "Check to parameter."}
	StatusRejectedNotEnoughCred = Status{5, "REJECTED", 12, "REJECTED_NOT_ENOUGH_CREDITS", "Not enough credits", ""}
)

// NoError is the error object of a report without a failure.
var NoError = Error{0, "OK", 0, "NO_ERROR", "No Error", false}

// errorCodes are the delivery error ids the emulator knows by name (vendors/infobip.md §5d).
var errorCodes = map[int]Error{
	1:    {1, "HANDSET_ERRORS", 1, "EC_UNKNOWN_SUBSCRIBER", "Unknown Subscriber", true},
	5:    {1, "HANDSET_ERRORS", 5, "EC_UNIDENTIFIED_SUBSCRIBER", "Unidentified Subscriber", false},
	6:    {1, "HANDSET_ERRORS", 6, "EC_ABSENT_SUBSCRIBER_SM", "Absent Subscriber", false},
	9:    {1, "HANDSET_ERRORS", 9, "EC_ILLEGAL_SUBSCRIBER", "Illegal Subscriber", true},
	11:   {1, "HANDSET_ERRORS", 11, "EC_TELESERVICE_NOT_PROVISIONED", "Teleservice Not Provisioned", true},
	13:   {1, "HANDSET_ERRORS", 13, "EC_CALL_BARRED", "Call Barred", false},
	27:   {1, "HANDSET_ERRORS", 27, "EC_ABSENT_SUBSCRIBER", "Absent Subscriber", false},
	31:   {1, "HANDSET_ERRORS", 31, "EC_SUBSCRIBER_BUSY_FOR_MT_SMS", "Subscriber Busy For MT SMS", false},
	32:   {1, "HANDSET_ERRORS", 32, "EC_SM_DELIVERY_FAILURE", "SM Delivery Failure", false},
	34:   {1, "HANDSET_ERRORS", 34, "EC_SYSTEM_FAILURE", "System Failure", false},
	256:  {1, "HANDSET_ERRORS", 256, "EC_SM_DF_MEMORYCAPACITYEXCEEDED", "Memory Capacity Exceeded", false},
	573:  {1, "HANDSET_ERRORS", 573, "EC_SC_BLOCKED_BY_END_USER", "Blocked by end user", true},
	629:  {1, "HANDSET_ERRORS", 629, "EC_DEST_ADDRESS_UNABLE_TO_RECEIVE_SMS", "Destination unable to receive SMS", true},
	351:  {2, "USER_ERRORS", 351, "EC_INVALID_DESTINATION_ADDRESS", "Invalid destination address", false},
	355:  {2, "USER_ERRORS", 355, "EC_MSG_TEXT_TOO_LONG", "Message text too long", true},
	368:  {2, "USER_ERRORS", 368, "EC_INVALID_SOURCE_ADDRESS", "Invalid source address", true},
	541:  {2, "USER_ERRORS", 541, "EC_LIMIT_REACHED", "Limit reached", false},
	603:  {2, "USER_ERRORS", 603, "EC_CONTENT_BLOCKED", "Content blocked", true},
	607:  {2, "USER_ERRORS", 607, "EC_REJECTED_SPAM_BY_OPERATOR", "Rejected as spam by operator", true},
	2052: {2, "USER_ERRORS", 2052, "EC_BLACKLISTED_DESTINATIONADDRESS", "Destination address blacklisted", true},
	2053: {2, "USER_ERRORS", 2053, "EC_BLACKLISTED_SENDERADDRESS", "Sender address blacklisted", true},
	3041: {2, "USER_ERRORS", 3041, "EC_DEACTIVATED_LIST", "Deactivated list", true},
	4100: {2, "USER_ERRORS", 4100, "EC_MESSAGE_CANCELED", "Message canceled", false},
	4101: {2, "USER_ERRORS", 4101, "EC_VALIDITY_EXPIRED", "Validity expired", false},
	4103: {2, "USER_ERRORS", 4103, "EC_DESTINATION_FLOODING", "Destination flooding", false},
	4202: {2, "USER_ERRORS", 4202, "EC_10DLC_LIMIT_REACHED", "10DLC limit reached", true},
	345:  {3, "OPERATOR_ERRORS", 345, "EC_OPERATOR_NOT_FOUND", "Operator not found", false},
	375:  {3, "OPERATOR_ERRORS", 375, "EC_SOURCE_ADDRESS_IS_BLOCKED", "Source address is blocked", false},
	488:  {3, "OPERATOR_ERRORS", 488, "EC_TF_NUMBER_NOT_VERIFIED", "Toll-free number not verified", false},
	560:  {3, "OPERATOR_ERRORS", 560, "EC_SC_BLOCKED_FOR_END_USER", "Blocked for end user", false},
	561:  {3, "OPERATOR_ERRORS", 561, "EC_CONTENT_BLOCKED_BY_OPERATOR", "Content blocked by operator", false},
	566:  {3, "OPERATOR_ERRORS", 566, "EC_DESTINATION_BLOCKED_BY_OPERATOR", "Destination blocked by operator", false},
	632:  {3, "OPERATOR_ERRORS", 632, "EC_SMS_REJECTED_BY_MOBILE_OPERATOR", "Rejected by mobile operator", false},
	2048: {3, "OPERATOR_ERRORS", 2048, "EC_TIME_OUT", "Time out", false},
	4098: {3, "OPERATOR_ERRORS", 4098, "EC_VP_EXPIRED", "Validity period expired", false},
	5492: {3, "OPERATOR_ERRORS", 5492, "EC_DUPLICATE_MESSAGE", "Duplicate message", true},
}

// ErrorFor returns the error object of a delivery error id ("27"): the known ones by name
// (vendors/infobip.md §5d), any other number as a HANDSET_ERRORS error "EC_<id>", and
// NoError for "" or "0".
func ErrorFor(code string) Error {
	if code == "" || code == "0" {
		return NoError
	}
	n, err := strconv.Atoi(code)
	if err != nil {
		return Error{GroupID: 1, GroupName: "HANDSET_ERRORS", Name: code, Description: code}
	}
	if e, ok := errorCodes[n]; ok {
		return e
	}
	return Error{GroupID: 1, GroupName: "HANDSET_ERRORS", ID: n, Name: "EC_" + code, Description: "Error " + code}
}

// StatusFor maps a portable status to the Infobip status the emulator reports for it, and
// the delivery error id it uses when the outcome names none.
func StatusFor(st sms.Status) (Status, string) {
	switch st {
	case sms.StatusAccepted:
		return StatusPendingAccepted, ""
	case sms.StatusQueued:
		return StatusPendingEnroute, ""
	case sms.StatusSent:
		return StatusDeliveredToOperator, ""
	case sms.StatusUndelivered:
		return StatusUndeliverable, "27"
	case sms.StatusFailed:
		return StatusUndeliverableRejOp, "1"
	case sms.StatusExpired:
		return StatusExpired, "4101"
	case sms.StatusRejected:
		return StatusRejectedDestination, "351"
	}
	return StatusDeliveredToHandset, ""
}

// Report is one item of a delivery report's results[], in either version's shape (Render).
type Report struct {
	BulkID              string
	MessageID           string
	To                  string // digits, without "+"
	Sender              string
	SentAt, DoneAt      time.Time
	MessageCount        int
	MccMnc              string
	CallbackData        string
	Price               Price
	Status              Status
	Error               Error
	EntityID            string
	ApplicationID       string
	CampaignReferenceID string
}

type platform struct {
	EntityID      string `json:"entityId,omitempty"`
	ApplicationID string `json:"applicationId,omitempty"`
}

// reportV2 is results[] of the v2 report (receive-outbound-sms-message-reports).
type reportV2 struct {
	BulkID              string `json:"bulkId,omitempty"`
	MessageID           string `json:"messageId"`
	To                  string `json:"to"`
	From                string `json:"from,omitempty"`
	SentAt              string `json:"sentAt"`
	DoneAt              string `json:"doneAt"`
	SmsCount            int    `json:"smsCount"`
	MccMnc              string `json:"mccMnc,omitempty"`
	CallbackData        string `json:"callbackData,omitempty"`
	Price               Price  `json:"price"`
	Status              Status `json:"status"`
	Error               Error  `json:"error"`
	EntityID            string `json:"entityId,omitempty"`
	ApplicationID       string `json:"applicationId,omitempty"`
	CampaignReferenceID string `json:"campaignReferenceId,omitempty"`
}

// reportV3 is results[] of the v3 report (receive-outbound-sms-message-reports-v3).
type reportV3 struct {
	BulkID              string    `json:"bulkId,omitempty"`
	Price               Price     `json:"price"`
	Status              Status    `json:"status"`
	Error               Error     `json:"error"`
	MessageID           string    `json:"messageId"`
	To                  string    `json:"to"`
	Sender              string    `json:"sender,omitempty"`
	SentAt              string    `json:"sentAt"`
	DoneAt              string    `json:"doneAt"`
	MessageCount        int       `json:"messageCount"`
	MccMnc              string    `json:"mccMnc,omitempty"`
	CallbackData        string    `json:"callbackData,omitempty"`
	Platform            *platform `json:"platform,omitempty"`
	CampaignReferenceID string    `json:"campaignReferenceId,omitempty"`
}

// Render returns r as a results[] item of api's report shape.
func (r Report) Render(api API) any {
	if api == V2 {
		return reportV2{
			BulkID: r.BulkID, MessageID: r.MessageID, To: r.To, From: r.Sender,
			SentAt: FormatTime(r.SentAt), DoneAt: FormatTime(r.DoneAt), SmsCount: r.MessageCount,
			MccMnc: r.MccMnc, CallbackData: r.CallbackData, Price: r.Price, Status: r.Status, Error: r.Error,
			EntityID: r.EntityID, ApplicationID: r.ApplicationID, CampaignReferenceID: r.CampaignReferenceID,
		}
	}
	var p *platform
	if r.EntityID != "" || r.ApplicationID != "" {
		p = &platform{EntityID: r.EntityID, ApplicationID: r.ApplicationID}
	}
	return reportV3{
		BulkID: r.BulkID, Price: r.Price, Status: r.Status, Error: r.Error, MessageID: r.MessageID,
		To: r.To, Sender: r.Sender, SentAt: FormatTime(r.SentAt), DoneAt: FormatTime(r.DoneAt),
		MessageCount: r.MessageCount, MccMnc: r.MccMnc, CallbackData: r.CallbackData, Platform: p,
		CampaignReferenceID: r.CampaignReferenceID,
	}
}

// ReportsBody returns the JSON body of one delivery-report POST: {"results": [...]} with
// every report in api's shape.
func ReportsBody(api API, reports ...Report) []byte {
	items := make([]any, len(reports))
	for i, r := range reports {
		items[i] = r.Render(api)
	}
	b, _ := json.Marshal(map[string]any{"results": items})
	return b
}

// Inbound is one item of an inbound push's results[] (vendors/infobip.md §6).
type Inbound struct {
	MessageID    string `json:"messageId"`
	From         string `json:"from"` // the handset, digits without "+"
	To           string `json:"to"`   // the account's number
	Text         string `json:"text"`
	CleanText    string `json:"cleanText"`
	Keyword      string `json:"keyword,omitempty"`
	ReceivedAt   string `json:"receivedAt"`
	SmsCount     int    `json:"smsCount"`
	Price        Price  `json:"price"`
	CallbackData string `json:"callbackData,omitempty"`
}

// InboundBody returns the JSON body of one inbound push.
func InboundBody(items ...Inbound) []byte {
	b, _ := json.Marshal(map[string]any{"results": items, "messageCount": len(items), "pendingMessageCount": 0})
	return b
}

// FormatTime writes t in TimeLayout, in UTC (+0000).
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// digits returns a phone number as Infobip writes it: without "+" or a leading "00".
func digits(s string) string { return normTo(s) }
