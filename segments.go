package sms

import (
	"strconv"
	"unicode/utf8"
)

// Encoding is the character set a message body is sent in.
type Encoding int

// The encodings a body can be sent in. The zero value is not a valid Encoding.
const (
	EncodingGSM7 Encoding = iota + 1 // GSM 03.38 default alphabet (+ extension table)
	EncodingUCS2                     // UTF-16
)

// String returns "GSM-7" or "UCS-2" ("Encoding(n)" for any other value).
func (e Encoding) String() string {
	switch e {
	case EncodingGSM7:
		return "GSM-7"
	case EncodingUCS2:
		return "UCS-2"
	}
	return "Encoding(" + strconv.Itoa(int(e)) + ")"
}

// SegmentInfo describes how a body is split into SMS segments.
type SegmentInfo struct {
	Encoding Encoding
	// Units is the body's length in septets for GSM-7 (an extension-table character
	// counts 2: escape + character), in UTF-16 code units for UCS-2 (a rune above
	// U+FFFF counts 2).
	Units int
	// Segments is the number of SMS parts; 0 for an empty body.
	Segments int
	// PerSegment is how many units fit in one segment of this message: 160 (GSM-7) or
	// 70 (UCS-2) when Segments <= 1; 153 or 67 for a multipart message, whose parts
	// each carry a 6-octet concatenation header (UDH).
	PerSegment int
	// Remaining is how many units are still free in the last segment. Because an
	// escape pair or a surrogate pair is never split across parts, a final free unit
	// can take a one-unit character only.
	Remaining int
}

// Segment capacities, in units (3GPP TS 23.038 / TS 23.040): 140 octets of user data,
// of which a concatenated message spends 6 on its UDH (leaving 153 septets after the
// fill bit, or 134 octets = 67 UTF-16 code units).
const (
	segGSM7Single = 160
	segGSM7Multi  = 153
	segUCS2Single = 70
	segUCS2Multi  = 67
)

// segGSMLatin1 gives the GSM-7 cost in septets of every rune below U+0100: 1 for the
// GSM 03.38 basic table, 2 for the extension table (escape 0x1B + character), 0 for a
// rune that has no GSM-7 encoding. Keys are the Unicode code points; the comments give
// the GSM 03.38 code.
var segGSMLatin1 = [256]uint8{
	// Basic table, 0x00–0x1F (0x1B is the escape to the extension table, not a
	// character, so U+001B gets no entry).
	'@': 1, '£': 1, '$': 1, '¥': 1, 'è': 1, 'é': 1, 'ù': 1, 'ì': 1, // 0x00–0x07
	'ò': 1, 'Ç': 1, '\n': 1, 'Ø': 1, 'ø': 1, '\r': 1, 'Å': 1, 'å': 1, // 0x08–0x0F
	// 0x10–0x1F: _ is 0x11, Æ æ ß É are 0x1C–0x1F; the Greek capitals at 0x10 and
	// 0x12–0x1A are above U+00FF (see segGSMCost).
	'_': 1, 'Æ': 1, 'æ': 1, 'ß': 1, 'É': 1,

	// Basic table, 0x20–0x3F: ASCII except 0x24, which is ¤ ('$' is 0x02).
	' ': 1, '!': 1, '"': 1, '#': 1, '¤': 1, '%': 1, '&': 1, '\'': 1,
	'(': 1, ')': 1, '*': 1, '+': 1, ',': 1, '-': 1, '.': 1, '/': 1,
	'0': 1, '1': 1, '2': 1, '3': 1, '4': 1, '5': 1, '6': 1, '7': 1,
	'8': 1, '9': 1, ':': 1, ';': 1, '<': 1, '=': 1, '>': 1, '?': 1,

	// Basic table, 0x40–0x5F.
	'¡': 1, 'A': 1, 'B': 1, 'C': 1, 'D': 1, 'E': 1, 'F': 1, 'G': 1,
	'H': 1, 'I': 1, 'J': 1, 'K': 1, 'L': 1, 'M': 1, 'N': 1, 'O': 1,
	'P': 1, 'Q': 1, 'R': 1, 'S': 1, 'T': 1, 'U': 1, 'V': 1, 'W': 1,
	'X': 1, 'Y': 1, 'Z': 1, 'Ä': 1, 'Ö': 1, 'Ñ': 1, 'Ü': 1, '§': 1,

	// Basic table, 0x60–0x7F.
	'¿': 1, 'a': 1, 'b': 1, 'c': 1, 'd': 1, 'e': 1, 'f': 1, 'g': 1,
	'h': 1, 'i': 1, 'j': 1, 'k': 1, 'l': 1, 'm': 1, 'n': 1, 'o': 1,
	'p': 1, 'q': 1, 'r': 1, 's': 1, 't': 1, 'u': 1, 'v': 1, 'w': 1,
	'x': 1, 'y': 1, 'z': 1, 'ä': 1, 'ö': 1, 'ñ': 1, 'ü': 1, 'à': 1,

	// Extension table (escape + code): form feed 0x0A, ^ 0x14, { 0x28, } 0x29,
	// \ 0x2F, [ 0x3C, ~ 0x3D, ] 0x3E, | 0x40. (€ 0x65 is above U+00FF.)
	'\f': 2, '^': 2, '{': 2, '}': 2, '\\': 2, '[': 2, '~': 2, ']': 2, '|': 2,
}

