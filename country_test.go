package sms_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

// +1 numbers have exactly 10 digits after +1, with area and exchange codes starting 2–9; a few
// fixed-length plans are checked too. The check does not allocate for valid input.
func TestPhonePlanLengths(t *testing.T) {
	for _, bad := range []string{
		"+1415555", "+1415555267", "+141555526712", "+11235552671", "+14151552671", "+14150552671",
		"+7701123456", "+3361234567", "+336123456789", "+3461234567", "+451234567",
	} {
		require.False(t, sms.ValidPhone(bad), bad)
		_, err := sms.NormalizePhone(bad)
		var pe *sms.PhoneError
		require.ErrorAs(t, err, &pe, bad)
	}
	for _, ok := range []string{"+14155552671", "+77011234567", "+33612345678", "+34612345678", "+4512345678", "+447911123456", "+4930123456"} {
		require.True(t, sms.ValidPhone(ok), ok)
	}
	_, err := sms.NormalizePhone("+1 415 555")
	require.ErrorContains(t, err, "10 digits after +1")
	require.Zero(t, testing.AllocsPerRun(100, func() { sms.ValidPhone("+14155552671") }))
}

// +379 is reserved for the Vatican City State but not in service (ITU list).
func TestPhone379NotInService(t *testing.T) {
	require.False(t, sms.ValidPhone("+379123456789"))
	_, ok := sms.CallingCode("+379123456789")
	require.False(t, ok)
}

func TestNANPCountry(t *testing.T) {
	for number, want := range map[string]string{
		"+12025550101": "US", "+14155552671": "US", "+14165550101": "CA", "+16045550101": "CA",
		"+18675550101": "CA", "+17875550101": "PR", "+18765550101": "JM", "+18095550101": "DO",
		"+12425550101": "BS", "+16715550101": "GU", "+13405550101": "VI", "+16005550101": "CA",
	} {
		got, ok := sms.NANPCountry(number)
		require.True(t, ok, number)
		require.Equal(t, want, got, number)
	}
	for _, number := range []string{"+18005550101", "+18885550101", "+15005550101", "+447911123456", "+1415555", "garbage"} {
		_, ok := sms.NANPCountry(number)
		require.False(t, ok, number)
	}
}

func TestPhoneCountry(t *testing.T) {
	for number, want := range map[string]string{
		"+14165550101": "CA", "+33612345678": "FR", "+4930123456": "DE", "+77011234567": "KZ",
		"+79161234567": "RU", "+8613812345678": "CN", "+2348031234567": "NG",
	} {
		got, ok := sms.PhoneCountry(number)
		require.True(t, ok, number)
		require.Equal(t, want, got, number)
	}
	for _, number := range []string{"+447911123456", "+18005550101", "+881612345678", "nope"} {
		_, ok := sms.PhoneCountry(number)
		require.False(t, ok, number)
	}
	require.Equal(t, []string{"GB", "GG", "IM", "JE"}, sms.PhoneCountries("+447911123456"))
	require.Equal(t, []string{"US", "CA"}, sms.PhoneCountries("+18005550101"))
	require.Empty(t, sms.PhoneCountries("+881612345678"))
}

// A vendor narrows the root alphanumeric rule with its own set; errors name the vendor.
func TestAlphanumericRule(t *testing.T) {
	twilio := sms.AlphanumericRule{Provider: "twilio", MaxLen: 11, Symbols: " -+_&"}
	require.NoError(t, twilio.Validate("Acme Co"))
	for _, bad := range []string{"", "Acme.Co", "123", "TwelveChars1", "Café"} {
		err := twilio.Validate(bad)
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err), bad)
		require.True(t, sms.IsNotAccepted(err))
		var e *sms.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, "twilio", e.Provider)
	}
	require.NoError(t, sms.RootAlphanumeric().Validate("Acme.Co"))
	require.ErrorContains(t, twilio.Validate("Café"), `'é'`)
}
