// Package emulator holds the types the vendor emulators (twilio/twiliotest, acs/acstest, …)
// share with the tests that use them: what an emulator received ([Request]), what it posted
// to the application's webhooks ([Delivery], its [Attempt]s, their [Verdict] and the
// [DeliveryState]), and a [ManualClock] that moves only when a test says so.
//
// The emulators themselves live next to their vendor package; this package has no vendor
// knowledge and no server. A test names these types when it asserts on an emulator:
//
//	for _, r := range srv.RecordedRequests() { // []emulator.Request
//		if r.Method == http.MethodPost && r.Fault == "" { … }
//	}
//	for _, d := range srv.Deliveries() { // []emulator.Delivery
//		if d.State != emulator.StateDelivered { … }
//	}
//
// # Failures
//
// An emulator helper never hides a failed callback: a webhook that answered outside 2xx, or
// could not be reached, makes SendInbound and WaitCallbacks return a [DeliveryError] naming
// the deliveries, each with its status and the first line of the answer
// ([Delivery.Problem]), webhook secrets redacted. A test that expects a failure asserts it
// with errors.As.
//
// # Credentials
//
// Requests and deliveries keep the headers as they were sent, for assertions in Go. Their
// String and JSON forms — what a test log, %v or an emulator's /_emulator/ control API
// shows — pass the header through [RedactHeader]: Authorization keeps its scheme word
// ("Basic [REDACTED]") and other credential headers (API keys, cookies, secrets) are
// replaced.
//
// # Time
//
// Emulators take an sms.Clock: they stamp requests and callbacks with its Now, check dated
// signatures against it, and wait with its Sleep — fault delays, the delay of a message's
// outcome, a batching window. With a [ManualClock] those waits end only when the test
// advances the clock, so "the report is not there yet" is a fact, not a race.
package emulator
