package webhook_test

// The abuse suite: every vendor handler (abuse_vendors_test.go) against forged, replayed,
// concurrent, oversized, endless, malformed and hostile callbacks, each answered with the
// status the package documentation gives, and a sink that fails or panics.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/webhook"
)

// forEachVendor runs fn as a subtest per vendor, with a fresh kit.
func forEachVendor(t *testing.T, fn func(t *testing.T, kit *abuseKit)) {
	for _, v := range abuseVendors {
		t.Run(v.name, func(t *testing.T) { fn(t, v.setup(t, nil)) })
	}
}

// expectSuccess checks a success answer: 200 and the vendor's reply, if any.
func expectSuccess(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200 (body %q)", w.Code, w.Body.String())
	}
}

// expectStatus checks an answer's status; an error status carries only its status text.
func expectStatus(t *testing.T, w *httptest.ResponseRecorder, code int) {
	t.Helper()
	if code == http.StatusOK {
		expectSuccess(t, w)
		return
	}
	checkErrorResponse(t, w, code)
}

func TestAbuseValidCallbackIsAccepted(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		sink := &recSink{}
		w := serve(webhook.Handler(kit.p, sink, nil), kit.valid(1).request())
		expectSuccess(t, w)
		if sink.n() != 1 || len(sink.last()) != 1 || sink.last()[0].Type != sms.EventDeliveryReport {
			t.Fatalf("the sink got %d calls (%v), want one delivery report", sink.n(), sink.last())
		}
	})
}

func TestAbuseAuthentication(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		bound := func(b bool) int {
			if b {
				return http.StatusUnauthorized
			}
			return http.StatusOK // the vendor's scheme does not cover it (see abuseKit)
		}
		other := kit.valid(2)
		for _, tc := range []struct {
			name string
			w    wire
			want int
		}{
			{"wrong credential", kit.wrongCredential(1), http.StatusUnauthorized},
			{"missing credential", kit.strip(kit.valid(1)), http.StatusUnauthorized},
			{"another body", kit.valid(1).with(func(c *wire) { c.body = other.body }), bound(kit.bodyBound)},
			{"another URL", kit.valid(1).withPath("/sms/elsewhere"), bound(kit.urlBound)},
			{"missing credential, empty body", kit.strip(kit.valid(1)).with(func(c *wire) { c.body = nil }), http.StatusUnauthorized},
		} {
			t.Run(tc.name, func(t *testing.T) {
				sink := &recSink{}
				var gotErr error
				h := webhook.Handler(kit.p, sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
				expectStatus(t, serve(h, tc.w.request()), tc.want)
				if tc.want != http.StatusOK {
					if sink.n() != 0 {
						t.Fatalf("the sink saw a callback that failed authentication")
					}
					if sms.ErrorCode(gotErr) != sms.CodeUnauthenticated {
						t.Errorf("cause %v, want CodeUnauthenticated", gotErr)
					}
				}
			})
		}
	})
}

func TestAbuseReplayIsDeduplicated(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		sink := &recSink{}
		h := webhook.Handler(kit.p, sink, nil)
		w := kit.valid(1)
		first := serve(h, w.request())
		expectSuccess(t, first)
		for range 3 {
			again := serve(h, w.request())
			expectSuccess(t, again)
			if again.Body.String() != first.Body.String() {
				t.Errorf("a replay answered %q, the first delivery %q", again.Body.String(), first.Body.String())
			}
		}
		if sink.n() != 1 {
			t.Fatalf("the sink saw the event %d times, want once", sink.n())
		}
	})
}

// signalStore passes through to a MemoryStore and reports every Seen call.
type signalStore struct {
	*webhook.MemoryStore
	seen chan struct{}
}

func (s *signalStore) Seen(ctx context.Context, id string) (bool, error) {
	select {
	case s.seen <- struct{}{}:
	default:
	}
	return s.MemoryStore.Seen(ctx, id)
}

