package telesigntest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/smsbridge/sms/telesign/telesigntest"
)

// Send a TSA-signed message and receive its signed delivery reports at the application.
func Example() {
	srv := telesigntest.NewServer(nil)
	defer srv.Close()

	reports := make(chan string, 2)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var rep telesigntest.Report
		_ = json.Unmarshal(body, &rep)
		signed := r.Header.Get("Authorization") == srv.CallbackAuthorization(body)
		reports <- fmt.Sprint(rep.Status.Code, " ", rep.Status.Description, " ", *rep.ExternalID, " signed=", signed)
	}))
	defer app.Close()

	form := url.Values{"phone_number": {"14155550100"}, "message": {"Your code is 12345"},
		"message_type": {"OTP"}, "callback_url": {app.URL + "/telesign"}, "external_id": {"order-42"}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messaging", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := telesigntest.SignRequest(req, srv.CustomerID(), srv.APIKey(), "nonce-1", time.Now()); err != nil {
		log.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		Status telesigntest.Status `json:"status"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, out.Status.Code, out.Status.Description)

	if err := srv.WaitCallbacks(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-reports)
	fmt.Println(<-reports)
	// Output:
	// 200 290 Message in progress
	// 203 Delivered to gateway order-42 signed=true
	// 200 Delivered to handset order-42 signed=true
}
