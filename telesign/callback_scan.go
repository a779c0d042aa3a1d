package telesign

import (
	"strconv"

	"github.com/smsbridge/sms/internal/jsonscan"
)

// scanCallback is the fast path of decodeCallback: it fills b from a callback of the common
// shape without encoding/json's reflection, and reports false — b then holds nothing useful —
// for anything whose decoding it does not reproduce exactly, leaving that body to
// json.Unmarshal: a document that is not one valid JSON object, an escaped or non-ASCII key,
// a key that matches a field only without regard to case, a field given twice, and a field
// whose value has an unexpected type. A null is read as an absent field: with no field given
// twice, that is what encoding/json makes of it, into envelope's pointers as into
// callbackBody's values. errors is kept as its raw bytes, as json.RawMessage does (they alias
// body, which outlives b). Unknown members are validated and skipped, as encoding/json does. FuzzParseCallbackSameAsEnvelope holds it to
// the decoding through envelope.
func scanCallback(body []byte, b *callbackBody) bool {
	s := jsonscan.New(body)
	s.Space()
	var seen uint8
	ok := s.Object(0, func(k []byte, esc bool) bool {
		if esc {
			return false
		}
		switch string(k) {
		case "reference_id":
			return once(&seen, 1) && scanString(s, &b.ReferenceID)
		case "external_id":
			return once(&seen, 2) && scanString(s, &b.ExternalID)
		case "submit_timestamp":
			return once(&seen, 4) && scanString(s, &b.SubmitTime)
		case "errors":
			if !once(&seen, 64) {
				return false
			}
			rest := s.Rest()
			if !s.Skip(1) {
				return false
			}
			if rest[0] != 'n' {
				b.Errors = rest[:len(rest)-len(s.Rest())]
			}
			return true
		case "status":
			if !once(&seen, 8) {
				return false
			}
			if s.Peek() == 'n' {
				return s.Skip(1)
			}
			if s.Peek() != '{' {
				return false
			}
			b.Status = &statusObj{}
			return scanStatus(s, b.Status)
		case "additional_info":
			if !once(&seen, 16) {
				return false
			}
			if s.Peek() == 'n' {
				return s.Skip(1)
			}
			return s.Peek() == '{' && scanAdditionalInfo(s, &b.AdditionalInfo)
		case "user_response":
			if !once(&seen, 32) {
				return false
			}
			if s.Peek() == 'n' {
				return s.Skip(1)
			}
			if s.Peek() != '{' {
				return false
			}
			b.UserResponse = &userResponse{}
			return scanUserResponse(s, b.UserResponse)
		}
		return plainKey(k, "reference_id", "external_id", "submit_timestamp", "status", "additional_info",
			"user_response", "errors") && s.Skip(1)
	})
	s.Space()
	return ok && s.Done()
}

func scanStatus(s *jsonscan.Scanner, st *statusObj) bool {
	var seen uint8
	return s.Object(1, func(k []byte, esc bool) bool {
		if esc {
			return false
		}
		switch string(k) {
		case "code":
			return once(&seen, 1) && scanFlexInt(s, &st.Code)
		case "description":
			return once(&seen, 2) && scanString(s, &st.Description)
		case "updated_on":
			return once(&seen, 4) && scanString(s, &st.UpdatedOn)
		}
		return plainKey(k, "code", "description", "updated_on") && s.Skip(2)
	})
}

func scanAdditionalInfo(s *jsonscan.Scanner, ai *additionalInfo) bool {
	var seen uint8
	return s.Object(1, func(k []byte, esc bool) bool {
		if esc {
			return false
		}
		switch string(k) {
		case "message_parts_count":
			return once(&seen, 1) && scanFlexInt(s, &ai.MessagePartsCount)
		case "sender_id":
			return once(&seen, 2) && scanString(s, &ai.SenderID)
		case "cleansed_phone_number":
			return once(&seen, 4) && scanString(s, &ai.CleansedPhone)
		}
		return plainKey(k, "message_parts_count", "sender_id", "cleansed_phone_number") && s.Skip(2)
	})
}

func scanUserResponse(s *jsonscan.Scanner, u *userResponse) bool {
	var seen uint8
	return s.Object(1, func(k []byte, esc bool) bool {
		if esc {
			return false
		}
		switch string(k) {
		case "phone_number":
			return once(&seen, 1) && scanString(s, &u.PhoneNumber)
		case "sender_id":
			return once(&seen, 2) && scanString(s, &u.SenderID)
		case "mo_message":
			return once(&seen, 4) && scanString(s, &u.MOMessage)
		case "iso_country_code":
			return once(&seen, 8) && scanString(s, &u.ISOCountryCode)
		case "action":
			return once(&seen, 16) && scanString(s, &u.Action)
		case "keyword":
			return once(&seen, 32) && scanString(s, &u.Keyword)
		}
		return plainKey(k, "phone_number", "sender_id", "mo_message", "iso_country_code", "action", "keyword") && s.Skip(2)
	})
}

// once records bit in *seen and reports whether it was not set yet (a repeated field is left
// to encoding/json).
func once(seen *uint8, bit uint8) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// plainKey reports whether an unknown key is surely not matched by encoding/json to one of
// names: it is ASCII and equals none of them without regard to case (encoding/json matches
// keys case-insensitively, with Unicode folding for non-ASCII ones).
func plainKey(k []byte, names ...string) bool {
	for _, c := range k {
		if c >= 0x80 {
			return false
		}
	}
	for _, n := range names {
		if len(n) == len(k) && asciiEqualFold(k, n) {
			return false
		}
	}
	return true
}

func asciiEqualFold(k []byte, n string) bool {
	for i := range len(k) {
		a, b := k[i], n[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// scanString reads a string value (null: absent); any other type is left to encoding/json.
func scanString(s *jsonscan.Scanner, dst *string) bool {
	if s.Peek() == 'n' {
		return s.Skip(2)
	}
	if s.Peek() != '"' {
		return false
	}
	v, ok := s.String()
	*dst = v
	return ok
}

// scanFlexInt reads a number, or a string without escapes, as flexInt.UnmarshalJSON does:
// a value strconv.Atoi refuses leaves 0; null is absent. Any other type is left to encoding/json.
func scanFlexInt(s *jsonscan.Scanner, dst *flexInt) bool {
	var raw []byte
	switch c := s.Peek(); {
	case c == 'n':
		return s.Skip(2)
	case c == '"':
		r, esc, ok := s.RawString()
		if !ok || esc {
			return false
		}
		raw = r
	case c == '-' || c >= '0' && c <= '9':
		rest := s.Rest()
		if !s.Skip(2) {
			return false
		}
		raw = rest[:len(rest)-len(s.Rest())]
	default:
		return false
	}
	if v, err := strconv.Atoi(string(raw)); err == nil {
		*dst = flexInt(v)
	}
	return true
}
