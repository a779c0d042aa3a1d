package httpx_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

func ExampleParseRetryAfter() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	fmt.Println(httpx.ParseRetryAfter("7", now))
	fmt.Println(httpx.ParseRetryAfter("Mon, 23 Nov 2026 12:00:30 GMT", now))
	fmt.Println(httpx.ParseRetryAfter("soon", now))
	// Output:
	// 7s
	// 30s
	// 0s
}

func ExampleVendor_StatusError() {
	// A vendor package declares its conventions once…
	vendor := httpx.Vendor{Name: "example", RequestIDHeader: "X-Request-Id", NotProcessed: []int{http.StatusServiceUnavailable}}

	// …and maps every non-2xx answer with them.
	for _, r := range []*httpx.Response{
		{StatusCode: http.StatusTooManyRequests, RetryAfter: 7 * time.Second, RequestID: "RQ1"},
		{StatusCode: http.StatusServiceUnavailable},
		{StatusCode: http.StatusBadGateway, Body: []byte("Authorization: Basic QUM6c2VjcmV0")},
	} {
		e := vendor.StatusError(r)
		fmt.Println(e.Code, e.NotAccepted, e.RetryAfter, e.Message)
	}
	// Output:
	// RateLimited true 7s Too Many Requests
	// Unavailable true 0s Service Unavailable
	// OutcomeUnknown false 0s Bad Gateway
}

func ExampleStatusCode() {
	// A per-item status of a batch answer, for a vendor without exceptions.
	code, notAccepted := httpx.StatusCode(http.StatusServiceUnavailable, nil)
	fmt.Println(code, notAccepted, code == sms.CodeOutcomeUnknown)
	// Output: OutcomeUnknown false true
}

func ExampleVendor_NewTransport() {
	vendor := httpx.Vendor{Name: "example"}
	user := &http.Client{} // the caller's client: copied, never modified
	tr, err := vendor.NewTransport(httpx.TransportOptions{
		BaseURL:        "http://127.0.0.1:8080/", // an emulator, say
		DefaultBaseURL: "https://api.example.com",
		HTTPClient:     user,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tr.BaseURL, tr.Client.Timeout, user.Timeout)
	_, err = vendor.NewTransport(httpx.TransportOptions{BaseURL: "api.example.com"})
	fmt.Println(err)
	// Output:
	// http://127.0.0.1:8080 30s 0s
	// sms/example: InvalidArgument: BaseURL must be an absolute http(s) URL
}
