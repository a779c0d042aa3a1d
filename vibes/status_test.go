package vibes

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/codetable"
)

// The status table covers every stage with and without error; only Handset without error is
// Delivered.
func TestStatusTable(t *testing.T) {
	want := map[[2]any]sms.Status{
		{"System", false}: sms.StatusAccepted, {"System", true}: sms.StatusRejected,
		{"Carrier", false}: sms.StatusSent, {"Carrier", true}: sms.StatusFailed,
		{"Handset", false}: sms.StatusDelivered, {"Handset", true}: sms.StatusUndelivered,
	}
	rows := StatusTable()
	require.Len(t, rows, len(want))
	for _, r := range rows {
		require.Equal(t, want[[2]any{r.Stage, r.IsError}], r.Status, "%s %v", r.Stage, r.IsError)
		require.Equal(t, r.Status, StatusOf(r.Stage, r.IsError))
		require.Equal(t, r.IsError, r.Status.IsFinal() && r.Status != sms.StatusDelivered, "every error is a final failure")
	}
	for _, s := range []string{"", "Delivered", "System|Carrier|Handset", "Handsets"} {
		require.Equal(t, sms.StatusUnknown, StatusOf(s, false), s)
		require.Equal(t, sms.StatusUnknown, StatusOf(s, true), s)
	}
	require.Equal(t, sms.StatusDelivered, StatusOf("HANDSET", false))
}

// The internal error-code table is Vibes' published 1–16, sorted; 9 (MDN blocked) is the only
// code with a portable class.
func TestErrorTable(t *testing.T) {
	rows := ErrorTable()
	require.True(t, codetable.Sorted(rows, func(r ErrorRow) int { return r.Code }))
	require.Len(t, rows, 16)
	for i, r := range rows {
		require.Equal(t, i+1, r.Code)
		require.NotEmpty(t, r.Text)
		want := sms.CodeUnknown
		if r.Code == InternalMDNBlocked {
			want = sms.CodeOptedOut
		}
		require.Equal(t, want, r.Class, r.Code)
		require.Equal(t, want, ErrorClass(r.Code))
	}
	for _, c := range []int{-1, 0, 17, 26, 255} {
		require.Equal(t, sms.CodeUnknown, ErrorClass(c))
		require.Empty(t, errorText(c))
	}
	rows[8].Class = sms.CodeInternal
	require.Equal(t, sms.CodeOptedOut, ErrorClass(9), "ErrorTable is a copy")
}
