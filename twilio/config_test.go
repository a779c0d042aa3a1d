package twilio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
)

// logRecord is the part of a JSON slog record the tests look at.
type logRecord struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	URL   string `json:"url"`
	Error string `json:"error"`
	Code  int    `json:"status"`
}

// records decodes the JSON lines of logs.
func records(t *testing.T, logs *bytes.Buffer) []logRecord {
	t.Helper()
	var out []logRecord
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var r logRecord
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		out = append(out, r)
	}
	return out
}

// TestCallbackConfiguration sends a signed callback through webhook.Handler with the logger
// set on the provider only, and checks the answer and what was logged for each way the
// public origin can be configured.
func TestCallbackConfiguration(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	const apiKey = "SK0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		cfg  twilio.Config
		want int
		logs []logRecord
	}{
		{name: "PublicURL", cfg: twilio.Config{PublicURL: publicURL}, want: http.StatusOK},
		{name: "origin derived from StatusCallback", want: http.StatusOK,
			cfg: twilio.Config{StatusCallback: publicURL + "/twilio/status?tenant=acme"}},
		{name: "PublicURL wins over StatusCallback", want: http.StatusUnauthorized,
			cfg: twilio.Config{PublicURL: "https://tunnel.example.net", StatusCallback: statusURL},
			logs: []logRecord{
				{Level: "WARN", Msg: "twilio: callback signature does not match; if every callback fails, set PublicURL to the origin Twilio calls",
					URL: "https://tunnel.example.net/twilio/inbound"},
				{Level: "INFO", Msg: "webhook: callback rejected", Code: 401, Error: "sms/twilio: Unauthenticated: invalid signature"},
			}},
		{name: "no origin", cfg: twilio.Config{}, want: http.StatusInternalServerError,
			logs: []logRecord{{Level: "ERROR", Msg: "webhook: callback rejected", Code: 500,
				Error: "sms/twilio: Internal: callbacks cannot be verified: set PublicURL (or StatusCallback) to the scheme://host under which Twilio reaches this application"}}},
		{name: "API key without auth token", want: http.StatusInternalServerError,
			cfg: twilio.Config{AuthToken: sms.NewSecret(""), APIKeySID: apiKey, APIKeySecret: sms.NewSecret("key-secret"), StatusCallback: statusURL},
			logs: []logRecord{{Level: "ERROR", Msg: "webhook: callback rejected", Code: 500,
				Error: "sms/twilio: Internal: callbacks cannot be verified: AuthToken is not set (Twilio signs callbacks with the auth token; an API key cannot verify them)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.AccountSID = srv.AccountSID()
			if cfg.APIKeySID == "" {
				cfg.AuthToken = sms.NewSecret(srv.AuthToken())
			}
			var logs bytes.Buffer
			p, err := twilio.New(cfg, &twilio.Options{BaseURL: srv.URL, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			require.NoError(t, err)
			h := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }), nil)

			req := srv.InboundRequest(inboundURL, "+12025550101", "+15005550006", "hi")
			sig := req.Header.Get(twilio.SignatureHeader)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			require.Equal(t, tt.want, rec.Code, rec.Body.String())
			if diff := cmp.Diff(tt.logs, records(t, &logs)); diff != "" {
				t.Errorf("logs (-want +got):\n%s", diff)
			}
			for _, secret := range []string{sig, srv.AuthToken(), "key-secret"} {
				require.NotContains(t, logs.String(), secret)
			}
		})
	}
}

// TestSendWithoutPublicURL: a provider that only sends needs neither PublicURL nor
// StatusCallback, with an auth token or an API key.
func TestSendWithoutPublicURL(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	for _, cfg := range []twilio.Config{
		{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken())},
		{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken()), StatusCallback: statusURL},
	} {
		p, err := twilio.New(cfg, &twilio.Options{BaseURL: srv.URL})
		require.NoError(t, err)
		res, err := sms.NewClient(p, nil).Send(context.Background(), oneMessage())
		require.NoError(t, err)
		require.True(t, res[0].OK())
	}
}

func TestNewRefusesPublicURLWithoutAuthToken(t *testing.T) {
	_, err := twilio.New(twilio.Config{AccountSID: testSID, APIKeySID: "SK0123456789abcdef0123456789abcdef",
		APIKeySecret: sms.NewSecret("s"), PublicURL: publicURL}, nil)
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	require.ErrorContains(t, err, "PublicURL is set but AuthToken is not")
}

func TestNewRefusesNonHTTPStatusCallback(t *testing.T) {
	_, err := twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken), StatusCallback: "ftp://app.example.com/x"}, nil)
	require.EqualError(t, err, "sms/twilio: InvalidArgument: StatusCallback must be an absolute http(s) URL")
}

