package linkmobilitytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"

	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
)

// Send a three-part message and receive one delivery report per part at the gate.
func Example() {
	var ids []string
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rep linkmobilitytest.Report
		_ = json.NewDecoder(r.Body).Decode(&rep)
		ids = append(ids, fmt.Sprint(rep.ID[strings.IndexByte(rep.ID, '$'):], " ", rep.ResultCode, " of ", rep.Segments, " ", *rep.RefID))
	}))
	defer gate.Close()
	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{
		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: gate.URL}}})
	defer srv.Close()

	body, _ := json.Marshal(map[string]any{
		"platformId": srv.PlatformID(), "platformPartnerId": srv.PlatformPartnerID(),
		"source": "LINK", "destination": "+4799999999", "userData": strings.Repeat("Hello world ", 30),
		"refId": "order-42", "useDeliveryReport": true, "deliveryReportGates": []string{linkmobilitytest.DefaultGateID},
		"ignoreResponse": false,
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sms/send", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(srv.Username(), srv.Password())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	var out linkmobilitytest.SendResponse
	_ = json.NewDecoder(resp.Body).Decode(&out)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, out.ResultCode, out.Description)

	if err := srv.WaitCallbacks(context.Background()); err != nil {
		log.Fatal(err)
	}
	sort.Strings(ids) // the parts arrive in a random order
	fmt.Println(strings.Join(ids, "\n"))
	// Output:
	// 200 1005 Queued
	// $0 1001 of 3 order-42
	// $1 1001 of 3 order-42
	// $2 1001 of 3 order-42
}
