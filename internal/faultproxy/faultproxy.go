package faultproxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Fault is what the proxy does to one request (see the package documentation).
type Fault int

// The faults. None forwards the request and its response untouched.
const (
	None            Fault = iota
	Refuse                // forward, close the connection, refuse the next dial
	ResetBefore           // reset the client connection before anything is forwarded
	ResetAfter            // forward, read the whole response, reset the client connection
	TooManyRequests       // answer 429 with Retry-After, nothing forwarded
	Unavailable           // answer 503, nothing forwarded
	InternalAfter         // forward, discard the response, answer 500
	Slow                  // forward, hold the response until the client closes
)

var faultNames = [...]string{
	None:            "none",
	Refuse:          "refused connection",
	ResetBefore:     "reset before forwarding",
	ResetAfter:      "reset after processing",
	TooManyRequests: "429 Retry-After",
	Unavailable:     "503 before accepting",
	InternalAfter:   "500 after accepting",
	Slow:            "slow response",
}

// String names the fault, e.g. "reset after processing".
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// Faults returns every fault except None, in declaration order.
func Faults() []Fault {
	return []Fault{Refuse, ResetBefore, ResetAfter, TooManyRequests, Unavailable, InternalAfter, Slow}
}

// Options configures a Proxy.
type Options struct {
	// Target is the server behind the proxy: a URL ("http://127.0.0.1:43121", as an
	// emulator's URL field gives it) or a host:port. Required.
	Target string
	// Script is the faults of the first requests, in order; after it the random plan
	// decides.
	Script []Fault
	// Rate is the probability that a request after the script meets a fault; 0 means none.
	Rate float64
	// Faults are the faults the random plan picks from, uniformly; nil means Faults().
	Faults []Fault
	// Seed seeds the random plan (math/rand/v2 PCG), so a run can be repeated.
	Seed uint64
	// RetryAfter is the Retry-After of the fabricated 429, sent in whole seconds (rounded
	// up); 0 means one second.
	RetryAfter time.Duration
	// TagHeader, if set, names a request header whose value the proxy copies into
	// Event.Tag and removes before forwarding: a client that numbers its attempts in it can
	// pair each attempt with what the proxy did to it, however late the proxy got to it.
	TagHeader string
	// OnEvent, if set, is called with every event as it is recorded, before the fault is
	// carried out (before the reset, the fabricated answer, the hold): a test's signal that
	// a request has arrived. It must not block.
	OnEvent func(Event)
}

// Event is one request the proxy read the start of, or one dial it refused.
type Event struct {
	Seq   int   // 1, 2, … in the order recorded
	Fault Fault // the fault applied; Refuse on a request means it armed the next dial's refusal
	// Dial is true for a refused dial (Fault is Refuse): an attempt that never reached the
	// proxy's listener.
	Dial     bool
	Method   string // the request's method; empty for a dial
	Path     string // the request's path; empty for a dial
	Tag      string // the value of Options.TagHeader; empty for a dial
	Upstream int    // the status the server answered; 0 when the request was not forwarded
	Status   int    // the status written to the client; 0 when none was (reset, held, refused)
}

// String describes the event in one line.
func (e Event) String() string {
	if e.Dial {
		return fmt.Sprintf("#%d dial refused", e.Seq)
	}
	tag := ""
	if e.Tag != "" {
		tag = " [" + e.Tag + "]"
	}
	return fmt.Sprintf("#%d %s %s%s: %s (server %d, client %d)", e.Seq, e.Method, e.Path, tag, e.Fault, e.Upstream, e.Status)
}

