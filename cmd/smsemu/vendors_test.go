package main

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestVendorFlagChecks(t *testing.T) {
	require.NoError(t, inRange("-x-retries", 0, 0, 100))
	require.NoError(t, inRange("-x-retries", 100, 0, 100))
	require.EqualError(t, inRange("-x-retries", 101, 0, 100), "-x-retries 101: want 0 to 100")
	require.EqualError(t, inRange("-x-batch", 0, 1, 1000), "-x-batch 0: want 1 to 1000")
	require.NoError(t, positive("-x-unit", time.Nanosecond))
	require.EqualError(t, positive("-x-unit", 0), "-x-unit must be positive")

	first, second := errors.New("first"), errors.New("second")
	require.NoError(t, firstError(nil, nil))
	require.Equal(t, first, firstError(nil, first, second))
}

func TestOptionRetries(t *testing.T) {
	require.Equal(t, -1, optionRetries(0), "the flag's 0 (no retry) is the options' negative")
	require.Equal(t, 3, optionRetries(3))
}
