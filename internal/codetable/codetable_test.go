package codetable_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/internal/codetable"
)

type row struct {
	Code int
	Text string
}

func code(r row) int { return r.Code }

func TestFind(t *testing.T) {
	rows := []row{{1, "a"}, {5, "b"}, {9, "c"}}
	require.True(t, codetable.Sorted(rows, code))
	require.Equal(t, "b", codetable.Find(rows, 5, code).Text)
	require.Nil(t, codetable.Find(rows, 4, code))
	require.Nil(t, codetable.Find(rows, 10, code))
	require.False(t, codetable.Sorted([]row{{2, ""}, {2, ""}}, code), "a repeated code")
	require.False(t, codetable.Sorted([]row{{3, ""}, {2, ""}}, code))
}

func Example() {
	rows := []row{{200, "delivered"}, {290, "in progress"}}
	fmt.Println(codetable.Find(rows, 290, code).Text, codetable.Find(rows, 291, code) == nil)
	// Output: in progress true
}
