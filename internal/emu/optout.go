package emu

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/smsbridge/sms/emulator"
)

// OptOut is an opt-out list entry; see emulator.OptOut.
type OptOut = emulator.OptOut

// OptOuts is an emulator's opt-out list: pairs of sender (or vendor scope) and recipient,
// numbers compared by RecipientKey. It is safe for concurrent use.
type OptOuts struct {
	mu  sync.Mutex
	set map[[2]string]OptOut
}

func optOutKey(from, to string) [2]string {
	return [2]string{addressKey(from), addressKey(to)}
}

// addressKey compares phone numbers by their digits (RecipientKey) and anything else (an
// alphanumeric sender, a Messaging Service SID) case-insensitively as written.
func addressKey(a string) string {
	a = strings.TrimSpace(a)
	if a != "" && strings.Trim(a, "+0123456789 -().") == "" {
		return RecipientKey(a)
	}
	return strings.ToLower(a)
}

// Add records that to opted out of messages from from.
func (o *OptOuts) Add(from, to string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.set == nil {
		o.set = map[[2]string]OptOut{}
	}
	o.set[optOutKey(from, to)] = OptOut{From: strings.TrimSpace(from), To: strings.TrimSpace(to)}
}

// Remove forgets the opt-out of to from from and reports whether there was one.
func (o *OptOuts) Remove(from, to string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := optOutKey(from, to)
	_, ok := o.set[k]
	delete(o.set, k)
	return ok
}

// Has reports whether to opted out of messages from from.
func (o *OptOuts) Has(from, to string) bool {
	if from == "" || to == "" {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.set[optOutKey(from, to)]
	return ok
}

// List returns the opt-outs, sorted by sender then recipient.
func (o *OptOuts) List() []OptOut {
	o.mu.Lock()
	out := make([]OptOut, 0, len(o.set))
	for _, v := range o.set {
		out = append(out, v)
	}
	o.mu.Unlock()
	slices.SortFunc(out, func(a, b OptOut) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		return strings.Compare(a.To, b.To)
	})
	return out
}

// Reset forgets every opt-out.
func (o *OptOuts) Reset() {
	o.mu.Lock()
	o.set = nil
	o.mu.Unlock()
}

// Keyword returns the upper-case keyword a message body is, when it is exactly one of
// words once trimmed (case-insensitive, as carriers match STOP), else "".
func Keyword(body string, words []string) string {
	b := strings.ToUpper(strings.TrimSpace(body))
	if slices.Contains(words, b) {
		return b
	}
	return ""
}

// registerOptOuts serves the opt-out list under /_emulator/optouts.
func (s *Server) registerOptOuts() {
	c := s.Control
	c.Route("GET /optouts", `the opt-out list: [{"from","to"}], "from" the sender (or the vendor's scope of the block)`, func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, s.OptOuts.List())
	})
	c.Route("POST /optouts", `{"from","to"}: "to" opts out of messages from "from", as after an inbound STOP`, func(w http.ResponseWriter, r *http.Request) {
		var in OptOut
		if !ReadJSON(w, r, &in) {
			return
		}
		if strings.TrimSpace(in.From) == "" || strings.TrimSpace(in.To) == "" {
			WriteError(w, http.StatusBadRequest, "from and to are required")
			return
		}
		s.OptOuts.Add(in.From, in.To)
		WriteJSON(w, http.StatusOK, s.OptOuts.List())
	})
	c.Route("DELETE /optouts", `?from=…&to=…: opt back in, as after START (404 if not opted out); without both, clear the list`, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from, to := q.Get("from"), q.Get("to")
		if from == "" && to == "" {
			s.OptOuts.Reset()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if from == "" || to == "" {
			WriteError(w, http.StatusBadRequest, "give both from and to, or neither to clear the list")
			return
		}
		if !s.OptOuts.Remove(from, to) {
			WriteError(w, http.StatusNotFound, "%s has not opted out of %s", to, from)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
