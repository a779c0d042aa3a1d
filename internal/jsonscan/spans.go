package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The span helpers below locate the parts of a JSON document without decoding it, so that a
// callback parser can keep each item's raw bytes (sms.Event.Raw) and decode each item once.
// They do not validate: callers validate the document (json.Valid or json.Unmarshal) before
// or after; on malformed input the positions are meaningless but every index stays within
// len(b), so they never panic.

// SkipSpace returns the index of the first byte at or after i that is not JSON white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// SkipString returns the index just past the string starting at b[i] == '"'.
func SkipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// SkipValue returns the index just past the JSON value starting at b[i].
func SkipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return SkipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = SkipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', ']', '}', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// Members calls member for each member of the object starting at b[i] == '{', with the key as
// written (quotes included, escapes not decoded) and the index of the first byte of its value,
// and returns the index just past the object.
func Members(b []byte, i int, member func(quotedKey []byte, value int)) int {
	i = SkipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		ks := i
		i = SkipString(b, i)
		key := b[ks:i]
		i = SkipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			break
		}
		i = SkipSpace(b, i+1)
		if i >= len(b) {
			break
		}
		member(key, i)
		i = SkipSpace(b, SkipValue(b, i))
		if i < len(b) && b[i] == ',' {
			i = SkipSpace(b, i+1)
		}
	}
	if i < len(b) && b[i] == '}' {
		i++
	}
	return min(i, len(b))
}

// Items calls item for each item of the array starting at b[i] == '[' with the index of its
// first byte, and stops early when item returns false. item returns the index just past the
// item (SkipValue, or the end of a scan of its own).
func Items(b []byte, i int, item func(start int) (end int, more bool)) {
	i = SkipSpace(b, i+1)
	for i < len(b) && b[i] != ']' {
		end, more := item(i)
		if !more {
			return
		}
		i = SkipSpace(b, max(end, i+1))
		if i < len(b) && b[i] == ',' {
			i = SkipSpace(b, i+1)
		} else {
			return
		}
	}
}

// KeyIs reports whether a key as written (quotes included) names field the way
// encoding/json matches a struct field: escapes decoded, letter case folded.
func KeyIs(quotedKey []byte, field string) bool {
	ascii := true
	for _, c := range quotedKey {
		if c == '\\' || c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return len(quotedKey) == len(field)+2 && bytes.EqualFold(quotedKey[1:len(quotedKey)-1], []byte(field))
	}
	var k string
	if json.Unmarshal(quotedKey, &k) != nil {
		return false
	}
	return strings.EqualFold(k, field)
}
