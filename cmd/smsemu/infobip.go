package main

import (
	"errors"
	"flag"
	"time"

	"github.com/smsbridge/sms/infobip/infobiptest"
)

// infobipFlags are the Infobip emulator's flags besides -infobip-api-key.
type infobipFlags struct {
	webhookUser, webhookPassword string
	batchSize, retries           int
	retryUnit                    time.Duration
}

// infobipVendor is the Infobip emulator, infobip/infobiptest. -status-callback infobip=URL
// is the account's delivery-report subscription, for messages sent without a webhook URL of
// their own; -inbound infobip=URL the numbers' inbound forwarding.
var infobipVendor = vendor{
	name: "infobip",
	port: 4030,
	credentials: []credential{
		{flag: "api-key", key: "api_key", def: infobiptest.DefaultAPIKey,
			usage: `API key the Infobip emulator accepts ("Authorization: App <key>")`},
	},
	flags: func(fs *flag.FlagSet) any {
		f := &infobipFlags{}
		fs.StringVar(&f.webhookUser, "infobip-webhook-user", "", "Basic-auth `user` on the Infobip emulator's webhook POSTs (default none)")
		fs.StringVar(&f.webhookPassword, "infobip-webhook-password", "", "Basic-auth `password` on the Infobip emulator's webhook POSTs")
		fs.IntVar(&f.batchSize, "infobip-batch-size", infobiptest.DefaultBatchSize, "delivery reports per Infobip webhook POST, `N` from 1 to 1000")
		fs.IntVar(&f.retries, "infobip-retries", infobiptest.DefaultRetries, "retries of a failed Infobip webhook, `N` from 0 to 100")
		fs.DurationVar(&f.retryUnit, "infobip-retry-unit", infobiptest.DefaultRetryUnit, "the Infobip back-off's minute, scaled: retry n waits `d`·(1+n²)")
		return f
	},
	check: func(cfg *vendorConfig) error {
		f := cfg.Flags.(*infobipFlags)
		if err := firstError(
			inRange("-infobip-batch-size", f.batchSize, 1, 1000),
			inRange("-infobip-retries", f.retries, 0, 100),
			positive("-infobip-retry-unit", f.retryUnit),
		); err != nil {
			return err
		}
		if f.webhookPassword != "" && f.webhookUser == "" {
			return errors.New("-infobip-webhook-password needs -infobip-webhook-user")
		}
		return nil
	},
	start: func(cfg vendorConfig) (*emulator, error) {
		f := cfg.Flags.(*infobipFlags)
		s := infobiptest.New(&infobiptest.Options{
			APIKey:          cfg.Credentials["api_key"],
			DeliveryURL:     cfg.StatusCallback,
			InboundURL:      cfg.InboundURL,
			WebhookUsername: f.webhookUser,
			WebhookPassword: f.webhookPassword,
			BatchSize:       f.batchSize,
			Retries:         optionRetries(f.retries),
			RetryUnit:       f.retryUnit,
		})
		s.URL = cfg.BaseURL
		return served(s, map[string]string{"api_key": s.APIKey()}), nil
	},
}
