package registry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/registry"
	"github.com/smsbridge/sms/smstest"
)

// countingLimiter records the key of every Wait. Wait is the only line that knows the Limiter
// signature.
type countingLimiter struct {
	mu   sync.Mutex
	keys []string
}

func (l *countingLimiter) Wait(ctx context.Context, provider string, from sms.Sender, n int) error {
	l.record(sms.RateKey(provider, from))
	return ctx.Err()
}

func (l *countingLimiter) record(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, key)
}

func (l *countingLimiter) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.keys...)
}

const (
	sid   = "AC0123456789abcdef0123456789abcdef"
	token = "0123456789abcdef0123456789abcdef" // looks like a real auth token
)

var env = map[string]string{
	"TW_SID": sid, "TW_TOKEN": token, "IB_KEY": "infobip-key-123", "BASE": "http://127.0.0.1:1",
}

func lookup(name string) (string, bool) {
	v, ok := env[name]
	return v, ok
}

// good is a valid configuration the tests break one field at a time.
func good() registry.Config {
	return registry.Config{
		Providers: []registry.ProviderConfig{
			{Name: "tw", Vendor: "twilio", Credentials: map[string]string{"account_sid": "TW_SID", "auth_token": "TW_TOKEN"},
				Options: map[string]string{"base_url": "${BASE}", "timeout": "5s"}},
			{Name: "ib", Vendor: "infobip", Credentials: map[string]string{"api_key": "IB_KEY"},
				Options: map[string]string{"base_url": "${BASE}/infobip"}},
		},
		Senders: []registry.SenderConfig{
			{Name: "alerts", Value: "+14155550100", Type: "long_code", Provider: "tw", Owner: "retail"},
			{Name: "brand", Value: "Acme", Type: "alphanumeric", Provider: "ib", Owner: "retail"},
		},
		Routes: []registry.RouteConfig{{Name: "main", Senders: []string{"alerts", "brand"}}},
	}
}

func build(cfg registry.Config) (*registry.Registry, error) {
	return registry.New(cfg, &registry.Options{Getenv: lookup})
}

func paths(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		var p *registry.Problem
		if pe, ok := e.(*registry.Problem); ok {
			out = append(out, pe.Path)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
			return
		}
		if errors.As(e, &p) {
			out = append(out, p.Path)
		}
	}
	walk(err)
	return out
}

func TestGood(t *testing.T) {
	reg, err := build(good())
	require.NoError(t, err)
	s, ok := reg.Sender("alerts")
	require.True(t, ok)
	require.Equal(t, sms.Sender{Type: sms.SenderLongCode, Value: "+14155550100", Name: "alerts"}, s.From)
	require.Equal(t, "tw", s.Provider)
	_, ok = reg.Router("main")
	require.True(t, ok)
}

