// Package telesign sends SMS through Telesign's SMS API (POST /v1/messaging) and parses its
// signed delivery reports and inbound messages.
//
// # Credentials
//
// Telesign authenticates with the account's Customer ID and API key, both on the Telesign
// portal's dashboard — the two values a Dynamics 365 Customer Insights – Journeys
// integration asks for. Requests use Basic auth by default
// ("Authorization: Basic base64(customer_id:api_key)"); Options.Auth AuthTSA switches to
// Telesign's digest scheme, an HMAC-SHA256 over the method, content type, Date,
// x-ts-auth-method, x-ts-nonce, body and path keyed with the base64-decoded API key, with a
// fresh Date and nonce on every attempt (Options.Clock and Options.Nonce replace them in
// tests). The API key is decoded leniently, as the official SDKs do: characters outside the
// base64 alphabet are dropped. Callbacks are verified with the same key.
//
//	p, err := telesign.New(telesign.Config{
//		CustomerID:  customerID,
//		APIKey:      sms.NewSecret(apiKey),
//		DeliveryURL: "https://app.example.com/hooks/telesign",
//	}, &telesign.Options{Auth: telesign.AuthTSA})
//
// NewFromEnv reads TELESIGN_CUSTOMER_ID and TELESIGN_API_KEY (required; a missing one is
// named in the error), TELESIGN_BASE_URL, TELESIGN_DELIVERY_URL, TELESIGN_CALLBACK_KEYS
// (comma-separated, for key rotation) and TELESIGN_AUTH ("basic" or "tsa").
//
// # Sending
//
// One recipient per request (sms.Client fans out). The form, in the official clients' field
// order:
//
//	sms.Message     form field
//	To[0]           phone_number (digits, no '+')
//	Body            message (at most 1600 characters; Telesign splits it into parts)
//	Type            message_type: ARN (TypeDefault, TypeTransactional), OTP, MKT
//	From.Value      sender_id (numbers without '+'); omitted when empty
//	CallbackURL     callback_url (default Config.DeliveryURL), with ?smsbridge_attempt=…
//	Reference       external_id (the AttemptID when Reference is empty)
//
// Message.Validity is not supported (CodeUnsupported): the API has no validity field.
// reference_id of the answer is the message id; FetchStatus reads
// GET /v1/messaging/{reference_id} (kept by Telesign for up to 12 hours).
//
// A send whose answer was lost (a 5xx, a timeout after the request was written:
// OutcomeUnknown) never learnt its reference_id, and Telesign does not de-duplicate resends.
// Every send therefore carries an attempt id derived from Message.IdempotencyKey and the
// recipient, AttemptID(key, to): on callback_url (AttemptParam, read back with AttemptOf)
// and, when Message.Reference is empty, as external_id, which Telesign echoes in every
// delivery report (Event.Reference). Persist SendResult.IdempotencyKey with the ambiguous
// recipient and wait for the report carrying its attempt id before resending. A message
// with a Reference and no callback URL carries the attempt id nowhere: its reports are
// matched by the Reference, and the OutcomeUnknown error says so.
//
// # Sender types
//
//	(none)          Telesign picks the sender from its shared routes (the default)
//	long code       E.164, sent as digits; bought from Telesign, needed for inbound
//	toll-free       E.164, sent as digits
//	short code      digits; bought from Telesign, needed for inbound
//	alphanumeric    1–11 characters (ValidateSender; the schema allows 20)
//
// Any sender_id must be enabled for the account by Telesign support, and Telesign may replace
// it (delivery report 521: sender ID not allowed for the destination).
//
// # Status table
//
// status.code values in bodies are Telesign statuses, not HTTP statuses (200 is "Delivered to
// handset", 500 "Transaction not attempted"). StatusOf maps them; the full table is
// StatusTable. 290 (in progress, the answer to a send) is Accepted, 292 Queued, 203 Sent —
// these and 295 are intermediate, a final status follows. 200 and 201 are Delivered, 251 Sent
// (no handset report will come). 229, 510 and 10031 (blocked at your request or by the
// subscriber) are Rejected with CodeOptedOut; 230 and 10032 (Telesign's own blocklist) are
// Rejected with CodePermissionDenied — not a consent signal; 507, 286 and 11000 are
// CodeInvalidRecipient. Unknown codes are StatusUnknown with the code kept in RawStatus.
//
// # Error table
//
// Errors come in one envelope, {"reference_id", "status": {"code", "description"}} (or an
// errors[] array); the class comes from the HTTP status through the library's one
// status→code function, refined for a 4xx refusal (not 408 or 409) by the status.code (ErrorClass):
//
//	HTTP  status.code                          sms.Code           retried by sms.Client
//	429   10019 rate limit exceeded            RateLimited        yes
//	429   10020 messaging hard cap             PermissionDenied   no
//	401   10002–10009, 10013, 10015, 10022,    Unauthenticated    no
//	      10028 (nonce, Date, signature, key)
//	401   10010 suspended, 10011 not enabled,  PermissionDenied   no
//	      10014 source IP
//	402   10030 insufficient funds             PermissionDenied   no
//	400   10031 blocked at your request        OptedOut           no
//	400   10032 blocked by Telesign            PermissionDenied   no
//	400   10033, 10034, 10035                  PermissionDenied   no
//	400   11000, 11001 phone number, country   InvalidRecipient   no
//	400   other 11xxx, 12xxx                   InvalidArgument    no
//	404   10017, 10036 reference id            NotFound           no
//	5xx   10000 system unavailable             OutcomeUnknown     no
//
// Telesign documents no 5xx as "not processed", so every 5xx is OutcomeUnknown. VendorCode is
// the status.code and Message its description; an unparsed body never reaches an error. 10032
// is PermissionDenied rather than InvalidRecipient: the number may be valid, Telesign's policy
// refuses it, and another vendor may deliver.
//
// # Callbacks
//
// Telesign posts delivery reports to the message's callback_url, or, without one, to the
// account's callback URL: in the Telesign portal open the SMS settings, switch on "Callback
// status" and enter the URL of the application (or ask Telesign support to set the
// Transaction Callback Service URL). Inbound messages (a Telesign long or short code with
// "SMS 2-Way Inbound" enabled) come to the same URL. Mount webhook.Handler(p, sink, nil)
// there; it answers exactly 200, as Telesign expects (it retries anything else).
//
// Every callback carries "Authorization: TSA <customer_id>:<signature>" and
// "X-TS-Authorization: <signature>", the signature being base64 HMAC-SHA256 of the raw body
// under the base64-decoded API key. ParseCallback checks it in constant time against the API
// key and every Config.CallbackKeys (rotation), with the customer id, and refuses anything
// else (CodeUnauthenticated); InsecureSkipCallbackAuth turns the check off.
//
// # Assumptions
//
//   - Telesign does not de-duplicate sends (none documented; external_id is only echoed), so
//     sends are not declared idempotent; OutcomeUnknown is settled through the attempt id.
//   - Whether a 500/503 with code 10000 can still let a message leave is unconfirmed: it is
//     OutcomeUnknown.
//   - The tolerance of the Date check (10004) and Retry-After on a 429 are unconfirmed;
//     Retry-After is honoured when present.
//   - The callback retry policy (3 or 4 attempts) is unconfirmed.
//   - X-TS-Authorization carries the bare signature (an official SDK test) — the TSA form is
//     accepted there too; either header passing is enough.
//   - The MO status.code of the legacy Inbound SMS product is unconfirmed: inbound callbacks
//     are recognised by user_response, not by their status.
//   - Whether Telesign blocks later sends after a STOP is unconfirmed; 10031/229 (your block
//     list) are read as opt-outs.
//   - The alphanumeric limit (11) is the carriers' rule, not a published Telesign limit.
//   - The portable classes of status and error codes are this package's reading of Telesign's
//     texts; "Final"/"Intermediate" labels come from Telesign where given.
//   - The maximum length of external_id is not published (11016 refuses an invalid one).
//   - The path of the "Callback status" switch in the portal is as Customer Insights –
//     Journeys' setup guide describes it; accounts without it ask Telesign support.
package telesign
