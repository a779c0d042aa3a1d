package emu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

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
// ControlPrefix is taken as is. It is safe for concurrent use.
type ControlMux struct {
	mux *http.ServeMux
}

// NewControlMux returns an empty ControlMux.
func NewControlMux() *ControlMux { return &ControlMux{mux: http.NewServeMux()} }

// Handle registers h for pattern ("[METHOD ]/path", relative to ControlPrefix). Like
// http.ServeMux.Handle it panics on an invalid or conflicting pattern.
func (c *ControlMux) Handle(pattern string, h http.Handler) {
	c.mux.Handle(controlPattern(pattern), h)
}

// HandleFunc registers f for pattern; see Handle.
func (c *ControlMux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	c.mux.HandleFunc(controlPattern(pattern), f)
}

// ServeHTTP dispatches a control request.
func (c *ControlMux) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

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
