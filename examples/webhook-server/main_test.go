package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

func TestWebhookServer(t *testing.T) {
	tw := twiliotest.NewServer(nil)
	defer tw.Close()
	az := acstest.NewServer(nil)
	defer az.Close()

	var logs bytes.Buffer
	var h http.Handler
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer app.Close()
	setEnv(t, map[string]string{
		"TWILIO_ACCOUNT_SID": tw.AccountSID(), "TWILIO_AUTH_TOKEN": tw.AuthToken(), "TWILIO_PUBLIC_URL": app.URL,
		"ACS_CONNECTION_STRING": az.ConnectionString(), "ACS_CALLBACK_TOKENS": "old,tok",
	})
	mux, vendors, err := newMux(slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || len(vendors) != 2 {
		t.Fatal(err, vendors)
	}
	h = mux

	// Twilio inbound, signed by the emulator for the app's URL.
	tw.SetInboundURL(app.URL + "/twilio/inbound")
	if d, err := tw.SendInbound(context.Background(), "+14155550100", "+15005550006", "STOP"); err != nil || d.StatusCode != http.StatusOK {
		t.Fatalf("twilio inbound: %v %+v", err, d)
	}
	// ACS through Event Grid: the handshake, then an inbound message.
	if err := az.SetEventGrid(app.URL+"/acs/events?token=tok", acstest.SchemaEventGrid); err != nil {
		t.Fatal(err)
	}
	if _, err := az.SendInbound(context.Background(), "+14155550101", "+18005550100", "HELP"); err != nil {
		t.Fatal(err)
	}
	if err := az.WaitCallbacks(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{"provider=twilio type=opt_out", "keyword=STOP", "provider=acs type=help", "keyword=HELP"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
	// A forged Twilio callback is refused.
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/twilio/inbound", strings.NewReader("From=%2B1&Body=STOP"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged callback: %v %v", err, resp)
	}
	resp.Body.Close()
}

// setEnv sets the variables the server reads: those in env, the others to "".
func setEnv(t *testing.T, env map[string]string) {
	for _, v := range []string{twilio.EnvAccountSID, twilio.EnvAuthToken, twilio.EnvAuthTokenSecondary, twilio.EnvAPIKey,
		twilio.EnvAPISecret, twilio.EnvPublicURL, twilio.EnvStatusCallback, twilio.EnvEdge, twilio.EnvRegion,
		acs.EnvConnectionString, acs.EnvConnectionStringSecondary, acs.EnvEndpoint, acs.EnvAccessKey,
		acs.EnvAccessKeySecondary, acs.EnvCallbackTokens, acs.EnvCallbackUser, acs.EnvCallbackPassword} {
		t.Setenv(v, env[v])
	}
}

func TestWebhookServerConfigErrors(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	const sid = "AC0123456789abcdef0123456789abcdef"
	for name, tt := range map[string]struct {
		env  map[string]string
		want string
	}{
		"twilio without public URL": {map[string]string{"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": "x"},
			"twilio: TWILIO_PUBLIC_URL (or TWILIO_STATUS_CALLBACK) is not set: callbacks cannot be verified without the origin Twilio calls"},
		"twilio without token": {map[string]string{"TWILIO_ACCOUNT_SID": sid, "TWILIO_PUBLIC_URL": "https://x"},
			"sms/twilio: InvalidArgument: TWILIO_AUTH_TOKEN is not set (nor TWILIO_API_KEY with TWILIO_API_SECRET)"},
		"twilio bad sid": {map[string]string{"TWILIO_ACCOUNT_SID": "nope", "TWILIO_PUBLIC_URL": "https://x"},
			"sms/twilio: InvalidArgument: TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits"},
		"acs without token": {map[string]string{"ACS_CONNECTION_STRING": "endpoint=https://x.communication.azure.com/;accesskey=cHc="},
			"acs: ACS_CALLBACK_TOKENS is not set: Event Grid signs nothing"},
		"acs endpoint without key": {map[string]string{"ACS_ENDPOINT": "https://x.communication.azure.com", "ACS_CALLBACK_TOKENS": "t"},
			"sms/acs: InvalidArgument: ACS_ACCESS_KEY is not set"},
	} {
		setEnv(t, tt.env)
		_, _, err := newMux(log)
		require.EqualError(t, err, tt.want, name)
	}
	setEnv(t, nil)
	_, vendors, err := newMux(log)
	require.NoError(t, err)
	require.Empty(t, vendors)
}
