package sms

import "testing"

// One canonical form for senders and recipients on both sides of consent: every way
// NormalizePhone reads a number gives its E.164 form; anything else stays as written.
func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"+14155550100": "+14155550100", "+1 (415) 555-0100": "+14155550100", "(+1) 415 555 0100": "+14155550100",
		" +14155550100": "+14155550100", "00 1 415 555 0100": "+14155550100", "0014155550100": "+14155550100",
		"14155550100": "14155550100", "2333": "2333", "Acme": "Acme", "MG123": "MG123", "": "",
	} {
		if got := canonical(in); got != want {
			t.Errorf("canonical(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = canonical("Acme"); _ = canonical("+14155550100") }); n != 0 {
		t.Errorf("%v allocations for a sender ID and a canonical number", n)
	}
}
