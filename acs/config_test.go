package acs_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/webhook"
)

const (
	envEndpoint = "https://res.communication.azure.com"
	envKey      = "cHJpbWFyeS1rZXk="     // base64("primary-key")
	envKey2     = "c2Vjb25kYXJ5LWtleQ==" // base64("secondary-key")
	envCS       = "endpoint=" + envEndpoint + "/;accesskey=" + envKey
	envCS2      = "endpoint=" + envEndpoint + "/;accesskey=" + envKey2
)

var envVars = []string{acs.EnvConnectionString, acs.EnvConnectionStringSecondary, acs.EnvEndpoint, acs.EnvAccessKey,
	acs.EnvAccessKeySecondary, acs.EnvCallbackTokens, acs.EnvCallbackUser, acs.EnvCallbackPassword}

// setEnv sets every variable NewFromEnv reads: those in env, the others to "".
func setEnv(t *testing.T, env map[string]string) {
	for _, v := range envVars {
		t.Setenv(v, env[v])
	}
}

func TestNewFromEnvNamesTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // the error; "" = no error
	}{
		{name: "connection string", env: map[string]string{"ACS_CONNECTION_STRING": envCS}},
		{name: "endpoint and key", env: map[string]string{"ACS_ENDPOINT": envEndpoint, "ACS_ACCESS_KEY": envKey}},
		{name: "secondary connection string", env: map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_CONNECTION_STRING_SECONDARY": envCS2}},
		{name: "secondary key", env: map[string]string{"ACS_ENDPOINT": envEndpoint + "/", "ACS_ACCESS_KEY": envKey, "ACS_ACCESS_KEY_SECONDARY": envKey2}},
		{name: "nothing", env: nil,
			want: "sms/acs: InvalidArgument: ACS_CONNECTION_STRING is not set (nor ACS_ENDPOINT with ACS_ACCESS_KEY)"},
		{name: "endpoint without key", env: map[string]string{"ACS_ENDPOINT": envEndpoint},
			want: "sms/acs: InvalidArgument: ACS_ACCESS_KEY is not set"},
		{name: "key without endpoint", env: map[string]string{"ACS_ACCESS_KEY": envKey},
			want: "sms/acs: InvalidArgument: ACS_ENDPOINT is not set"},
		{name: "two forms", env: map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_ENDPOINT": envEndpoint},
			want: "sms/acs: InvalidArgument: ACS_CONNECTION_STRING and ACS_ENDPOINT are both set: give one credential form"},
		{name: "malformed connection string", env: map[string]string{"ACS_CONNECTION_STRING": "accesskey=" + envKey},
			want: "sms/acs: InvalidArgument: ACS_CONNECTION_STRING: connection string needs endpoint= and accesskey="},
		{name: "malformed endpoint", env: map[string]string{"ACS_ENDPOINT": "res.communication.azure.com", "ACS_ACCESS_KEY": envKey},
			want: "sms/acs: InvalidArgument: ACS_ENDPOINT must be an absolute http(s) URL"},
		{name: "key not base64", env: map[string]string{"ACS_ENDPOINT": envEndpoint, "ACS_ACCESS_KEY": "not base64!"},
			want: "sms/acs: InvalidArgument: ACS_ACCESS_KEY is not base64"},
		{name: "secondary of another resource", env: map[string]string{"ACS_CONNECTION_STRING": envCS,
			"ACS_CONNECTION_STRING_SECONDARY": "endpoint=https://other.communication.azure.com/;accesskey=" + envKey2},
			want: "sms/acs: InvalidArgument: ACS_CONNECTION_STRING_SECONDARY names another endpoint than ACS_CONNECTION_STRING"},
		{name: "two secondaries", env: map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_CONNECTION_STRING_SECONDARY": envCS2, "ACS_ACCESS_KEY_SECONDARY": envKey2},
			want: "sms/acs: InvalidArgument: ACS_CONNECTION_STRING_SECONDARY and ACS_ACCESS_KEY_SECONDARY are both set: give one secondary key"},
		{name: "secondary key not base64", env: map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_ACCESS_KEY_SECONDARY": "%%"},
			want: "sms/acs: InvalidArgument: ACS_ACCESS_KEY_SECONDARY is not base64"},
		{name: "callback user without password", env: map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_CALLBACK_USER": "eventgrid"},
			want: "sms/acs: InvalidArgument: ACS_CALLBACK_PASSWORD is not set"},
		{name: "callback password without user", env: map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_CALLBACK_PASSWORD": "pw-secret"},
			want: "sms/acs: InvalidArgument: ACS_CALLBACK_USER is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			p, err := acs.NewFromEnv(nil)
			if tt.want == "" {
				require.NoError(t, err)
				require.Equal(t, "acs", p.Name())
				return
			}
			require.EqualError(t, err, tt.want)
			require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
			for _, secret := range []string{envKey, envKey2, "pw-secret"} {
				require.NotContains(t, err.Error(), secret)
			}
		})
	}
}

