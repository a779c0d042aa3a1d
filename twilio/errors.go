package twilio

import (
	"encoding/json"
	"strconv"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// newError is the package's one error constructor: every *sms.Error this package creates
// names the provider here (those made by httpx get it from vendor). NotAccepted is left
// false; refused sets it.
func newError(code sms.Code, msg string) *sms.Error {
	return &sms.Error{Code: code, Provider: Name, Message: msg}
}

// refused returns an InvalidArgument error for a message refused before any request. It is
// the package's one rule for NotAccepted: nothing was sent, so nothing can have been
// accepted. Answers from Twilio get NotAccepted from httpx (mapError), never here.
func refused(msg string) *sms.Error {
	e := newError(sms.CodeInvalidArgument, msg)
	e.NotAccepted = true
	return e
}

// vendor is what the shared HTTP layer knows of Twilio: its name, its request-id header, and
// the HTTP statuses it documents as "not processed" besides 429 — none: Twilio documents no
// 5xx as not processed, so every 5xx after the request was written is OutcomeUnknown.
var vendor = httpx.Vendor{Name: Name, RequestIDHeader: RequestIDHeader, NotProcessed: nil}

// restError is Twilio's documented JSON error body (twilio-go TwilioRestError).
type restError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// errorTable maps Twilio REST error codes to portable codes. The HTTP status decides
// NotAccepted (httpx.StatusError): Twilio answers its refusals with 4xx and creates no
// message.
var errorTable = map[int]sms.Code{
	20003: sms.CodeUnauthenticated,  // authentication error
	20404: sms.CodeNotFound,         // resource not found
	20429: sms.CodeRateLimited,      // too many concurrent requests; never processed
	21211: sms.CodeInvalidRecipient, // invalid To number
	21614: sms.CodeInvalidRecipient, // To is not a mobile number
	21612: sms.CodeInvalidRecipient, // To not reachable from this From (no route for the pair)
	21408: sms.CodePermissionDenied, // geo permission for the region not enabled in the account
	21610: sms.CodeOptedOut,         // the recipient replied STOP to this sender
	21212: sms.CodeInvalidArgument,  // invalid From
	21606: sms.CodeInvalidArgument,  // From is not a message-capable number of the account
	21659: sms.CodeInvalidArgument,  // From is not a valid sender
	21611: sms.CodeRateLimited,      // From has too many queued messages
	21602: sms.CodeInvalidArgument,  // Body required
	21604: sms.CodeInvalidArgument,  // To required
	21603: sms.CodeInvalidArgument,  // From required
	21617: sms.CodeInvalidArgument,  // body over 1600 characters
	21658: sms.CodeInvalidArgument,  // parameter over its limit
	21620: sms.CodeInvalidArgument,  // invalid media URL
	21601: sms.CodeInvalidArgument,  // To and From are the same
}

// mapError turns a non-2xx answer into an *sms.Error: the portable code and NotAccepted of
// its HTTP status (the shared status→code function, with Twilio's exceptions: none), refined
// by the code of Twilio's JSON error body. The message is Twilio's "message" field, or the
// status text: a body that is not Twilio's JSON error (a proxy's page, which may echo request
// headers such as Authorization) never reaches the error, and so never a log.
func mapError(resp *httpx.Response) *sms.Error {
	e := vendor.StatusError(resp)
	var body restError
	if json.Unmarshal(resp.Body, &body) == nil && body.Code != 0 {
		e.VendorCode = strconv.Itoa(body.Code)
		if body.Message != "" {
			e.Message = body.Message
		}
		if c, ok := errorTable[body.Code]; ok {
			e.Code = c
		}
	}
	return e
}

// deliveryError is what a delivery error code of a status callback means.
type deliveryError struct {
	code sms.Code
	desc string
}

// deliveryErrors maps the ErrorCode of status callbacks to Event.Code and
// Event.ErrorDescription (Twilio's error dictionary; the wording is not re-read in Twilio's
// pages: unconfirmed). A message sent through a Messaging Service is created before it is
// checked, so REST-time refusals (21xxx) arrive here too.
var deliveryErrors = map[string]deliveryError{
	"30001": {sms.CodeRateLimited, "queue overflow"},
	"30002": {sms.CodePermissionDenied, "account suspended"},
	"30003": {sms.CodeInvalidRecipient, "unreachable destination handset"},
	"30004": {sms.CodeOptedOut, "message blocked"},
	"30005": {sms.CodeInvalidRecipient, "unknown destination handset"},
	"30006": {sms.CodeInvalidRecipient, "landline or unreachable carrier"},
	"30007": {sms.CodePermissionDenied, "carrier filtering"},
	"30008": {sms.CodeUnknown, "unknown error"},
	"30034": {sms.CodePermissionDenied, "message from an unregistered US 10DLC number"},
	"21610": {sms.CodeOptedOut, "attempt to send to an unsubscribed recipient"},
	"21211": {sms.CodeInvalidRecipient, "invalid 'To' phone number"},
	"21614": {sms.CodeInvalidRecipient, "'To' number is not a valid mobile number"},
	"21612": {sms.CodeInvalidRecipient, "'To' number is not reachable from this sender"},
	"21408": {sms.CodePermissionDenied, "permission to send to this region is not enabled"},
}
