package sms

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// E.164 limits: a canonical number is "+" followed by 7 to 15 digits, the country calling code
// included. (E.164 itself caps the total at 15; 7 is this library's floor, short enough for the
// smallest national plans such as Niue's "+683 4002".)
const (
	phoneMinDigits = 7
	phoneMaxDigits = 15
)

// PhoneError is the error returned by NormalizePhone for a number it cannot bring into
// canonical E.164 form.
//
// Phone numbers are not secrets, so Number is the input exactly as given and Error echoes it
// (quoted). Reason is one of:
//
//	"empty"                                  the input is ""
//	"no digits"                              the input has only punctuation and/or "+"
//	"letters are not allowed"                a letter (ASCII or any Unicode letter)
//	`invalid character '#'`                  any other character outside the accepted set
//	"invalid UTF-8"                          the input is not valid UTF-8
//	`misplaced "+"`                          a "+" after a digit, or a second "+"
//	"no country code"                        neither "+" nor the international "00" prefix
//	"national trunk prefix"                  the "+44 (0) 20 …" form, see NormalizePhone
//	"too short" / "too long"                 fewer than 7 or more than 15 digits
//	"unassigned country calling code 999"    no ITU-T E.164 code prefixes the digits
//
// The reasons are for people; branch on the error type, not on the text.
type PhoneError struct {
	Number string // the input as given
	Reason string // short reason, e.g. "no country code", "unassigned country calling code 999", "too short"
}

// Error returns e.g. `sms: invalid phone number "abc": letters are not allowed`.
func (e *PhoneError) Error() string {
	return "sms: invalid phone number " + strconv.Quote(e.Number) + ": " + e.Reason
}

// NormalizePhone returns number in canonical E.164 form ("+" then 7–15 digits).
//
// Accepted input: an optional leading "+" or an international "00" prefix, digits, and common
// punctuation (space, '-', '.', '(', ')', '/', non-breaking space U+00A0) which is stripped.
// The "+" may be preceded by punctuation ("(+44) 7911 123456" and " +1 415…" are accepted) but
// by no digit, and may appear only once. The "00" prefix is recognised only when there is no
// "+" and the first two digits are zeros; it is replaced by "+".
//
// Rejected: letters (so extensions such as "ext. 12" too), any other character (tabs, '#', '*',
// full-width digits, other Unicode spaces), a number without a country code (no "+" / "00"),
// an unassigned ITU country calling code (including any code starting with 0), fewer than 7 or
// more than 15 digits in all (the "00" prefix not counted), empty input, a "+" after a digit or
// a second "+".
//
// The "+44 (0) 7911 123456" form, a national trunk prefix shown in parentheses, is rejected
// with the reason "national trunk prefix" rather than silently stripped or kept: keeping the 0
// would produce a wrong number, and dropping it would guess at what the sender meant. Only a
// parenthesised group consisting of the single digit 0 is treated this way; other groups such
// as "+39 (06) 1234 5678" are ordinary punctuation, because in some plans (Italy) the leading
// 0 is part of the number. A trunk 0 without parentheses ("+44 0 7911…") cannot be told apart
// from such numbers and is kept.
//
// For input already in canonical form (see ValidPhone) it returns the input string itself
// and does not allocate. Any error is a *PhoneError.
func NormalizePhone(number string) (string, error) {
	if ValidPhone(number) {
		return number, nil
	}
	return phoneNormalizeSlow(number)
}

// ValidPhone reports whether number is already canonical E.164: "+" followed by 7 to 15 ASCII
// digits, the first of which form an assigned ITU-T country calling code. It never allocates.
func ValidPhone(number string) bool {
	n := len(number)
	if n < 1+phoneMinDigits || n > 1+phoneMaxDigits || number[0] != '+' {
		return false
	}
	for i := 1; i < n; i++ {
		if c := number[i]; c < '0' || c > '9' {
			return false
		}
	}
	return phoneCodeLen(number[1:]) > 0
}

// CallingCode returns the ITU-T E.164 country calling code that prefixes a canonical number
// ("1", "44", "880", …) and ok=false if none is assigned.
//
// Only the leading "+" and the code's digits are examined; the rest of number is not checked
// (use ValidPhone for that). A number without the leading "+" has no code. The result is a
// substring of number, so CallingCode never allocates.
func CallingCode(number string) (code string, ok bool) {
	if len(number) < 2 || number[0] != '+' {
		return "", false
	}
	n := phoneCodeLen(number[1:])
	if n == 0 {
		return "", false
	}
	return number[1 : 1+n], true
}

