package faultproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// backend is the server behind the proxy: it counts the requests it processed and echoes
// their bodies.
type backend struct {
	srv   *httptest.Server
	hits  atomic.Int32
	mu    sync.Mutex
	conns map[string]bool // remote addresses: one per upstream connection
}

func newBackend(t *testing.T) *backend {
	t.Helper()
	b := &backend{conns: map[string]bool{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.hits.Add(1)
		b.mu.Lock()
		b.conns[r.RemoteAddr] = true
		b.mu.Unlock()
		w.Header().Set("X-Backend", "yes")
		if tag := r.Header.Get("X-Tag"); tag != "" {
			w.Header().Set("X-Backend-Saw-Tag", tag)
		}
		_, _ = w.Write(append([]byte("echo "), body...))
	}))
	t.Cleanup(b.srv.Close)
	return b
}

// newBenchBackend starts an echo server for benchmarks and returns its URL.
func newBenchBackend(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append([]byte("echo "), body...))
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func newProxy(t *testing.T, opts Options) *Proxy {
	t.Helper()
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// client returns an http.Client through p, with idle connections closed at cleanup.
func client(t *testing.T, p *Proxy) *http.Client {
	t.Helper()
	tr := p.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

type answer struct {
	status int
	close  bool // the response closes the connection
	header http.Header
	body   string
	err    error
}

func post(ctx context.Context, c *http.Client, url, body string) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/send", strings.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, close: resp.Close, header: resp.Header, body: string(b), err: err}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		fault  Fault
		status int   // what the client gets; 0 = an error
		hits   int32 // requests the backend processed
		check  func(t *testing.T, a answer)
	}{
		{fault: None, status: 200, hits: 1, check: func(t *testing.T, a answer) {
			if a.body != "echo hello" || a.header.Get("X-Backend") != "yes" {
				t.Errorf("body %q, header %v: want the backend's answer", a.body, a.header)
			}
		}},
		{fault: ResetBefore, hits: 0},
		{fault: ResetAfter, hits: 1},
		{fault: TooManyRequests, status: 429, hits: 0, check: func(t *testing.T, a answer) {
			if got := a.header.Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After = %q, want 2 (1.5 s rounded up)", got)
			}
			if a.header.Get("X-Backend") != "" {
				t.Error("the 429 came from the backend, want the proxy's own")
			}
		}},
		{fault: Unavailable, status: 503, hits: 0},
		{fault: InternalAfter, status: 500, hits: 1, check: func(t *testing.T, a answer) {
			if a.header.Get("X-Backend") != "" || strings.Contains(a.body, "echo") {
				t.Error("the backend's answer reached the client")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			b := newBackend(t)
			p := newProxy(t, Options{Target: b.srv.URL, Script: []Fault{tt.fault}, RetryAfter: 1500 * time.Millisecond})
			c := client(t, p)
			a := post(context.Background(), c, p.URL, "hello")
			if tt.status == 0 {
				if a.err == nil {
					t.Fatalf("got HTTP %d, want a connection error", a.status)
				}
			} else if a.err != nil || a.status != tt.status {
				t.Fatalf("got %d, %v; want HTTP %d", a.status, a.err, tt.status)
			}
			if tt.check != nil {
				tt.check(t, a)
			}
			if got := b.hits.Load(); got != tt.hits {
				t.Errorf("backend processed %d requests, want %d", got, tt.hits)
			}
			// The next request meets no fault and goes through.
			if a := post(context.Background(), c, p.URL, "again"); a.err != nil || a.status != 200 || a.body != "echo again" {
				t.Errorf("next request: %d %q %v, want 200", a.status, a.body, a.err)
			}
			want := map[Fault]int{None: 1}
			if tt.fault != None {
				want[tt.fault] = 1
			} else {
				want[None] = 2
			}
			if got := p.Counts(); !equalCounts(got, want) {
				t.Errorf("Counts = %v, want %v", got, want)
			}
			evs := p.Events()
			if len(evs) != 2 || evs[0].Fault != tt.fault || evs[0].Seq != 1 || evs[1].Fault != None {
				t.Errorf("Events = %v", evs)
			}
		})
	}
}

