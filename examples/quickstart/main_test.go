package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"twilio  sent      to=+14155550100 id=SM", "status=sent reference=order-42", "status=delivered reference=order-42",
		"acs     sent      to=+14155550101 id=Outgoing_", "to=+14155550100 status=delivered reference=order-43",
		"to=+14155550101 status=delivered reference=order-43", `acs     help      from=+14155550101 body="HELP" keyword=HELP`, `opt_out   from=+14155550100 body="STOP" keyword=STOP`,
		"infobip sent      to=+41793026728 id=", "to=+41793026727 status=delivered reference=order-44",
		"to=+41793026728 status=delivered reference=order-44", `infobip opt_out   from=+41793026727 body="STOP" keyword=STOP`,
		"telesign sent     to=+14155550102 id=", "status=sent reference=order-45", "status=delivered reference=order-45",
		`telesign opt_out   from=+14155550102 body="ARRÊT" keyword=ARRÊT`,
		"linkmobility sent to=+4746910822 id=", "status=queued segments=2 err=<nil>",
		"to=+4746910822 status=sent reference=order-46", "to=+4746910822 status=delivered reference=order-46",
		`linkmobility opt_out   from=+4746910822 body="STOP" keyword=STOP`, "to=NO-2333 scope=2333",
		"twilio  refused   to=+14155550100 after STOP: sms/twilio: OptedOut (HTTP 400, code 21610)",
		"vibes   sent      to=+14155550103 id=", "status=accepted reference=order-47", "status=sent reference=order-47",
		"status=delivered reference=order-47", `vibes   opt_out   from=+14155550103 body="STOP" keyword=STOP`,
		"vibes   refused   to=+14155550103 after STOP: sms/vibes: OptedOut (HTTP 200, code 9)"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}
