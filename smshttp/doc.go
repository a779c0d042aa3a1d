// Package smshttp gives a provider written outside this module — a custom sms.Provider for a
// vendor the library does not ship — the same HTTP send discipline as the built-in vendors:
// one attempt per send, a failure classified by what net/http proves about it, no replay of
// the body by the transport, and the shared mapping of HTTP statuses to portable codes.
//
// # One classified attempt
//
// Do (or Vendor.Do) sends a request once, reads the whole response body (up to a cap) and
// closes it. When no response arrives, the error says whether the vendor can have seen the
// request, as the sms.Provider contract requires:
//
//	what happened                                 Do returns
//	--------------------------------------------  -------------------------------------------------
//	no connection obtained, context live          *sms.Error Unavailable, NotAccepted (safe to retry)
//	no connection obtained, context ended         ctx.Err() itself (context.Canceled, …)
//	connection obtained or request written, then  *sms.Error OutcomeUnknown; when the context ended,
//	  a reset, EOF, timeout or context end          errors.Is(err, ctx.Err()) also holds
//	a 2xx whose body could not be read            the Response and *sms.Error OutcomeUnknown
//	any other answer                              the Response and nil: map non-2xx with StatusError
//
// Do clears the request's GetBody on its copy, so that neither the HTTP/1 nor the HTTP/2
// transport (which re-sends a stream the server reset with PROTOCOL_ERROR) can write the body
// a second time, and it follows no redirect: a 3xx is returned as the Response. The caller's
// client and request are not modified.
//
// # Status mapping
//
// StatusError maps a non-2xx answer with the library's one status→code function: a refusal
// the vendor proves (400, 401, 403, 404, 422, 429, other 4xx except 408 and 409) is
// NotAccepted; a 5xx — 503 included — arrived after the request was written and is
// OutcomeUnknown, unless the vendor documents that status as "not processed": list it in
// Vendor.NotProcessed and it becomes Unavailable and NotAccepted. The error's Message is the
// status text, never the response body, which may echo the request's credentials; parse the
// vendor's documented error shape from Response.Body and set Message and VendorCode from its
// fields.
//
// The package depends only on the standard library and the root package; its API is stable.
package smshttp
