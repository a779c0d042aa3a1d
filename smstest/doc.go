// Package smstest is the test kit of the sms module: the conformance suite every provider runs
// (ours and custom ones) and an in-memory recording provider for applications' unit tests.
//
// # Conformance
//
// A provider author supplies a Harness — the provider wired to a fake of the vendor, what the
// fake received, fault injection and vendor-authenticated callbacks — and calls
//
//	func TestConformance(t *testing.T) {
//		smstest.RunConformance(t, newHarness(t), smstest.Features{})
//	}
//
// Each rule is a named subtest that logs why it matters. Sends go through sms.NewClient with a
// FakeClock (so retries are asserted, not waited for) and callbacks through webhook.Handler,
// the same path applications use. Features skips what a vendor lacks.
//
// # Recorder
//
// Recorder is a Provider that records what it is asked to send, can be scripted to fail per
// recipient, and builds signed callback requests. It passes RunConformance.
package smstest
