package twilio

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/norm"
)

// ReferenceParam is the query parameter the provider adds to StatusCallback URLs to carry
// Message.Reference, since Twilio echoes no client reference. The URL is signed as a whole,
// so the reference read back from a verified callback is authentic.
const ReferenceParam = "smsbridge_ref"

// emptyTwiML is the answer to an inbound message that sends no reply: any other body would be
// texted back to the sender.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// optOutTypes maps Advanced Opt-Out's OptOutType values to event types.
var optOutTypes = map[string]sms.EventType{"STOP": sms.EventOptOut, "START": sms.EventOptIn, "HELP": sms.EventHelp}

// rawDlrDoneDateLayout is RawDlrDoneDate's YYMMDDhhmm, minute precision, no time zone.
const rawDlrDoneDateLayout = "0601021504"

// parseCallback decodes a verified callback (a status callback or an inbound message) into
// events. It never fails on unknown fields; a body that is not form-encoded is an *sms.Error
// with CodeInvalidArgument. A form without a message id becomes one sms.EventUnknown event,
// so that Twilio is acknowledged.
func parseCallback(r *http.Request, body []byte) (*sms.Callback, error) {
	f, err := callbackForm(r, body)
	if err != nil {
		return nil, err
	}
	return decodeCallback(r, body, f), nil
}

// verifyAndParse verifies r and decodes it, parsing the form body once for both.
// ParseCallback calls it (Verify then parseCallback would parse the body twice).
func (v *Verifier) verifyAndParse(r *http.Request, body []byte) (*sms.Callback, error) {
	if r.Header.Get(SignatureHeader) == "" {
		return nil, sigError("missing signature") // before any work on the body
	}
	f, ferr := callbackForm(r, body)
	var signed form // the body's form, for the signature; nil when the body is not one
	if ferr == nil && len(body) > 0 {
		signed = f
	}
	if err := v.verify(r, body, signed); err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	return decodeCallback(r, body, f), nil
}

// callbackForm returns the fields of a callback: the form body, or the query string of a GET
// webhook (Twilio's other method for incoming-message webhooks).
func callbackForm(r *http.Request, body []byte) (form, error) {
	if len(body) == 0 && r.Method == http.MethodGet && r.URL != nil {
		if f, ok := parseForm(r.URL.RawQuery); ok {
			return f, nil
		}
		return nil, newError(sms.CodeInvalidArgument, "malformed query string")
	}
	return bodyForm(r, body)
}

// bodyForm parses a form-encoded body. A missing Content-Type is accepted; any other than
// application/x-www-form-urlencoded is not.
func bodyForm(r *http.Request, body []byte) (form, error) {
	ct := r.Header.Get("Content-Type")
	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(mt) != "" &&
		!strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded") {
		return nil, newError(sms.CodeInvalidArgument, "callback body is not form-encoded: Content-Type "+strconv.Quote(ct))
	}
	if bytes.Count(body, []byte{'&'}) >= MaxFormFields { // before copying the body
		return nil, newError(sms.CodeInvalidArgument, "more than "+strconv.Itoa(MaxFormFields)+" form fields")
	}
	if f, ok := parseForm(string(body)); ok {
		return f, nil
	}
	return nil, newError(sms.CodeInvalidArgument, "malformed form body")
}

