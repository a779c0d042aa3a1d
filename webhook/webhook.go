package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/smsbridge/sms"
)

// DefaultMaxBodyBytes is the body limit used when Options.MaxBodyBytes (or the maxBytes argument
// of Parse) is zero or negative: 1 MiB, far above any single-message callback. Raise it if you
// configure Event Grid batching with a preferred batch size near 1 MB, since a batch may exceed
// its preferred size by one event.
const DefaultMaxBodyBytes int64 = 1 << 20

// Errors reported by Parse and passed to Options.OnError. Compare with errors.Is.
var (
	// ErrTooLarge means the callback body is larger than the limit (answered 413).
	ErrTooLarge = errors.New("webhook: callback body too large")
	// ErrMethodNotAllowed means the request method is neither POST nor one the provider lists
	// in CallbackMethods (answered 405).
	ErrMethodNotAllowed = errors.New("webhook: method not allowed")
)

// Sink receives the events of one callback request. It is called at most once per request, with
// every new event of that request; returning an error makes the handler answer 5xx so that vendors
// that retry do.
//
// The context is the request's context. The sink owns the slice it is given and may keep it.
// HandleEvents may be called concurrently for different requests, but not with the same event
// at once by one handler (unless Options.Dedup is NoDedup). A panic in HandleEvents is
// recovered and answered 500, like an error: nothing is marked seen, so a retry reaches the
// sink again.
type Sink interface {
	HandleEvents(ctx context.Context, events []sms.Event) error
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(ctx context.Context, events []sms.Event) error

// HandleEvents calls f(ctx, events).
func (f SinkFunc) HandleEvents(ctx context.Context, events []sms.Event) error { return f(ctx, events) }

// Options configures Handler. The zero value (or a nil *Options) gives the defaults.
type Options struct {
	// MaxBodyBytes limits the callback body. Zero or negative means DefaultMaxBodyBytes
	// (1 MiB). A request whose Content-Length is larger is answered 413 without reading the
	// body; a body without Content-Length (chunked) is read up to the limit and answered 413
	// when it goes over.
	MaxBodyBytes int64
	// Dedup remembers which event ids the sink has accepted. Nil means a bounded in-memory
	// store, NewMemoryStore(10000), private to this handler; NoDedup turns de-duplication
	// across requests off. Share one Store between the handlers and replicas that may see
	// the same events.
	Dedup Store
	// Keywords classifies inbound events (opt-out, opt-in, help) with Keywords.Apply, once
	// per event: providers report only the vendor's own signals. Nil means
	// sms.DefaultKeywords().
	Keywords *sms.Keywords
	// KeywordsFor, if set, picks the keywords of one inbound event by the provider's name
	// and the number (or short code) the handset wrote to, Event.To as the provider
	// reported it (E.164 for a number): a sender that serves Brazil gets Portuguese words, a
	// Québec one French and English. A nil answer means Keywords. It is called once per
	// inbound event, before de-duplication, and must be safe for concurrent use.
	KeywordsFor func(provider, to string) *sms.Keywords
	// Consent, if set, is updated from the events the sink accepted (see "Consent" in the
	// package documentation): an opt-out event suppresses the handset for the sender it
	// wrote to, an opt-in lifts that, and a delivery report whose Code is
	// sms.CodeOptedOut suppresses its recipient for the sender of the message. Help
	// events change nothing. An *sms.Consent is one; give the Client the same one (or one
	// over the same store and scope) as its Suppressor.
	Consent ConsentRecorder
	// Parts folds the reports of the parts of a multipart message (Event.Part > 0) into
	// one message status (see PartState.Status and the package documentation). Nil means a
	// bounded in-memory store, NewMemoryPartStore(10000), private to this handler;
	// NoPartFold hands part reports on unfolded. Share one PartStore between the handlers
	// and replicas that may see reports of the same message.
	Parts PartStore
	// Logger receives one record per rejected or failed request (and debug records for
	// accepted ones). Nil means the provider's logger (sms.LoggerOf: a vendor's
	// Options.Logger, or a Client's), else silent. Bodies, URLs (which may carry a secret token) and
	// headers are never logged.
	Logger *slog.Logger
	// OnError, if set, is called for every request answered with an error status (4xx or
	// 5xx), with the cause: ErrMethodNotAllowed, ErrTooLarge, the provider's error, the
	// store's or the sink's error (a panic's value and stack). It runs before the response is
	// written and must not write to it.
	OnError func(r *http.Request, err error)
}

// handler is the http.Handler returned by Handler.
type handler struct {
	p        sms.Provider
	sink     Sink
	limit    int64
	store    Store
	parts    PartStore
	kw       sms.Keywords
	kwFor    func(provider, to string) *sms.Keywords
	consent  ConsentRecorder
	log      *slog.Logger
	onError  func(*http.Request, error)
	inflight inflight // ids being handed to the sink now
	extra    []string // methods other than POST passed to the provider
	allow    string   // the Allow header of a 405
	provider string   // p.Name(), for logs
}

// callbackMethoder is sms.CallbackMethoder: how a provider asks for methods other than POST
// (OPTIONS for the CloudEvents handshake, GET for vendors that report by query string).
type callbackMethoder = sms.CallbackMethoder

// Handler returns an http.Handler that verifies and decodes callbacks through p, classifies
// inbound keywords, drops events already seen, and hands the new ones to sink; with
// Options.Consent it then records opt-outs and opt-ins. See the package documentation for the
// status codes it answers.
//
// Handler panics if p or sink is nil. The methods a provider accepts besides POST are read once,
// here, from its CallbackMethods method (looked up through sms.Unwrapper when p wraps another
// provider).
func Handler(p sms.Provider, sink Sink, opts *Options) http.Handler {
	if p == nil {
		panic("webhook: Handler with a nil Provider")
	}
	if sink == nil {
		panic("webhook: Handler with a nil Sink")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	h := &handler{
		p:        p,
		sink:     sink,
		limit:    o.MaxBodyBytes,
		store:    o.Dedup,
		parts:    o.Parts,
		kw:       sms.DefaultKeywords(),
		log:      o.Logger,
		onError:  o.OnError,
		provider: p.Name(),
		kwFor:    o.KeywordsFor,
		consent:  o.Consent,
	}
	if h.log == nil {
		h.log = sms.LoggerOf(p)
	}
	if h.limit <= 0 {
		h.limit = DefaultMaxBodyBytes
	}
	if h.store == nil {
		h.store = NewMemoryStore(defaultCapacity)
	}
	if h.parts == nil {
		h.parts = NewMemoryPartStore(defaultPartCapacity)
	}
	if o.Keywords != nil {
		h.kw = *o.Keywords
	}
	allow := []string{http.MethodPost}
	if m := findCallbackMethods(p); m != nil {
		for _, method := range m.CallbackMethods() {
			if method == "" || method == http.MethodPost || contains(allow, method) {
				continue
			}
			allow = append(allow, method)
			h.extra = append(h.extra, method)
		}
	}
	h.allow = strings.Join(allow, ", ")
	return h
}

// findCallbackMethods returns the first provider in p's Unwrap chain that lists callback methods.
func findCallbackMethods(p sms.Provider) callbackMethoder {
	for i := 0; p != nil && i < 32; i++ { // bounded, in case of a cycle
		if m, ok := p.(callbackMethoder); ok {
			return m
		}
		u, ok := p.(sms.Unwrapper)
		if !ok {
			return nil
		}
		p = u.Unwrap()
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// 1. Method.
	if r.Method != http.MethodPost && !contains(h.extra, r.Method) {
		w.Header().Set("Allow", h.allow)
		h.fail(w, r, http.StatusMethodNotAllowed, ErrMethodNotAllowed)
		return
	}

	// 2. Body limit, and 3. verify then decode.
	cb, err := parse(r.Context(), h.p, w, r, h.limit, nil)
	if err != nil {
		code := StatusCode(err)
		if code == http.StatusRequestEntityTooLarge {
			// The rest of the body is not read: ask net/http to drop the connection
			// rather than drain it.
			w.Header().Set("Connection", "close")
		}
		h.fail(w, r, code, err)
		return
	}

	// 4. A protocol handshake is answered without the sink.
	if cb.Reply != nil && cb.Reply.Handshake {
		writeReply(w, cb.Reply)
		h.debug(r, "webhook: handshake answered", 0)
		return
	}

	// 5. Keywords, default ids and provider name, once per event; 6. drop events repeated
	// within the request or already seen.
	ctx := r.Context()
	gen := h.inflight.generation()
	events, ids, err := h.fresh(ctx, cb.Events)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("webhook: dedup store: %w", err))
		return
	}
	// 6b. Hold the new ids until the outcome is known, so that a copy of this request
	// arriving now waits for it rather than reaching the sink too (see inflight).
	if len(ids) > 0 && h.store != NoDedup {
		recheck, err := h.inflight.claim(ctx, ids, gen)
		if err != nil {
			h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("webhook: waiting for a concurrent delivery of the same events: %w", err))
			return
		}
		defer h.inflight.release(ids) // after Mark; unseen below never writes to this ids
		if recheck {
			if events, ids, err = h.unseen(ctx, events, ids); err != nil {
				h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("webhook: dedup store: %w", err))
				return
			}
		}
	}
	// The consent changes are planned now, before the fold (which drops a part report that
	// does not move its message's status, though its opt-out still counts) and before the
	// sink (which owns the events once called); they are applied once the sink accepted.
	var changes []consentChange
	if h.consent != nil {
		changes = planConsent(events, h.consentSkipper(ctx))
	}
	// 7. Fold part reports into message statuses.
	events, folded, err := h.fold(ctx, events)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("webhook: part store: %w", err))
		return
	}
	if len(events) > 0 {
		if err := h.handleEvents(ctx, events); err != nil {
			h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("webhook: sink: %w", err))
			return
		}
	}
	// Marking must survive a vendor that hung up once the sink had accepted.
	mctx := context.WithoutCancel(ctx)
	// 8. Consent, once the sink accepted and before the events are marked seen: a failure
	// answers 500 with nothing marked, so the vendor's retry brings the events back.
	if len(changes) > 0 {
		if err := applyConsent(mctx, h.consent, changes); err != nil {
			h.fail(w, r, http.StatusInternalServerError, fmt.Errorf("webhook: consent: %w", err))
			return
		}
	}
	if len(ids) > 0 {
		if err := h.store.Mark(mctx, ids); err != nil && h.log != nil {
			h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: marking events seen failed; they may be delivered again",
				slog.String("provider", h.provider), slog.Int("events", len(ids)), slog.Any("error", err))
		}
	}
	for _, f := range folded {
		if err := h.parts.SetFolded(mctx, f.key, f.status); err != nil && h.log != nil {
			h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: storing a folded status failed; it may be delivered again",
				slog.String("provider", h.provider), slog.Any("error", err))
		}
	}
	if cb.Reply != nil {
		writeReply(w, cb.Reply)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	h.debug(r, "webhook: callback accepted", len(events))
}

