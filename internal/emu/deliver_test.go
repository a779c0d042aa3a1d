package emu

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/emulator"
)

// TestDelivererCheckedHelpers: DeliverChecked reports its own delivery's refusal once and
// not another's; WaitChecked reports what is left.
func TestDelivererCheckedHelpers(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/refuse" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer ts.Close()
	d := NewDeliverer(&DelivererOptions{Policy: NoRetry})
	defer d.Close()
	ctx := context.Background()

	other, err := d.Deliver(ctx, Callback{URL: ts.URL + "/refuse"}) // refused, not checked yet
	require.NoError(t, err)

	ok, err := d.DeliverChecked(ctx, Callback{URL: ts.URL + "/ok"})
	require.NoError(t, err, "another delivery's refusal is not this one's error")
	require.Equal(t, StateDelivered, ok.State)

	refused, err := d.DeliverChecked(ctx, Callback{URL: ts.URL + "/refuse"})
	var de *emulator.DeliveryError
	require.True(t, errors.As(err, &de), "err = %v", err)
	require.Len(t, de.Deliveries, 1)
	require.Equal(t, refused.ID, de.Deliveries[0].ID)

	err = d.WaitChecked(ctx)
	require.True(t, errors.As(err, &de), "err = %v", err)
	require.Len(t, de.Deliveries, 1, "only the delivery no earlier check reported")
	require.Equal(t, other.ID, de.Deliveries[0].ID)
	require.NoError(t, d.WaitChecked(ctx), "each failure is reported once")
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct{ n, def, want int }{{0, 5, 5}, {-1, 5, 0}, {3, 5, 3}} {
		require.Equal(t, tc.want, Retries(tc.n, tc.def), "Retries(%d, %d)", tc.n, tc.def)
	}
}
