package main

import (
	"flag"
	"time"

	"github.com/smsbridge/sms/telesign/telesigntest"
)

// telesignFlags are the Telesign emulator's flags besides its credentials.
type telesignFlags struct {
	retries       int
	retryUnit     time.Duration
	dateTolerance time.Duration
}

// telesignVendor is the Telesign emulator, telesign/telesigntest. -status-callback
// telesign=URL is the account's Transaction Callback Service URL, for messages sent without
// a callback_url of their own (and for inbound messages without -inbound telesign=URL).
var telesignVendor = vendor{
	name: "telesign",
	port: 4050,
	credentials: []credential{
		{flag: "customer-id", key: "customer_id", def: telesigntest.DefaultCustomerID,
			usage: "customer ID the Telesign emulator accepts (Basic user, TSA Authorization)"},
		{flag: "api-key", key: "api_key", def: telesigntest.DefaultAPIKey,
			usage: "API key (base64) the Telesign emulator accepts and signs its callbacks with"},
	},
	flags: func(fs *flag.FlagSet) any {
		f := &telesignFlags{}
		fs.IntVar(&f.retries, "telesign-retries", telesigntest.DefaultRetries, "retries of a Telesign callback not answered 200, `N` from 0 to 100")
		fs.DurationVar(&f.retryUnit, "telesign-retry-unit", telesigntest.DefaultRetryUnit, "Telesign's callback retry second, scaled: retry n waits `d`·5·n")
		fs.DurationVar(&f.dateTolerance, "telesign-date-tolerance", telesigntest.DefaultDateTolerance, "how far a TSA-signed request's Date may be from the clock, `d`")
		return f
	},
	check: func(cfg *vendorConfig) error {
		f := cfg.Flags.(*telesignFlags)
		return firstError(
			inRange("-telesign-retries", f.retries, 0, 100),
			positive("-telesign-retry-unit", f.retryUnit),
			positive("-telesign-date-tolerance", f.dateTolerance),
		)
	},
	start: func(cfg vendorConfig) (*emulator, error) {
		f := cfg.Flags.(*telesignFlags)
		s := telesigntest.New(&telesigntest.Options{
			CustomerID:    cfg.Credentials["customer_id"],
			APIKey:        cfg.Credentials["api_key"],
			CallbackURL:   cfg.StatusCallback,
			InboundURL:    cfg.InboundURL,
			Retries:       optionRetries(f.retries),
			RetryUnit:     f.retryUnit,
			DateTolerance: f.dateTolerance,
		})
		s.URL = cfg.BaseURL
		return served(s, map[string]string{"customer_id": s.CustomerID(), "api_key": s.APIKey()}), nil
	},
}
