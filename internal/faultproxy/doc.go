// Package faultproxy is a small fault-injecting HTTP/1.1 proxy for tests: it listens on
// 127.0.0.1 between an HTTP client and a server (a vendor emulator) and makes a chosen share
// of the requests meet a network or gateway fault, so that the client's classification of a
// failure is judged by what really happened on the wire, not by the server's own fault code.
//
// # Faults
//
// Each request that arrives at the proxy draws one [Fault] — from a scripted sequence
// ([Options.Script]) first, then from a math/rand/v2 source seeded with [Options.Seed], which
// picks a fault with probability [Options.Rate], uniformly among [Options.Faults]:
//
//	fault            what the proxy does                                 reached the server
//	---------------  --------------------------------------------------  ------------------
//	Refuse           forwards this request untouched but answers with    no (the refused one)
//	                 "Connection: close", and refuses the next dial made
//	                 through Proxy.DialContext (syscall.ECONNREFUSED)
//	ResetBefore      resets the client connection (TCP RST) after        no
//	                 reading the request head, before the body
//	ResetAfter       forwards the request, reads the server's whole      yes
//	                 response, then resets the client connection
//	TooManyRequests  answers 429 with Retry-After itself                 no
//	Unavailable      answers 503 itself                                  no
//	InternalAfter    forwards the request, discards the server's         yes
//	                 response, answers 500
//	Slow             forwards the request, reads the server's response   yes
//	                 and holds it until the client closes the connection
//
// A refused connection cannot be produced reliably by a listener (a closed port may be
// taken by another process; a full backlog is not a refusal on every system), so the proxy
// refuses at the dialer: give [Proxy.DialContext] to the client's http.Transport. The refusal
// is armed by a request that drew Refuse, and that request's response closes its connection,
// so the next attempt of a client that sends one request at a time is the refused one.
//
// Slow never sleeps: the response is held until the client gives up (its own timeout or
// context closes the connection) or the proxy is closed.
//
// # Records
//
// [Proxy.Events] lists what happened, in the order the proxy got to it — one [Event] per
// request, and one per refused dial — and [Proxy.Counts] the number of faults applied per
// kind. To know which faults each attempt met, a client numbers its attempts in a request
// header ([Options.TagHeader]; the proxy strips it before forwarding) and finds them in
// Event.Tag: timing cannot pair them, since a client that timed out may be gone before the
// proxy even read its request (the proxy then still forwards it, as a real network would).
//
// The proxy speaks enough HTTP/1.1 for the clients of this module: one request at a time per
// connection (no pipelining), bodies with Content-Length or chunked, keep-alive on both sides.
// It is for tests only: no TLS, no HTTP/2, no CONNECT.
package faultproxy
