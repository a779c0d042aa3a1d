package emu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// counter is a vendor handler that counts calls and answers 201 {"id":"m1"}.
type counter struct{ n atomic.Int32 }

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.ReadAll(r.Body)
	c.n.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, `{"id":"m1"}`)
}

// start serves s.Handler(vendor) on 127.0.0.1 until the test ends.
func start(t *testing.T, s *Server, vendor http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(s.Handler(vendor))
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return ts
}

func post(t *testing.T, c *http.Client, url, body string) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := c.Post(url, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func mustPost(t *testing.T, c *http.Client, url, body string) (*http.Response, []byte) {
	t.Helper()
	resp, b, err := post(t, c, url, body)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return resp, b
}

func TestRecorder(t *testing.T) {
	clock := NewManualClock(t0)
	s := NewServer(&Options{Clock: clock})
	var (
		mu   sync.Mutex
		seen []byte
	)
	ts := start(t, s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body) // the body was put back for the vendor handler
		mu.Lock()
		seen = b
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))

	req, _ := http.NewRequest("POST", ts.URL+"/v1/send?x=1&y=two", strings.NewReader("To=%2B1415&Body=hi"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic abc")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	got := string(seen)
	mu.Unlock()
	if resp.StatusCode != http.StatusAccepted || got != "To=%2B1415&Body=hi" {
		t.Fatalf("vendor got status %d body %q", resp.StatusCode, got)
	}
	clock.Advance(time.Minute)
	mustPost(t, ts.Client(), ts.URL+"/v1/other", "")
	mustPost(t, ts.Client(), ts.URL+ControlPrefix+"reset", "") // control: not recorded… and it resets
	if s.Recorder.Len() != 0 {
		t.Fatalf("after /_emulator/reset Len = %d", s.Recorder.Len())
	}

	mustPost(t, ts.Client(), ts.URL+"/v1/send?x=1", "To=%2B1415&Body=hi")
	clock.Advance(time.Minute)
	mustPost(t, ts.Client(), ts.URL+"/v1/other", "b")
	resp, err = ts.Client().Get(ts.URL + ControlPrefix + "requests")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := s.Requests()
	if len(reqs) != 2 || s.Recorder.Len() != 2 {
		t.Fatalf("recorded %d requests, want 2 (control requests excluded): %+v", len(reqs), reqs)
	}
	r0 := reqs[0]
	if r0.Method != "POST" || r0.Path != "/v1/send" || r0.RawQuery != "x=1" || string(r0.Body) != "To=%2B1415&Body=hi" ||
		!r0.Time.Equal(t0.Add(time.Minute)) || r0.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r0.Fault != "" {
		t.Errorf("request 0 = %+v", r0)
	}
	if f, err := r0.Form(); err != nil || f.Get("To") != "+1415" || r0.Query().Get("x") != "1" {
		t.Errorf("Form = %v, %v; Query = %v", f, err, r0.Query())
	}
	if !reqs[1].Time.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("request 1 time = %v", reqs[1].Time)
	}
	// Copies: changing what we got changes nothing stored.
	reqs[0].Body[0] = 'X'
	reqs[0].Header.Set("Authorization", "changed")
	if again := s.Requests(); again[0].Body[0] != 'T' || again[0].Header.Get("Authorization") != "" {
		t.Errorf("Requests shares storage with callers")
	}
	if last, ok := s.Recorder.Last(); !ok || last.Path != "/v1/other" {
		t.Errorf("Last = %+v, %v", last, ok)
	}
	if m := s.Recorder.Matching("POST", "/v1/s"); len(m) != 1 {
		t.Errorf("Matching = %d requests", len(m))
	}

	// Concurrent use under -race.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mustPost(t, ts.Client(), ts.URL+"/c", strconv.Itoa(i))
			s.Requests()
			s.Recorder.Len()
		}()
	}
	wg.Wait()
	if n := s.Recorder.Len(); n != 22 {
		t.Errorf("Len = %d, want 22", n)
	}
	s.Recorder.Reset()
	if s.Recorder.Len() != 0 {
		t.Errorf("Len after Reset = %d", s.Recorder.Len())
	}
}

func TestRecorderBodyTooLarge(t *testing.T) {
	s := NewServer(&Options{MaxBodyBytes: 8})
	var v counter
	ts := start(t, s, &v)
	resp, _ := mustPost(t, ts.Client(), ts.URL+"/big", "0123456789")
	if resp.StatusCode != http.StatusRequestEntityTooLarge || v.n.Load() != 0 {
		t.Fatalf("status %d, vendor calls %d", resp.StatusCode, v.n.Load())
	}
	if r, _ := s.Recorder.Last(); r.Fault != "body too large" {
		t.Errorf("recorded %+v", r)
	}
}

