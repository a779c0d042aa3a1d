package emu

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

func TestPushThenGet(t *testing.T) {
	status := map[string]sms.Status{"m1": sms.StatusQueued}
	push := func(id string, o Outcome) error {
		if _, ok := status[id]; !ok {
			return fmt.Errorf("message %q: %w", id, ErrNotFound)
		}
		status[id] = o.Status
		return nil
	}
	get := func(id string) (sms.Status, bool) { st, ok := status[id]; return st, ok }
	f := PushThenGet(push, get)

	got, err := f(context.Background(), "m1", Outcome{Status: sms.StatusDelivered})
	require.NoError(t, err)
	require.Equal(t, sms.StatusDelivered, got, "the message is looked up after the push")

	_, err = f(context.Background(), "nope", Outcome{Status: sms.StatusDelivered})
	require.True(t, errors.Is(err, ErrNotFound), "err = %v", err)
}