// wait returns when ch delivers, or fails the test after the 30 s hang guard.
func wait[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("hang guard: %s", what)
	}
}

// Identical deliveries arriving together: the first is in the sink while the others have
// asked the store (which cannot know yet); the sink must still see the event once.
func TestAbuseConcurrentIdenticalDeliveries(t *testing.T) {
	const n = 8
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		entered, release := make(chan struct{}), make(chan struct{})
		var calls, events atomic.Int32
		sink := webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
			if calls.Add(1) == 1 {
				close(entered)
			}
			<-release // every call waits: no delivery can mark the event before all have asked the store
			events.Add(int32(len(evs)))
			return nil
		})
		store := &signalStore{MemoryStore: webhook.NewMemoryStore(0), seen: make(chan struct{}, 4*n)}
		h := webhook.Handler(kit.p, sink, &webhook.Options{Dedup: store})
		w := kit.valid(1)
		codes := make([]int, n)
		var wg sync.WaitGroup
		wg.Go(func() { codes[0] = serve(h, w.request()).Code })
		wait(t, entered, "the first delivery never reached the sink")
		for i := 1; i < n; i++ {
			wg.Go(func() { codes[i] = serve(h, w.request()).Code })
		}
		for range n { // every delivery asked the store before the first is released
			wait(t, store.seen, "a duplicate never asked the store")
		}
		close(release)
		wg.Wait()
		if calls.Load() != 1 || events.Load() != 1 {
			t.Fatalf("the sink was called %d times with %d events, want once with one", calls.Load(), events.Load())
		}
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("delivery %d answered %d, want 200", i, c)
			}
		}
	})
}

// A concurrent duplicate waits for the first delivery's outcome: when the sink fails it, the
// duplicate delivers the event itself rather than acknowledge an event nobody accepted.
func TestAbuseConcurrentDuplicateAfterFailure(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		entered, release := make(chan struct{}), make(chan struct{})
		var calls atomic.Int32
		sink := webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
			if calls.Add(1) == 1 {
				close(entered)
				<-release
				return errors.New("database down")
			}
			return nil
		})
		store := &signalStore{MemoryStore: webhook.NewMemoryStore(0), seen: make(chan struct{}, 8)}
		h := webhook.Handler(kit.p, sink, &webhook.Options{Dedup: store})
		w := kit.valid(1)
		var first, second int
		var wg sync.WaitGroup
		wg.Go(func() { first = serve(h, w.request()).Code })
		wait(t, entered, "the first delivery never reached the sink")
		wg.Go(func() { second = serve(h, w.request()).Code })
		wait(t, store.seen, "the first delivery's Seen")
		wait(t, store.seen, "the duplicate's Seen")
		close(release)
		wg.Wait()
		if first != http.StatusInternalServerError || second != http.StatusOK || calls.Load() != 2 {
			t.Fatalf("first %d, duplicate %d, sink calls %d; want 500, 200 and 2", first, second, calls.Load())
		}
	})
}

// endless is a body that never ends: it counts what was read.
type endless struct{ n atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.n.Add(int64(len(p)))
	return len(p), nil
}

