package emu

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFaultOrPath(t *testing.T) {
	require.Equal(t, "/v1/", Fault{Status: 500}.OrPath("/v1/").Path)
	require.Equal(t, "/v1/status", Fault{Status: 500, Path: "/v1/status"}.OrPath("/v1/").Path, "a fault's own path wins")
}
