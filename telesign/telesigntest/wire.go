package telesigntest

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/smsbridge/sms"
)

// TimeLayout is Telesign's updated_on and submit_timestamp format: RFC 3339 in UTC with
// microseconds.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime writes t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Status is Telesign's status object, in send and status-query responses, error bodies and
// callbacks.
type Status struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
	UpdatedOn   string `json:"updated_on"`
}

// Telesign status codes the emulator uses (vendors/telesign.md §5.3, §3).
const (
	CodeDelivered          = 200   // Delivered to handset
	CodeDeliveredToGateway = 203   // Delivered to gateway (intermediate)
	CodeErrorDelivering    = 207   // Error delivering SMS to handset (reason unknown)
	CodeTemporaryPhone     = 210   // Temporary phone error
	CodeExpired            = 221   // Message expired before delivery
	CodeBlockedByRequest   = 229   // Message blocked by your request
	CodeBlockedByTelesign  = 230   // Message blocked by Telesign
	CodeStatusUnknown      = 250   // Final status unknown
	CodeSentNoDLR          = 251   // Sent out for delivery, no handset DLR received
	CodeInProgress         = 290   // Message in progress (the send answer)
	CodeQueued             = 292   // Queued by gateway
	CodeNotAttempted       = 500   // Transaction not attempted
	CodeCarrierPermanent   = 504   // Carrier rejected – permanent error
	CodeGatewayPermanent   = 506   // Error on gateway – permanent
	CodeInvalidDestination = 507   // Invalid destination address
	CodeInbound            = 1500  // an inbound mo_sms message
	CodeSystemUnavailable  = 10000 // System unavailable
	CodeNonceReused        = 10002
	CodeNonceLength        = 10003
	CodeDateOutOfRange     = 10004
	CodeDateFormat         = 10005
	CodeAuthMethod         = 10006
	CodeMissingDate        = 10007
	CodeInvalidSignature   = 10008
	CodeMissingAuth        = 10009
	CodeInvalidCustomerID  = 10015
	CodeNotFound           = 10017
	CodeRateLimit          = 10019
	CodeHardCap            = 10020
	CodeInvalidAPIKey      = 10022
	CodeMalformedAuth      = 10028
	CodeInsufficientFunds  = 10030
	CodeBlockedByCustomer  = 10031
	CodeBlockedGlobally    = 10032
	CodeInvalidPhone       = 11000
	CodeInvalidCountry     = 11001
	CodeInvalidLifecycle   = 11003
	CodeInvalidCallbackURL = 11004
	CodeInvalidMessage     = 11009
	CodeInvalidOrigIP      = 11010
	CodeInvalidParameter   = 11011
	CodeInvalidSenderID    = 11013
	CodeInvalidMessageType = 11017
	CodeMissingPhone       = 12000
	CodeMissingMessage     = 12009
	CodeMissingMessageType = 12017
)

// descriptions are the texts of the codes (Telesign's where the facts quote them).
var descriptions = map[int]string{
	200: "Delivered to handset", 201: "Transaction successfully completed, suspicious activity detected",
	203: "Delivered to gateway", 207: "Error delivering SMS to handset (reason unknown)",
	210: "Temporary phone error", 211: "Permanent phone error", 220: "Gateway/network cannot route message",
	221: "Message expired before delivery", 222: "SMS not supported", 229: "Message blocked by your request",
	230: "Message blocked by Telesign", 231: "Invalid/unsupported message content", 233: "Message blocked due to high risk score",
	237: "Message blocked in requested country", 238: "Destination blocked by prefix", 250: "Final status unknown",
	251: "Sent out for delivery, no handset DLR received", 286: "Transaction not attempted",
	290: "Message in progress", 292: "Queued by gateway", 295: "Status delayed",
	500: "Transaction not attempted", 501: "Not authorized", 502: "Campaign error",
	503: "Carrier rejected - temporary problem", 504: "Carrier rejected - permanent error",
	505: "Error on gateway - temporary", 506: "Error on gateway - permanent", 507: "Invalid destination address",
	508: "Invalid source address", 509: "Parameters problem", 510: "Blocked by subscriber action or request",
	511: "Subscriber low on credit", 512: "Roaming error", 513: "Mobile number portability error",
	514: "Subscriber absent", 515: "Suspected spam", 517: "Selected DLT details for India not supported",
	518: "Blocked: high-risk SIM swap indicator", 519: "Not sent: requested SIM swap check could not be performed",
	520: "Content sent is not allowed", 521: "Requested sender ID not allowed for destination", 599: "Status not available",
	1500:  "Delivered to customer",
	10000: "System Unavailable, Please try again later", 10002: "Nonce has already been used.",
	10003: "Invalid nonce length.", 10004: "Date is out of range.", 10005: "Date is not RFC 822 compliant.",
	10006: "Invalid authorization method.", 10007: "Missing Date header.", 10008: "Invalid Signature.",
	10009: "Missing Authorization header.", 10015: "Invalid Customer ID.", 10017: "Reference ID not found.",
	10019: "Rate Limit Exceeded", 10020: "Messaging transaction hard cap exceeded", 10022: "Invalid API Key.",
	10028: "Malformed Authorization header.", 10030: "Insufficient funds in prepaid wallet",
	10031: "Message blocked by customer request", 10032: "Message blocked by Telesign",
	11000: "Invalid value for parameter phone_number", 11001: "Invalid country code",
	11003: "Invalid value for parameter account_lifecycle_event", 11004: "Invalid value for parameter callback_url",
	11009: "Invalid value for parameter message", 11010: "Invalid value for parameter originating_ip",
	11011: "Invalid parameter value", 11013: "Invalid value for parameter sender_id",
	11017: "Invalid value for parameter message_type",
	12000: "Missing Required Parameter phone_number", 12009: "Missing Required Parameter message",
	12017: "Missing Required Parameter message_type",
}

