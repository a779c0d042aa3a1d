package sms

import (
	"fmt"
	"log/slog"
)

// Redacted is what every formatting path of a Secret prints.
const Redacted = "[REDACTED]"

// Secret holds a credential (an auth token, an API key, an access key). Every way of
// formatting it — %v, %+v, %#v, %s, %q, slog, encoding/json, encoding/text — prints
// [Redacted], so no struct that holds one can leak it in an error, a log line or a dump.
// The zero value is an empty secret.
type Secret struct {
	// v is behind a pointer so that even reflection-based printers that ignore the
	// Formatter interface (and %#v on the enclosing struct) print an address, not the value.
	v *string
}

// NewSecret wraps a credential.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// Reveal returns the credential. Call it only where the credential goes on the wire.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == nil || *s.v == "" }

// String implements fmt.Stringer.
func (s Secret) String() string { return Redacted }

// GoString implements fmt.GoStringer.
func (s Secret) GoString() string { return `sms.Secret("` + Redacted + `")` }

// Format implements fmt.Formatter so that every verb prints the redaction.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = f.Write([]byte(s.GoString()))
			return
		}
	case 'q':
		_, _ = f.Write([]byte(`"` + Redacted + `"`))
		return
	}
	_, _ = f.Write([]byte(Redacted))
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
