package vibestest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits of a send (vendors/vibes.md §2).
const (
	MaxSubmitterMessageID = 40  // characters of submitterMessageId
	MaxSingleText         = 160 // characters of a text sent without splitLongMessage="true"
)

// receiptOption is the receiptOption element: its text and callbackUrl.
type receiptOption struct {
	CallbackURL string `xml:"callbackUrl,attr,omitempty"`
	Value       string `xml:",chardata"`
}

// mtMessage is a send request as decoded; slices catch repeated elements, unknown
// elements and attributes are ignored, as the facts ask (§11).
type mtMessage struct {
	XMLName            xml.Name
	SubmitterMessageID *string         `xml:"submitterMessageId,attr"`
	SplitLongMessage   *string         `xml:"splitLongMessage,attr"`
	AlternateDelivery  *string         `xml:"alternateDelivery,attr"`
	Destination        []Address       `xml:"destination"`
	Source             []Address       `xml:"source"`
	Text               []string        `xml:"text"`
	ReceiptOption      []receiptOption `xml:"receiptOption"`
	Transaction        []Transaction   `xml:"transaction"`
}

// sendRequest is a well-formed send: the fields the emulator acts on.
type sendRequest struct {
	SubmitterMessageID string
	HasSubmitterID     bool
	Split              bool
	AlternateDelivery  bool
	Destination        Address
	Source             Address
	Text               string
	ReceiptOption      string // NONE, ERROR, ALL, SMSC_ERROR, SMSC_ALL; "" when absent
	CallbackURL        string
	TransactionID      string
}

// errBadRequest marks a request that is not a valid mtMessage (HTTP 400).
var errBadRequest = errors.New("bad request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

// xmlContentType reports whether a Content-Type is text/xml or application/xml (any
// parameters, such as charset, allowed).
func xmlContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "text/xml" || mt == "application/xml")
}

// parseSend decodes and checks a POST /MessageApi/mt/messages body. An error wraps
// errBadRequest and says what is wrong: not XML, another root, a required element or
// attribute missing or repeated, a bad boolean, an unknown receiptOption, a callbackUrl
// that is not an absolute http(s) URL, a submitterMessageId over 40 characters. What the
// request asks that Vibes refuses with an HTTP 200 error body (an unknown code, a blocked
// number, a long text without splitLongMessage) is checked later, by the server.
func parseSend(body []byte) (sendRequest, error) {
	var m mtMessage
	if !utf8.Valid(body) {
		return sendRequest{}, badRequest("body is not UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return sendRequest{}, badRequest("malformed XML: %v", err)
	}
	if m.XMLName.Local != "mtMessage" {
		return sendRequest{}, badRequest("root element <%s>, want <mtMessage>", m.XMLName.Local)
	}
	if err := trailing(dec); err != nil {
		return sendRequest{}, err
	}
	var r sendRequest
	var err error
	if m.SubmitterMessageID != nil {
		r.SubmitterMessageID, r.HasSubmitterID = *m.SubmitterMessageID, true
		if n := utf8.RuneCountInString(r.SubmitterMessageID); n > MaxSubmitterMessageID {
			return r, badRequest("submitterMessageId has %d characters, at most %d", n, MaxSubmitterMessageID)
		}
	}
	if r.Split, err = boolAttr("splitLongMessage", m.SplitLongMessage); err != nil {
		return r, err
	}
	if r.AlternateDelivery, err = boolAttr("alternateDelivery", m.AlternateDelivery); err != nil {
		return r, err
	}
	if r.Destination, err = one("destination", m.Destination); err != nil {
		return r, err
	}
	if strings.TrimSpace(r.Destination.Address) == "" {
		return r, badRequest("destination@address is required")
	}
	if r.Source, err = one("source", m.Source); err != nil {
		return r, err
	}
	switch {
	case strings.TrimSpace(r.Source.Address) == "":
		return r, badRequest("source@address is required")
	case strings.TrimSpace(r.Source.Type) == "":
		return r, badRequest("source@type is required")
	}
	if r.Text, err = one("text", m.Text); err != nil {
		return r, err
	}
	if r.Text == "" {
		return r, badRequest("text is empty")
	}
	switch len(m.ReceiptOption) {
	case 0:
	case 1:
		ro := m.ReceiptOption[0]
		r.ReceiptOption = strings.ToUpper(strings.TrimSpace(ro.Value))
		switch r.ReceiptOption {
		case ReceiptNone, ReceiptError, ReceiptAll, ReceiptSMSCError, ReceiptSMSCAll:
		default:
			return r, badRequest("receiptOption %q: want NONE, ERROR, ALL, SMSC_ERROR or SMSC_ALL", ro.Value)
		}
		r.CallbackURL = strings.TrimSpace(ro.CallbackURL)
		if r.CallbackURL != "" && !absoluteHTTP(r.CallbackURL) {
			return r, badRequest("receiptOption@callbackUrl is not an absolute http(s) URL")
		}
	default:
		return r, badRequest("more than one <receiptOption>")
	}
	if len(m.Transaction) > 1 {
		return r, badRequest("more than one <transaction>")
	}
	if len(m.Transaction) == 1 {
		r.TransactionID = m.Transaction[0].ID
	}
	return r, nil
}

// trailing checks that nothing but whitespace, comments and processing instructions
// follows the root element.
func trailing(dec *xml.Decoder) error {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return badRequest("malformed XML after the root element: %v", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return badRequest("text after the root element")
			}
		case xml.Comment, xml.ProcInst, xml.Directive:
		default:
			return badRequest("content after the root element")
		}
	}
}

func one[T any](name string, v []T) (T, error) {
	var zero T
	switch len(v) {
	case 0:
		return zero, badRequest("<%s> is required", name)
	case 1:
		return v[0], nil
	}
	return zero, badRequest("more than one <%s>", name)
}

func boolAttr(name string, v *string) (bool, error) {
	if v == nil {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(*v)) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, badRequest("%s=%q: want true or false", name, *v)
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// nanp returns a North American number (+1 and ten digits, area code and exchange not
// starting with 0 or 1) as "+1NXXNXXXXXX", from E.164, 11 digits starting with 1, or 10
// digits (vendors/vibes.md §2c); ok is false for anything else.
func nanp(s string) (string, bool) {
	s = strings.TrimSpace(s)
	d := strings.TrimPrefix(s, "+")
	if d == "" || strings.Trim(d, "0123456789") != "" {
		return "", false
	}
	switch {
	case len(d) == 11 && d[0] == '1':
		d = d[1:]
	case len(d) == 10 && !strings.HasPrefix(s, "+"):
	default:
		return "", false
	}
	if d[0] < '2' || d[3] < '2' {
		return "", false
	}
	return "+1" + d, true
}

// shortCode reports whether s is a US/CA short code: 5 or 6 digits.
func shortCode(s string) bool {
	return (len(s) == 5 || len(s) == 6) && strings.Trim(s, "0123456789") == ""
}

// codeKey is how a source address is matched against the provisioned codes: the +1 form of
// a long or toll-free number, a short code as written.
func codeKey(addr string) string {
	addr = strings.TrimSpace(addr)
	if n, ok := nanp(addr); ok {
		return n
	}
	return addr
}
