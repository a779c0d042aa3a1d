package telesign_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/telesign"
)

func TestStatusOf(t *testing.T) {
	for _, tc := range []struct {
		code   int
		status sms.Status
		class  sms.Code
		final  bool
	}{
		{290, sms.StatusAccepted, sms.CodeUnknown, false},
		{292, sms.StatusQueued, sms.CodeUnknown, false},
		{203, sms.StatusSent, sms.CodeUnknown, false},
		{295, sms.StatusUnknown, sms.CodeUnknown, false},
		{200, sms.StatusDelivered, sms.CodeUnknown, true},
		{251, sms.StatusSent, sms.CodeUnknown, true},
		{221, sms.StatusExpired, sms.CodeUnavailable, true},
		{229, sms.StatusRejected, sms.CodeOptedOut, true},
		{510, sms.StatusRejected, sms.CodeOptedOut, true},
		{10031, sms.StatusRejected, sms.CodeOptedOut, true},
		{230, sms.StatusRejected, sms.CodePermissionDenied, true},
		{10032, sms.StatusRejected, sms.CodePermissionDenied, true},
		{507, sms.StatusRejected, sms.CodeInvalidRecipient, true},
		{503, sms.StatusFailed, sms.CodeUnavailable, true},
		{500, sms.StatusFailed, sms.CodeUnknown, true},
		{12345, sms.StatusUnknown, sms.CodeUnknown, false},
	} {
		st, class := telesign.StatusOf(tc.code)
		require.Equal(t, tc.status, st, tc.code)
		require.Equal(t, tc.class, class, tc.code)
		require.Equal(t, tc.final, telesign.IsFinal(tc.code), tc.code)
	}
}

// Every row of the table is found by StatusOf (the table is sorted for the binary search),
// and only the documented intermediate statuses are not final.
func TestStatusTableConsistent(t *testing.T) {
	rows := telesign.StatusTable()
	require.Len(t, rows, 48)
	prev := -1
	for _, r := range rows {
		require.Greater(t, r.Code, prev, "sorted")
		prev = r.Code
		st, class := telesign.StatusOf(r.Code)
		require.Equal(t, r.Status, st)
		require.Equal(t, r.Class, class)
		require.Equal(t, r.Code == 203 || r.Code == 290 || r.Code == 292 || r.Code == 295, r.Intermediate, r.Code)
		if r.Status == sms.StatusDelivered || r.Status == sms.StatusAccepted || r.Status == sms.StatusQueued {
			require.Equal(t, sms.CodeUnknown, r.Class, r.Code)
		}
	}
}

func TestErrorClass(t *testing.T) {
	for code, want := range map[int]sms.Code{
		10019: sms.CodeRateLimited, 10020: sms.CodePermissionDenied, 10008: sms.CodeUnauthenticated,
		10028: sms.CodeUnauthenticated, 10031: sms.CodeOptedOut, 10032: sms.CodePermissionDenied,
		11000: sms.CodeInvalidRecipient, 11001: sms.CodeInvalidRecipient, 11004: sms.CodeInvalidArgument,
		12000: sms.CodeInvalidArgument, 10036: sms.CodeNotFound,
	} {
		c, na, ok := telesign.ErrorClass(code)
		require.True(t, ok, code)
		require.True(t, na, code)
		require.Equal(t, want, c, code)
	}
	_, _, ok := telesign.ErrorClass(10000)
	require.False(t, ok)
}
