package twilio

import (
	"unicode/utf16"
	"unicode/utf8"
)

// createdFields are the three fields Send reads from a created message resource.
type createdFields struct {
	SID, Status, NumSegments string
}

// decodeCreated reads sid, status and num_segments from a message resource without
// encoding/json's reflection, which costs more than the rest of a send's client side. It
// validates the whole document as strictly as json.Valid (ok is false otherwise, and for a
// top level that is not an object); keys match exactly and the last duplicate wins, as
// encoding/json does into a map. A field that is not a string is left empty.
// FuzzDecodeCreated checks it against encoding/json.
func decodeCreated(b []byte) (f createdFields, ok bool) {
	s := scanner{b: b}
	s.space()
	ok = s.object(0, func(raw []byte, dec bool) bool {
		var dst *string
		key := string(raw) // no allocation: only compared
		if dec {
			key = unescape(raw)
		}
		switch key {
		case "sid":
			dst = &f.SID
		case "status":
			dst = &f.Status
		case "num_segments":
			dst = &f.NumSegments
		default:
			return s.value(1)
		}
		*dst = ""
		if s.i < len(s.b) && s.b[s.i] == '"' {
			v, vok := s.str()
			*dst = v
			return vok
		}
		return s.value(1)
	})
	s.space()
	return f, ok && s.i == len(b)
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// maxDepth bounds nesting as encoding/json does (10000), so hostile input cannot overflow
// the stack.
const maxDepth = 10000

// object reads the JSON object at s.i, validating it, and calls member for each key (raw
// bytes between the quotes, and whether they need unescape) with s.i at its value; member
// must consume the value and report whether it was valid.
func (s *scanner) object(depth int, member func(raw []byte, dec bool) bool) bool {
	if s.i >= len(s.b) || s.b[s.i] != '{' || depth > maxDepth {
		return false
	}
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	for {
		s.space()
		raw, dec, ok := s.rawStr()
		if !ok {
			return false
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		if !member(raw, dec) {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// value skips one JSON value, validating it.
func (s *scanner) value(depth int) bool {
	if s.i >= len(s.b) || depth > maxDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, ok := s.rawStr()
		return ok
	case c == '{':
		return s.object(depth, func([]byte, bool) bool { return s.value(depth + 1) })
	case c == '[':
		s.i++
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		for {
			s.space()
			if !s.value(depth + 1) {
				return false
			}
			s.space()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.b[s.i] == ']' {
				s.i++
				return true
			}
			return false
		}
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

func (s *scanner) lit(w string) bool {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return false
	}
	s.i += len(w)
	return true
}

func (s *scanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

func (s *scanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i >= len(s.b) {
		return false
	}
	if s.b[s.i] == '0' {
		s.i++
	} else if s.digits() == 0 {
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

// rawStr validates the JSON string at s.i and returns its bytes between the quotes, and
// whether they need decoding (escapes or invalid UTF-8). It does not allocate.
func (s *scanner) rawStr() (raw []byte, decode bool, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	s.i++
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, decode || !utf8.Valid(raw), true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			decode = true
			s.i++
			if s.i >= len(s.b) {
				return nil, false, false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, ok := hex4(s.b, s.i+1); !ok {
					return nil, false, false
				}
				s.i += 4
			default:
				return nil, false, false
			}
		}
		s.i++
	}
	return nil, false, false
}

// str reads a JSON string at s.i and returns its value.
func (s *scanner) str() (string, bool) {
	raw, dec, ok := s.rawStr()
	if !ok {
		return "", false
	}
	if !dec {
		return string(raw), true
	}
	return unescape(raw), true
}

// unescape decodes the inside of a valid JSON string. Like encoding/json, invalid UTF-8 and
// lone surrogates become U+FFFD.
func unescape(raw []byte) string {
	buf := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			buf = append(buf, c)
			continue
		}
		i++
		switch e := raw[i]; e {
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, _ := hex4(raw, i+1)
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if r2, ok := hex4(raw, i+3); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							buf = utf8.AppendRune(buf, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default: // " \ /
			buf = append(buf, e)
		}
	}
	if !utf8.Valid(buf) {
		return string([]rune(string(buf)))
	}
	return string(buf)
}

// hex4 reads four hex digits of b at j.
func hex4(b []byte, j int) (rune, bool) {
	if j+4 > len(b) {
		return 0, false
	}
	var n rune
	for _, c := range b[j : j+4] {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}