func TestFaultStatus(t *testing.T) {
	s := NewServer(nil)
	var v counter
	ts := start(t, s, &v)
	s.Arm(Fault{
		Status: http.StatusTooManyRequests, RetryAfter: 1500 * time.Millisecond,
		Body: []byte(`{"code":20429}`), ContentType: "application/json",
		Header: http.Header{"X-Rate-Limit": {"0"}},
	})
	resp, body := mustPost(t, ts.Client(), ts.URL+"/send", "a")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || string(body) != `{"code":20429}` ||
		resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Rate-Limit") != "0" {
		t.Fatalf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if v.n.Load() != 0 {
		t.Fatalf("vendor handler called %d times under a 429 fault", v.n.Load())
	}
	if r, _ := s.Recorder.Last(); r.Fault != "status 429" || string(r.Body) != "a" {
		t.Errorf("recorded %+v", r)
	}
	resp, _ = mustPost(t, ts.Client(), ts.URL+"/send", "b")
	if resp.StatusCode != 201 || v.n.Load() != 1 {
		t.Fatalf("after the fault: status %d, vendor calls %d", resp.StatusCode, v.n.Load())
	}
}

func TestFaultStatusAfterProcessing(t *testing.T) {
	s := NewServer(nil)
	var v counter
	ts := start(t, s, &v)
	s.Arm(Fault{Status: http.StatusGatewayTimeout, Process: true})
	resp, body := mustPost(t, ts.Client(), ts.URL+"/send", "a")
	if resp.StatusCode != 504 || len(body) != 0 || v.n.Load() != 1 {
		t.Fatalf("status %d body %q vendor calls %d", resp.StatusCode, body, v.n.Load())
	}
}

func TestFaultTimesPathAndOrder(t *testing.T) {
	s := NewServer(nil)
	var v counter
	ts := start(t, s, &v)
	s.Arm(Fault{Status: 503, Times: 2, Path: "/send"})
	s.Arm(Fault{Status: 404, Method: "GET"})
	s.Arm(Fault{Status: 500})
	s.Arm(Fault{Status: 502})
	want := []struct {
		path   string
		status int
	}{
		{"/status", 500}, // the 503 only matches /send; the 500 is next in line
		{"/send", 503},
		{"/send", 503},
		{"/send", 502},
		{"/send", 201},
		{"/status", 201},
	}
	for i, w := range want {
		resp, _ := mustPost(t, ts.Client(), ts.URL+w.path, "")
		if resp.StatusCode != w.status {
			t.Errorf("request %d to %s: status %d, want %d", i, w.path, resp.StatusCode, w.status)
		}
	}
	if v.n.Load() != 2 || s.Faults.Len() != 1 {
		t.Errorf("vendor calls %d (want 2), faults left %d (want the GET one)", v.n.Load(), s.Faults.Len())
	}
	if resp, err := ts.Client().Get(ts.URL + "/send/m1"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("GET fault: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	s.Arm(Fault{Status: 500, Times: -1})
	for range 3 {
		if resp, _ := mustPost(t, ts.Client(), ts.URL+"/x", ""); resp.StatusCode != 500 {
			t.Fatalf("unlimited fault: status %d", resp.StatusCode)
		}
	}
	if p := s.Faults.Pending(); len(p) != 1 || p[0].Times != -1 {
		t.Fatalf("Pending = %+v", p)
	}
	s.Faults.Clear()
	if resp, _ := mustPost(t, ts.Client(), ts.URL+"/x", ""); resp.StatusCode != 201 {
		t.Fatalf("after Clear: status %d", resp.StatusCode)
	}
}

func TestFaultResetAfterProcessing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		newTS func(http.Handler) *httptest.Server
	}{
		{"http1", httptest.NewServer},
		{"tls", httptest.NewTLSServer},
		{"http2", func(h http.Handler) *httptest.Server {
			ts := httptest.NewUnstartedServer(h)
			ts.EnableHTTP2 = true
			ts.StartTLS()
			return ts
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(nil)
			defer s.Close()
			var v counter
			ts := tc.newTS(s.Handler(&v))
			defer ts.Close()
			s.Arm(Fault{Reset: true})
			resp, _, err := post(t, ts.Client(), ts.URL+"/send", "To=%2B14155550100")
			if err == nil {
				t.Fatalf("got a response (%d), want a connection error", resp.StatusCode)
			}
			t.Logf("client error: %v", err)
			if tc.name == "http1" && !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
				t.Errorf("error %v is neither a reset nor EOF", err)
			}
			if n := v.n.Load(); n != 1 {
				t.Fatalf("vendor handler called %d times, want 1: the message must be created", n)
			}
			if r, _ := s.Recorder.Last(); r.Fault != "reset after processing" {
				t.Errorf("recorded fault %q", r.Fault)
			}
			// The server is healthy afterwards.
			resp, _ = mustPost(t, ts.Client(), ts.URL+"/send", "again")
			if resp.StatusCode != 201 || v.n.Load() != 2 {
				t.Fatalf("after reset: status %d, calls %d", resp.StatusCode, v.n.Load())
			}
		})
	}
}

func TestFaultResetBeforeProcessing(t *testing.T) {
	s := NewServer(nil)
	var v counter
	ts := start(t, s, &v)
	s.Arm(Fault{ResetBeforeProcessing: true, Reset: true})
	if _, _, err := post(t, ts.Client(), ts.URL+"/send", "x"); err == nil {
		t.Fatal("want a connection error")
	}
	if v.n.Load() != 0 {
		t.Fatalf("vendor handler called %d times", v.n.Load())
	}
}

