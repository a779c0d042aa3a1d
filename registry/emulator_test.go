package registry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/registry"
	"github.com/smsbridge/sms/telesign/telesigntest"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/vibes/vibestest"
)

// emulators runs every vendor's emulator and an application that answers 200 to every
// callback, and returns the environment testdata/registry.json reads.
type emulators struct {
	tw  *twiliotest.Server
	az  *acstest.Server
	ib  *infobiptest.Server
	ts  *telesigntest.Server
	lm  *linkmobilitytest.Server
	vb  *vibestest.Server
	env map[string]string
}

func startEmulators(t *testing.T) *emulators {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(app.Close)
	e := &emulators{
		tw: twiliotest.NewServer(nil),
		az: acstest.NewServer(nil),
		ib: infobiptest.NewServer(nil),
		ts: telesigntest.NewServer(nil),
		lm: linkmobilitytest.NewServer(nil),
		vb: vibestest.NewServer(nil),
	}
	t.Cleanup(e.tw.Close)
	t.Cleanup(e.az.Close)
	t.Cleanup(e.ib.Close)
	t.Cleanup(e.ts.Close)
	t.Cleanup(e.lm.Close)
	t.Cleanup(e.vb.Close)
	e.env = map[string]string{
		"APP_URL":                          app.URL,
		"TWILIO_ACCOUNT_SID":               e.tw.AccountSID(),
		"TWILIO_AUTH_TOKEN":                e.tw.AuthToken(),
		"TWILIO_BASE_URL":                  e.tw.URL,
		"ACS_CONNECTION_STRING":            e.az.ConnectionString(),
		"ACS_CALLBACK_TOKENS":              "acs-token-1,acs-token-2",
		"INFOBIP_API_KEY":                  e.ib.APIKey(),
		"INFOBIP_BASE_URL":                 e.ib.URL,
		"INFOBIP_CALLBACK_TOKEN":           "infobip-token",
		"TELESIGN_CUSTOMER_ID":             e.ts.CustomerID(),
		"TELESIGN_API_KEY":                 e.ts.APIKey(),
		"TELESIGN_BASE_URL":                e.ts.URL,
		"LINKMOBILITY_USERNAME":            e.lm.Username(),
		"LINKMOBILITY_PASSWORD":            e.lm.Password(),
		"LINKMOBILITY_PLATFORM_ID":         e.lm.PlatformID(),
		"LINKMOBILITY_PLATFORM_PARTNER_ID": e.lm.PlatformPartnerID(),
		"LINKMOBILITY_BASE_URL":            e.lm.URL,
		"VIBES_USERNAME":                   e.vb.Username(),
		"VIBES_PASSWORD":                   e.vb.Password(),
		"VIBES_BASE_URL":                   e.vb.URL,
		"VIBES_CALLBACK_TOKEN":             "vibes-token",
	}
	return e
}

func (e *emulators) getenv(name string) (string, bool) {
	v, ok := e.env[name]
	return v, ok
}

func loadTestdata(t *testing.T, e *emulators, opts *registry.Options) *registry.Registry {
	t.Helper()
	f, err := os.Open("testdata/registry.json")
	require.NoError(t, err)
	defer f.Close()
	if opts == nil {
		opts = &registry.Options{}
	}
	opts.Getenv = e.getenv
	reg, err := registry.Load(f, opts)
	require.NoError(t, err)
	t.Cleanup(reg.CloseIdleConnections)
	return reg
}

