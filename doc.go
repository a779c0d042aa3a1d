// Package sms sends SMS through several vendors behind one Provider interface and turns every
// vendor's delivery reports and inbound messages into one Event type.
//
// # Sending
//
// A vendor package (twilio, acs, infobip, linkmobility, telesign, vibes) builds a Provider;
// NewClient wraps it with the portable layer — E.164 validation, sender checks, suppression,
// segment counting, per-sender rate limiting, logging, middleware and retries — and a Client is
// itself a Provider:
//
//	p, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: sms.NewSecret(token)}, nil)
//	client := sms.NewClient(p, nil)
//	results, err := client.Send(ctx, &sms.Message{
//		To:   []string{"+14155552671"},
//		From: sms.Sender{Type: sms.SenderLongCode, Value: "+14155550100"},
//		Body: "Your code is 123456",
//	})
//
// A problem with the message itself (body, sender, an option the provider cannot honour) fails
// the call with CodeInvalidArgument and no results, before any request. Otherwise Send returns
// one SendResult per recipient, in order, each with a vendor message id or its own *Error: a
// malformed, repeated or unserved recipient is CodeInvalidRecipient and the others are still
// sent. When no recipient was accepted the returned error is also set, and unwraps to every
// recipient's error (see Client.Send).
//
// # Never twice
//
// A recipient is retried only when its error proves the vendor did not accept the message
// (IsNotAccepted): a connection refused before the request was written, a 429, a "not
// processed" answer. Any other ambiguous failure — a timeout or reset after the request was
// written, most 5xx — is CodeOutcomeUnknown and is not retried, because SMS APIs other than
// ACS do not de-duplicate. For providers with Capabilities.IdempotentSends the Client sets an
// IdempotencyKey (when the message has none) and may retry transient failures, since the vendor
// drops the duplicate. Delays honour Retry-After through the Clock in ClientOptions.
//
// # Phone numbers
//
// Recipients are E.164: "+", an assigned ITU country calling code, 7–15 digits, and the fixed
// lengths of the plans the library knows (+1 is 10 digits after the code, with area and
// exchange codes starting with 2–9). Punctuation and a "00" prefix are accepted. NANPCountry
// and PhoneCountry place a number in a country, as Client does for Capabilities.Countries. National formats are rejected with CodeInvalidArgument; to
// accept them, parse with github.com/nyaruka/phonenumbers first (it costs about 23 µs and 77
// allocations per number, more than half a loopback send, so it is not done here).
//
// # Errors
//
// Every error a Client returns is an *Error with a portable Code, including a context that
// ended: that error is an *Error with CodeCanceled or CodeDeadlineExceeded (NotAccepted when
// nothing was written) and errors.Is(err, context.Canceled) holds as well, so both checks work.
// errors.Is works with the sentinels (ErrRateLimited, ErrOptedOut, …) and errors.As reaches the
// cause. The text of an error names the library once ("sms/twilio: RateLimited (HTTP 429): …").
// Credentials are held in Secret, which never prints.
//
// # Resending after OutcomeUnknown
//
// Each SendResult carries the IdempotencyKey and FirstAttempt the Client sent it with. To
// resend a recipient whose result is CodeOutcomeUnknown, persist both and send the same
// message to that recipient with Message.IdempotencyKey and Message.FirstAttempt set to them:
// a provider with Capabilities.IdempotentSends (ACS) recognises the repeat and creates no
// second message, seconds or hours later, from any process.
//
// # Logging
//
// Logging is off unless a *slog.Logger is given, and it is given once: to the vendor's options
// (twilio.Options.Logger, …). NewClient and webhook.Handler log through the provider's logger
// (LoggerOf, through LoggerSource and Unwrapper) unless their own options set another. Records
// carry no credentials, bodies or signatures; sends are logged at info (warn when a recipient
// failed), rejected callbacks at info (4xx) or error (5xx: a failure of the application or of
// its configuration, such as a Twilio provider with no public origin to verify against).
//
// # Consent
//
// Opt-outs are kept in a SuppressionStore (NewMemorySuppressionStore in memory; a shared one,
// such as a Redis store, across processes) per scope and recipient, and Consent is the layer
// over it that both sides use:
//
//	consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: ownerScope}
//	client := sms.NewClient(p, &sms.ClientOptions{Suppressor: consent})
//	mux.Handle("/sms/twilio", webhook.Handler(p, sink, &webhook.Options{Consent: consent}))
//
// The flow, end to end:
//
//  1. Webhook side: an inbound STOP (or a word of the sender's own keyword list, such as
//     PARAR for a Brazilian number: webhook.Options.KeywordsFor) becomes an opt-out event;
//     once the application's sink accepts it, the handler suppresses the handset in the scope
//     of the number it wrote to. START lifts it. A delivery report whose Code is CodeOptedOut
//     suppresses its recipient too. HELP is handed to the sink and nothing else: the vendors
//     send their own confirmations.
//  2. Send side: before any request, the Client asks the Consent about each recipient in the
//     scope of the message's sender; a suppressed one gets CodeOptedOut (NotAccepted, no
//     attempt) while the others are sent. A vendor's own refusal with CodeOptedOut (such as
//     Twilio's 21610) is recorded, so the next send is refused before any request
//     (OptOutRecorder).
//  3. Failover: the scope is what makes an opt-out survive a change of number. A ScopeFunc
//     that gives every sender of one owner the same scope (an owner tag, from a sender
//     registry) makes a STOP received on one number refuse the sends from every number that
//     may stand in for it, and no other owner's. SenderScope, the default, covers the one
//     number the STOP was written to.
//
// A Consent whose store cannot be read fails closed: the recipient gets CodeInternal and no
// request. See ExampleConsent for the whole loop and the webhook package's "Consent" section.
//
// # Events
//
// Providers decode callbacks into Events (see the webhook package for the http.Handler).
// Status.Supersedes tells whether a report may replace a stored status, since reports arrive
// out of order.
package sms
