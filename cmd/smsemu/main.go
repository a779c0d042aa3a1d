package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	emukit "github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the emulators stopped on their own (a listener failed, stdout closed)
	exitUsage   = 2 // bad flags, or a listener could not be bound
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the process at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is the parsed command line.
type config struct {
	addr            string
	portsFrom       optionalInt
	credentials     map[string]map[string]*string // vendor → credential key → value
	inbound         targets
	statusCallback  targets
	vendorFlags     map[string]any          // vendor → what its flags function returned
	vendors         map[string]vendorConfig // vendor → its checked configuration, BaseURL empty
	shutdownTimeout time.Duration
	verbose         bool
	exitOnStdin     bool // -exit-on-stdin-close
	exitWithParent  bool // -exit-with-parent
}

// procEnv is what smsemu watches of its process: its stdin, its parent. Tests stand in
// for them.
type procEnv struct {
	stdin   io.Reader
	getppid func() int
	tick    time.Duration // how often the parent is checked
}

// realEnv is the process's own.
var realEnv = procEnv{stdin: os.Stdin, getppid: os.Getppid, tick: time.Second}

// info is a vendor's entry in the first line and the body of GET /_emulator/info.
type info struct {
	BaseURL     string            `json:"base_url"`
	Credentials map[string]string `json:"credentials"`
}

// startup is the first line smsemu writes to stdout.
type startup struct {
	Vendors map[string]info `json:"vendors"`
}

// running is one vendor's emulator being served.
type running struct {
	vendor *vendor
	ln     net.Listener
	emu    *emulator
	srv    *http.Server
	info   info
}

// listenFunc binds a listener, as net.ListenConfig.Listen does.
type listenFunc func(ctx context.Context, network, address string) (net.Listener, error)

// run is smsemu: it serves every registered emulator until ctx is done and returns the
// exit code. The first line on stdout is the startup JSON; everything else goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var lc net.ListenConfig
	return serve(ctx, args, stdout, stderr, lc.Listen)
}

// serve is run with the listeners bound by listen (tests observe and stand in for the
// ports).
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, listen listenFunc) int {
	return serveEnv(ctx, args, stdout, stderr, listen, realEnv)
}

// serveEnv is serve watching env's stdin and parent.
func serveEnv(ctx context.Context, args []string, stdout, stderr io.Writer, listen listenFunc, env procEnv) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "smsemu: %v (see smsemu -help)\n", redactURLs(oneLine(err)))
		return exitUsage
	}
	logger := log.New(stderr, "smsemu: ", 0)
	ctx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	if cfg.exitOnStdin {
		go func() {
			_, _ = io.Copy(io.Discard, env.stdin) // until EOF or an error: the parent is gone
			if ctx.Err() == nil {
				logger.Printf("stdin closed")
				stopWatching()
			}
		}()
	}
	if cfg.exitWithParent {
		parent := env.getppid()
		go func() {
			t := time.NewTicker(env.tick)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if env.getppid() != parent { // re-parented: the parent died
						logger.Printf("the parent process (%d) is gone", parent)
						stopWatching()
						return
					}
				}
			}
		}()
	}

	// Bind every listener before anything is announced.
	var rs []*running
	closeAll := func() {
		for _, r := range rs {
			if r.ln != nil {
				r.ln.Close()
			}
			if r.emu != nil {
				r.emu.close()
			}
		}
	}
	for i := range vendors {
		v := &vendors[i]
		port := v.port
		if cfg.portsFrom.set {
			port = 0
			if cfg.portsFrom.n > 0 {
				port = cfg.portsFrom.n + i
			}
		}
		ln, err := listen(ctx, "tcp", net.JoinHostPort(cfg.addr, strconv.Itoa(port)))
		if err != nil {
			closeAll()
			fmt.Fprintf(stderr, "smsemu: %s: %v\n", v.name, oneLine(err))
			return exitUsage
		}
		rs = append(rs, &running{vendor: v, ln: ln})
	}

	// Build the emulators, now that their URLs are known.
	first := startup{Vendors: map[string]info{}}
	for _, r := range rs {
		base := "http://" + advertised(r.ln.Addr(), cfg.addr)
		vc := cfg.vendors[r.vendor.name]
		vc.BaseURL = base
		e, err := r.vendor.start(vc)
		if err != nil {
			closeAll()
			fmt.Fprintf(stderr, "smsemu: %s: %v\n", r.vendor.name, oneLine(err))
			return exitUsage
		}
		r.emu = e
		r.info = info{BaseURL: base, Credentials: e.credentials}
		first.Vendors[r.vendor.name] = r.info
		var h http.Handler = withInfo(r.info, e.handler)
		if cfg.verbose {
			h = withLog(logger, r.vendor.name, h)
		}
		r.srv = &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.New(stderr, "smsemu: "+r.vendor.name+": ", 0),
		}
	}

	served := make(chan error, len(rs))
	serving := len(rs) // Serve calls that have not returned
	for _, r := range rs {
		go func() {
			err := r.srv.Serve(r.ln)
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
			}
			if err != nil {
				err = fmt.Errorf("%s: %w", r.vendor.name, err)
			}
			served <- err
		}()
	}

	code := exitOK
	line, _ := json.Marshal(first)
	if _, err := stdout.Write(append(line, '\n')); err != nil {
		logger.Printf("writing the startup line: %v", oneLine(err))
		code = exitFailure
	} else {
		for _, r := range rs {
			logger.Printf("%s emulator on %s (control API: %s/_emulator/)", r.vendor.name, r.info.BaseURL, r.info.BaseURL)
		}
		select {
		case <-ctx.Done():
			logger.Printf("shutting down")
		case err := <-served:
			serving--
			if err != nil {
				logger.Printf("%v", oneLine(err))
				code = exitFailure
			}
		}
	}

	// Stop accepting, let requests in flight finish, then stop pending callbacks.
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	for _, r := range rs {
		if err := r.srv.Shutdown(sctx); err != nil {
			logger.Printf("%s: %v; closing connections", r.vendor.name, err)
			r.srv.Close()
		}
	}
	// Serve closes its listener as it returns, which may come after Shutdown: wait, so
	// that no port is still bound once run returns.
	for ; serving > 0; serving-- {
		<-served
	}
	for _, r := range rs {
		r.emu.close()
	}
	return code
}