func TestAbuseBodyLimits(t *testing.T) {
	const limit = 64 << 10
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		t.Run("over the limit by Content-Length", func(t *testing.T) {
			sink := &recSink{}
			body := &endless{}
			r := kit.valid(1).request()
			r.Body, r.ContentLength = io.NopCloser(body), limit+1
			w := serve(webhook.Handler(kit.p, sink, &webhook.Options{MaxBodyBytes: limit}), r)
			checkErrorResponse(t, w, http.StatusRequestEntityTooLarge)
			if body.n.Load() != 0 || sink.n() != 0 {
				t.Fatalf("read %d bytes and called the sink %d times before refusing", body.n.Load(), sink.n())
			}
		})
		t.Run("a body that never ends", func(t *testing.T) {
			sink := &recSink{}
			body := &endless{}
			r := kit.valid(1).request()
			r.Body, r.ContentLength = io.NopCloser(body), -1
			r.Header.Del("Content-Length")
			w := serve(webhook.Handler(kit.p, sink, &webhook.Options{MaxBodyBytes: limit}), r)
			checkErrorResponse(t, w, http.StatusRequestEntityTooLarge)
			if got := body.n.Load(); got > limit+1 || sink.n() != 0 {
				t.Fatalf("read %d bytes (limit %d) and called the sink %d times", got, limit, sink.n())
			}
			if w.Header().Get("Connection") != "close" {
				t.Errorf("Connection %q: the rest of the body is not drained, the connection must close", w.Header().Get("Connection"))
			}
		})
		t.Run("the default limit", func(t *testing.T) {
			body := &endless{}
			r := kit.valid(1).request()
			r.Body, r.ContentLength = io.NopCloser(body), -1
			checkErrorResponse(t, serve(webhook.Handler(kit.p, &recSink{}, nil), r), http.StatusRequestEntityTooLarge)
			if got := body.n.Load(); got > webhook.DefaultMaxBodyBytes+1 {
				t.Fatalf("read %d bytes, limit %d", got, webhook.DefaultMaxBodyBytes)
			}
		})
	})
}

func TestAbuseWrongMethod(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, "PROPFIND"} {
			sink := &recSink{}
			w := serve(webhook.Handler(kit.p, sink, nil), kit.valid(1).with(func(c *wire) { c.method = m }).request())
			checkErrorResponse(t, w, http.StatusMethodNotAllowed)
			if !strings.Contains(w.Header().Get("Allow"), http.MethodPost) || sink.n() != 0 {
				t.Fatalf("%s: Allow %q, %d sink calls", m, w.Header().Get("Allow"), sink.n())
			}
		}
	})
}

func TestAbuseContentType(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		for _, tc := range []struct {
			name, ct string
			want     int
		}{
			{"foreign", "text/plain; charset=utf-8", kit.foreignContentType},
			{"missing", "", http.StatusOK},
			{"multipart", "multipart/form-data; boundary=x", kit.foreignContentType},
		} {
			t.Run(tc.name, func(t *testing.T) {
				sink := &recSink{}
				w := kit.valid(1).with(func(c *wire) {
					if tc.ct == "" {
						c.header.Del("Content-Type")
					} else {
						c.header.Set("Content-Type", tc.ct)
					}
				})
				expectStatus(t, serve(webhook.Handler(kit.p, sink, nil), w.request()), tc.want)
				if (tc.want == http.StatusOK) != (sink.n() == 1) {
					t.Fatalf("%d sink calls", sink.n())
				}
			})
		}
	})
}

func TestAbusePayloads(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		valid := kit.valid(1).body
		bodies := map[string][]byte{
			payTruncated: valid[:len(valid)/2],
			payMalformed: []byte("\x00{\"results\":}=&%zz"),
			payNested:    []byte(strings.Repeat(`{"results":[`, 50000)),
			payItems:     kit.items(10000),
			payEmpty:     {},
		}
		for name, b := range kit.bodies {
			bodies[name] = b
		}
		for _, name := range []string{payTruncated, payMalformed, payNested, payItems, payEmpty} {
			t.Run(name, func(t *testing.T) {
				want, ok := kit.payload[name]
				if !ok {
					want = http.StatusBadRequest
				}
				if want == 0 {
					t.Skip(kit.why[name])
				}
				sink := &recSink{}
				var gotErr error
				h := webhook.Handler(kit.p, sink, &webhook.Options{MaxBodyBytes: 32 << 20, // the decoder, not the limit, meets the payload
					OnError: func(_ *http.Request, err error) { gotErr = err }})
				w := serve(h, kit.sign(bodies[name]).request())
				if w.Code != want {
					t.Fatalf("status %d, want %d (%s); cause: %v", w.Code, want, kit.why[name], gotErr)
				}
				expectStatus(t, w, want)
				if want != http.StatusOK && sink.n() != 0 {
					t.Fatalf("the sink saw a malformed callback")
				}
				for _, ev := range sink.last() {
					checkValidUTF8(t, ev)
				}
			})
		}
		t.Run("nested arrays", func(t *testing.T) {
			if _, ok := kit.payload[payNested]; ok {
				t.Skip(kit.why[payNested])
			}
			if _, ok := kit.bodies[payNested]; ok {
				t.Skip("the vendor's own nested payload ran above")
			}
			w := serve(webhook.Handler(kit.p, &recSink{}, nil), kit.sign([]byte(strings.Repeat("[", 200000))).request())
			checkErrorResponse(t, w, http.StatusBadRequest)
		})
	})
}