// Proxy is a running fault-injecting proxy on 127.0.0.1. Its methods are safe for
// concurrent use.
type Proxy struct {
	// URL is the proxy's base URL, http://127.0.0.1:<port>: give it to the client as the
	// server's base URL.
	URL string

	ln         net.Listener
	target     string
	retryAfter string
	faults     []Fault
	rate       float64
	tagHeader  string
	onEvent    func(Event)

	mu     sync.Mutex
	rng    *rand.Rand
	script []Fault
	armed  int // dials to refuse
	events []Event
	counts map[Fault]int
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// New starts a proxy on a loopback port in front of opts.Target. Close it when done.
func New(opts Options) (*Proxy, error) {
	target := opts.Target
	if strings.Contains(target, "://") {
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("faultproxy: target: %w", err)
		}
		if u.Scheme != "http" {
			return nil, fmt.Errorf("faultproxy: target scheme %q: only http is supported", u.Scheme)
		}
		target = u.Host
	}
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", opts.Target, err)
	}
	if opts.Rate < 0 || opts.Rate > 1 {
		return nil, fmt.Errorf("faultproxy: rate %v is not in [0, 1]", opts.Rate)
	}
	faults := opts.Faults
	if faults == nil {
		faults = Faults()
	}
	for _, f := range append(faults[:len(faults):len(faults)], opts.Script...) {
		if f < None || f > Slow {
			return nil, fmt.Errorf("faultproxy: unknown %v", f)
		}
	}
	if opts.Rate > 0 && len(faults) == 0 {
		return nil, errors.New("faultproxy: a rate without faults to pick from")
	}
	secs := int64(1)
	if opts.RetryAfter > 0 {
		secs = int64((opts.RetryAfter + time.Second - 1) / time.Second)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{
		URL:        "http://" + ln.Addr().String(),
		ln:         ln,
		target:     target,
		retryAfter: strconv.FormatInt(secs, 10),
		faults:     faults,
		rate:       opts.Rate,
		tagHeader:  opts.TagHeader,
		onEvent:    opts.OnEvent,
		rng:        rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		script:     append([]Fault(nil), opts.Script...),
		counts:     map[Fault]int{},
		conns:      map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// DialContext dials addr, unless a request that drew Refuse armed a refusal: then it
// refuses this dial with syscall.ECONNREFUSED (in a *net.OpError, as a refused TCP connect
// returns it) without touching the network. Give it to the client's http.Transport
// (Transport does).
func (p *Proxy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	p.mu.Lock()
	if p.armed > 0 {
		p.armed--
		ev := p.recordLocked(Event{Fault: Refuse, Dial: true})
		p.mu.Unlock()
		p.notify(ev)
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	p.mu.Unlock()
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// Transport returns a new http.Transport like http.DefaultTransport (without an
// environment proxy) that dials through DialContext.
func (p *Proxy) Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = p.DialContext
	return t
}

// Events returns what happened so far, in order.
func (p *Proxy) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// Counts returns how many times each fault was met: a Refuse is counted when a dial is
// refused, every other fault when it is applied to a request. None counts the requests
// forwarded untouched (those that armed a refusal included).
func (p *Proxy) Counts() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Fault]int, len(p.counts))
	for f, n := range p.counts {
		out[f] = n
	}
	return out
}

// Close stops the proxy: it closes the listener and every connection, held ones included,
// and waits for its goroutines. It is safe to call more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	err := p.ln.Close()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		if !p.track(c) {
			_ = c.Close()
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// track registers c so that Close closes it; false when the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) forget(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

// draw picks the fault of the next request.
func (p *Proxy) draw() Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.script) > 0 {
		f := p.script[0]
		p.script = p.script[1:]
		return f
	}
	if p.rate > 0 && p.rng.Float64() < p.rate {
		return p.faults[p.rng.IntN(len(p.faults))]
	}
	return None
}

// record appends ev (numbering it) and counts its fault; Refuse on a request arms a refusal.
func (p *Proxy) record(ev Event) {
	p.mu.Lock()
	ev = p.recordLocked(ev)
	p.mu.Unlock()
	p.notify(ev)
}

func (p *Proxy) recordLocked(ev Event) Event {
	ev.Seq = len(p.events) + 1
	p.events = append(p.events, ev)
	switch {
	case ev.Fault == Refuse && !ev.Dial:
		p.armed++
		p.counts[None]++
	default:
		p.counts[ev.Fault]++
	}
	return ev
}

func (p *Proxy) notify(ev Event) {
	if p.onEvent != nil {
		p.onEvent(ev)
	}
}

// upstream is the proxy's connection to the target for one client connection.
type upstream struct {
	conn net.Conn
	br   *bufio.Reader
}

