package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxFirstLine bounds the part of an answer's first line a failure quotes.
const maxFirstLine = 200

// Failure returns nil when the delivery ended delivered with a 2xx answer, and otherwise a
// *DeliveryError naming it: the status and the first line of the answer (its webhook URL's
// secrets redacted), or why no answer arrived. A pending delivery is not a failure yet.
func (d Delivery) Failure() error {
	if d.State == StatePending || d.State == StateDelivered && d.StatusCode >= 200 && d.StatusCode <= 299 {
		return nil
	}
	return &DeliveryError{Deliveries: []Delivery{d.Clone()}}
}

// Problem describes in one line, credentials redacted, why the delivery did not succeed:
// "answered 401 Unauthorized: bad signature", "dropped: …", "" when it succeeded.
func (d Delivery) Problem() string {
	if d.State == StatePending || d.State == StateDelivered && d.StatusCode >= 200 && d.StatusCode <= 299 {
		return ""
	}
	var s string
	switch {
	case d.StatusCode != 0:
		s = fmt.Sprintf("answered %d %s", d.StatusCode, http.StatusText(d.StatusCode))
		if line := FirstLine(d.ResponseBody, d.URL); line != "" {
			s += ": " + line
		}
		if d.State != StateDelivered {
			s += " (" + d.State.String() + ")"
		}
	case d.Err != nil:
		s = d.State.String() + ": " + redactSecrets(oneLine(d.Err.Error()), d.URL)
	default:
		s = d.State.String()
	}
	return s
}

// DeliveryError is the error of callback deliveries that did not succeed: a webhook that
// answered outside 2xx, that could not be reached, or whose delivery was dropped or
// canceled. Emulator helpers (SendInbound, WaitCallbacks, …) return it; errors.As gives
// the deliveries for assertions.
type DeliveryError struct {
	Deliveries []Delivery // the failed deliveries, in the order they were queued
}

// Error lists every failed delivery on one line each, credentials redacted.
func (e *DeliveryError) Error() string {
	var b strings.Builder
	switch len(e.Deliveries) {
	case 0:
		return "emulator: no delivery failed"
	case 1:
	default:
		fmt.Fprintf(&b, "emulator: %d callback deliveries failed: ", len(e.Deliveries))
	}
	for i, d := range e.Deliveries {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "callback %d %s %s %s", d.ID, d.Method, RedactURL(d.URL), d.Problem())
	}
	return b.String()
}

// FirstLine returns the first non-empty line of an answer body, trimmed, cut to 200
// characters, with any URL in it and any query value of webhookURL (a shared secret the
// application may echo) redacted: what an error may quote of a webhook's answer.
func FirstLine(body []byte, webhookURL string) string {
	var line string
	for l := range bytes.SplitSeq(body, []byte("\n")) {
		if t := strings.TrimSpace(string(l)); t != "" {
			line = t
			break
		}
	}
	if !utf8.ValidString(line) {
		line = strings.ToValidUTF8(line, "\uFFFD")
	}
	if len(line) > maxFirstLine {
		cut := maxFirstLine
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut] + "…"
	}
	return redactSecrets(line, webhookURL)
}

// redactSecrets hides, in s, the URLs it contains and the query values and password of
// webhookURL.
func redactSecrets(s, webhookURL string) string {
	if u, err := url.Parse(webhookURL); err == nil {
		var secrets []string
		for _, vs := range u.Query() {
			secrets = append(secrets, vs...)
		}
		if u.User != nil {
			if p, ok := u.User.Password(); ok {
				secrets = append(secrets, p)
			}
		}
		for _, v := range secrets {
			if len(v) >= 4 {
				s = strings.ReplaceAll(s, v, Redacted)
				if e := url.QueryEscape(v); e != v {
					s = strings.ReplaceAll(s, e, Redacted)
				}
			}
		}
	}
	fields := strings.Fields(s)
	changed := false
	for i, f := range fields {
		if strings.Contains(f, "://") {
			if r := RedactURL(f); r != f {
				fields[i], changed = r, true
			}
		}
	}
	if changed {
		s = strings.Join(fields, " ")
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
