// Package emu is the toolkit the vendor emulators (twilio/twiliotest, acs/acstest, …) are
// built from: everything an emulator does that is not its vendor's protocol, written once.
// It knows no vendor: each emulator brings its error bodies, id shapes, retry rule and
// callback formats.
//
// An emulator is an HTTP server, in the style of net/http/httptest, that speaks one vendor's
// real API to the library under test (or to any HTTP client), records what it received,
// fails on request, and posts the vendor's real callbacks — delivery reports and inbound
// messages, signed or handshaked as the vendor does — to the application's webhooks, with
// the vendor's retry behaviour.
//
// The types an emulator's users see — Request, Delivery, Attempt, Verdict, DeliveryState,
// ManualClock — are the public package emulator's; this package aliases them, so that no
// vendor emulator's exported API names an internal type.
//
// # Parts
//
//   - [Server] holds the shared state and serves [Server.Handler], a middleware around the
//     vendor's own handler. It is what a vendor emulator embeds.
//   - [Recorder] keeps every vendor-API request ([Request]: method, path, query, header,
//     raw body, time from the [Clock]), for assertions such as "the send carried a status
//     callback" or "exactly one request reached the vendor".
//   - [Fault]s, armed with [Server.Arm] into a FIFO ([Faults]), make the next matching
//     request(s) slow (Delay), fail with a status the vendor handler never saw (a 429 that
//     proves "not processed"), fail after the vendor handler accepted the message (Process),
//     or end in a TCP reset — after processing (Reset: the ambiguous case that must become
//     OutcomeUnknown) or before it (ResetBeforeProcessing). A status fault without a body
//     gets the vendor's error answer from [Options].FaultBody.
//   - [Outcome]s, chosen per recipient with [Server.SetOutcome] (default: delivered), say
//     what the emulator reports for each message: final status, vendor error code, delay.
//   - [Deliverer] posts the callbacks the emulator builds ([Callback], [NewRequest])
//     asynchronously on go-retryablehttp, judging each attempt with the vendor's
//     [RetryPolicy] ([NoRetry], [RetryTransient], or the vendor's own), keeping one
//     message's reports in order when Sequential, and recording every attempt ([Delivery]).
//     Tests call [Deliverer.Wait] before asserting on what the webhook received.
//     [Deliverer.Check] turns the deliveries that did not succeed into an
//     emulator.DeliveryError, each once, so that a vendor's SendInbound and WaitCallbacks
//     never hide a webhook's refusal; [Deliverer.WaitFinished] waits for callbacks not
//     queued yet (GET /_emulator/callbacks/wait).
//   - [OptOuts] is the opt-out list (sender or vendor scope, recipient) an inbound STOP
//     fills, served under /_emulator/optouts; each vendor decides what a block does.
//   - [Clock] is sms.Clock: its Now stamps requests, responses and callbacks and is what
//     signature freshness checks compare against ([Fresh]); its Sleep is every scenario
//     wait (fault delays, outcome delays, a vendor's batching window), so that a test with
//     a [ManualClock] decides when they end.
//   - [ControlMux] serves the control API under [ControlPrefix] (/_emulator/), for tests in
//     any language and for cmd/smsemu. NewServer registers requests, faults, outcomes,
//     deliveries and reset, and — from Options.Messages and Options.Inbound — GET /messages
//     and POST /inbound ([Inbound]); the vendor emulator adds its own with [ReadJSON],
//     [WriteJSON] and [WriteError].
//   - [Store] holds the messages taken, oldest first, indexed by id, with the status steps
//     planned for each message that has no callback URL, applied (through the vendor's
//     apply function) when the emulator clock reaches their time; it shares the vendor's
//     mutex and gives the Messages, Message and Accepted accessors.
//   - [URLs] holds the account-level webhook URLs a vendor's Set… methods change, and
//     serves them as GET/POST /_emulator/config.
//   - [IDGen] makes vendor-shaped ids (a prefix and hex digits, or UUIDs), deterministic
//     under a seed.
//
// # Assembling a vendor emulator
//
// A vendor emulator package does only its vendor's part:
//
//  1. Embed *emu.Server, created with the vendor's behaviour: emu.NewServer(&emu.Options{
//     Clock: opts.Clock, Delivery: &emu.DelivererOptions{Policy: vendorPolicy, MaxRetries:
//     …}, FaultBody: vendorErrorBody, Messages: …, Inbound: …}).
//  2. Write the vendor API as an http.Handler (an http.ServeMux): check auth as the vendor
//     does (with Server.Clock for dated signatures), answer in the vendor's shapes and error
//     bodies, store messages in an emu.Store, and for each accepted one look up Server.Outcome(to) and
//     queue its reports with Server.Deliverer.Send (Key: the message id, so its statuses
//     arrive in order; Delay: the outcome's delay; Prepare: per-attempt headers).
//  3. Serve it as httptest.NewServer(s.Handler(mux)), which binds 127.0.0.1, or on a
//     listener of the caller's choice for cmd/smsemu.
//  4. Register any other vendor control endpoints on s.Control and its state's reset with
//     s.OnReset.
//  5. Close the HTTP server, then the Server (which stops pending deliveries).
//
// The middleware records before the vendor handler runs, so a test that got a response
// always finds the request recorded; faulted requests are recorded too, with Request.Fault
// saying what happened to them.
//
// # Credentials
//
// What the control API serves and what errors say hides credentials: recorded requests
// show Authorization as its scheme word (emulator.RedactHeader), deliveries and their
// errors show webhook URLs without query values or passwords (emulator.RedactURL).
package emu
