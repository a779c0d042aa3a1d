package httpx

import (
	"net/http"

	"github.com/smsbridge/sms"
)

// Vendor is what a vendor package declares once about the vendor's HTTP API, usually as a
// package-level value:
//
//	var vendor = httpx.Vendor{
//		Name:            Name,
//		RequestIDHeader: "Twilio-Request-Id",
//		NotProcessed:    nil, // Twilio documents no 5xx as "not processed"
//	}
//
// Its methods apply the shared rules with the vendor's exceptions: Do (one classified
// attempt), Code and StatusError (the status→code function), and NewTransport (the transport
// defaults of a constructor). The vendor's package doc lists the same NotProcessed statuses
// with the vendor documentation that supports each.
type Vendor struct {
	// Name is the provider name put in every *sms.Error (sms.Error.Provider).
	Name string
	// RequestIDHeader names the response header carrying the vendor's request id, for example
	// "Twilio-Request-Id"; empty if the vendor sends none.
	RequestIDHeader string
	// NotProcessed lists the HTTP statuses the vendor documents as "the request was not
	// processed", for example a 503 that a vendor promises to answer before doing anything.
	// They become NotAccepted (and Unavailable instead of OutcomeUnknown), so sms.Client may
	// retry them. List only what the vendor documents: an unlisted 5xx is OutcomeUnknown.
	NotProcessed []int
	// MaxBody caps the response body kept in Response.Body; 0 means DefaultMaxBody.
	MaxBody int64
}

// Options returns the Do options for this vendor.
func (v Vendor) Options() Options {
	return Options{RequestIDHeader: v.RequestIDHeader, MaxBody: v.MaxBody, Provider: v.Name}
}

// Do is Do(client, req, v.Options()): one classified attempt whose errors name the vendor.
func (v Vendor) Do(client *http.Client, req *http.Request) (*Response, error) {
	return Do(client, req, v.Options())
}

// Code maps an HTTP status — a whole response's or a per-item status of a batch answer — to
// its portable code and NotAccepted with the vendor's NotProcessed exceptions (see StatusCode).
func (v Vendor) Code(status int) (code sms.Code, notAccepted bool) {
	return StatusCode(status, v.NotProcessed)
}

// StatusError maps a non-2xx response to an *sms.Error: Code and NotAccepted from v.Code,
// HTTPStatus, RequestID and RetryAfter copied, Provider set to v.Name, and Message the
// standard status text ("Service Unavailable", or "HTTP 599" for a status without one).
//
// The response body is never put into the error: an unparsed body may echo the request,
// credentials included (a proxy's debug page, a vendor's "bad request" dump). The vendor's
// mapper parses its documented error shape from r.Body and sets VendorCode and Message from
// those fields only, and may refine Code from its own code table. A nil r gives
// OutcomeUnknown.
func (v Vendor) StatusError(r *Response) *sms.Error {
	if r == nil {
		return &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: v.Name, Message: "no response"}
	}
	e := &sms.Error{
		Provider:   v.Name,
		HTTPStatus: r.StatusCode,
		RequestID:  r.RequestID,
		RetryAfter: r.RetryAfter,
		Message:    statusText(r.StatusCode),
	}
	e.Code, e.NotAccepted = v.Code(r.StatusCode)
	return e
}
