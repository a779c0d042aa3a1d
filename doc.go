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
// Send returns an error and no results only when nothing was sent to anyone; otherwise one
// SendResult per recipient, in order, each with a vendor message id or its own *Error.
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
// Recipients are E.164: "+", an assigned ITU country calling code, 7–15 digits. Punctuation
// and a "00" prefix are accepted. National formats are rejected with CodeInvalidArgument; to
// accept them, parse with github.com/nyaruka/phonenumbers first (it costs about 23 µs and 77
// allocations per number, more than half a loopback send, so it is not done here).
//
// # Errors
//
// Every failure is an *Error with a portable Code; errors.Is works with the sentinels
// (ErrRateLimited, ErrOptedOut, …) and with context.Canceled, and errors.As reaches the cause.
// Credentials are held in Secret, which never prints.
//
// # Events
//
// Providers decode callbacks into Events (see the webhook package for the http.Handler).
// Status.Supersedes tells whether a report may replace a stored status, since reports arrive
// out of order.
package sms
