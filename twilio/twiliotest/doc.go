// Package twiliotest is a Twilio Messages API emulator in the style of net/http/httptest,
// for tests that must not reach Twilio.
//
//	srv := twiliotest.NewServer(&twiliotest.Options{InboundURL: app.URL + "/twilio/inbound"})
//	defer srv.Close()
//	p, _ := twilio.New(twilio.Config{AccountSID: srv.AccountSID(), AuthToken: sms.NewSecret(srv.AuthToken()),
//		PublicURL: app.URL, StatusCallback: app.URL + "/twilio/status"}, &twilio.Options{BaseURL: srv.URL})
//
// It speaks POST/GET /2010-04-01/Accounts/{AccountSid}/Messages.json and GET
// …/Messages/{Sid}.json: Basic auth with the account SID and auth token (or an API key) — 401
// with Twilio's error body, code 20003, otherwise; validation as Twilio does it (21604 missing
// To, 21603 missing From, 21602 missing Body, 21211 invalid To, 21212 invalid From, 21617 body
// over 1600 characters); Twilio's magic test numbers (To +15005550001 → 21211, …0002 → 21612,
// …0003 → 21408, …0004 → 21610, …0009 → 21614; From +15005550001 → 21212, …0007 → 21606,
// …0008 → 21611), which the emulator honours with any credentials; and real-shaped 201
// message resources.
//
// For each accepted message with a StatusCallback (the message's own or the account-level
// one), it posts signed status callbacks in order: sent, then the outcome chosen with
// SetOutcome (delivered by default; undelivered or failed with an error code such as 30003).
// Callbacks carry X-Twilio-Signature and I-Twilio-Idempotency-Token, like Twilio's. A failed
// callback is retried only when the callback URL carries connection overrides (#rc=N), as
// Twilio does. SendInbound posts a signed inbound message to the inbound URL.
//
// Faults (Arm) answer the next request with a Twilio error (a 429 with Retry-After, which
// proves the message was not accepted), or accept it and reset the connection (the ambiguous
// case). Everything is also reachable over HTTP under /_emulator/ (see cmd/smsemu).
//
// RecordedRequests and Deliveries return the public emulator package's Request and Delivery;
// shown as text or JSON (the control API) they hide credentials. Options.Clock, an
// sms.Clock, stamps messages and callbacks and times SentDelay, outcome delays and fault
// delays: with an emulator.ManualClock a test decides when they end.
package twiliotest
