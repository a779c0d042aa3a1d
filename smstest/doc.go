// Package smstest is the test kit of the sms module: the conformance suite every provider runs
// (ours and custom ones) and an in-memory recording provider for applications' unit tests.
//
// # Conformance
//
// A provider author supplies a harness maker — a function returning a Harness over a fresh fake
// of the vendor (the provider wired to it, what the fake received, fault injection and
// vendor-authenticated callbacks) — and calls
//
//	func TestConformance(t *testing.T) {
//		smstest.RunConformance(t, func(t *testing.T) smstest.Harness {
//			srv := acmetest.NewServer()
//			t.Cleanup(srv.Close)
//			return newHarness(srv)
//		}, smstest.Features{})
//	}
//
// RunConformance calls the maker once per rule, so a fault armed or a message recorded by one
// rule never reaches the next. Each rule is a named subtest that logs why it matters. Sends go
// through sms.NewClient with a FakeClock (so retries are asserted, not waited for) and callbacks
// through webhook.Handler and webhook.Parse, the same path applications use; a few rules call
// Provider.Send directly, to test what the provider itself owns. Features skips what a vendor
// lacks; optional interfaces of the Harness (VendorOptOuter, RecipientRefuser, FailureCoder,
// SenderSampler) enable the rules that need them, which are skipped with a message otherwise.
// To cancel a send while the vendor has it, the harness honours Fault.Hold; an HTTP provider's
// harness can put a HoldTransport under the provider's *http.Client instead of teaching its fake.
//
// The rules, each of which the kit's own tests show failing a deliberately broken driver:
//
//	SendOne                    one recipient: one result with the vendor's id; the fake accepted one
//	SendManyInOrder            one result per recipient in order, through the Client and from Provider.Send
//	InvalidNumberNoRequest     malformed numbers never reach the vendor; Provider.Send with no
//	                           recipients (or a nil message) is an InvalidArgument *sms.Error, no panic
//	InvalidMessageNoRequest    empty or over-limit bodies never reach the vendor; a body of exactly
//	                           Capabilities.MaxBody is accepted by the vendor (the limit is the vendor's)
//	UnsupportedSenderType      unsupported sender types fail before any request; every claimed type
//	                           is accepted by the vendor (with SenderSampler)
//	BadCredentials             a refused key is Unauthenticated
//	RateLimitRetried           a 429 is retried once, after exactly its Retry-After
//	ResetAfterWriteNeverTwice  a reset after writing is OutcomeUnknown with one request (or one
//	                           message after a safe retry, for idempotent vendors)
//	CanceledContext            canceled while the vendor holds the request: OutcomeUnknown unwrapping
//	                           to context.Canceled, one request; canceled before: the context error
//	NoCredentialLeak           no secret in errors, formatted values or logs
//	ConcurrentSends            concurrent sends succeed, each with its own message id (run with -race)
//	DeliveryReportRoundTrip    Send's id comes back in a Delivered report with ID and provider name
//	DuplicateCallbackOnce      the same callback twice reaches the application once
//	UnknownStatusKept          an unknown vendor word is StatusUnknown with RawStatus kept
//	BatchOneEventPerItem       a batched callback gives one event per item, in order
//	OutOfOrderNeverRegresses   reports map to their own statuses; Delivered is never moved back
//	InboundMessage             an inbound message is an Inbound event with body and sender
//	InboundStopIsOptOut        an inbound STOP is an opt-out with Keyword STOP
//	VendorOptOutSurvives       a vendor-flagged opt-out ("Arrêt") stays one through Handler and Parse
//	ForgedCallbackRejected     a forged callback is 401/403 and reaches no one
//	BadRecipientAmongGood      one malformed number among good ones is that recipient's
//	                           InvalidRecipient; the others are sent and only they reach the vendor
//	AllRecipientsFailed        nothing accepted: one result per recipient with its cause, and an
//	                           *sms.Error summary that errors.Is finds each cause in
//	FailedReportCode           a failed report carries the portable Event.Code of its vendor code
//	EventsJSONRoundTrip        every kind of event the kit produces survives JSON unchanged, with
//	                           snake_case keys
//
// # Recorder
//
// Recorder is a Provider that records what it is asked to send, can be scripted to fail per
// recipient, can hold a send (HoldNext), and builds signed callback requests, including
// vendor-flagged opt-outs and failed reports with codes (RecorderCodes). It passes
// RunConformance; RecorderHarness is the smallest complete Harness.
package smstest