// parseFlags parses args. It returns flag.ErrHelp after writing the usage to stderr when
// asked for help, and otherwise writes nothing.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{credentials: map[string]map[string]*string{}, inbound: targets{}, statusCallback: targets{},
		vendorFlags: map[string]any{}, vendors: map[string]vendorConfig{}}
	fs := flag.NewFlagSet("smsemu", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1", "`address` (IP or host name) every emulator listens on")
	fs.Var(&cfg.portsFrom, "ports-from", "serve the vendors on consecutive ports from `N`, in the order of the table above;\n0 lets the OS choose a free port for each (default: each vendor's fixed port)")
	fs.Var(&cfg.inbound, "inbound", "the account-level inbound-message webhook of a vendor, as `vendor=URL` (repeatable);\nfor acs, its Event Grid subscription (see -event-grid)")
	fs.Var(&cfg.statusCallback, "status-callback", "the account-level delivery-report webhook of a vendor, as `vendor=URL` (repeatable);\nfor acs, its Event Grid subscription (see -event-grid)")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 5*time.Second, "how long requests in flight may take to finish on SIGINT or SIGTERM")
	fs.BoolVar(&cfg.verbose, "v", false, "log every request to stderr")
	fs.BoolVar(&cfg.exitOnStdin, "exit-on-stdin-close", false, "stop, as on SIGTERM, when stdin reaches end of file: run from Node, Python or a shell with\nstdin a pipe, smsemu stops when the parent closes it or dies, even under go run")
	fs.BoolVar(&cfg.exitWithParent, "exit-with-parent", false, "stop, as on SIGTERM, when the parent process dies (checked every second);\nunder go run the parent is the go command")
	for _, v := range vendors {
		cfg.credentials[v.name] = map[string]*string{}
		for _, c := range v.credentials {
			cfg.credentials[v.name][c.key] = fs.String(v.name+"-"+c.flag, c.def, c.usage)
		}
		if v.flags != nil {
			cfg.vendorFlags[v.name] = v.flags(fs)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stderr, fs, cfg)
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.portsFrom.set && cfg.portsFrom.n > 0 && cfg.portsFrom.n+len(vendors)-1 > 65535 {
		return nil, fmt.Errorf("-ports-from %d: the %d vendors need ports up to %d, over 65535", cfg.portsFrom.n, len(vendors), cfg.portsFrom.n+len(vendors)-1)
	}
	if cfg.shutdownTimeout <= 0 {
		return nil, fmt.Errorf("-shutdown-timeout must be positive")
	}
	for _, v := range vendors {
		for _, c := range v.credentials {
			if *cfg.credentials[v.name][c.key] == "" {
				return nil, fmt.Errorf("-%s-%s must not be empty", v.name, c.flag)
			}
		}
	}
	for _, v := range vendors {
		vc := vendorConfig{
			Credentials:    map[string]string{},
			InboundURL:     cfg.inbound[v.name],
			StatusCallback: cfg.statusCallback[v.name],
			Flags:          cfg.vendorFlags[v.name],
		}
		for key, val := range cfg.credentials[v.name] {
			vc.Credentials[key] = *val
		}
		if v.check != nil {
			if err := v.check(&vc); err != nil {
				return nil, err
			}
		}
		cfg.vendors[v.name] = vc
	}
	return cfg, nil
}

