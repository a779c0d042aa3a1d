package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/smsbridge/sms/acs/acstest"
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
	env := func(k string) string {
		return map[string]string{
			"TWILIO_ACCOUNT_SID": tw.AccountSID(), "TWILIO_AUTH_TOKEN": tw.AuthToken(), "TWILIO_PUBLIC_URL": app.URL,
			"ACS_CONNECTION_STRING": az.ConnectionString(), "ACS_CALLBACK_TOKEN": "tok",
		}[k]
	}
	mux, vendors, err := newMux(env, slog.New(slog.NewTextHandler(&logs, nil)))
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

func TestWebhookServerConfigErrors(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for name, env := range map[string]map[string]string{
		"twilio without public URL": {"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "x"},
		"acs without token":         {"ACS_CONNECTION_STRING": "endpoint=https://x.communication.azure.com/;accesskey=cHc="},
		"twilio bad sid":            {"TWILIO_ACCOUNT_SID": "nope", "TWILIO_PUBLIC_URL": "https://x"},
	} {
		if _, _, err := newMux(func(k string) string { return env[k] }, log); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	_, vendors, err := newMux(func(string) string { return "" }, log)
	if err != nil || len(vendors) != 0 {
		t.Fatal(err, vendors)
	}
}
