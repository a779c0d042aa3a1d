// Package infobiptest is an Infobip SMS API emulator in the style of net/http/httptest, for
// tests that must not reach Infobip: the send APIs on one side, and Infobip's webhook pushes
// of delivery reports and inbound messages on the other. Facts: vendors/infobip.md.
//
//	srv := infobiptest.NewServer(&infobiptest.Options{DeliveryURL: app.URL + "/infobip/dlr?token=s3cret"})
//	defer srv.Close()
//	// base URL srv.URL, API key srv.APIKey(), sent as "Authorization: App <key>"
//
// # The API
//
//   - POST /sms/3/messages (v3: sender, destinations[].to/messageId, content.text,
//     options.validityPeriod{amount,timeUnit}, webhooks.delivery{url,intermediateReport,notify},
//     webhooks.callbackData, options.schedule.bulkId) answers {bulkId, messages[{messageId,
//     status, destination, details{messageCount}}]};
//   - POST /sms/2/text/advanced (v2: bulkId, from, destinations, text, notifyUrl,
//     intermediateReport, callbackData, validityPeriod minutes) answers {bulkId,
//     messages[{to, status, messageId}]} (smsCount with includeSmsCountInResponse);
//   - GET /sms/3/logs?messageId=…&bulkId=…&destination=…&limit=… lists messages newest first
//     with their current status (the status-fetch path);
//   - GET /sms/1/reports (v2 shape) and /sms/3/reports (v3 shape) return, once each, the
//     reports of messages that had no push URL; GET /sms/1/inbox/reports the inbound
//     messages that had no inbound URL.
//
// Every request needs "Authorization: App <key>" (Options.APIKey, default DefaultAPIKey),
// else 401. Errors use each family's body: v3 paths the ApiError
// {"errorCode":"E400","description","action","violations":[{property,violation}],"resources"},
// v1/v2 paths the ApiException {"requestError":{"serviceException":{"messageId":"BAD_REQUEST",
// "text","validationErrors"}}}. A malformed body, no messages, no destinations, no content
// (v3) or text (v2), a messageId over 200 characters or bulkId over 100 (v3; v2 clips them),
// callbackData over 4000, an invalid webhook URL, a validity amount under 1 or an unknown
// timeUnit are a 400.
//
// Everything else is 200 with one messages[] item per destination, in order, numbers
// written without "+":
//
//   - the client's messageId is echoed (one is generated when absent), and bulkId too;
//   - a messageId already used (in this request or an earlier one, until Reset) →
//     REJECTED_DUPLICATE_MESSAGE_ID (group 5, id 23);
//   - no "to" → MISSING_TO (51); not 7–15 digits → REJECTED_DESTINATION (52);
//   - a sender that is not 3–11 alphanumerics or 3–16 digits → REJECTED_SENDER (13);
//   - over 25 parts or 4000 bytes → REJECTED_MESSAGE_TOO_LONG (25);
//   - a number on the blocklist (Block), or that opted out of the sender (an inbound STOP to
//     it, OptOut) → REJECTED_DESTINATION_BLOCKLISTED (14);
//   - otherwise PENDING_ACCEPTED (group 1, id 26).
//
// Accepted counts the accepted destinations, Messages lists them all.
//
// # Delivery reports
//
// Each destination gets reports in the shape of the API it was sent with (v2: from,
// smsCount, flat entityId; v3: sender, messageCount, platform{}), with its callbackData,
// price, status and error objects, timestamps in TimeLayout. The final status follows the
// outcome (SetOutcome, SetOutcomeDelay, POST /_emulator/outcomes; see StatusFor and ErrorFor):
// DELIVERED_TO_HANDSET by default, preceded by DELIVERED_TO_OPERATOR when the message asked
// for intermediateReport; rejected destinations get their REJECTED report at once. Reports go
// to the message's webhook URL (v3 webhooks.delivery.url, v2 notifyUrl), else
// Options.DeliveryURL, else wait for a pull; webhooks.delivery.notify false means none.
// Reports of one send due at the same time to the same URL are posted together,
// {"results":[…]} of up to Options.BatchSize (default 100). A message takes a status as its
// report goes out; PushStatus (POST /_emulator/messages/{id}/status) reports a new one.
//
// Webhook POSTs carry Basic auth when Options.WebhookUsername/WebhookPassword are set; a
// secret token is part of the URL. An answer outside 2xx, or none, is retried Options.Retries
// times (default 5) with Infobip's back-off, 1min + 1min·n² before retry n, the minute
// replaced by Options.RetryUnit (default 10ms): see RetryWait and RetryPolicy.
// WaitCallbacks waits for them and reports failures as *emulator.DeliveryError.
//
// # Inbound messages
//
// SendInbound (POST /_emulator/inbound) pushes {"results":[{messageId, from, to, text,
// cleanText, receivedAt, smsCount, price}], "messageCount", "pendingMessageCount"} to
// Options.InboundURL, retried as reports are; a STOP keyword first opts the handset out of
// the number, START opts it back in.
//
// # Tests of webhook handlers
//
// NewReport, DeliveryReportsRequest and InboundRequest build the requests Infobip would make,
// authenticated as configured, without sending them.
//
// # Control API
//
// Under /_emulator/: requests, faults (a status fault armed without a body answers in its
// path's family shape, ApiError on /sms/3/, ApiException elsewhere; Fault.Legacy asks for
// the ApiException one everywhere), outcomes, deliveries, messages, messages/{id}/status,
// inbound, optouts, blocklist, config (inbound_url, delivery_url), reset, callbacks/wait.
//
// # Assumptions
//
//   - The duplicate-messageId check spans requests until Reset (unconfirmed: Infobip does not
//     say whether it does, or for how long); the duplicate gets a REJECTED report with the
//     same messageId, and does not replace the original message.
//   - Rejected destinations get a delivery report too (inferred: Infobip reports every
//     message's final status).
//   - An inbound STOP blocklists the handset for the number it was sent to, as a number with
//     a Blocking keyword rule does (Infobip needs that rule configured; unconfirmed whether
//     US/CA numbers do it by default). Block is the account-wide blocklist.
//   - Validation messages and the exact 400 rules (which fields, the violation texts), the
//     7–15 digit rule for numbers, and the 3–16 digit numeric sender are the emulator's;
//     Infobip publishes the limits, not its texts.
//   - Webhooks: any 2xx acknowledges, every other answer is retried; the retry count is not
//     published (default 5). Retry-After on 429 is not documented by Infobip; a fault sends
//     one when asked. The webhook User-Agent is the emulator's.
//   - Reports are JSON even when notifyContentType asks for XML; XML requests are not
//     emulated.
//   - GET /sms/3/logs items carry sender, destination, bulkId, messageId, sentAt, doneAt,
//     messageCount, price, status, error, content.text (field set inferred from the v3
//     report; the logs schema is not in the facts).
//   - Generated ids are UUIDs; Infobip's are opaque strings.
package infobiptest
