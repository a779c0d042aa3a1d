package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// ---------------------------------------------------------------------------------------------
// A fake provider. Its callbacks are JSON envelopes:
//
//	{"error": "…", "events": [{"id","type","body","keyword"}], "reply": {…}}
//
// "error" makes the decode stage fail with a chosen error; verifyErr makes the verify stage fail
// before anything is decoded. OPTIONS requests are answered with a CloudEvents handshake.

type fakeEvent struct {
	ID        string `json:"id"`
	Type      string `json:"type"` // "dlr", "inbound", "optout"; anything else is unknown
	Body      string `json:"body,omitempty"`
	Keyword   string `json:"keyword,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Status    string `json:"status,omitempty"` // a dlr's status; default "delivered"
	Part      int    `json:"part,omitempty"`
	Parts     int    `json:"parts,omitempty"`
	Anonymous bool   `json:"anonymous,omitempty"` // leave Event.Provider empty
}

type fakeReply struct {
	Status      int               `json:"status,omitempty"`
	ContentType string            `json:"content_type,omitempty"`
	Header      map[string]string `json:"header,omitempty"`
	Body        string            `json:"body,omitempty"`
	Handshake   bool              `json:"handshake,omitempty"`
}

type envelope struct {
	Error  string      `json:"error,omitempty"`
	Events []fakeEvent `json:"events"`
	Reply  *fakeReply  `json:"reply,omitempty"`
}

type fakeProvider struct {
	verifyErr error

	mu    sync.Mutex
	calls []string // "verify", "decode", in order
}

func (p *fakeProvider) Name() string { return "fake" }
func (p *fakeProvider) Capabilities() sms.Capabilities {
	return sms.Capabilities{DeliveryReports: true, Inbound: true}
}
func (p *fakeProvider) Send(context.Context, *sms.Message) ([]sms.SendResult, error) {
	return nil, errors.ErrUnsupported
}

func (p *fakeProvider) record(step string) {
	p.mu.Lock()
	p.calls = append(p.calls, step)
	p.mu.Unlock()
}

func (p *fakeProvider) steps() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.calls...)
}

func (p *fakeProvider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	p.record("verify")
	if p.verifyErr != nil {
		return nil, p.verifyErr
	}
	p.record("decode")
	if r.Method == http.MethodOptions {
		return &sms.Callback{Reply: &sms.Reply{Handshake: true, Header: map[string]string{
			"WebHook-Allowed-Origin": r.Header.Get("WebHook-Request-Origin"),
		}}}, nil
	}
	if r.Method == http.MethodGet {
		return &sms.Callback{}, nil
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: "fake", Message: "internal detail: " + err.Error()}
	}
	switch env.Error {
	case "":
	case "unauthenticated":
		return nil, &sms.Error{Code: sms.CodeUnauthenticated, Provider: "fake", Message: "internal detail: bad signature"}
	case "permission":
		return nil, &sms.Error{Code: sms.CodePermissionDenied, Provider: "fake", Message: "internal detail: wrong account"}
	case "invalid":
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Provider: "fake", Message: "internal detail: bad field"}
	case "unsupported":
		return nil, fmt.Errorf("fake: internal detail: no callbacks: %w", errors.ErrUnsupported)
	case "nil":
		return nil, nil
	default:
		return nil, errors.New("internal detail: " + env.Error)
	}
	cb := &sms.Callback{Events: make([]sms.Event, 0, len(env.Events))}
	for _, fe := range env.Events {
		ev := sms.Event{ID: fe.ID, Provider: "fake", Body: fe.Body, Keyword: fe.Keyword, MessageID: fe.MessageID, Part: fe.Part, Parts: fe.Parts}
		if fe.Anonymous {
			ev.Provider = ""
		}
		switch fe.Type {
		case "dlr":
			ev.Type, ev.Status, ev.RawStatus = sms.EventDeliveryReport, sms.StatusDelivered, "delivered"
			if fe.Status != "" {
				ev.Status, ev.RawStatus = sms.ParseStatus(fe.Status), fe.Status
			}
		case "inbound":
			ev.Type = sms.EventInbound
		case "optout":
			ev.Type = sms.EventOptOut
		}
		cb.Events = append(cb.Events, ev)
	}
	if rep := env.Reply; rep != nil {
		cb.Reply = &sms.Reply{StatusCode: rep.Status, ContentType: rep.ContentType, Header: rep.Header,
			Body: []byte(rep.Body), Handshake: rep.Handshake}
	}
	return cb, nil
}

// methodsProvider also accepts the listed methods besides POST.
type methodsProvider struct {
	*fakeProvider
	methods []string
}

func (p methodsProvider) CallbackMethods() []string { return p.methods }

// wrapper hides its provider's optional methods, as sms.Client does, but unwraps to it.
type wrapper struct{ sms.Provider }

func (w wrapper) Unwrap() sms.Provider { return w.Provider }

// recSink records every call.
type recSink struct {
	mu    sync.Mutex
	calls [][]sms.Event
	err   error
}

func (s *recSink) HandleEvents(_ context.Context, evs []sms.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, evs)
	return s.err
}

func (s *recSink) n() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *recSink) last() []sms.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		return nil
	}
	return s.calls[len(s.calls)-1]
}

func ids(evs []sms.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

func envJSON(t testing.TB, env envelope) string {
	t.Helper()
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func post(body string) *http.Request {
	return httptest.NewRequest(http.MethodPost, "/sms/fake?token=s3cret-token", strings.NewReader(body))
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// errorBody is what every error status must answer: the generic status text, nothing else.
func checkErrorResponse(t *testing.T, w *httptest.ResponseRecorder, code int) {
	t.Helper()
	if w.Code != code {
		t.Fatalf("status: want %d, got %d (body %q)", code, w.Code, w.Body.String())
	}
	if got, want := w.Body.String(), http.StatusText(code)+"\n"; got != want {
		t.Errorf("body: want %q, got %q", want, got)
	}
	if strings.Contains(w.Body.String(), "internal detail") {
		t.Errorf("the response leaks the error text: %q", w.Body.String())
	}
}

// ---------------------------------------------------------------------------------------------
// 1. Method.

func TestMethodNotAllowed(t *testing.T) {
	p := &fakeProvider{}
	sink := &recSink{}
	var gotErr error
	h := webhook.Handler(p, sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
	for _, m := range []string{http.MethodGet, http.MethodOptions, http.MethodPut, http.MethodHead} {
		w := serve(h, httptest.NewRequest(m, "/sms/fake", nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("%s: want 405, got %d", m, w.Code)
		}
		if got := w.Header().Get("Allow"); got != "POST" {
			t.Errorf("%s: Allow = %q, want POST", m, got)
		}
	}
	if !errors.Is(gotErr, webhook.ErrMethodNotAllowed) {
		t.Errorf("OnError got %v, want ErrMethodNotAllowed", gotErr)
	}
	if len(p.steps()) != 0 || sink.n() != 0 {
		t.Fatalf("provider steps %v, sink calls %d: want none", p.steps(), sink.n())
	}
}

func TestOptionsPassedThroughWhenListed(t *testing.T) {
	for name, p := range map[string]sms.Provider{
		"direct":  methodsProvider{&fakeProvider{}, []string{http.MethodOptions}},
		"wrapped": wrapper{methodsProvider{&fakeProvider{}, []string{http.MethodOptions, http.MethodPost}}},
	} {
		t.Run(name, func(t *testing.T) {
			sink := &recSink{}
			h := webhook.Handler(p, sink, nil)

			r := httptest.NewRequest(http.MethodOptions, "/sms/acs", nil)
			r.Header.Set("WebHook-Request-Origin", "eventgrid.azure.net")
			w := serve(h, r)
			if w.Code != http.StatusOK {
				t.Fatalf("OPTIONS: want 200, got %d", w.Code)
			}
			if got := w.Header().Get("WebHook-Allowed-Origin"); got != "eventgrid.azure.net" {
				t.Errorf("WebHook-Allowed-Origin = %q", got)
			}
			if sink.n() != 0 {
				t.Errorf("the sink was called for a handshake")
			}

			w = serve(h, httptest.NewRequest(http.MethodGet, "/sms/acs", nil))
			if w.Code != http.StatusMethodNotAllowed {
				t.Fatalf("GET: want 405, got %d", w.Code)
			}
			if got := w.Header().Get("Allow"); got != "POST, OPTIONS" {
				t.Errorf("Allow = %q, want %q", got, "POST, OPTIONS")
			}
		})
	}
}

func TestGetPassedThroughWhenListed(t *testing.T) {
	p := methodsProvider{&fakeProvider{}, []string{http.MethodGet}}
	sink := &recSink{}
	w := serve(webhook.Handler(p, sink, nil), httptest.NewRequest(http.MethodGet, "/sms/link?status=delivered", nil))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("want 200 and no body, got %d %q", w.Code, w.Body.String())
	}
	if got := p.steps(); !cmp.Equal(got, []string{"verify", "decode"}) {
		t.Errorf("provider steps = %v", got)
	}
}

// ---------------------------------------------------------------------------------------------
// 2. Body limit.

// guardReader yields size bytes of JSON-ish filler and fails the test when more than limit
// bytes are read from it.
type guardReader struct {
	t     *testing.T
	size  int
	limit int
	n     int
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.n >= g.size {
		return 0, io.EOF
	}
	k := min(len(p), g.size-g.n)
	for i := range p[:k] {
		p[i] = ' '
	}
	g.n += k
	if g.n > g.limit {
		g.t.Errorf("read %d bytes, more than the %d allowed", g.n, g.limit)
	}
	return k, nil
}

func TestTooLargeByContentLength(t *testing.T) {
	const limit = 64
	p := &fakeProvider{}
	sink := &recSink{}
	var gotErr error
	h := webhook.Handler(p, sink, &webhook.Options{MaxBodyBytes: limit,
		OnError: func(_ *http.Request, err error) { gotErr = err }})

	g := &guardReader{t: t, size: 1 << 20, limit: 0} // not one byte may be read
	r := httptest.NewRequest(http.MethodPost, "/sms/fake", g)
	r.ContentLength = limit + 1
	w := serve(h, r)
	checkErrorResponse(t, w, http.StatusRequestEntityTooLarge)
	if w.Header().Get("Connection") != "close" {
		t.Errorf("want Connection: close so the unread body is not drained")
	}
	if g.n != 0 {
		t.Errorf("read %d bytes", g.n)
	}
	if !errors.Is(gotErr, webhook.ErrTooLarge) {
		t.Errorf("OnError got %v", gotErr)
	}
	if len(p.steps()) != 0 || sink.n() != 0 {
		t.Fatalf("provider steps %v, sink calls %d: want none", p.steps(), sink.n())
	}
}

func TestTooLargeChunked(t *testing.T) {
	const limit = 64
	p := &fakeProvider{}
	sink := &recSink{}
	h := webhook.Handler(p, sink, &webhook.Options{MaxBodyBytes: limit})

	g := &guardReader{t: t, size: 10 * limit, limit: limit + 1} // MaxBytesReader reads one byte past
	r := httptest.NewRequest(http.MethodPost, "/sms/fake", g)
	r.ContentLength = -1
	r.TransferEncoding = []string{"chunked"}
	w := serve(h, r)
	checkErrorResponse(t, w, http.StatusRequestEntityTooLarge)
	if len(p.steps()) != 0 || sink.n() != 0 {
		t.Fatalf("provider steps %v, sink calls %d: want none", p.steps(), sink.n())
	}
}

func TestBodyAtTheLimit(t *testing.T) {
	body := envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}})
	body += strings.Repeat(" ", 100-len(body))
	for _, chunked := range []bool{false, true} {
		sink := &recSink{}
		h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{MaxBodyBytes: 100})
		r := post(body)
		if chunked {
			r.ContentLength = -1
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader(body)))
		}
		if w := serve(h, r); w.Code != http.StatusOK || sink.n() != 1 {
			t.Fatalf("chunked=%v: a body of exactly the limit: want 200 and the sink called, got %d, %d calls", chunked, w.Code, sink.n())
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestBodyReadError(t *testing.T) {
	p := &fakeProvider{}
	sink := &recSink{}
	r := httptest.NewRequest(http.MethodPost, "/sms/fake", errReader{})
	checkErrorResponse(t, serve(webhook.Handler(p, sink, nil), r), http.StatusBadRequest)
	if len(p.steps()) != 0 || sink.n() != 0 {
		t.Fatalf("provider steps %v, sink calls %d: want none", p.steps(), sink.n())
	}
}

// ---------------------------------------------------------------------------------------------
// 3. Provider errors.

func TestProviderErrors(t *testing.T) {
	for _, tc := range []struct {
		errName string
		want    int
		is      error
	}{
		{"unauthenticated", http.StatusUnauthorized, sms.ErrUnauthenticated},
		{"permission", http.StatusForbidden, sms.ErrPermissionDenied},
		{"invalid", http.StatusBadRequest, sms.ErrInvalidArgument},
		{"unsupported", http.StatusNotFound, errors.ErrUnsupported},
		{"boom", http.StatusInternalServerError, nil},
		{"nil", http.StatusInternalServerError, sms.ErrInternal}, // neither a callback nor an error
	} {
		t.Run(tc.errName, func(t *testing.T) {
			p := &fakeProvider{}
			sink := &recSink{}
			var gotErr error
			h := webhook.Handler(p, sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
			body := envJSON(t, envelope{Error: tc.errName, Events: []fakeEvent{{ID: "a", Type: "dlr"}}})
			w := serve(h, post(body))
			checkErrorResponse(t, w, tc.want)
			if sink.n() != 0 {
				t.Fatalf("the sink was called")
			}
			if gotErr == nil || (tc.is != nil && !errors.Is(gotErr, tc.is)) {
				t.Errorf("OnError got %v, want an error matching %v", gotErr, tc.is)
			}
		})
	}
	t.Run("malformed", func(t *testing.T) {
		sink := &recSink{}
		checkErrorResponse(t, serve(webhook.Handler(&fakeProvider{}, sink, nil), post(`{"events": [`)), http.StatusBadRequest)
		if sink.n() != 0 {
			t.Fatalf("the sink was called")
		}
	})
}

// TestVerifyBeforeDecode: a request failing verification is never decoded nor delivered.
func TestVerifyBeforeDecode(t *testing.T) {
	p := &fakeProvider{verifyErr: &sms.Error{Code: sms.CodeUnauthenticated, Provider: "fake", Message: "internal detail: signature mismatch"}}
	sink := &recSink{}
	body := envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "inbound", Body: "STOP"}}})
	checkErrorResponse(t, serve(webhook.Handler(p, sink, nil), post(body)), http.StatusUnauthorized)
	if got := p.steps(); !cmp.Equal(got, []string{"verify"}) {
		t.Errorf("provider steps = %v, want [verify]", got)
	}
	if sink.n() != 0 {
		t.Fatalf("the sink was called")
	}
}

func TestStatusCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 200},
		{webhook.ErrMethodNotAllowed, 405},
		{fmt.Errorf("x: %w", webhook.ErrTooLarge), 413},
		{sms.Errorf(sms.CodeUnauthenticated, "x"), 401},
		{sms.Errorf(sms.CodePermissionDenied, "x"), 403},
		{sms.Errorf(sms.CodeInvalidArgument, "x"), 400},
		{sms.Errorf(sms.CodeUnsupported, "x"), 404},
		{fmt.Errorf("x: %w", errors.ErrUnsupported), 404},
		// The provider's verdict wins over a cause: a verification failure stays a 401.
		{&sms.Error{Code: sms.CodeUnauthenticated, Err: errors.ErrUnsupported}, 401},
		{sms.Errorf(sms.CodeNotFound, "x"), 500},
		{sms.Errorf(sms.CodeInternal, "x"), 500},
		{context.Canceled, 500},
		{errors.New("x"), 500},
	} {
		if got := webhook.StatusCode(tc.err); got != tc.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// 4, 5. Success, replies, handshakes.

func TestSuccessIsBare200(t *testing.T) {
	sink := &recSink{}
	body := envJSON(t, envelope{Events: []fakeEvent{{ID: "b", Type: "dlr"}, {ID: "a", Type: "inbound", Body: "hi"}, {ID: "c", Type: "dlr"}}})
	w := serve(webhook.Handler(&fakeProvider{}, sink, nil), post(body))
	if w.Code != http.StatusOK {
		t.Fatalf("want 200, got %d", w.Code)
	}
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("want an empty body and no content type, got %q %q", w.Header().Get("Content-Type"), w.Body.String())
	}
	if sink.n() != 1 {
		t.Fatalf("want one sink call, got %d", sink.n())
	}
	if got := ids(sink.last()); !cmp.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("events = %v, want b a c in order", got)
	}
}

func TestReplyWrittenExactly(t *testing.T) {
	sink := &recSink{}
	body := envJSON(t, envelope{
		Events: []fakeEvent{{ID: "in-1", Type: "inbound", Body: "hello"}},
		Reply:  &fakeReply{ContentType: "text/xml", Body: "<Response/>"},
	})
	w := serve(webhook.Handler(&fakeProvider{}, sink, nil), post(body))
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/xml" || w.Body.String() != "<Response/>" {
		t.Fatalf("want 200 text/xml <Response/>, got %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if sink.n() != 1 {
		t.Fatalf("want one sink call, got %d", sink.n())
	}

	body = envJSON(t, envelope{
		Events: []fakeEvent{{ID: "d-1", Type: "dlr"}},
		Reply:  &fakeReply{Status: http.StatusAccepted, ContentType: "application/json", Header: map[string]string{"X-Ack": "yes"}, Body: `{"statusCode":2000}`},
	})
	w = serve(webhook.Handler(&fakeProvider{}, sink, nil), post(body))
	if w.Code != http.StatusAccepted || w.Header().Get("X-Ack") != "yes" || w.Body.String() != `{"statusCode":2000}` {
		t.Fatalf("reply not written as given: %d %v %q", w.Code, w.Header(), w.Body.String())
	}
}

func TestHandshakeSkipsSink(t *testing.T) {
	sink := &recSink{}
	body := envJSON(t, envelope{
		Events: []fakeEvent{{ID: "validation", Type: "other"}},
		Reply:  &fakeReply{ContentType: "application/json", Body: `{"validationResponse":"512d38b6"}`, Handshake: true},
	})
	w := serve(webhook.Handler(&fakeProvider{}, sink, nil), post(body))
	if w.Code != http.StatusOK || w.Body.String() != `{"validationResponse":"512d38b6"}` || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("handshake reply: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if sink.n() != 0 {
		t.Fatalf("the sink was called for a handshake")
	}
}

func TestNoEventsNoSink(t *testing.T) {
	sink := &recSink{}
	w := serve(webhook.Handler(&fakeProvider{}, sink, nil), post(`{"events":[]}`))
	if w.Code != http.StatusOK || w.Body.Len() != 0 || sink.n() != 0 {
		t.Fatalf("want 200, empty body and no sink call; got %d %q, %d calls", w.Code, w.Body.String(), sink.n())
	}
}

// ---------------------------------------------------------------------------------------------
// 5, 6. Sink failures and de-duplication.

func TestSinkFailureIsRetriedThenDeduplicated(t *testing.T) {
	sink := &recSink{err: errors.New("internal detail: database down")}
	var gotErr error
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
	body := envJSON(t, envelope{
		Events: []fakeEvent{{ID: "in-1", Type: "inbound", Body: "hi"}},
		Reply:  &fakeReply{ContentType: "text/xml", Body: "<Response/>"},
	})

	checkErrorResponse(t, serve(h, post(body)), http.StatusInternalServerError)
	if sink.n() != 1 || !errors.Is(gotErr, sink.err) {
		t.Fatalf("first delivery: %d sink calls, OnError %v", sink.n(), gotErr)
	}

	sink.err = nil // the application recovered; the vendor retries
	w := serve(h, post(body))
	if w.Code != http.StatusOK || w.Body.String() != "<Response/>" {
		t.Fatalf("retry: want 200 <Response/>, got %d %q", w.Code, w.Body.String())
	}
	if sink.n() != 2 {
		t.Fatalf("retry: a failed delivery must reach the sink again; %d calls", sink.n())
	}

	w = serve(h, post(body)) // a duplicate after success
	if w.Code != http.StatusOK || w.Body.String() != "<Response/>" {
		t.Fatalf("duplicate: want 200 and the reply again, got %d %q", w.Code, w.Body.String())
	}
	if sink.n() != 2 {
		t.Fatalf("duplicate: the sink was called again (%d calls)", sink.n())
	}
}

func TestOnlyNewEventsDelivered(t *testing.T) {
	sink := &recSink{}
	h := webhook.Handler(&fakeProvider{}, sink, nil)
	serve(h, post(envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}})))
	w := serve(h, post(envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}, {ID: "b", Type: "dlr"}}})))
	if w.Code != http.StatusOK || sink.n() != 2 {
		t.Fatalf("got %d, %d calls", w.Code, sink.n())
	}
	if got := ids(sink.last()); !cmp.Equal(got, []string{"b"}) {
		t.Errorf("second call = %v, want [b]", got)
	}
}

func TestDuplicatesWithinRequest(t *testing.T) {
	for _, n := range []int{3, 40} { // the small and the map-backed paths
		evs := []fakeEvent{{ID: "a", Type: "dlr"}, {ID: "b", Type: "dlr"}, {ID: "a", Type: "dlr"}}
		want := []string{"a", "b"}
		for i := 3; i < n; i++ {
			id := "e" + strconv.Itoa(i%(n/2)) // every id twice
			evs = append(evs, fakeEvent{ID: id, Type: "dlr"})
			if !contains(want, id) {
				want = append(want, id)
			}
		}
		for _, store := range []webhook.Store{nil, webhook.NoDedup} {
			sink := &recSink{}
			w := serve(webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Dedup: store}), post(envJSON(t, envelope{Events: evs})))
			if w.Code != http.StatusOK || sink.n() != 1 {
				t.Fatalf("n=%d: got %d, %d calls", n, w.Code, sink.n())
			}
			if got := ids(sink.last()); !cmp.Equal(got, want) {
				t.Errorf("n=%d: events %v, want %v", n, got, want)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestEmptyIDNeverDeduplicated(t *testing.T) {
	sink := &recSink{}
	h := webhook.Handler(&fakeProvider{}, sink, nil)
	body := envJSON(t, envelope{Events: []fakeEvent{{Type: "other"}, {Type: "other"}}})
	for range 2 {
		serve(h, post(body))
	}
	if sink.n() != 2 || len(sink.last()) != 2 {
		t.Fatalf("want both id-less events delivered each time; %d calls, last %d events", sink.n(), len(sink.last()))
	}
}

func TestNoDedup(t *testing.T) {
	sink := &recSink{}
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Dedup: webhook.NoDedup})
	body := envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}})
	for range 2 {
		if w := serve(h, post(body)); w.Code != http.StatusOK {
			t.Fatalf("got %d", w.Code)
		}
	}
	if sink.n() != 2 {
		t.Fatalf("with NoDedup a repeated event is delivered again; %d calls", sink.n())
	}
}

// failStore fails on demand and records the context Mark was called with.
type failStore struct {
	seenErr, markErr error
	markCtxErr       error
	marked           []string
}

func (s *failStore) Seen(context.Context, string) (bool, error) { return false, s.seenErr }
func (s *failStore) Mark(ctx context.Context, ids []string) error {
	s.markCtxErr = ctx.Err()
	s.marked = append(s.marked, ids...)
	return s.markErr
}

func TestSeenErrorIs500(t *testing.T) {
	store := &failStore{seenErr: errors.New("internal detail: redis down")}
	sink := &recSink{}
	var gotErr error
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Dedup: store, OnError: func(_ *http.Request, err error) { gotErr = err }})
	checkErrorResponse(t, serve(h, post(envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}}))), http.StatusInternalServerError)
	if sink.n() != 0 {
		t.Fatalf("the sink was called despite the store failing")
	}
	if !errors.Is(gotErr, store.seenErr) {
		t.Errorf("OnError got %v", gotErr)
	}
}

func TestMarkErrorIsLoggedNotFatal(t *testing.T) {
	var logs bytes.Buffer
	store := &failStore{markErr: errors.New("redis timeout")}
	sink := &recSink{}
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Dedup: store, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	w := serve(h, post(envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}, {ID: "b", Type: "dlr"}}})))
	if w.Code != http.StatusOK || sink.n() != 1 {
		t.Fatalf("want 200 and the sink called, got %d, %d calls", w.Code, sink.n())
	}
	if !cmp.Equal(store.marked, []string{"a", "b"}) {
		t.Errorf("marked %v", store.marked)
	}
	if !strings.Contains(logs.String(), "marking events seen failed") || !strings.Contains(logs.String(), "redis timeout") {
		t.Errorf("the Mark failure was not logged: %s", logs.String())
	}
}

func TestMarkSurvivesClientGone(t *testing.T) {
	store := &failStore{}
	ctx, cancel := context.WithCancel(context.Background())
	sink := webhook.SinkFunc(func(context.Context, []sms.Event) error { cancel(); return nil }) // the vendor hangs up
	r := post(envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}})).WithContext(ctx)
	serve(webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Dedup: store}), r)
	if store.markCtxErr != nil || len(store.marked) != 1 {
		t.Fatalf("Mark got a canceled context (%v) or no ids (%v)", store.markCtxErr, store.marked)
	}
}

func TestSinkPanicIs500NotMarked(t *testing.T) {
	calls := 0
	sink := webhook.SinkFunc(func(context.Context, []sms.Event) error {
		calls++
		if calls == 1 {
			panic("application bug")
		}
		return nil
	})
	h := webhook.Handler(&fakeProvider{}, sink, nil)
	body := envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}})
	checkErrorResponse(t, serve(h, post(body)), http.StatusInternalServerError)
	if w := serve(h, post(body)); w.Code != http.StatusOK || calls != 2 {
		t.Fatalf("after a panic the retry must reach the sink: %d, %d calls", w.Code, calls)
	}
}

func TestSinkAbortHandlerPanicPassesThrough(t *testing.T) {
	sink := webhook.SinkFunc(func(context.Context, []sms.Event) error { panic(http.ErrAbortHandler) })
	h := webhook.Handler(&fakeProvider{}, sink, nil)
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler to reach net/http", v)
		}
	}()
	serve(h, post(envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}})))
}

func TestLogsCarryNoBodyOrURL(t *testing.T) {
	var logs bytes.Buffer
	p := &fakeProvider{verifyErr: &sms.Error{Code: sms.CodeUnauthenticated, Message: "bad signature"}}
	h := webhook.Handler(p, &recSink{}, &webhook.Options{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	serve(h, post(`{"events":[{"id":"a","type":"inbound","body":"my secret body"}]}`))
	out := logs.String()
	if !strings.Contains(out, `"status":401`) {
		t.Errorf("no record of the rejection: %s", out)
	}
	for _, leak := range []string{"my secret body", "s3cret-token", "/sms/fake"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q: %s", leak, out)
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	var mu sync.Mutex
	delivered := map[string]int{}
	sink := webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			delivered[ev.ID]++
		}
		return nil
	})
	h := webhook.Handler(&fakeProvider{}, sink, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				id := "g" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
				if w := serve(h, post(`{"events":[{"id":"`+id+`","type":"dlr"}]}`)); w.Code != http.StatusOK {
					t.Errorf("got %d", w.Code)
				}
			}
		})
	}
	wg.Wait()
	if len(delivered) != 400 {
		t.Fatalf("delivered %d distinct events, want 400", len(delivered))
	}
}

// ---------------------------------------------------------------------------------------------
// Keywords.

func TestKeywords(t *testing.T) {
	custom := &sms.Keywords{OptOut: []string{"ARRET"}}
	for _, tc := range []struct {
		name        string
		kw          *sms.Keywords
		ev          fakeEvent
		wantType    sms.EventType
		wantKeyword string
	}{
		{"stop", nil, fakeEvent{Type: "inbound", Body: " stop "}, sms.EventOptOut, "STOP"},
		{"stop please", nil, fakeEvent{Type: "inbound", Body: "Stop please"}, sms.EventInbound, ""},
		{"start", nil, fakeEvent{Type: "inbound", Body: "Start"}, sms.EventOptIn, "START"},
		{"help", nil, fakeEvent{Type: "inbound", Body: "help\n"}, sms.EventHelp, "HELP"},
		{"dlr untouched", nil, fakeEvent{Type: "dlr", Body: "STOP"}, sms.EventDeliveryReport, ""},
		{"vendor opt-out kept", nil, fakeEvent{Type: "optout", Body: "remove me"}, sms.EventOptOut, ""},
		{"custom arret", custom, fakeEvent{Type: "inbound", Body: "arret"}, sms.EventOptOut, "ARRET"},
		{"custom stop is plain", custom, fakeEvent{Type: "inbound", Body: "STOP"}, sms.EventInbound, ""},
		// Keywords are applied once, in the handler: a type the vendor set is never undone.
		{"vendor opt-out survives custom keywords", custom, fakeEvent{Type: "optout", Body: "Arrêt"}, sms.EventOptOut, ""},
		{"vendor opt-out gets its keyword", nil, fakeEvent{Type: "optout", Body: "stop"}, sms.EventOptOut, "STOP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &recSink{}
			tc.ev.ID = "kw-" + tc.name
			w := serve(webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Keywords: tc.kw}), post(envJSON(t, envelope{Events: []fakeEvent{tc.ev}})))
			if w.Code != http.StatusOK || sink.n() != 1 {
				t.Fatalf("got %d, %d calls", w.Code, sink.n())
			}
			ev := sink.last()[0]
			if ev.Type != tc.wantType || ev.Keyword != tc.wantKeyword {
				t.Errorf("got %s %q, want %s %q", ev.Type, ev.Keyword, tc.wantType, tc.wantKeyword)
			}
		})
	}
}

// ---------------------------------------------------------------------------------------------
// MemoryStore.

func TestMemoryStoreBounded(t *testing.T) {
	ctx := context.Background()
	s := webhook.NewMemoryStore(2)
	require.NoError(t, s.Mark(ctx, []string{"a"}))
	require.NoError(t, s.Mark(ctx, []string{"b"}))
	if err := s.Mark(ctx, []string{"b", "c"}); err != nil { // b again: no change; c evicts a
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"a": false, "b": true, "c": true, "d": false} {
		if got, err := s.Seen(ctx, id); err != nil || got != want {
			t.Errorf("Seen(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
	if s.Len() != 2 {
		t.Errorf("Len = %d, want 2", s.Len())
	}
	for _, id := range []string{"d", "e", "f"} {
		require.NoError(t, s.Mark(ctx, []string{id}))
	}
	for id, want := range map[string]bool{"b": false, "c": false, "d": false, "e": true, "f": true} {
		if got, _ := s.Seen(ctx, id); got != want {
			t.Errorf("after wrap: Seen(%s) = %v, want %v", id, got, want)
		}
	}
}

func TestMemoryStoreConcurrent(t *testing.T) {
	ctx := context.Background()
	const capacity = 100
	s := webhook.NewMemoryStore(capacity)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				id := strconv.Itoa(g) + "/" + strconv.Itoa(i)
				if _, err := s.Seen(ctx, id); err != nil {
					t.Error(err)
				}
				if err := s.Mark(ctx, []string{id, id + "'"}); err != nil {
					t.Error(err)
				}
				if n := s.Len(); n > capacity {
					t.Errorf("Len = %d over the capacity", n)
				}
			}
		})
	}
	wg.Wait()
	if n := s.Len(); n != capacity {
		t.Fatalf("Len = %d, want %d", n, capacity)
	}
}

func TestNewMemoryStoreDefaultCapacity(t *testing.T) {
	ctx := context.Background()
	s := webhook.NewMemoryStore(0)
	for i := range 10001 {
		require.NoError(t, s.Mark(ctx, []string{strconv.Itoa(i)}))
	}
	if s.Len() != 10000 {
		t.Fatalf("Len = %d, want 10000", s.Len())
	}
	if ok, _ := s.Seen(ctx, "0"); ok {
		t.Errorf("the oldest id should be forgotten")
	}
}

// ---------------------------------------------------------------------------------------------
// Parse.

func TestParse(t *testing.T) {
	ctx := context.Background()
	p := &fakeProvider{}

	cb, err := webhook.Parse(ctx, p, post(envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "inbound", Body: "stop"}}})), 0)
	if err != nil || len(cb.Events) != 1 {
		t.Fatalf("Parse: %v, %+v", err, cb)
	}
	if cb.Events[0].Type != sms.EventOptOut || cb.Events[0].Keyword != "STOP" {
		t.Errorf("default keywords not applied: %s %q", cb.Events[0].Type, cb.Events[0].Keyword)
	}

	g := &guardReader{t: t, size: 100, limit: 0}
	r := httptest.NewRequest(http.MethodPost, "/", g)
	r.ContentLength = 100
	if _, err := webhook.Parse(ctx, p, r, 10); !errors.Is(err, webhook.ErrTooLarge) || webhook.StatusCode(err) != 413 {
		t.Errorf("want ErrTooLarge by Content-Length, got %v", err)
	}
	g = &guardReader{t: t, size: 100, limit: 11}
	if _, err := webhook.Parse(ctx, p, httptest.NewRequest(http.MethodPost, "/", g), 10); !errors.Is(err, webhook.ErrTooLarge) {
		t.Errorf("want ErrTooLarge while reading, got %v", err)
	}

	_, err = webhook.Parse(ctx, p, post(`{"error":"unauthenticated"}`), 0)
	if !errors.Is(err, sms.ErrUnauthenticated) || webhook.StatusCode(err) != 401 {
		t.Errorf("want the provider's Unauthenticated error, got %v", err)
	}
	_, err = webhook.Parse(ctx, p, post(`{"error":"nil"}`), 0)
	if sms.ErrorCode(err) != sms.CodeInternal {
		t.Errorf("a nil callback without error: want CodeInternal, got %v", err)
	}

	// A client-built request with no body at all.
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	if _, err := webhook.Parse(ctx, p, req, 0); webhook.StatusCode(err) != 400 {
		t.Errorf("empty body: want the provider's 400, got %v", err)
	}
}

func TestHandlerPanicsOnNil(t *testing.T) {
	for name, f := range map[string]func(){
		"provider": func() { webhook.Handler(nil, &recSink{}, nil) },
		"sink":     func() { webhook.Handler(&fakeProvider{}, nil, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("nil %s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// ---------------------------------------------------------------------------------------------
// Fuzz.

func FuzzHandler(f *testing.F) {
	for _, seed := range []struct {
		method string
		body   string
		cl     int64
	}{
		{"POST", `{"events":[{"id":"a","type":"inbound","body":" stop "}]}`, -1},
		{"POST", `{"events":[{"id":"a","type":"dlr"},{"id":"a","type":"dlr"},{"id":"sinkfail"}]}`, -1},
		{"POST", `{"events":[{"id":"x"}],"reply":{"content_type":"text/xml","body":"<Response/>"}}`, 0},
		{"POST", `{"reply":{"handshake":true,"body":"{}"}}`, 40},
		{"POST", `{"error":"unauthenticated"}`, 27},
		{"POST", `{"error":"permission"}`, -1},
		{"POST", `{"error":"invalid"}`, -1},
		{"POST", `{"error":"unsupported"}`, -1},
		{"POST", `{"error":"nil"}`, -1},
		{"POST", `{"error":"boom"}`, -1},
		{"POST", `{"events":[`, -1},
		{"POST", strings.Repeat("x", 300), 300},
		{"POST", strings.Repeat("x", 300), -1},
		{"POST", "", 1 << 40},
		{"GET", "", 0},
		{"OPTIONS", "", 0},
		{"DELETE", "{}", 2},
		{"", "", -5},
	} {
		f.Add(seed.method, []byte(seed.body), seed.cl)
	}
	allowed := map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 413: true, 500: true}
	f.Fuzz(func(t *testing.T, method string, body []byte, cl int64) {
		r, err := http.NewRequest(method, "http://127.0.0.1/sms/fake", bytes.NewReader(body))
		if err != nil {
			return // not a method net/http would deliver
		}
		r.ContentLength = cl
		sink := webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
			if len(evs) == 0 {
				t.Fatalf("the sink was called with no events")
			}
			for _, ev := range evs {
				if ev.ID == "sinkfail" {
					return errors.New("sink failed")
				}
			}
			return nil
		})
		p := methodsProvider{&fakeProvider{}, []string{http.MethodOptions}}
		w := httptest.NewRecorder()
		webhook.Handler(p, sink, &webhook.Options{MaxBodyBytes: 256}).ServeHTTP(w, r)
		if !allowed[w.Code] {
			t.Fatalf("status %d not allowed", w.Code)
		}
		if w.Code >= 400 && w.Body.String() != http.StatusText(w.Code)+"\n" {
			t.Fatalf("error body %q", w.Body.String())
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Benchmark: Handler against a bare handler that only reads and decodes the same JSON.

type benchPayload struct {
	ID        string `json:"id"`
	MessageID string `json:"message_id"`
	Status    string `json:"status"`
	To        string `json:"to"`
	Reference string `json:"reference"`
}

// benchProvider decodes the same payload as the bare handler, into one delivery report.
type benchProvider struct{ fakeProvider }

func (*benchProvider) ParseCallback(_ context.Context, _ *http.Request, body []byte) (*sms.Callback, error) {
	var pl benchPayload
	if err := json.Unmarshal(body, &pl); err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Err: err}
	}
	return &sms.Callback{Events: []sms.Event{{
		ID: pl.ID, Type: sms.EventDeliveryReport, Provider: "bench", MessageID: pl.MessageID,
		To: pl.To, Status: sms.StatusDelivered, RawStatus: pl.Status, Reference: pl.Reference, Raw: body,
	}}}, nil
}

// discardWriter is a ResponseWriter with no per-request allocation.
type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func BenchmarkHandler(b *testing.B) {
	// Distinct event ids, more than the default store holds, so every request is new.
	const n = 1 << 14
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"id":"evt-%08d","message_id":"SM%032d","status":"delivered","to":"+14155552671","reference":"order-1234"}`, i, i)
	}
	nop := webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil })
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		var pl benchPayload
		if err := json.Unmarshal(body, &pl); err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", bare},
		{"handler", webhook.Handler(&benchProvider{}, nop, nil)},
		{"handler-nodedup", webhook.Handler(&benchProvider{}, nop, &webhook.Options{Dedup: webhook.NoDedup})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodPost, "/sms/bench", nil)
			rd := readCloser{bytes.NewReader(nil)}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				body := bodies[i%n]
				rd.Reset(body)
				r.Body, r.ContentLength = rd, int64(len(body))
				clear(w.h)
				bc.h.ServeHTTP(w, r)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}

