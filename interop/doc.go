// Package interop proves that the emulators and the signing helpers of
// github.com/smsbridge/sms are faithful to the vendors, by running the vendors' OFFICIAL client
// libraries against them. It contains no library code, only tests and benchmarks.
//
// # Why a separate module
//
// The official SDKs (github.com/twilio/twilio-go, the Azure event types, and their dependencies) are needed only to
// check the library, never to use it. Were these tests in the root module, its go.mod would
// list the SDKs and every application importing github.com/smsbridge/sms would inherit them in
// its module graph (and in go.sum, vulnerability scans and licence reviews). This directory is
// therefore its own module, github.com/smsbridge/sms/interop, which requires the root module
// through a replace directive (replace github.com/smsbridge/sms => ../) so that it always tests
// the working tree. The root module does not require it, so the SDKs stay out of the library's
// dependency graph. Run it with
//
//	cd interop && go test -race ./...
//	cd interop && go test -run '^$' -bench BenchmarkTwilioSend -benchtime 2s -count 3
//
// # What it proves (Twilio)
//
//   - twilio-go's REST client, redirected to twilio/twiliotest by an http.RoundTripper that
//     rewrites the scheme and host of every request (the tests never reach a vendor host),
//     creates and fetches messages, and decodes the emulator's errors (20003 on a wrong auth
//     token, the magic test numbers) into its own *client.TwilioRestError.
//   - twilio-go's client.RequestValidator accepts the X-Twilio-Signature of every status
//     callback and inbound message the emulator posts, for callback URLs with a query string,
//     an explicit port and connection overrides (#rc=…), and rejects them once a parameter is
//     tampered with; the library's own twilio.Verifier agrees on every one.
//   - twilio-go's validator accepts signatures made by twilio.Sign and twilio.SignJSON (form
//     and JSON bodies, URLs with and without a port), and twilio.Verifier accepts what
//     twilio-go's validator accepts; on Twilio's published test vectors both validators give
//     the same verdict.
//
// # What it proves (Azure Communication Services)
//
// There is no official Go ACS SMS client, so the proof is about events:
//   - delivery reports, inbound messages and the subscription-validation event built with the
//     official azsystemevents v1.0.0 types and serialised by the SDK (Event Grid schema through
//     azsystemevents.EventGridEvent; CloudEvents single and batched through azcore/messaging,
//     data_base64 included) parse into the right sms.Events, through acs.Provider.ParseCallback
//     and through webhook.Handler;
//   - the events acs/acstest sends are read by the SDK's types with exactly the keys the SDK
//     writes, so the emulator speaks what the official types expect.
//
// BenchmarkTwilioSend compares, against the same loopback emulator, a bare net/http POST of
// the create-message form, sms.Client over the twilio provider, and twilio-go's CreateMessage.
package interop
