package emu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

	"github.com/smsbridge/sms/emulator"
)

// ControlPrefix starts the path of every control-API endpoint. Requests under it go to the
// ControlMux: they are not recorded and no fault applies to them.
const ControlPrefix = "/_emulator/"

// MaxControlBody bounds the JSON body ReadJSON accepts.
const MaxControlBody = 1 << 20

// IsControlPath reports whether a URL path belongs to the control API.
func IsControlPath(path string) bool {
	return path == strings.TrimSuffix(ControlPrefix, "/") || strings.HasPrefix(path, ControlPrefix)
}

// ControlMux routes the control API. Patterns are those of http.ServeMux, written relative
// to ControlPrefix: "GET /messages" serves GET /_emulator/messages. A pattern already under
// ControlPrefix is taken as is. It serves GET /_emulator/ itself: the list of its routes as
// JSON ([Route]). Every answer it gives on its own — an unknown path (404), a method the
// path does not serve (405, with Allow) — is JSON {"error": "…"}, as handlers answer
// with WriteError. It is safe for concurrent use.
type ControlMux struct {
	mux    *http.ServeMux
	mu     sync.Mutex
	routes []Route
}

// Route is one control-API endpoint, as GET /_emulator/ lists it.
type Route struct {
	Method string `json:"method"` // "" for any method
	Path   string `json:"path"`   // the full path, e.g. /_emulator/messages/{id}/status
	Doc    string `json:"doc"`    // what it does, in one line
}

// NewControlMux returns a ControlMux serving only GET /_emulator/.
func NewControlMux() *ControlMux {
	c := &ControlMux{mux: http.NewServeMux()}
	c.Route("GET /{$}", "this list of routes", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]any{"routes": c.Routes()})
	})
	return c
}

// Handle registers h for pattern ("[METHOD ]/path", relative to ControlPrefix). Like
// http.ServeMux.Handle it panics on an invalid or conflicting pattern.
func (c *ControlMux) Handle(pattern string, h http.Handler) {
	c.route(pattern, "", h)
}

// HandleFunc registers f for pattern; see Handle.
func (c *ControlMux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	c.route(pattern, "", http.HandlerFunc(f))
}

// Route registers f for pattern, as HandleFunc does, with a one-line description for the
// route list.
func (c *ControlMux) Route(pattern, doc string, f func(http.ResponseWriter, *http.Request)) {
	c.route(pattern, doc, http.HandlerFunc(f))
}

func (c *ControlMux) route(pattern, doc string, h http.Handler) {
	full := controlPattern(pattern)
	c.mux.Handle(full, h)
	method, path, ok := strings.Cut(full, " ")
	if !ok {
		method, path = "", full
	}
	path = strings.TrimSuffix(path, "{$}")
	c.mu.Lock()
	c.routes = append(c.routes, Route{Method: method, Path: path, Doc: doc})
	c.mu.Unlock()
}

// Routes returns the registered routes, sorted by path then method.
func (c *ControlMux) Routes() []Route {
	c.mu.Lock()
	out := slices.Clone(c.routes)
	c.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Route) int {
		if n := strings.Compare(a.Path, b.Path); n != 0 {
			return n
		}
		return strings.Compare(methodOrder(a.Method), methodOrder(b.Method))
	})
	return out
}

func methodOrder(m string) string {
	switch m {
	case http.MethodGet:
		return "1"
	case http.MethodPost:
		return "2"
	case http.MethodDelete:
		return "3"
	}
	return "4" + m
}

// ServeHTTP dispatches a control request; see ControlMux for the answers it gives itself.
func (c *ControlMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == strings.TrimSuffix(ControlPrefix, "/") {
		r2 := *r
		u := *r.URL
		u.Path = ControlPrefix
		r2.URL = &u
		r = &r2
	}
	h, pattern := c.mux.Handler(r)
	if pattern != "" {
		c.mux.ServeHTTP(w, r) // sets the path values Handler does not
		return
	}
	// Not found, method not allowed, or a redirect: ask the mux, answer in JSON.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	switch rec.Code {
	case http.StatusMethodNotAllowed:
		if allow := rec.Header().Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		WriteError(w, rec.Code, "method %s not allowed on %s (allowed: %s; GET %s lists the routes)", r.Method, r.URL.Path, rec.Header().Get("Allow"), ControlPrefix)
	case http.StatusNotFound:
		WriteError(w, rec.Code, "no control route %s %s (GET %s lists the routes)", r.Method, r.URL.Path, ControlPrefix)
	default:
		if loc := rec.Header().Get("Location"); loc != "" {
			w.Header().Set("Location", loc)
		}
		WriteError(w, rec.Code, "%s", http.StatusText(rec.Code))
	}
}

func controlPattern(p string) string {
	method, path, ok := strings.Cut(p, " ")
	if !ok {
		method, path = "", p
	}
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "/") {
		panic(fmt.Sprintf("emu: control pattern %q: path must start with /", p))
	}
	if !IsControlPath(path) {
		path = strings.TrimSuffix(ControlPrefix, "/") + path
	}
	if method == "" {
		return path
	}
	return method + " " + path
}

// ReadJSON decodes r's body, one JSON value of at most MaxControlBody bytes with no unknown
// fields, into v. On failure it writes a JSON error (400, or 413 when too large) and returns
// false, so a handler simply returns:
//
//	var in struct{ To, Body string }
//	if !emu.ReadJSON(w, r, &in) {
//		return
//	}
func ReadJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxControlBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			WriteError(w, http.StatusRequestEntityTooLarge, "body over %d bytes", MaxControlBody)
		} else {
			WriteError(w, http.StatusBadRequest, "reading body: %v", err)
		}
		return false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		WriteError(w, http.StatusBadRequest, "empty body: want JSON")
		return false
	}
	if err := strictUnmarshal(b, v); err != nil {
		WriteError(w, http.StatusBadRequest, "invalid JSON: %v", err)
		return false
	}
	return true
}

// strictUnmarshal decodes exactly one JSON value, refusing unknown fields.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "encoding response: %v", err)
		return
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// ErrorBody is the JSON shape of control-API errors.
type ErrorBody struct {
	Error string `json:"error"` // what was wrong, for people
}

// WriteError writes {"error": "…"} with the given status.
func WriteError(w http.ResponseWriter, status int, format string, args ...any) {
	b, _ := json.Marshal(ErrorBody{Error: fmt.Sprintf(format, args...)})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// FailureBody is the JSON shape of a control-API answer about callbacks that failed: the
// error, and the deliveries (as GET /_emulator/deliveries shows them).
type FailureBody struct {
	Error      string              `json:"error"`
	Deliveries []emulator.Delivery `json:"deliveries"`
}

// WriteFailure writes err: a *emulator.DeliveryError (the application answered outside
// 2xx, or could not be reached) as 502 Bad Gateway with a FailureBody, anything else as
// 409 Conflict {"error": "…"}.
func WriteFailure(w http.ResponseWriter, err error) {
	var de *emulator.DeliveryError
	if errors.As(err, &de) {
		WriteJSON(w, http.StatusBadGateway, FailureBody{Error: err.Error(), Deliveries: NonNil(de.Deliveries)})
		return
	}
	WriteError(w, http.StatusConflict, "%v", err)
}