// phoneNormalizeSlow is the non-canonical path of NormalizePhone: it strips punctuation,
// handles "00", validates, and builds the result with a single allocation.
func phoneNormalizeSlow(number string) (string, error) {
	if number == "" {
		return "", &PhoneError{Number: number, Reason: "empty"}
	}
	// digits holds up to phoneMaxDigits digits plus a "00" prefix; nd counts all digits seen,
	// including any that did not fit (the number is then too long anyway).
	var digits [phoneMaxDigits + 2]byte
	nd := 0
	plus := false
	trunk := false
	parenAt := -1 // nd at the most recent unclosed '(' (-1: none)
	var last byte // the last digit seen
	for i := 0; i < len(number); {
		c := number[i]
		switch {
		case '0' <= c && c <= '9':
			if nd < len(digits) {
				digits[nd] = c
			}
			nd++
			last = c
			i++
		case c == '+':
			if plus || nd > 0 {
				return "", &PhoneError{Number: number, Reason: `misplaced "+"`}
			}
			plus = true
			i++
		case c == ' ' || c == '-' || c == '.' || c == '/':
			i++
		case c == '(':
			parenAt = nd
			i++
		case c == ')':
			// "(0)" after some digits: the national trunk prefix in international format.
			if parenAt > 0 && nd == parenAt+1 && last == '0' {
				trunk = true
			}
			parenAt = -1
			i++
		case c < utf8.RuneSelf:
			if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
				return "", &PhoneError{Number: number, Reason: "letters are not allowed"}
			}
			return "", &PhoneError{Number: number, Reason: "invalid character " + strconv.QuoteRune(rune(c))}
		default:
			r, size := utf8.DecodeRuneInString(number[i:])
			switch {
			case r == '\u00a0':
				// non-breaking space: punctuation
			case r == utf8.RuneError && size == 1:
				return "", &PhoneError{Number: number, Reason: "invalid UTF-8"}
			case unicode.IsLetter(r):
				return "", &PhoneError{Number: number, Reason: "letters are not allowed"}
			default:
				return "", &PhoneError{Number: number, Reason: "invalid character " + strconv.QuoteRune(r)}
			}
			i += size
		}
	}

	if nd == 0 {
		return "", &PhoneError{Number: number, Reason: "no digits"}
	}
	start := 0
	if !plus {
		if nd < 2 || digits[0] != '0' || digits[1] != '0' {
			return "", &PhoneError{Number: number, Reason: "no country code"}
		}
		start = 2 // the international "00" prefix
	}
	if trunk {
		return "", &PhoneError{Number: number, Reason: "national trunk prefix"}
	}
	count := nd - start
	if count < phoneMinDigits {
		return "", &PhoneError{Number: number, Reason: "too short"}
	}
	if count > phoneMaxDigits {
		return "", &PhoneError{Number: number, Reason: "too long"}
	}
	d := digits[start:nd]
	if phoneCodeLen(string(d)) == 0 { // string(d) does not escape: no allocation
		code := string(d[:3])
		if d[0] == '0' {
			code = "0" // all of zone 0 is spare
		}
		return "", &PhoneError{Number: number, Reason: "unassigned country calling code " + code}
	}
	var out [1 + phoneMaxDigits]byte
	out[0] = '+'
	n := 1 + copy(out[1:], d)
	return string(out[:n]), nil
}

// phoneCodeLen returns the length (1–3) of the assigned country calling code at the start of
// digits, or 0 if there is none. Because E.164 codes are prefix-free at most one length can
// match, so the first hit is the answer. It never allocates.
func phoneCodeLen(digits string) int {
	v := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + int(c-'0')
		if phoneCodeBits[i][v>>6]&(1<<(v&63)) != 0 {
			return i + 1
		}
	}
	return 0
}

// phoneCodeBits[l-1] is a 1000-bit set holding the numeric value of every assigned calling code
// of l digits. Indexing by length as well as value keeps "1" and "01", or "44" and "044",
// distinct (no assigned code starts with 0 anyway).
var phoneCodeBits = phoneBuildCodeBits(phoneAssignedCodes)

func phoneBuildCodeBits(codes []string) (bits [3][16]uint64) {
	for _, code := range codes {
		v, err := strconv.Atoi(code)
		if err != nil || len(code) < 1 || len(code) > 3 || code[0] < '1' || code[0] > '9' {
			panic("sms: malformed calling code " + strconv.Quote(code))
		}
		bits[len(code)-1][v>>6] |= 1 << (v & 63)
	}
	return bits
}

