package linkmobility_test

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/webhook"
)

const sendAnswer = `{"messageId":"Dcshuhod0PMAAAFQ+/PbnR3x","resultCode":1005,"description":"Queued","smsCount":1}`

func benchProvider(b *testing.B, base string) *linkmobility.Provider {
	p, err := linkmobility.New(linkmobility.Config{
		Username: "user", Password: sms.NewSecret("password"), PlatformID: "COMMON_API", PlatformPartnerID: "1234",
		GateID: "BVldZyQt", BaseURL: base, CallbackUser: "gate", CallbackPassword: sms.NewSecret("gate-password"),
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkSend compares Provider.Send with a bare net/http request doing the same work — the
// same JSON body encoded, Basic auth, the answer read and decoded — against the same httptest
// server, in one run.
func BenchmarkSend(b *testing.B) {
	answer := []byte(sendAnswer)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	p := benchProvider(b, srv.URL)
	msg := &sms.Message{To: []string{"+4746910822"}, From: sms.Sender{Value: "2333", Type: sms.SenderShortCode},
		Body: "Hello world", Reference: "ref-1"}

	b.Run("Provider.Send", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := p.Send(context.Background(), msg)
			if err != nil || res[0].Err != nil {
				b.Fatal(err, res)
			}
		}
	})

	client := srv.Client()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:password"))
	type req struct {
		Source              string            `json:"source"`
		SourceTON           string            `json:"sourceTON"`
		Destination         string            `json:"destination"`
		UserData            string            `json:"userData"`
		RefID               string            `json:"refId"`
		PlatformID          string            `json:"platformId"`
		PlatformPartnerID   string            `json:"platformPartnerId"`
		UseDeliveryReport   bool              `json:"useDeliveryReport"`
		DeliveryReportGates []string          `json:"deliveryReportGates"`
		CustomParameters    map[string]string `json:"customParameters"`
		IgnoreResponse      bool              `json:"ignoreResponse"`
	}
	b.Run("bare-net/http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body, _ := json.Marshal(&req{Source: "2333", SourceTON: "SHORTNUMBER", Destination: "+4746910822", UserData: msg.Body,
				RefID: "ref-1", PlatformID: "COMMON_API", PlatformPartnerID: "1234", UseDeliveryReport: true,
				DeliveryReportGates: []string{"BVldZyQt"}, CustomParameters: map[string]string{"replySmsCount": "true"}})
			r, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/sms/send", bytes.NewReader(body))
			r.Header.Set("Authorization", auth)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Accept", "application/json")
			resp, err := client.Do(r)
			if err != nil {
				b.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			var v struct {
				MessageID  string `json:"messageId"`
				ResultCode int    `json:"resultCode"`
				SMSCount   int    `json:"smsCount"`
			}
			if json.Unmarshal(out, &v) != nil || v.ResultCode != 1005 {
				b.Fatal("bad answer")
			}
		}
	})
}

// BenchmarkCallback compares a delivery report through webhook.Handler (Basic check, decode,
// de-duplication off) with a bare Basic check and json.Unmarshal of the same payload.
func BenchmarkCallback(b *testing.B) {
	body, err := os.ReadFile("testdata/dlr_delivered.json")
	if err != nil {
		b.Fatal(err)
	}
	p := benchProvider(b, "http://127.0.0.1:1")
	h := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }), &webhook.Options{Dedup: webhook.NoDedup})

	b.Run("webhook.Handler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, "/sms/linkmobility", bytes.NewReader(body))
			r.SetBasicAuth("gate", "gate-password")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	})

	b.Run("bare-auth+unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, "/sms/linkmobility", bytes.NewReader(body))
			r.SetBasicAuth("gate", "gate-password")
			w := httptest.NewRecorder()
			raw, _ := io.ReadAll(r.Body)
			u, pw, ok := r.BasicAuth()
			if !ok || subtle.ConstantTimeCompare([]byte(u), []byte("gate")) != 1 || subtle.ConstantTimeCompare([]byte(pw), []byte("gate-password")) != 1 {
				b.Fatal("auth")
			}
			var v struct {
				RefID            string            `json:"refId"`
				ID               string            `json:"id"`
				Timestamp        string            `json:"timestamp"`
				ResultCode       int               `json:"resultCode"`
				Segments         int               `json:"segments"`
				CustomParameters map[string]string `json:"customParameters"`
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
			_ = strings.LastIndexByte(v.ID, '$')
			w.WriteHeader(http.StatusOK)
		}
	})
}