// TestFaultDelay checks that a delay fault holds the request on the emulator's clock before
// the vendor handler sees it, and that a client going away ends the wait without calling
// the vendor.
func TestFaultDelay(t *testing.T) {
	clock := NewManualClock(t0)
	s := NewServer(&Options{Clock: clock})
	var v counter
	ts := start(t, s, &v)

	s.Arm(Fault{Delay: time.Minute})
	type answer struct {
		status int
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		resp, _, err := post(t, ts.Client(), ts.URL+"/send", "")
		if err != nil {
			got <- answer{err: err}
			return
		}
		got <- answer{status: resp.StatusCode}
	}()
	require.NoError(t, clock.WaitSleepers(t.Context(), 1), "the request was not held")
	require.Zero(t, v.n.Load(), "the vendor saw a held request")
	clock.Advance(time.Minute)
	a := <-got
	require.NoError(t, a.err)
	require.Equal(t, http.StatusCreated, a.status)
	require.EqualValues(t, 1, v.n.Load())

	// A client that gives up ends the wait: the handler returns without calling the vendor.
	returned := make(chan struct{})
	ts2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Handler(&v).ServeHTTP(w, r)
		close(returned)
	}))
	defer ts2.Close()
	s.Arm(Fault{Delay: time.Hour, Status: 500})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts2.URL+"/send", strings.NewReader("x"))
	errc := make(chan error, 1)
	go func() {
		_, err := ts2.Client().Do(req)
		errc <- err
	}()
	require.NoError(t, clock.WaitSleepers(t.Context(), 1), "the second request was not held")
	cancel() // the server has the request
	require.ErrorIs(t, <-errc, context.Canceled)
	select {
	case <-returned:
	case <-time.After(30 * time.Second): // a hang guard, not a timing window
		t.Fatal("the delay was not cut short when the client went away")
	}
	require.EqualValues(t, 1, v.n.Load(), "the vendor was called for an abandoned request")
	require.Zero(t, clock.Sleepers())
}

// receiver is a callback endpoint answering scripted statuses (then 200) and recording bodies.
type receiver struct {
	mu      sync.Mutex
	script  []int
	bodies  []string
	headers []http.Header
	sleep   func(body string) time.Duration
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if rv.sleep != nil {
		time.Sleep(rv.sleep(string(b)))
	}
	rv.mu.Lock()
	status := 200
	if len(rv.script) > 0 {
		status, rv.script = rv.script[0], rv.script[1:]
	}
	rv.bodies = append(rv.bodies, fmt.Sprintf("%s:%d", b, status))
	rv.headers = append(rv.headers, r.Header.Clone())
	rv.mu.Unlock()
	w.WriteHeader(status)
	fmt.Fprintf(w, "ack %s", b)
}

func (rv *receiver) got() []string {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]string(nil), rv.bodies...)
}

func newReceiver(t *testing.T, rv *receiver) string {
	ts := httptest.NewServer(rv)
	t.Cleanup(ts.Close)
	return ts.URL + "/hook"
}

func waitAll(t *testing.T, d *Deliverer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v (pending %d)", err, d.Pending())
	}
}

