package main

import (
	"flag"
	"net/http"

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
			return &emulator{
				handler:     s.Handler(),
				credentials: map[string]string{"account_sid": s.AccountSID(), "auth_token": s.AuthToken()},
				close:       s.Close,
			}, nil
		},
	},
	acsVendor,
	infobipVendor,
	telesignVendor,
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
