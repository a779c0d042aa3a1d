package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/smsbridge/sms/emulator"
)

// A recorded request keeps its credentials for assertions in Go, and hides them wherever it
// is shown.
func ExampleRequest() {
	r := emulator.Request{
		Method: http.MethodPost, Path: "/2010-04-01/Accounts/AC123/Messages.json",
		Header: http.Header{"Authorization": {"Basic QUMxMjM6c2VjcmV0"}, "Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte("To=%2B14155550100&Body=hi"),
	}
	form, _ := r.Form()
	fmt.Println("to:", form.Get("To"))
	fmt.Println("in Go:", r.Header.Get("Authorization"))
	fmt.Println("shown:", r)
	b, _ := json.Marshal(r)
	var shown struct{ Header http.Header }
	_ = json.Unmarshal(b, &shown)
	fmt.Println("as JSON:", shown.Header.Get("Authorization"))
	// Output:
	// to: +14155550100
	// in Go: Basic QUMxMjM6c2VjcmV0
	// shown: POST /2010-04-01/Accounts/AC123/Messages.json map[Authorization:[Basic [REDACTED]] Content-Type:[application/x-www-form-urlencoded]] (25 bytes)
	// as JSON: Basic [REDACTED]
}

// A ManualClock ends an emulator's waits only when the test moves it.
func ExampleManualClock() {
	clock := emulator.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	done := make(chan error, 1)
	go func() { done <- clock.Sleep(context.Background(), time.Minute) }() // an outcome's delay, say

	_ = clock.WaitSleepers(context.Background(), 1) // the emulator is waiting
	clock.Advance(30 * time.Second)
	fmt.Println("sleepers after 30s:", clock.Sleepers())
	clock.Advance(30 * time.Second)
	fmt.Println("woke:", <-done == nil, "at", clock.Now().Format(time.TimeOnly))
	// Output:
	// sleepers after 30s: 1
	// woke: true at 12:01:00
}

// A delivery the application refused is an error, quoting its answer without the webhook's
// token.
func ExampleDelivery_Failure() {
	d := emulator.Delivery{
		ID: 3, Method: "POST", URL: "https://app.example/twilio/inbound?token=s3cret",
		State: emulator.StateDropped, StatusCode: 401, ResponseBody: []byte("invalid signature\n"),
	}
	fmt.Println(d.Failure())
	// Output: callback 3 POST https://app.example/twilio/inbound?token=[REDACTED] answered 401 Unauthorized: invalid signature (dropped)
}
