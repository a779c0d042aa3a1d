package vibes

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/norm"
)

// Root elements of Vibes callbacks (facts §5, §6).
const (
	rootReceipt  = "mtMessageResponse"  // one delivery receipt
	rootReceipts = "mtMessageResponses" // the pull API's wrapper: several receipts
	rootMO       = "moMessage"          // an inbound message
	rootDeliver  = "deliver"            // the legacy inbound message
)

// maxParts bounds a receipt's part number and count (a concatenated SMS has at most 255
// parts); a receipt beyond it is read as a report of the whole message.
const maxParts = 255

// receipt is a delivery receipt, mtMessageResponse (facts §5b). Unknown elements are skipped.
type receipt struct {
	MessageID          string      `xml:"messageId,attr"`
	SubmitterMessageID string      `xml:"submitterMessageId,attr"`
	ReceiptDate        string      `xml:"receiptDate,attr"`
	Multipart          *multipart  `xml:"multipart"`
	Type               string      `xml:"type"`
	Status             *statusElem `xml:"status"`
}

// multipart locates a receipt of one part of a split message. Older documents name the
// whole message's id masterMessageUid instead of originalMessageId.
type multipart struct {
	IsMultipart       string `xml:"isMultipart,attr"`
	OriginalMessageID string `xml:"originalMessageId,attr"`
	MasterMessageUID  string `xml:"masterMessageUid,attr"`
	NoOfParts         string `xml:"noOfParts,attr"`
	PartNumber        string `xml:"partNumber,attr"`
}

// address is a source or destination element.
type address struct {
	Address string `xml:"address,attr"`
	Carrier string `xml:"carrier,attr"`
	Type    string `xml:"type,attr"`
}

// inbound is an inbound message: moMessage (text in the message element) or the legacy
// deliver (text in message@text, the id in passthrough/param[@key=moMessageId] or
// transaction@id). Unknown elements (longMessageInfo) are skipped.
type inbound struct {
	MessageID   string  `xml:"messageId,attr"`
	ReceiptDate string  `xml:"receiptDate,attr"`
	Attempt     string  `xml:"attemptNumber,attr"`
	Source      address `xml:"source"`
	Destination address `xml:"destination"`
	Message     struct {
		Text string `xml:"text,attr"`
		Body string `xml:",chardata"`
	} `xml:"message"`
	Transaction struct {
		ID string `xml:"id,attr"`
	} `xml:"transaction"`
	Params []struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	} `xml:"passthrough>param"`
}

// ParseCallback implements sms.Provider. It authenticates the request first (authenticate:
// Config.CallbackSources when set, then the URL token; fail closed), then decodes the XML
// body by its root element:
//
//   - mtMessageResponse: one sms.EventDeliveryReport. Status from the stage (<type>) and
//     status@isError (StatusOf); RawStatus the stage as written; MessageID messageId, or for
//     a part of a split message (multipart isMultipart="true") originalMessageId with Part
//     partNumber and Parts noOfParts, which webhook.Handler folds into one message status;
//     Timestamp receiptDate; for an error ErrorCode internalErrorCode (else errorCode) and
//     ErrorDescription description; Code from internalErrorCode (9, MDN blocked: OptedOut);
//     Reference the ReferenceParam of the callback URL, else submitterMessageId
//     (SubmitterMessageIDOf always reads the latter).
//   - mtMessageResponses: one event per mtMessageResponse item as above (Raw the item);
//     another item is an sms.EventUnknown, without failing the others.
//   - moMessage and the legacy deliver: one sms.EventInbound. From source@address in E.164
//     (a 10-digit national number gets +1); To destination@address (a short code as
//     written, a number in E.164), also ScopeID with Scope ScopeSender; Body the message
//     text (the legacy text attribute); MessageID messageId (legacy: the moMessageId
//     passthrough parameter, else transaction@id); Timestamp receiptDate. attemptNumber is
//     not part of any id, so webhook de-duplicates Vibes' retries of one MO. The carrier
//     code stays in Raw (CarrierOf). Keywords are not classified here.
//   - any other root element: an sms.EventUnknown with the raw body, acknowledged.
//
// A body that is not well-formed XML (or declares an encoding other than UTF-8) is
// CodeInvalidArgument (400). Invalid UTF-8 sequences are first replaced with U+FFFD (in Raw
// too), as webhook does for every vendor's text: a stray byte must not cost an inbound
// message, which Vibes drops after its retries are refused. Event.ID is left to webhook. The
// answer is a bare 200.
func (p *Provider) ParseCallback(ctx context.Context, r *http.Request, body []byte) (*sms.Callback, error) {
	if err := p.authenticate(r); err != nil {
		return nil, err
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	cb, err := parseCallback(body)
	if err != nil {
		return nil, err
	}
	if ref, ok := reference(r); ok {
		for i := range cb.Events {
			if cb.Events[i].Type == sms.EventDeliveryReport {
				cb.Events[i].Reference = ref
			}
		}
	}
	return cb, nil
}

// reference returns the ReferenceParam of the request URL.
func reference(r *http.Request) (string, bool) {
	if r == nil || r.URL == nil || !strings.Contains(r.URL.RawQuery, ReferenceParam) {
		return "", false
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || !q.Has(ReferenceParam) {
		return "", false
	}
	return q.Get(ReferenceParam), true
}

// malformed is the error of a body that is not well-formed XML.
func malformed(err error) *sms.Error {
	e := newError(sms.CodeInvalidArgument, "callback body is not well-formed XML")
	e.NotAccepted, e.Err = true, err
	return e
}

// errCharset refuses a declared encoding other than UTF-8 and US-ASCII.
var errCharset = errors.New("vibes: only UTF-8 callbacks are read")

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii", "utf8":
		return in, nil
	}
	return nil, errCharset
}

