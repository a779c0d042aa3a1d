package infobip

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// vendor is what the shared HTTP plumbing knows of Infobip. Infobip documents no 5xx as "not
// processed" (vendors/infobip.md §3c: a 5xx or timeout on a send is not safe to retry
// automatically) and no request-id header, so NotProcessed is empty and every 5xx after the
// request was written is OutcomeUnknown.
var vendor = httpx.Vendor{Name: Name, NotProcessed: nil}

// newError is the one constructor of this package's errors, and the one place that names
// the provider in them (those made by httpx get it from vendor).
func newError(code sms.Code, msg string) *sms.Error {
	return &sms.Error{Code: code, Provider: Name, Message: msg}
}

// refused is an InvalidArgument found before any request: nothing was sent, so nothing can
// have been accepted (NotAccepted).
func refused(msg string) *sms.Error {
	e := newError(sms.CodeInvalidArgument, msg)
	e.NotAccepted = true
	return e
}

// errorBody covers both error shapes Infobip answers with (vendors/infobip.md §3a): the v3
// ApiError {errorCode, description, action, violations[]} and the v1/v2 ApiException
// {requestError: {serviceException: {messageId, text, validationErrors}}}. Which one comes
// back depends on the endpoint, so both are tried on every answer.
type errorBody struct {
	ErrorCode   string `json:"errorCode"`
	Description string `json:"description"`
	Violations  []struct {
		Property  string `json:"property"`
		Violation string `json:"violation"`
	} `json:"violations"`
	RequestError *struct {
		ServiceException *struct {
			MessageID        string              `json:"messageId"`
			Text             string              `json:"text"`
			ValidationErrors map[string][]string `json:"validationErrors"`
		} `json:"serviceException"`
	} `json:"requestError"`
}

// mapError maps a non-2xx answer to the whole request: the code and NotAccepted from the
// shared status→code function (vendor.StatusError: 429 RateLimited and retried by sms.Client,
// 5xx OutcomeUnknown), VendorCode and Message from the fields of the documented error shapes
// only. An unparsed body never reaches an error: a proxy may echo the Authorization header.
// Infobip's text for a status varies between sources, so the code never depends on it.
func mapError(resp *httpx.Response) *sms.Error {
	e := vendor.StatusError(resp)
	var b errorBody
	if json.Unmarshal(resp.Body, &b) != nil {
		return e
	}
	switch {
	case b.RequestError != nil && b.RequestError.ServiceException != nil:
		se := b.RequestError.ServiceException
		e.VendorCode = se.MessageID
		if se.Text != "" {
			e.Message = se.Text + validationText(se.ValidationErrors)
		}
	case b.ErrorCode != "" || b.Description != "":
		e.VendorCode = b.ErrorCode
		if b.Description != "" {
			var sb strings.Builder
			sb.WriteString(b.Description)
			for i, v := range b.Violations {
				if i == 0 {
					sb.WriteString(" (")
				} else {
					sb.WriteString("; ")
				}
				sb.WriteString(v.Property + ": " + v.Violation)
				if i == len(b.Violations)-1 {
					sb.WriteString(")")
				}
			}
			e.Message = sb.String()
		}
	}
	return e
}

// validationText formats ApiException validationErrors ({"field": ["message", …]}) as
// " (field: message; …)", fields sorted; "" when there are none.
func validationText(m map[string][]string) string {
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
