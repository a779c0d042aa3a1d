package acs

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// vendor is what the shared HTTP plumbing knows of ACS. ACS documents no 5xx as "not
// processed" (vendors/acs.md §2.4–2.5: a 5xx is transient and may be retried only with the
// same repeatability ids), so NotProcessed is empty and every 5xx after the request was
// written, whole-request or per recipient, is OutcomeUnknown.
var vendor = httpx.Vendor{
	Name:            Name,
	RequestIDHeader: "X-Ms-Request-Id",
	NotProcessed:    nil,
}

// newError is the one constructor of this package's errors, and the one place that names
// the provider in them.
func newError(code sms.Code, msg string) *sms.Error {
	return &sms.Error{Code: code, Provider: Name, Message: msg}
}

// invalid is an InvalidArgument found before any request: nothing was sent.
func invalid(msg string) *sms.Error {
	e := newError(sms.CodeInvalidArgument, msg)
	e.NotAccepted = true
	return e
}

// requestID returns the vendor's request id: x-ms-request-id, else MS-CV.
func requestID(h http.Header) string {
	if v := h.Get("X-Ms-Request-Id"); v != "" {
		return v
	}
	return h.Get("Ms-Cv")
}

// errorBody covers both error shapes ACS answers with: the Azure one
// {"error":{"code","message"}} and RFC 7807 problem details {type,title,status,errors,traceId}.
type errorBody struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Title   string          `json:"title"`
	Errors  json.RawMessage `json:"errors"`
	TraceID string          `json:"traceId"`
}

// mapError maps a non-2xx answer to the whole request: the code from the shared
// status→code function (vendor.StatusError), VendorCode and Message from the fields of the
// documented error shapes only — an unparsed body never reaches an error, since a proxy may
// echo the request's Authorization header into it.
func mapError(resp *httpx.Response) *sms.Error {
	e := vendor.StatusError(resp)
	e.RequestID = requestID(resp.Header)
	var b errorBody
	if json.Unmarshal(resp.Body, &b) == nil {
		switch {
		case b.Error != nil && (b.Error.Code != "" || b.Error.Message != ""):
			e.VendorCode = b.Error.Code
			if b.Error.Message != "" {
				e.Message = b.Error.Message
			}
		case b.Title != "":
			e.Message = b.Title + problemErrors(b.Errors)
			if e.RequestID == "" {
				e.RequestID = b.TraceID
			}
		}
	}
	return e
}

// problemErrors formats RFC 7807 "errors" ({"field": ["message", …]}) as " (field: message;
// …)", fields sorted; "" when absent or of another shape.
func problemErrors(raw json.RawMessage) string {
	var m map[string][]string
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return ""
	}
	fields := make([]string, 0, len(m))
	for f := range m {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var sb strings.Builder
	sb.WriteString(" (")
	for i, f := range fields {
		if i > 0 {
			sb.WriteString("; ")
		}
		sb.WriteString(f + ": " + strings.Join(m[f], " "))
	}
	sb.WriteString(")")
	return sb.String()
}

// itemError maps a failed item of a 202 (SmsSendResponseItem, successful false) through the
// same status→code function as a whole response, then refines it:
//
//	httpStatusCode 400, errorMessage naming the "To phone number" or the recipient → InvalidRecipient
//	httpStatusCode 429 → RateLimited with the response's Retry-After
//
// Message is the item's errorMessage (a documented field), else the status text.
func itemError(it *sendItem, resp *httpx.Response) *sms.Error {
	s := it.HTTPStatusCode
	e := newError(sms.CodeUnknown, it.ErrorMessage)
	e.HTTPStatus, e.RequestID = s, requestID(resp.Header)
	e.Code, e.NotAccepted = vendor.Code(s)
	if e.Message == "" {
		e.Message = http.StatusText(s)
	}
	switch {
	case s == http.StatusTooManyRequests:
		e.RetryAfter = resp.RetryAfter
	case s == http.StatusBadRequest && !strings.EqualFold(it.RepeatabilityResult, "rejected") && recipientProblem(it.ErrorMessage):
		e.Code = sms.CodeInvalidRecipient
	}
	return e
}

// recipientProblem reports whether a per-recipient 400 blames the number ("Invalid To phone
// number format.").
func recipientProblem(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "to phone number") || strings.Contains(m, "recipient")
}