// newDecoder returns a strict decoder over b.
func newDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = charsetReader
	return d
}

// utf8BOM is the UTF-8 byte order mark: an encoding signature a document may start with.
var utf8BOM = []byte("\xEF\xBB\xBF")

// parseCallback decodes an authenticated callback (see ParseCallback). A leading byte order
// mark is dropped: encoding/xml would read it as text outside the root element.
func parseCallback(body []byte) (*sms.Callback, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	d := newDecoder(body)
	var evs []sms.Event
	for root := false; ; {
		start := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF && root {
			break
		}
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root {
				return nil, malformed(errors.New("more than one root element"))
			}
			root = true
			if evs, err = decodeRoot(d, &t, body, start); err != nil {
				return nil, malformed(err)
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, malformed(errors.New("text outside the root element"))
			}
		}
	}
	return &sms.Callback{Events: evs}, nil
}

// decodeRoot decodes the root element t, which starts at byte start of body.
func decodeRoot(d *xml.Decoder, t *xml.StartElement, body []byte, start int64) ([]sms.Event, error) {
	switch t.Name.Local {
	case rootReceipt:
		var rc receipt
		if err := d.DecodeElement(&rc, t); err != nil {
			return nil, err
		}
		return []sms.Event{rc.event(body)}, nil
	case rootReceipts:
		return decodeItems(d, body)
	case rootMO, rootDeliver:
		var mo inbound
		if err := d.DecodeElement(&mo, t); err != nil {
			return nil, err
		}
		return []sms.Event{mo.event(t.Name.Local == rootDeliver, body)}, nil
	}
	if err := d.Skip(); err != nil {
		return nil, err
	}
	return []sms.Event{{Type: sms.EventUnknown, Provider: Name, Raw: bytes.Clone(body)}}, nil
}

// decodeItems decodes the items of an mtMessageResponses wrapper, up to its end tag: one
// event per item, Raw the item's bytes.
func decodeItems(d *xml.Decoder, body []byte) ([]sms.Event, error) {
	var evs []sms.Event
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return evs, nil
		case xml.StartElement:
			if t.Name.Local == rootReceipt {
				var rc receipt
				if err := d.DecodeElement(&rc, &t); err != nil {
					return nil, err
				}
				evs = append(evs, rc.event(body[start:d.InputOffset()]))
				continue
			}
			if err := d.Skip(); err != nil {
				return nil, err
			}
			evs = append(evs, sms.Event{Type: sms.EventUnknown, Provider: Name, Raw: bytes.Clone(body[start:d.InputOffset()])})
		}
	}
}

