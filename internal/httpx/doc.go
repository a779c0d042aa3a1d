// Package httpx is the HTTP plumbing every vendor provider uses: one attempt per send with
// the failure classified by what net/http proves about it and no replay by the transport,
// the one mapping of HTTP statuses to portable error codes, the transport defaults of a
// vendor constructor, and a retrying client for requests that are safe to repeat.
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
// # No replay by the transport
//
// A send attempt is never written twice by net/http, on HTTP/1 or HTTP/2, because Do clears
// GetBody on its copy of every request. net/http needs GetBody to write a body again, and
// these are all the places where it would (as of Go 1.26):
//
//  1. HTTP/1, a reused connection that failed before any byte was written
//     (persistConn.shouldRetryRequest, nothingWrittenError): harmless in itself, but it is
//     given up too — such a failure is OutcomeUnknown (a connection was obtained), not a
//     transparent retry. It is rare: net/http drops an idle connection as soon as it reads
//     the server's FIN.
//  2. HTTP/1, a reused connection that failed while waiting for the response, for a request
//     net/http deems replayable (Request.isReplayable): any method with an Idempotency-Key or
//     X-Idempotency-Key header. The vendor may have processed it.
//  3. HTTP/2, a stream the server refused (REFUSED_STREAM), reset with PROTOCOL_ERROR, or cut
//     by a GOAWAY (http2shouldRetryRequest; golang/go#47635): after PROTOCOL_ERROR the body
//     may have been read and processed, whatever the method or headers.
//  4. A 307 or 308 redirect, which re-sends the body to the new location.
//
// A request without a body needs no GetBody to be replayed (net/http re-sends it as is in 1–3,
// and in 2 for a GET with no idempotency header), so Do gives such a request an empty body
// that cannot be rewound (an empty POST then goes out chunked on HTTP/1; a GET keeps no
// body): a send whose parameters are all in the URL is not replayed either
// (TestHTTP2ResetOfABodilessSendIsSentOnce).
//
// Without GetBody, 1–3 return the error instead, classified as above (a connection was
// obtained: OutcomeUnknown), except that net/http may still send a body it has not started
// to read — the vendor saw none of it. The price is that a REFUSED_STREAM, which HTTP/2
// defines as "not processed", is OutcomeUnknown too once the body was written; it is rare.
// Case 4 cannot happen either, since Do follows no redirect at all (it calls the client
// through a copy whose CheckRedirect returns http.ErrUseLastResponse; Transport.Send through
// such a copy made once by NewTransport): a 3xx answer to a
// send is returned as the Response and StatusError maps it to OutcomeUnknown — the request
// may have passed through a proxy or gateway before the redirect, and a 301, 302 or 303
// would otherwise turn into a GET whose answer looks like the vendor's. Tests: TestResetAfterReadOnReusedConnIsSentOnce (HTTP/1,
// with a control showing net/http alone re-sends) and TestHTTP2ResetAfterReadIsSentOnce
// (HTTP/2, over a hand-written server that resets the stream with PROTOCOL_ERROR after
// reading the body; it counts two bodies without the fix), TestRedirectOfASendIsNotFollowed, TestTransportSendFollowsNoRedirect. What Do cannot prevent: a proxy
// or load balancer between the client and the vendor that retries on its own.
//
// # Status mapping
//
// StatusCode is the one status→code function, for a whole response or a vendor's per-item
// status: a refusal the vendor proves (4xx except 408 and 409) is NotAccepted; a 5xx, 503
// included, arrived after the request was written and is OutcomeUnknown, unless the vendor
// documents that status as "not processed" — then Unavailable and NotAccepted. A vendor
// package declares its exceptions once, in a Vendor value (Vendor.NotProcessed), lists them
// in its package doc, and maps with Vendor.Code and Vendor.StatusError.
//
// # Nothing secret in errors and logs
//
// An unparsed response body never goes into an error or a log: a vendor's debug answer or a
// proxy's error page may echo the request, Authorization header included. StatusError's
// Message is the status text; the vendor's mapper fills Message and VendorCode from the
// fields of its documented error shape only, reading Response.Body, which stays available.
// Response formats itself (String, LogValue) without headers or body.
//
// # Transport defaults
//
// Vendor.NewTransport applies once what every constructor needs: the base URL checked and
// trimmed, the caller's *http.Client copied with the timeout (DefaultTimeout unless set),
// a nil logger replaced by a discarding one, and Transport.Fetch for status fetches, retried
// through NewRetryClient, whose final ambiguous failure is Unavailable.
//
// # Safe repeats
//
// NewRetryClient configures go-retryablehttp for requests that may be repeated without
// effect: logger off, Retry-After honoured, and the last response (status and body) handed
// back when the retries run out instead of an opaque error. Never use it for sends.
package httpx