// The example file loads against the five emulators and every sender sends through its own
// vendor.
func TestTestdataAgainstEmulators(t *testing.T) {
	e := startEmulators(t)
	reg := loadTestdata(t, e, nil)
	require.Equal(t, []string{"twilio-us", "acs-main", "infobip-eu", "telesign-global", "link-nordics", "vibes-us"}, reg.Providers())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	to := map[string]string{
		"US alerts": "+14155550101", "US toll-free": "+14155550102", "EU brand": "+41793026727",
		"Global OTP": "+14155550103", "EU OTP": "+41793026729", "Nordic short code": "+4746910822", "US short code": "+14155550105",
	}
	vendorOf := map[string]string{
		"US alerts": "twilio", "US toll-free": "acs", "EU brand": "infobip", "Global OTP": "telesign", "EU OTP": "infobip", "Nordic short code": "linkmobility", "US short code": "vibes",
	}
	for _, name := range reg.Senders() {
		res, err := reg.Send(ctx, name, &sms.Message{To: []string{to[name]}, Body: "hello from " + name})
		require.NoError(t, err, name)
		require.Equal(t, vendorOf[name], res[0].Provider, name)
		require.Equal(t, name, res[0].From.Name, name)
		require.NotEmpty(t, res[0].MessageID, name)
	}
	require.Len(t, e.tw.Messages(), 1)
	require.Equal(t, 1, e.az.Accepted())
	require.Equal(t, 2, e.ib.Accepted())
	require.Equal(t, 1, e.ts.Accepted())
	require.Equal(t, 1, e.lm.Accepted())
	require.Equal(t, 1, e.vb.Accepted())
	require.Equal(t, "+15005550006", e.tw.Messages()[0].From)

	// A sender's callbacks arrive at its provider's Client.
	c, ok := reg.Client("twilio-us")
	require.True(t, ok)
	require.Equal(t, "twilio", c.Name())
}

// The "alerts" route: Twilio throttles past the route's budget, so the recipient goes out
// through ACS from the toll-free number; the emulators hold one message for it.
func TestTestdataRoute(t *testing.T) {
	e := startEmulators(t)
	lim := &countingLimiter{}
	reg := loadTestdata(t, e, &registry.Options{Client: &sms.ClientOptions{Retry: sms.RetryPolicy{MaxAttempts: 1}, Limiter: lim}})
	e.tw.Arm(twiliotest.Fault{Status: http.StatusTooManyRequests})
	res, err := reg.SendRoute(context.Background(), "alerts", &sms.Message{To: []string{"+14155550104"}, Body: "route"})
	require.NoError(t, err)
	require.Equal(t, "acs", res[0].Provider)
	require.Equal(t, "US toll-free", res[0].From.Name)
	require.Empty(t, e.tw.Messages())
	require.Equal(t, 1, e.az.Accepted())
	require.Equal(t, 0, e.ib.Accepted())
	require.Equal(t, []string{"twilio:+15005550006", "acs:+18005550100"}, lim.got(), "each child's limiter, under its own sender")
}

func TestTestdataScope(t *testing.T) {
	e := startEmulators(t)
	reg := loadTestdata(t, e, nil)
	for _, tt := range []struct {
		provider, value, want string
	}{
		{"twilio", "+15005550006", "owner:retail"},
		{"twilio-us", "+15005550006", "owner:retail"},
		{"acs", "+18005550100", "owner:retail"},
		{"infobip", "Acme", "owner:retail"},
		{"telesign", "Acme", "owner:security"},
		{"router", "+18005550100", "owner:retail"}, // another provider name: the value decides
		{"router", "Acme", "sender:Acme"},          // two owners for one value: the sender alone
		{"linkmobility", "2333", "sender:2333"},    // no owner
		{"twilio", "+15005550999", "sender:+15005550999"},
	} {
		require.Equal(t, tt.want, reg.Scope(tt.provider, sms.Sender{Value: tt.value}), "%s %s", tt.provider, tt.value)
	}
	var _ func(string, sms.Sender) string = reg.Scope // usable as the consent store's scope function
}

// The "notify" route starts with a Vibes short code, which serves only the US and Canada: a
// US recipient goes out through Vibes, a Swiss one skips it for Infobip, and one in Jamaica
// (+1, but not NANP US/CA) skips it too, before any request to Vibes.
func TestTestdataRouteByCountry(t *testing.T) {
	e := startEmulators(t)
	reg := loadTestdata(t, e, nil)
	res, err := reg.SendRoute(context.Background(), "notify", &sms.Message{
		To: []string{"+14155550106", "+41793026727", "+18765550100"}, Body: "by country"})
	require.NoError(t, err)
	require.Equal(t, []string{"vibes", "infobip", "infobip"}, []string{res[0].Provider, res[1].Provider, res[2].Provider})
	require.Equal(t, "US short code", res[0].From.Name)
	require.Equal(t, "EU brand", res[1].From.Name)
	require.Equal(t, 1, e.vb.Requests(), "one Vibes request: the US recipient only")
	require.Equal(t, 1, e.vb.Accepted())
	require.Equal(t, 2, e.ib.Accepted())
}