// serve handles one client connection: one request at a time, each with its own fault.
func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	defer p.forget(c)
	var up *upstream
	defer func() {
		if up != nil {
			p.forget(up.conn)
		}
	}()
	br := bufio.NewReader(c)
	bw := bufio.NewWriter(c)
	for {
		if _, err := br.Peek(1); err != nil {
			return // the client closed the connection
		}
		f := p.draw()
		req, err := http.ReadRequest(br) // the head only: the body stays unread
		if err != nil {
			return // not HTTP/1.1 the proxy understands
		}
		ev := Event{Fault: f, Method: req.Method, Path: req.URL.Path}
		if p.tagHeader != "" {
			ev.Tag = req.Header.Get(p.tagHeader)
			req.Header.Del(p.tagHeader)
		}
		switch f {
		case ResetBefore:
			p.record(ev)
			reset(c)
			return
		case TooManyRequests, Unavailable:
			_, _ = io.Copy(io.Discard, req.Body)
			_ = req.Body.Close()
			ev.Status = http.StatusTooManyRequests
			if f == Unavailable {
				ev.Status = http.StatusServiceUnavailable
			}
			p.record(ev)
			if p.fabricate(bw, req, ev.Status, req.Close) != nil || req.Close {
				return
			}
			continue
		}

		if up == nil {
			if up, err = p.dialUpstream(); err != nil {
				ev.Fault, ev.Status = None, http.StatusBadGateway
				p.record(ev)
				_ = p.fabricate(bw, req, http.StatusBadGateway, true)
				return
			}
		}
		resp, body, err := forward(up, req)
		if err != nil {
			ev.Status = http.StatusBadGateway
			p.record(ev)
			_ = p.fabricate(bw, req, http.StatusBadGateway, true)
			return
		}
		ev.Upstream = resp.StatusCode
		if resp.Close {
			p.forget(up.conn)
			up = nil
		}
		switch f {
		case ResetAfter:
			p.record(ev)
			reset(c)
			return
		case Slow:
			p.record(ev)
			// Hold the response until the client gives up and closes (or Close does).
			_, _ = io.Copy(io.Discard, c)
			return
		case InternalAfter:
			ev.Status = http.StatusInternalServerError
			p.record(ev)
			if p.fabricate(bw, req, ev.Status, req.Close) != nil || req.Close {
				return
			}
			continue
		}
		// None, or Refuse: the request that arms the refusal goes through untouched, on a
		// connection that closes after it so that the client must dial again.
		ev.Status = resp.StatusCode
		p.record(ev) // arms the refusal before the client can read the answer and dial
		closing := req.Close || f == Refuse
		out := &http.Response{
			Status:        resp.Status,
			StatusCode:    resp.StatusCode,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        resp.Header,
			ContentLength: int64(len(body)),
			Body:          io.NopCloser(bytes.NewReader(body)),
			Close:         closing,
			Request:       req,
		}
		out.Header.Del("Connection")
		out.Header.Del("Transfer-Encoding")
		if out.Write(bw) != nil || bw.Flush() != nil || closing {
			return
		}
	}
}

func (p *Proxy) dialUpstream() (*upstream, error) {
	d := net.Dialer{Timeout: 30 * time.Second} // hang guard
	conn, err := d.Dial("tcp", p.target)
	if err != nil {
		return nil, err
	}
	if !p.track(conn) {
		_ = conn.Close()
		return nil, net.ErrClosed
	}
	return &upstream{conn: conn, br: bufio.NewReader(conn)}, nil
}

// forward writes req to the server and reads its whole response.
func forward(up *upstream, req *http.Request) (*http.Response, []byte, error) {
	req.Header.Del("Expect") // the whole body is already here
	if err := req.Write(up.conn); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(up.br, req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// fabricate writes the proxy's own answer with status, as a gateway in front of the server
// would: a short text body, Retry-After on a 429, "Connection: close" when closing.
func (p *Proxy) fabricate(bw *bufio.Writer, req *http.Request, status int, closing bool) error {
	body := http.StatusText(status) + "\n"
	h := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", p.retryAfter)
	}
	resp := &http.Response{
		StatusCode:    status,
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		ContentLength: int64(len(body)),
		Body:          io.NopCloser(strings.NewReader(body)),
		Close:         closing,
		Request:       req,
	}
	if err := resp.Write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// reset closes c with a TCP RST.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
