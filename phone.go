package sms

import (
	"strconv"
	"strings"
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
//	"a +1 (NANP) number has 10 digits after +1", "a NANP area code starts with 2 to 9",
//	"a NANP exchange code starts with 2 to 9", "wrong length for country calling code 33"
//	                                         the number breaks its plan's length rule
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

// NormalizePhone returns number in canonical E.164 form ("+" then 7–15 digits, and the length
// rules of ValidPhone for the plans it knows).
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
// digits, the first of which form an assigned ITU-T country calling code, and which keep the
// length rules this library knows for that code (see phonePlanReason: +1 is exactly 10 digits
// after the code, with an area code and an exchange code starting with 2–9). It never
// allocates.
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
	cc := phoneCodeLen(number[1:])
	return cc > 0 && phonePlanReason(number[1:], cc) == ""
}

// phonePlanReason returns why digits (a whole number without "+", calling code first, whose
// code is ccLen digits long) break the numbering plan of its code, or "" when it does not or
// the library has no rule for the code. It never allocates.
//
// The rules are the fixed national significant number (NSN) lengths of the plans users hit
// most, as notified to the ITU by the national administrations (ITU-T Operational Bulletin,
// "national numbering plans"), taken only where every number of the code has that one length:
//
//	+1  NANP (US, CA, Caribbean): NPA-NXX-XXXX, 10 digits, N = 2–9 (NANPA, ATIS-0300115)
//	+7  Russia and Kazakhstan: 10 digits
//	+33 France: 9 digits
//	+34 Spain: 9 digits
//	+45 Denmark: 8 digits
//
// Codes with variable lengths (+44, +49, +39, …) keep the generic 7–15 digit rule.
func phonePlanReason(digits string, ccLen int) string {
	nsn := len(digits) - ccLen
	want := 0
	switch digits[:ccLen] {
	case "1":
		if nsn != 10 {
			return "a +1 (NANP) number has 10 digits after +1"
		}
		if digits[1] < '2' {
			return "a NANP area code starts with 2 to 9"
		}
		if digits[4] < '2' {
			return "a NANP exchange code starts with 2 to 9"
		}
		return ""
	case "7", "33", "34":
		want = 10
		if ccLen == 2 {
			want = 9
		}
	case "45":
		want = 8
	default:
		return ""
	}
	if nsn != want {
		return "wrong length for country calling code " + digits[:ccLen]
	}
	return ""
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
	if reason := phonePlanReason(string(d), phoneCodeLen(string(d))); reason != "" {
		return "", &PhoneError{Number: number, Reason: reason}
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

// phoneAssignedCodes is the list of country calling codes in service, zone by zone: the "List of
// ITU-T Recommendation E.164 assigned country codes" (complement to ITU-T E.164, published by
// the ITU Telecommunication Standardization Bureau as an annex to its Operational Bulletin)
// minus the codes that list marks as spare, reserved or not in service.
//
// Deliberately absent as spare, reserved or withdrawn: all of zone 0; 210, 214, 215, 217, 219,
// 259, 280–289, 292–296; 379 (reserved for the Vatican City State, not in service: the Vatican
// is reached through +39 06 698); 384, 388 (the former European Telephony Numbering Space, withdrawn);
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
	"36",                                                          // Hungary
	"370", "371", "372", "373", "374", "375", "376", "377", "378", // Lithuania … San Marino
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

// NANPCountry returns the ISO 3166-1 alpha-2 code of the North American Numbering Plan member
// that a canonical +1 number belongs to, from its area code (NPA): "CA" for Canada's area codes,
// the member's code for the Caribbean and Pacific members and US territories (Puerto Rico "PR",
// Jamaica "JM", Guam "GU", …), and "US" for every other geographic area code (NANPA assigns the
// geographic codes that are not listed here to the United States; a code not yet in service is
// reported as "US" too). ok is false when number is not a valid +1 number (see ValidPhone) or
// its area code is not geographic and serves several members (toll-free 8XX, 5XX personal
// communications, 700, 900): see PhoneCountries for those.
//
// The table follows the NANPA area code assignments (nationalnanpa.com) and the CNAC list of
// Canadian area codes, as of 2025.
func NANPCountry(number string) (iso string, ok bool) {
	if len(number) != 12 || number[1] != '1' || !ValidPhone(number) {
		return "", false
	}
	iso = nanpCountry(number[2:5])
	return iso, iso != ""
}

// nanpCountry returns the member of a geographic NPA, or "" for a non-geographic one.
func nanpCountry(npa string) string {
	if iso, ok := nanpMembers[npa]; ok {
		return iso
	}
	if nanpNonGeographic[npa] {
		return ""
	}
	return "US"
}

// nanpNonGeographic holds the non-geographic NANP area codes shared by the members: toll-free
// (8XX), personal communications services (5XX), 700, 900 and 456 (inbound international).
var nanpNonGeographic = map[string]bool{
	"800": true, "833": true, "844": true, "855": true, "866": true, "877": true, "888": true,
	"500": true, "521": true, "522": true, "523": true, "524": true, "525": true, "526": true,
	"527": true, "528": true, "529": true, "532": true, "533": true, "535": true, "538": true,
	"542": true, "543": true, "544": true, "545": true, "546": true, "547": true, "549": true,
	"550": true, "552": true, "553": true, "554": true, "556": true, "558": true, "566": true,
	"569": true, "577": true, "578": true, "588": true,
	"700": true, "900": true, "456": true,
}

// nanpMembers maps the area codes of every NANP member other than the United States (and the
// Canadian non-geographic codes 600 and 622) to ISO 3166-1 alpha-2.
var nanpMembers = map[string]string{
	// Canada (CNAC): geographic codes by province, then the non-geographic 600 and 622.
	"403": "CA", "587": "CA", "780": "CA", "825": "CA", "368": "CA", // Alberta
	"236": "CA", "250": "CA", "257": "CA", "604": "CA", "672": "CA", "778": "CA", // British Columbia
	"204": "CA", "431": "CA", "584": "CA", // Manitoba
	"428": "CA", "506": "CA", // New Brunswick
	"709": "CA", "879": "CA", // Newfoundland and Labrador
	"782": "CA", "902": "CA", // Nova Scotia and Prince Edward Island
	"226": "CA", "249": "CA", "289": "CA", "343": "CA", "365": "CA", "382": "CA", "387": "CA",
	"416": "CA", "437": "CA", "519": "CA", "548": "CA", "613": "CA", "647": "CA", "683": "CA",
	"705": "CA", "742": "CA", "753": "CA", "807": "CA", "905": "CA", "942": "CA", // Ontario
	"263": "CA", "354": "CA", "367": "CA", "418": "CA", "438": "CA", "450": "CA", "468": "CA",
	"514": "CA", "579": "CA", "581": "CA", "819": "CA", "873": "CA", // Quebec
	"306": "CA", "474": "CA", "639": "CA", // Saskatchewan
	"867": "CA",              // Yukon, Northwest Territories, Nunavut
	"600": "CA", "622": "CA", // non-geographic services in Canada

	// The Caribbean members.
	"242": "BS", "246": "BB", "264": "AI", "268": "AG", "284": "VG", "345": "KY", "441": "BM",
	"473": "GD", "649": "TC", "658": "JM", "876": "JM", "664": "MS", "721": "SX", "758": "LC",
	"767": "DM", "784": "VC", "809": "DO", "829": "DO", "849": "DO", "868": "TT", "869": "KN",

	// US territories with their own ISO 3166-1 codes.
	"340": "VI", "670": "MP", "671": "GU", "684": "AS", "787": "PR", "939": "PR",
}

// PhoneCountry returns the ISO 3166-1 alpha-2 code of the country or territory a canonical
// number belongs to, when its calling code tells it unambiguously: the area code for +1
// (NANPCountry), the first digit for +7 (Kazakhstan is +7 6 and +7 7, Russia the rest), and
// the calling code itself elsewhere. ok is false for an invalid number, a global service
// (+800, +870, +881, …), a non-geographic NANP code, and a calling code shared by several
// territories whose numbers this library does not tell apart (+44 for GB, GG, IM and JE; see
// PhoneCountries).
func PhoneCountry(number string) (iso string, ok bool) {
	list := PhoneCountries(number)
	if len(list) != 1 {
		return "", false
	}
	return list[0], true
}

// PhoneCountries returns the ISO 3166-1 alpha-2 codes of every country or territory a canonical
// number may belong to: one code where PhoneCountry knows it, several for a shared calling code
// or a non-geographic NANP area code (toll-free numbers reach the US and Canada), and none for an
// invalid number or a global service. Client checks Capabilities.Countries against this list: a
// recipient none of whose countries is served gets CodeInvalidRecipient. The result must not be
// modified.
func PhoneCountries(number string) []string {
	if !ValidPhone(number) {
		return nil
	}
	code, _ := CallingCode(number)
	switch code {
	case "1":
		if iso := nanpCountry(number[2:5]); iso != "" {
			return nanpSingle[iso]
		}
		return nanpShared
	case "7":
		if number[2] == '6' || number[2] == '7' {
			return countryKZ
		}
		return countryRU
	}
	return callingCodeCountries[code]
}

var (
	nanpShared = []string{"US", "CA"}
	countryKZ  = []string{"KZ"}
	countryRU  = []string{"RU"}
	// nanpSingle holds a one-element slice per NANP member, so lookups do not allocate.
	nanpSingle = func() map[string][]string {
		m := map[string][]string{"US": {"US"}}
		for _, iso := range nanpMembers {
			m[iso] = []string{iso}
		}
		return m
	}()
	// callingCodeCountries maps each geographic calling code other than +1 and +7 to the
	// countries and territories it serves (ISO 3166-1 alpha-2; the first is the main one).
	// Global services (800, 808, 870, 878, 881–883, 888, 979) are absent.
	callingCodeCountries = buildCallingCodeCountries()
)

func buildCallingCodeCountries() map[string][]string {
	m := make(map[string][]string, len(callingCodeISO))
	for code, list := range callingCodeISO {
		m[code] = strings.Fields(list)
	}
	return m
}

// callingCodeISO is the ITU list of assigned country codes (see phoneAssignedCodes) with the
// ISO 3166-1 alpha-2 codes of the countries and territories each serves, space-separated.
var callingCodeISO = map[string]string{
	"20": "EG", "211": "SS", "212": "MA EH", "213": "DZ", "216": "TN", "218": "LY",
	"220": "GM", "221": "SN", "222": "MR", "223": "ML", "224": "GN", "225": "CI", "226": "BF",
	"227": "NE", "228": "TG", "229": "BJ", "230": "MU", "231": "LR", "232": "SL", "233": "GH",
	"234": "NG", "235": "TD", "236": "CF", "237": "CM", "238": "CV", "239": "ST", "240": "GQ",
	"241": "GA", "242": "CG", "243": "CD", "244": "AO", "245": "GW", "246": "IO", "247": "SH",
	"248": "SC", "249": "SD", "250": "RW", "251": "ET", "252": "SO", "253": "DJ", "254": "KE",
	"255": "TZ", "256": "UG", "257": "BI", "258": "MZ", "260": "ZM", "261": "MG", "262": "RE YT",
	"263": "ZW", "264": "NA", "265": "MW", "266": "LS", "267": "BW", "268": "SZ", "269": "KM",
	"27": "ZA", "290": "SH", "291": "ER", "297": "AW", "298": "FO", "299": "GL",
	"30": "GR", "31": "NL", "32": "BE", "33": "FR", "34": "ES", "350": "GI", "351": "PT",
	"352": "LU", "353": "IE", "354": "IS", "355": "AL", "356": "MT", "357": "CY", "358": "FI AX",
	"359": "BG", "36": "HU", "370": "LT", "371": "LV", "372": "EE", "373": "MD", "374": "AM",
	"375": "BY", "376": "AD", "377": "MC", "378": "SM", "380": "UA", "381": "RS", "382": "ME",
	"383": "XK", "385": "HR", "386": "SI", "387": "BA", "389": "MK", "39": "IT VA",
	"40": "RO", "41": "CH", "420": "CZ", "421": "SK", "423": "LI", "43": "AT", "44": "GB GG IM JE",
	"45": "DK", "46": "SE", "47": "NO SJ", "48": "PL", "49": "DE",
	"500": "FK GS", "501": "BZ", "502": "GT", "503": "SV", "504": "HN", "505": "NI", "506": "CR",
	"507": "PA", "508": "PM", "509": "HT", "51": "PE", "52": "MX", "53": "CU", "54": "AR",
	"55": "BR", "56": "CL", "57": "CO", "58": "VE", "590": "GP BL MF", "591": "BO", "592": "GY",
	"593": "EC", "594": "GF", "595": "PY", "596": "MQ", "597": "SR", "598": "UY", "599": "CW BQ",
	"60": "MY", "61": "AU CX CC", "62": "ID", "63": "PH", "64": "NZ PN", "65": "SG", "66": "TH",
	"670": "TL", "672": "NF AQ", "673": "BN", "674": "NR", "675": "PG", "676": "TO", "677": "SB",
	"678": "VU", "679": "FJ", "680": "PW", "681": "WF", "682": "CK", "683": "NU", "685": "WS",
	"686": "KI", "687": "NC", "688": "TV", "689": "PF", "690": "TK", "691": "FM", "692": "MH",
	"81": "JP", "82": "KR", "84": "VN", "850": "KP", "852": "HK", "853": "MO", "855": "KH",
	"856": "LA", "86": "CN", "880": "BD", "886": "TW",
	"90": "TR", "91": "IN", "92": "PK", "93": "AF", "94": "LK", "95": "MM", "960": "MV",
	"961": "LB", "962": "JO", "963": "SY", "964": "IQ", "965": "KW", "966": "SA", "967": "YE",
	"968": "OM", "970": "PS", "971": "AE", "972": "IL", "973": "BH", "974": "QA", "975": "BT",
	"976": "MN", "977": "NP", "98": "IR", "992": "TJ", "993": "TM", "994": "AZ", "995": "GE",
	"996": "KG", "998": "UZ",
}