// Each problem alone, with the path it is reported at and words its message must hold.
func TestProblems(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *registry.Config)
		path  string
		words string
	}{
		{"no providers", func(c *registry.Config) { c.Providers = nil; c.Senders = nil; c.Routes = nil }, "providers", "none given"},
		{"provider name missing", func(c *registry.Config) {
			p := c.Providers[0] // complete otherwise: the rest of an unnamed entry is checked too
			p.Name = ""
			c.Providers = append(c.Providers, p)
		}, "providers[#3].name", "missing"},
		{"provider name repeated", func(c *registry.Config) { c.Providers = append(c.Providers, c.Providers[0]) }, `providers["tw"].name`, "repeats"},
		{"vendor unknown", func(c *registry.Config) { c.Providers[0].Vendor = "twillio" }, `providers["tw"].vendor`, `unknown vendor "twillio" (known: acs, infobip, linkmobility, telesign, twilio, vibes)`},
		{"vendor missing", func(c *registry.Config) { c.Providers[0].Vendor = "" }, `providers["tw"].vendor`, "missing"},
		{"credential unknown", func(c *registry.Config) { c.Providers[0].Credentials["authtoken"] = "TW_TOKEN" }, `providers["tw"].credentials.authtoken`, "unknown credential (known: account_sid, api_key_secret"},
		{"credential unset", func(c *registry.Config) { c.Providers[0].Credentials["auth_token"] = "TWILIO_AUTH_TOKEN" }, `providers["tw"].credentials.auth_token`, "environment variable TWILIO_AUTH_TOKEN is not set"},
		{"credential required", func(c *registry.Config) { delete(c.Providers[0].Credentials, "account_sid") }, `providers["tw"].credentials.account_sid`, "missing (required by vendor twilio)"},
		{"option required", func(c *registry.Config) { delete(c.Providers[1].Options, "base_url") }, `providers["ib"].options.base_url`, "missing (required by vendor infobip)"},
		{"option unknown", func(c *registry.Config) { c.Providers[0].Options["base_ulr"] = "x" }, `providers["tw"].options.base_ulr`, "unknown option (known: base_url, connection_overrides"},
		{"option variable unset", func(c *registry.Config) { c.Providers[0].Options["public_url"] = "${PUBLIC}" }, `providers["tw"].options.public_url`, "environment variable PUBLIC is not set"},
		{"option variable name", func(c *registry.Config) { c.Providers[0].Options["public_url"] = "${public}" }, `providers["tw"].options.public_url`, "environment variable name"},
		{"option unterminated", func(c *registry.Config) { c.Providers[0].Options["public_url"] = "${PUBLIC" }, `providers["tw"].options.public_url`, "unterminated"},
		{"option duration", func(c *registry.Config) { c.Providers[0].Options["timeout"] = "5" }, `providers["tw"].options.timeout`, "duration"},
		{"option bool", func(c *registry.Config) { c.Providers[1].Options["insecure_skip_callback_auth"] = "yes please" }, `providers["ib"].options.insecure_skip_callback_auth`, `"true" or "false"`},
		{"option int", func(c *registry.Config) { c.Providers[1].Options["max_recipients"] = "-3" }, `providers["ib"].options.max_recipients`, "positive integer"},
		{"option enum", func(c *registry.Config) { c.Providers[1].Options["api_version"] = "v9" }, `providers["ib"].options.api_version`, `"v3" or "v2"`},
		{"vendor refuses", func(c *registry.Config) {
			env["TW_BAD_SID"] = "AC123"
			c.Providers[0].Credentials["account_sid"] = "TW_BAD_SID"
		}, `providers["tw"]`, "the vendor refused the configuration: AccountSID must be AC followed by 32 hex digits"},
		{"sender name missing", func(c *registry.Config) { c.Senders[0].Name = ""; c.Routes = nil }, "senders[#1].name", "missing"},
		{"sender name repeated", func(c *registry.Config) { c.Senders[1].Name = "alerts"; c.Routes = nil }, `senders["alerts"].name`, "repeats"},
		{"sender provider unknown", func(c *registry.Config) { c.Senders[0].Provider = "twilio" }, `senders["alerts"].provider`, `no provider named "twilio"`},
		{"sender provider missing", func(c *registry.Config) { c.Senders[0].Provider = "" }, `senders["alerts"].provider`, "missing"},
		{"sender type", func(c *registry.Config) { c.Senders[0].Type = "longcode" }, `senders["alerts"].type`, `unknown sender type "longcode"`},
		{"sender value missing", func(c *registry.Config) { c.Senders[0].Value = "" }, `senders["alerts"].value`, "missing"},
		{"sender not E.164", func(c *registry.Config) { c.Senders[0].Value = "+1 415 555 0100" }, `senders["alerts"].value`, "not an E.164 number"},
		{"sender short code", func(c *registry.Config) { c.Senders[0].Type, c.Senders[0].Value = "short_code", "12" }, `senders["alerts"].value`, "3 to 8 digits"},
		{"sender alphanumeric", func(c *registry.Config) { c.Senders[1].Value = "Acme Corporation" }, `senders["brand"].value`, "must be"},
		{"sender type unsupported", func(c *registry.Config) { c.Senders[1].Type = "pool" }, `senders["brand"].value`, "sender type pool is not supported by this provider (provider ib, vendor infobip)"},
		{"owner ambiguous", func(c *registry.Config) {
			c.Senders = append(c.Senders, registry.SenderConfig{Name: "alerts 2", Value: "+14155550100", Provider: "tw", Owner: "marketing"})
		}, `senders["alerts 2"].owner`, "suppression scope would be ambiguous"},
		{"route name missing", func(c *registry.Config) { c.Routes[0].Name = "" }, "routes[#1].name", "missing"},
		{"route name repeated", func(c *registry.Config) { c.Routes = append(c.Routes, c.Routes[0]) }, `routes["main"].name`, "repeats"},
		{"route empty", func(c *registry.Config) { c.Routes[0].Senders = nil }, `routes["main"].senders`, "none given"},
		{"route sender unknown", func(c *registry.Config) { c.Routes[0].Senders[1] = "brnad" }, `routes["main"].senders[1]`, `no sender named "brnad"`},
		{"route sender repeated", func(c *registry.Config) { c.Routes[0].Senders[1] = "alerts" }, `routes["main"].senders`, "repeats route 1"},
		{"route owners differ", func(c *registry.Config) { c.Senders[1].Owner = "marketing" }, `routes["main"].senders`, "must share one owner tag"},
		{"route without owner", func(c *registry.Config) { c.Senders[0].Owner, c.Senders[1].Owner = "", "" }, `routes["main"].senders`, "must share one owner tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.edit(&cfg)
			reg, err := build(cfg)
			require.Nil(t, reg)
			require.Error(t, err)
			require.Equal(t, []string{tt.path}, paths(err), "%v", err)
			require.Contains(t, err.Error(), tt.path+": ")
			require.Contains(t, err.Error(), tt.words)
			require.ErrorIs(t, err, sms.ErrInvalidArgument)
			var e *sms.Error
			require.ErrorAs(t, err, &e)
		})
	}
}

