package telesign

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// vendor is what the shared HTTP plumbing knows of Telesign. Telesign documents no 5xx as
// "not processed": its 500/503 code 10000 says "try again", but whether a message can still
// leave is not published (vendors/telesign.md §3), so NotProcessed is empty and every 5xx after
// the request was written is OutcomeUnknown. Telesign sends no request-id header.
var vendor = httpx.Vendor{Name: Name, NotProcessed: nil}

// newError is the one constructor of this package's errors, and the one place that names
// the provider in them (those made by httpx get it from vendor).
func newError(code sms.Code, msg string) *sms.Error {
	return &sms.Error{Code: code, Provider: Name, Message: msg}
}

// refused is an InvalidArgument found before any request: nothing was sent (NotAccepted).
func refused(msg string) *sms.Error {
	e := newError(sms.CodeInvalidArgument, msg)
	e.NotAccepted = true
	return e
}

// flexInt is a number Telesign writes as a JSON number or as a string ("290", "2").
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	v, err := strconv.Atoi(string(b))
	if err != nil {
		return nil // not a number: left 0, the rest of the object still decodes
	}
	*n = flexInt(v)
	return nil
}

// statusObj is the status object of every Telesign answer and callback.
type statusObj struct {
	Code        flexInt `json:"code"`
	Description string  `json:"description"`
	UpdatedOn   string  `json:"updated_on"`
}

// errorItem is one entry of the errors array some Telesign answers carry.
type errorItem struct {
	Code        flexInt `json:"code"`
	Description string  `json:"description"`
}

// envelope is the one body shape of send answers, status answers and error answers
// (vendors/telesign.md §2.2, §3): reference_id, status, external_id, additional_info and,
// from other Telesign APIs, errors[]. signature_string (401) is never read: it would only
// help debugging and holds request content.
type envelope struct {
	ReferenceID    string          `json:"reference_id"`
	Status         *statusObj      `json:"status"`
	ExternalID     *string         `json:"external_id"`
	Errors         json.RawMessage `json:"errors"` // an array, or {} in inbound callbacks
	AdditionalInfo *additionalInfo `json:"additional_info"`
	SubResource    string          `json:"sub_resource"`
	SubmitTime     string          `json:"submit_timestamp"`
	UserResponse   *userResponse   `json:"user_response"`
}

type additionalInfo struct {
	MessagePartsCount flexInt `json:"message_parts_count"`
	SenderID          string  `json:"sender_id"`
	CleansedPhone     string  `json:"cleansed_phone_number"`
}

// firstError returns the first entry of an errors array, if errors is one.
func (b *envelope) firstError() *errorItem {
	if len(b.Errors) == 0 || b.Errors[0] != '[' {
		return nil
	}
	var items []errorItem
	if json.Unmarshal(b.Errors, &items) != nil || len(items) == 0 {
		return nil
	}
	return &items[0]
}

// ErrorClass returns the portable class of a Telesign error code of a whole request (the
// status.code of a non-2xx answer) and whether Telesign refused the request without sending
// anything; ok is false for a code the table does not have, whose class then comes from the
// HTTP status.
//
//	code                                  sms.Code            NotAccepted
//	10019 rate limit exceeded             RateLimited         yes (sms.Client retries)
//	10020 messaging hard cap              PermissionDenied    yes (not retried)
//	10002–10009, 10013, 10015, 10022,     Unauthenticated     yes
//	10028 (nonce, Date, signature, key)
//	10010 suspended, 10011 not enabled,   PermissionDenied    yes
//	10014 source IP, 10033 trial number,
//	10034 blocked in country, 10035 host,
//	10030 insufficient funds
//	10031 blocked at your request         OptedOut            yes
//	10032 blocked by Telesign             PermissionDenied    yes (not a consent signal)
//	11000 phone_number, 11001 country     InvalidRecipient    yes
//	11xxx, 12xxx other parameters         InvalidArgument     yes
//	10017, 10036 reference id not found   NotFound            yes
//	10000 system unavailable              from HTTP (5xx: OutcomeUnknown)
func ErrorClass(code int) (c sms.Code, notAccepted, ok bool) {
	switch {
	case code == 10019:
		return sms.CodeRateLimited, true, true
	case code == 10020, code == 10010, code == 10011, code == 10014, code == 10030,
		code == 10032, code == 10033, code == 10034, code == 10035:
		return sms.CodePermissionDenied, true, true
	case code >= 10002 && code <= 10009, code == 10013, code == 10015, code == 10022, code == 10028:
		return sms.CodeUnauthenticated, true, true
	case code == 10031:
		return sms.CodeOptedOut, true, true
	case code == 11000, code == 11001:
		return sms.CodeInvalidRecipient, true, true
	case code >= 11002 && code < 13000:
		return sms.CodeInvalidArgument, true, true
	case code == 10017, code == 10036:
		return sms.CodeNotFound, true, true
	}
	return sms.CodeUnknown, false, false
}

// mapError maps a non-2xx answer to the whole request: code and NotAccepted from the shared
// status→code function (vendor.StatusError), refined by the status.code table (ErrorClass)
// only for an answer whose HTTP status already proves a refusal (a 4xx other than 408 and
// 409); VendorCode and Message from the fields of the documented error shape only. An
// unparsed body never reaches an error: a proxy may echo the Authorization header. A 3xx
// (no redirect is followed), 408, 409 or 5xx keeps OutcomeUnknown whatever its body says
// (vendors/telesign.md §3).
func mapError(resp *httpx.Response) *sms.Error {
	e := vendor.StatusError(resp)
	var b envelope
	if json.Unmarshal(resp.Body, &b) != nil {
		return e
	}
	code, desc := 0, ""
	if b.Status != nil {
		code, desc = int(b.Status.Code), b.Status.Description
	}
	if code == 0 {
		if it := b.firstError(); it != nil {
			code, desc = int(it.Code), it.Description
		}
	}
	if code == 0 {
		return e
	}
	e.VendorCode = strconv.Itoa(code)
	if desc != "" {
		e.Message = desc
	}
	if e.NotAccepted { // a 4xx refusal; a 3xx, 408, 409 or 5xx stays OutcomeUnknown
		if c, na, ok := ErrorClass(code); ok {
			e.Code, e.NotAccepted = c, na
		}
	}
	return e
}
