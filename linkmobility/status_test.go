package linkmobility

import (
	"testing"

	"github.com/smsbridge/sms"
	"github.com/stretchr/testify/require"
)

// TestStatusTableComplete checks the table against every code of LINK's v1.18 list.
func TestStatusTableComplete(t *testing.T) {
	codes := []int{0, 1, 2, 3, 4, 5, 6, 104, 105, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009,
		1010, 1011, 1012, 1013, 2000, 2001, 2002, 2003, 2100, 2101, 2102, 2103, 2104, 2105, 2106, 2107,
		2200, 2201, 2202, 2203, 2204, 2205, 2206, 2207, 3000, 3001, 3002, 4000, 4001, 4002, 4003, 4004,
		4005, 4006, 4007}
	tab := StatusTable()
	require.Len(t, tab, len(codes))
	for i, c := range codes {
		require.Equal(t, c, tab[i].Code)
		require.NotNil(t, lookup(c))
		st, _ := StatusOf(c)
		// LINK's FINAL codes never map to a state that can still move, except "unknown".
		if tab[i].Final && st != sms.StatusUnknown && c != 1001 {
			require.True(t, st.IsFinal(), c)
		}
	}
	for c, want := range map[int]sms.Status{1001: sms.StatusDelivered, 1007: sms.StatusDelivered, 1005: sms.StatusQueued,
		1000: sms.StatusSent, 1002: sms.StatusExpired, 1010: sms.StatusExpired, 4: sms.StatusUnknown} {
		st, _ := StatusOf(c)
		require.Equal(t, want, st, c)
	}
}