func TestNewFromEnvNamesTheVariable(t *testing.T) {
	const key = "SK0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		env  map[string]string
		want string // the error's message; "" = no error
	}{
		{name: "auth token", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": testToken}},
		{name: "api key", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_API_KEY": key, "TWILIO_API_SECRET": "s"}},
		{name: "no account", env: map[string]string{"TWILIO_AUTH_TOKEN": testToken},
			want: "sms/twilio: InvalidArgument: TWILIO_ACCOUNT_SID is not set"},
		{name: "no token", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID},
			want: "sms/twilio: InvalidArgument: TWILIO_AUTH_TOKEN is not set (nor TWILIO_API_KEY with TWILIO_API_SECRET)"},
		{name: "key without secret", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_API_KEY": key},
			want: "sms/twilio: InvalidArgument: TWILIO_API_SECRET is not set"},
		{name: "secret without key", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_API_SECRET": "s"},
			want: "sms/twilio: InvalidArgument: TWILIO_API_KEY is not set"},
		{name: "malformed account", env: map[string]string{"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": testToken},
			want: "sms/twilio: InvalidArgument: TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits"},
		{name: "malformed key", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_API_KEY": "AK1", "TWILIO_API_SECRET": "s"},
			want: "sms/twilio: InvalidArgument: TWILIO_API_KEY must be SK followed by 32 hex digits"},
		{name: "malformed status callback", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": testToken, "TWILIO_STATUS_CALLBACK": "/twilio/status"},
			want: "sms/twilio: InvalidArgument: TWILIO_STATUS_CALLBACK must be an absolute http(s) URL"},
		{name: "malformed public url", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": testToken, "TWILIO_PUBLIC_URL": "app.example.com"},
			want: `sms/twilio: InvalidArgument: TWILIO_PUBLIC_URL: public origin must be scheme://host[:port][/path prefix], got "app.example.com"`},
		{name: "public url without token", env: map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_API_KEY": key, "TWILIO_API_SECRET": "s", "TWILIO_PUBLIC_URL": publicURL},
			want: "sms/twilio: InvalidArgument: TWILIO_PUBLIC_URL is set but TWILIO_AUTH_TOKEN is not: Twilio signs callbacks with the auth token, which an API key cannot replace"},
	}
	vars := []string{twilio.EnvAccountSID, twilio.EnvAuthToken, twilio.EnvAuthTokenSecondary, twilio.EnvAPIKey,
		twilio.EnvAPISecret, twilio.EnvPublicURL, twilio.EnvStatusCallback, twilio.EnvEdge, twilio.EnvRegion}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range vars {
				t.Setenv(v, tt.env[v])
			}
			p, err := twilio.NewFromEnv(nil)
			if tt.want == "" {
				require.NoError(t, err)
				require.Equal(t, "twilio", p.Name())
				return
			}
			require.EqualError(t, err, tt.want)
			require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
			require.NotContains(t, err.Error(), testToken)
		})
	}
}

// TestNewFromEnvCallbackOrigin: TWILIO_STATUS_CALLBACK alone is enough to verify callbacks,
// and without either variable the reason names them.
func TestNewFromEnvCallbackOrigin(t *testing.T) {
	srv := twiliotest.NewServer(nil)
	defer srv.Close()
	t.Setenv(twilio.EnvAccountSID, srv.AccountSID())
	t.Setenv(twilio.EnvAuthToken, srv.AuthToken())
	t.Setenv(twilio.EnvPublicURL, "")
	t.Setenv(twilio.EnvStatusCallback, statusURL)
	p, err := twilio.NewFromEnv(&twilio.Options{BaseURL: srv.URL})
	require.NoError(t, err)
	req := srv.StatusCallbackRequest(statusURL, "SM00000000000000000000000000000001", "+14155550100", "delivered", "")
	cb, err := p.ParseCallback(context.Background(), req, []byte(mustBody(t, req)))
	require.NoError(t, err)
	require.Equal(t, sms.StatusDelivered, cb.Events[0].Status)

	t.Setenv(twilio.EnvStatusCallback, "")
	p, err = twilio.NewFromEnv(&twilio.Options{BaseURL: srv.URL})
	require.NoError(t, err)
	req = srv.StatusCallbackRequest(statusURL, "SM00000000000000000000000000000001", "+14155550100", "delivered", "")
	_, err = p.ParseCallback(context.Background(), req, []byte(mustBody(t, req)))
	require.EqualError(t, err, "sms/twilio: Internal: callbacks cannot be verified: set TWILIO_PUBLIC_URL (or TWILIO_STATUS_CALLBACK) to the scheme://host under which Twilio reaches this application")
}

// TestLoggerIsSetOnce: the logger given to the provider is the one sms.NewClient and
// webhook.Handler use when their options give none, and their own wins when given.
func TestLoggerIsSetOnce(t *testing.T) {
	var logs bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&logs, nil))
	p, err := twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken)}, &twilio.Options{Logger: l})
	require.NoError(t, err)
	require.Same(t, l, p.Logger())
	require.Same(t, l, sms.NewClient(p, nil).Logger())
	own := slog.New(slog.DiscardHandler)
	require.Same(t, own, sms.NewClient(p, &sms.ClientOptions{Logger: own}).Logger())

	p, err = twilio.New(twilio.Config{AccountSID: testSID, AuthToken: sms.NewSecret(testToken)}, nil)
	require.NoError(t, err)
	require.Nil(t, p.Logger())
	require.Nil(t, sms.NewClient(p, nil).Logger())
}
