package redact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/vibes"
)

// secret is in every credential and callback URL of the configurations below.
const secret = "Zm9vYmFyLXMzY3JldA"

func hook(vendor string) string { return "https://app.example/hooks/" + vendor + "?token=" + secret }

// TestConfigPrintsNoToken prints each vendor Config whose URL fields carry a callback token
// every way a program might (fmt verbs, nested in a struct, slog handlers, encoding/json):
// neither the token nor a credential may appear, the callback URL's host and path must.
func TestConfigPrintsNoToken(t *testing.T) {
	s := sms.NewSecret(secret)
	for _, tc := range []struct {
		name, typ string
		cfg       any
		want      []string // visible in every form
	}{
		{"vibes", "vibes.Config", vibes.Config{Username: "u", Password: s, BaseURL: "https://user:" + secret + "@api.example/v?k=" + secret,
			DeliveryURL: hook("vibes"), CallbackTokens: []sms.Secret{s}, CallbackSources: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}},
			[]string{"app.example/hooks/vibes", "api.example/v"}},
		{"infobip", "infobip.Config", infobip.Config{APIKey: s, BaseURL: "https://xyz.api.example", DeliveryURL: hook("infobip"),
			CallbackTokens: []sms.Secret{s}, CallbackUser: "cb", CallbackPassword: s, VerifyCallback: func(*http.Request, []byte) error { return nil }},
			[]string{"app.example/hooks/infobip", "xyz.api.example"}},
		{"telesign", "telesign.Config", telesign.Config{CustomerID: "C1", APIKey: s, CallbackKeys: []sms.Secret{s}, DeliveryURL: hook("telesign")},
			[]string{"app.example/hooks/telesign"}},
		{"twilio", "twilio.Config", twilio.Config{AccountSID: "AC1", AuthToken: s, SecondaryAuthToken: s, APIKeySID: "SK1", APIKeySecret: s,
			PublicURL: "https://tw:" + secret + "@public.example?token=" + secret, StatusCallback: hook("twilio"), ConnectionOverrides: "rc=3"},
			[]string{"app.example/hooks/twilio", "public.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shown := map[string]string{}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				shown[verb] = fmt.Sprintf(verb, tc.cfg)
			}
			shown["pointer %+v"] = fmt.Sprintf("%+v", ptr(tc.cfg))
			shown["nested %+v"] = fmt.Sprintf("%+v", struct{ C any }{tc.cfg})
			shown["nested %#v"] = fmt.Sprintf("%#v", struct{ C any }{tc.cfg})
			shown["Sprint"] = fmt.Sprint(tc.cfg)
			var jb, tb bytes.Buffer
			slog.New(slog.NewJSONHandler(&jb, nil)).Info("config", "cfg", tc.cfg)
			slog.New(slog.NewTextHandler(&tb, nil)).Info("config", slog.Any("cfg", tc.cfg))
			shown["slog JSON"], shown["slog text"] = jb.String(), tb.String()
			js, err := json.Marshal(tc.cfg)
			require.NoError(t, err)
			shown["json.Marshal"] = string(js)
			for form, out := range shown {
				require.NotContains(t, out, secret, form)
				require.NotContains(t, out, url.QueryEscape(secret)[:8], form)
				if form == "%x" || form == "%d" { // other verbs print String, checked by %v
					continue
				}
				for _, w := range tc.want {
					require.Contains(t, out, w, form)
				}
				require.Contains(t, out, "[REDACTED]", form)
			}
			require.True(t, strings.HasPrefix(shown["%#v"], tc.typ+"{"), shown["%#v"])
			require.True(t, json.Valid(js), string(js))
		})
	}
}

// ptr returns a pointer to a copy of v's dynamic value.
func ptr(v any) any {
	switch c := v.(type) {
	case vibes.Config:
		return &c
	case infobip.Config:
		return &c
	case telesign.Config:
		return &c
	case twilio.Config:
		return &c
	}
	panic(fmt.Sprintf("ptr: %T", v))
}

// TestErrorsQuoteNoToken checks the constructors' errors about callback URLs: the URL's
// token (or password) is never quoted.
func TestErrorsQuoteNoToken(t *testing.T) {
	s := sms.NewSecret(secret)
	sid := "AC" + strings.Repeat("0123456789abcdef", 2)
	for _, tc := range []struct {
		name, field string // field is named in the error
		new         func() error
	}{
		{"twilio PublicURL with a query", "PublicURL", func() error {
			_, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: s, PublicURL: "https://app.example/x?token=" + secret}, nil)
			return err
		}},
		{"twilio PublicURL unparseable", "PublicURL", func() error {
			_, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: s, PublicURL: "https://app example/x?token=" + secret}, nil)
			return err
		}},
		{"twilio NewVerifier with userinfo", "public origin", func() error {
			_, err := twilio.NewVerifier("https://u:"+secret+"@app.example", s)
			return err
		}},
		{"twilio StatusCallback relative", "StatusCallback", func() error {
			_, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: s, StatusCallback: "/x?token=" + secret}, nil)
			return err
		}},
		{"vibes DeliveryURL token not accepted", "DeliveryURL", func() error {
			_, err := vibes.New(vibes.Config{Username: "u", Password: s, DeliveryURL: hook("vibes"), CallbackTokens: []sms.Secret{sms.NewSecret("other")}}, nil)
			return err
		}},
		{"vibes DeliveryURL relative", "DeliveryURL", func() error {
			_, err := vibes.New(vibes.Config{Username: "u", Password: s, DeliveryURL: "/x?token=" + secret, CallbackTokens: []sms.Secret{s}}, nil)
			return err
		}},
		{"infobip DeliveryURL relative", "DeliveryURL", func() error {
			_, err := infobip.New(infobip.Config{APIKey: s, BaseURL: "https://xyz.api.example", DeliveryURL: "/x?token=" + secret}, nil)
			return err
		}},
		{"telesign DeliveryURL relative", "DeliveryURL", func() error {
			_, err := telesign.New(telesign.Config{CustomerID: "C1", APIKey: s, DeliveryURL: "/x?token=" + secret}, nil)
			return err
		}},
	} {
		err := tc.new()
		require.ErrorContains(t, err, tc.field, tc.name)
		require.NotContains(t, err.Error(), secret, tc.name)
		require.NotContains(t, fmt.Sprintf("%+v", err), secret, tc.name)
	}
}