// TestNewFromEnvCallbackAuth: ACS_CALLBACK_TOKENS is a comma-separated list, every token is
// accepted; the Basic pair is accepted too; without either every callback is refused.
func TestNewFromEnvCallbackAuth(t *testing.T) {
	post := func(p *acs.Provider, target, user, pass string) error {
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader("[]"))
		r.Header.Set("Content-Type", "application/json")
		if user != "" {
			r.SetBasicAuth(user, pass)
		}
		_, err := p.ParseCallback(context.Background(), r, []byte("[]"))
		return err
	}
	setEnv(t, map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_CALLBACK_TOKENS": " old-token , new-token,",
		"ACS_CALLBACK_USER": "eventgrid", "ACS_CALLBACK_PASSWORD": "pw-secret"})
	p, err := acs.NewFromEnv(nil)
	require.NoError(t, err)
	require.NoError(t, post(p, "/acs/events?token=old-token", "", ""))
	require.NoError(t, post(p, "/acs/events?token=new-token", "", ""))
	require.NoError(t, post(p, "/acs/events", "eventgrid", "pw-secret"))
	require.Equal(t, sms.CodeUnauthenticated, sms.ErrorCode(post(p, "/acs/events?token=old-token,new-token", "", "")))
	require.Equal(t, sms.CodeUnauthenticated, sms.ErrorCode(post(p, "/acs/events?token=", "", "")))

	setEnv(t, map[string]string{"ACS_CONNECTION_STRING": envCS})
	p, err = acs.NewFromEnv(nil)
	require.NoError(t, err, "a provider that only sends needs no callback variable")
	require.ErrorContains(t, post(p, "/acs/events?token=old-token", "", ""), "callback authentication is not configured")
}

// TestLoggerIsSetOnce: the logger given to the provider is the one sms.NewClient and
// webhook.Handler use when their options give none.
func TestLoggerIsSetOnce(t *testing.T) {
	var logs bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&logs, nil))
	setEnv(t, map[string]string{"ACS_CONNECTION_STRING": envCS, "ACS_CALLBACK_TOKENS": "tok"})
	p, err := acs.NewFromEnv(&acs.Options{Logger: l})
	require.NoError(t, err)
	require.Same(t, l, p.Logger())
	require.Same(t, l, sms.NewClient(p, nil).Logger())

	h := webhook.Handler(p, webhook.SinkFunc(func(context.Context, []sms.Event) error { return nil }), nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/acs/events?token=forged", strings.NewReader("[]")))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Contains(t, logs.String(), `"msg":"webhook: callback rejected"`)
	require.NotContains(t, logs.String(), "forged", "the URL's token is never logged")

	p, err = acs.NewFromEnv(nil)
	require.NoError(t, err)
	require.Nil(t, p.Logger())
	require.Nil(t, sms.NewClient(p, nil).Logger())
}
