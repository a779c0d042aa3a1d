// Package proof holds tests that prove the library's promises end to end, across every
// vendor, rather than one package at a time. It has no API: everything is in its tests.
//
// # The fault campaign
//
// TestCampaign sends, for every vendor, one message after another through sms.Client to the
// vendor's emulator (<vendor>/<vendor>test) — each to its own recipient — through a
// fault-injecting proxy (internal/faultproxy) that makes about a fifth of the requests meet
// a fault chosen from a fixed seed: a refused connection, a reset before the request reached
// the vendor, a reset after the vendor processed it, a 429 with Retry-After, a 503 before
// accepting, a 500 after accepting, and a response held until the client's own timeout
// fires. The proxy, not the emulator's own fault code, decides what happened, and the test
// then checks, per vendor:
//
//   - no message was accepted twice (counted in the emulator's record, per recipient and
//     per idempotency key);
//   - every result is classified: a success has a message id, a failure is an *sms.Error
//     naming the provider with a portable code, and the code, the retries and the result's
//     Attempts are what the faults met by that send call for (OutcomeUnknown after any
//     fault that may have reached the vendor, and no resend, unless the vendor
//     de-duplicates resends, as ACS does; a 503 follows the vendor's documented
//     "not processed" statuses);
//   - every success is in the emulator's record under its message id, and no failure the
//     library calls "not accepted" is;
//   - for ACS, every recipient has at most one message, and exactly one after a success;
//   - the waits sms.Client asked its clock for: Retry-After after a 429, backoff otherwise;
//   - no goroutine outlives the campaign (go.uber.org/goleak).
//
// The client numbers its attempts in a request header that the proxy records and strips,
// so each attempt is paired with what the proxy did to it, not by timing. Every tenth send
// of a vendor that takes several recipients per request carries three. A normal request
// that outlives the client's timeout on a busy machine is judged as a held one and counted
// ("client timeouts not held by the proxy"), never a failure by itself.
//
// It prints a table per vendor (run with -v to see it). Run it with
//
//	go test ./proof -run Campaign -v          # 200 sends per vendor
//	go test ./proof -run Campaign -v -long    # 10,000 sends per vendor
//
// and -seed N to draw another fault sequence (the default is 1). The short run is part of
// go test ./...; the long one takes minutes, most of them spent in held responses waiting
// for the client's timeout (-slowtimeout, 500ms by default).
package proof
