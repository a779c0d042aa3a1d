package acstest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/internal/emu"
)

// TestEventGridPolicy checks Event Grid's webhook rule (vendors/acs.md §4.5): 200–204
// acknowledge; 400, 401, 403 and 413 are dropped; everything else, 404 and transport errors
// included, is retried.
func TestEventGridPolicy(t *testing.T) {
	for status, want := range map[int]emu.Verdict{
		200: emu.Success, 202: emu.Success, 204: emu.Success, 205: emu.Retry,
		302: emu.Retry, 400: emu.Drop, 401: emu.Drop, 403: emu.Drop, 404: emu.Retry,
		408: emu.Retry, 413: emu.Drop, 429: emu.Retry, 500: emu.Retry, 503: emu.Retry,
	} {
		require.Equal(t, want, eventGridPolicy(status, nil), "status %d", status)
	}
	require.Equal(t, emu.Retry, eventGridPolicy(0, errors.New("connection reset")))
}
