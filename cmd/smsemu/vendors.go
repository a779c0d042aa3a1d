package main

import (
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/smsbridge/sms/twilio/twiliotest"
)

// A vendor is one emulator smsemu can run. Adding a vendor's emulator to smsemu is adding
// one entry to vendors (its port is already reserved in defaultPorts).
type vendor struct {
	name string // lower case; the key in the first-line JSON and the prefix of its flags
	port int    // default port; must equal its defaultPorts entry
	// credentials become the flags -<name>-<flag> and the keys of the vendor's
	// "credentials" object in the first-line JSON.
	credentials []credential
	// flags, if set, defines the vendor's other flags on fs and returns the value they are
	// parsed into, which check and start find in vendorConfig.Flags.
	flags func(fs *flag.FlagSet) any
	// check, if set, validates the vendor's part of the command line once it is parsed,
	// before any port is bound (an error exits 2). It may normalise cfg.Flags. BaseURL is
	// still empty.
	check func(cfg *vendorConfig) error
	// start builds the emulator, which smsemu then serves at cfg.BaseURL. It runs after
	// check succeeded.
	start func(cfg vendorConfig) (*emulator, error)
}

// A credential is one value a vendor's client needs and the emulator checks.
type credential struct {
	flag  string // kebab-case: the flag is -<vendor>-<flag>
	key   string // snake_case key in the first-line JSON
	def   string // the emulator's documented default
	usage string
}

// vendorConfig is what smsemu knows about an emulator before starting it.
type vendorConfig struct {
	BaseURL        string            // where it is served, e.g. http://127.0.0.1:4010
	Credentials    map[string]string // by credential key; every key present, none empty
	InboundURL     string            // account-level inbound webhook target, or ""
	StatusCallback string            // account-level delivery-report target, or ""
	Flags          any               // what the vendor's flags function returned, or nil
}

// emulator is a started vendor emulator.
type emulator struct {
	handler http.Handler // the vendor API plus its control API under /_emulator/
	// credentials are the vendor's "credentials" in the first line: every credential key,
	// plus any derived value a client may prefer (ACS's connection string).
	credentials map[string]string
	close       func() // stops pending callbacks; called after the HTTP server stopped
}

// defaultPorts reserves a fixed default port for every vendor the library supports, in
// the order -ports-from assigns consecutive ports. Only vendors in the vendors registry
// actually run.
var defaultPorts = []struct {
	name string
	port int
}{
	{"twilio", 4010},
	{"acs", 4020},
	{"infobip", 4030},
	{"linkmobility", 4040},
	{"telesign", 4050},
	{"vibes", 4060},
}

// vendors is the registry of emulators smsemu runs, in defaultPorts order.
var vendors = []vendor{
	{
		name: "twilio",
		port: 4010,
		credentials: []credential{
			{flag: "account-sid", key: "account_sid", def: twiliotest.DefaultAccountSID,
				usage: "account SID the Twilio emulator accepts (in the path and as the Basic-auth user)"},
			{flag: "auth-token", key: "auth_token", def: twiliotest.DefaultAuthToken,
				usage: "auth token the Twilio emulator accepts and signs its webhooks with"},
		},
		start: func(cfg vendorConfig) (*emulator, error) {
			s := twiliotest.New(&twiliotest.Options{
				AccountSID:     cfg.Credentials["account_sid"],
				AuthToken:      cfg.Credentials["auth_token"],
				InboundURL:     cfg.InboundURL,
				StatusCallback: cfg.StatusCallback,
			})
			s.URL = cfg.BaseURL
			return served(s, map[string]string{"account_sid": s.AccountSID(), "auth_token": s.AuthToken()}), nil
		},
	},
	acsVendor,
	infobipVendor,
	linkmobilityVendor,
	telesignVendor,
	vibesVendor,
}

// lookupVendor returns the registered vendor called name.
func lookupVendor(name string) (*vendor, bool) {
	for i := range vendors {
		if vendors[i].name == name {
			return &vendors[i], true
		}
	}
	return nil, false
}

// reserved reports whether name is a vendor with a reserved port (registered or not).
func reserved(name string) bool {
	for _, p := range defaultPorts {
		if p.name == name {
			return true
		}
	}
	return false
}

// vendorServer is what a vendor emulator package's New returns, as smsemu runs it.
type vendorServer interface {
	Handler() http.Handler
	Close()
}

// served is the started emulator of s, announcing credentials in the first line.
func served(s vendorServer, credentials map[string]string) *emulator {
	return &emulator{handler: s.Handler(), credentials: credentials, close: s.Close}
}

// optionRetries turns a -…-retries flag, where 0 means no retry, into a vendor Options
// retry count, where 0 means the vendor's default and a negative count none.
func optionRetries(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// inRange is the error of an integer flag outside lo to hi, else nil.
func inRange(flag string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s %d: want %d to %d", flag, v, lo, hi)
	}
	return nil
}

// positive is the error of a duration flag that is not positive, else nil.
func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s must be positive", flag)
	}
	return nil
}

// firstError returns the first non-nil error of errs: a vendor's check lists its flags'
// checks in order.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
