package redact

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Redacted replaces what is hidden. It is the same text as sms.Redacted (a test checks), kept
// here so that the root package can use this one without an import cycle.
const Redacted = "[REDACTED]"

// URL returns raw with every query value, the userinfo password and a userinfo user without
// a password (a token written as "https://<token>@host") replaced by Redacted:
// "https://app.example/hook?token=[REDACTED]". A query parameter without "=" is replaced as a
// whole. Scheme, host, path and fragment are kept. A string that does not parse as a URL is
// returned as Redacted when it has a query or userinfo, else unchanged; "" stays "".
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.ContainsAny(raw, "?@") {
			return Redacted
		}
		return raw
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Redacted)
		} else {
			u.User = url.User(Redacted)
		}
		changed = true
	}
	if u.RawQuery != "" {
		changed = true
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			if name, _, ok := strings.Cut(p, "="); ok {
				parts[i] = name + "=" + Redacted
			} else if p != "" {
				parts[i] = Redacted
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if !changed {
		return raw
	}
	// url.URL.String escapes the brackets of a redacted userinfo; show them as written.
	return strings.Replace(u.String(), url.PathEscape(Redacted), Redacted, 1)
}

// Printer is a value that describes itself without credentials: a vendor Config.
type Printer interface {
	String() string
	GoString() string
}

// Format writes p for every verb the way fmt treats a fmt.Stringer and fmt.GoStringer: %#v
// is p.GoString(), %q the quoted p.String(), every other verb (%v, %+v, %s, …) p.String().
// A Config's Format method calls it, so that no verb reaches the raw fields.
func Format(f fmt.State, verb rune, p Printer) {
	s := p.String()
	switch {
	case verb == 'v' && f.Flag('#'):
		s = p.GoString()
	case verb == 'q':
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// GoString returns the %#v form of view — a method-less copy of a Config whose URL fields are
// already redacted (its sms.Secret fields print redacted by themselves) — under the type name
// name ("vibes.Config") instead of the copy's own.
func GoString(view any, name string) string {
	s := fmt.Sprintf("%#v", view)
	if i := strings.IndexByte(s, '{'); i >= 0 {
		return name + s[i:]
	}
	return s
}