// A secret written into the file is refused without being quoted, wherever it goes.
func TestLiteralSecretNotEchoed(t *testing.T) {
	cfg := good()
	cfg.Providers[0].Credentials["auth_token"] = token
	cfg.Providers[1].Credentials["api_key"] = "App 3f2a-9c1b/Zx=="
	_, err := build(cfg)
	require.Error(t, err)
	require.Equal(t, []string{`providers["tw"].credentials.auth_token`, `providers["ib"].credentials.api_key`}, paths(err))
	require.Contains(t, err.Error(), "a secret must not be written in the file")
	require.NotContains(t, err.Error(), token)
	require.NotContains(t, err.Error(), "3f2a")
}

// A resolved secret or expanded option never reaches an error either.
func TestValuesNotEchoed(t *testing.T) {
	env["TW_SHORT"] = "ACnothex-but-secret-ish"
	defer delete(env, "TW_SHORT")
	cfg := good()
	cfg.Providers[0].Credentials["account_sid"] = "TW_SHORT"
	cfg.Providers[1].Options["delivery_url"] = "not-a-url-${TW_TOKEN}"
	_, err := build(cfg)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "nothex")
	require.NotContains(t, err.Error(), token)
}

// Every problem is reported at once, in file order.
func TestEveryProblemAtOnce(t *testing.T) {
	cfg := good()
	cfg.Providers[0].Credentials["auth_token"] = "UNSET_A"
	cfg.Providers[0].Options["timeout"] = "soon"
	cfg.Providers[1].Vendor = "vibez"
	cfg.Senders[0].Value = "0044 7911"
	cfg.Senders[1].Type = "alpha"
	cfg.Routes[0].Senders = append(cfg.Routes[0].Senders, "nobody")
	_, err := build(cfg)
	require.Equal(t, []string{
		`providers["tw"].credentials.auth_token`,
		`providers["tw"].options.timeout`,
		`providers["ib"].vendor`,
		`senders["alerts"].value`,
		`senders["brand"].type`,
		`routes["main"].senders[2]`,
	}, paths(err), "%v", err)
}

// A provider entry whose vendor is unknown still has its credentials and options checked:
// a secret written into the file, or a variable not set, is reported in the same run.
func TestUnknownVendorEntryStillChecked(t *testing.T) {
	cfg := good()
	cfg.Providers[0].Vendor = "twillio"
	cfg.Providers[0].Credentials["auth_token"] = token
	cfg.Providers[0].Credentials["account_sid"] = "TWILIO_SID_UNSET"
	cfg.Providers[0].Options["public_url"] = "${PUBLIC_UNSET}"
	_, err := build(cfg)
	require.Equal(t, []string{
		`providers["tw"].vendor`,
		`providers["tw"].credentials.account_sid`,
		`providers["tw"].credentials.auth_token`,
		`providers["tw"].options.public_url`,
	}, paths(err), "%v", err)
	require.NotContains(t, err.Error(), token)
}

// An entry whose name is missing or repeated is not used, but the rest of it is checked in
// the same run: a copied provider entry with a secret pasted in, a sender with a bad number.
func TestBadlyNamedEntriesStillChecked(t *testing.T) {
	cfg := good()
	dup := cfg.Providers[0]
	dup.Credentials = map[string]string{"account_sid": "TW_SID", "auth_token": token}
	cfg.Providers = append(cfg.Providers, dup)
	cfg.Senders = append(cfg.Senders, registry.SenderConfig{Value: "+1 415 555 0100", Provider: "tw"})
	_, err := build(cfg)
	require.Equal(t, []string{
		`providers["tw"].name`,
		`providers["tw"].credentials.auth_token`,
		`senders[#3].name`,
		`senders[#3].value`,
	}, paths(err), "%v", err)
	require.NotContains(t, err.Error(), token)
}

func TestLoadFile(t *testing.T) {
	for name, tt := range map[string]struct{ json, words string }{
		"syntax":        {`{"providers": [`, "file: not a registry file"},
		"unknown field": {`{"providers": [], "sendrs": []}`, `unknown field "sendrs"`},
		"two values":    {`{} {}`, "more than one JSON value"},
		"number option": {`{"providers": [{"name": "a", "vendor": "twilio", "options": {"timeout": 5}}]}`, "not a registry file"},
	} {
		_, err := registry.Load(strings.NewReader(tt.json), &registry.Options{Getenv: lookup})
		require.ErrorContains(t, err, tt.words, name)
		require.ErrorIs(t, err, sms.ErrInvalidArgument, name)
	}
}

