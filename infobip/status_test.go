package infobip_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
)

// Every row of the status table is what StatusOf answers; unknown ids fall back to the group,
// an unknown group to Unknown; ACCEPTED without a group id is Accepted.
func TestStatusOf(t *testing.T) {
	for _, r := range infobip.StatusTable() {
		st, c := infobip.StatusOf(r.Group, r.ID, "")
		require.Equal(t, r.Status, st, r.Name)
		require.Equal(t, r.Class, c, r.Name)
	}
	for _, tc := range []struct {
		group, id int
		name      string
		want      sms.Status
		code      sms.Code
	}{
		{3, 2, "", sms.StatusSent, sms.CodeUnknown}, // DELIVERED_TO_OPERATOR is not final
		{5, 14, "", sms.StatusRejected, sms.CodeOptedOut},
		{5, 23, "", sms.StatusUnknown, sms.CodeUnknown},
		{4, 87, "", sms.StatusExpired, sms.CodePermissionDenied}, // id 87 is in two groups
		{5, 87, "", sms.StatusRejected, sms.CodePermissionDenied},
		{2, 999, "", sms.StatusUndelivered, sms.CodeUnknown},
		{0, 0, "ACCEPTED", sms.StatusAccepted, sms.CodeUnknown},
		{9, 1, "", sms.StatusUnknown, sms.CodeUnknown},
	} {
		st, c := infobip.StatusOf(tc.group, tc.id, tc.name)
		require.Equal(t, tc.want, st, "%d/%d", tc.group, tc.id)
		require.Equal(t, tc.code, c, "%d/%d", tc.group, tc.id)
	}
	require.False(t, slices.ContainsFunc(infobip.StatusTable(), func(r infobip.StatusRow) bool {
		return r.Group == 3 && r.ID == 2 && r.Status.IsFinal()
	}))
}

// The error table is sorted (ErrorClass searches it) and every row is found.
func TestErrorClass(t *testing.T) {
	rows := infobip.ErrorTable()
	require.True(t, slices.IsSortedFunc(rows, func(a, b infobip.ErrorRow) int { return a.ID - b.ID }))
	for _, r := range rows {
		require.Equal(t, r.Class, infobip.ErrorClass(r.ID), r.Name)
	}
	require.Equal(t, sms.CodeOptedOut, infobip.ErrorClass(2052))
	require.Equal(t, sms.CodeInvalidRecipient, infobip.ErrorClass(351))
	require.Equal(t, sms.CodeUnknown, infobip.ErrorClass(0))
	require.Equal(t, sms.CodeUnknown, infobip.ErrorClass(123456))
}
