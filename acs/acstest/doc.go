// Package acstest is an Azure Communication Services SMS emulator in the style of
// net/http/httptest, for tests that must not reach Azure: the SMS REST API on one side, and
// Azure Event Grid's deliveries of delivery reports and inbound messages on the other.
//
//	srv := acstest.NewServer(&acstest.Options{EventGridURL: app.URL + "/acs/events?token=s3cret"})
//	defer srv.Close()
//	p, _ := acs.New(acs.Config{Endpoint: "https://contoso.communication.azure.com",
//		AccessKey: sms.NewSecret(srv.AccessKey()), CallbackTokens: []sms.Secret{sms.NewSecret("s3cret")}},
//		&acs.Options{BaseURL: srv.URL})
//
// # The SMS API
//
// It speaks POST /sms?api-version=… (every version in APIVersions: 2021-03-07 to 2026-01-23
// and the previews) and GET /deliveryReports/{id}?api-version=2026-01-23 (or
// 2025-08-01-preview). A missing api-version is answered 400 MissingApiVersionParameter, an
// unknown one 400 UnsupportedApiVersion, both in Azure's {"error":{"code","message"}} shape.
//
// Requests are authenticated as ACS does: "Authorization: HMAC-SHA256
// SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…", where x-ms-content-sha256
// must be the hash of the body as received, x-ms-date must be within MaxClockSkew of the
// emulator clock (Options.Clock), and the signature is recomputed with the package acs
// helpers over the method, the request target exactly as received (r.RequestURI), x-ms-date,
// the Host header as received and the hash — with the primary and the secondary key,
// compared in constant time. Any Host is accepted: the signature must simply cover the one
// sent. "Authorization: Bearer <t>" is accepted only for t in Options.BearerTokens. Every
// failure is 401 {"error":{"code":"Denied","message":"Denied by the resource provider."}},
// with the reason in the emulator-only header X-Acstest-Denied-Reason.
//
// Sends are validated like ACS: from must be E.164, a 5–6 digit short code or an
// alphanumeric sender id (≤ 11 characters, one letter at least); 1 to 100 smsRecipients
// with a "to"; a message of at most 2048 UTF-16 code units; enableDeliveryReport present when
// smsSendOptions is; validityPeriodSeconds 1–18000 and deliveryReportTimeoutInSeconds
// 60–43200 when given. Failures are 400 in ASP.NET Core's validation form
// {type,title,status,errors{field:[…]},traceId}. Otherwise the answer is 202
// {"value":[…]}, one item per recipient in order:
//
//   - a malformed number (not E.164, or +1 without exactly ten digits) →
//     {httpStatusCode:400, successful:false, errorMessage:"Invalid To phone number format."};
//   - a repeatabilityRequestId without a valid RFC 1123 repeatabilityFirstSent → 400,
//     repeatabilityResult "rejected", errorMessage RepeatabilityRejectedMessage;
//   - a failure armed with SetRecipientFailure → its httpStatusCode (503 → errorMessage
//     "ServiceUnavailable"), no messageId, no message created;
//   - a repeatabilityRequestId and first-sent date seen before → the original messageId,
//     202, repeatabilityResult "accepted", successful, and no new message;
//   - otherwise a new message "Outgoing_<yyyyMMddHHmmss><uuid>", 202, successful, with
//     repeatabilityResult "accepted" when repeatability fields were sent.
//
// Messages lists the messages created (one per repeatability id), Accepted counts them,
// Requests counts the API requests received. Faults (Arm) answer the next send requests with
// an Azure error (a 429 with Retry-After: nothing was created), or create the messages and
// reset the connection (the ambiguous case that repeatability makes safe to retry).
//
// # Event Grid
//
// Each created message whose send had enableDeliveryReport: true gets a
// Microsoft.Communication.SMSDeliveryReportReceived event, with the outcome chosen with
// SetOutcome: delivered ("Delivered", "2000: No Error") by default, or "Failed" with a status
// detail code ("4004: Destination number does not exist"); a failure without a code gets
// DefaultDetailCode. The event id is the messageId, data keys are camelCase as the official
// Azure types write them, numbers keep their "+", timestamps have seven fractional digits.
// SendInbound publishes a Microsoft.Communication.SMSReceived event ("Incoming_…").
// GET /deliveryReports/{id} answers the same report once it exists (404 problem+json before).
//
// Events go to one event subscription, Options.EventGridURL (SetEventGrid, or POST
// /_emulator/config), in the Event Grid schema (a JSON array) or CloudEvents 1.0 (one
// object, application/cloudevents+json). Before the first delivery to an endpoint, the
// emulator validates it as Event Grid does: Event Grid schema, a POST with aeg-event-type:
// SubscriptionValidation and a Microsoft.EventGrid.SubscriptionValidationEvent, which only
// an HTTP 200 whose JSON body has validationResponse (any key case) equal to the
// validationCode passes — a 202, or the code missing, fails; CloudEvents, an OPTIONS with
// WebHook-Request-Origin, which only a 200 with WebHook-Allowed-Origin equal to that origin
// or "*" passes. Until an endpoint is validated its events are held (Held,
// ValidationState); a failed validation is not retried until SetEventGrid or Validate.
//
// Deliveries carry aeg-event-type: Notification, aeg-subscription-name (upper-cased),
// aeg-delivery-count (0 on the first attempt, 1 on the second, …), aeg-data-version,
// aeg-metadata-version and Options.DeliveryHeaders. They are judged by Event Grid's rule:
// 200–204 delivered; 400, 401, 403 and 413 dropped; anything else,
// and no answer, retried after RetryWait, DeliveryRetries times. Deliveries are concurrent
// and unordered, as Event Grid's are. With MaxEventsPerBatch > 1, events are batched: a batch
// goes out when full, when BatchWindow has passed since its first event, or on Flush and
// WaitCallbacks. WaitCallbacks waits for handshakes, delayed reports and deliveries.
//
// No helper hides a failure: WaitCallbacks returns an *emulator.DeliveryError naming every
// delivery the endpoint did not acknowledge with a 2xx since the previous report (with the
// status and the first line of the answer, secrets redacted), or the failed endpoint
// validation that holds events; SendInbound returns the failure of its own event's
// delivery even when the handshake succeeded. PushDeliveryReport (POST
// /_emulator/messages/{id}/status) reports a final status for a message that already exists.
//
// # Opt-out
//
// The emulator models what vendors/acs.md §7 describes for toll-free numbers (and short
// codes with opt-out management): an inbound STOP (exactly, any case; StopKeywords) opts
// the handset out of messages from the number it was sent to, START or UNSTOP
// (StartKeywords) opt it back in, and the keyword is still published as SMSReceived. ACS
// keeps accepting sends from that number to that handset (202, successful), but their
// delivery report is Failed with "4007: Sender blocked for given recipient."
// (OptedOutDetails). The Opt-Out Management API, POST
// /sms/optouts:add, :remove and :check (api-version 2024-12-10-preview and later), reads and
// writes the same list: {"from", "recipients": [{"to"}]} answered 200 {"value": [{"to",
// "httpStatusCode", "isOptedOut", "errorMessage"}]} per recipient (400 "Invalid recipient
// phone number format" for a malformed number). OptOut, OptIn, OptOuts and GET, POST and
// DELETE /_emulator/optouts do the same for tests; Reset forgets them. Alphanumeric senders
// receive no messages, so nothing opts out of them, as ACS has no opt-out management for
// them. HELP is relayed but has no effect; the configured auto-replies are not emulated.
//
// RecordedRequests and Deliveries return the public emulator package's Request and Delivery;
// shown as text or JSON (the control API) they hide credentials. Options.Clock, an
// sms.Clock, stamps messages and events, is what x-ms-date is checked against, and times
// outcome delays, the batch window and fault delays: with an emulator.ManualClock a test
// decides when they end.
//
// Request builders — EventsRequest, DeliveryReportRequest, InboundRequest,
// SubscriptionValidationRequest, AbuseProtectionRequest — return the requests Event Grid
// would send, ready for a webhook handler's ServeHTTP, for conformance tests.
//
// Everything is also reachable over HTTP under /_emulator/: the toolkit's requests, faults
// (a status fault without a body gets Azure's error body), outcomes (error_code is the
// detail code), deliveries and reset, plus GET /messages, POST /inbound {from,to,body}, GET
// and POST /config {event_grid_url, schema}, POST /validate, POST /flush, GET /events,
// POST/DELETE /recipient-failures {to, status, times}, GET/POST/DELETE /optouts, POST
// /messages/{id}/status and the long-poll GET /callbacks/wait; GET /_emulator/ lists them.
//
// # Assumptions
//
// Where vendors/acs.md marks a behaviour unconfirmed, the emulator chooses:
//
//   - Duplicate answer: a repeated send (same repeatabilityRequestId, case-insensitive, and
//     same repeatabilityFirstSent instant) is answered 202 with the original messageId,
//     repeatabilityResult "accepted" and successful true, and creates nothing. The id is
//     remembered until Reset (no replay window), and only once a message was created: a
//     send that failed for its recipient can be retried with the same id. A repeat with a
//     different "to" is still answered with the original message.
//   - Clock skew: x-ms-date may differ from the emulator clock by DefaultMaxClockSkew (15
//     minutes) either way, the window Azure Storage documents for its shared-key signatures.
//   - Only SignedHeaders=x-ms-date;host;x-ms-content-sha256 (any case) is accepted.
//   - A send whose Content-Type is not JSON (application/json or a +json type) is answered
//     415 problem+json, as ASP.NET Core does for a [FromBody] model.
//   - api-version is checked before authentication; 401 and 404 bodies, the validation
//     messages and the status detail texts after the code are modelled on ASP.NET Core and
//     the error-code table, not copied from the service.
//   - Origin: the CloudEvents handshake sends WebHook-Request-Origin: eventgrid.azure.net
//     (DefaultRequestOrigin) — the value the Azure Functions Event Grid extension answers
//     with (azure-sdk-for-net #21612, #47175); the facts only say "echo whatever arrives".
//     Only a 200 counts as consent; asynchronous consent (WebHook-Request-Callback) and the
//     Event Grid schema's asynchronous validationUrl are not emulated.
//   - Handshakes are one attempt each, carry Options.DeliveryHeaders like deliveries, and
//     are listed in Handshakes, not in Deliveries.
//   - Batches: in the Event Grid schema a batch is the usual array; in CloudEvents, with
//     MaxEventsPerBatch > 1, every delivery is an array with Content-Type
//     application/cloudevents-batch+json; charset=utf-8 (the facts leave it unconfirmed).
//   - An outcome that is not final (sent, queued) produces no delivery report; ACS reports
//     only Delivered or Failed.
//   - Event times use RFC 3339 with the fractional seconds Go writes; data timestamps always
//     have seven fractional digits.
package acstest
