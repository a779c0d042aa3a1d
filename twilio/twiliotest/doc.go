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
// No helper hides a failure: SendInbound returns an *emulator.DeliveryError when the
// application answered outside 2xx (with the status and the first line of its answer,
// webhook secrets redacted) or could not be reached, and WaitCallbacks returns one naming
// every callback that failed since the previous report. PushStatus (POST
// /_emulator/messages/{sid}/status) reports a new status for a message that already exists.
// A fetched undelivered or failed message carries error_code and Twilio's error_message.
//
// # Consent
//
// An inbound message (SendInbound, POST /_emulator/inbound) that is exactly one of
// Twilio's opt-out keywords (StopKeywords: STOP, UNSUBSCRIBE, END, QUIT, STOPALL, REVOKE,
// OPTOUT, CANCEL; any case) opts the handset out of messages from the number it was sent
// to, and StartKeywords (START, YES, UNSTOP) opt it back in; the keyword is still relayed to
// the inbound URL, whatever the application answers. A send from that number to that
// handset is then answered 400 with Twilio's error 21610 ("Attempt to send to unsubscribed
// recipient"), and no message is created. Twilio blocks per sender, or per Messaging
// Service when the service handles opt-outs: OptOut(from, to) and POST
// /_emulator/optouts {"from","to"} take a number or a Messaging Service SID (MG…), and a
// send with MessagingServiceSid is refused when its service is blocked for the recipient.
// OptIn, OptOuts, GET and DELETE /_emulator/optouts read and lift opt-outs; Reset forgets
// them. (Which scope a real number's STOP blocks, and Advanced Opt-Out's custom keywords and
// OptOutType field, are not emulated.)
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
