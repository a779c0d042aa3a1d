package sms

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SenderType says what kind of originator a message is sent from. Vendors support different
// sets (see Capabilities.SenderTypes) and reject the others before any request.
type SenderType int

// Sender types.
const (
	SenderAuto         SenderType = iota // infer from the value: E.164 → long code (NANP toll-free prefixes → toll-free), digits → short code, else alphanumeric
	SenderLongCode                       // a 10DLC or other geographic/mobile number in E.164
	SenderTollFree                       // a toll-free number in E.164
	SenderShortCode                      // a short code: 3–8 digits, no "+"
	SenderAlphanumeric                   // an alphanumeric sender ID (one-way)
	SenderPool                           // a vendor-side pool, e.g. a Twilio Messaging Service SID
)

var senderTypeNames = [...]string{"auto", "long_code", "toll_free", "short_code", "alphanumeric", "pool"}

// String returns the snake_case name of the sender type ("long_code", "alphanumeric", …).
func (t SenderType) String() string { return enumString(senderTypeNames[:], int(t), "sender_type") }

// MarshalText implements encoding.TextMarshaler with the name String returns.
func (t SenderType) MarshalText() ([]byte, error) {
	return enumMarshal(senderTypeNames[:], int(t), "sender type")
}

// UnmarshalText implements encoding.TextUnmarshaler; a name String does not return is an error.
func (t *SenderType) UnmarshalText(b []byte) error {
	return enumUnmarshal(senderTypeNames[:], (*int)(t), b, "sender type")
}

// Sender is the originator of a message.
type Sender struct {
	Type  SenderType // SenderAuto infers it from Value
	Value string     // the number, short code, sender ID or pool id
	Name  string     // a friendly name for logs and dashboards; never sent
}

// ResolvedType returns Type, or the type inferred from Value when Type is SenderAuto.
func (s Sender) ResolvedType() SenderType {
	if s.Type != SenderAuto {
		return s.Type
	}
	v := s.Value
	switch {
	case v == "":
		return SenderAuto
	case v[0] == '+':
		if isNANPTollFree(v) {
			return SenderTollFree
		}
		return SenderLongCode
	case allDigits(v) && len(v) <= 8:
		return SenderShortCode
	case allDigits(v):
		return SenderLongCode
	}
	return SenderAlphanumeric
}

// isNANPTollFree reports whether an E.164 number is a North American toll-free number.
func isNANPTollFree(v string) bool {
	if len(v) != 12 || v[1] != '1' {
		return false
	}
	switch v[2:5] {
	case "800", "833", "844", "855", "866", "877", "888":
		return true
	}
	return false
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

// validateSender applies the root sender rules: the union of what the vendors accept.
func validateSender(s Sender, caps Capabilities) error {
	t := s.ResolvedType()
	if t == SenderAuto {
		return invalidf("no sender")
	}
	if !caps.SupportsSender(t) {
		return &Error{Code: CodeInvalidArgument, Message: fmt.Sprintf("sender type %s is not supported by this provider", t), NotAccepted: true, Err: errors.ErrUnsupported}
	}
	switch t {
	case SenderLongCode, SenderTollFree:
		if !ValidPhone(s.Value) {
			return invalidf("sender %q is not an E.164 number", s.Value)
		}
	case SenderShortCode:
		if !allDigits(s.Value) || len(s.Value) < 3 || len(s.Value) > 8 {
			return invalidf("short code %q must be 3 to 8 digits", s.Value)
		}
	case SenderAlphanumeric:
		return ValidateAlphanumeric(s.Value)
	case SenderPool:
		if s.Value == "" {
			return invalidf("empty sender pool id")
		}
	}
	return nil
}

// AlphanumericRule is a set of alphanumeric sender IDs: MinLen to MaxLen ASCII characters, each
// a letter, a digit or one of Symbols, with at least one letter. RootAlphanumeric returns the
// root rule, the union of what the vendors accept; a vendor package narrows it by declaring its own
// rule and calling Validate from its ValidateSender (sms.SenderValidator):
//
//	var alnum = sms.AlphanumericRule{Provider: "twilio", MaxLen: 11, Symbols: " -+_&"}
//
//	func (p *Provider) ValidateSender(s sms.Sender) error {
//		if s.ResolvedType() == sms.SenderAlphanumeric {
//			return alnum.Validate(s.Value)
//		}
//		return nil
//	}
type AlphanumericRule struct {
	// Provider names the vendor in errors (Error.Provider); empty for the root rule.
	Provider string
	// MinLen and MaxLen bound the length in characters; 0 means 1 and 11.
	MinLen, MaxLen int
	// Symbols lists the characters other than ASCII letters and digits that are allowed,
	// e.g. " -+_&". Any other character is refused.
	Symbols string
}

// rootAlphanumeric is the rule RootAlphanumeric returns.
var rootAlphanumeric = AlphanumericRule{MinLen: 1, MaxLen: 11, Symbols: " -+_&."}

// RootAlphanumeric returns the root rule for alphanumeric sender IDs, the union of the
// vendors': 1–11 characters of ASCII letters, digits, space and - + _ & . with at least one
// letter. A vendor's rule must be a subset of it (Client applies both).
func RootAlphanumeric() AlphanumericRule { return rootAlphanumeric }

// Validate reports whether id is in the set, as a CodeInvalidArgument *Error (NotAccepted,
// naming r.Provider) when it is not.
func (r AlphanumericRule) Validate(id string) error {
	lo, hi := r.MinLen, r.MaxLen
	if lo <= 0 {
		lo = 1
	}
	if hi <= 0 {
		hi = 11
	}
	if len(id) < lo || len(id) > hi {
		return r.invalid("alphanumeric sender ID %q must be %d to %d characters", id, lo, hi)
	}
	letter := false
	for i := 0; i < len(id); i++ {
		ch := id[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z':
			letter = true
		case ch >= '0' && ch <= '9':
		case ch < utf8.RuneSelf && strings.IndexByte(r.Symbols, ch) >= 0:
		default:
			bad, _ := utf8.DecodeRuneInString(id[i:])
			return r.invalid("alphanumeric sender ID %q has a character not allowed: %q", id, bad)
		}
	}
	if !letter {
		return r.invalid("alphanumeric sender ID %q needs at least one letter", id)
	}
	return nil
}

func (r AlphanumericRule) invalid(format string, args ...any) error {
	e := invalidf(format, args...)
	e.Provider = r.Provider
	return e
}

// ValidateAlphanumeric applies the root rule (RootAlphanumeric). Each provider narrows it through
// SenderValidator, using its own AlphanumericRule.
func ValidateAlphanumeric(id string) error { return rootAlphanumeric.Validate(id) }