func equalCounts(a, b map[Fault]int) bool {
	for f, n := range a {
		if b[f] != n {
			return false
		}
	}
	for f, n := range b {
		if a[f] != n {
			return false
		}
	}
	return true
}

func TestRefuse(t *testing.T) {
	b := newBackend(t)
	p := newProxy(t, Options{Target: b.srv.URL, Script: []Fault{Refuse}})
	c := client(t, p)
	a := post(context.Background(), c, p.URL, "one")
	if a.err != nil || a.status != 200 || a.body != "echo one" || !a.close {
		t.Fatalf("arming request: %d %q close=%v %v, want it forwarded untouched, closing its connection", a.status, a.body, a.close, a.err)
	}
	if a := post(context.Background(), c, p.URL, "two"); !errors.Is(a.err, syscall.ECONNREFUSED) {
		t.Fatalf("second request: %d %v, want ECONNREFUSED", a.status, a.err)
	}
	if got := b.hits.Load(); got != 1 {
		t.Errorf("backend processed %d requests, want 1", got)
	}
	if a := post(context.Background(), c, p.URL, "three"); a.err != nil || a.status != 200 {
		t.Fatalf("third request: %d %v, want 200", a.status, a.err)
	}
	evs := p.Events()
	if len(evs) != 3 || evs[0].Fault != Refuse || evs[0].Dial || !evs[1].Dial || evs[1].Fault != Refuse || evs[2].Fault != None {
		t.Errorf("Events = %v", evs)
	}
	if got, want := p.Counts(), map[Fault]int{None: 2, Refuse: 1}; !equalCounts(got, want) {
		t.Errorf("Counts = %v, want %v", got, want)
	}
}