// A custom vendor plugs in through Options.Vendors; the shared client options reach it.
func TestCustomVendorAndSend(t *testing.T) {
	rec := smstest.NewRecorder(&smstest.RecorderOptions{Name: "acme"})
	lim := &countingLimiter{}
	var got *registry.Settings
	reg, err := registry.New(registry.Config{
		Providers: []registry.ProviderConfig{{Name: "mine", Vendor: "acme", Credentials: map[string]string{"key": "IB_KEY"},
			Options: map[string]string{"region": "eu"}}},
		Senders: []registry.SenderConfig{{Name: "s", Value: "ACME", Provider: "mine"}},
	}, &registry.Options{Getenv: lookup, Client: &sms.ClientOptions{Limiter: lim}, Vendors: map[string]registry.Vendor{
		"acme": {Credentials: []string{"key"}, Options: []string{"region"}, Required: []string{"key"},
			New: func(s *registry.Settings) (sms.Provider, error) { got = s; return rec, nil }},
	}})
	require.NoError(t, err)
	require.Equal(t, "infobip-key-123", got.Secret("key").Reveal())
	require.Equal(t, "eu", got.Option("region"))
	require.Equal(t, "mine", got.Name)

	ctx := context.Background()
	res, err := reg.Send(ctx, "s", &sms.Message{To: []string{"+14155550101"}, Body: "hi"})
	require.NoError(t, err)
	require.Equal(t, "acme", res[0].Provider)
	require.Equal(t, sms.Sender{Value: "ACME", Name: "s"}, res[0].From)
	require.Equal(t, []string{"acme:ACME"}, lim.got())
	require.Equal(t, "ACME", rec.Sent()[0].From.Value)

	for name, send := range map[string]func() ([]sms.SendResult, error){
		"unknown sender": func() ([]sms.SendResult, error) {
			return reg.Send(ctx, "t", &sms.Message{To: []string{"+14155550101"}, Body: "x"})
		},
		"nil message": func() ([]sms.SendResult, error) { return reg.Send(ctx, "s", nil) },
		"other from": func() ([]sms.SendResult, error) {
			return reg.Send(ctx, "s", &sms.Message{To: []string{"+14155550101"}, Body: "x", From: sms.Sender{Value: "OTHER"}})
		},
		"unknown route": func() ([]sms.SendResult, error) {
			return reg.SendRoute(ctx, "r", &sms.Message{To: []string{"+14155550101"}, Body: "x"})
		},
	} {
		res, err := send()
		require.Nil(t, res, name)
		require.ErrorIs(t, err, sms.ErrInvalidArgument, name)
	}
	require.Len(t, rec.Sent(), 1)
}

// Vendors lists the built-in vendors; a new vendor package adds itself to this table.
func TestVendors(t *testing.T) {
	v := registry.Vendors()
	for _, name := range []string{"twilio", "acs", "infobip", "telesign", "linkmobility", "vibes"} {
		require.NotNil(t, v[name].New, name)
	}
	delete(v, "twilio")
	require.Contains(t, registry.Vendors(), "twilio", "a copy")
}

// The package doc's example is testdata/registry.json, the file the emulator tests load.
func TestDocExampleIsTestdata(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	file, err := os.ReadFile("testdata/registry.json")
	require.NoError(t, err)
	var lines []string
	for l := range strings.SplitSeq(strings.TrimRight(string(file), "\n"), "\n") {
		lines = append(lines, strings.TrimRight("//\t"+l, "\t"))
	}
	require.Contains(t, string(doc), strings.Join(lines, "\n")+"\npackage registry")
}

// An option that expands to a secret (a callback token in a URL put where the vendor wants
// an origin) is refused by the vendor with a message that quotes the URL it got; the
// registry's problem must still not hold the token.
func TestExpandedSecretInVendorRefusalNotEchoed(t *testing.T) {
	env["APP_URL"] = "https://app.example.com/hooks/twilio?token=hook-token-s3cr3t"
	defer delete(env, "APP_URL")
	cfg := good()
	cfg.Providers[0].Options["public_url"] = "${APP_URL}"
	_, err := build(cfg)
	require.Error(t, err)
	require.Equal(t, []string{`providers["tw"]`}, paths(err), "%v", err)
	require.NotContains(t, err.Error(), "s3cr3t")
	require.NotContains(t, fmt.Sprintf("%+v", err), "s3cr3t")

	// The vendor quotes the URL with its password masked: the query's token still goes.
	env["APP_URL"] = "https://user:pw-s3cr3t@app.example.com/hooks?token=hook-token-s3cr3t"
	_, err = build(cfg)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cr3t")
}
