// Package acs sends SMS through Azure Communication Services (ACS) and verifies and decodes
// its Event Grid delivery reports and inbound messages into sms.Events.
//
//	p, err := acs.New(acs.Config{
//		ConnectionString: sms.NewSecret(os.Getenv("ACS_CONNECTION_STRING")), // portal → Keys
//		CallbackTokens:   []sms.Secret{sms.NewSecret(os.Getenv("ACS_EVENTS_TOKEN"))},
//	}, nil)
//	client := sms.NewClient(p, nil)
//	res, err := client.Send(ctx, &sms.Message{
//		To:        []string{"+14155550100"},
//		From:      sms.Sender{Type: sms.SenderTollFree, Value: "+18005550100"},
//		Body:      "Your order has shipped",
//		Reference: "order-42", // comes back as Event.Reference (the ACS tag)
//	})
//	http.Handle("/acs/events", webhook.Handler(p, sink, nil)) // Event Grid subscription endpoint
//
// # Credentials
//
// Give exactly one form; New names what is wrong and never prints a key:
//
//   - Config.ConnectionString, as the portal shows it under Keys:
//     "endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>";
//   - Config.Endpoint with Config.AccessKey, and optionally Config.SecondaryAccessKey;
//   - Config.Endpoint with Config.Credential, any azcore.TokenCredential (azidentity's
//     DefaultAzureCredential, a managed identity…), for Microsoft Entra ID. The token is asked
//     for scope https://communication.azure.com//.default (Scope; the double slash is
//     Microsoft's) and sent as "Authorization: Bearer …" by azcore's BearerTokenPolicy, which
//     caches it and sends it only over https.
//
// With an access key every attempt is signed with HMAC-SHA256 just before it is sent:
// x-ms-date from Options.Now (RFC 1123, "GMT"), x-ms-content-sha256 of the exact body bytes
// sent, the Host header as written (with a non-default port), and Authorization
// "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…" over the method,
// the path and query exactly as on the request line, the date, the host and the hash. Such
// requests are sent directly through the shared one-attempt helper (internal/httpx), without
// azcore's pipeline, whose fixed policies cost about a fifth of a send; the tests reproduce
// Microsoft's published vectors and a capture of the official JavaScript client byte for
// byte through this path. With Config.Credential, requests go through azcore's pipeline and
// its BearerTokenPolicy. Both paths pass the same conformance run (smstest).
//
// Key rotation: when a request signed with one key gets a 401 — which proves ACS processed
// nothing — and SecondaryAccessKey is configured, the same request is signed with the other
// key and sent once more within the same call. If that key is not refused, it is tried first
// from then on (an atomic swap), so regenerating the primary key in the portal does not take
// sending down, and regenerating the secondary later switches back the same way.
//
// NewFromEnv reads the same credentials from ACS_CONNECTION_STRING (or ACS_ENDPOINT with
// ACS_ACCESS_KEY), the secondary key from ACS_CONNECTION_STRING_SECONDARY (or
// ACS_ACCESS_KEY_SECONDARY), and the callback protection from ACS_CALLBACK_TOKENS
// (comma-separated) and ACS_CALLBACK_USER with ACS_CALLBACK_PASSWORD; every configuration
// error names the variable ("ACS_ACCESS_KEY is not set"), never its value. A logger given in
// Options.Logger is used by sms.NewClient and webhook.Handler as well (Provider.Logger).
//
// Options.HTTPClient is copied (never modified) with Options.Timeout applied (default: the
// client's own timeout, else 30s); CloseIdleConnections closes its idle connections.
// Options.BaseURL replaces the endpoint (emulators: acs/acstest). The User-Agent is
// "smsbridge azsdk-go-acs/v1 (…)" and every request carries an x-ms-client-request-id, on
// both paths.
//
// # Sending
//
// One POST {endpoint}/sms?api-version=2021-03-07 (Options.APIVersion) carries up to 100
// recipients (Capabilities.MaxRecipients; sms.Client splits larger sends and runs the chunks
// concurrently):
//
//	{"from": "+18005550100",
//	 "smsRecipients": [{"to": "+14155550100",
//	                    "repeatabilityRequestId": "bd0c3480-6af1-5f9e-b80d-863a6501c68f",
//	                    "repeatabilityFirstSent": "Mon, 23 Nov 2026 19:13:39 GMT"}],
//	 "message": "Your order has shipped",
//	 "smsSendOptions": {"enableDeliveryReport": true, "tag": "order-42"}}
//
// enableDeliveryReport is true unless Options.DisableDeliveryReports; tag is Message.Reference
// (omitted when empty). Message.Validity becomes validityPeriodSeconds (1–18000 s) before
// api-version 2025-09-17, and deliveryReportTimeoutInSeconds (60–43200 s) from it on; a value
// outside the range is InvalidArgument before any request. The body limit is 2048 UTF-16 code
// units (MaxBody, sms.UnitUTF16): an emoji counts two. Message.CallbackURL is not honoured
// (Capabilities.CallbackURL is false: reports go to the Event Grid subscription) and no
// message type is supported (Capabilities.MessageTypes is empty).
//
// ACS answers 202 with one item per recipient, in order; each becomes one sms.SendResult,
// checked against the item's "to" (an item for another number is OutcomeUnknown, never
// attributed to the wrong recipient). A successful item gives the messageId
// ("Outgoing_…", the id of the delivery reports) and sms.StatusAccepted.
//
// # Sender types
//
//	sms.SenderTollFree      E.164 toll-free number (US, CA, PR; verification needed for volume)
//	sms.SenderLongCode      E.164 10DLC number (US; campaign registration needed)
//	sms.SenderShortCode     5 or 6 digits, no "+" and no country code (US, UK, CA; domestic only)
//	sms.SenderAlphanumeric  1–11 of A–Z a–z 0–9 space + - _ &, at least one letter; one-way,
//	                        in the countries of the SMS FAQ; carriers may replace it by a number
//
// The sender must belong to the resource. ValidateSender applies these rules before any
// request; sender pools are not supported.
//
// # Idempotency: why retries are safe
//
// Every recipient carries repeatabilityRequestId and repeatabilityFirstSent, which make ACS
// process a resent request once. The id is RepeatabilityID(Message.IdempotencyKey, recipient):
// the name-based UUID (version 5, RFC 9562) of key + "|" + number in the namespace
// 55a4dde6-2a6b-5768-b7ca-17ed7e7257f0, lower-case 8-4-4-4-12. The first-sent date is
// Message.FirstAttempt in RFC 1123 GMT. sms.Client sets both once per logical send (a random
// key, its clock's now) and keeps them on every retry, and each retry is signed afresh, so
// a recipient is always resent with the same id and date. An application that persists
// IdempotencyKey and FirstAttempt can retry from another process. A Message sent without
// sms.Client and without a key gets a random key per call (no cross-call de-duplication); a
// zero FirstAttempt is replaced by Options.Now().
//
// Because of this the provider declares Capabilities.IdempotentSends, and sms.Client retries
// per recipient not only what is proved unsent (connection refused, 429) but also per-item
// 5xx, request-level 5xx and failures after the request was written (OutcomeUnknown), with the
// same ids, while the caller's context lives.
//
// # One attempt per call
//
// Each Send is one attempt (azcore's retry policy is off on the Entra ID path): retries are
// decided once, in sms.Client. The attempt goes through internal/httpx, which classifies a
// failure by what net/http proves: nothing written → Unavailable and NotAccepted (or the bare
// context error); possibly written (a reset, a timeout, the context ending) → OutcomeUnknown,
// unwrapping to the context error when there is one; a 2xx whose body could not be read →
// OutcomeUnknown. The transport never writes a send twice. A request that failed as a whole
// returns (nil, err), and sms.Client gives err — its code and NotAccepted unchanged — to every
// recipient. Status fetches (below) are safe to repeat and are retried.
//
// # Errors
//
// A status — of the whole request, or of one recipient's item in a 202 — maps through the
// library's one status→code function (a 4xx refusal is NotAccepted; anything after the
// request was written that proves nothing is OutcomeUnknown), the same for every vendor:
//
//	400, 422, other 4xx  InvalidArgument   NotAccepted
//	401                  Unauthenticated   NotAccepted (the other access key is tried first)
//	403                  PermissionDenied  NotAccepted
//	404                  NotFound          NotAccepted
//	408, 409             OutcomeUnknown
//	429                  RateLimited       NotAccepted; RetryAfter from retry-after-ms,
//	                                       x-ms-retry-after-ms or Retry-After
//	5xx, 503 included    OutcomeUnknown    retried by sms.Client with the same ids (idempotent)
//	any other status     OutcomeUnknown
//
// "Not processed" exceptions: none. ACS documents no 5xx as "the request was not processed"
// (vendors/acs.md §2.4–2.5: a 5xx, whole-request or per recipient, "may be retried with the
// same repeatability id"), so no 5xx is NotAccepted, and a failover to another vendor never
// follows one; the repeatability ids make sms.Client's retries safe instead.
//
// Request-level answers are parsed in both shapes ACS uses — {"error":{"code","message"}} and
// RFC 7807 problem details {type, title, status, errors, traceId} — into VendorCode
// (error.code) and Message (error.message, or the title followed by the field errors); any
// other body is never quoted (it may echo the request's Authorization header) and Message is
// the status text. RequestID is the x-ms-request-id header, else MS-CV, else traceId.
//
// Per-recipient items of a 202 refine the table:
//
//	successful, with messageId               accepted
//	successful, no messageId                 OutcomeUnknown
//	400 naming the "To phone number"         InvalidRecipient  NotAccepted
//	   (errorMessage "Invalid To phone number format.")
//	4xx with repeatabilityResult "rejected"  InvalidArgument   NotAccepted
//	429                                      RateLimited       NotAccepted, the response's RetryAfter
//	an item for another number, or missing   OutcomeUnknown
//
// Message is the item's errorMessage, else the status text. Errors at delivery time
// (opt-outs, unknown numbers) arrive on delivery reports as Event.Code and Event.ErrorCode.
//
// # Delivery status
//
// FetchStatus (sms.StatusFetcher) and FetchDeliveryReport read GET
// /deliveryReports/{messageId}?api-version=2026-01-23 (DeliveryReportAPIVersion, whatever
// Options.APIVersion says: older versions have no such operation). A message without a report
// yet is NotFound; a failure that outlasts the retries is Unavailable. Reports, fetched or
// received, map through ReportStatus — deliveryStatus, then the code that starts
// deliveryStatusDetails ("4004: Destination number does not exist") — to the status and the
// portable class of the failure (Event.Code, DeliveryReport.Code; DeliveryCodes lists the
// table):
//
//	deliveryStatus  code                  sms.Status   Event.Code        meaning
//	Delivered       any (2000)            Delivered    —
//	Failed          4000                  Rejected     PermissionDenied  fraud detection
//	Failed          4001                  Rejected     InvalidArgument   invalid source (From) format
//	Failed          4002                  Rejected     InvalidRecipient  invalid destination (To) format
//	Failed          4003                  Rejected     PermissionDenied  unsupported destination
//	Failed          4004                  Undelivered  InvalidRecipient  destination number does not exist
//	Failed          4005                  Rejected     PermissionDenied  blocked by the destination carrier
//	Failed          4006                  Undelivered  Unavailable       not reachable (Microsoft: retry later)
//	Failed          4007                  Rejected     OptedOut          recipient opted out
//	Failed          4008                  Rejected     RateLimited       exceeded the messages for your profile
//	Failed          4009                  Rejected     PermissionDenied  Microsoft entitlement system
//	Failed          4010                  Rejected     PermissionDenied  toll-free number not verified
//	Failed          5000                  Failed       Internal          contact support
//	Failed          5001                  Failed       Unavailable       temporary unavailability
//	Failed          5002                  Expired      Unavailable       delivery timeout
//	Failed          9999                  Failed       —                 unknown error
//	Failed          none (*)              Failed       OptedOut          "Sender blocked for given recipient."
//	Failed          none or another code  Failed       —
//	anything else                         Unknown      —                 (the word is kept as RawStatus)
//
// "—" is CodeUnknown: not a failure, or no portable meaning. (*) The SMS FAQ's wording of a
// send to a recipient who opted out, which carries no code.
//
// # Event Grid subscription
//
// ACS publishes delivery reports and inbound messages through Event Grid. In the portal, open
// the Communication Services resource, then Events → + Event Subscription:
//
//  1. Event Schema: Event Grid Schema or Cloud Event Schema v1.0 — both are accepted.
//  2. Filter to Event Types: "SMS Received" and "SMS Delivery Report Received"
//     (Microsoft.Communication.SMSReceived, Microsoft.Communication.SMSDeliveryReportReceived).
//  3. Endpoint Type: Web Hook; endpoint https://app.example.com/acs/events?token=<secret>, the
//     secret being one of Config.CallbackTokens (query parameter CallbackTokenParam). Or,
//     instead of the token, under Additional Features → Delivery Properties add the header
//     Authorization = "Basic " + base64(user:password), marked secret, and set
//     Config.CallbackUser and Config.CallbackPassword.
//  4. Create it while the application is running: Event Grid validates the endpoint with a
//     handshake (SubscriptionValidation, or the CloudEvents OPTIONS request), which the webhook
//     handler answers by itself.
//
// With the Azure CLI:
//
//	az eventgrid event-subscription create --name sms-events \
//	  --source-resource-id /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Communication/communicationServices/<resource> \
//	  --endpoint-type webhook --endpoint "https://app.example.com/acs/events?token=<secret>" \
//	  --included-event-types Microsoft.Communication.SMSReceived Microsoft.Communication.SMSDeliveryReportReceived \
//	  --event-delivery-schema eventgridschema   # or cloudeventschemav1_0
//
// Event Grid signs nothing: without a token or Basic auth anyone could post reports and
// opt-outs, so ParseCallback refuses every callback unless protection is configured (or
// Config.InsecureSkipCallbackAuth says otherwise).
//
// # Callbacks
//
// Mount webhook.Handler on a path without a method pattern, so that it answers Event Grid's
// OPTIONS handshake itself (CallbackMethods lists OPTIONS):
//
//	mux.Handle("/acs/events", webhook.Handler(p, sink, nil))
//
// Authentication comes first and fails closed (the shared-secret check every unsigned vendor
// uses): the token query parameter is compared with every Config.CallbackTokens (add the new
// token, update the subscription URL, then remove the old one), or Basic auth with
// CallbackUser/CallbackPassword, in constant time; otherwise 401. With neither configured
// (and InsecureSkipCallbackAuth not set) every callback is refused with 500 and an ERROR log
// naming the setting: a server configuration problem, which Event Grid retries, not a forgery.
// Event Grid does not retry 400, 401, 403 or 413, so a wrong token loses events: configure a
// dead-letter destination on the subscription to keep them.
//
// Event Grid's handshakes are answered without calling the sink: the subscription-validation
// event of the Event Grid schema (exactly 200 with {"validationResponse": …}, synchronously)
// and the OPTIONS abuse-protection request of the CloudEvents schema (WebHook-Allowed-Origin
// echoes WebHook-Request-Origin). They are authenticated like any callback, so create the
// subscription with the final URL, token included.
//
// The envelope is told by the first non-space byte, whatever the Content-Type: "[" is an Event
// Grid array or a CloudEvents batch, "{" one CloudEvent. Keys are matched in any letter case
// (Microsoft's own samples use PascalCase and "specVersion"). The body is decoded in one pass
// of encoding/json (array, envelopes and data together). A batch of more than
// MaxCallbackEvents (5,000, Event Grid's documented maximum of "max events per batch") items
// is answered 400 before any item is decoded, so one request cannot allocate for, or flood the
// de-duplication store with, tens of thousands of tiny items; 400 rather than 413 because the
// body is not too large — the batch is one Event Grid cannot send — and Event Grid treats both
// alike (not retried, dead-lettered if configured). With batching near the preferred batch
// size of 1 MB, raise webhook.Options.MaxBodyBytes.
//
// Delivery is at least once and unordered: Event Grid retries for up to 24 hours and may
// deliver an event twice, or after a later one. Event.ID is the Event Grid event id, which a
// redelivery keeps, so the webhook package drops repeats (share one webhook.Store between
// replicas). When the event id is the message id, as in Microsoft's samples, a delivery
// report's ID is sms.EventID of message id, status and details instead, so two reports of one
// message are never merged. Keep a stored status from moving backwards with
// sms.Status.Supersedes.
//
// A delivery report becomes sms.EventDeliveryReport: From and To in E.164 (a "+" is added to
// all-digit numbers of more than 8 digits; short codes and sender IDs are kept), Status and
// Code and ErrorCode from ReportStatus, ErrorDescription = deliveryStatusDetails, RawStatus
// = deliveryStatus, Segments from the latest delivery attempt by time, Timestamp =
// receivedTimestamp, Reference = the tag of the send. An inbound message becomes
// sms.EventInbound, scoped to the number that received it (sms.ScopeSender, ScopeID = To),
// since ACS keeps opt-outs per sender and recipient; ACS relays STOP, START and HELP as
// plain text, so the webhook package's keywords turn them into EventOptOut, EventOptIn and
// EventHelp (once, there; the provider classifies nothing). Any other event type, or an item that cannot be read, becomes one
// sms.EventUnknown event carrying the raw item, and the batch is still acknowledged; only a
// body that is not JSON at all is answered 400.
//
// # Assumptions
//
// Where the vendor facts (vendors/acs.md §1–3) are unconfirmed, this package assumes:
//   - any endpoint host is accepted (sovereign-cloud domains are unconfirmed);
//   - the accepted clock skew of x-ms-date is unknown: each attempt is dated and signed when it
//     is sent, so keep the clock synchronised;
//   - a 401 means ACS processed nothing, so re-sending with the other key cannot duplicate;
//   - the 202 items come in the order of smsRecipients (they are checked against "to", with or
//     without "+", and an item that does not match is OutcomeUnknown);
//   - a resent request with the same repeatabilityRequestId and repeatabilityFirstSent is not
//     sent again for as long as sms.Client keeps retrying (seconds to minutes); the replay
//     window and the exact answer to a repeat (202 with the first messageId, presumably) are
//     unconfirmed, so a retry much later, from another process, may send again;
//   - validityPeriodSeconds (1–18000) is sent on 2021-03-07 and on every api-version before
//     2025-09-17 (previews and the unreviewed 2022-07-07, 2024-01-02, 2024-02-05 included): it
//     is in the later revision of the 2021-03-07 spec, but whether the service honours it
//     there is unconfirmed; an ignored value leaves the service default;
//   - "message" is limited to 2048 UTF-16 code units: the spec's maxLength of 2048 characters
//     read the strict way (a .NET service counts UTF-16 units), which can never exceed the
//     limit under the other reading;
//   - the length of tag (Message.Reference) is not limited here (its maximum is unconfirmed);
//   - a 429 may have no body and may carry Retry-After, retry-after-ms or x-ms-retry-after-ms;
//     each is honoured when present, else sms.Client backs off exponentially;
//   - error bodies of older api-versions use the generic Azure shape {"error":{"code",
//     "message"}}; RFC 7807 bodies are read too;
//   - a per-recipient 400 whose errorMessage names the "To phone number" or the recipient is
//     InvalidRecipient; other per-recipient 4xx are InvalidArgument;
//   - no 5xx is "not processed" (none is documented so), so all are OutcomeUnknown;
//   - deliveryStatusDetails "Sender blocked for given recipient." without a code is an
//     opt-out (the SMS FAQ's wording for a send to an opted-out recipient), and 4006 ("retry
//     later") is a temporary failure (Unavailable), not an invalid number;
//   - GET /deliveryReports answers 404 for a message whose report has not arrived yet;
//   - deliveryStatus takes only Delivered and Failed; any other word maps to Unknown;
//   - the alphanumeric sender rules and the 5–6 digit short codes are those of the SMS FAQ and
//     the number-types page as of their writing.
//
// And for callbacks (§4–7):
//   - ACS sends one final report per message (Delivered or Failed); any other deliveryStatus
//     maps to Unknown with RawStatus kept;
//   - WebHook-Request-Origin is echoed whatever its value, and the CloudEvents batch content
//     type does not matter (the envelope is told by its first byte);
//   - deliveryAttempts are unordered: the latest by timestamp wins (on equal times the later
//     entry); Timestamp falls back to that attempt, then to the envelope's time, and a time
//     without a zone is UTC;
//   - all-digit numbers of 8 digits or fewer are short codes and kept as sent;
//   - opt-outs are scoped to sender and recipient (ACS also keys on country), and keywords are
//     the webhook's list (ACS's full list is unconfirmed);
//   - Event Grid never sends more than 5,000 events in one request (its documented maximum of
//     "max events per batch"); the CloudEvents batch content type is not checked;
//   - a validation event batched with other items is answered and the other items dropped;
//     asynchronous validation through validationUrl and Entra ID-protected webhooks are not
//     supported.
package acs

// Name is the provider name in events, errors and logs.
const Name = "acs"