// decodeCallback maps the fields of one callback to one event.
//
// A callback is inbound when its status (MessageStatus, else the legacy SmsStatus) is
// received or receiving, or when it has no status but a Body or NumMedia; it is a delivery
// report when it has any other status; otherwise, or without MessageSid/SmsSid, it is
// EventUnknown.
func decodeCallback(r *http.Request, body []byte, f form) *sms.Callback {
	ev := sms.Event{
		Provider:  Name,
		MessageID: firstOf(f, "MessageSid", "SmsSid", "SmsMessageSid"),
		From:      norm.Phone(f.get("From")),
		To:        norm.Phone(f.get("To")),
		RawStatus: firstOf(f, "MessageStatus", "SmsStatus"),
		Reference: reference(r),
		Raw:       body,
	}
	if n, err := strconv.Atoi(f.get("NumSegments")); err == nil && n > 0 {
		ev.Segments = n
	}
	idStatus := ev.RawStatus
	switch st := strings.ToLower(ev.RawStatus); {
	case ev.MessageID == "":
		ev.Type = sms.EventUnknown
	case st == "received" || st == "receiving" || (st == "" && (f.has("Body") || f.has("NumMedia"))):
		decodeInbound(&ev, f)
		idStatus = "" // sms.EventID's rule for inbound messages
	case st != "":
		ev.Type = sms.EventDeliveryReport
		ev.Status = StatusOf(st)
		ev.ErrorCode = f.get("ErrorCode")
		de := deliveryErrors[ev.ErrorCode]
		ev.Code, ev.ErrorDescription = de.code, de.desc
		if ev.ErrorDescription == "" {
			ev.ErrorDescription = f.get("ErrorMessage") // seen in third-party captures only
		}
		// Assumed UTC: Twilio gives the carrier's time with no zone (unconfirmed).
		if t, err := time.Parse(rawDlrDoneDateLayout, f.get("RawDlrDoneDate")); err == nil {
			ev.Timestamp = t
		}
	}

	// Event.ID comes from signed content only (see the package doc): MessageSid, the status
	// word and ErrorCode are signed body fields, the request URI is the signed URL. The
	// unsigned I-Twilio-Idempotency-Token header is not used, so a replay of a signed
	// callback with that header changed or removed has the ID of the original.
	if ev.Type == sms.EventUnknown {
		// A shape we do not know: hash the whole signed request, so that de-duplication
		// takes two different unknown callbacks neither for one another nor for a known event.
		ev.ID = sms.EventID(Name, ev.MessageID, "?"+requestURI(r), string(body))
	} else {
		ev.ID = sms.EventID(Name, ev.MessageID, idStatus, ev.ErrorCode)
	}

	cb := &sms.Callback{Events: []sms.Event{ev}}
	if ev.Type != sms.EventDeliveryReport {
		// Inbound webhooks need empty TwiML; an unknown callback may have come to the inbound
		// URL too, and Twilio ignores the body of any other answer.
		cb.Reply = &sms.Reply{ContentType: "text/xml", Body: []byte(emptyTwiML)}
	}
	return cb
}

// decodeInbound fills an inbound message: body, media, Twilio's own keyword signal and the
// opt-out scope. Keyword lists are not applied here: webhook applies them once, to a plain
// EventInbound, and never undoes a type set from OptOutType.
func decodeInbound(ev *sms.Event, f form) {
	ev.Type = sms.EventInbound
	ev.Body = f.get("Body")
	if n, err := strconv.Atoi(f.get("NumMedia")); err == nil && n > 0 {
		n = min(n, len(f)) // never more URLs than fields
		for i := range n {
			if u := f.get("MediaUrl" + strconv.Itoa(i)); u != "" {
				ev.MediaURLs = append(ev.MediaURLs, u)
			}
		}
	}
	// OptOutType is sent when Advanced Opt-Out matched a keyword (observed in third-party
	// handlers; Twilio's doc wording unconfirmed), in whatever language the service is set up
	// for ("Arrêt"); the keyword is then Twilio's class name.
	ot := strings.ToUpper(strings.TrimSpace(f.get("OptOutType")))
	if t, ok := optOutTypes[ot]; ok {
		ev.Type, ev.Keyword = t, ot
	}
	// Twilio blocks a number per Messaging Service when the message came through one, else per
	// sender number (unconfirmed; Twilio's scope is not documented in the facts we have).
	if sid := f.get("MessagingServiceSid"); sid != "" {
		ev.Scope, ev.ScopeID = sms.ScopeService, sid
	} else {
		ev.Scope, ev.ScopeID = sms.ScopeSender, ev.To
	}
}

// firstOf returns the first non-empty value among keys.
func firstOf(f form, keys ...string) string {
	for _, k := range keys {
		if v := f.get(k); v != "" {
			return v
		}
	}
	return ""
}

// reference returns the ReferenceParam of the request URI, or "".
func reference(r *http.Request) string {
	if r.URL == nil || !strings.Contains(r.URL.RawQuery, ReferenceParam) {
		return ""
	}
	return queryValue(r.URL.RawQuery, ReferenceParam)
}
