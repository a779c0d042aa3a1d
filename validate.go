package sms

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// checkMessage applies the message-level rules: anything wrong here fails the whole send
// with CodeInvalidArgument before any request. The recipients are checked one by one by
// checkRecipients.
func checkMessage(p Provider, caps Capabilities, msg *Message) error {
	if msg == nil {
		return invalidf("nil message")
	}
	if len(msg.To) == 0 {
		return invalidf("no recipients")
	}
	if msg.Body == "" {
		return invalidf("empty body")
	}
	if !utf8.ValidString(msg.Body) {
		return invalidf("body is not valid UTF-8")
	}
	if err := checkSender(p, caps, msg.From); err != nil {
		return err
	}
	if caps.MaxBody > 0 {
		n := bodyLength(msg.Body, caps.BodyUnit)
		if n > caps.MaxBody {
			return invalidf("body is %d %s, over the limit of %d", n, caps.BodyUnit.phrase(), caps.MaxBody)
		}
	}
	if msg.Validity < 0 {
		return invalidf("negative validity")
	}
	if msg.CallbackURL != "" && !caps.CallbackURL {
		return unsupportedOption("Message.CallbackURL (a per-message callback URL)")
	}
	if msg.Type < TypeDefault || int(msg.Type) >= len(messageTypeNames) {
		return invalidf("unknown message type %d", int(msg.Type))
	}
	if msg.Type != TypeDefault && !slices.Contains(caps.MessageTypes, msg.Type) {
		return unsupportedOption("Message.Type " + msg.Type.String())
	}
	if mv, ok := p.(MessageValidator); ok {
		if err := mv.ValidateMessage(msg); err != nil {
			return asInvalidMessage(err)
		}
	}
	return nil
}

// asInvalidMessage makes a provider's message-validation failure an InvalidArgument *Error
// that proves nothing was sent.
func asInvalidMessage(err error) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Code == CodeInvalidArgument && e.NotAccepted {
			return err
		}
		c := *e
		c.Code, c.NotAccepted = CodeInvalidArgument, true
		return &c
	}
	return &Error{Code: CodeInvalidArgument, Message: "invalid message", NotAccepted: true, Err: err}
}

// unsupportedOption is the error of a portable field the provider cannot honour.
func unsupportedOption(what string) *Error {
	return &Error{Code: CodeInvalidArgument, Message: what + " is not supported by this provider", NotAccepted: true, Err: errors.ErrUnsupported}
}

// checkRecipients returns the recipients in canonical E.164 (a malformed one as given) and,
// for each bad recipient, its CodeInvalidRecipient error: malformed, a repeat of an earlier
// recipient, or in no country of caps.Countries. errs is nil when every recipient is good.
func checkRecipients(provider string, caps Capabilities, in []string) (to []string, errs []error) {
	to = make([]string, len(in))
	seen := make(map[string]int, len(in))
	bad := func(i int, e *Error) {
		if errs == nil {
			errs = make([]error, len(in))
		}
		e.Code, e.Provider, e.NotAccepted = CodeInvalidRecipient, provider, true
		errs[i] = e
	}
	for i, n := range in {
		c, err := NormalizePhone(n)
		if err != nil {
			to[i] = n
			bad(i, &Error{Message: fmt.Sprintf("recipient %d", i+1), Err: err})
			continue
		}
		to[i] = c
		if j, dup := seen[c]; dup {
			bad(i, &Error{Message: fmt.Sprintf("recipient %d: %s repeats recipient %d", i+1, c, j+1)})
			continue
		}
		seen[c] = i
		if !caps.Serves(c) {
			where := "no country"
			if cs := PhoneCountries(c); len(cs) > 0 {
				where = strings.Join(cs, "/")
			}
			bad(i, &Error{Message: fmt.Sprintf("recipient %d: %s (%s) is not in a country this provider serves (%s)",
				i+1, c, where, strings.Join(caps.Countries, ", "))})
		}
	}
	return to, errs
}

// Serves reports whether a provider with these capabilities may send to number, a canonical
// E.164 number: Countries is nil (not restricted), or one of the countries the number may
// belong to (PhoneCountries; the NANP area-code table for +1) is among Countries. Client
// refuses an unserved recipient with CodeInvalidRecipient; Router skips the routes that do
// not serve a recipient.
func (c Capabilities) Serves(number string) bool {
	return c.Countries == nil || servedCountry(c.Countries, number)
}

// servedCountry reports whether one of the countries number may belong to is in served.
func servedCountry(served []string, number string) bool {
	for _, c := range PhoneCountries(number) {
		for _, s := range served {
			if strings.EqualFold(s, c) {
				return true
			}
		}
	}
	return false
}

// checkSender applies the root sender rules, then the provider's own narrowing.
func checkSender(p Provider, caps Capabilities, s Sender) error {
	if err := validateSender(s, caps); err != nil {
		return err
	}
	if sv, ok := p.(SenderValidator); ok {
		if err := sv.ValidateSender(s); err != nil {
			return asInvalid(err)
		}
	}
	return nil
}

func asInvalid(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: CodeInvalidArgument, Message: "invalid sender", NotAccepted: true, Err: err}
}

// bodyLength measures body in unit.
func bodyLength(body string, unit BodyUnit) int {
	switch unit {
	case UnitBytes:
		return len(body)
	case UnitSegments:
		return CountSegments(body).Segments
	case UnitUTF16:
		n := 0
		for _, r := range body {
			n += utf16.RuneLen(r)
		}
		return n
	}
	return utf8.RuneCountInString(body)
}