func TestDelivererRetries(t *testing.T) {
	rv := &receiver{script: []int{503, 503, 200}}
	url := newReceiver(t, rv)
	clock := NewManualClock(t0)
	d := NewDeliverer(&DelivererOptions{MaxRetries: 5, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, Clock: clock})
	defer d.Close()
	var prepared []int
	id := d.Send(Callback{
		URL: url, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"n":1}`),
		Prepare: func(r *http.Request, attempt int) error {
			prepared = append(prepared, attempt)
			r.Header.Set("Aeg-Delivery-Count", strconv.Itoa(attempt-1))
			return nil
		},
	})
	waitAll(t, d)
	got, ok := d.Delivery(id)
	if !ok || got.State != StateDelivered || got.StatusCode != 200 || len(got.Attempts) != 3 || got.Err != nil {
		t.Fatalf("delivery = %+v", got)
	}
	for i, a := range got.Attempts {
		want := []int{503, 503, 200}[i]
		if a.StatusCode != want || !a.Time.Equal(t0) || (a.Verdict == Success) != (want == 200) {
			t.Errorf("attempt %d = %+v", i, a)
		}
	}
	if string(got.ResponseBody) != `ack {"n":1}` || got.Method != "POST" || !got.Finished.Equal(t0) {
		t.Errorf("response body %q method %s finished %v", got.ResponseBody, got.Method, got.Finished)
	}
	if fmt.Sprint(prepared) != "[1 2 3]" {
		t.Errorf("Prepare attempts = %v", prepared)
	}
	rv.mu.Lock()
	for i, h := range rv.headers {
		if h.Get("Aeg-Delivery-Count") != strconv.Itoa(i) || h.Get("Content-Type") != "application/json" {
			t.Errorf("attempt %d headers %v", i, h)
		}
	}
	rv.mu.Unlock()
	if b := rv.got(); fmt.Sprint(b) != `[{"n":1}:503 {"n":1}:503 {"n":1}:200]` {
		t.Errorf("receiver got %v", b)
	}
}

func TestDelivererPolicies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policy   RetryPolicy
		script   []int
		state    DeliveryState
		attempts int
	}{
		{"no retry", NoRetry, []int{500}, StateDropped, 1},
		{"no retry success", NoRetry, []int{299}, StateDelivered, 1},
		{"transient drops 404", RetryTransient, []int{404}, StateDropped, 1},
		{"redirect is an answer", RetryTransient, []int{302}, StateDropped, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rv := &receiver{script: tc.script}
			url := newReceiver(t, rv)
			d := NewDeliverer(&DelivererOptions{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, Policy: tc.policy})
			defer d.Close()
			got, err := d.Deliver(context.Background(), Callback{URL: url, Body: []byte("e")})
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.state || len(got.Attempts) != tc.attempts || len(rv.got()) != tc.attempts {
				t.Fatalf("state %v attempts %d (receiver %d), want %v %d", got.State, len(got.Attempts), len(rv.got()), tc.state, tc.attempts)
			}
			if (got.Err == nil) != (tc.state == StateDelivered) {
				t.Errorf("Err = %v for state %v", got.Err, got.State)
			}
		})
	}
}

func TestDelivererTransportError(t *testing.T) {
	url := "http://127.0.0.1:9/hook"
	refused := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		},
	}}
	d := NewDeliverer(&DelivererOptions{HTTPClient: refused, MaxRetries: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond})
	defer d.Close()
	got, _ := d.Deliver(context.Background(), Callback{URL: url})
	if got.State != StateExhausted || len(got.Attempts) != 3 || got.Err == nil || got.StatusCode != 0 {
		t.Fatalf("delivery = %+v", got)
	}
	if !errors.Is(got.Attempts[0].Err, syscall.ECONNREFUSED) {
		t.Errorf("attempt error %v, want connection refused", got.Attempts[0].Err)
	}
	got, _ = d.Deliver(context.Background(), Callback{URL: "::bad"})
	if got.State != StateDropped || got.Err == nil || len(got.Attempts) != 0 {
		t.Fatalf("bad URL: %+v", got)
	}
}

func TestDelivererSequentialOrder(t *testing.T) {
	// Early bodies are slow, "3" fails once: in parallel they would overtake each other.
	rv := &receiver{
		sleep: func(b string) time.Duration {
			n, _ := strconv.Atoi(strings.TrimPrefix(b, "b"))
			return time.Duration(10-min(n, 10)) * 2 * time.Millisecond
		},
	}
	var failed atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail3") != "" && !failed.Load() {
			b, _ := io.ReadAll(r.Body)
			if string(b) == "b3" {
				failed.Store(true)
				w.WriteHeader(503)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		rv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	d := NewDeliverer(&DelivererOptions{Sequential: true, MaxRetries: 3, MinWait: 5 * time.Millisecond, MaxWait: 5 * time.Millisecond})
	defer d.Close()
	var want []string
	for i := range 15 {
		b := fmt.Sprintf("b%d", i)
		d.Send(Callback{URL: ts.URL + "/hook?fail3=1", Body: []byte(b)})
		want = append(want, b+":200")
	}
	waitAll(t, d)
	if got := rv.got(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order:\n got %v\nwant %v", got, want)
	}
	if !failed.Load() {
		t.Fatal("b3 never failed")
	}
	for _, dl := range d.Deliveries() {
		if dl.State != StateDelivered {
			t.Errorf("delivery %d: %v", dl.ID, dl.State)
		}
	}

	// Keys: one message's reports keep their order, messages interleave; a Delay holds
	// later reports of its key back.
	clock := NewManualClock(t0)
	dk := NewDeliverer(&DelivererOptions{Sequential: true, Clock: clock})
	defer dk.Close()
	rv2 := &receiver{}
	url := newReceiver(t, rv2)
	dk.Send(Callback{URL: url, Key: "m1", Body: []byte("m1-sent")})
	dk.Send(Callback{URL: url, Key: "m1", Body: []byte("m1-delivered"), Delay: time.Minute})
	dk.Send(Callback{URL: url, Key: "m2", Body: []byte("m2-sent")})
	dk.Send(Callback{URL: url, Key: "m1", Body: []byte("m1-late")})
	require.NoError(t, clock.WaitSleepers(t.Context(), 1), "the delayed report does not wait")
	for deadline := time.Now().Add(30 * time.Second); len(rv2.got()) < 2; time.Sleep(time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "m1-sent and m2-sent did not arrive: %v", rv2.got())
	}
	require.ElementsMatch(t, []string{"m1-sent:200", "m2-sent:200"}, rv2.got(), "only the undelayed reports went")
	clock.Advance(time.Minute)
	waitAll(t, dk)
	got := rv2.got()
	pos := map[string]int{}
	for i, b := range got {
		pos[b] = i
	}
	if len(got) != 4 || !(pos["m1-sent:200"] < pos["m1-delivered:200"] && pos["m1-delivered:200"] < pos["m1-late:200"]) ||
		pos["m2-sent:200"] > pos["m1-delivered:200"] {
		t.Fatalf("keyed order: %v", got)
	}
}

func TestDelivererParallelAndClose(t *testing.T) {
	rv := &receiver{script: []int{503, 503, 503, 503, 503, 503}}
	url := newReceiver(t, rv)
	d := NewDeliverer(&DelivererOptions{MaxRetries: 10, MinWait: time.Hour, MaxWait: time.Hour})
	id := d.Send(Callback{URL: url, Body: []byte("x")})
	delayed := d.Send(Callback{URL: url, Body: []byte("y"), Delay: time.Hour})
	deadline := time.Now().Add(5 * time.Second)
	for len(rv.got()) < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if d.Flush(20 * time.Millisecond) {
		t.Fatal("Flush reported idle with a delivery waiting an hour")
	}
	if d.Pending() != 2 {
		t.Fatalf("Pending = %d", d.Pending())
	}
	closed := make(chan struct{})
	go func() {
		d.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop a delivery waiting to retry")
	}
	for _, id := range []int{id, delayed} {
		got, _ := d.Delivery(id)
		if got.State != StateCanceled || !errors.Is(got.Err, context.Canceled) {
			t.Errorf("delivery %d after Close: %v %v", id, got.State, got.Err)
		}
	}
	if got, _ := d.Delivery(id); len(got.Attempts) != 1 {
		t.Errorf("attempts = %d", len(got.Attempts))
	}
	after, err := d.Deliver(context.Background(), Callback{URL: url})
	if err != nil || after.State != StateCanceled {
		t.Errorf("Send after Close: %v %v", after.State, err)
	}
	if !d.Flush(time.Second) || d.Close() != nil {
		t.Error("not idle after Close")
	}
	d.Reset()
	if n := len(d.Deliveries()); n != 0 {
		t.Errorf("%d deliveries after Reset", n)
	}
}

func TestDelivererDeliverContext(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
	}))
	defer ts.Close()
	d := NewDeliverer(nil)
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived // the receiver has the callback: end the wait, not the delivery
		cancel()
	}()
	got, err := d.Deliver(ctx, Callback{URL: ts.URL})
	if !errors.Is(err, context.Canceled) || got.State != StatePending {
		t.Fatalf("Deliver: %v %v", got.State, err)
	}
	close(release)
	waitAll(t, d) // the delivery went on
	if got, _ := d.Delivery(got.ID); got.State != StateDelivered {
		t.Fatalf("state %v", got.State)
	}
}

func TestDelivererConcurrentSends(t *testing.T) {
	rv := &receiver{}
	url := newReceiver(t, rv)
	for _, seq := range []bool{false, true} {
		d := NewDeliverer(&DelivererOptions{Sequential: seq})
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.Send(Callback{URL: url, Key: strconv.Itoa(i % 3), Body: []byte("c")})
				d.Deliveries()
				d.Pending()
			}()
		}
		wg.Wait()
		waitAll(t, d)
		for _, dl := range d.Deliveries() {
			if dl.State != StateDelivered {
				t.Fatalf("sequential=%v: delivery %d %v %v", seq, dl.ID, dl.State, dl.Err)
			}
		}
		d.Close()
	}
	if n := len(rv.got()); n != 60 {
		t.Fatalf("receiver got %d", n)
	}
}

func TestExponentialBackoff(t *testing.T) {
	for n, want := range []time.Duration{10, 20, 40, 80, 100, 100} {
		if got := ExponentialBackoff(10, 100, n, nil); got != want {
			t.Errorf("attempt %d: %v, want %v", n, got, want)
		}
	}
}

func controlDo(t *testing.T, ts *httptest.Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+ControlPrefix+path, strings.NewReader(body))
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestControlAPI(t *testing.T) {
	s := NewServer(&Options{Clock: FixedClock(t0)})
	var v counter
	ts := start(t, s, &v)
	resets := 0
	s.OnReset(func() { resets++ })
	s.Control.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, []string{"m1"})
	})
	s.Control.HandleFunc("POST /inbound", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ From, Body string }
		if !ReadJSON(w, r, &in) {
			return
		}
		WriteJSON(w, http.StatusAccepted, in)
	})

	// Requests, bodies as strings.
	mustPost(t, ts.Client(), ts.URL+"/send?q=1", "To=%2B1&Body=hello")
	code, body := controlDo(t, ts, "GET", "requests", "")
	var reqs []map[string]any
	if err := json.Unmarshal(body, &reqs); code != 200 || err != nil || len(reqs) != 1 {
		t.Fatalf("GET requests: %d %s %v", code, body, err)
	}
	if reqs[0]["body"] != "To=%2B1&Body=hello" || reqs[0]["path"] != "/send" || reqs[0]["query"] != "q=1" ||
		reqs[0]["method"] != "POST" || reqs[0]["time"] != "2026-03-01T12:00:00Z" {
		t.Errorf("request JSON %s", body)
	}
	if code, body = controlDo(t, ts, "GET", "requests?path=/nope", ""); code != 200 || strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("filtered: %d %s", code, body)
	}

	// Faults.
	code, body = controlDo(t, ts, "POST", "faults",
		`{"status":429,"retry_after":2,"body":"{\"code\":20429}","content_type":"application/json","header":{"X-A":"1","X-B":["2","3"]},"times":2,"path":"/send"}`)
	if code != 201 {
		t.Fatalf("POST faults: %d %s", code, body)
	}
	for range 2 {
		resp, b := mustPost(t, ts.Client(), ts.URL+"/send", "")
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || string(b) != `{"code":20429}` ||
			resp.Header.Get("X-A") != "1" || len(resp.Header.Values("X-B")) != 2 {
			t.Fatalf("faulted answer %d %v %s", resp.StatusCode, resp.Header, b)
		}
	}
	if resp, _ := mustPost(t, ts.Client(), ts.URL+"/send", ""); resp.StatusCode != 201 {
		t.Fatalf("third: %d", resp.StatusCode)
	}
	controlDo(t, ts, "POST", "faults", `{"delay":"1ms","reset":true}`)
	code, body = controlDo(t, ts, "GET", "faults", "")
	var fs []Fault
	if err := json.Unmarshal(body, &fs); code != 200 || err != nil || len(fs) != 1 || !fs[0].Reset || fs[0].Delay != time.Millisecond {
		t.Fatalf("GET faults: %d %s %v", code, body, err)
	}
	if code, _ = controlDo(t, ts, "DELETE", "faults", ""); code != 204 || s.Faults.Len() != 0 {
		t.Fatalf("DELETE faults: %d, %d left", code, s.Faults.Len())
	}
	for _, bad := range []string{``, `{`, `{"status":429,"nope":1}`, `{"times":2}`, `{"status":42}`, `{"delay":"soon"}`, `{"status":500}{}`} {
		if code, body = controlDo(t, ts, "POST", "faults", bad); code != 400 || !strings.Contains(string(body), `"error"`) {
			t.Errorf("POST faults %q: %d %s", bad, code, body)
		}
	}
	if code, _ = controlDo(t, ts, "POST", "faults", `{"status":500,"body":"`+strings.Repeat("x", MaxControlBody)+`"}`); code != 413 {
		t.Errorf("huge fault: %d", code)
	}

	// Outcomes.
	if code, body = controlDo(t, ts, "POST", "outcomes", `{"to":"+1 415-555-0100","status":"undelivered","error_code":"30003","delay":0.5}`); code != 200 {
		t.Fatalf("POST outcomes: %d %s", code, body)
	}
	if o := s.Outcome("14155550100"); o.Status != sms.StatusUndelivered || o.ErrorCode != "30003" || o.Delay != 500*time.Millisecond {
		t.Errorf("outcome = %+v", o)
	}
	controlDo(t, ts, "POST", "outcomes", `{"to":"*","status":"failed"}`)
	if o := s.Outcome("+447700900123"); o.Status != sms.StatusFailed {
		t.Errorf("default outcome = %+v", o)
	}
	code, body = controlDo(t, ts, "GET", "outcomes", "")
	if code != 200 || !strings.Contains(string(body), `"14155550100"`) || !strings.Contains(string(body), `"status": "failed"`) {
		t.Errorf("GET outcomes: %d %s", code, body)
	}
	if code, _ = controlDo(t, ts, "POST", "outcomes", `{"to":"+1","status":"lost"}`); code != 400 {
		t.Errorf("bad status: %d", code)
	}
	controlDo(t, ts, "DELETE", "outcomes", "")
	if o := s.Outcome("+14155550100"); o != DefaultOutcome {
		t.Errorf("after DELETE: %+v", o)
	}

	// Deliveries.
	rv := &receiver{}
	s.Deliverer.Send(Callback{URL: newReceiver(t, rv), Body: []byte("dlr")})
	waitAll(t, s.Deliverer)
	code, body = controlDo(t, ts, "GET", "deliveries", "")
	if code != 200 || !strings.Contains(string(body), `"state": "delivered"`) || !strings.Contains(string(body), `"body": "dlr"`) {
		t.Errorf("GET deliveries: %d %s", code, body)
	}

	// Vendor endpoints, methods, reset.
	if code, body = controlDo(t, ts, "GET", "messages", ""); code != 200 || !strings.Contains(string(body), "m1") {
		t.Errorf("GET messages: %d %s", code, body)
	}
	if code, _ = controlDo(t, ts, "POST", "inbound", `{"From":"+1","Body":"STOP"}`); code != 202 {
		t.Errorf("POST inbound: %d", code)
	}
	if code, _ = controlDo(t, ts, "POST", "inbound", `{"from":1}`); code != 400 {
		t.Errorf("POST inbound bad: %d", code)
	}
	if code, _ = controlDo(t, ts, "PUT", "requests", ""); code != 405 {
		t.Errorf("PUT requests: %d", code)
	}
	if code, _ = controlDo(t, ts, "GET", "nope", ""); code != 404 {
		t.Errorf("GET nope: %d", code)
	}
	if code, _ = controlDo(t, ts, "DELETE", "requests", ""); code != 204 || s.Recorder.Len() != 0 {
		t.Errorf("DELETE requests: %d, %d left", code, s.Recorder.Len())
	}
	mustPost(t, ts.Client(), ts.URL+"/send", "")
	s.Arm(Fault{Status: 500})
	s.SetOutcome("+1", Outcome{Status: sms.StatusFailed})
	if code, _ = controlDo(t, ts, "POST", "reset", ""); code != 204 {
		t.Errorf("reset: %d", code)
	}
	if s.Recorder.Len() != 0 || s.Faults.Len() != 0 || len(s.Outcomes.All()) != 0 || len(s.Deliverer.Deliveries()) != 0 || resets != 1 {
		t.Errorf("after reset: %d requests, %d faults, %d outcomes, %d deliveries, %d hooks",
			s.Recorder.Len(), s.Faults.Len(), len(s.Outcomes.All()), len(s.Deliverer.Deliveries()), resets)
	}
}

func TestControlPattern(t *testing.T) {
	for in, want := range map[string]string{
		"GET /messages":           "GET /_emulator/messages",
		"/x/{id}":                 "/_emulator/x/{id}",
		"POST /_emulator/inbound": "POST /_emulator/inbound",
		"DELETE  /messages/{id}":  "DELETE /_emulator/messages/{id}",
		"GET /_emulator/":         "GET /_emulator/",
		"GET /_emulatorx":         "GET /_emulator/_emulatorx",
	} {
		if got := controlPattern(in); got != want {
			t.Errorf("controlPattern(%q) = %q, want %q", in, got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for a relative path")
		}
	}()
	controlPattern("GET messages")
}

func TestFaultJSONRoundTrip(t *testing.T) {
	f := Fault{Status: 503, RetryAfter: 30 * time.Second, Body: []byte("busy"), ContentType: "text/plain",
		Header: http.Header{"X-Y": {"a", "b"}}, Process: true, Delay: time.Millisecond, Times: 3, Path: "/p", Method: "POST"}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var g Fault
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(f) != fmt.Sprint(g) || string(g.Body) != "busy" || fmt.Sprint(g.Header) != fmt.Sprint(f.Header) {
		t.Fatalf("round trip:\n%+v\n%+v\n%s", f, g, b)
	}
	if f.String() != "delay 1ms, status 503 after processing" || (Fault{}).String() != "none" {
		t.Errorf("String = %q", f.String())
	}
	for d, want := range map[time.Duration]string{time.Second: "1", 1500 * time.Millisecond: "2", time.Millisecond: "1", 2 * time.Minute: "120"} {
		if got := retryAfterSeconds(d); got != want {
			t.Errorf("retryAfterSeconds(%v) = %s", d, got)
		}
	}
}

func TestOutcomes(t *testing.T) {
	oc := NewOutcomes()
	if oc.For("+1") != DefaultOutcome || DefaultOutcome.Status != sms.StatusDelivered {
		t.Fatal("default is not delivered")
	}
	oc.Set("+44 7700 900123", Outcome{Status: sms.StatusExpired})
	for _, to := range []string{"447700900123", "+447700900123", "00447700900123", "+44 (0)7700..."} {
		want := sms.StatusExpired
		if to == "+44 (0)7700..." {
			want = sms.StatusDelivered
		}
		if got := oc.For(to).Status; got != want {
			t.Errorf("For(%q) = %v", to, got)
		}
	}
	oc.Set("ALPHA", Outcome{Status: sms.StatusRejected})
	if oc.For("alpha").Status != sms.StatusRejected {
		t.Error("alphanumeric key")
	}
	oc.SetDefault(Outcome{Status: sms.StatusFailed, ErrorCode: "x"})
	if oc.For("+2").ErrorCode != "x" || oc.Default().Status != sms.StatusFailed {
		t.Error("SetDefault")
	}
	oc.Reset()
	if oc.For("447700900123") != DefaultOutcome {
		t.Error("Reset")
	}
}

func TestClocks(t *testing.T) {
	c := NewManualClock(t0)
	if !c.Now().Equal(t0) || !c.Advance(time.Hour).Equal(t0.Add(time.Hour)) || !c.Now().Equal(t0.Add(time.Hour)) {
		t.Fatal("ManualClock.Advance")
	}
	c.Set(t0)
	if !c.Now().Equal(t0) || !FixedClock(t0).Now().Equal(t0) {
		t.Fatal("Set / FixedClock")
	}
	if !Fresh(c, t0.Add(-4*time.Minute), 5*time.Minute) || !Fresh(c, t0.Add(5*time.Minute), 5*time.Minute) ||
		Fresh(c, t0.Add(-6*time.Minute), 5*time.Minute) || Fresh(c, t0.Add(6*time.Minute), 5*time.Minute) {
		t.Fatal("Fresh")
	}
	if d := time.Since(RealClock{}.Now()); d < 0 || d > time.Minute {
		t.Fatal("RealClock")
	}
	var _ Clock = sms.RealClock{}
}

func TestIDGen(t *testing.T) {
	a := &IDGen{Prefix: "AB", Seed: 42}
	b := &IDGen{Prefix: "AB", Seed: 42}
	sid := regexp.MustCompile(`^AB[0-9a-f]{32}$`)
	for range 5 {
		x, y := a.Next(), b.Next()
		if x != y || !sid.MatchString(x) {
			t.Fatalf("seeded ids %q %q", x, y)
		}
	}
	if (&IDGen{Seed: 1}).Next() == (&IDGen{Seed: 2}).Next() {
		t.Error("different seeds, same id")
	}
	r := &IDGen{Digits: 7, Upper: true}
	if id := r.Next(); !regexp.MustCompile(`^[0-9A-F]{7}$`).MatchString(id) || id == r.Next() {
		t.Errorf("random id %q", id)
	}
	c := &IDGen{Prefix: "M-", Digits: 4, Counter: true}
	if x, y := c.Next(), c.Next(); x != "M-0001" || y != "M-0002" {
		t.Errorf("counter ids %q %q", x, y)
	}
	u := (&IDGen{Prefix: "Outgoing_", Seed: 7}).UUID()
	if !regexp.MustCompile(`^Outgoing_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u) {
		t.Errorf("UUID %q", u)
	}
	seen := sync.Map{}
	var wg sync.WaitGroup
	g := &IDGen{Seed: 9, Digits: 16}
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, dup := seen.LoadOrStore(g.Next(), true); dup {
				t.Error("duplicate id")
			}
		}()
	}
	wg.Wait()
}

