package acstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// optOutAPIVersions are those that have the Opt-Out Management API (vendors/acs.md §2.7:
// 2024-12-10-preview and later, stable from 2025-09-17).
var optOutAPIVersions = []string{"2024-12-10-preview", "2025-05-29-preview", "2025-08-01-preview", "2025-09-17", "2026-01-23"}

// InvalidOptOutRecipientMessage is the errorMessage of an opt-out API recipient whose number
// is malformed (the spec's OptOutCheck example).
const InvalidOptOutRecipientMessage = "Invalid recipient phone number format"

// optOutItem is one recipient's answer of the Opt-Out Management API.
type optOutItem struct {
	To             string `json:"to"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	IsOptedOut     *bool  `json:"isOptedOut,omitempty"`
	ErrorMessage   string `json:"errorMessage,omitempty"`
}

// optOuts serves POST /sms/optouts:add, :remove and :check: {"from", "recipients": [{"to"}]}
// (1 to 100) answered 200 {"value": [{"to", "httpStatusCode", "isOptedOut", "errorMessage"}]}
// per recipient. The entries are the emulator's opt-out list, which an inbound STOP also
// fills.
func (s *Server) optOuts(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, body, ok := s.acceptJSON(w, r, optOutAPIVersions)
		if !ok {
			return
		}
		var req struct {
			From       *string `json:"from"`
			Recipients []struct {
				To *string `json:"to"`
			} `json:"recipients"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&req); err != nil || dec.More() {
			s.writeValidation(w, map[string][]string{"$": {"The request body is not valid JSON."}})
			return
		}
		errs := map[string][]string{}
		switch {
		case req.From == nil || strings.TrimSpace(*req.From) == "":
			errs["From"] = []string{"The From field is required."}
		case !validFrom(*req.From):
			errs["From"] = []string{"Invalid From phone number format."}
		}
		switch n := len(req.Recipients); {
		case n < 1:
			errs["Recipients"] = []string{"The field Recipients must be a string or array type with a minimum length of '1'."}
		case n > MaxRecipients:
			errs["Recipients"] = []string{"The field Recipients must be a string or array type with a maximum length of '100'."}
		}
		if len(errs) > 0 {
			s.writeValidation(w, errs)
			return
		}
		items := make([]optOutItem, len(req.Recipients))
		for i, rc := range req.Recipients {
			to := ""
			if rc.To != nil {
				to = *rc.To
			}
			it := optOutItem{To: to, HTTPStatusCode: http.StatusOK}
			switch {
			case !validTo(to):
				it.HTTPStatusCode, it.ErrorMessage = http.StatusBadRequest, InvalidOptOutRecipientMessage
			case action == "add":
				s.emu.OptOuts.Add(*req.From, to)
			case action == "remove":
				s.emu.OptOuts.Remove(*req.From, to)
			default:
				out := s.emu.OptOuts.Has(*req.From, to)
				it.IsOptedOut = &out
			}
			items[i] = it
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{"value": items})
	}
}