func usage(w io.Writer, fs *flag.FlagSet, cfg *config) {
	fmt.Fprintf(w, `Usage: smsemu [flags]

smsemu serves the SMS vendor emulators of github.com/smsbridge/sms, each on its own port,
for applications and tests that are not written in Go. Its first line on stdout is one
JSON object giving each vendor's base URL and credentials:

  {"vendors":{"acs":{"base_url":"http://127.0.0.1:4020","credentials":{...}},
   "twilio":{"base_url":"http://127.0.0.1:4010","credentials":{...}}}}

written once every port is bound; logs go to stderr. SIGINT or SIGTERM stops it. The
control API of each emulator is under /_emulator/ on the vendor's port.

Vendors and default ports:

`)
	for _, p := range defaultPorts {
		state := "available"
		if _, ok := lookupVendor(p.name); !ok {
			state = "reserved, not available yet"
		}
		fmt.Fprintf(w, "  %-13s %d  %s\n", p.name, p.port, state)
	}
	fmt.Fprintf(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	for _, v := range vendors {
		routes, err := controlRoutes(&v, cfg)
		if err != nil {
			continue
		}
		fmt.Fprintf(w, "\nControl API of %s (on its port; GET /_emulator/ lists it as JSON):\n\n", v.name)
		for _, r := range routes {
			m := r.Method
			if m == "" {
				m = "*"
			}
			fmt.Fprintf(w, "  %-6s %-32s %s\n", m, r.Path, r.Doc)
		}
	}
}

// controlRoutes starts v's emulator with its defaults, unserved, and asks it for its
// control routes (GET /_emulator/), as a client would.
func controlRoutes(v *vendor, cfg *config) ([]emu.Route, error) {
	vc := vendorConfig{BaseURL: "http://127.0.0.1:0", Credentials: map[string]string{}, Flags: cfg.vendorFlags[v.name]}
	for _, c := range v.credentials {
		vc.Credentials[c.key] = c.def
	}
	if v.check != nil {
		if err := v.check(&vc); err != nil {
			return nil, err
		}
	}
	e, err := v.start(vc)
	if err != nil {
		return nil, err
	}
	defer e.close()
	return listRoutes(e.handler)
}

// listRoutes asks an emulator's handler for its control routes (GET /_emulator/) and adds
// smsemu's GET /_emulator/info.
func listRoutes(h http.Handler) ([]emu.Route, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, emu.ControlPrefix, nil))
	var out struct {
		Routes []emu.Route `json:"routes"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		return nil, err
	}
	routes := []emu.Route{}
	for i, r := range out.Routes {
		routes = append(routes, r)
		if i == 0 {
			routes = append(routes, infoRoute)
		}
	}
	return routes, nil
}

// optionalInt is an int flag that knows whether it was given.
type optionalInt struct {
	n   int
	set bool
}

func (o *optionalInt) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.Itoa(o.n)
}

func (o *optionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a port number")
	}
	if n < 0 || n > 65535 {
		return errors.New("want 0 (free ports) or a port from 1 to 65535")
	}
	o.n, o.set = n, true
	return nil
}

// targets is a repeatable vendor=URL flag.
type targets map[string]string

func (t targets) String() string {
	var parts []string
	for k, v := range t {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func (t targets) Set(s string) error {
	name, raw, ok := strings.Cut(s, "=")
	name = strings.ToLower(strings.TrimSpace(name))
	if !ok || name == "" || raw == "" {
		return errors.New("want vendor=URL")
	}
	if _, ok := lookupVendor(name); !ok {
		var names []string
		for _, v := range vendors {
			names = append(names, v.name)
		}
		if reserved(name) {
			return fmt.Errorf("vendor %q has no emulator yet (available: %s)", name, strings.Join(names, ", "))
		}
		return fmt.Errorf("unknown vendor %q (available: %s)", name, strings.Join(names, ", "))
	}
	if _, dup := t[name]; dup {
		return fmt.Errorf("%s given twice", name)
	}
	norm, err := checkWebhookURL(raw)
	if err != nil {
		return err
	}
	t[name] = norm
	return nil
}

// checkWebhookURL checks an application's webhook URL and returns it with "/" for an
// empty path.
func checkWebhookURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // without the URL, which may hold a token
		}
		return "", fmt.Errorf("bad URL %q: %v", emukit.RedactURL(raw), err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("URL %q: want an absolute http:// or https:// URL", emukit.RedactURL(raw))
	}
	if u.Path == "" && u.Opaque == "" {
		// An HTTP client requests "/" for an empty path, and Twilio-style signatures cover
		// the URL as requested: sign what the webhook will see.
		u.Path = "/"
		raw = u.String()
	}
	return raw, nil
}

// advertised is the host:port clients should use for a listener bound to addr: its IP,
// or loopback for an unspecified address (0.0.0.0, ::), where any local IP would do.
func advertised(a net.Addr, addr string) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
		if parsed := net.ParseIP(strings.Trim(addr, "[]")); parsed != nil && parsed.To4() == nil {
			ip = net.IPv6loopback
		}
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// infoRoute is GET /_emulator/info in the route list.
var infoRoute = emu.Route{Method: http.MethodGet, Path: emu.ControlPrefix + "info", Doc: "this vendor's entry of smsemu's first line: base_url and credentials"}

// withInfo serves GET /_emulator/info (the vendor's entry of the startup line), adds it to
// the route list of GET /_emulator/, and passes everything else to the emulator.
func withInfo(in info, next http.Handler) http.Handler {
	path := emu.ControlPrefix + "info"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == emu.ControlPrefix && r.Method == http.MethodGet {
			if routes, err := listRoutes(next); err == nil {
				emu.WriteJSON(w, http.StatusOK, map[string]any{"routes": routes})
				return
			}
		}
		if r.URL.Path != path {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			emu.WriteError(w, http.StatusMethodNotAllowed, "method %s not allowed", r.Method)
			return
		}
		emu.WriteJSON(w, http.StatusOK, in)
	})
}

// withLog logs each request with its status and duration.
func withLog(l *log.Logger, name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := strconv.Itoa(sw.status)
			if sw.status == 0 {
				status = "-" // no answer: the connection was reset or the client went away
			}
			l.Printf("%s: %s %s %s %s", name, r.Method, r.URL.RequestURI(), status, time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter records the status written. Unwrap lets http.ResponseController reach the
// connection, which the emulators hijack to inject connection resets.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// quoted and bareURL find what redactURLs looks at: Go-quoted strings (the flag package
// quotes a rejected value) and URLs written as they are.
var (
	quoted  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	bareURL = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s"]+`)
)

// redactURLs hides the secrets of the webhook URLs a message names — their query values
// (?token=…) and userinfo passwords — with emukit.RedactURL: flag errors quote the value
// they reject, and a webhook URL carries its shared secret.
func redactURLs(msg string) string {
	msg = quoted.ReplaceAllStringFunc(msg, func(q string) string {
		v, err := strconv.Unquote(q)
		i := strings.Index(v, "://")
		if err != nil || i < 0 {
			return q
		}
		start := strings.LastIndexFunc(v[:i], func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+.-", r))
		}) + 1
		return strconv.Quote(v[:start] + emukit.RedactURL(v[start:])) // a whole value: "vendor=URL" or a URL
	})
	return bareURL.ReplaceAllStringFunc(msg, emukit.RedactURL)
}

// oneLine keeps an error message on one line, as the exit contract promises.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
