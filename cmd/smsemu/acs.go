package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/internal/acssign"
)

// Bounds of the Event Grid subscription settings, as Azure accepts them.
const (
	maxEventsPerBatchLimit = 5000 // maxEventsPerBatch: 1 to 5000
	maxEventGridRetries    = 29   // maxDeliveryAttempts: 1 to 30
)

// acsFlags are the ACS emulator's flags besides -acs-access-key.
type acsFlags struct {
	secondaryKey string
	eventGrid    webhookURL // -event-grid; check merges -inbound and -status-callback acs=URL into it
	schema       choice
	maxBatch     int
	retries      int
	retryWait    time.Duration
}

// acsVendor is the Azure Communication Services emulator, acs/acstest. ACS has one Event
// Grid subscription for delivery reports and inbound messages, so -inbound acs=URL and
// -status-callback acs=URL both name it, as -event-grid does; given together they must agree.
var acsVendor = vendor{
	name: "acs",
	port: 4020,
	credentials: []credential{
		{flag: "access-key", key: "access_key", def: acstest.DefaultAccessKey,
			usage: "primary access key (base64) the ACS emulator accepts for HMAC-SHA256 signatures"},
	},
	flags: func(fs *flag.FlagSet) any {
		f := &acsFlags{schema: choice{val: acstest.SchemaEventGrid, allowed: []string{acstest.SchemaEventGrid, acstest.SchemaCloudEvents}}}
		fs.StringVar(&f.secondaryKey, "acs-secondary-access-key", "", "a secondary access `key` (base64) the ACS emulator accepts too (default none)")
		fs.Var(&f.eventGrid, "event-grid", "the ACS Event Grid subscription's webhook `URL`, e.g. http://127.0.0.1:8080/acs/events?token=…, for\ndelivery reports and inbound messages; validated by handshake before the first delivery\n(-inbound acs=URL and -status-callback acs=URL mean the same)")
		fs.Var(&f.schema, "event-grid-schema", "the Event Grid subscription's event `schema`: eventgrid or cloudevents")
		fs.IntVar(&f.maxBatch, "event-grid-max-events-per-batch", 1, "the Event Grid subscription's maxEventsPerBatch, `N` from 1 to 5000 (a partial batch\ngoes out after 1s, or on POST /_emulator/flush)")
		fs.IntVar(&f.retries, "event-grid-retries", acstest.DefaultDeliveryRetries, "how many times a failed Event Grid delivery is retried, `N` from 0 to 29")
		fs.DurationVar(&f.retryWait, "event-grid-retry-wait", acstest.DefaultRetryWait, "the wait between Event Grid delivery attempts")
		return f
	},
	check: func(cfg *vendorConfig) error {
		f := cfg.Flags.(*acsFlags)
		if _, err := acssign.DecodeKey(cfg.Credentials["access_key"]); err != nil {
			return errors.New("-acs-access-key is not base64")
		}
		if f.secondaryKey != "" {
			if _, err := acssign.DecodeKey(f.secondaryKey); err != nil {
				return errors.New("-acs-secondary-access-key is not base64")
			}
		}
		if err := firstError(
			inRange("-event-grid-max-events-per-batch", f.maxBatch, 1, maxEventsPerBatchLimit),
			inRange("-event-grid-retries", f.retries, 0, maxEventGridRetries),
			positive("-event-grid-retry-wait", f.retryWait),
		); err != nil {
			return err
		}
		// One subscription: every flag that names it must name the same URL.
		given := map[string]string{}
		var names []string
		for _, t := range []struct{ name, url string }{
			{"-event-grid " + string(f.eventGrid), string(f.eventGrid)},
			{"-inbound acs=" + cfg.InboundURL, cfg.InboundURL},
			{"-status-callback acs=" + cfg.StatusCallback, cfg.StatusCallback},
		} {
			if t.url == "" {
				continue
			}
			given[t.url] = t.name
			names = append(names, t.name)
			f.eventGrid = webhookURL(t.url)
		}
		if len(given) > 1 {
			return fmt.Errorf("acs has one Event Grid subscription for delivery reports and inbound messages, but %s differ", strings.Join(names, " and "))
		}
		return nil
	},
	start: func(cfg vendorConfig) (e *emulator, err error) {
		f := cfg.Flags.(*acsFlags)
		defer func() { // acstest.New panics on a misconfiguration check should have caught
			if r := recover(); r != nil {
				e, err = nil, fmt.Errorf("%v", r)
			}
		}()
		s := acstest.New(&acstest.Options{
			AccessKey:          cfg.Credentials["access_key"],
			SecondaryAccessKey: f.secondaryKey,
			EventGridURL:       string(f.eventGrid),
			Schema:             f.schema.val,
			MaxEventsPerBatch:  f.maxBatch,
			DeliveryRetries:    optionRetries(f.retries),
			RetryWait:          f.retryWait,
		})
		s.URL = cfg.BaseURL
		creds := map[string]string{"access_key": s.AccessKey(), "connection_string": s.ConnectionString()}
		if f.secondaryKey != "" {
			creds["secondary_access_key"] = f.secondaryKey
		}
		return served(s, creds), nil
	},
}

// webhookURL is a flag holding an application's webhook URL, checked as -inbound's are.
type webhookURL string

func (u *webhookURL) String() string {
	if u == nil {
		return ""
	}
	return string(*u)
}

func (u *webhookURL) Set(s string) error {
	norm, err := checkWebhookURL(s)
	if err != nil {
		return err
	}
	*u = webhookURL(norm)
	return nil
}

// choice is a string flag restricted to a few lower-case values, given in any case.
type choice struct {
	val     string
	allowed []string
}

func (c *choice) String() string {
	if c == nil {
		return ""
	}
	return c.val
}

func (c *choice) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, a := range c.allowed {
		if v == a {
			c.val = v
			return nil
		}
	}
	quoted := make([]string, len(c.allowed))
	for i, a := range c.allowed {
		quoted[i] = strconv.Quote(a)
	}
	return fmt.Errorf("want %s", strings.Join(quoted, " or "))
}
