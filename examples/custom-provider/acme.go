package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smshttp"
)

// acme is a custom channel: a seventh vendor written outside the library. It implements
// sms.Provider and nothing else; sms.NewClient adds validation, limits and retries, and
// webhook.Handler serves its callbacks.
type acme struct {
	baseURL string
	apiKey  sms.Secret // never printed
	hookKey sms.Secret // the secret Acme puts in X-Acme-Key on callbacks
	hc      *http.Client
}

func (a *acme) Name() string { return "acme" }

func (a *acme) Capabilities() sms.Capabilities {
	return sms.Capabilities{
		SenderTypes:     []sms.SenderType{sms.SenderLongCode, sms.SenderAlphanumeric},
		MaxRecipients:   1,
		MaxBody:         918,
		BodyUnit:        sms.UnitCharacters,
		DeliveryReports: true,
		Inbound:         true,
	}
}

// acmeAPI is what Acme documents about its HTTP API: the request id header, and no status
// documented as "not processed" (so a 5xx is OutcomeUnknown).
var acmeAPI = smshttp.Vendor{Name: "acme", RequestIDHeader: "X-Request-Id"}

// Send makes one attempt through smshttp, which classifies a failure as the sms.Provider
// contract requires: a refused connection is NotAccepted (the client may retry), a context
// that ended before the request was written is the context error itself, anything after the
// request may have been written is OutcomeUnknown (unwrapping to the context error when the
// context ended). A non-2xx answer maps through smshttp's status table (401, 429: NotAccepted).
func (a *acme) Send(ctx context.Context, msg *sms.Message) ([]sms.SendResult, error) {
	body, _ := json.Marshal(map[string]string{"to": msg.To[0], "from": msg.From.Value, "text": msg.Body, "ref": msg.Reference})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.baseURL+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: "acme", NotAccepted: true, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+a.apiKey.Reveal())
	resp, err := acmeAPI.Do(a.hc, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, acmeAPI.StatusError(resp)
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.ID == "" {
		// Acme answered 201: the message exists, but its id was lost.
		return nil, &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: "acme", HTTPStatus: resp.StatusCode, RequestID: resp.RequestID, Message: "unreadable answer"}
	}
	return []sms.SendResult{{To: msg.To[0], MessageID: out.ID, Status: sms.StatusAccepted}}, nil
}

// ParseCallback checks Acme's shared key before decoding, then maps each item.
func (a *acme) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Acme-Key")), []byte(a.hookKey.Reveal())) != 1 {
		return nil, &sms.Error{Code: sms.CodeUnauthenticated, Provider: "acme", Message: "bad callback key"}
	}
	var items []struct {
		ID, Kind, MessageID, From, To, Status, Text, Ref string
	}
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: "acme", Err: err}
	}
	cb := &sms.Callback{}
	for _, it := range items {
		ev := sms.Event{ID: it.ID, Provider: "acme", MessageID: it.MessageID, From: it.From, To: it.To, Reference: it.Ref, RawStatus: it.Status}
		switch it.Kind {
		case "dlr":
			ev.Type = sms.EventDeliveryReport
			ev.Status = map[string]sms.Status{"DELIVERED": sms.StatusDelivered, "SENT": sms.StatusSent, "QUEUED": sms.StatusQueued, "FAILED": sms.StatusFailed}[it.Status]
		case "mo":
			ev.Type, ev.Body = sms.EventInbound, it.Text
		}
		if ev.ID == "" {
			ev.ID = sms.EventID("acme", it.MessageID, it.Status, "")
		}
		cb.Events = append(cb.Events, ev)
	}
	return cb, nil
}

// fakeAcme is Acme's API for this example and its conformance test.
type fakeAcme struct {
	apiKey string
	mu     sync.Mutex
	n      int
	fail   []fault // answers for the next requests
}

func (f *fakeAcme) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if r.Header.Get("Authorization") != "Bearer "+f.apiKey {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if len(f.fail) > 0 {
		ft := f.fail[0]
		f.fail = f.fail[1:]
		if ft.status == 0 { // accepted, but the answer is lost
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
			return
		}
		if ft.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(ft.retryAfter/time.Second)))
		}
		w.WriteHeader(ft.status)
		return
	}
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":"acme-%d"}`, f.n)
}

type fault struct {
	status     int // 0 = reset the connection after accepting
	retryAfter time.Duration
}
