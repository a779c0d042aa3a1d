package httpx

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/smsbridge/sms"
)

// StatusCode is the one status→code function of the library: it maps an HTTP status — the
// status of a whole response, or a vendor's per-item status inside a 2xx batch answer — to
// its portable code and to whether the status proves that the vendor did not accept the
// request. Every status it sees arrived after the request was written, so anything that does
// not prove a refusal is OutcomeUnknown:
//
//	400, 422            InvalidArgument   NotAccepted
//	401                 Unauthenticated   NotAccepted
//	403                 PermissionDenied  NotAccepted
//	404                 NotFound          NotAccepted
//	408                 OutcomeUnknown    (gateways use it for upstream timeouts)
//	409                 OutcomeUnknown    (the usual answer to a reused idempotency key)
//	429                 RateLimited       NotAccepted
//	other 4xx, 413      InvalidArgument   NotAccepted (the vendor refused the request)
//	5xx, 503 included   OutcomeUnknown    (the vendor may have processed it)
//	anything else       OutcomeUnknown    (an unexpected 1xx, 2xx, or a 3xx: Do follows no redirect)
//
// notProcessed lists the statuses the vendor documents as "not processed" (Vendor.NotProcessed):
// such a status is NotAccepted, and one that would be OutcomeUnknown becomes Unavailable. A
// status that is not in the list keeps the table's answer: a 503 is Unavailable only for a
// vendor that documents it.
func StatusCode(status int, notProcessed []int) (code sms.Code, notAccepted bool) {
	switch s := status; {
	case s == http.StatusBadRequest, s == http.StatusUnprocessableEntity:
		code, notAccepted = sms.CodeInvalidArgument, true
	case s == http.StatusUnauthorized:
		code, notAccepted = sms.CodeUnauthenticated, true
	case s == http.StatusForbidden:
		code, notAccepted = sms.CodePermissionDenied, true
	case s == http.StatusNotFound:
		code, notAccepted = sms.CodeNotFound, true
	case s == http.StatusRequestTimeout, s == http.StatusConflict:
		code = sms.CodeOutcomeUnknown
	case s == http.StatusTooManyRequests:
		code, notAccepted = sms.CodeRateLimited, true
	case s >= 400 && s <= 499:
		code, notAccepted = sms.CodeInvalidArgument, true
	default: // 5xx, and statuses that are not errors at all
		code = sms.CodeOutcomeUnknown
	}
	if !notAccepted && slices.Contains(notProcessed, status) {
		notAccepted = true
		if code == sms.CodeOutcomeUnknown {
			code = sms.CodeUnavailable
		}
	}
	return code, notAccepted
}

// StatusError maps a non-2xx response with no vendor exceptions: Vendor{Name: provider}.StatusError(r).
// Vendor packages declare their Vendor once and call its method instead.
func StatusError(provider string, r *Response) *sms.Error {
	return Vendor{Name: provider}.StatusError(r)
}

// statusText is the Message of a status error: the standard status text, never the body.
func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "HTTP " + strconv.Itoa(status)
}

// FieldErrors formats a vendor's per-field validation errors ({"field": ["message", …]}, as
// RFC 7807 "errors" and Infobip's validationErrors carry them) as " (field: message; …)",
// fields sorted, for an error's Message; "" when there are none.
func FieldErrors(m map[string][]string) string {
	if len(m) == 0 {
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
