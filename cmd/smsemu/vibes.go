package main

import (
	"errors"
	"flag"
	"fmt"
	"regexp"
	"time"

	"github.com/smsbridge/sms/vibes/vibestest"
)

// vibesFlags are the Vibes emulator's flags besides its credentials.
type vibesFlags struct {
	inboundUser, inboundPassword string
	retries                      int
	retryWait                    time.Duration
	blockOnStop, legacyInbound   bool
}

var (
	shortCodeRE = regexp.MustCompile(`^[0-9]{5,6}$`)
	nanpRE      = regexp.MustCompile(`^(\+1|1)?[2-9][0-9]{2}[2-9][0-9]{6}$`) // as vibestest reads it: +1, 1 or nothing, then 10 digits
)

// vibesVendor is the Vibes emulator, vibes/vibestest. Receipts go to each message's
// receiptOption callbackUrl; -status-callback vibes=URL is where those of a message
// without one go. -inbound vibes=URL is the account's MO URL.
var vibesVendor = vendor{
	name: "vibes",
	port: 4060,
	credentials: []credential{
		{flag: "username", key: "username", def: vibestest.DefaultUsername,
			usage: "Basic-auth username the Vibes emulator accepts"},
		{flag: "password", key: "password", def: vibestest.DefaultPassword,
			usage: "Basic-auth password the Vibes emulator accepts"},
		{flag: "short-code", key: "short_code", def: vibestest.DefaultShortCode,
			usage: "short code (source type SC, 5 or 6 digits) provisioned on the Vibes emulator"},
		{flag: "long-code", key: "long_code", def: vibestest.DefaultLongCode,
			usage: "long code (source type LC, +1 and 10 digits) provisioned on the Vibes emulator"},
		{flag: "toll-free", key: "toll_free", def: vibestest.DefaultTollFree,
			usage: "toll-free number (source type TF, +1 and 10 digits) provisioned on the Vibes emulator"},
	},
	flags: func(fs *flag.FlagSet) any {
		f := &vibesFlags{}
		fs.StringVar(&f.inboundUser, "vibes-inbound-user", "", "Basic-auth `user` on the Vibes emulator's inbound (MO) POSTs (default none; receipts never carry it)")
		fs.StringVar(&f.inboundPassword, "vibes-inbound-password", "", "Basic-auth `password` on the Vibes emulator's inbound (MO) POSTs")
		fs.IntVar(&f.retries, "vibes-retries", vibestest.DefaultRetries, "retries of a Vibes callback not answered 2xx, `N` from 0 to 100")
		fs.DurationVar(&f.retryWait, "vibes-retry-wait", vibestest.DefaultRetryWait, "the wait before each Vibes callback retry, `d` (Vibes' 5 minutes, scaled)")
		fs.BoolVar(&f.blockOnStop, "vibes-block-on-stop", false, "an inbound STOP to a Vibes code blocks sends from it to the handset (internal error 9) until START")
		fs.BoolVar(&f.legacyInbound, "vibes-legacy-inbound", false, "post Vibes inbound messages in the older <deliver> shape instead of <moMessage>")
		return f
	},
	check: func(cfg *vendorConfig) error {
		f := cfg.Flags.(*vibesFlags)
		c := cfg.Credentials
		if err := firstError(
			inRange("-vibes-retries", f.retries, 0, 100),
			positive("-vibes-retry-wait", f.retryWait),
		); err != nil {
			return err
		}
		switch {
		case !shortCodeRE.MatchString(c["short_code"]):
			return fmt.Errorf("-vibes-short-code %q: want 5 or 6 digits", c["short_code"])
		case !nanpRE.MatchString(c["long_code"]):
			return fmt.Errorf("-vibes-long-code %q: want a US or Canadian number, +1 and 10 digits", c["long_code"])
		case !nanpRE.MatchString(c["toll_free"]):
			return fmt.Errorf("-vibes-toll-free %q: want a US or Canadian number, +1 and 10 digits", c["toll_free"])
		case f.inboundPassword != "" && f.inboundUser == "":
			return errors.New("-vibes-inbound-password needs -vibes-inbound-user")
		}
		return nil
	},
	start: func(cfg vendorConfig) (*emulator, error) {
		f := cfg.Flags.(*vibesFlags)
		c := cfg.Credentials
		s := vibestest.New(&vibestest.Options{
			Username: c["username"],
			Password: c["password"],
			Codes: []vibestest.Code{{Address: c["short_code"], Type: vibestest.TypeShortCode},
				{Address: c["long_code"], Type: vibestest.TypeLongCode}, {Address: c["toll_free"], Type: vibestest.TypeTollFree}},
			InboundURL:      cfg.InboundURL,
			InboundUsername: f.inboundUser,
			InboundPassword: f.inboundPassword,
			CallbackURL:     cfg.StatusCallback,
			LegacyInbound:   f.legacyInbound,
			BlockOnStop:     f.blockOnStop,
			Retries:         optionRetries(f.retries),
			RetryWait:       f.retryWait,
		})
		s.URL = cfg.BaseURL
		return served(s, map[string]string{"username": s.Username(), "password": s.Password(),
			"short_code": c["short_code"], "long_code": c["long_code"], "toll_free": c["toll_free"]}), nil
	},
}
