package telesign_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/webhook"
)

// BenchmarkSend compares Provider.Send (TSA-signed) with a bare net/http request doing the
// same work — the same form encoded, the same headers, a TSA signature computed, the answer
// read and decoded — against the same httptest server, in one run.
func BenchmarkSend(b *testing.B) {
	answer := []byte(accepted)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	p := newProvider(b, srv.URL, &telesign.Options{Auth: telesign.AuthTSA})
	msg := &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Value: "Acme"}, Body: "Your code is 123456",
		Type: sms.TypeOTP, CallbackURL: "https://hooks.example.com/ts", Reference: "ref-1", IdempotencyKey: "bench-key"}

	b.Run("Provider.Send", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := p.Send(context.Background(), msg)
			if err != nil || res[0].Err != nil {
				b.Fatal(err, res)
			}
		}
	})

	key, _ := base64.StdEncoding.DecodeString(wireKey)
	attempt := telesign.AttemptID("bench-key", "+14155550100")
	client := srv.Client()
	b.Run("bare-net/http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			form := "phone_number=14155550100&message=" + url.QueryEscape(msg.Body) + "&message_type=OTP&sender_id=Acme&callback_url=" +
				url.QueryEscape(msg.CallbackURL+"?smsbridge_attempt="+attempt) + "&external_id=ref-1"
			date := time.Now().UTC().Format(http.TimeFormat)
			var nb [16]byte
			_, _ = rand.Read(nb[:])
			nonce := hex.EncodeToString(nb[:]) // a fresh nonce, as every attempt needs
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte("POST\napplication/x-www-form-urlencoded\n" + date + "\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:" + nonce + "\n" + form + "\n/v1/messaging"))
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/v1/messaging", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Date", date)
			req.Header.Set("x-ts-nonce", nonce)
			req.Header.Set("x-ts-auth-method", "HMAC-SHA256")
			req.Header.Set("Authorization", "TSA "+customerID+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			req.Header.Set("Accept", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			var out struct {
				ReferenceID string `json:"reference_id"`
				Status      struct {
					Code int `json:"code"`
				} `json:"status"`
			}
			if json.Unmarshal(body, &out) != nil || out.Status.Code != 290 {
				b.Fatal("bad answer")
			}
		}
	})
}

// BenchmarkCallback compares a delivery report through webhook.Handler (signature check,
// decode, de-duplication off) with a bare signature check and json.Unmarshal of the same
// payload.
func BenchmarkCallback(b *testing.B) {
	body, err := testdataFS.ReadFile("testdata/dlr-delivered.json")
	if err != nil {
		b.Fatal(err)
	}
	sig, _ := telesign.SignCallback(sms.NewSecret(wireKey), body)
	auth := "TSA " + customerID + ":" + sig
	p := newProvider(b, "http://127.0.0.1:1", nil)
	h := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }), &webhook.Options{Dedup: webhook.NoDedup})

	b.Run("webhook.Handler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, "/hooks/telesign", bytes.NewReader(body))
			r.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	})

	key, _ := base64.StdEncoding.DecodeString(wireKey)
	b.Run("bare-verify+unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, "/hooks/telesign", bytes.NewReader(body))
			r.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			raw, _ := io.ReadAll(r.Body)
			got := r.Header.Get("Authorization")
			i := strings.LastIndexByte(got, ':')
			if !strings.HasPrefix(got, "TSA "+customerID) || i < 0 {
				b.Fatal("header")
			}
			mac := hmac.New(sha256.New, key)
			mac.Write(raw)
			if subtle.ConstantTimeCompare([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(got[i+1:])) != 1 {
				b.Fatal("signature")
			}
			var v struct {
				ReferenceID string `json:"reference_id"`
				Status      struct {
					Code        int    `json:"code"`
					Description string `json:"description"`
					UpdatedOn   string `json:"updated_on"`
				} `json:"status"`
				ExternalID     *string `json:"external_id"`
				AdditionalInfo struct {
					MessagePartsCount int `json:"message_parts_count"`
				} `json:"additional_info"`
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
			w.WriteHeader(http.StatusOK)
		}
	})
}