// TestResetReplayedByTransport pins down why Reset matters: net/http's Transport itself
// resends a POST that carries an Idempotency-Key header when a reused connection is reset,
// so a vendor without de-duplication creates the message twice. Vendor clients must not set
// that header unless the vendor de-duplicates on it (see internal/httpx).
func TestResetReplayedByTransport(t *testing.T) {
	for _, tc := range []struct {
		header string
		calls  int32
	}{{"", 1}, {"Idempotency-Key", 2}} {
		s := NewServer(nil)
		var v counter
		ts := start(t, s, &v)
		mustPost(t, ts.Client(), ts.URL+"/warm", "") // the next request reuses the connection
		s.Arm(Fault{Reset: true, Path: "/send"})
		req, _ := http.NewRequest("POST", ts.URL+"/send", strings.NewReader("x"))
		if tc.header != "" {
			req.Header.Set(tc.header, "k-1")
		}
		resp, err := ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if n := v.n.Load() - 1; n != tc.calls || len(s.Recorder.Matching("POST", "/send")) != int(tc.calls) {
			t.Errorf("header %q: vendor processed the send %d times, want %d (err %v)", tc.header, n, tc.calls, err)
		}
	}
}

// TestVendorHooks checks the glue a vendor emulator plugs in: its error body for status
// faults armed without one (by Arm and over HTTP), and its GET /messages and POST /inbound,
// which the toolkit serves.
func TestVendorHooks(t *testing.T) {
	var got []Inbound
	s := NewServer(&Options{
		FaultBody: func(status int) ([]byte, string) {
			return []byte(fmt.Sprintf(`{"vendor_code":%d}`, status)), "application/vnd.toy+json"
		},
		Messages: func() any { return []string{"m1"} },
		Inbound: func(_ context.Context, in Inbound) (any, error) {
			if in.Body == "fail" {
				return nil, errors.New("no inbound URL")
			}
			got = append(got, in)
			return map[string]string{"delivered": in.Body}, nil
		},
	})
	var v counter
	ts := start(t, s, &v)

	s.Arm(Fault{Status: 503})
	resp, b := mustPost(t, ts.Client(), ts.URL+"/send", "")
	require.Equal(t, 503, resp.StatusCode)
	require.Equal(t, "application/vnd.toy+json", resp.Header.Get("Content-Type"))
	require.JSONEq(t, `{"vendor_code":503}`, string(b))

	resp, b = mustPost(t, ts.Client(), ts.URL+"/_emulator/faults", `{"status":429}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", b)
	resp, b = mustPost(t, ts.Client(), ts.URL+"/send", "")
	require.Equal(t, 429, resp.StatusCode)
	require.JSONEq(t, `{"vendor_code":429}`, string(b))

	s.Arm(Fault{Status: 500, Body: []byte("own"), ContentType: "text/plain"})
	_, b = mustPost(t, ts.Client(), ts.URL+"/send", "")
	require.Equal(t, "own", string(b), "a fault's own body wins")

	r, err := ts.Client().Get(ts.URL + "/_emulator/messages")
	require.NoError(t, err)
	mb, _ := io.ReadAll(r.Body)
	r.Body.Close()
	require.JSONEq(t, `["m1"]`, string(mb))

	resp, b = mustPost(t, ts.Client(), ts.URL+"/_emulator/inbound", `{"from":"+14155550100","to":"+14155550199","body":"hi","media_urls":["https://m.example/x.png"]}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	require.JSONEq(t, `{"delivered":"hi"}`, string(b))
	require.Equal(t, []Inbound{{From: "+14155550100", To: "+14155550199", Body: "hi", MediaURLs: []string{"https://m.example/x.png"}}}, got)
	resp, _ = mustPost(t, ts.Client(), ts.URL+"/_emulator/inbound", `{"from":"+14155550100","body":"hi"}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "to is required")
	resp, _ = mustPost(t, ts.Client(), ts.URL+"/_emulator/inbound", `{"from":"+14155550100","to":"+14155550199","body":"fail"}`)
	require.Equal(t, http.StatusConflict, resp.StatusCode)

	bare := start(t, NewServer(nil), &v)
	r, err = bare.Client().Get(bare.URL + "/_emulator/messages")
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusNotFound, r.StatusCode, "no Messages hook, no endpoint")
}