func TestSlowHoldsUntilClientCloses(t *testing.T) {
	b := newBackend(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := newProxy(t, Options{Target: b.srv.URL, Script: []Fault{Slow}, OnEvent: func(ev Event) {
		if ev.Fault == Slow {
			cancel() // the client gives up once the proxy holds its answer
		}
	}})
	c := client(t, p)
	a := post(ctx, c, p.URL, "slow")
	if !errors.Is(a.err, context.Canceled) {
		t.Fatalf("got %d %v, want the client's own cancellation", a.status, a.err)
	}
	if got := b.hits.Load(); got != 1 {
		t.Errorf("backend processed %d requests, want 1: a slow answer is processed", got)
	}
	if a := post(context.Background(), c, p.URL, "next"); a.err != nil || a.status != 200 {
		t.Errorf("next request: %d %v", a.status, a.err)
	}
}

func TestSlowEndsOnClose(t *testing.T) {
	b := newBackend(t)
	held := make(chan struct{})
	p, err := New(Options{Target: b.srv.URL, Script: []Fault{Slow}, OnEvent: func(ev Event) {
		if ev.Fault == Slow {
			close(held)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, p)
	done := make(chan answer, 1)
	go func() { done <- post(context.Background(), c, p.URL, "x") }()
	<-held
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if a := <-done; a.err == nil {
		t.Errorf("got HTTP %d after Close, want a connection error", a.status)
	}
}

func TestKeepAlive(t *testing.T) {
	b := newBackend(t)
	p := newProxy(t, Options{Target: b.srv.URL, Script: []Fault{None, TooManyRequests, InternalAfter, Unavailable, None}})
	c := client(t, p)
	for i := range 5 {
		var reused bool
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
		})
		if a := post(ctx, c, p.URL, "k"); a.err != nil {
			t.Fatalf("request %d: %v", i, a.err)
		}
		if i > 0 && !reused {
			t.Errorf("request %d on a new connection, want the kept-alive one", i)
		}
	}
	if got := b.hits.Load(); got != 3 {
		t.Errorf("backend processed %d requests, want 3", got)
	}
	if len(b.conns) != 1 {
		t.Errorf("proxy opened %d upstream connections, want 1", len(b.conns))
	}
}

func TestTagHeader(t *testing.T) {
	b := newBackend(t)
	p := newProxy(t, Options{Target: b.srv.URL, TagHeader: "X-Tag", Script: []Fault{None, ResetBefore}})
	c := client(t, p)
	for _, tag := range []string{"a1", "a2"} {
		req, err := http.NewRequest(http.MethodPost, p.URL+"/send", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Tag", tag)
		resp, err := c.Do(req)
		if err == nil {
			if got := resp.Header.Get("X-Backend-Saw-Tag"); got != "" {
				t.Errorf("the backend saw the tag header %q, want it stripped", got)
			}
			resp.Body.Close()
		}
	}
	evs := p.Events()
	if len(evs) != 2 || evs[0].Tag != "a1" || evs[1].Tag != "a2" || evs[1].Fault != ResetBefore || evs[1].Path != "/send" {
		t.Errorf("Events = %v, want the tags a1 and a2, the second reset before forwarding", evs)
	}
}

func TestSeededPlan(t *testing.T) {
	draws := func(seed uint64) []Fault {
		p := newProxy(t, Options{Target: "127.0.0.1:1", Rate: 0.2, Seed: seed})
		out := make([]Fault, 5000)
		for i := range out {
			out[i] = p.draw()
		}
		return out
	}
	a, b, other := draws(7), draws(7), draws(8)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d differs between two proxies seeded alike: %v, %v", i, a[i], b[i])
		}
		same = same && a[i] == other[i]
	}
	if same {
		t.Error("seeds 7 and 8 drew the same faults")
	}
	count := map[Fault]int{}
	for _, f := range a {
		count[f]++
	}
	if faulty := len(a) - count[None]; faulty < 850 || faulty > 1150 {
		t.Errorf("%d of %d draws are faults, want about 20%%", faulty, len(a))
	}
	for _, f := range Faults() {
		if count[f] < 80 {
			t.Errorf("%v drawn %d times, want about %d", f, count[f], 1000/len(Faults()))
		}
	}
}

func TestScriptThenPlan(t *testing.T) {
	p := newProxy(t, Options{Target: "127.0.0.1:1", Script: []Fault{Slow, ResetAfter}, Rate: 1, Faults: []Fault{Unavailable}})
	got := []Fault{p.draw(), p.draw(), p.draw()}
	if want := []Fault{Slow, ResetAfter, Unavailable}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("draws %v, want %v", got, want)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"no target", Options{}},
		{"https target", Options{Target: "https://127.0.0.1:1"}},
		{"no port", Options{Target: "127.0.0.1"}},
		{"rate above 1", Options{Target: "127.0.0.1:1", Rate: 1.5}},
		{"negative rate", Options{Target: "127.0.0.1:1", Rate: -0.1}},
		{"unknown fault", Options{Target: "127.0.0.1:1", Script: []Fault{Slow + 1}}},
		{"rate without faults", Options{Target: "127.0.0.1:1", Rate: 0.5, Faults: []Fault{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.opts)
			if err == nil {
				_ = p.Close()
				t.Fatal("New succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), "faultproxy: ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
}

func TestFaultString(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range append(Faults(), None) {
		s := f.String()
		if s == "" || seen[s] || strings.HasPrefix(s, "Fault(") {
			t.Errorf("%d: String %q", int(f), s)
		}
		seen[s] = true
	}
	if got := Fault(99).String(); got != "Fault(99)" {
		t.Errorf("Fault(99).String() = %q", got)
	}
}

// A server that closes every connection without answering: the proxy answers 502 and
// closes the client connection.
func TestUpstreamFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(c, 1)) // the request has started
			c.Close()
		}
	}()
	defer func() { ln.Close(); <-done }()
	p := newProxy(t, Options{Target: ln.Addr().String()})
	a := post(context.Background(), client(t, p), p.URL, "x")
	if a.err != nil || a.status != http.StatusBadGateway || !a.close {
		t.Errorf("got %d %v %v, want 502 with Connection: close", a.status, a.header, a.err)
	}
	if evs := p.Events(); len(evs) != 1 || evs[0].Status != http.StatusBadGateway || evs[0].Upstream != 0 {
		t.Errorf("Events = %v", evs)
	}
}