// segGSMCost returns the GSM-7 cost in septets of r: 1 (basic table), 2 (extension
// table) or 0 (not encodable in GSM-7).
func segGSMCost(r rune) int {
	if uint32(r) < uint32(len(segGSMLatin1)) {
		return int(segGSMLatin1[r])
	}
	switch r {
	case 'Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ': // basic 0x10, 0x12–0x1A
		return 1
	case '€': // extension 0x65
		return 2
	}
	return 0
}

// IsGSM7 reports whether every rune of s is in the GSM 03.38 basic or extension table.
// An invalid UTF-8 byte is not.
func IsGSM7(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if segGSMLatin1[c] == 0 {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if segGSMCost(r) == 0 { // also utf8.RuneError
			return false
		}
		i += size
	}
	return true
}

// CountSegments reports the encoding and segment count of body.
//
// A body that IsGSM7 is sent as GSM-7 (one septet per basic-table character, two per
// extension-table character), anything else as UCS-2 (UTF-16 code units; each invalid
// UTF-8 byte counts as one U+FFFD). A message of up to 160 septets / 70 units is one
// segment; a longer one is split into parts of 153 septets / 67 units, and an escape
// pair or a surrogate pair that would straddle a part boundary moves whole into the
// next part, leaving one unit of the previous part unused.
//
// CountSegments does not allocate.
func CountSegments(body string) SegmentInfo {
	if body == "" {
		return SegmentInfo{
			Encoding:   EncodingGSM7,
			PerSegment: segGSM7Single,
			Remaining:  segGSM7Single,
		}
	}
	// GSM-7: count the septets. Most bodies are single-segment, so the packing into
	// 153-septet parts is simulated only when needed, by segPackGSM7.
	units := 0
	for i := 0; i < len(body); {
		var cost int
		if c := body[i]; c < utf8.RuneSelf {
			cost = int(segGSMLatin1[c])
			i++
		} else {
			r, size := utf8.DecodeRuneInString(body[i:])
			cost = segGSMCost(r)
			i += size
		}
		if cost == 0 {
			return segCountUCS2(body)
		}
		units += cost
	}
	if units <= segGSM7Single {
		return SegmentInfo{EncodingGSM7, units, 1, segGSM7Single, segGSM7Single - units}
	}
	parts, used := segPackGSM7(body)
	return SegmentInfo{EncodingGSM7, units, parts, segGSM7Multi, segGSM7Multi - used}
}

// segPackGSM7 fills 153-septet parts with the characters of body, which is all GSM-7,
// moving an escape pair that does not fit whole into the next part. It returns the
// number of parts and the septets used in the last.
func segPackGSM7(body string) (parts, used int) {
	parts = 1
	for i := 0; i < len(body); {
		var cost int
		if c := body[i]; c < utf8.RuneSelf {
			cost = int(segGSMLatin1[c])
			i++
		} else {
			r, size := utf8.DecodeRuneInString(body[i:])
			cost = segGSMCost(r)
			i += size
		}
		if used+cost > segGSM7Multi {
			parts++
			used = 0
		}
		used += cost
	}
	return parts, used
}

// segCountUCS2 counts a non-empty body as UCS-2 (UTF-16). Decoding dominates here, so
// the 67-unit parts are filled in the same pass, in case the message is multipart.
func segCountUCS2(body string) SegmentInfo {
	units, parts, used := 0, 1, 0
	for i := 0; i < len(body); {
		n := 1 // UTF-16 code units of this rune
		if body[i] < utf8.RuneSelf {
			i++
		} else {
			// An invalid byte decodes as (utf8.RuneError, 1): one U+FFFD, one unit.
			r, size := utf8.DecodeRuneInString(body[i:])
			i += size
			if r > 0xFFFF { // a surrogate pair
				n = 2
			}
		}
		units += n
		if used+n > segUCS2Multi { // a surrogate pair never straddles two parts
			parts++
			used = 0
		}
		used += n
	}
	if units <= segUCS2Single {
		return SegmentInfo{EncodingUCS2, units, 1, segUCS2Single, segUCS2Single - units}
	}
	return SegmentInfo{EncodingUCS2, units, parts, segUCS2Multi, segUCS2Multi - used}
}