// phoneAssignedCodes is the ITU-T E.164 list of assigned country calling codes (geographic
// areas, groups of countries and global services), zone by zone.
//
// Deliberately absent as spare, reserved or withdrawn: all of zone 0; 210, 214, 215, 217, 219,
// 259, 280–289, 292–296; 384, 388 (the former European Telephony Numbering Space, withdrawn);
// 422, 424–429; 671 (Guam, now +1 671), 684 (American Samoa, now +1 684), 693–699; 801–807,
// 809, 83x, 851, 854, 857–859, 871–874 (former Inmarsat ocean regions, withdrawn), 875–877
// (reserved, maritime), 879 (reserved, national purposes), 884, 885, 887, 889, 89x; 969, 978,
// 990, 991 (a one-off ITPCS trial, no live numbers), 997, 999.
var phoneAssignedCodes = []string{
	// Zone 1: North American Numbering Plan.
	"1",

	// Zone 2: mostly Africa.
	"20",                              // Egypt
	"211", "212", "213", "216", "218", // South Sudan, Morocco, Algeria, Tunisia, Libya
	"220", "221", "222", "223", "224", "225", "226", "227", "228", "229", // Gambia … Benin
	"230", "231", "232", "233", "234", "235", "236", "237", "238", "239", // Mauritius … São Tomé and Príncipe
	"240", "241", "242", "243", "244", "245", "246", "247", "248", "249", // Equatorial Guinea … Sudan (246 Diego Garcia, 247 Ascension)
	"250", "251", "252", "253", "254", "255", "256", "257", "258", // Rwanda … Mozambique
	"260", "261", "262", "263", "264", "265", "266", "267", "268", "269", // Zambia … Comoros (262 Réunion/Mayotte)
	"27",         // South Africa
	"290", "291", // Saint Helena/Tristan da Cunha, Eritrea
	"297", "298", "299", // Aruba, Faroe Islands, Greenland

	// Zone 3: Europe.
	"30", "31", "32", "33", "34", // Greece, Netherlands, Belgium, France, Spain
	"350", "351", "352", "353", "354", "355", "356", "357", "358", "359", // Gibraltar … Bulgaria
	"36",                                                                 // Hungary
	"370", "371", "372", "373", "374", "375", "376", "377", "378", "379", // Lithuania … Vatican City State
	"380", "381", "382", "383", // Ukraine, Serbia, Montenegro, Kosovo
	"385", "386", "387", // Croatia, Slovenia, Bosnia and Herzegovina
	"389", // North Macedonia
	"39",  // Italy (and Vatican City)

	// Zone 4: Europe.
	"40", "41", // Romania, Switzerland
	"420", "421", "423", // Czechia, Slovakia, Liechtenstein
	"43", "44", "45", "46", "47", "48", "49", // Austria, UK, Denmark, Sweden, Norway, Poland, Germany

	// Zone 5: the Americas outside the NANP.
	"500", "501", "502", "503", "504", "505", "506", "507", "508", "509", // Falklands … Haiti
	"51", "52", "53", "54", "55", "56", "57", "58", // Peru, Mexico, Cuba, Argentina, Brazil, Chile, Colombia, Venezuela
	"590", "591", "592", "593", "594", "595", "596", "597", "598", "599", // Guadeloupe … Curaçao/Caribbean Netherlands

	// Zone 6: Southeast Asia and Oceania.
	"60", "61", "62", "63", "64", "65", "66", // Malaysia, Australia, Indonesia, Philippines, New Zealand, Singapore, Thailand
	"670",                                                  // Timor-Leste
	"672", "673", "674", "675", "676", "677", "678", "679", // Australian External Territories, Brunei … Fiji
	"680", "681", "682", "683", // Palau, Wallis and Futuna, Cook Islands, Niue
	"685", "686", "687", "688", "689", // Samoa, Kiribati, New Caledonia, Tuvalu, French Polynesia
	"690", "691", "692", // Tokelau, Micronesia, Marshall Islands

	// Zone 7: Russia and Kazakhstan.
	"7",

	// Zone 8: East Asia and global services.
	"800",      // International Freephone Service (UIFN)
	"808",      // International Shared Cost Service (ISCS)
	"81", "82", // Japan, South Korea
	"84",         // Viet Nam
	"850",        // North Korea
	"852", "853", // Hong Kong, Macao
	"855", "856", // Cambodia, Laos
	"86",         // China
	"870",        // Inmarsat SNAC
	"878",        // Universal Personal Telecommunication Service (UPT)
	"880",        // Bangladesh
	"881",        // Global Mobile Satellite System (GMSS)
	"882", "883", // International Networks
	"886", // Taiwan
	"888", // Telecommunications for Disaster Relief (OCHA)

	// Zone 9: West, Central and South Asia, and the Middle East.
	"90", "91", "92", "93", "94", "95", // Turkey, India, Pakistan, Afghanistan, Sri Lanka, Myanmar
	"960", "961", "962", "963", "964", "965", "966", "967", "968", // Maldives … Oman
	"970", "971", "972", "973", "974", "975", "976", "977", // Palestine … Nepal
	"979",                             // International Premium Rate Service (IPRS)
	"98",                              // Iran
	"992", "993", "994", "995", "996", // Tajikistan, Turkmenistan, Azerbaijan, Georgia, Kyrgyzstan
	"998", // Uzbekistan
}
