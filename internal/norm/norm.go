// Package norm holds the normalisation helpers every vendor package shares: phone numbers
// and timestamps read from vendor payloads, name-based UUIDs and random keys. Written once so
// that a vendor package is a thin map over them.
package norm

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"time"

	"github.com/smsbridge/sms"
)

// Phone returns a number read from a vendor payload in E.164 when it is a phone number, else
// s unchanged (short codes, alphanumeric senders, channel addresses such as "whatsapp:+…").
//
// Vendors write numbers with or without the "+" (Microsoft's and Infobip's samples omit it):
// a value of more than 8 digits (longer than any short code) that is a valid number with a
// "+" gets one. A leading space followed by digits is a "+" that was not percent-encoded in a
// form body and is read as one.
func Phone(s string) string {
	if s == "" {
		return s
	}
	switch {
	case s[0] == '+':
		if n, err := sms.NormalizePhone(s); err == nil {
			return n
		}
		return s
	case s[0] == ' ' && len(s) > 1 && s[1] >= '0' && s[1] <= '9':
		if n, err := sms.NormalizePhone("+" + s[1:]); err == nil {
			return n
		}
		if strings.Trim(s[1:], "0123456789") == "" {
			// Digits after a decoded "+" that break a plan's length rule (documentation
			// examples such as "+1234567890"): still the number the vendor sent.
			return "+" + s[1:]
		}
		return s
	}
	if len(s) <= 8 || len(s) > 15 {
		return s
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s
		}
	}
	if n, err := sms.NormalizePhone("+" + s); err == nil {
		return n
	}
	return s
}

// Time parses a vendor timestamp and returns it in UTC, or the zero time when s is empty or
// unreadable. Accepted: RFC 3339 with any number of fractional digits, a space or a lower-case
// t between date and time, a lower-case z; an offset without a colon
// ("2006-01-02T15:04:05.000-0700", Infobip); no zone at all, taken as UTC.
func Time(s string) time.Time {
	s = strings.TrimSpace(s)
	if len(s) < 19 {
		return time.Time{}
	}
	if s[10] == ' ' || s[10] == 't' {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	for _, layout := range [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999-0700",
		"2006-01-02T15:04:05.999999999",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// UUID5 returns the name-based UUID (version 5, RFC 9562) of name in namespace ns.
func UUID5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // variant 10
	return u
}

// NamespaceURL is RFC 9562's namespace for URLs.
var NamespaceURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// FormatUUID writes u in lower-case 8-4-4-4-12 form.
func FormatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// RandomKey returns 128 random bits as 32 lower-case hex digits.
func RandomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