// event maps a receipt (see ParseCallback); raw is its XML.
func (rc *receipt) event(raw []byte) sms.Event {
	ev := sms.Event{
		Type:      sms.EventDeliveryReport,
		Provider:  Name,
		MessageID: strings.TrimSpace(rc.MessageID),
		RawStatus: strings.TrimSpace(rc.Type),
		Status:    StatusOf(rc.Type, rc.Status.isError()),
		Timestamp: callbackTime(rc.ReceiptDate),
		Reference: strings.TrimSpace(rc.SubmitterMessageID),
		Raw:       bytes.Clone(raw),
	}
	if mp := rc.Multipart; mp != nil && xmlTrue(mp.IsMultipart) {
		part, _ := strconv.Atoi(strings.TrimSpace(mp.PartNumber))
		parts, err := strconv.Atoi(strings.TrimSpace(mp.NoOfParts))
		if err != nil {
			parts = 0
		}
		if part >= 1 && part <= maxParts && (parts == 0 || parts >= part && parts <= maxParts) {
			ev.Part, ev.Parts, ev.Segments = part, parts, parts
			if id := strings.TrimSpace(mp.OriginalMessageID); id != "" {
				ev.MessageID = id
			} else if id := strings.TrimSpace(mp.MasterMessageUID); id != "" {
				ev.MessageID = id
			}
		}
	}
	if st := rc.Status; st != nil {
		n, hasInternal := st.internal()
		if hasInternal {
			ev.Code = ErrorClass(n)
		}
		if st.isError() {
			ev.ErrorCode = st.code()
			ev.ErrorDescription = strings.TrimSpace(st.Description)
			if ev.ErrorDescription == "" && hasInternal {
				ev.ErrorDescription = errorText(n)
			}
		}
	}
	return ev
}

// event maps an inbound message (see ParseCallback); raw is its XML.
func (mo *inbound) event(legacy bool, raw []byte) sms.Event {
	ev := sms.Event{
		Type:      sms.EventInbound,
		Provider:  Name,
		MessageID: strings.TrimSpace(mo.MessageID),
		From:      mdn(mo.Source.Address),
		To:        mdn(mo.Destination.Address),
		Timestamp: callbackTime(mo.ReceiptDate),
		Scope:     sms.ScopeSender,
		Raw:       bytes.Clone(raw),
	}
	ev.ScopeID = ev.To
	ev.Body = mo.Message.Body
	if legacy && mo.Message.Text != "" || ev.Body == "" {
		ev.Body = mo.Message.Text
	}
	if ev.MessageID == "" {
		for _, p := range mo.Params {
			if p.Key == "moMessageId" {
				ev.MessageID = strings.TrimSpace(p.Value)
				break
			}
		}
	}
	if ev.MessageID == "" {
		ev.MessageID = strings.TrimSpace(mo.Transaction.ID)
	}
	return ev
}

// callbackTime reads a receipt or inbound date with norm.Time. Vibes documents the inbound
// date as "YYYY-MM-DD HH:MM:SS Z", which Java-style formatters write with a space before the
// offset ("2016-12-04 16:47:44 -0600"); the facts' sample has none. That space is dropped.
func callbackTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, ' '); i >= 19 && i+1 < len(s) && (s[i+1] == '+' || s[i+1] == '-') {
		s = s[:i] + s[i+1:]
	}
	return norm.Time(s)
}

// mdn normalises an address of a Vibes payload: E.164 stays (canonical), a 10-digit national
// number (US/CA, the format of SMPP-side MOs) and an 11-digit one starting with 1 get +1, a
// short code stays as written.
func mdn(s string) string {
	s = strings.TrimSpace(s)
	if allDigits(s) {
		switch {
		case len(s) == 10:
			if n, err := sms.NormalizePhone("+1" + s); err == nil {
				return n
			}
		case len(s) == 11 && s[0] == '1':
			if n, err := sms.NormalizePhone("+" + s); err == nil {
				return n
			}
		}
		if len(s) <= 8 {
			return s
		}
	}
	return norm.Phone(s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// SubmitterMessageIDOf returns the submitterMessageId a Vibes delivery receipt event echoes
// (from Event.Raw), or "" for another event. Compare it with SubmitterMessageID of a persisted
// idempotency key and recipient to settle a send that ended OutcomeUnknown.
func SubmitterMessageIDOf(ev sms.Event) string {
	if ev.Type != sms.EventDeliveryReport || (ev.Provider != "" && ev.Provider != Name) {
		return ""
	}
	var v struct {
		ID string `xml:"submitterMessageId,attr"`
	}
	if newDecoder(ev.Raw).Decode(&v) != nil {
		return ""
	}
	return strings.TrimSpace(v.ID)
}

// CarrierOf returns the Vibes carrier code (facts §5e: "104" AT&T, "102" Verizon Wireless, …)
// of an inbound event's source@carrier (from Event.Raw), or "". Vibes asks that replies reuse
// it; the code is an opaque string.
func CarrierOf(ev sms.Event) string {
	if !ev.Type.IsInbound() || (ev.Provider != "" && ev.Provider != Name) {
		return ""
	}
	var v struct {
		Source address `xml:"source"`
	}
	if newDecoder(ev.Raw).Decode(&v) != nil {
		return ""
	}
	return strings.TrimSpace(v.Source.Carrier)
}