// handleEvents calls the sink, turning a panic into an error so that the vendor gets a 500 (and
// retries) rather than a broken connection, and nothing is marked seen. http.ErrAbortHandler
// is let through: it is net/http's way to abort a response on purpose.
func (h *handler) handleEvents(ctx context.Context, events []sms.Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return h.sink.HandleEvents(ctx, events)
}

// unseen asks the store again about ids, the ids of evs, and drops the events marked since
// fresh asked (by a concurrent copy of this request). It filters evs in place and returns ids
// itself when nothing was dropped, else a new slice: the caller still holds ids' claims.
func (h *handler) unseen(ctx context.Context, evs []sms.Event, ids []string) ([]sms.Event, []string, error) {
	var drop map[string]struct{}
	for _, id := range ids {
		seen, err := h.store.Seen(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		if seen {
			if drop == nil {
				drop = make(map[string]struct{})
			}
			drop[id] = struct{}{}
		}
	}
	if drop == nil {
		return evs, ids, nil
	}
	keep := make([]string, 0, len(ids)-len(drop))
	for _, id := range ids {
		if _, ok := drop[id]; !ok {
			keep = append(keep, id)
		}
	}
	out := evs[:0]
	for _, ev := range evs {
		if _, ok := drop[ev.ID]; !ok || ev.ID == "" {
			out = append(out, ev)
		}
	}
	return out, keep, nil
}

// fresh prepares each event of evs (see prepare), then returns those that are neither repeated
// earlier in evs nor already seen by the store, in order, and the non-empty ids among them. It
// filters evs in place.
func (h *handler) fresh(ctx context.Context, evs []sms.Event) ([]sms.Event, []string, error) {
	if len(evs) == 0 {
		return nil, nil, nil
	}
	var inReq map[string]struct{} // ids kept so far, for large batches only
	if len(evs) > 16 {
		inReq = make(map[string]struct{}, len(evs))
	}
	out := evs[:0]
	ids := make([]string, 0, len(evs))
	for i := range evs {
		ev := &evs[i]
		prepare(ev, h.provider, &h.kw, h.kwFor)
		if id := ev.ID; id != "" {
			if inReq != nil {
				if _, dup := inReq[id]; dup {
					continue
				}
			} else if contains(ids, id) {
				continue
			}
			seen, err := h.store.Seen(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			if seen {
				continue
			}
			ids = append(ids, id)
			if inReq != nil {
				inReq[id] = struct{}{}
			}
		}
		out = append(out, *ev)
	}
	if len(out) == 0 {
		return nil, nil, nil
	}
	return out, ids, nil
}

// prepare is the one place where an event is completed after the provider decoded it: its
// text fields made valid UTF-8 (see validUTF8), an empty Provider filled with name, keywords
// classified with kwFor's answer for the event's provider and To, else kw (Keywords.Apply
// never undoes a type the vendor set), and an empty ID filled with sms.EventID. The derived
// id uses the message id (with "$part" for a part report) or, when the event has none, its
// raw payload; an event with neither keeps an empty ID and is never de-duplicated.
func prepare(ev *sms.Event, name string, kw *sms.Keywords, kwFor func(provider, to string) *sms.Keywords) {
	validUTF8(ev)
	if ev.Provider == "" {
		ev.Provider = name
	}
	if kwFor != nil && ev.Type.IsInbound() {
		if k := kwFor(ev.Provider, ev.To); k != nil {
			kw = k
		}
	}
	kw.Apply(ev)
	if ev.ID != "" {
		return
	}
	key := ev.MessageID
	if key != "" && ev.Part > 0 {
		key += "$" + strconv.Itoa(ev.Part)
	}
	if key == "" {
		key = string(ev.Raw)
	}
	if key == "" {
		return
	}
	ev.ID = sms.EventID(ev.Provider, key, ev.RawStatus, ev.ErrorCode)
}

// validUTF8 replaces each invalid byte sequence in the event's text fields with U+FFFD, so an
// application (and the JSON it writes to a queue) only ever sees valid UTF-8; the vendor's
// bytes as received stay in Raw.
func validUTF8(ev *sms.Event) {
	for _, f := range [...]*string{&ev.ID, &ev.MessageID, &ev.From, &ev.To, &ev.Body,
		&ev.ErrorCode, &ev.ErrorDescription, &ev.Reference, &ev.Keyword, &ev.ScopeID, &ev.RawStatus} {
		if !utf8.ValidString(*f) {
			*f = strings.ToValidUTF8(*f, "\uFFFD")
		}
	}
	for i, u := range ev.MediaURLs {
		if !utf8.ValidString(u) {
			ev.MediaURLs[i] = strings.ToValidUTF8(u, "\uFFFD")
		}
	}
}

// foldedStatus is a folded message status to store once the sink accepted it.
type foldedStatus struct {
	key    string
	status sms.Status
}

// fold records each part report in the part store and keeps it only when the message's folded
// status moves forward (sms.Status.Supersedes), with Status set to the folded status; Part,
// Parts, RawStatus and the error fields stay those of the report that moved it. Other events
// pass unchanged. It filters evs in place.
func (h *handler) fold(ctx context.Context, evs []sms.Event) ([]sms.Event, []foldedStatus, error) {
	if h.parts == NoPartFold {
		return evs, nil, nil
	}
	out := evs[:0]
	var folded []foldedStatus
	for i := range evs {
		ev := evs[i]
		if ev.Type != sms.EventDeliveryReport || ev.Part <= 0 || ev.MessageID == "" {
			out = append(out, ev)
			continue
		}
		key := partKey(&ev)
		st, err := h.parts.AddPart(ctx, key, ev.Part, ev.Parts, ev.Status)
		if err != nil {
			return nil, nil, err
		}
		last := st.Folded
		for _, f := range folded { // an earlier part of this request moved it already
			if f.key == key && f.status.Supersedes(last) {
				last = f.status
			}
		}
		now := st.Status()
		if !now.Supersedes(last) {
			continue
		}
		ev.Status = now
		if ev.Parts < st.Parts {
			ev.Parts = st.Parts
		}
		out = append(out, ev)
		folded = append(folded, foldedStatus{key: key, status: now})
	}
	return out, folded, nil
}

// fail answers code with its generic status text and reports err.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, code int, err error) {
	if h.onError != nil {
		h.onError(r, err)
	}
	if h.log != nil {
		level := slog.LevelInfo
		if code >= 500 {
			level = slog.LevelError
		}
		h.log.LogAttrs(r.Context(), level, "webhook: callback rejected",
			slog.String("provider", h.provider), slog.String("method", r.Method),
			slog.Int("status", code), slog.Any("error", err))
	}
	http.Error(w, http.StatusText(code), code)
}

func (h *handler) debug(r *http.Request, msg string, n int) {
	if h.log != nil && h.log.Enabled(r.Context(), slog.LevelDebug) {
		h.log.LogAttrs(r.Context(), slog.LevelDebug, msg,
			slog.String("provider", h.provider), slog.String("method", r.Method), slog.Int("events", n))
	}
}

// writeReply writes a provider's reply exactly: its headers, content type, status (200 when
// zero) and body.
func writeReply(w http.ResponseWriter, rep *sms.Reply) {
	hdr := w.Header()
	for k, v := range rep.Header {
		hdr.Set(k, v)
	}
	if rep.ContentType != "" {
		hdr.Set("Content-Type", rep.ContentType)
	}
	hdr.Set("Content-Length", strconv.Itoa(len(rep.Body)))
	code := rep.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	if len(rep.Body) > 0 {
		_, _ = w.Write(rep.Body)
	}
}

// Parse reads the body of r (at most maxBytes; zero or negative means DefaultMaxBodyBytes) and
// has p verify, then decode it, for applications that route callbacks themselves and want no
// Sink. Each event is completed as Handler completes it, once: inbound keywords classified with
// sms.DefaultKeywords() (a type the vendor set, such as its own opt-out flag, is kept), an empty
// Provider set to p.Name() and an empty ID derived with sms.EventID. Parse does not check the
// method, de-duplicate, fold part reports (it keeps no state: each part comes back as its own
// event) or write a response; StatusCode maps its errors to the status Handler would answer.
//
// Errors: one wrapping ErrTooLarge when the body is over the limit (by Content-Length, before
// anything is read, or while reading); an *sms.Error with CodeInvalidArgument when the body
// could not be read; otherwise the provider's error as returned (errors.ErrUnsupported,
// CodeUnauthenticated, CodePermissionDenied, CodeInvalidArgument, …). A provider that returns
// neither a callback nor an error yields a CodeInternal error.
func Parse(ctx context.Context, p sms.Provider, r *http.Request, maxBytes int64) (*sms.Callback, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBodyBytes
	}
	kw := sms.DefaultKeywords()
	return parse(ctx, p, nil, r, maxBytes, &kw)
}

