package main

import (
	"flag"
	"time"

	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
)

// linkmobilityFlags are the LINK Mobility emulator's flags besides its credentials.
type linkmobilityFlags struct {
	gateUser, gatePassword string
	retries                int
	retryUnit              time.Duration
}

// linkmobilityVendor is the LINK Mobility emulator, linkmobility/linkmobilitytest.
// -status-callback linkmobility=URL is the URL of the delivery-report gate gate_id (what
// LINK's support configures), -inbound linkmobility=URL the inbound (MO) gate.
var linkmobilityVendor = vendor{
	name: "linkmobility",
	port: 4040,
	credentials: []credential{
		{flag: "username", key: "username", def: linkmobilitytest.DefaultUsername,
			usage: "Basic-auth username the LINK Mobility emulator accepts"},
		{flag: "password", key: "password", def: linkmobilitytest.DefaultPassword,
			usage: "Basic-auth password the LINK Mobility emulator accepts"},
		{flag: "platform-id", key: "platform_id", def: linkmobilitytest.DefaultPlatformID,
			usage: "platformId the LINK Mobility emulator accepts"},
		{flag: "platform-partner-id", key: "platform_partner_id", def: linkmobilitytest.DefaultPlatformPartnerID,
			usage: "platformPartnerId the LINK Mobility emulator accepts"},
		{flag: "gate-id", key: "gate_id", def: linkmobilitytest.DefaultGateID,
			usage: "delivery-report gate id whose URL is -status-callback linkmobility=URL"},
	},
	flags: func(fs *flag.FlagSet) any {
		f := &linkmobilityFlags{}
		fs.StringVar(&f.gateUser, "linkmobility-gate-user", "", "Basic-auth `user` on the LINK Mobility emulator's gate POSTs (default none)")
		fs.StringVar(&f.gatePassword, "linkmobility-gate-password", "", "Basic-auth `password` on the LINK Mobility emulator's gate POSTs")
		fs.IntVar(&f.retries, "linkmobility-retries", linkmobilitytest.DefaultRetries, "retries of a LINK Mobility gate POST not answered 2xx, `N` from 0 to 100")
		fs.DurationVar(&f.retryUnit, "linkmobility-retry-unit", linkmobilitytest.DefaultRetryUnit, "LINK Mobility gate retry wait, scaled: retry n waits `d`·2^(n-1)")
		return f
	},
	check: func(cfg *vendorConfig) error {
		f := cfg.Flags.(*linkmobilityFlags)
		return firstError(
			inRange("-linkmobility-retries", f.retries, 0, 100),
			positive("-linkmobility-retry-unit", f.retryUnit),
		)
	},
	start: func(cfg vendorConfig) (*emulator, error) {
		f := cfg.Flags.(*linkmobilityFlags)
		c := cfg.Credentials
		gate := func(u string) linkmobilitytest.Gate {
			if u == "" {
				return linkmobilitytest.Gate{}
			}
			return linkmobilitytest.Gate{URL: u, Username: f.gateUser, Password: f.gatePassword}
		}
		s := linkmobilitytest.New(&linkmobilitytest.Options{
			Username:          c["username"],
			Password:          c["password"],
			PlatformID:        c["platform_id"],
			PlatformPartnerID: c["platform_partner_id"],
			Gates:             map[string]linkmobilitytest.Gate{c["gate_id"]: gate(cfg.StatusCallback)},
			Inbound:           gate(cfg.InboundURL),
			Retries:           optionRetries(f.retries),
			RetryUnit:         f.retryUnit,
		})
		s.URL = cfg.BaseURL
		return served(s, map[string]string{"username": s.Username(), "password": s.Password(),
			"platform_id": s.PlatformID(), "platform_partner_id": s.PlatformPartnerID(), "gate_id": c["gate_id"]}), nil
	},
}
