package acs

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

// Every code of Microsoft's "SMS error codes" list (vendors/acs.md §4.2), in both detail
// formats ACS uses, plus the words and shapes around them.
func TestReportStatusFullTable(t *testing.T) {
	type row struct {
		st    sms.Status
		class sms.Code
	}
	want := map[string]row{
		"2000": {sms.StatusFailed, sms.CodeUnknown}, // "Failed" with the success code stays Failed: the word decides
		"4000": {sms.StatusRejected, sms.CodePermissionDenied},
		"4001": {sms.StatusRejected, sms.CodeInvalidArgument},
		"4002": {sms.StatusRejected, sms.CodeInvalidRecipient},
		"4003": {sms.StatusRejected, sms.CodePermissionDenied},
		"4004": {sms.StatusUndelivered, sms.CodeInvalidRecipient},
		"4005": {sms.StatusRejected, sms.CodePermissionDenied},
		"4006": {sms.StatusUndelivered, sms.CodeUnavailable},
		"4007": {sms.StatusRejected, sms.CodeOptedOut},
		"4008": {sms.StatusRejected, sms.CodeRateLimited},
		"4009": {sms.StatusRejected, sms.CodePermissionDenied},
		"4010": {sms.StatusRejected, sms.CodePermissionDenied},
		"5000": {sms.StatusFailed, sms.CodeInternal},
		"5001": {sms.StatusFailed, sms.CodeUnavailable},
		"5002": {sms.StatusExpired, sms.CodeUnavailable},
		"9999": {sms.StatusFailed, sms.CodeUnknown},
	}
	codes := DeliveryCodes()
	require.Len(t, codes, len(want))
	for _, c := range codes {
		w, ok := want[c.Code]
		require.True(t, ok, "code %s not in the test", c.Code)
		for _, details := range []string{c.Code + ": " + c.Meaning, c.Code, " " + c.Code + ":x", c.Code + " - " + c.Meaning} {
			st, class, code := ReportStatus("Failed", details)
			require.Equal(t, w, row{st, class}, "Failed %q", details)
			require.Equal(t, c.Code, code)
			// Delivered is delivered whatever the details say, and no failure.
			st, class, code = ReportStatus("Delivered", details)
			require.Equal(t, row{sms.StatusDelivered, sms.CodeUnknown}, row{st, class}, "Delivered %q", details)
			require.Equal(t, c.Code, code)
		}
	}
	cases := []struct {
		word, details string
		st            sms.Status
		class         sms.Code
		code          string
	}{
		{"Delivered", "No error.", sms.StatusDelivered, sms.CodeUnknown, ""},
		{"Delivered", "2000: No Error", sms.StatusDelivered, sms.CodeUnknown, "2000"},
		{"Delivered", "", sms.StatusDelivered, sms.CodeUnknown, ""},
		{"delivered", "", sms.StatusDelivered, sms.CodeUnknown, ""},
		{" DELIVERED ", "", sms.StatusDelivered, sms.CodeUnknown, ""},
		{"Failed", "", sms.StatusFailed, sms.CodeUnknown, ""},
		// The SMS FAQ's wording of a send to a recipient who opted out carries no code.
		{"failed", "Sender blocked for given recipient.", sms.StatusFailed, sms.CodeOptedOut, ""},
		{"Failed", "4321: a code not in the list", sms.StatusFailed, sms.CodeUnknown, "4321"},
		{"Failed", "12345678901: too long to be a code", sms.StatusFailed, sms.CodeUnknown, ""},
		{"Failed", "x4004", sms.StatusFailed, sms.CodeUnknown, ""},
		{"Sent", "", sms.StatusUnknown, sms.CodeUnknown, ""},
		{"Queued", "2000: No Error", sms.StatusUnknown, sms.CodeUnknown, "2000"},
		{"", "4004: Destination number does not exist", sms.StatusUnknown, sms.CodeUnknown, "4004"},
		{"", "", sms.StatusUnknown, sms.CodeUnknown, ""},
	}
	for _, c := range cases {
		st, class, code := ReportStatus(c.word, c.details)
		require.Equal(t, c.st, st, "ReportStatus(%q, %q)", c.word, c.details)
		require.Equal(t, c.class, class, "ReportStatus(%q, %q)", c.word, c.details)
		require.Equal(t, c.code, code, "ReportStatus(%q, %q)", c.word, c.details)
	}
}

// DeliveryCodes is a copy: changing it does not change the mapping.
func TestDeliveryCodesIsACopy(t *testing.T) {
	codes := DeliveryCodes()
	for i := range codes {
		codes[i].Status, codes[i].Class = sms.StatusDelivered, sms.CodeInternal
	}
	st, class, _ := ReportStatus("Failed", "4007: opted out")
	require.Equal(t, sms.StatusRejected, st)
	require.Equal(t, sms.CodeOptedOut, class)
	require.Equal(t, sms.StatusRejected, DeliveryCodes()[8].Status)
}
