package infobip_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/webhook"
)

// BenchmarkSend compares Provider.Send with a bare net/http request doing the same work —
// the same JSON body encoded, the same headers, the answer read and decoded — against the
// same httptest server, in one run.
func BenchmarkSend(b *testing.B) {
	const key, to = "bench-key", "+41793026727"
	id := infobip.MessageID(key, to)
	answer := []byte(`{"bulkId":"b","messages":[{"messageId":"` + id + `","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED","description":"Message sent to next instance"},"destination":"41793026727","details":{"messageCount":1}}]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	p := newProvider(b, srv.URL, nil)
	msg := &sms.Message{To: []string{to}, From: sms.Sender{Value: "InfoSMS"}, Body: "Your code is 123456",
		CallbackURL: "https://hooks.example.com/ib?token=t", Reference: "ref-1", IdempotencyKey: key}

	b.Run("Provider.Send", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := p.Send(context.Background(), msg)
			if err != nil || res[0].Err != nil {
				b.Fatal(err, res)
			}
		}
	})

	type dest struct {
		To        string `json:"to"`
		MessageID string `json:"messageId"`
	}
	type message struct {
		Sender       string `json:"sender"`
		Destinations []dest `json:"destinations"`
		Content      struct {
			Text string `json:"text"`
		} `json:"content"`
		Webhooks struct {
			Delivery struct {
				URL string `json:"url"`
			} `json:"delivery"`
			ContentType  string `json:"contentType"`
			CallbackData string `json:"callbackData"`
		} `json:"webhooks"`
	}
	type response struct {
		BulkID   string `json:"bulkId"`
		Messages []struct {
			MessageID string `json:"messageId"`
			Status    struct {
				GroupID int    `json:"groupId"`
				ID      int    `json:"id"`
				Name    string `json:"name"`
			} `json:"status"`
			Destination string `json:"destination"`
		} `json:"messages"`
	}
	client := srv.Client()
	b.Run("bare-net/http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := message{Sender: "InfoSMS", Destinations: []dest{{To: "41793026727", MessageID: id}}}
			m.Content.Text = msg.Body
			m.Webhooks.Delivery.URL, m.Webhooks.ContentType, m.Webhooks.CallbackData = msg.CallbackURL, "application/json", msg.Reference
			body, err := json.Marshal(map[string]any{"messages": []message{m}})
			if err != nil {
				b.Fatal(err)
			}
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/sms/3/messages", bytes.NewReader(body))
			req.Header.Set("Authorization", "App "+testKey)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			rb, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			var r response
			if err != nil || resp.StatusCode != 200 || json.Unmarshal(rb, &r) != nil || len(r.Messages) != 1 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParseCallback compares a delivery-report batch through webhook.Handler (token
// check, parse, keywords, ids, de-duplication) with a bare handler doing a constant-time
// token check and json.Unmarshal of the same body, in one run.
func BenchmarkParseCallback(b *testing.B) {
	one := bytes.TrimSpace(fixture(b, "dlr-v3.json"))
	item := one[len(`{"results":[`) : len(one)-2]
	const n = 1 << 12
	bodies := make([][]byte, n) // distinct message ids, so de-duplication never short-cuts
	for i := range bodies {
		var buf bytes.Buffer
		buf.WriteString(`{"results":[`)
		for j := range 10 {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.Write(bytes.Replace(item, []byte("MESSAGE-ID-123-xyz"), []byte("MESSAGE-"+itoa(i)+"-"+itoa(j)), 1))
		}
		buf.WriteString(`]}`)
		bodies[i] = buf.Bytes()
	}
	p := newProvider(b, "x.api.infobip.com", nil)
	want := sha256.Sum256([]byte(hookToken))
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.URL.Query().Get("token")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		var v struct {
			Results []map[string]any `json:"results"`
		}
		if json.Unmarshal(body, &v) != nil || len(v.Results) != 10 {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	nop := webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil })
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare-token+json.Unmarshal", bare},
		{"webhook.Handler", webhook.Handler(p, nop, nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodPost, hookPath, nil)
			r.Header.Set("Content-Type", "application/json")
			rd := bytes.NewReader(nil)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				body := bodies[i%n]
				i++
				rd.Reset(body)
				r.Body, r.ContentLength = io.NopCloser(rd), int64(len(body))
				w := httptest.NewRecorder()
				bc.h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	return string(b[n:])
}
