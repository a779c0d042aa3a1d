package acstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/emu/emutest"
)

const (
	sender    = "+14155550199"
	recipient = "+14155550100"
	// otherKey is a well-formed key the emulator does not hold.
	otherKey = "b3RoZXIga2V5IG5vdCBoZWxkIGJ5IHRoZSBlbXVsYXRvcg=="
)

var (
	outgoingID = regexp.MustCompile(`^Outgoing_\d{14}[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	incomingID = regexp.MustCompile(`^Incoming_\d{14}[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	sevenFrac  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)
)

func ctxT(t *testing.T) context.Context { return emutest.Context(t) }

func newServer(t *testing.T, opts *acstest.Options) *acstest.Server {
	t.Helper()
	srv := acstest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

// signed builds a request to the emulator signed with key at date, as the official clients
// sign: the hash of body, x-ms-date, and the HMAC over method, path and query, date, host
// and hash.
func signed(t *testing.T, method, target string, body []byte, key string, date time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	k, err := acssign.DecodeKey(key)
	if err != nil {
		t.Fatal(err)
	}
	d := date.UTC().Format(http.TimeFormat)
	hash := acssign.ContentHash(body)
	req.Header.Set("x-ms-date", d)
	req.Header.Set("x-ms-content-sha256", hash)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", acssign.AuthorizationHeader(acssign.Sign(k, acssign.StringToSign(method, req.URL.RequestURI(), d, req.URL.Host, hash))))
	return req
}

// apiResponse is a decoded answer of the emulator's API.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

func roundTrip(t *testing.T, req *http.Request) apiResponse {
	t.Helper()
	resp, b := emutest.Do(t, req)
	out := apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out.JSON); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", req.Method, req.URL, err, b)
		}
	}
	return out
}

// send posts body to POST /sms with a valid signature.
func send(t *testing.T, srv *acstest.Server, body string) apiResponse {
	t.Helper()
	return roundTrip(t, signed(t, http.MethodPost, srv.URL+"/sms?api-version=2021-03-07", []byte(body), srv.AccessKey(), time.Now()))
}

// item is one recipient's item of a send answer.
type item struct {
	To                  string `json:"to"`
	MessageID           string `json:"messageId"`
	HTTPStatusCode      int    `json:"httpStatusCode"`
	RepeatabilityResult string `json:"repeatabilityResult"`
	ErrorMessage        string `json:"errorMessage"`
	Successful          bool   `json:"successful"`
}

func items(t *testing.T, res apiResponse) []item {
	t.Helper()
	if res.Status != http.StatusAccepted {
		t.Fatalf("HTTP %d %s, want 202", res.Status, res.Body)
	}
	var v struct {
		Value []item `json:"value"`
	}
	if err := json.Unmarshal(res.Body, &v); err != nil {
		t.Fatal(err)
	}
	return v.Value
}

// sendOne sends one message to to (with a repeatability id when repID is not empty) and
// returns its item.
func sendOne(t *testing.T, srv *acstest.Server, to, repID, tag string, report bool) item {
	t.Helper()
	rc := map[string]any{"to": to}
	if repID != "" {
		rc["repeatabilityRequestId"] = repID
		rc["repeatabilityFirstSent"] = "Mon, 23 Nov 2026 19:13:39 GMT"
	}
	body, _ := json.Marshal(map[string]any{
		"from": sender, "smsRecipients": []any{rc}, "message": "Hello from acstest",
		"smsSendOptions": map[string]any{"enableDeliveryReport": report, "tag": tag},
	})
	its := items(t, send(t, srv, string(body)))
	if len(its) != 1 {
		t.Fatalf("%d items", len(its))
	}
	return its[0]
}

// hookReq is a request an app received.
type hookReq struct {
	Method string
	URI    string
	Header http.Header
	Body   []byte
}

// app is a webhook receiver standing in for the application: it answers Event Grid's
// validation (or not, as told) and records every request.
type app struct {
	t   *testing.T
	srv *httptest.Server
	// validation answers the Event Grid schema handshake; nil echoes the code with 200.
	validation func(w http.ResponseWriter, code string)
	// origin answers the CloudEvents handshake's WebHook-Allowed-Origin; "" echoes.
	origin string
	// statuses are the answers to the next notifications; then 200.
	statuses []int

	mu   sync.Mutex
	reqs []hookReq
}

func newApp(t *testing.T) *app {
	a := &app{t: t}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *app) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.reqs = append(a.reqs, hookReq{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: b})
	var status int
	if r.Header.Get("aeg-event-type") == "Notification" && len(a.statuses) > 0 {
		status, a.statuses = a.statuses[0], a.statuses[1:]
	}
	a.mu.Unlock()
	switch {
	case r.Method == http.MethodOptions:
		o := a.origin
		if o == "" {
			o = r.Header.Get("WebHook-Request-Origin")
		}
		w.Header().Set("WebHook-Allowed-Origin", o)
		w.WriteHeader(http.StatusOK)
	case r.Header.Get("aeg-event-type") == "SubscriptionValidation":
		var evs []struct {
			Data struct {
				ValidationCode string `json:"validationCode"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &evs); err != nil || len(evs) != 1 {
			a.t.Errorf("validation event %s: %v", b, err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if a.validation != nil {
			a.validation(w, evs[0].Data.ValidationCode)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"validationResponse": evs[0].Data.ValidationCode})
	case status != 0:
		w.WriteHeader(status)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// url returns the app's event endpoint with a token.
func (a *app) url() string { return a.srv.URL + "/acs/events?token=s3cret" }

func (a *app) requests() []hookReq {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.reqs)
}

// notifications returns the event deliveries received (not handshakes).
func (a *app) notifications() []hookReq {
	var out []hookReq
	for _, r := range a.requests() {
		if r.Method == http.MethodPost && r.Header.Get("aeg-event-type") == "Notification" {
			out = append(out, r)
		}
	}
	return out
}

// egEvents decodes an Event Grid schema body.
func egEvents(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var evs []map[string]any
	if err := json.Unmarshal(body, &evs); err != nil {
		t.Fatalf("Event Grid body is not an array: %v\n%s", err, body)
	}
	return evs
}

// keyPaths returns every key path of a JSON value ("data.deliveryAttempts[].timestamp"), to
// compare key casing and structure with the wire files.
func keyPaths(v any, prefix string, out map[string]bool) map[string]bool {
	if out == nil {
		out = map[string]bool{}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			keyPaths(c, p, out)
		}
	case []any:
		for _, c := range x {
			keyPaths(c, prefix+"[]", out)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// control calls the emulator's control API.
func control(t *testing.T, srv *acstest.Server, method, path, body string) (int, []byte) {
	t.Helper()
	return emutest.Control(t, srv.URL, method, path, body)
}

func query(raw string) url.Values {
	u, _ := url.Parse(raw)
	return u.Query()
}
