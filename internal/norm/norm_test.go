package norm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"+14155550100":          "+14155550100",
		"14155550100":           "+14155550100",
		" 14155550100":          "+14155550100",
		"+1 415 555 0100":       "+14155550100",
		"12345678":              "12345678", // a short code, kept
		"InfoSMS":               "InfoSMS",
		"whatsapp:+14155550100": "whatsapp:+14155550100",
		"+999":                  "+999", // not a number: kept as sent
		"447911123456":          "+447911123456",
		"0987654321":            "0987654321",          // no country code 0: kept
		"+0987654321":           "+0987654321",         // not E.164: kept as sent
		"1415555010012345678":   "1415555010012345678", // too long for E.164
	} {
		require.Equal(t, want, Phone(in), "Phone(%q)", in)
	}
}

func TestTime(t *testing.T) {
	want := time.Date(2026, 3, 4, 12, 30, 15, 0, time.UTC)
	for _, in := range []string{
		"2026-03-04T12:30:15Z",
		"2026-03-04t12:30:15z",
		"2026-03-04 12:30:15Z",
		"2026-03-04T13:30:15+01:00",
		"2026-03-04T05:30:15.000-0700",
		"2026-03-04T12:30:15.0000000Z",
		"2026-03-04T12:30:15",
	} {
		got := Time(in)
		require.True(t, got.Equal(want), "Time(%q) = %v", in, got)
		require.Equal(t, time.UTC, got.Location(), "Time(%q) location", in)
	}
	// Seven fractional digits (ACS), surrounding space, no zone (UTC).
	require.True(t, Time(" 2020-09-18T00:22:20.2855749 ").Equal(time.Date(2020, 9, 18, 0, 22, 20, 285574900, time.UTC)))
	for _, in := range []string{"", "yesterday", "2026-03-04", "2026-13-04T12:30:15Z",
		"Fri, 18 Sep 2020 00:22:20 GMT", "2020-09-18T00:22:20.2855749Z junk"} {
		require.True(t, Time(in).IsZero(), "Time(%q) should be zero", in)
	}
}

func TestUUID5(t *testing.T) {
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	// RFC 9562 / Python's uuid.uuid5(NAMESPACE_DNS, "python.org").
	require.Equal(t, "886313e1-3b8a-5372-9b90-0c9aee199e5d", FormatUUID(UUID5(dns, "python.org")))
	require.Len(t, RandomKey(), 32)
	require.NotEqual(t, RandomKey(), RandomKey())
}