// parse reads the body through http.MaxBytesReader (w may be nil) and calls p.ParseCallback.
// When kw is not nil it prepares every event with it (Parse); Handler passes nil and prepares
// while filtering.
func parse(ctx context.Context, p sms.Provider, w http.ResponseWriter, r *http.Request, limit int64, kw *sms.Keywords) (*sms.Callback, error) {
	body, err := readBody(w, r, limit)
	if err != nil {
		return nil, err
	}
	cb, err := p.ParseCallback(ctx, r, body)
	if err != nil {
		return nil, err
	}
	if cb == nil {
		return nil, &sms.Error{Code: sms.CodeInternal, Provider: p.Name(), Message: "webhook: ParseCallback returned neither a callback nor an error"}
	}
	if kw != nil {
		name := p.Name()
		for i := range cb.Events {
			prepare(&cb.Events[i], name, kw, nil)
		}
	}
	return cb, nil
}

// readBody reads r.Body, at most limit bytes. It refuses a larger Content-Length without reading.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	size := int64(512)
	if r.ContentLength > 0 {
		size = r.ContentLength + 1 // +1: the final read that sees EOF needs no growth
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge(limit)
			}
			return nil, &sms.Error{Code: sms.CodeInvalidArgument, Message: "webhook: reading the callback body", Err: err}
		}
	}
}

func tooLarge(limit int64) error {
	return fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, limit)
}

// StatusCode returns the HTTP status Handler answers for an error from Parse (or one passed to
// Options.OnError before the sink ran): 200 for nil, 405 for ErrMethodNotAllowed, 413 for
// ErrTooLarge, 401 for CodeUnauthenticated, 403 for CodePermissionDenied, 400 for
// CodeInvalidArgument, 404 for errors.ErrUnsupported (a provider without callbacks), and 500 for
// anything else. The code of the outermost *sms.Error wins over an ErrUnsupported cause, so a
// verification failure stays a 401 or 403 whatever it wraps.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	}
	switch sms.ErrorCode(err) {
	case sms.CodeUnauthenticated:
		return http.StatusUnauthorized
	case sms.CodePermissionDenied:
		return http.StatusForbidden
	case sms.CodeInvalidArgument:
		return http.StatusBadRequest
	}
	if errors.Is(err, errors.ErrUnsupported) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}
