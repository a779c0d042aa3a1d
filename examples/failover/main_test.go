package main

import (
	"bytes"
	"strings"
	"testing"
)

// The example's own checks fail it unless every recipient holds exactly one accepted message;
// the output must also show the move-over and the unknown outcome.
func TestFailover(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"+14155550101 via infobip from ACME (eu-backup): accepted after 3 request(s)",
		"+14155550102 via infobip from ACME (eu-backup): accepted after 3 request(s)",
		"+14155550103 via twilio from +15005550006 (us-alerts): OutcomeUnknown after 1 request(s): request sent, no response",
		"emulators: twilio received 1 request(s) and accepted 1 message(s); infobip received 1 and accepted 2",
		"+14155550101: 1 accepted message(s), at infobip",
		"+14155550102: 1 accepted message(s), at infobip",
		"+14155550103: 1 accepted message(s), at twilio",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}
