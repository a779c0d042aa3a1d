// Package httpx is the HTTP plumbing every vendor provider uses: one attempt per send with
// the failure classified by what net/http proves about it, a default mapping of HTTP
// statuses to portable error codes, and a retrying client for requests that are safe to
// repeat.
//
// # One attempt, classified
//
// Do sends a request once and reads the body. When no response arrives, Do decides from
// net/http/httptrace — not from the error text — whether the vendor can have seen the
// request, because only a request proved unsent may be sent again (see "Never send twice"
// in the design):
//
//	what happened                                   context   Do returns
//	----------------------------------------------  --------  --------------------------------------------
//	no connection obtained (DNS, refused, dial       live      *sms.Error Unavailable, NotAccepted, Err=cause
//	timeout, TLS handshake, proxy CONNECT):          ended     ctx.Err(), unwrapped
//	GotConn never fired
//	a connection obtained (GotConn) or the request   any       *sms.Error OutcomeUnknown, Err=cause; if the
//	written (WroteRequest, even with an error),                context ended, errors.Is(err, ctx.Err())
//	then a reset, EOF, timeout or context end
//	status line received, body read failed           any       Response (partial body) and, for 2xx only,
//	                                                           *sms.Error OutcomeUnknown
//	status line received, body read                  any       Response, nil (map non-2xx with StatusError)
//
// The line is drawn at GotConn rather than WroteRequest on purpose: net/http writes the
// request on a separate goroutine as soon as it has a connection, and RoundTrip can return
// on a context end while that goroutine is still writing, before WroteRequest fires. A
// connection without WroteRequest therefore proves nothing, and is treated as written.
// Likewise an error from a RoundTripper that reported no hooks at all (neither GetConn nor
// GotConn) is proof of nothing unless the client's transport is an *http.Transport, whose
// hooks are known to fire; a custom transport's silent failure is OutcomeUnknown.
//
// # What Do relies on in net/http
//
// net/http's Transport re-sends a failed request by itself on a new connection only in two
// cases (persistConn.shouldRetryRequest, as of Go 1.26), and only when the failed
// connection had been used before:
//
//  1. nothing at all was written (nothingWrittenError) and the body is empty or GetBody can
//     rewind it — harmless, the vendor saw no byte;
//  2. the request is "replayable" (Request.isReplayable): a GET, HEAD, OPTIONS or TRACE, or
//     any method with an Idempotency-Key or X-Idempotency-Key header — in both cases only
//     with no body or a GetBody — and the connection failed while waiting for the response.
//
// Case 2 is the duplicate risk for a POST: it would re-send a request that the vendor may
// have read and processed. Do therefore clears GetBody on its copy of any request with a
// body, a non-idempotent method and one of those headers, so net/http cannot rewind the body
// and re-send it. (It also gives up case 1 for those requests, and the HTTP/2 transport's
// retry of refused streams: a rare, safe loss.) A plain POST keeps GetBody, so a stale
// keep-alive connection that accepted no byte is still retried transparently. The test
// TestResetAfterReadOnReusedConnIsSentOnce checks both that net/http alone does re-send such
// a request and that Do does not. The http.Client's redirect handling is left alone: a 307
// or 308 re-sends the body to the new location, which the vendor asked for.
//
// # Status mapping
//
// StatusError gives each non-2xx status its default portable code (table in its doc) and a
// one-line body excerpt as message; vendor packages refine it from their error body.
//
// # Safe repeats
//
// NewRetryClient configures go-retryablehttp for requests that may be repeated without
// effect: logger off, Retry-After honoured, and the last response (status and body) handed
// back when the retries run out instead of an opaque error. Never use it for sends.
package httpx