// One request with far more tiny events than the default store holds must not push the ids
// marked before it out of the store: a vendor's retry of a recent event stays a duplicate.
func TestHugeBatchCannotEvictRecentIDs(t *testing.T) {
	sink := &recSink{}
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{MaxBodyBytes: 8 << 20}) // the default store: 10000 ids
	recent := make([]fakeEvent, 6000)
	for i := range recent {
		recent[i] = fakeEvent{ID: "recent-" + strconv.Itoa(i), Type: "dlr"}
	}
	for i := 0; i < len(recent); i += 1000 {
		w := serve(h, post(envJSON(t, envelope{Events: recent[i : i+1000]})))
		require.Equal(t, http.StatusOK, w.Code)
	}
	huge := make([]fakeEvent, 70000)
	for i := range huge {
		huge[i] = fakeEvent{ID: "x" + strconv.Itoa(i), Type: "other"}
	}
	w := serve(h, post(envJSON(t, envelope{Events: huge})))
	require.Equal(t, http.StatusOK, w.Code)
	calls := sink.n()
	// The newest half of the store's capacity marked before the huge request is still seen.
	w = serve(h, post(envJSON(t, envelope{Events: recent[1000:]})))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, calls, sink.n(), "a retry of recent events reached the sink again after one huge request")
}

