package httpx

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/smsbridge/sms"
)

// MaxMessage is the longest Message, in bytes, that StatusError takes from a response body.
const MaxMessage = 200

// StatusError maps a non-2xx response to a *sms.Error with the default portable code for
// its HTTP status. Vendors then refine Code, VendorCode, Message and NotAccepted from their
// error body.
//
//	400, 422            InvalidArgument   NotAccepted
//	401                 Unauthenticated   NotAccepted
//	403                 PermissionDenied  NotAccepted
//	404                 NotFound          NotAccepted
//	408                 OutcomeUnknown    (gateways use it for upstream timeouts)
//	409                 OutcomeUnknown    (the usual answer to a reused idempotency key)
//	429                 RateLimited       NotAccepted, RetryAfter
//	other 4xx, 413      InvalidArgument   NotAccepted (the vendor refused the request)
//	503                 Unavailable       (a vendor documenting 503 as "not processed" sets NotAccepted)
//	500, 502, 504, 5xx  OutcomeUnknown
//	anything else       OutcomeUnknown    (an unexpected 1xx, 2xx or 3xx)
//
// HTTPStatus, RequestID and RetryAfter are always copied. Message is a one-line excerpt of
// the body (at most MaxMessage bytes of valid UTF-8), or the status text when the body is
// empty; headers are never included. A nil r gives OutcomeUnknown.
func StatusError(provider string, r *Response) *sms.Error {
	if r == nil {
		return &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: provider, Message: "no response"}
	}
	e := &sms.Error{
		Provider:   provider,
		HTTPStatus: r.StatusCode,
		RequestID:  r.RequestID,
		RetryAfter: r.RetryAfter,
		Message:    Excerpt(r.Body, MaxMessage),
	}
	if e.Message == "" {
		e.Message = http.StatusText(r.StatusCode)
		if e.Message == "" {
			e.Message = "HTTP " + strconv.Itoa(r.StatusCode)
		}
	}
	switch s := r.StatusCode; {
	case s == http.StatusBadRequest, s == http.StatusUnprocessableEntity:
		e.Code, e.NotAccepted = sms.CodeInvalidArgument, true
	case s == http.StatusUnauthorized:
		e.Code, e.NotAccepted = sms.CodeUnauthenticated, true
	case s == http.StatusForbidden:
		e.Code, e.NotAccepted = sms.CodePermissionDenied, true
	case s == http.StatusNotFound:
		e.Code, e.NotAccepted = sms.CodeNotFound, true
	case s == http.StatusRequestTimeout, s == http.StatusConflict:
		e.Code = sms.CodeOutcomeUnknown
	case s == http.StatusTooManyRequests:
		e.Code, e.NotAccepted = sms.CodeRateLimited, true
	case s >= 400 && s <= 499:
		e.Code, e.NotAccepted = sms.CodeInvalidArgument, true
	case s == http.StatusServiceUnavailable:
		e.Code = sms.CodeUnavailable
	default: // 5xx, and statuses that are not errors at all
		e.Code = sms.CodeOutcomeUnknown
	}
	return e
}

// Excerpt returns the start of body as one line of valid UTF-8 of at most max bytes:
// surrounding space trimmed, runs of white space and control characters folded to one
// space, invalid bytes replaced by U+FFFD, and "…" appended when something was cut.
func Excerpt(body []byte, max int) string {
	const ellipsis = "…"
	body = bytes.TrimSpace(body)
	if len(body) == 0 || max <= 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(min(len(body), max) + utf8.UTFMax)
	space, cut := false, false
	for i := 0; i < len(body); {
		if b.Len() > max {
			cut = true
			break
		}
		r, n := utf8.DecodeRune(body[i:])
		i += n
		if (unicode.IsSpace(r) || unicode.IsControl(r)) && n > 0 && r != utf8.RuneError {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r) // an invalid byte decodes to, and is written as, U+FFFD
	}
	s := b.String()
	if !cut && len(s) <= max {
		return s
	}
	if max < len(ellipsis) {
		return ""
	}
	n := max - len(ellipsis)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimRight(s[:n], " ") + ellipsis
}