// Description returns the text of a Telesign status or error code ("Status <code>" for one
// the emulator does not know).
func Description(code int) string {
	if d, ok := descriptions[code]; ok {
		return d
	}
	return "Status " + strconv.Itoa(code)
}

// Final reports whether a delivery-report status code is final (vendors/telesign.md §5.3:
// 203, 290, 292 and 295 are intermediate).
func Final(code int) bool {
	switch code {
	case 203, 290, 292, 295:
		return false
	}
	return true
}

// CodeFor maps a portable status to the status code the emulator reports for it.
func CodeFor(st sms.Status) int {
	switch st {
	case sms.StatusAccepted:
		return CodeInProgress
	case sms.StatusQueued:
		return CodeQueued
	case sms.StatusSent:
		return CodeSentNoDLR
	case sms.StatusUndelivered:
		return CodeTemporaryPhone
	case sms.StatusFailed:
		return CodeGatewayPermanent
	case sms.StatusExpired:
		return CodeExpired
	case sms.StatusRejected:
		return CodeCarrierPermanent
	case sms.StatusUnknown:
		return CodeStatusUnknown
	}
	return CodeDelivered
}

// Report is a delivery report (vendors/telesign.md §5.2) or a status-query answer.
type Report struct {
	ReferenceID     string         `json:"reference_id"`
	Status          Status         `json:"status"`
	SubmitTimestamp string         `json:"submit_timestamp,omitempty"`
	ExternalID      *string        `json:"external_id"` // null when the send had none
	AdditionalInfo  map[string]any `json:"additional_info,omitempty"`
}

// Body returns r as the JSON body Telesign posts.
func (r Report) Body() []byte {
	b, _ := json.Marshal(r)
	return b
}

// UserResponse is an inbound message's user_response object (vendors/telesign.md §6).
type UserResponse struct {
	SenderID       string `json:"sender_id"` // the account's number or short code, digits
	ISOCountryCode string `json:"iso_country_code"`
	Action         string `json:"action"`       // stop, start, help or generic
	Keyword        string `json:"keyword"`      // the matched keyword, "" for generic
	PhoneNumber    string `json:"phone_number"` // the handset, digits
	MOMessage      string `json:"mo_message"`
}

// Inbound is an inbound mo_sms callback.
type Inbound struct {
	ReferenceID     string         `json:"reference_id"`
	Status          Status         `json:"status"`
	UserResponse    UserResponse   `json:"user_response"`
	SubResource     string         `json:"sub_resource"` // "mo_sms"
	Errors          map[string]any `json:"errors"`       // always empty
	SubmitTimestamp string         `json:"submit_timestamp"`
}

// Body returns in as the JSON body Telesign posts.
func (in Inbound) Body() []byte {
	if in.Errors == nil {
		in.Errors = map[string]any{}
	}
	b, _ := json.Marshal(in)
	return b
}

// keywordActions is Telesign's default action-to-keyword mapping (vendors/telesign.md §8).
var keywordActions = []struct {
	action string
	words  []string
}{
	{"stop", []string{"ARRÊT", "ARRET", "CANCEL", "END", "QUIT", "STOP", "UNSUBSCRIBE"}},
	{"help", []string{"AIDE", "CONTACT", "HELP", "INFO"}},
	{"start", []string{"START"}},
}

// Action returns Telesign's keyword action for an inbound text and the matched keyword
// (lower case): "stop", "help", "start", or "generic" with no keyword.
func Action(text string) (action, keyword string) {
	for _, a := range keywordActions {
		for _, w := range a.words {
			if equalFoldTrim(text, w) {
				return a.action, lower(w)
			}
		}
	}
	return "generic", ""
}

// countryCodes derives iso_country_code from a calling code (a few; "" otherwise).
var countryCodes = []struct{ prefix, iso string }{
	{"1", "US"}, {"44", "GB"}, {"33", "FR"}, {"49", "DE"}, {"34", "ES"}, {"39", "IT"}, {"31", "NL"},
	{"41", "CH"}, {"46", "SE"}, {"61", "AU"}, {"91", "IN"}, {"55", "BR"},
}

func isoCountry(digits string) string {
	for _, c := range countryCodes {
		if len(digits) > len(c.prefix) && digits[:len(c.prefix)] == c.prefix {
			return c.iso
		}
	}
	return ""
}