func TestMemoryStoreOneMarkAdmitsHalf(t *testing.T) {
	ctx := context.Background()
	s := webhook.NewMemoryStore(10)
	require.NoError(t, s.Mark(ctx, []string{"a", "b", "c", "d", "e"}))
	many := make([]string, 100)
	for i := range many {
		many[i] = "n" + strconv.Itoa(i)
	}
	require.NoError(t, s.Mark(ctx, many))
	for _, id := range []string{"a", "b", "c", "d", "e", "n0", "n4"} {
		seen, err := s.Seen(ctx, id)
		require.NoError(t, err)
		require.True(t, seen, "%s forgotten", id)
	}
	seen, _ := s.Seen(ctx, "n5")
	require.False(t, seen, "one Mark remembered more than half the capacity")
	require.Equal(t, 10, s.Len())
}

// A vendor-flagged opt-out whose words match no keyword stays an opt-out through Handler and
// Parse, whatever Keywords the handler is given; events get a provider name and an id.
func TestPrepareOnce(t *testing.T) {
	ctx := context.Background()
	body := envJSON(t, envelope{Events: []fakeEvent{
		{Type: "optout", Body: "Arrêt", MessageID: "in-1", Anonymous: true},
		{Type: "inbound", Body: "STOP", MessageID: "in-2"},
		{Type: "dlr", MessageID: "m-1", Status: "sent"},
		{Type: "dlr", MessageID: "m-1", Status: "delivered"},
	}})
	check := func(t *testing.T, evs []sms.Event) {
		t.Helper()
		require.Len(t, evs, 4)
		require.Equal(t, sms.EventOptOut, evs[0].Type, "the vendor's opt-out flag was lost")
		require.Equal(t, "", evs[0].Keyword)
		require.Equal(t, sms.EventOptOut, evs[1].Type)
		require.Equal(t, "STOP", evs[1].Keyword)
		seen := map[string]bool{}
		for _, ev := range evs {
			require.Equal(t, "fake", ev.Provider)
			require.NotEmpty(t, ev.ID)
			require.False(t, seen[ev.ID], "two events got the id %s", ev.ID)
			seen[ev.ID] = true
		}
		require.Equal(t, sms.EventID("fake", "m-1", "sent", ""), evs[2].ID)
	}
	t.Run("Handler", func(t *testing.T) {
		sink := &recSink{}
		kw := sms.Keywords{OptOut: []string{"ARRET"}, OptIn: []string{"START"}}
		w := serve(webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Keywords: &kw}), post(body))
		require.Equal(t, http.StatusOK, w.Code)
		evs := sink.last()
		require.Len(t, evs, 4)
		require.Equal(t, sms.EventOptOut, evs[0].Type)
		require.Equal(t, sms.EventInbound, evs[1].Type, "custom keywords replace the defaults")
	})
	t.Run("HandlerDefaults", func(t *testing.T) {
		sink := &recSink{}
		require.Equal(t, http.StatusOK, serve(webhook.Handler(&fakeProvider{}, sink, nil), post(body)).Code)
		check(t, sink.last())
	})
	t.Run("Parse", func(t *testing.T) {
		cb, err := webhook.Parse(ctx, &fakeProvider{}, post(body), 0)
		require.NoError(t, err)
		check(t, cb.Events)
	})
}

