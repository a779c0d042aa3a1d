// Package emu is the toolkit the vendor emulators (twilio/twiliotest, acs/acstest, …) are
// built from: everything an emulator does that is not its vendor's protocol, written once.
//
// An emulator is an HTTP server, in the style of net/http/httptest, that speaks one vendor's
// real API to the library under test (or to any HTTP client), records what it received,
// fails on request, and posts the vendor's real callbacks — delivery reports and inbound
// messages, signed or handshaked as the vendor does — to the application's webhooks, with
// the vendor's retry behaviour.
//
// # Parts
//
//   - [Server] holds the shared state and serves [Server.Handler], a middleware around the
//     vendor's own handler. It is what a vendor emulator embeds.
//   - [Recorder] keeps every vendor-API request ([Request]: method, path, query, header,
//     raw body, time from the [Clock]), for assertions such as "the send carried
//     StatusCallback" or "exactly one request reached the vendor".
//   - [Fault]s, armed with [Server.Arm] into a FIFO ([Faults]), make the next matching
//     request(s) slow (Delay), fail with a status the vendor handler never saw (a 429 that
//     proves "not processed"), fail after the vendor handler accepted the message (Process),
//     or end in a TCP reset — after processing (Reset: the ambiguous case that must become
//     OutcomeUnknown) or before it (ResetBeforeProcessing).
//   - [Outcome]s, chosen per recipient with [Server.SetOutcome] (default: delivered), say
//     what the emulator reports for each message: final status, vendor error code, delay.
//   - [Deliverer] posts the callbacks the emulator builds ([Callback]) asynchronously on
//     go-retryablehttp, judging each attempt with the vendor's [RetryPolicy] ([NoRetry] for
//     Twilio, [EventGridPolicy] for ACS, [RetryTransient]), keeping one message's reports in
//     order when Sequential, and recording every attempt ([Delivery]). Tests call
//     [Deliverer.Wait] before asserting on what the webhook received.
//   - [Clock] ([RealClock], [FixedClock], [ManualClock]) stamps requests, responses and
//     callbacks, and is what signature freshness checks compare against ([Fresh]).
//   - [ControlMux] serves the control API under [ControlPrefix] (/_emulator/), for tests in
//     any language and for cmd/smsemu. NewServer registers requests, faults, outcomes,
//     deliveries and reset; the vendor emulator adds its own (GET /messages, POST /inbound)
//     with [ReadJSON], [WriteJSON] and [WriteError].
//   - [IDGen] makes vendor-shaped ids ("SM" + 32 hex), deterministic under a seed.
//
// # Assembling a vendor emulator
//
// A vendor emulator package does only its vendor's part:
//
//  1. Embed *emu.Server, created with the vendor's delivery behaviour:
//     emu.NewServer(&emu.Options{Delivery: &emu.DelivererOptions{Policy: emu.EventGridPolicy,
//     MaxRetries: …}}).
//  2. Write the vendor API as an http.Handler (an http.ServeMux): check auth as the vendor
//     does (with Server.Clock for dated signatures), answer in the vendor's shapes and error
//     bodies, store accepted messages, and for each one look up Server.Outcome(to) and
//     queue its reports with Server.Deliverer.Send (Key: the message id, so its statuses
//     arrive in order; Delay: the outcome's delay; Prepare: per-attempt headers).
//  3. Serve it as httptest.NewServer(s.Handler(mux)), which binds 127.0.0.1, or on a
//     listener of the caller's choice for cmd/smsemu.
//  4. Register vendor control endpoints on s.Control (GET /messages, POST /inbound, which
//     builds the vendor's inbound webhook and sends it through the Deliverer), give
//     Armed faults vendor-shaped bodies through small helpers (RateLimited(), …), and
//     register its state's reset with s.OnReset.
//  5. Close the HTTP server, then the Server (which stops pending deliveries).
//
// The middleware records before the vendor handler runs, so a test that got a response
// always finds the request recorded; faulted requests are recorded too, with Request.Fault
// saying what happened to them.
//
// Waits — fault delays and delivery back-offs — are real time (tests use milliseconds);
// the Clock only tells the time, so that timestamps and signature checks are reproducible.
package emu
