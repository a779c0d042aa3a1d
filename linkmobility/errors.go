package linkmobility

import (
	"encoding/json"
	"strconv"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// vendor is what the shared HTTP plumbing knows of LINK. LINK documents no 5xx at all
// (vendors/linkmobility.md §3a), so NotProcessed is empty: every 5xx after the request was
// written is OutcomeUnknown. It documents no request-id header either.
var vendor = httpx.Vendor{Name: Name, NotProcessed: nil}

// newError is the one constructor of this package's errors, and the one place that names the
// provider in them (those made by httpx get it from vendor).
func newError(code sms.Code, msg string) *sms.Error {
	return &sms.Error{Code: code, Provider: Name, Message: msg}
}

// refused is an InvalidArgument found before any request: nothing was sent (NotAccepted).
func refused(msg string) *sms.Error {
	e := newError(sms.CodeInvalidArgument, msg)
	e.NotAccepted = true
	return e
}

// Send error codes of LINK's ErrorResponse.status (vendors/linkmobility.md §3b).
const (
	ErrUnknown           = 106000 // Unknown error — contact Support
	ErrAuthentication    = 106100 // Invalid authentication (username/password)
	ErrAccessDenied      = 106101 // Access denied
	ErrPlatformID        = 106200 // Invalid or missing platformId
	ErrPlatformPartnerID = 106201 // Invalid or missing platformPartnerId
	ErrCurrency          = 106202 // Invalid or missing currency for premium message
	ErrNoGates           = 106300 // No gates available — contact Support
	ErrGateUnavailable   = 106301 // Specified gate unavailable — check gateId
)

// errorClasses maps the documented send error codes to portable codes. None is retryable: they
// are configuration or credential problems (§3b), and LINK answered them, so nothing was sent.
// ErrUnknown (106000) has no class of its own: the HTTP status's code stands (a 400 with it is
// InvalidArgument).
var errorClasses = map[int]sms.Code{
	ErrAuthentication:    sms.CodeUnauthenticated,
	ErrAccessDenied:      sms.CodePermissionDenied,
	ErrPlatformID:        sms.CodeInvalidArgument,
	ErrPlatformPartnerID: sms.CodeInvalidArgument,
	ErrCurrency:          sms.CodeInvalidArgument,
	ErrNoGates:           sms.CodePermissionDenied,
	ErrGateUnavailable:   sms.CodeInvalidArgument,
}

// ErrorClass returns the portable code of a send error code, CodeUnknown for one not
// documented.
func ErrorClass(status int) sms.Code { return errorClasses[status] }

// errorBody is LINK's ErrorResponse (vendors/linkmobility.md §3b): status, description and
// translatedDescription (also spelt transaltedDescription in one derived spec).
type errorBody struct {
	Status                int    `json:"status"`
	Description           string `json:"description"`
	TranslatedDescription string `json:"translatedDescription"`
	TransaltedDescription string `json:"transaltedDescription"`
}

// mapError maps a non-2xx answer to the whole request: the code and NotAccepted from the
// shared status→code function (vendor.StatusError), refined by a documented ErrorResponse
// status code on the statuses LINK documents it for (400, 401, 403; a 429 or 5xx keeps the
// status's code, so a throttled send is still retried); VendorCode and
// Message from the documented fields only. An unparsed body never reaches an error.
func mapError(resp *httpx.Response) *sms.Error {
	e := vendor.StatusError(resp)
	var b errorBody
	if json.Unmarshal(resp.Body, &b) != nil {
		return e
	}
	if b.Status != 0 {
		e.VendorCode = strconv.Itoa(b.Status)
		if c, ok := errorClasses[b.Status]; ok && documentedStatus(resp.StatusCode) {
			e.Code = c
		}
	}
	msg := b.Description
	if msg == "" {
		msg = b.TranslatedDescription
	}
	if msg == "" {
		msg = b.TransaltedDescription
	}
	if msg != "" {
		e.Message = msg
	}
	return e
}

// documentedStatus reports whether LINK documents an ErrorResponse for the HTTP status
// (vendors/linkmobility.md §3a).
func documentedStatus(status int) bool {
	return status == 400 || status == 401 || status == 403
}
