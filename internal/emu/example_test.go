package emu_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu"
)

// toy emulates a made-up vendor: POST /v1/messages with a bearer token and a JSON body
// {"to", "text", "callback"} answers 201 {"id", "status"}; the vendor then posts
// {"id", "status", "error"} to the callback URL for "sent" and for the final status.
type toy struct {
	*emu.Server
	ids emu.IDGen
	srv *httptest.Server
}

func newToy() *toy {
	t := &toy{
		Server: emu.NewServer(&emu.Options{
			Clock: emu.FixedClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
			Delivery: &emu.DelivererOptions{
				Sequential: true, // one message's reports arrive in order
				MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond,
				Policy: emu.RetryTransient,
			},
		}),
		ids: emu.IDGen{Prefix: "TY", Digits: 8, Counter: true},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", t.send)
	t.Control.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {
		emu.WriteJSON(w, http.StatusOK, map[string]string{"vendor": "toy"})
	})
	t.srv = httptest.NewServer(t.Handler(mux))
	return t
}

func (t *toy) URL() string { return t.srv.URL }

func (t *toy) Close() {
	t.srv.Close()
	t.Server.Close()
}

// send is the vendor's API: auth, validation, acceptance, then the callbacks.
func (t *toy) send(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer secret" {
		emu.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "bad token"})
		return
	}
	var in struct{ To, Text, Callback string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.To == "" {
		emu.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	id := t.ids.Next()
	o := t.Outcome(in.To)
	t.report(id, in.Callback, "sent", "", 0)
	t.report(id, in.Callback, o.Status.String(), o.ErrorCode, o.Delay)
	emu.WriteJSON(w, http.StatusCreated, map[string]string{"id": id, "status": "queued"})
}

type report struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (t *toy) report(id, url, status, code string, delay time.Duration) {
	body, _ := json.Marshal(report{ID: id, Status: status, Error: code})
	t.Deliverer.Send(emu.Callback{
		URL: url, Key: id, Delay: delay, Body: body,
		Header: http.Header{"Content-Type": {"application/json"}},
	})
}

func Example() {
	vendor := newToy()
	defer vendor.Close()

	// The application's webhook.
	var mu sync.Mutex
	var reports []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reports = append(reports, string(b))
		mu.Unlock()
	}))
	defer app.Close()

	vendor.SetOutcome("+14155550100", emu.Outcome{Status: sms.StatusUndelivered, ErrorCode: "E30"})
	vendor.Arm(emu.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})

	send := func(to string) {
		body := fmt.Sprintf(`{"to":%q,"text":"hi","callback":%q}`, to, app.URL+"/dlr")
		req, _ := http.NewRequest("POST", vendor.URL()+"/v1/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Printf("%d retry-after=%q body=%s\n", resp.StatusCode, resp.Header.Get("Retry-After"), strings.Join(strings.Fields(string(b)), " "))
	}
	send("+14155550100") // the armed 429: not processed
	send("+14155550100")
	send("+14155550199")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := vendor.Deliverer.Wait(ctx); err != nil {
		fmt.Println(err)
	}
	// Reports of one message are in order; messages may interleave.
	id := func(b string) string {
		var r report
		json.Unmarshal([]byte(b), &r)
		return r.ID
	}
	sort.SliceStable(reports, func(i, j int) bool { return id(reports[i]) < id(reports[j]) })
	for _, r := range reports {
		fmt.Println(r)
	}
	for _, r := range vendor.Requests() {
		fmt.Printf("%s %s %s fault=%q\n", r.Method, r.Path, r.Time.Format(time.RFC3339), r.Fault)
	}
	// Output:
	// 429 retry-after="1" body=
	// 201 retry-after="" body={ "id": "TY00000001", "status": "queued" }
	// 201 retry-after="" body={ "id": "TY00000002", "status": "queued" }
	// {"id":"TY00000001","status":"sent"}
	// {"id":"TY00000001","status":"undelivered","error":"E30"}
	// {"id":"TY00000002","status":"sent"}
	// {"id":"TY00000002","status":"delivered"}
	// POST /v1/messages 2026-03-01T12:00:00Z fault="status 429"
	// POST /v1/messages 2026-03-01T12:00:00Z fault=""
	// POST /v1/messages 2026-03-01T12:00:00Z fault=""
}
