package acstest

import (
	"bytes"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
	"github.com/smsbridge/sms/internal/emu"
)

// Limits of POST /sms (vendors/acs.md §2.2, §2.3).
const (
	MaxRecipients   = 100  // smsRecipients per request
	MaxMessageChars = 2048 // message length, in UTF-16 code units (.NET string length)
)

// RepeatabilityRejectedMessage is the errorMessage of a recipient whose
// repeatabilityRequestId came without a valid RFC 1123 repeatabilityFirstSent.
const RepeatabilityRejectedMessage = "Request sent with Invalid DateTime value for repeatability-first-sent. Expected is DateTime ,RFC1123 pattern."

// InvalidToMessage is the errorMessage of a recipient whose number is malformed.
const InvalidToMessage = "Invalid To phone number format."

// DeniedHeader is an emulator-only response header on a 401 saying why the request was
// denied (the body is Azure's, which says nothing).
const DeniedHeader = "X-Acstest-Denied-Reason"

// signedHeaders is the only SignedHeaders list the emulator accepts.
const signedHeaders = "x-ms-date;host;x-ms-content-sha256"

func azureErrorBody(code, message string) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message}})
	return b
}

func writeAzureError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(azureErrorBody(code, message))
}

// errorCode is the Azure error code for an HTTP status: its text without spaces.
func errorCode(status int) string {
	t := strings.ReplaceAll(http.StatusText(status), " ", "")
	if t == "" {
		return "Status" + strconv.Itoa(status)
	}
	return t
}

func errorMessage(status int) string {
	if t := http.StatusText(status); t != "" {
		return t + "."
	}
	return "HTTP " + strconv.Itoa(status) + "."
}

// traceID returns a W3C traceparent-shaped id, as ASP.NET Core puts in problem details.
func (s *Server) traceID() string {
	return "00-" + s.ids.Next() + "-" + s.ids.Next()[:16] + "-00"
}

