package twilio_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
)

// TestSignatureMismatchLogHidesQueryToken: the warning about a signature that does not match
// names the URL checked, but not the values of its query, where an application may keep a
// token of its own.
func TestSignatureMismatchLogHidesQueryToken(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	const token = "app-s3cret-token"
	var logs bytes.Buffer
	p, err := twilio.New(twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken()),
		PublicURL: "https://tunnel.example.net"}, &twilio.Options{BaseURL: srv.URL, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	h := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }), nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, srv.InboundRequest(publicURL+"/twilio/inbound?token="+token, "+12025550101", "+15005550006", "hi"))
	require.Equal(t, 401, rec.Code)
	require.Contains(t, logs.String(), `"url":"https://tunnel.example.net/twilio/inbound?token=[REDACTED]"`)
	require.NotContains(t, logs.String(), token)
}
