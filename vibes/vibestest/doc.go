// Package vibestest is a Vibes Connect HTTP Message API emulator (US and Canada) in the
// style of net/http/httptest, for tests that must not reach Vibes: the XML send API on one
// side, and Vibes' callbacks (delivery receipts to each message's callbackUrl, inbound MO
// messages to the account's inbound URL) on the other. Facts: vendors/vibes.md. Vibes
// publishes no official client; the facts are the ground truth.
//
//	srv := vibestest.NewServer(&vibestest.Options{InboundURL: app.URL + "/vibes/mo?token=s3cret"})
//	defer srv.Close()
//	// base URL srv.URL (append /MessageApi/mt/messages), Basic srv.Username():srv.Password(),
//	// codes vibestest.DefaultShortCode (SC), DefaultLongCode (LC), DefaultTollFree (TF)
//
// # Authentication
//
// Every API request needs HTTP Basic with Options.Username and Options.Password; otherwise
// HTTP 401 (WWW-Authenticate: Basic) with the error body below.
//
// # The API
//
//   - POST /MessageApi/mt/messages: one MT to one recipient, Content-Type text/xml or
//     application/xml (else 415), root mtMessage with destination@address, source@address,
//     source@type and text required; submitterMessageId (≤ 40 characters),
//     splitLongMessage and alternateDelivery (true/false), destination@carrier and @type,
//     receiptOption (NONE, ERROR, ALL, SMSC_ERROR, SMSC_ALL) with callbackUrl (absolute
//     http or https), and transaction@id are optional; unknown elements and attributes are
//     ignored. Accepted: HTTP 200
//     <mtMessageRsp messageId="GUID" submitterMessageId="…" carrier="102" splitLongMessage="false"/>
//     (carrier: destination@carrier when given, else CarrierFor the number).
//   - GET /MessageApi/mt/messages/{id}: the message read back, <mtMessage submitterMessageId
//     messageId submitDate isMultipart noOfParts partNumber originalMessageId> with
//     destination, source, text and receiptOption; any part's messageId finds its part.
//   - GET /MessageApi/mt/messages/{id}/responses: <mtMessageResponses> with the receipts
//     issued so far by the emulator clock (whatever receiptOption said): every part's for
//     the first part's id, one part's for another part's id. Unknown ids: 404.
//
// A request that is not a valid mtMessage (not UTF-8 or not XML, another root, content
// after it, a required element or attribute missing or repeated, a bad boolean, an unknown
// receiptOption, a bad callbackUrl, a long submitterMessageId) is HTTP 400 with the error
// body. A valid one that Vibes would refuse is HTTP 200 with the error body and no
// messageId, in this order of checks:
//
//   - source@type not SC, LC or TF, or a source code not provisioned with that type
//     (Options.Codes, AddCode, POST /_emulator/codes) → internalErrorCode 8, "No carrier
//     route found for code";
//   - a destination that is not a US or Canadian number (+1 and ten digits, or 10 or 11
//     digits) → internalErrorCode 1, "No route found to carrier from source address";
//   - a destination on the block list (Block, POST /_emulator/blocklist, POST
//     /_emulator/optouts, or an inbound STOP to that code with Options.BlockOnStop) →
//     internalErrorCode 9, "MDN blocked";
//   - a text over 160 characters without splitLongMessage="true" → internalErrorCode 11.
//
// The error body, for 200 refusals, 400, 401, 404, 415 and status faults armed without a
// body:
//
//	<mtMessageRsp submitterMessageId="…"><status isError="true"><description>…</description>
//	<internalErrorCode>9</internalErrorCode></status></mtMessageRsp>
//
// (errorCode, a carrier-level code, appears only in receipts). Fault.InternalErrorCode arms
// a 200 refusal with any internal code.
//
// # Delivery receipts
//
// An accepted message gets receipts stage by stage, System, then Carrier, then Handset,
// each an mtMessageResponse (Report) POSTed to its receiptOption callbackUrl (else
// Options.CallbackURL) with no Basic auth (Vibes supports none on receipts: put a secret
// token in the URL). ALL and SMSC_ALL post every receipt, ERROR and SMSC_ERROR only error
// receipts, NONE or no receiptOption none. The outcome (SetOutcome, SetOutcomeDelay, POST
// /_emulator/outcomes) chooses where they end (StageFor): delivered → System, Carrier and
// Handset, all isError="false" (the default); sent → up to Carrier; accepted or queued →
// System only; rejected → a System error (default internalErrorCode 12); failed → a
// Carrier error; undelivered, expired or unknown → a Handset error (default errorCode 107,
// "Carrier failed while submitting message"). No stage follows an error. The outcome's
// code is "errorCode", "errorCode:internalErrorCode" or ":internalErrorCode" (ParseCode).
// Earlier stages go at once, the last after the outcome's delay on the emulator clock.
// receiptDate is ReceiptLayout in Options.Location. PushStatus (POST
// /_emulator/messages/{id}/status) reports one more stage now.
//
// A text sent with splitLongMessage="true" is split into Parts(text) parts (its segment
// count: over 160 GSM-7 characters, or over 70 characters outside GSM-7); each part has its own messageId (part 1's is the send's) and its own receipts,
// carrying <multipart isMultipart="true" originalMessageId="<the send's messageId>"
// noOfParts="n" partNumber="k"/>, all of one stage before the next stage.
//
// A callback answered with any 2xx is acknowledged; anything else, or no answer, is retried
// Options.Retries times (default 5, as Vibes) after Options.RetryWait each (Vibes' 5
// minutes, default 5 ms), waited on the emulator clock. One message's receipts are posted
// in order, each after the previous one's last attempt.
//
// # Inbound messages
//
// SendInbound (POST /_emulator/inbound) posts a moMessage (Inbound) to the account's
// inbound URL (Options.InboundURL, SetInboundURL, POST /_emulator/config {"inbound_url"}):
// messageId, receiptDate in InboundLayout, attemptNumber (1, then 2, … on retries), source
// the handset in E.164 with a carrier code and type MDN, destination the code with its type,
// message the text; Options.LegacyInbound posts the older <deliver> shape instead. Basic auth
// is sent when Options.InboundUsername/InboundPassword are set. Retries as for receipts.
//
// # Tests of webhook handlers
//
// NewReport, DeliveryReportRequest, NewInbound, NewLegacyInbound and InboundRequest build
// what Vibes would post, without sending it.
//
// # Control API
//
// Under /_emulator/: requests, faults, outcomes, deliveries, messages,
// messages/{id}/status, inbound, optouts (the block list: from "*" for every code), config
// (inbound_url, callback_url), codes ({"address","type"}), blocklist ({"to"}), reset,
// callbacks/wait.
//
// # Assumptions
//
//   - The failure shape of a 200 refusal is the project's (Vibes says a 200 body "indicates
//     success or failure" but publishes no failure schema); so is the choice of internal
//     codes: 8 for an unknown code or source type, 1 for a destination outside US/CA, 11 for
//     a long text without splitLongMessage (Vibes documents no code or behaviour for it).
//   - A request that is not a valid mtMessage is HTTP 400, a wrong Content-Type 415, bad
//     credentials 401, all with the error body (Vibes documents only "non-200 = system
//     error, try again").
//   - Source types LC (long code) and TF (toll-free) are the project's values; Vibes' samples
//     only show SC. A source must be a provisioned code of that type.
//   - Any +1 number with a valid area code and exchange is taken as US or Canadian; the
//     Caribbean NANP countries are not told apart.
//   - Blocking on an inbound STOP is off by default (Options.BlockOnStop): Vibes does not
//     say whether it blocks automatically. The block is per code; Block is account-wide.
//   - Receipt descriptions other than Carrier's "MtMessage successfully delivered to
//     Carrier" are the emulator's; the default error codes (internal 12 at System, carrier
//     107 later) too.
//   - Parts 2…n of a split message get messageIds of their own; part 1's is the send's and
//     originalMessageId names it on every part (inferred from the facts' sample, where part
//     1's messageId equals originalMessageId). The part count is the text's segment count
//     (Vibes re-encodes per carrier; how it splits a UCS-2 text is unconfirmed), and a
//     text without splitLongMessage is one part whatever its encoding.
//   - Receipts are posted with Content-Type application/xml; the callback timeout is 30 s by
//     default (Vibes' old wiki: 2 s; Options.CallbackTimeout).
//   - Vibes' local time is US Central standard time (UTC-6) without daylight saving.
//   - Message ids are random version-4 UUIDs; carrier codes are 102, 104 or 105 by the
//     number's last digit (CarrierFor).
package vibestest
