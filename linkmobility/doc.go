// Package linkmobility sends SMS through LINK Mobility's "Common platform" SMS REST API and
// parses its delivery reports and inbound messages (vendors/linkmobility.md).
//
// # Credentials
//
// LINK's support hands out: the base URL of the assigned regional host (HostGeneral,
// HostNorthernEU, HostCentralEU, HostSouthernEU, HostNorway, HostGermanyFrankf; any URL is
// accepted, e.g. an emulator), a username and password (HTTP Basic on every request),
// platformId, platformPartnerId and, once you give them your delivery-report URL, a gate id.
// These are Config.BaseURL, Username, Password, PlatformID, PlatformPartnerID and GateID, or
// LINKMOBILITY_BASE_URL, _USERNAME, _PASSWORD, _PLATFORM_ID, _PLATFORM_PARTNER_ID and _GATE_ID
// for NewFromEnv.
//
// # Sending
//
// One recipient is POST /sms/send, several POST /sms/sendbatch (at most 1000 items; sms.Client
// splits larger sends). Every request sets ignoreResponse false (LINK's default answers 204
// with no message id), replySmsCount "true" (customParameters values are strings), refId =
// Message.Reference, relativeValidityTime = Message.Validity (at most 48h), and, with a GateID,
// useDeliveryReport true and deliveryReportGates [GateID]. Text outside the Basic
// Multilingual Plane (most emoji) is refused before any request with CodeInvalidArgument:
// LINK cannot carry it.
//
// Sender types (sourceTON): an alphanumeric sender (ALPHANUMERIC) is 2–11 letters and digits
// and must not begin with a digit; a short code (SHORTNUMBER) is digits; a number (MSISDN) is
// E.164 with '+'. Destinations are E.164 with '+'.
//
// # Errors
//
// A non-2xx answer is LINK's ErrorResponse {status, description, translatedDescription};
// the code comes from the HTTP status (400 InvalidArgument, 401 Unauthenticated, 403
// PermissionDenied), refined by the documented status codes (ErrorClass): 106000 keeps the
// HTTP status's code, 106100 Unauthenticated, 106101 PermissionDenied, 106200/106201/106202 InvalidArgument,
// 106300 PermissionDenied (no gates: contact support), 106301 InvalidArgument (check GateID).
// VendorCode is status, Message description; the raw body never reaches an error. Not
// processed 5xx: none (LINK documents no 5xx; every 5xx after writing is OutcomeUnknown).
//
// # Status table
//
// StatusTable lists every resultCode of LINK's v1.18 table with its status and class: 1000,
// 1011, 1013 sent; 1005, 1008, 1012 queued; 1001, 1007 delivered; 1002, 1010 expired; 4, 5
// unknown; everything else a final failure. Barring: 2105 (permanently barred) is rejected
// with CodeInvalidRecipient, 2107 (temporarily barred) undelivered with CodeUnavailable,
// 2205 (service rejected by subscriber) rejected with CodeOptedOut. An unknown code is failed
// with CodeUnknown.
//
// # Callbacks
//
// LINK pushes delivery reports and inbound messages to gates its support configures; there
// is no per-message URL. Ask LINK's support for: a JSON gate (contentType application/json,
// method POST) for delivery reports at https://your.app/sms/linkmobility, whose id becomes
// Config.GateID; the inbound (MO) route of your keyword or short number to a JSON gate at the
// same URL; and the gate's Basic username/password (Config.CallbackUser, CallbackPassword) —
// or put ?token=… in both URLs (Config.CallbackTokens). Either is required: callbacks fail
// closed. Config.CallbackSources (DefaultCallbackSources for LINK's published addresses)
// additionally checks r.RemoteAddr; behind a proxy restore the client address first. Ask for
// acknowledge=false (any 200 counts); with acknowledge=true put the body LINK expects in
// Config.AckBody.
//
// Multipart messages give one report per part, id "msgId$0", "msgId$1", …: events with
// MessageID msgId, Part n+1 and Parts the report's segments, which webhook.Handler folds into
// one message status (never delivered while a part is not, the worst part's failure
// otherwise). Inbound messages keep the receiving service as LINK writes it in Event.To
// ("NO-2333") and give Event.ScopeID in the send source form ("2333").
//
// # Assumptions
//
//   - Part count: reports carry no explicit total; each part report's segments field is read
//     as the message's number of segments (it is documented as "number of 140-byte segments"
//     of the message). Parts is set only when segments > 1 and covers the part; otherwise it
//     is 0 and the fold never reports the message delivered, only sent or failed.
//   - The ErrorResponse status field carries the 106xxx codes (inferred; no published sample);
//     the misspelt transaltedDescription is accepted too.
//   - Sends are not idempotent: LINK has no idempotency key and refId is "not used for
//     anything except as a reference", so a resend creates a second message; sms.Client
//     retries only what was not sent.
//   - No status endpoint is documented, so the provider is not an sms.StatusFetcher.
//   - customParameters.received is local time of an unstated zone (the samples are one hour
//     ahead of the RFC 3339 timestamp): Timestamp uses timestamp or sentTimestamp only.
//   - A batch answer is matched to recipients by position (refId is the same for all).
//   - STOP is an ordinary MO (LINK does not say it blocks automatically): webhook classifies
//     the keyword; keep your own suppression list.
//   - 4 and 5 ("unknown delivery, unknown billing") are StatusUnknown; 0 and 1003 failed.
//   - Only JSON gates are parsed (form and XML gates are refused with 400).
package linkmobility
