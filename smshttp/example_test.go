package smshttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smshttp"
)

// acmeAPI is the vendor's documented conventions, declared once.
var acmeAPI = smshttp.Vendor{Name: "acme", RequestIDHeader: "X-Request-Id"}

// send is the heart of a custom provider's Send: one classified attempt, then the vendor's
// answer mapped to a result or an *sms.Error.
func send(ctx context.Context, client *http.Client, baseURL, to, text string) (string, error) {
	body := `{"to":"` + to + `","text":"` + text + `"}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/messages", strings.NewReader(body))
	if err != nil {
		return "", &sms.Error{Code: sms.CodeInvalidArgument, NotAccepted: true, Err: err}
	}
	req.Header.Set("Authorization", "Bearer example-key")
	resp, err := acmeAPI.Do(client, req)
	if err != nil {
		return "", err // already classified: Unavailable+NotAccepted, ctx.Err(), or OutcomeUnknown
	}
	if !resp.OK() {
		e := acmeAPI.StatusError(resp)
		var vendorErr struct{ Code, Message string } // Acme's documented error shape
		if json.Unmarshal(resp.Body, &vendorErr) == nil && vendorErr.Code != "" {
			e.VendorCode, e.Message = vendorErr.Code, vendorErr.Message
		}
		return "", e
	}
	var out struct{ ID string }
	if json.Unmarshal(resp.Body, &out) != nil || out.ID == "" {
		// A 2xx means the message exists; only its id was lost.
		return "", &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: acmeAPI.Name, Message: "unreadable answer"}
	}
	return out.ID, nil
}

func Example() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Request-Id", "rq-1")
		switch {
		case r.Header.Get("Authorization") != "Bearer example-key":
			w.WriteHeader(http.StatusUnauthorized)
		case strings.HasPrefix(r.URL.Path, "/busy/"):
			w.WriteHeader(http.StatusServiceUnavailable) // Acme does not document it as "not processed"
		default:
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"m-1"}`)
		}
	}))
	defer vendor.Close()

	id, err := send(context.Background(), vendor.Client(), vendor.URL, "+14155550100", "hello")
	fmt.Println(id, err)

	_, err = send(context.Background(), vendor.Client(), vendor.URL+"/busy", "+14155550100", "hello")
	fmt.Println(sms.ErrorCode(err), sms.IsNotAccepted(err))
	// Output:
	// m-1 <nil>
	// OutcomeUnknown false
}

func ExampleVendor_StatusError() {
	vendor := smshttp.Vendor{Name: "acme", NotProcessed: []int{http.StatusServiceUnavailable}}
	for _, status := range []int{400, 429, 500, 503} {
		e := vendor.StatusError(&smshttp.Response{StatusCode: status})
		fmt.Println(status, e.Code, e.NotAccepted, e.Message)
	}
	// Output:
	// 400 InvalidArgument true Bad Request
	// 429 RateLimited true Too Many Requests
	// 500 OutcomeUnknown false Internal Server Error
	// 503 Unavailable true Service Unavailable
}
