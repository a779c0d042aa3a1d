package proof

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/telesign/telesigntest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/vibes"
	"github.com/smsbridge/sms/vibes/vibestest"
)

// record is one message a vendor's emulator accepted.
type record struct {
	ID      string // the vendor's message id, as SendResult.MessageID carries it
	To      string // the recipient, in the emulator's format (digits are compared)
	Key     string // the idempotency key the vendor de-duplicates on (ACS repeatability id), if any
	Repeats int    // resends the vendor answered with this message instead of a new one
}

// vendor is one entry of the campaign: how to start its emulator and build its provider.
// Adding a vendor is adding one entry to vendors.
type vendor struct {
	name string
	from sms.Sender
	to   func(i int) string // the i-th recipient, distinct for i < 1,000,000
	// notProcessed mirrors the vendor's httpx.Vendor.NotProcessed (its errors.go): the
	// statuses the vendor documents as "not processed", which the library may retry. The
	// campaign's expectation for the proxy's 503 follows it.
	notProcessed []int
	// start starts the emulator (closed at the end of t) and returns its URL, what it has
	// accepted so far, and a constructor of the provider sending to baseURL through hc.
	start func(t *testing.T) (target string, accepted func() []record, provider func(baseURL string, hc *http.Client) (sms.Provider, error))
}

func nanp(i int) string   { return fmt.Sprintf("+14157%06d", i) }
func swiss(i int) string  { return fmt.Sprintf("+41793%06d", i) }
func norway(i int) string { return fmt.Sprintf("+4746%06d", i) }

var vendors = []vendor{
	{
		name: "twilio",
		from: sms.Sender{Type: sms.SenderLongCode, Value: "+15005550006"},
		to:   nanp,
		// twilio/errors.go: NotProcessed nil.
		start: func(t *testing.T) (string, func() []record, func(string, *http.Client) (sms.Provider, error)) {
			srv := twiliotest.NewServer(nil)
			t.Cleanup(srv.Close)
			accepted := func() []record {
				var out []record
				for _, m := range srv.Messages() {
					out = append(out, record{ID: m.SID, To: m.To})
				}
				return out
			}
			return srv.URL, accepted, func(base string, hc *http.Client) (sms.Provider, error) {
				return twilio.New(twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken())},
					&twilio.Options{BaseURL: base, HTTPClient: hc})
			}
		},
	},
	{
		name: "acs",
		from: sms.Sender{Type: sms.SenderTollFree, Value: "+18005550100"},
		to:   nanp,
		// acs/errors.go: NotProcessed nil (resends are safe through repeatability instead).
		start: func(t *testing.T) (string, func() []record, func(string, *http.Client) (sms.Provider, error)) {
			srv := acstest.NewServer(nil)
			t.Cleanup(srv.Close)
			accepted := func() []record {
				var out []record
				for _, m := range srv.Messages() {
					out = append(out, record{ID: m.MessageID, To: m.To, Key: m.RepeatabilityRequestID, Repeats: m.Repeats})
				}
				return out
			}
			return srv.URL, accepted, func(base string, hc *http.Client) (sms.Provider, error) {
				return acs.New(acs.Config{ConnectionString: sms.NewSecret(srv.ConnectionString())},
					&acs.Options{BaseURL: base, HTTPClient: hc})
			}
		},
	},
	{
		name: "infobip",
		from: sms.Sender{Type: sms.SenderAlphanumeric, Value: "InfoSMS"},
		to:   swiss,
		// infobip/errors.go: NotProcessed nil.
		start: func(t *testing.T) (string, func() []record, func(string, *http.Client) (sms.Provider, error)) {
			srv := infobiptest.NewServer(nil)
			t.Cleanup(srv.Close)
			accepted := func() []record {
				var out []record
				for _, m := range srv.Messages() {
					if m.Accepted {
						out = append(out, record{ID: m.MessageID, To: m.To})
					}
				}
				return out
			}
			return srv.URL, accepted, func(base string, hc *http.Client) (sms.Provider, error) {
				return infobip.New(infobip.Config{APIKey: sms.NewSecret(srv.APIKey()), BaseURL: base},
					&infobip.Options{HTTPClient: hc})
			}
		},
	},
	{
		name: "telesign",
		from: sms.Sender{Type: sms.SenderAlphanumeric, Value: "Acme"},
		to:   nanp,
		// telesign/errors.go: NotProcessed nil.
		start: func(t *testing.T) (string, func() []record, func(string, *http.Client) (sms.Provider, error)) {
			srv := telesigntest.NewServer(nil)
			t.Cleanup(srv.Close)
			accepted := func() []record {
				var out []record
				for _, m := range srv.Messages() {
					if m.Accepted {
						out = append(out, record{ID: m.ReferenceID, To: m.PhoneNumber})
					}
				}
				return out
			}
			return srv.URL, accepted, func(base string, hc *http.Client) (sms.Provider, error) {
				return telesign.New(telesign.Config{CustomerID: srv.CustomerID(), APIKey: sms.NewSecret(srv.APIKey())},
					&telesign.Options{BaseURL: base, HTTPClient: hc, Auth: telesign.AuthTSA})
			}
		},
	},
	{
		name: "linkmobility",
		from: sms.Sender{Type: sms.SenderShortCode, Value: "2333"},
		to:   norway,
		// linkmobility/errors.go: NotProcessed nil.
		start: func(t *testing.T) (string, func() []record, func(string, *http.Client) (sms.Provider, error)) {
			srv := linkmobilitytest.NewServer(nil)
			t.Cleanup(srv.Close)
			accepted := func() []record {
				var out []record
				for _, m := range srv.Messages() {
					if m.Accepted {
						out = append(out, record{ID: m.MessageID, To: m.Destination})
					}
				}
				return out
			}
			return srv.URL, accepted, func(base string, hc *http.Client) (sms.Provider, error) {
				return linkmobility.New(linkmobility.Config{
					Username: srv.Username(), Password: sms.NewSecret(srv.Password()),
					PlatformID: srv.PlatformID(), PlatformPartnerID: srv.PlatformPartnerID(),
					BaseURL: base,
				}, &linkmobility.Options{HTTPClient: hc})
			}
		},
	},
	{
		name: "vibes",
		from: sms.Sender{Type: sms.SenderShortCode, Value: vibestest.DefaultShortCode},
		to:   nanp,
		// vibes/errors.go: NotProcessed nil.
		start: func(t *testing.T) (string, func() []record, func(string, *http.Client) (sms.Provider, error)) {
			srv := vibestest.NewServer(nil)
			t.Cleanup(srv.Close)
			accepted := func() []record {
				var out []record
				for _, m := range srv.Messages() {
					if m.Accepted {
						out = append(out, record{ID: m.MessageID, To: m.Destination.Address})
					}
				}
				return out
			}
			return srv.URL, accepted, func(base string, hc *http.Client) (sms.Provider, error) {
				return vibes.New(vibes.Config{Username: srv.Username(), Password: sms.NewSecret(srv.Password()), BaseURL: base},
					&vibes.Options{HTTPClient: hc})
			}
		},
	},
}
