package httpx

import (
	"math"
	"net/http"
	"strings"
	"time"
)

// ParseRetryAfter parses a Retry-After header value (RFC 9110, section 10.2.3): either a
// number of seconds or an HTTP date, which is measured from now. It returns 0 for an empty,
// malformed or negative value and for a date that is not after now. A number of seconds too
// large for a time.Duration gives the largest time.Duration, so that callers with a cap on
// the wait give up rather than retry at once.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, ok := parseDigits(v); ok {
		if n > uint64(math.MaxInt64/int64(time.Second)) {
			return math.MaxInt64
		}
		return time.Duration(n) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}

// retryAfterOf reads the wait a response asks for. The millisecond headers of Azure
// (retry-after-ms, x-ms-retry-after-ms) win when present, as in azcore; then Retry-After,
// whose HTTP-date form is measured from the response's own Date header when it has a valid
// one (both are the server's clock, so client clock skew does not matter), else from now.
func retryAfterOf(h http.Header, now time.Time) time.Duration {
	for _, k := range [...]string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if v := h[k]; len(v) > 0 {
			if n, ok := parseDigits(strings.TrimSpace(v[0])); ok && n > 0 {
				if n > uint64(math.MaxInt64/int64(time.Millisecond)) {
					return math.MaxInt64
				}
				return time.Duration(n) * time.Millisecond
			}
		}
	}
	v := h["Retry-After"]
	if len(v) == 0 {
		return 0
	}
	if d := h["Date"]; len(d) > 0 {
		if t, err := http.ParseTime(d[0]); err == nil {
			now = t
		}
	}
	return ParseRetryAfter(v[0], now)
}

// parseDigits parses a non-empty string of ASCII digits; on overflow it returns
// math.MaxUint64, true.
func parseDigits(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxUint64-9)/10 {
			n = math.MaxUint64 // keep validating the rest
			continue
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
