// Package linkmobilitytest is a LINK Mobility "Common platform" SMS REST API emulator in the
// style of net/http/httptest, for tests that must not reach LINK: the send API on one side,
// and LINK's gate deliveries (delivery reports, inbound MO messages) on the other. Facts:
// vendors/linkmobility.md. LINK publishes no official client; the facts are the ground truth.
//
//	srv := linkmobilitytest.NewServer(&linkmobilitytest.Options{
//		Gates: map[string]linkmobilitytest.Gate{linkmobilitytest.DefaultGateID: {URL: app.URL + "/link/dlr"}},
//		Inbound: linkmobilitytest.Gate{URL: app.URL + "/link/mo"},
//	})
//	defer srv.Close()
//	// base URL srv.URL (append /sms/send), Basic srv.Username():srv.Password(),
//	// platformId srv.PlatformID(), platformPartnerId srv.PlatformPartnerID(), gate DefaultGateID
//
// # Authentication
//
// Every request needs HTTP Basic with Options.Username and Options.Password; otherwise HTTP
// 401 with LINK's error body {"status":106100,"description","translatedDescription"}.
//
// # The API
//
//   - POST /sms/send: one message. Required: platformId and platformPartnerId (equal to the
//     account's, else 106200 / 106201), source (per sourceTON: ALPHANUMERIC, the default,
//     2–11 of a-z A-Z 0-9 space - . not starting with a digit; SHORTNUMBER 1–14 digits;
//     MSISDN "+" and 7–15 digits), destination ("+" and country code; destinationTON
//     MSISDN), userData (BMP characters only). Optional: dcs (TEXT, GSM, UCS2, BINARY),
//     useDeliveryReport + deliveryReportGates (every gate id must be configured, else
//     106301; useDeliveryReport true with no gate is 106300), refId (echoed in reports),
//     relativeValidityTime (> 0 ms), absoluteValidityTime (RFC 3339, 15 min – 48 h ahead),
//     priority (HIGH, NORMAL, LOW), tariff > 0 needs currency NOK/SEK/DKK/EUR (106202) and
//     SHORTNUMBER, customParameters (a JSON object of strings; a non-string value is
//     refused), ignoreResponse. Answer: HTTP 200 {"messageId","resultCode":1005,
//     "description":"Queued"} (+ "smsCount" with customParameters replySmsCount "true"),
//     or HTTP 204 with no body when ignoreResponse is true or absent.
//   - POST /sms/sendbatch: the same top-level fields and sendRequestMessages (1 to
//     MaxBatch = 1000 items, each as a send's message fields). Answer: HTTP 200, a JSON array
//     of {"messageId","refId","resultCode":1005,"message":"Queued"}, one per item in order
//     (key "message", not "description"). Batch-level customParameters override an item's.
//
// Refusals are HTTP 400 with {"status","description","translatedDescription"}: the codes
// above, and 106000 with a description naming the field for every other invalid field.
// Armed faults answer their HTTP status with the same body (401 → 106100, 403 → 106101,
// anything else 106000).
//
// # Delivery reports
//
// Reports go to the gates named in the send (deliveryReportGates) when
// useDeliveryReport is not false; a gate's URL and optional Basic credentials are Options.Gates,
// SetGate or POST /_emulator/gates. A secret token in the gate URL's query is sent as
// configured, for the receiver to check. Each report is one JSON POST (Report): refId,
// id, operator, sentTimestamp, timestamp, resultCode, operatorResultCode, segments,
// gateCustomParameters {}, customParameters {"received" (LINK's local time, LocalLayout),
// "source", "destination"}. The final result is the outcome's (SetOutcome, SetOutcomeDelay,
// POST /_emulator/outcomes; ResultFor maps portable statuses, a numeric code is taken as the
// resultCode): 1001 "Billed and delivered" by default. PushStatus reports a new result now.
// A gate answered with any 2xx acknowledges; anything else is retried Options.Retries times
// (default 5) after RetryWait(Options.RetryUnit, n) = unit·2^(n-1), real scaled-down waits.
// Without a gate URL the result applies when due and Messages shows it.
//
// # Multipart messages
//
// A text of n > 1 segments (sms.CountSegments) gets n reports, one per part, with id
// PartID(messageId, k) = "<messageId>$<k>" for k = 0 … n-1, each in its own POST, the parts
// in a random order drawn from Options.Seed (deterministic per seed and per Reset). A
// single-segment message's report carries the bare messageId. Every part's report carries
// "segments": n, the message's total segment count — the only total LINK's payload offers
// (see # Assumptions); there is no other part-count field. A client folds parts by
// stripping "$k" from id and learns the total from segments (or from its own count at send
// time: the send answer's smsCount with replySmsCount "true").
//
// # Barring and opt-out
//
// Sends are never refused for the recipient: LINK reports operator barring on the delivery
// report. Bar(to, code) reports 2105 (permanently barred), 2107 (temporarily barred) or
// 2205 (service rejected by subscriber). A number on the opt-out list — Block (any source),
// or an inbound STOP to a short number (that short number as a send's source writes it) —
// is reported 2205.
//
// # Inbound messages
//
// SendInbound (POST /_emulator/inbound) posts an Inbound, LINK's MO shape, to the inbound
// gate (Options.Inbound, SetInboundGate, POST /_emulator/gates with id "inbound"):
// destination "NO-2333" (Destination: a bare short number gets "NO-", a "CC-…" or "+…"
// one is kept), source the handset in E.164, content {"type":"SMS","userData","encoding":
// "TEXT"}, timestamps RFC 3339 UTC, a KEYWORD_ROUTE on the first word (upper case), and
// customParameters with "queued" and "received" in LINK's local time (Options.Location,
// default CET) and serviceCentreTimeStamp as yyyyMMddHHmmss local. A first word STOP puts
// the handset on the opt-out list of that short number; START lifts it.
//
// # Tests of gate handlers
//
// NewReport, DeliveryReportRequest, NewInbound and InboundRequest build what LINK would
// post, with the gate's Basic credentials, without sending it.
//
// # Control API
//
// Under /_emulator/: requests, faults, outcomes, deliveries, messages,
// messages/{id}/status, inbound, optouts, gates ({"id","url","username","password"}),
// barred ({"to","code"}), reset, callbacks/wait.
//
// # Assumptions
//
//   - The error body's "status" carries the 106xxx codes (inferred: no published sample);
//     description and translatedDescription are the same English text. Field errors not in
//     LINK's code table (destination, source, userData, validity, batch size, JSON) are
//     106000 with a description naming the field. A batch with one invalid item is refused
//     whole (LINK documents no per-item error answer).
//   - ignoreResponse absent means true (204, no body), as L1 says; clients must send false.
//   - useDeliveryReport absent means true, but with no gates no report is sent; explicitly
//     true with no gates is 106300.
//   - Each part's report carries "segments" = the message's total segment count. L1 only
//     says "number of 140-byte segments"; whether a part's report says 1 or the total is
//     unconfirmed. A client that does not rely on it should keep its own count from send
//     time (smsCount). Single-segment reports use the bare messageId ($0 only for n > 1).
//   - Every report is its own POST (JSON gates post one object); parts are shuffled with a
//     seeded source. One final report per part; no intermediate 1000/1005 reports.
//   - Gate retries: any 2xx acknowledges (acknowledge=false); the retry count and schedule
//     (5 retries, doubling) are the emulator's: LINK's are unpublished beyond a 48 h TTL.
//   - Gate authentication is Basic (LINK: "only basic authentication is supported") or a
//     token in the URL the receiver checks; no signature.
//   - LINK's local time is CET (UTC+1) without daylight saving; customParameters of a
//     report also carry "source" and "destination" (§11 of the facts); an inbound message
//     carries "received" as well as "queued".
//   - Text outside the BMP is refused at send (LINK says it is unsupported; whether it
//     refuses or mangles it is unconfirmed).
//   - STOP blocks later sends from that short number to the handset (reported 2205); LINK
//     does not document automatic blocking.
//   - Message ids are 24 random alphanumerics; operator "no.telenor" and operatorResultCode
//     "2" on delivered reports, null otherwise.
//   - Outcomes: StatusSent → 1000, StatusUndelivered → 1006, StatusFailed → 0, StatusExpired
//     → 1002, StatusRejected → 2104, StatusUnknown → 4 (ResultFor).
package linkmobilitytest
