package vibestest_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/vibes/vibestest"
)

// Send from the emulator's short code with every receipt asked for, and receive the System,
// Carrier and Handset receipts at the callbackUrl — here a Handset failure.
func Example() {
	var got []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rep vibestest.Report
		_ = xml.NewDecoder(r.Body).Decode(&rep)
		got = append(got, fmt.Sprintf("%s isError=%t %s %s %s", rep.Type, rep.Status.IsError,
			rep.Status.ErrorCode, rep.Status.InternalErrorCode, rep.SubmitterMessageID))
	}))
	defer app.Close()
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	srv.SetOutcome("+18475551212", sms.StatusUndelivered, "107:7")

	body := `<?xml version="1.0" encoding="UTF-8"?>
<mtMessage submitterMessageId="order-42">
  <destination address="+18475551212" type="MDN"/>
  <source address="` + vibestest.DefaultShortCode + `" type="SC"/>
  <text>Your order has shipped</text>
  <receiptOption callbackUrl="` + app.URL + `/vibes/dlr?token=s3cret">ALL</receiptOption>
</mtMessage>`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+vibestest.APIPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml")
	req.SetBasicAuth(srv.Username(), srv.Password())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	var out vibestest.SendResponse
	_ = xml.NewDecoder(resp.Body).Decode(&out)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, out.SubmitterMessageID, out.Carrier, out.MessageID != "")

	if err := srv.WaitCallbacks(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Join(got, "\n"))
	// Output:
	// 200 order-42 105 true
	// System isError=false   order-42
	// Carrier isError=false   order-42
	// Handset isError=true 107 7 order-42
}