// writeProblem writes ASP.NET Core's problem details for status: the RFC 9110 section of
// the status as type, title, status, traceId, and any extra members.
func (s *Server) writeProblem(w http.ResponseWriter, status int, section, title string, extra map[string]any) {
	p := map[string]any{
		"type":    "https://tools.ietf.org/html/rfc9110#section-" + section,
		"title":   title,
		"status":  status,
		"traceId": s.traceID(),
	}
	for k, v := range extra {
		p[k] = v
	}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeValidation writes ASP.NET Core's validation problem details.
func (s *Server) writeValidation(w http.ResponseWriter, errs map[string][]string) {
	s.writeProblem(w, http.StatusBadRequest, "15.5.1", "One or more validation errors occurred.", map[string]any{"errors": errs})
}

// checkAPIVersion answers 400 and returns false unless the api-version is one of allowed.
func checkAPIVersion(w http.ResponseWriter, r *http.Request, allowed []string) (string, bool) {
	q := r.URL.Query()
	v := q.Get("api-version")
	if !q.Has("api-version") || v == "" {
		writeAzureError(w, http.StatusBadRequest, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests.")
		return "", false
	}
	if !slices.Contains(allowed, v) {
		writeAzureError(w, http.StatusBadRequest, "UnsupportedApiVersion",
			"The HTTP resource that matches the request URI '"+r.URL.Path+"' does not support the API version '"+v+"'.")
		return "", false
	}
	return v, true
}

// deny answers 401 with Azure's body and the reason in DeniedHeader.
func deny(w http.ResponseWriter, reason string) {
	w.Header().Set(DeniedHeader, reason)
	writeAzureError(w, http.StatusUnauthorized, "Denied", "Denied by the resource provider.")
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// authenticate checks the request as ACS does and returns why it is denied ("" = allowed):
// a bearer token of Options.BearerTokens, or an HMAC-SHA256 signature by the primary or
// secondary key over the method, the request target as received, x-ms-date, Host and
// x-ms-content-sha256, which must be the hash of body and fresh.
func (s *Server) authenticate(r *http.Request, body []byte) string {
	authz := strings.TrimSpace(r.Header.Get("Authorization"))
	if authz == "" {
		return "no Authorization header"
	}
	scheme, rest, _ := strings.Cut(authz, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		tok := strings.TrimSpace(rest)
		good := 0
		for _, t := range s.opts.BearerTokens {
			good |= subtle.ConstantTimeCompare([]byte(tok), []byte(t))
		}
		if good == 1 && tok != "" {
			return ""
		}
		return "bearer token not accepted"
	case !strings.EqualFold(scheme, "HMAC-SHA256"):
		return "Authorization is neither HMAC-SHA256 nor Bearer"
	}
	var headers, sig string
	for _, part := range strings.Split(strings.TrimSpace(rest), "&") {
		name, value, _ := strings.Cut(part, "=") // the signature's padding holds more "="
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "signedheaders":
			headers = value
		case "signature":
			sig = value
		}
	}
	if !strings.EqualFold(headers, signedHeaders) {
		return "SignedHeaders must be " + signedHeaders
	}
	if sig == "" {
		return "no Signature"
	}
	hash := r.Header.Get("x-ms-content-sha256")
	if hash == "" {
		return "no x-ms-content-sha256 header"
	}
	if !eq(hash, acssign.ContentHash(body)) {
		return "x-ms-content-sha256 is not the hash of the body"
	}
	date := r.Header.Get("x-ms-date")
	if date == "" {
		return "no x-ms-date header"
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return "x-ms-date is not an RFC 1123 date"
	}
	if !emu.Fresh(s.emu.Clock, t, s.opts.MaxClockSkew) {
		return "x-ms-date is more than " + s.opts.MaxClockSkew.String() + " from the emulator clock"
	}
	target := r.RequestURI
	if !strings.HasPrefix(target, "/") { // absolute-form or a request built in-process
		target = r.URL.RequestURI()
	}
	sts := acssign.StringToSign(r.Method, target, date, r.Host, hash)
	for _, k := range s.keys {
		if hmac.Equal([]byte(acssign.Sign(k, sts)), []byte(sig)) {
			return ""
		}
	}
	return "signature mismatch"
}

// Wire shapes of POST /sms. Pointers tell missing fields from empty ones.
type sendRequest struct {
	From           *string      `json:"from"`
	SmsRecipients  []recipient  `json:"smsRecipients"`
	Message        *string      `json:"message"`
	SmsSendOptions *sendOptions `json:"smsSendOptions"`
}

type recipient struct {
	To                     *string `json:"to"`
	RepeatabilityRequestID *string `json:"repeatabilityRequestId"`
	RepeatabilityFirstSent *string `json:"repeatabilityFirstSent"`
}

type sendOptions struct {
	EnableDeliveryReport           *bool           `json:"enableDeliveryReport"`
	Tag                            *string         `json:"tag"`
	ValidityPeriodSeconds          *int            `json:"validityPeriodSeconds"`
	DeliveryReportTimeoutInSeconds *int            `json:"deliveryReportTimeoutInSeconds"`
	MessagingConnect               json.RawMessage `json:"messagingConnect"`
}

// SendResponseItem is one recipient's item of the 202 answer.
type SendResponseItem struct {
	To                  string `json:"to"`
	MessageID           string `json:"messageId,omitempty"`
	HTTPStatusCode      int    `json:"httpStatusCode"`
	RepeatabilityResult string `json:"repeatabilityResult,omitempty"`
	ErrorMessage        string `json:"errorMessage,omitempty"`
	Successful          bool   `json:"successful"`
}

// validFrom reports whether from is an E.164 number, a 5–6 digit short code or an
// alphanumeric sender id (≤ 11 of A–Z a–z 0–9 space + - _ &, at least one letter).
func validFrom(from string) bool {
	if strings.HasPrefix(from, "+") {
		return validTo(from)
	}
	if n := len(from); (n == 5 || n == 6) && strings.Trim(from, "0123456789") == "" {
		return true
	}
	if len(from) == 0 || len(from) > 11 {
		return false
	}
	letter := false
	for _, c := range from {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', strings.ContainsRune(" +-_&", c):
		default:
			return false
		}
	}
	return letter
}

// validTo reports whether to is canonical E.164 with an assigned country code, and for
// +1 (the North American plan) exactly ten digits after it, as the spec example rejects
// "+112345678901".
func validTo(to string) bool {
	// The shape only, not sms.ValidPhone: the spec's own examples (+11234567890,
	// +18001110000) have NANP area and exchange codes starting with 1, which the library
	// refuses before any request, and ACS accepts them.
	if len(to) < 8 || len(to) > 16 || to[0] != '+' || strings.Trim(to[1:], "0123456789") != "" {
		return false
	}
	if _, ok := sms.CallingCode(to); !ok {
		return false
	}
	if strings.HasPrefix(to, "+1") && len(to) != 12 {
		return false
	}
	return true
}

// acceptJSON checks what every ACS JSON endpoint checks first, answering a failure: the
// api-version (one of versions), the HMAC authentication and a JSON Content-Type. It returns
// the api-version and the body.
func (s *Server) acceptJSON(w http.ResponseWriter, r *http.Request, versions []string) (version string, body []byte, ok bool) {
	version, ok = checkAPIVersion(w, r, versions)
	if !ok {
		return "", nil, false
	}
	body, _ = io.ReadAll(r.Body)
	if reason := s.authenticate(r, body); reason != "" {
		deny(w, reason)
		return "", nil, false
	}
	if !jsonContent(r.Header.Get("Content-Type")) {
		s.writeProblem(w, http.StatusUnsupportedMediaType, "15.5.16", "Unsupported Media Type", nil)
		return "", nil, false
	}
	return version, body, true
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	version, body, ok := s.acceptJSON(w, r, apiVersions)
	if !ok {
		return
	}
	var req sendRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil || dec.More() {
		msg := "The request body is not valid JSON."
		if err != nil {
			msg = err.Error()
		}
		s.writeValidation(w, map[string][]string{"$": {msg}})
		return
	}
	errs := map[string][]string{}
	add := func(field, msg string) { errs[field] = append(errs[field], msg) }
	switch {
	case req.From == nil || *req.From == "":
		add("From", "The From field is required.")
	case !validFrom(*req.From):
		add("From", "Invalid From phone number format.")
	}
	switch n := len(req.SmsRecipients); {
	case req.SmsRecipients == nil:
		add("SmsRecipients", "The SmsRecipients field is required.")
	case n < 1:
		add("SmsRecipients", "The field SmsRecipients must be a string or array type with a minimum length of '1'.")
	case n > MaxRecipients:
		add("SmsRecipients", "The field SmsRecipients must be a string or array type with a maximum length of '100'.")
	}
	for i, rc := range req.SmsRecipients {
		if rc.To == nil || *rc.To == "" {
			add("SmsRecipients["+strconv.Itoa(i)+"].To", "The To field is required.")
		}
	}
	switch {
	case req.Message == nil:
		add("Message", "The Message field is required.")
	case len(utf16.Encode([]rune(*req.Message))) > MaxMessageChars:
		add("Message", "The field Message must be a string or array type with a maximum length of '2048'.")
	}
	opts := req.SmsSendOptions
	if opts != nil {
		if opts.EnableDeliveryReport == nil {
			add("SmsSendOptions.EnableDeliveryReport", "The EnableDeliveryReport field is required.")
		}
		if v := opts.ValidityPeriodSeconds; v != nil && (*v < 1 || *v > 18000) {
			add("SmsSendOptions.ValidityPeriodSeconds", "The field ValidityPeriodSeconds must be between 1 and 18000.")
		}
		if v := opts.DeliveryReportTimeoutInSeconds; v != nil && (*v < 60 || *v > 43200) {
			add("SmsSendOptions.DeliveryReportTimeoutInSeconds", "The field DeliveryReportTimeoutInSeconds must be between 60 and 43200.")
		}
	}
	if len(errs) > 0 {
		s.writeValidation(w, errs)
		return
	}
	report, tag := false, ""
	if opts != nil {
		report = *opts.EnableDeliveryReport
		if opts.Tag != nil {
			tag = *opts.Tag
		}
	}
	now := s.emu.Now().UTC()
	segments := max(1, sms.CountSegments(*req.Message).Segments)
	items := make([]SendResponseItem, len(req.SmsRecipients))
	var created []*Message
	s.mu.Lock()
	for i, rc := range req.SmsRecipients {
		to := *rc.To
		it := SendResponseItem{To: to}
		items[i] = s.recipientLocked(&it, rc, func() *Message {
			m := &Message{
				MessageID: "Outgoing_" + now.Format("20060102150405") + s.ids.UUID(),
				From:      *req.From, To: to, Message: *req.Message, Tag: tag, EnableDeliveryReport: report,
				APIVersion: version, Segments: segments, Created: now, Request: string(body),
			}
			if rc.RepeatabilityRequestID != nil && *rc.RepeatabilityRequestID != "" {
				m.RepeatabilityRequestID = *rc.RepeatabilityRequestID
				m.RepeatabilityFirstSent = *rc.RepeatabilityFirstSent
			}
			s.messages = append(s.messages, m)
			s.byID[m.MessageID] = m
			created = append(created, m)
			return m
		})
	}
	s.mu.Unlock()
	if id := r.Header.Get("x-ms-client-request-id"); id != "" {
		w.Header().Set("x-ms-client-request-id", id)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]any{"value": items})
	for _, m := range created {
		s.scheduleReport(m)
	}
}

