package infobiptest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/smsbridge/sms/infobip/infobiptest"
)

// Send with the v3 API and receive the batched delivery report at the application's webhook.
func Example() {
	reports := make(chan string, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Results []struct {
				MessageID    string `json:"messageId"`
				To           string `json:"to"`
				CallbackData string `json:"callbackData"`
				Status       struct{ Name string }
			}
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		for _, res := range body.Results {
			reports <- fmt.Sprint(res.MessageID, " ", res.To, " ", res.Status.Name, " ", res.CallbackData)
		}
	}))
	defer app.Close()

	srv := infobiptest.NewServer(nil)
	defer srv.Close()

	send := `{"messages":[{"sender":"InfoSMS","destinations":[{"to":"41793026727","messageId":"order-42"}],
		"content":{"text":"Your order shipped"},
		"webhooks":{"delivery":{"url":"` + app.URL + `/infobip/dlr"},"callbackData":"ref-42"}}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sms/3/messages", bytes.NewBufferString(send))
	req.Header.Set("Authorization", "App "+srv.APIKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		Messages []struct {
			MessageID   string `json:"messageId"`
			Destination string `json:"destination"`
			Status      struct{ GroupName string }
		}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_ = json.Unmarshal(b, &out)
	fmt.Println(resp.StatusCode, out.Messages[0].MessageID, out.Messages[0].Destination, out.Messages[0].Status.GroupName)

	if err := srv.WaitCallbacks(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-reports)
	// Output:
	// 200 order-42 41793026727 PENDING
	// order-42 41793026727 DELIVERED_TO_HANDSET ref-42
}
