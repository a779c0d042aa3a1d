package acs

import (
	"testing"

	"github.com/smsbridge/sms"
)

// Every code of Microsoft's "SMS error codes" list (vendors/acs.md §4.2), in both detail
// formats ACS uses, plus the words and shapes around them.
func TestMapStatusFullTable(t *testing.T) {
	want := map[string]sms.Status{
		"2000": sms.StatusFailed, // "Failed" with the success code stays Failed: the word decides
		"4000": sms.StatusRejected, "4001": sms.StatusRejected, "4002": sms.StatusRejected, "4003": sms.StatusRejected,
		"4004": sms.StatusUndelivered,
		"4005": sms.StatusRejected,
		"4006": sms.StatusUndelivered,
		"4007": sms.StatusRejected, "4008": sms.StatusRejected, "4009": sms.StatusRejected, "4010": sms.StatusRejected,
		"5000": sms.StatusFailed, "5001": sms.StatusFailed,
		"5002": sms.StatusExpired,
		"9999": sms.StatusFailed,
	}
	if len(want) != len(DeliveryCodes) {
		t.Fatalf("table has %d codes, test %d", len(DeliveryCodes), len(want))
	}
	for _, c := range DeliveryCodes {
		w, ok := want[c.Code]
		if !ok {
			t.Fatalf("code %s not in the test", c.Code)
		}
		for _, details := range []string{c.Code + ": " + c.Meaning, c.Code, " " + c.Code + ":x", c.Code + " - " + c.Meaning} {
			st, code := MapStatus("Failed", details)
			if st != w || code != c.Code {
				t.Errorf("Failed %q: %v %q, want %v", details, st, code, w)
			}
			// Delivered is delivered whatever the details say.
			if st, code := MapStatus("Delivered", details); st != sms.StatusDelivered || code != c.Code {
				t.Errorf("Delivered %q: %v %q", details, st, code)
			}
		}
	}
	cases := []struct {
		word, details string
		st            sms.Status
		code          string
	}{
		{"Delivered", "No error.", sms.StatusDelivered, ""},
		{"Delivered", "2000: No Error", sms.StatusDelivered, "2000"},
		{"Delivered", "", sms.StatusDelivered, ""},
		{"delivered", "", sms.StatusDelivered, ""},
		{" DELIVERED ", "", sms.StatusDelivered, ""},
		{"Failed", "", sms.StatusFailed, ""},
		{"failed", "Sender blocked for given recipient.", sms.StatusFailed, ""},
		{"Failed", "4321: a code not in the list", sms.StatusFailed, "4321"},
		{"Failed", "12345678901: too long to be a code", sms.StatusFailed, ""},
		{"Failed", "x4004", sms.StatusFailed, ""},
		{"Sent", "", sms.StatusUnknown, ""},
		{"Queued", "2000: No Error", sms.StatusUnknown, "2000"},
		{"", "4004: Destination number does not exist", sms.StatusUnknown, "4004"},
		{"", "", sms.StatusUnknown, ""},
	}
	for _, c := range cases {
		st, code := MapStatus(c.word, c.details)
		if st != c.st || code != c.code {
			t.Errorf("MapStatus(%q, %q) = %v %q, want %v %q", c.word, c.details, st, code, c.st, c.code)
		}
	}
}
