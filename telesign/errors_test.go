package telesign

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// mapError refines the code of a 4xx refusal from the status.code table, and only of one: a
// 3xx (no redirect is followed, the request was written), 408, 409 or 5xx stays OutcomeUnknown
// whatever code its body names, so that sms.Client never resends a message Telesign may
// have taken.
func TestMapErrorRefinesOnlyRefusals(t *testing.T) {
	body := []byte(`{"status":{"code":10019,"description":"Rate limit exceeded"}}`)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusRequestTimeout, http.StatusConflict, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		e := mapError(&httpx.Response{StatusCode: status, Body: body})
		require.Equal(t, sms.CodeOutcomeUnknown, e.Code, "HTTP %d", status)
		require.False(t, e.NotAccepted, "HTTP %d", status)
		require.Equal(t, "10019", e.VendorCode, "HTTP %d", status)
	}
	e := mapError(&httpx.Response{StatusCode: http.StatusTooManyRequests, Body: body})
	require.Equal(t, sms.CodeRateLimited, e.Code)
	require.True(t, e.NotAccepted)
	e = mapError(&httpx.Response{StatusCode: http.StatusBadRequest, Body: []byte(`{"status":{"code":11000}}`)})
	require.Equal(t, sms.CodeInvalidRecipient, e.Code)
	require.True(t, e.NotAccepted)
}
