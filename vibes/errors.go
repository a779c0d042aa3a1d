package vibes

import (
	"encoding/xml"
	"slices"
	"strconv"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/codetable"
	"github.com/smsbridge/sms/internal/httpx"
)

// vendor is what the shared HTTP plumbing knows of Vibes. NotProcessed is empty: the facts'
// "any non-200 is a system error, retry" sentence comes from the superseded wiki, and a
// gateway's 5xx can follow acceptance; Vibes does not de-duplicate, so a wrong guess would
// send twice. Every 5xx after the request was written is OutcomeUnknown. No request-id header
// is documented.
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

// InternalMDNBlocked is the Vibes internal error code of a recipient on the block list (9,
// "MDN blocked"): an opt-out (sms.CodeOptedOut).
const InternalMDNBlocked = 9

// ErrorRow is one row of the Vibes internal error-code table (internalErrorCode in receipts
// and, as this package assumes, in a failed send answer): the code, Vibes' meaning and the
// portable class.
type ErrorRow struct {
	Code  int
	Text  string
	Class sms.Code
}

// errorTable is the complete published table of Vibes internal error codes (1–16, facts §3),
// in code order. Only 9 has a portable meaning (OptedOut); the others are CodeUnknown, with
// the number kept in Error.VendorCode or Event.ErrorCode.
var errorTable = []ErrorRow{
	{1, "No route found to carrier from source address", sms.CodeUnknown},
	{2, "Premium product not found for price point and source", sms.CodeUnknown},
	{3, "Obsolete (premium / delivery window)", sms.CodeUnknown},
	{4, "Obsolete (premium / delivery window)", sms.CodeUnknown},
	{5, "Obsolete (premium / delivery window)", sms.CodeUnknown},
	{6, "Obsolete (premium / delivery window)", sms.CodeUnknown},
	{7, "Message stopped (at client's request)", sms.CodeUnknown},
	{8, "No carrier route found for code", sms.CodeUnknown},
	{InternalMDNBlocked, "MDN blocked", sms.CodeOptedOut},
	{10, "Multi-part message incomplete", sms.CodeUnknown},
	{11, "Vibes internal use", sms.CodeUnknown},
	{12, "Message capped (consumer message limit)", sms.CodeUnknown},
	{13, "Multi-part message expired waiting for parts", sms.CodeUnknown},
	{14, "Duplicate multipart segment ignored", sms.CodeUnknown},
	{15, "Subscription not found", sms.CodeUnknown},
	{16, "Code lease not found", sms.CodeUnknown},
}

// ErrorTable returns the internal error-code table ErrorClass applies, in code order. It is
// a copy.
func ErrorTable() []ErrorRow { return slices.Clone(errorTable) }

func lookupError(code int) *ErrorRow {
	return codetable.Find(errorTable, code, func(r ErrorRow) int { return r.Code })
}

// ErrorClass returns the portable code of a Vibes internal error code: CodeOptedOut for 9
// (MDN blocked), CodeUnknown for every other code, published or not.
func ErrorClass(internal int) sms.Code {
	if r := lookupError(internal); r != nil {
		return r.Class
	}
	return sms.CodeUnknown
}

// errorText is Vibes' meaning of an internal error code, or "".
func errorText(internal int) string {
	if r := lookupError(internal); r != nil {
		return r.Text
	}
	return ""
}

// statusElem is the <status> element of a receipt, and — the lead's assumption for the
// unpublished failure answer — of a failed send answer:
//
//	<status isError="true"><description>…</description><errorCode>…</errorCode><internalErrorCode>9</internalErrorCode></status>
type statusElem struct {
	IsError           string `xml:"isError,attr"`
	Description       string `xml:"description"`
	ErrorCode         string `xml:"errorCode"`
	InternalErrorCode string `xml:"internalErrorCode"`
}

// isError reports whether the isError attribute says true.
func (s *statusElem) isError() bool {
	return s != nil && xmlTrue(s.IsError)
}

// xmlTrue reports whether an XML Schema boolean attribute is true: "true" (in any case, as
// before) or "1", its other lexical form.
func xmlTrue(v string) bool {
	v = strings.TrimSpace(v)
	return v == "1" || strings.EqualFold(v, "true")
}

// internal returns the internalErrorCode as a number, and whether there is one.
func (s *statusElem) internal() (int, bool) {
	if s == nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(s.InternalErrorCode))
	return n, err == nil
}

// code is the vendor code of a failure: internalErrorCode when present (Vibes' own table),
// else the carrier-derived errorCode.
func (s *statusElem) code() string {
	if c := strings.TrimSpace(s.InternalErrorCode); c != "" {
		return c
	}
	return strings.TrimSpace(s.ErrorCode)
}

// sendAnswer is the answer to POST /MessageApi/mt/messages: the documented success
// <mtMessageRsp messageId="…" submitterMessageId="…" carrier="…"/> (a messageId element is
// accepted too), or the assumed failure: a <status isError="true"> under the root, whatever
// the root is called.
type sendAnswer struct {
	XMLName            xml.Name
	MessageID          string      `xml:"messageId,attr"`
	MessageIDElem      string      `xml:"messageId"`
	SubmitterMessageID string      `xml:"submitterMessageId,attr"`
	Carrier            string      `xml:"carrier,attr"`
	Status             *statusElem `xml:"status"`
}

// mapError maps a non-2xx answer: the code and NotAccepted from the shared status→code
// function (401 Unauthenticated, 403 PermissionDenied, 429 RateLimited, other 4xx
// InvalidArgument, all NotAccepted; 5xx OutcomeUnknown). When the body has the assumed
// <status> shape its internal code becomes VendorCode and its description Message; the code
// stays the HTTP status's. An unparsed body never reaches an error.
func mapError(resp *httpx.Response) *sms.Error {
	e := vendor.StatusError(resp)
	var a sendAnswer
	if xml.Unmarshal(resp.Body, &a) != nil || a.Status == nil {
		return e
	}
	e.VendorCode = a.Status.code()
	if d := strings.TrimSpace(a.Status.Description); d != "" {
		e.Message = d
	}
	return e
}

// sendFailure is the error of a 2xx answer with no messageId and a <status isError="true">:
// Vibes refused the message (NotAccepted). The class comes from the internal code (9 →
// OptedOut, else Unknown); VendorCode is the internal code (else the errorCode), Message the
// description (else the table's text).
func sendFailure(status int, s *statusElem) *sms.Error {
	class := sms.CodeUnknown
	text := strings.TrimSpace(s.Description)
	if n, ok := s.internal(); ok {
		class = ErrorClass(n)
		if text == "" {
			text = errorText(n)
		}
	}
	if text == "" {
		text = "Vibes refused the message"
	}
	e := newError(class, text)
	e.HTTPStatus, e.VendorCode, e.NotAccepted = status, s.code(), true
	return e
}
