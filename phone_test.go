package sms

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// phoneCases is shared by the table test and the fuzz seed corpus. want is the canonical result
// for a valid input; reason is the PhoneError.Reason for an invalid one.
var phoneCases = []struct {
	name   string
	in     string
	want   string
	reason string
}{
	// Canonical input, returned as is.
	{"US", "+14155552671", "+14155552671", ""},
	{"UK", "+447911123456", "+447911123456", ""},
	{"Germany", "+4915123456789", "+4915123456789", ""},
	{"India", "+919876543210", "+919876543210", ""},
	{"Bangladesh", "+8801712345678", "+8801712345678", ""},
	{"Kazakhstan", "+77011234567", "+77011234567", ""},
	{"China", "+8613812345678", "+8613812345678", ""},
	{"Japan", "+81312345678", "+81312345678", ""},
	{"UAE", "+971501234567", "+971501234567", ""},
	{"Kosovo", "+38344123456", "+38344123456", ""},
	{"Curaçao", "+59991234567", "+59991234567", ""},
	{"freephone 800", "+80012345678", "+80012345678", ""},
	{"Niue, 7 digits", "+6834002", "+6834002", ""},
	{"15 digits", "+882123456789012", "+882123456789012", ""},

	// Punctuation and the "00" prefix.
	{"US punctuated", "+1 (415) 555-2671", "+14155552671", ""},
	{"UK 00 prefix", "0044 7911 123456", "+447911123456", ""},
	{"UK dots", "+44.7911.123456", "+447911123456", ""},
	{"UK NBSP", "+44\u00a07911\u00a0123456", "+447911123456", ""},
	{"slashes", "+1/415/555/2671", "+14155552671", ""},
	{"Germany spaced", "+49 151 2345 6789", "+4915123456789", ""},
	{"France pairs", "+33 6 12 34 56 78", "+33612345678", ""},
	{"France 00", "0033612345678", "+33612345678", ""},
	{"plus in parens", "(+44) 7911 123456", "+447911123456", ""},
	{"surrounding spaces", "  +14155552671  ", "+14155552671", ""},
	{"Italy leading 0 kept", "+39 06 1234 5678", "+390612345678", ""},
	{"Italy area in parens", "+39 (06) 1234 5678", "+390612345678", ""},
	{"00 split by space", "0 0 44 7911 123456", "+447911123456", ""},
	{"plus then space", "+ 91 98765 43210", "+919876543210", ""},

	// Invalid.
	{"empty", "", "", "empty"},
	{"plus only", "+", "", "no digits"},
	{"spaces only", "   ", "", "no digits"},
	{"no country code", "4155552671", "", "no country code"},
	{"national punctuated", "(415) 555-2671", "", "no country code"},
	{"single 0 prefix", "07911123456", "", "no country code"},
	{"zone 0", "+0123456789", "", "unassigned country calling code 0"},
	{"+00", "+00447911123456", "", "unassigned country calling code 0"},
	{"000", "000447911123456", "", "unassigned country calling code 0"},
	{"unassigned 999", "+999123456789", "", "unassigned country calling code 999"},
	{"unassigned 280", "+28012345678", "", "unassigned country calling code 280"},
	{"unassigned 384", "+38412345678", "", "unassigned country calling code 384"},
	{"unassigned 671 (Guam moved to +1)", "+6714721234", "", "unassigned country calling code 671"},
	{"unassigned 876 (Jamaica is +1 876)", "+8765551234", "", "unassigned country calling code 876"},
	{"unassigned 969", "+9691234567", "", "unassigned country calling code 969"},
	{"unassigned 978", "+9781234567", "", "unassigned country calling code 978"},
	{"unassigned 215", "+2151234567", "", "unassigned country calling code 215"},
	{"trailing letter", "+1415555267a", "", "letters are not allowed"},
	{"vanity number", "+1-415-CALL-NOW", "", "letters are not allowed"},
	{"letters only", "abc", "", "letters are not allowed"},
	{"extension", "+1 415 555 2671 ext 5", "", "letters are not allowed"},
	{"Cyrillic letter", "+7 701 123 45 67 \u0434", "", "letters are not allowed"},
	{"double plus", "++14155552671", "", `misplaced "+"`},
	{"00 then plus", "00+447911123456", "", `misplaced "+"`},
	{"plus in the middle", "+44 7911+123456", "", `misplaced "+"`},
	{"16 digits", "+1415555267199999", "", "too long"},
	{"16 digits punctuated", "+44 7911 123456 0000", "", "too long"},
	{"6 digits", "+123456", "", "too short"},
	{"00 only", "00", "", "too short"},
	{"00 and 5 digits", "0044123", "", "too short"},
	{"trunk (0)", "+44 (0) 7911 123456", "", "national trunk prefix"},
	{"trunk (0) glued", "+44 (0)20 7946 0958", "", "national trunk prefix"},
	{"tab", "+1\t4155552671", "", `invalid character '\t'`},
	{"hash", "+1 415 555 2671 #", "", `invalid character '#'`},
	{"comma", "+1,4155552671", "", `invalid character ','`},
	{"full-width digits", "+\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff12\uff16\uff17\uff11", "", `invalid character '１'`},
	{"en dash", "+1 415\u2013555\u20132671", "", `invalid character '–'`},
	{"invalid UTF-8", "+14155552671\xff", "", "invalid UTF-8"},
}

