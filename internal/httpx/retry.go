package httpx

import (
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// NewRetryClient returns a go-retryablehttp client over hc, for requests that are safe to
// repeat — status fetches, credential checks, the emulators' callback deliveries — and never
// for sends. hc nil means retryablehttp's own pooled client (go-cleanhttp).
//
// It retries connection errors, 429 and 5xx except 501 (retryablehttp.DefaultRetryPolicy)
// up to maxRetries times after the first attempt, waiting from waitMin doubling up to waitMax
// (0 keeps retryablehttp's 1s and 30s), or what Retry-After asks for on a 429 or 503
// (retryablehttp.DefaultBackoff; that wait is not capped by waitMax, so bound the request with
// a context deadline). Its logger is off. When the retries run out, the last response is
// returned as it is, status and unread body, with a nil error, instead of retryablehttp's
// opaque "giving up after N attempts" error (retryablehttp.PassthroughErrorHandler); a
// transport error from the last attempt is returned as that error.
func NewRetryClient(hc *http.Client, maxRetries int, waitMin, waitMax time.Duration) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	if hc != nil {
		c.HTTPClient = hc
	}
	c.Logger = nil
	c.RetryMax = max(maxRetries, 0)
	if waitMin > 0 {
		c.RetryWaitMin = waitMin
	}
	if waitMax > 0 {
		c.RetryWaitMax = waitMax
	}
	if c.RetryWaitMax < c.RetryWaitMin {
		c.RetryWaitMax = c.RetryWaitMin
	}
	c.CheckRetry = retryablehttp.DefaultRetryPolicy
	c.Backoff = retryablehttp.DefaultBackoff
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return c
}