// jsonContent reports whether a Content-Type is JSON (application/json, or a +json type),
// as ASP.NET Core's input formatter requires.
func jsonContent(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// recipientLocked fills one recipient's answer: a malformed number, a rejected
// repeatability request, an armed failure, a repeat of an earlier send (answered with the
// original message), or a new message made by create. s.mu must be held.
func (s *Server) recipientLocked(it *SendResponseItem, rc recipient, create func() *Message) SendResponseItem {
	if !validTo(it.To) {
		it.HTTPStatusCode, it.ErrorMessage = http.StatusBadRequest, InvalidToMessage
		return *it
	}
	var key string
	if id := rc.RepeatabilityRequestID; id != nil && *id != "" {
		var first time.Time
		var err error
		if rc.RepeatabilityFirstSent != nil {
			first, err = time.Parse(time.RFC1123, *rc.RepeatabilityFirstSent)
		}
		if rc.RepeatabilityFirstSent == nil || err != nil {
			it.HTTPStatusCode, it.RepeatabilityResult, it.ErrorMessage = http.StatusBadRequest, "rejected", RepeatabilityRejectedMessage
			return *it
		}
		key = strings.ToLower(*id) + "|" + strconv.FormatInt(first.Unix(), 10)
	}
	if status, failed := s.takeFailureLocked(it.To); failed {
		it.HTTPStatusCode, it.ErrorMessage = status, errorCode(status)
		return *it
	}
	if key != "" {
		if m, seen := s.byRepeat[key]; seen {
			m.Repeats++
			it.MessageID, it.HTTPStatusCode, it.RepeatabilityResult, it.Successful = m.MessageID, http.StatusAccepted, "accepted", true
			return *it
		}
	}
	m := create()
	if key != "" {
		s.byRepeat[key] = m
		it.RepeatabilityResult = "accepted"
	}
	it.MessageID, it.HTTPStatusCode, it.Successful = m.MessageID, http.StatusAccepted, true
	return *it
}

func (s *Server) deliveryReport(w http.ResponseWriter, r *http.Request) {
	if _, ok := checkAPIVersion(w, r, reportAPIVersions); !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	if reason := s.authenticate(r, body); reason != "" {
		deny(w, reason)
		return
	}
	s.mu.Lock()
	m, ok := s.byID[r.PathValue("id")]
	var rep DeliveryReportData
	if ok && m.report != nil {
		rep = *m.report
	}
	s.mu.Unlock()
	if !ok || rep.MessageID == "" {
		s.writeProblem(w, http.StatusNotFound, "15.5.5", "Not Found", nil)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(rep)
}