const utf8Marker = "ABUSE-MARKER-TEXT"

func checkValidUTF8(t *testing.T, ev sms.Event) {
	t.Helper()
	for _, s := range []string{ev.ID, ev.MessageID, ev.From, ev.To, ev.Body, ev.ErrorCode, ev.ErrorDescription,
		ev.Reference, ev.Keyword, ev.ScopeID, ev.RawStatus} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 reached the sink: %q", s)
		}
	}
}

func TestAbuseInvalidUTF8(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		in := kit.inbound(utf8Marker)
		bad := "\xff\xfe\xc3(" // stray bytes and a broken two-byte sequence
		if strings.HasPrefix(in.header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			bad = "%FF%FE%C3("
		}
		if !bytes.Contains(in.body, []byte(utf8Marker)) {
			t.Fatalf("the inbound body does not carry the text as is: %s", in.body)
		}
		body := bytes.ReplaceAll(in.body, []byte(utf8Marker), []byte(bad))
		signed := kit.sign(body)
		signed.header.Set("Content-Type", in.header.Get("Content-Type"))
		for k, v := range in.header { // the vendor's own headers (Event Grid's event type), auth from sign
			if signed.header.Get(k) == "" {
				signed.header[k] = v
			}
		}
		sink := &recSink{}
		var gotErr error
		h := webhook.Handler(kit.p, sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
		w := serve(h, signed.request())
		if w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200; cause %v", w.Code, gotErr)
		}
		if sink.n() != 1 || len(sink.last()) != 1 {
			t.Fatalf("the sink got %d calls", sink.n())
		}
		ev := sink.last()[0]
		checkValidUTF8(t, ev)
		if !strings.ContainsRune(ev.Body, utf8.RuneError) {
			t.Errorf("Body %q: the invalid bytes should be U+FFFD", ev.Body)
		}
	})
}

func TestAbuseSinkFails(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		sink := &recSink{err: errors.New("database down")}
		h := webhook.Handler(kit.p, sink, nil)
		w := kit.valid(1)
		checkErrorResponse(t, serve(h, w.request()), http.StatusInternalServerError)
		checkErrorResponse(t, serve(h, w.request()), http.StatusInternalServerError) // not marked seen
		sink.mu.Lock()
		sink.err = nil
		sink.mu.Unlock()
		expectSuccess(t, serve(h, w.request())) // the vendor's redelivery reaches the sink
		expectSuccess(t, serve(h, w.request())) // and is then seen
		if sink.n() != 3 {
			t.Fatalf("the sink was called %d times, want 3 (two failures, one success)", sink.n())
		}
	})
}