func TestNormalizePhone(t *testing.T) {
	if len(phoneCases) < 40 {
		t.Fatalf("only %d cases", len(phoneCases))
	}
	for _, tc := range phoneCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizePhone(tc.in)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("NormalizePhone(%q) error %v, want %q", tc.in, err, tc.want)
				}
				if got != tc.want {
					t.Fatalf("NormalizePhone(%q) = %q, want %q", tc.in, got, tc.want)
				}
				if !ValidPhone(got) {
					t.Errorf("ValidPhone(%q) = false for a normalised number", got)
				}
				if ValidPhone(tc.in) != (tc.in == tc.want) {
					t.Errorf("ValidPhone(%q) = %v, want %v", tc.in, ValidPhone(tc.in), tc.in == tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("NormalizePhone(%q) = %q, want error %q", tc.in, got, tc.reason)
			}
			if got != "" {
				t.Errorf("NormalizePhone(%q) returned %q with an error", tc.in, got)
			}
			var pe *PhoneError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *PhoneError", err)
			}
			if pe.Number != tc.in || pe.Reason != tc.reason {
				t.Errorf("PhoneError{%q, %q}, want {%q, %q}", pe.Number, pe.Reason, tc.in, tc.reason)
			}
			want := "sms: invalid phone number " + strconv.Quote(tc.in) + ": " + tc.reason
			if err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			if ValidPhone(tc.in) {
				t.Errorf("ValidPhone(%q) = true for an invalid number", tc.in)
			}
		})
	}
}

func TestPhoneErrorText(t *testing.T) {
	_, err := NormalizePhone("abc")
	if got, want := fmt.Sprint(err), `sms: invalid phone number "abc": letters are not allowed`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNormalizePhoneReturnsInput(t *testing.T) {
	in := strings.Clone("+447911123456")
	got, err := NormalizePhone(in)
	if err != nil || got != in {
		t.Fatalf("NormalizePhone(%q) = %q, %v", in, got, err)
	}
	if p, q := unsafe.StringData(got), unsafe.StringData(in); p != q {
		t.Error("canonical input was copied, not returned as is")
	}
}

func TestValidPhone(t *testing.T) {
	for _, s := range []string{"+14155552671", "+77011234567", "+8801712345678", "+6834002", "+882123456789012", "+97912345678"} {
		if !ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = false", s)
		}
	}
	for _, s := range []string{
		"", "+", "14155552671", "+1 4155552671", "+141555", "+1415555267199999", "+123456",
		"+0123456789", "+999123456789", "+28012345678", "0044791112345", "+4479111234５",
		"+447911123456\n", " +447911123456", "+1415555267a",
	} {
		if ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = true", s)
		}
	}
}

