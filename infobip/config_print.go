package infobip

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/smsbridge/sms/internal/redact"
)

// printableConfig is Config without its methods, so that fmt prints it field by field.
type printableConfig Config

// printable returns c with the query values and userinfo of its URL fields redacted: a
// callback URL can carry a secret token in its query (?token=…). sms.Secret fields print
// redacted by themselves.
func (c Config) printable() printableConfig {
	c.BaseURL = redact.URL(c.BaseURL)
	c.DeliveryURL = redact.URL(c.DeliveryURL)
	return printableConfig(c)
}

// String describes the configuration with field names, credentials and callback tokens
// redacted; the URLs keep their scheme, host and path.
func (c Config) String() string { return fmt.Sprintf("%+v", c.printable()) }

// GoString is the %#v form of the configuration, credentials and callback tokens redacted.
func (c Config) GoString() string { return redact.GoString(c.printable(), "infobip.Config") }

// Format prints the configuration without credentials or callback tokens for every verb.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c) }

// LogValue implements slog.LogValuer: String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes the configuration with credentials and callback tokens redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	// VerifyCallback, a func, has no JSON form: whether it is set shadows it.
	return json.Marshal(struct {
		printableConfig
		VerifyCallback bool
	}{c.printable(), c.VerifyCallback != nil})
}