// loggedProvider is a provider given a logger, as a vendor's Options.Logger gives one.
type loggedProvider struct {
	*fakeProvider
	log *slog.Logger
}

func (p loggedProvider) Logger() *slog.Logger { return p.log }

// unwrapping hides the provider it wraps behind sms.Unwrapper, as middleware does.
type unwrapping struct{ sms.Provider }

func (u unwrapping) Unwrap() sms.Provider { return u.Provider }

// TestHandlerUsesTheProvidersLogger: without Options.Logger the handler logs through the
// provider's logger (found through Unwrap and through an sms.Client); Options.Logger wins.
func TestHandlerUsesTheProvidersLogger(t *testing.T) {
	rejected := &sms.Error{Code: sms.CodeUnauthenticated, Message: "bad signature"}
	var provLogs, ownLogs bytes.Buffer
	lp := loggedProvider{&fakeProvider{verifyErr: rejected}, slog.New(slog.NewJSONHandler(&provLogs, nil))}
	for name, p := range map[string]sms.Provider{"provider": lp, "unwrapped": unwrapping{lp}, "client": sms.NewClient(lp, nil)} {
		provLogs.Reset()
		serve(webhook.Handler(p, &recSink{}, nil), post(`{}`))
		require.Contains(t, provLogs.String(), `"status":401`, name)
	}
	provLogs.Reset()
	serve(webhook.Handler(lp, &recSink{}, &webhook.Options{Logger: slog.New(slog.NewJSONHandler(&ownLogs, nil))}), post(`{}`))
	require.Empty(t, provLogs.String())
	require.Contains(t, ownLogs.String(), `"status":401`)
}
