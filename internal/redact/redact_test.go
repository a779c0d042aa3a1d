package redact_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/internal/redact"
)

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"https://app.example/hooks/vibes", "https://app.example/hooks/vibes"},
		{"https://app.example/hooks/vibes?token=s3cret", "https://app.example/hooks/vibes?token=[REDACTED]"},
		{"https://app.example/h?a=1&token=s3cret#rc=3", "https://app.example/h?a=[REDACTED]&token=[REDACTED]#rc=3"},
		{"https://app.example/h?s3cret", "https://app.example/h?[REDACTED]"},
		{"https://app.example/h?token=s3cret&&x", "https://app.example/h?token=[REDACTED]&&[REDACTED]"},
		{"https://user:s3cret@app.example/h", "https://user:[REDACTED]@app.example/h"},
		{"https://s3cret@app.example/h", "https://[REDACTED]@app.example/h"},
		{"https://user:pw@app.example/h?token=s3cret", "https://user:[REDACTED]@app.example/h?token=[REDACTED]"},
		{"http://bad host/x?token=s3cret", "[REDACTED]"},
		{"not a url", "not a url"},
		{"app.example/h?token=s3cret", "app.example/h?token=[REDACTED]"},
	} {
		require.Equal(t, tc.want, redact.URL(tc.in), tc.in)
	}
}

type view struct {
	Host  string
	Token string
}

type printer struct{ v view }

func (p printer) String() string   { return fmt.Sprintf("%+v", p.v) }
func (p printer) GoString() string { return redact.GoString(p.v, "pkg.Config") }
func (p printer) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, p)
}

func TestFormat(t *testing.T) {
	p := printer{view{Host: "app.example", Token: "[REDACTED]"}}
	for _, tc := range []struct{ format, want string }{
		{"%v", "{Host:app.example Token:[REDACTED]}"},
		{"%+v", "{Host:app.example Token:[REDACTED]}"},
		{"%s", "{Host:app.example Token:[REDACTED]}"},
		{"%q", `"{Host:app.example Token:[REDACTED]}"`},
		{"%d", "{Host:app.example Token:[REDACTED]}"},
		{"%#v", `pkg.Config{Host:"app.example", Token:"[REDACTED]"}`},
	} {
		require.Equal(t, tc.want, fmt.Sprintf(tc.format, p), tc.format)
	}
}

// FuzzURL checks that no query value of a URL that parses survives redaction (the query of
// the result holds only names and [REDACTED]), and that redacting twice changes nothing.
func FuzzURL(f *testing.F) {
	for _, s := range []string{"https://app.example/h?token=s3cret", "https://u:p@h/x?a=1&b", "?x", "://", "h?a=b;c=d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := redact.URL(raw)
		if _, err := url.Parse(got); err == nil {
			require.Equal(t, got, redact.URL(got))
		}
		if u, err := url.Parse(raw); err != nil || u.RawQuery == "" {
			return
		}
		_, q, ok := strings.Cut(got, "?")
		require.True(t, ok, got)
		q, _, _ = strings.Cut(q, "#")
		for p := range strings.SplitSeq(q, "&") {
			if _, v, ok := strings.Cut(p, "="); ok {
				require.Equal(t, "[REDACTED]", v, got)
			} else if p != "" {
				require.Equal(t, "[REDACTED]", p, got)
			}
		}
	})
}
