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

func ExampleStatusError() {
	resp := &httpx.Response{StatusCode: http.StatusTooManyRequests, RetryAfter: 7 * time.Second, RequestID: "RQ1", Header: http.Header{}}
	e := httpx.StatusError("example", resp)
	fmt.Println(e.Code, e.NotAccepted, e.RetryAfter, e.Code == sms.CodeRateLimited)
	// Output: RateLimited true 7s true
}
