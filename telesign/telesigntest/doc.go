// Package telesigntest is a Telesign SMS API emulator in the style of net/http/httptest, for
// tests that must not reach Telesign: the messaging API on one side, and Telesign's signed
// callbacks (delivery reports, inbound mo_sms messages) on the other. Facts:
// vendors/telesign.md.
//
//	srv := telesigntest.NewServer(&telesigntest.Options{CallbackURL: app.URL + "/telesign"})
//	defer srv.Close()
//	// base URL srv.URL, customer id srv.CustomerID(), API key srv.APIKey()
//
// The default credentials (DefaultCustomerID, DefaultAPIKey) are those of the official
// Node client's captured requests, which the emulator accepts byte for byte.
//
// # Authentication
//
// Every request needs Basic (customer_id:api_key, the key as its base64 text) or TSA
// authentication: "Authorization: TSA <customer_id>:<base64 HMAC-SHA256>" over
// StringToSign (method, Content-Type, Date, x-ts-auth-method, x-ts-date when sent,
// x-ts-nonce, the body, the path), keyed with DecodeKey(api_key) — lenient base64, as the
// SDKs decode. HMAC-SHA1 is accepted where x-ts-auth-method says so. The Date (or x-ts-date)
// must lie within Options.DateTolerance of the emulator clock, and a nonce is accepted once.
// Failures answer 401 with Telesign's envelope {"reference_id","status":{"code",
// "description","updated_on"},"external_id"} and the code: 10009 no header, 10028 malformed,
// 10015 customer id, 10022 API key (Basic), 10006 auth method, 10007 no date, 10005 date
// format, 10004 date out of range, 10003 nonce length, 10002 nonce reused, 10008 signature
// (with "signature_string", the string the emulator expected to be signed).
//
// # The API
//
//   - POST /v1/messaging, form phone_number (digits only), message (≤ 1600 characters),
//     message_type (ARN, OTP, MKT), sender_id, callback_url, external_id,
//     account_lifecycle_event, originating_ip: HTTP 200 {"reference_id" (32 upper-case hex),
//     "external_id" (echo or null), "status":{"code":290,"description":"Message in
//     progress","updated_on"}, "additional_info":{"message_parts_count"}};
//   - GET /v1/messaging/{reference_id}: the same body with the current status; 404 10017
//     for an unknown id.
//
// Refusals are HTTP 400 with the envelope: 12000/12009/12017 missing phone_number, message,
// message_type; 11000 phone_number not 7–15 digits; 11001 a number starting with 0; 11009
// message too long; 11017 message_type; 11013 sender_id (over 20 characters or not
// alphanumeric); 11004 callback_url; 11003 account_lifecycle_event; 11010 originating_ip;
// 10031 a number on the customer's block list (Block, or an inbound STOP); 10032 a number
// on Telesign's global blocklist (BlockGlobally). SetHardCap makes sends beyond a count
// fail with 429 10020. Armed faults answer their HTTP status with the envelope: 429 →
// 10019 "Rate Limit Exceeded" (with Retry-After when asked), 5xx → 10000, 401 → 10008,
// 402 → 10030.
//
// # Delivery reports
//
// An accepted message's reports go to its callback_url, else Options.CallbackURL (the
// account's Transaction Callback Service URL): 203 "Delivered to gateway" at once, then the
// final status of the outcome (SetOutcome, SetOutcomeDelay, POST /_emulator/outcomes;
// CodeFor maps portable statuses, a numeric error code is taken as the Telesign code):
// 200 "Delivered to handset" by default. Each is one JSON POST {"reference_id","status",
// "submit_timestamp","external_id","additional_info":{"message_parts_count","price",
// "currency","sender_id"}}, signed "Authorization: TSA <customer_id>:<base64 HMAC-SHA256 of
// the raw body>" with the bare signature in X-TS-Authorization. One message's reports keep
// their order. Only an answer of exactly 200 acknowledges; anything else is retried
// Options.Retries times (default 3) after 5, 10, 15 units of Options.RetryUnit (RetryWait).
// Without a callback URL the statuses apply when due and the status query shows them.
// PushStatus reports a new status now.
//
// # Inbound messages
//
// SendInbound (POST /_emulator/inbound) posts a signed mo_sms callback {"reference_id",
// "status":{"code":1500,...},"user_response":{"sender_id","iso_country_code","action",
// "keyword","phone_number","mo_message"},"sub_resource":"mo_sms","errors":{},
// "submit_timestamp"} to Options.InboundURL, else Options.CallbackURL. The action is
// Telesign's default keyword mapping (Action): stop (arrêt, arret, cancel, end, quit, stop,
// unsubscribe), help (aide, contact, help, info), start, else generic. A stop puts the
// handset on the customer's block list, a start takes it off.
//
// # Tests of callback handlers
//
// NewReport, DeliveryReportRequest, NewInbound and InboundRequest build the signed
// requests Telesign would make without sending them; CallbackAuthorization and Sign give
// signatures; SignRequest signs an API request as the SDKs do.
//
// # Control API
//
// Under /_emulator/: requests, faults, outcomes, deliveries, messages,
// messages/{id}/status, inbound, optouts, blocklist ({"to","global"}), hardcap ({"n"}),
// config (callback_url, inbound_url), reset, callbacks/wait.
//
// # Assumptions
//
//   - Date tolerance 15 minutes (Telesign's window is unpublished); a nonce is remembered
//     for twice the tolerance, per emulator (Telesign's replay window is unpublished).
//     Nonce lengths 1–128 are accepted (10003's bounds are unpublished).
//   - A TSA request whose Content-Type differs from the signed one fails as 10008; GET
//     query strings may be signed with or without the query (the SDKs sign the path only,
//     the sample code path and query).
//   - phone_number with anything but digits (a "+", spaces) is refused with 11000; Telesign
//     says to "avoid" them, and may strip them instead. 7–15 digits; a leading 0 is 11001.
//   - sender_id: at most 20 characters of 0-9, A-Z, a-z and space (the OpenAPI maxLength;
//     the character rule is the emulator's). external_id has no length limit here.
//   - Error descriptions not quoted in the facts are the emulator's texts; every error body
//     carries a fresh reference_id (the OpenAPI examples do).
//   - An inbound STOP puts the handset on the account-wide block list and later sends are
//     refused with 10031 (Telesign only promises to notify; whether it blocks by itself is
//     unconfirmed). START lifts it.
//   - Callback retries: 3 retries (4 attempts) after 5, 10 and 15 s (scaled), from a
//     third-party summary of the Transaction Callback Service; any non-200 answer is
//     retried, as Telesign's Inbound SMS doc says.
//   - Every accepted message gets a 203 intermediate report before its final one (Telesign
//     sends intermediate statuses "may"); price 0.01 USD per part; no mcc/mnc.
//   - Inbound status code 1500 "Delivered to customer"; iso_country_code derived from a few
//     calling codes ("" otherwise); the inbound URL defaults to the callback URL.
//   - Outcomes StatusUndelivered → 210, StatusFailed → 506, StatusRejected → 504,
//     StatusExpired → 221, StatusSent → 251, StatusUnknown → 250 (CodeFor): the emulator's
//     choice among the codes of each class.
//   - Retry-After on 429 is not documented by Telesign; a fault sends one when asked.
//   - Reference ids are random 32 upper-case hex digits; message_parts_count uses the
//     library's GSM-7/UCS-2 segment count.
package telesigntest