func TestCallingCode(t *testing.T) {
	for _, tc := range []struct{ in, code string }{
		{"+14155552671", "1"},
		{"+77011234567", "7"},
		{"+447911123456", "44"},
		{"+4915123456789", "49"},
		{"+919876543210", "91"},
		{"+8801712345678", "880"},
		{"+38344123456", "383"},
		{"+80012345678", "800"},
		{"+979123456789", "979"},
		{"+2111234567", "211"},
		{"+1", "1"}, // only the prefix is examined
		{"+999123456789", ""},
		{"+0123456789", ""},
		{"+28012345678", ""},
		{"447911123456", ""},
		{"", ""},
		{"+", ""},
		{"+4", ""},
		{"+a1", ""},
	} {
		code, ok := CallingCode(tc.in)
		if code != tc.code || ok != (tc.code != "") {
			t.Errorf("CallingCode(%q) = %q, %v; want %q, %v", tc.in, code, ok, tc.code, tc.code != "")
		}
	}
}

// TestPhoneCodeTable checks the calling-code list is well formed and prefix-free, and that the
// bitset lookup agrees with it for every 1-, 2- and 3-digit string.
func TestPhoneCodeTable(t *testing.T) {
	set := make(map[string]bool)
	for _, c := range phoneAssignedCodes {
		if len(c) < 1 || len(c) > 3 || c[0] == '0' || strings.Trim(c, "0123456789") != "" {
			t.Errorf("malformed code %q", c)
		}
		if set[c] {
			t.Errorf("duplicate code %q", c)
		}
		set[c] = true
	}
	// Prefix-free: no code is a proper prefix of another.
	for _, a := range phoneAssignedCodes {
		for _, b := range phoneAssignedCodes {
			if a != b && strings.HasPrefix(b, a) {
				t.Errorf("code %q is a prefix of code %q", a, b)
			}
		}
	}
	// The bitset holds exactly the list, and phoneCodeLen finds each code from any suffix.
	for l := 1; l <= 3; l++ {
		for v := 0; v < 1000; v++ {
			s := fmt.Sprintf("%0*d", l, v)
			if len(s) != l {
				continue
			}
			inBits := phoneCodeBits[l-1][v>>6]&(1<<(v&63)) != 0
			if inBits != set[s] {
				t.Errorf("bitset[%d][%d] = %v, list says %v", l, v, inBits, set[s])
			}
			if n := phoneCodeLen(s + "123456"); set[s] && n != l {
				t.Errorf("phoneCodeLen(%q) = %d, want %d", s+"123456", n, l)
			}
		}
	}
	// Every 3-digit string resolves to at most one code, and that code is a prefix of it.
	for v := 0; v < 1000; v++ {
		s := fmt.Sprintf("%03d", v)
		n := phoneCodeLen(s)
		matches := 0
		for l := 1; l <= 3; l++ {
			if set[s[:l]] {
				matches++
				if n != l {
					t.Errorf("phoneCodeLen(%q) = %d, want %d", s, n, l)
				}
			}
		}
		if matches > 1 {
			t.Errorf("%q matches %d codes", s, matches)
		}
		if matches == 0 && n != 0 {
			t.Errorf("phoneCodeLen(%q) = %d, want 0", s, n)
		}
	}

	assigned := []string{
		"1", "7", "20", "27", "30", "34", "36", "39", "41", "43", "49", "51", "58", "60", "66",
		"81", "82", "84", "86", "90", "95", "98", "211", "212", "213", "216", "218", "220", "246",
		"247", "258", "262", "269", "290", "291", "297", "298", "299", "350", "359", "370", "378",
		"383", "385", "387", "389", "420", "421", "423", "500", "509", "590", "599", "670", "672",
		"683", "685", "692", "800", "808", "850", "852", "853", "855", "856", "870", "878", "880",
		"881", "882", "883", "886", "888", "960", "968", "970", "977", "979", "992", "996", "998",
	}
	for _, c := range assigned {
		if !set[c] {
			t.Errorf("assigned code %s missing", c)
		}
	}
	// Spare, reserved or not in service per the ITU list (379: reserved for the Vatican City
	// State, which is reached through +39 06 698).
	spare := []string{
		"379", "0", "00", "210", "214", "215", "217", "219", "259", "280", "289", "292", "296", "384",
		"388", "422", "424", "429", "671", "684", "693", "699", "801", "807", "809", "830", "839",
		"851", "854", "857", "859", "871", "874", "875", "877", "879", "884", "885", "887", "889",
		"890", "899", "969", "978", "990", "991", "997", "999",
	}
	for _, c := range spare {
		if set[c] {
			t.Errorf("spare code %s present", c)
		}
		if n := phoneCodeLen(c + "1234567"); n != 0 && len(c) == 3 {
			t.Errorf("phoneCodeLen(%q) = %d for a spare code", c+"1234567", n)
		}
	}
}

