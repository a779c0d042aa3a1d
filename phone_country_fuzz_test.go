package sms_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
)

// FuzzPhoneCountry: the E.164 lookups (CallingCode, NANPCountry, PhoneCountry, PhoneCountries)
// take any string without a panic and agree with each other and with ValidPhone.
func FuzzPhoneCountry(f *testing.F) {
	for _, s := range []string{"+14155550100", "+18005550100", "+16135550100", "+18765550100", "+447911123456",
		"+77011234567", "+79161234567", "+80012345678", "+8613314517617", "+1", "+", "", "1415", "+999", "+1 415 555 0100",
		"+4915112345678", "+35312345678", "+2125551234", "+0123", "+1415555010０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, number string) {
		valid := sms.ValidPhone(number)
		if code, ok := sms.CallingCode(number); ok {
			if code == "" || strings.Trim(code, "0123456789") != "" || !strings.HasPrefix(number, "+"+code) {
				t.Fatalf("CallingCode(%q) = %q", number, code)
			}
		} else if valid {
			t.Fatalf("ValidPhone(%q) without a calling code", number)
		}
		if iso, ok := sms.NANPCountry(number); ok && (!valid || !strings.HasPrefix(number, "+1") || len(iso) != 2) {
			t.Fatalf("NANPCountry(%q) = %q for a number that is not a valid +1 number", number, iso)
		}
		all := sms.PhoneCountries(number)
		if len(all) > 0 && !valid {
			t.Fatalf("PhoneCountries(%q) = %v for an invalid number", number, all)
		}
		if iso, ok := sms.PhoneCountry(number); ok {
			if !valid || !slices.Contains(all, iso) {
				t.Fatalf("PhoneCountry(%q) = %q, PhoneCountries %v, valid %v", number, iso, all, valid)
			}
		}
	})
}