func TestAbuseSinkPanics(t *testing.T) {
	forEachVendor(t, func(t *testing.T, kit *abuseKit) {
		var calls atomic.Int32
		sink := webhook.SinkFunc(func(context.Context, []sms.Event) error {
			if calls.Add(1) == 1 {
				panic("application bug")
			}
			return nil
		})
		var gotErr error
		h := webhook.Handler(kit.p, sink, &webhook.Options{OnError: func(_ *http.Request, err error) { gotErr = err }})
		srv := httptest.NewServer(h) // a real server: it must keep serving
		defer srv.Close()
		w := kit.valid(1)
		do := func() int {
			req, err := http.NewRequest(w.method, srv.URL+w.request().RequestURI, bytes.NewReader(w.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = w.header.Clone()
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("the connection failed: %v", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return resp.StatusCode
		}
		if code := do(); code != http.StatusInternalServerError {
			t.Fatalf("a panicking sink answered %d, want 500", code)
		}
		if gotErr == nil || !strings.Contains(gotErr.Error(), "application bug") {
			t.Errorf("OnError got %v, want the panic", gotErr)
		}
		if code := do(); code != http.StatusOK || calls.Load() != 2 {
			t.Fatalf("the redelivery answered %d after %d sink calls; want 200 after 2 (nothing marked seen)", code, calls.Load())
		}
	})
}

// A copy of a request in flight whose vendor hangs up while it waits is answered 500 and takes
// nothing: the first delivery's outcome stands.
func TestAbuseConcurrentDuplicateGivesUp(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	sink := webhook.SinkFunc(func(context.Context, []sms.Event) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	})
	store := &signalStore{MemoryStore: webhook.NewMemoryStore(0), seen: make(chan struct{}, 8)}
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Dedup: store})
	body := envJSON(t, envelope{Events: []fakeEvent{{ID: "a", Type: "dlr"}}})
	var first int
	var wg sync.WaitGroup
	wg.Go(func() { first = serve(h, post(body)).Code })
	wait(t, entered, "the first delivery never reached the sink")
	wait(t, store.seen, "the first delivery's Seen")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- serve(h, post(body).WithContext(ctx)) }()
	wait(t, store.seen, "the duplicate's Seen")
	cancel()
	var second *httptest.ResponseRecorder
	select {
	case second = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("hang guard: the duplicate did not give up")
	}
	checkErrorResponse(t, second, http.StatusInternalServerError)
	close(release)
	wg.Wait()
	if first != http.StatusOK || calls.Load() != 1 {
		t.Fatalf("first %d, sink calls %d", first, calls.Load())
	}
	expectSuccess(t, serve(h, post(body))) // seen now
	if calls.Load() != 1 {
		t.Fatalf("sink calls %d after a retry of a delivered event", calls.Load())
	}
}

// A callback from outside LINK's published sources is refused 403 even with the right
// credentials (linkmobility.Config.CallbackSources).
func TestAbuseSourceNotAllowed(t *testing.T) {
	emu := linkmobilitytest.New(nil)
	p := must(linkmobility.New(linkmobility.Config{
		Username: linkmobilitytest.DefaultUsername, Password: sms.NewSecret(linkmobilitytest.DefaultPassword),
		PlatformID: linkmobilitytest.DefaultPlatformID, PlatformPartnerID: linkmobilitytest.DefaultPlatformPartnerID,
		BaseURL:      "https://abuse.link.example",
		CallbackUser: linkGateUser, CallbackPassword: sms.NewSecret(linkGatePassword),
		CallbackSources: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")},
	}, nil))
	gate := linkmobilitytest.Gate{URL: publicURL + "/sms/link", Username: linkGateUser, Password: linkGatePassword}
	w := fromRequest(t, emu.DeliveryReportRequest(gate, emu.NewReport("link-msg-1", "", 1, 1, sms.StatusDelivered, "")))
	sink := &recSink{}
	h := webhook.Handler(p, sink, nil)
	r := w.request()
	r.RemoteAddr = "203.0.113.9:4242"
	checkErrorResponse(t, serve(h, r), http.StatusForbidden)
	r = w.request()
	r.RemoteAddr = "198.51.100.7:4242"
	expectSuccess(t, serve(h, r))
	if sink.n() != 1 {
		t.Fatalf("%d sink calls, want 1", sink.n())
	}
}