func TestPhoneZeroAllocs(t *testing.T) {
	canonical := []string{"+14155552671", "+447911123456", "+8801712345678", "+77011234567", "+882123456789012"}
	invalid := []string{"", "+1 415 555 2671", "+999123456789", "4155552671", "+1415555267a", "+123456"}
	var sink int
	for _, s := range canonical {
		if n := testing.AllocsPerRun(100, func() {
			got, err := NormalizePhone(s)
			if err != nil {
				panic(err)
			}
			sink += len(got)
		}); n != 0 {
			t.Errorf("NormalizePhone(%q): %v allocs, want 0", s, n)
		}
	}
	for _, s := range append(canonical, invalid...) {
		if n := testing.AllocsPerRun(100, func() {
			if ValidPhone(s) {
				sink++
			}
		}); n != 0 {
			t.Errorf("ValidPhone(%q): %v allocs, want 0", s, n)
		}
		if n := testing.AllocsPerRun(100, func() {
			code, _ := CallingCode(s)
			sink += len(code)
		}); n != 0 {
			t.Errorf("CallingCode(%q): %v allocs, want 0", s, n)
		}
	}
	// The punctuated path allocates exactly the result string.
	if n := testing.AllocsPerRun(100, func() {
		got, _ := NormalizePhone("+1 (415) 555-2671")
		sink += len(got)
	}); n != 1 {
		t.Errorf("NormalizePhone(punctuated): %v allocs, want 1", n)
	}
	_ = sink
}

func FuzzNormalizePhone(f *testing.F) {
	for _, tc := range phoneCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizePhone(in)
		if err != nil {
			var pe *PhoneError
			if !errors.As(err, &pe) || pe.Number != in || pe.Reason == "" {
				t.Fatalf("NormalizePhone(%q): bad error %#v", in, err)
			}
			if got != "" {
				t.Fatalf("NormalizePhone(%q) = %q with error %v", in, got, err)
			}
			if ValidPhone(in) {
				t.Fatalf("ValidPhone(%q) but NormalizePhone failed: %v", in, err)
			}
			return
		}
		if !ValidPhone(got) {
			t.Fatalf("NormalizePhone(%q) = %q, not ValidPhone", in, got)
		}
		if got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q) = %q has characters other than '+' and digits", in, got)
		}
		again, err := NormalizePhone(got)
		if err != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, %v; not idempotent", got, again, err)
		}
		if _, ok := CallingCode(got); !ok {
			t.Fatalf("CallingCode(%q) not ok", got)
		}
		if ValidPhone(in) && got != in {
			t.Fatalf("canonical %q normalised to %q", in, got)
		}
	})
}

// phoneBaselineRE is the check applications commonly write by hand: it knows no calling codes
// and no punctuation, so it is the floor, not an equivalent.
var phoneBaselineRE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func BenchmarkNormalizePhone(b *testing.B) {
	b.Run("baseline-regexp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !phoneBaselineRE.MatchString("+447911123456") {
				b.Fatal("no match")
			}
		}
	})
	for _, bc := range []struct{ name, in string }{
		{"canonical", "+447911123456"},
		{"punctuated", "+1 (415) 555-2671"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NormalizePhone(bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkValidPhone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !ValidPhone("+447911123456") {
			b.Fatal("invalid")
		}
	}
}

func ExampleNormalizePhone() {
	for _, in := range []string{"+1 (415) 555-2671", "0044 7911 123456", "4155552671", "+44 (0) 7911 123456"} {
		e164, err := NormalizePhone(in)
		if err != nil {
			fmt.Println(err)
			continue
		}
		code, _ := CallingCode(e164)
		fmt.Println(e164, code)
	}
	// Output:
	// +14155552671 1
	// +447911123456 44
	// sms: invalid phone number "4155552671": no country code
	// sms: invalid phone number "+44 (0) 7911 123456": national trunk prefix
}
