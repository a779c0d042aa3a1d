package main

import (
	"errors"
	"flag"
	"fmt"
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
		if f.retries < 0 || f.retries > 100 {
			return fmt.Errorf("-telesign-retries %d: want 0 to 100", f.retries)
		}
		if f.retryUnit <= 0 {
			return errors.New("-telesign-retry-unit must be positive")
		}
		if f.dateTolerance <= 0 {
			return errors.New("-telesign-date-tolerance must be positive")
		}
		return nil
	},
	start: func(cfg vendorConfig) (*emulator, error) {
		f := cfg.Flags.(*telesignFlags)
		retries := f.retries
		if retries == 0 {
			retries = -1 // telesigntest: 0 is the default, negative is none
		}
		s := telesigntest.New(&telesigntest.Options{
			CustomerID:    cfg.Credentials["customer_id"],
			APIKey:        cfg.Credentials["api_key"],
			CallbackURL:   cfg.StatusCallback,
			InboundURL:    cfg.InboundURL,
			Retries:       retries,
			RetryUnit:     f.retryUnit,
			DateTolerance: f.dateTolerance,
		})
		s.URL = cfg.BaseURL
		return &emulator{handler: s.Handler(),
			credentials: map[string]string{"customer_id": s.CustomerID(), "api_key": s.APIKey()}, close: s.Close}, nil
	},
}
