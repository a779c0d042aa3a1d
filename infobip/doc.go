// Package infobip sends SMS through Infobip and parses its delivery reports and inbound
// messages.
//
// # Credentials
//
// Infobip authenticates with an API key sent as "Authorization: App <key>" against the
// account's own API base URL (a host such as xxxxx.api.infobip.com; without a scheme it gets
// https://). Both are on the Developers tab of the Infobip portal — the two values a Dynamics
// 365 Customer Insights – Journeys integration asks for. The key needs the sms:message:send
// scope, and sms:logs:read for FetchStatus.
//
//	p, err := infobip.New(infobip.Config{
//		APIKey:         sms.NewSecret(key),
//		BaseURL:        "xxxxx.api.infobip.com",
//		DeliveryURL:    "https://app.example.com/hooks/infobip?token=" + hookSecret,
//		CallbackTokens: []sms.Secret{sms.NewSecret(hookSecret)},
//	}, nil)
//
// NewFromEnv reads INFOBIP_API_KEY and INFOBIP_BASE_URL (required; a missing one is named in
// the error), INFOBIP_DELIVERY_URL, INFOBIP_CALLBACK_TOKENS (comma-separated),
// INFOBIP_CALLBACK_USER, INFOBIP_CALLBACK_PASSWORD, INFOBIP_API_VERSION and
// INFOBIP_MAX_RECIPIENTS.
//
// # Sending
//
// Send posts to /sms/3/messages (Options.APIVersion V3, the default) or /sms/2/text/advanced
// (V2, the endpoint the official Node client uses); the field mapping of each version is one
// table, on v3Request and v2Request in infobip.go:
//
//	sms.Message    v3                                 v2
//	To             destinations[].to (no '+')         destinations[].to (no '+')
//	(derived)      destinations[].messageId           destinations[].messageId
//	From           sender                             from
//	Body           content.text                       text
//	CallbackURL    webhooks.delivery.url              notifyUrl
//	(fixed)        webhooks.contentType JSON          notifyContentType JSON
//	Reference      webhooks.callbackData              callbackData
//	Validity       options.validityPeriod             validityPeriod (minutes)
//	               {amount, MINUTES|SECONDS}
//	(derived)      options.schedule.bulkId            bulkId
//
// One request carries up to Options.MaxRecipients destinations (default 1000: Infobip
// publishes no limit; sms.Client splits larger sends). Every destination has our own
// messageId, MessageID(Message.IdempotencyKey, recipient), so that an ambiguous answer (a 5xx,
// a timeout after the request was written: OutcomeUnknown) can be reconciled with
// FetchStatus (GET /sms/3/logs?messageId=…) before resending.
//
// # Sender types
//
//	long code, 10DLC  E.164, sent without '+'; provisioned on the account
//	toll-free         E.164, sent without '+'; must be verified (error 488 otherwise)
//	short code        digits; provisioned on the account
//	alphanumeric      3–11 characters (ValidateSender); one-way
//
// Sender pools are not supported.
//
// # Status table
//
// Delivery reports and send answers carry a status object; StatusOf maps it by groupId and
// id (names differ between Infobip's sources for one id), see StatusOf for the full table:
// PENDING is Accepted or Sent, DELIVERED_TO_HANDSET Delivered, DELIVERED_TO_OPERATOR Sent
// (not final), UNDELIVERABLE Undelivered, EXPIRED Expired, REJECTED Rejected.
// REJECTED_DESTINATION_BLOCKLISTED (14) and REJECTED_DND (10) are CodeOptedOut;
// REJECTED_DUPLICATE_MESSAGE_ID (23) is not a status of the message: Send reports that
// recipient accepted (the message exists) and ParseCallback an EventUnknown. The error object
// of a report is classified by ErrorClass (ErrorTable): for example 2052
// EC_BLACKLISTED_DESTINATIONADDRESS and 573 EC_SC_BLOCKED_BY_END_USER are CodeOptedOut, 1
// EC_UNKNOWN_SUBSCRIBER and 351 EC_INVALID_DESTINATION_ADDRESS CodeInvalidRecipient.
//
// # Error table
//
// Whole-request errors come in two shapes, tried on every answer: ApiError
// {errorCode, description, violations[]} (v3) and ApiException
// {requestError: {serviceException: {messageId, text, validationErrors}}} (v1/v2). The code
// comes from the HTTP status, through the library's one status→code function:
//
//	HTTP   errorCode / messageId        sms.Code           NotAccepted
//	400    E400 / BAD_REQUEST           InvalidArgument    yes
//	401    E401 / UNAUTHORIZED          Unauthenticated    yes
//	403    E403 / FORBIDDEN             PermissionDenied   yes
//	404    NOT_FOUND                    NotFound           yes
//	429    E429 / TOO_MANY_REQUESTS     RateLimited        yes (sms.Client retries)
//	5xx    E500 / GENERAL_ERROR         OutcomeUnknown     no
//
// Infobip documents no 5xx as "not processed". VendorCode is errorCode or messageId and
// Message the description or text with the violations; an unparsed body never reaches an
// error. Per-destination refusals come in a 200, as a REJECTED status of that recipient.
//
// # Callbacks
//
// Delivery reports go to the URL of each message (Config.DeliveryURL or Message.CallbackURL,
// sent as webhooks.delivery.url or notifyUrl), or, without one, to the account's subscription
// (Infobip portal: Developers → Subscriptions, channel SMS, event "delivery reports"; or the
// Subscriptions API). Inbound messages go to the forwarding URL configured for the number
// (portal: Numbers → the number → Keywords/Forwarding, "Forward to HTTP", JSON format). Mount
// webhook.Handler(p, sink, nil) there and put ?token=<secret> on each URL, the secret being
// one of Config.CallbackTokens; or set the subscription's security to BASIC and give
// Config.CallbackUser and CallbackPassword. Callbacks are refused unless one of those, or
// Config.VerifyCallback, is configured (InsecureSkipCallbackAuth turns checking off).
// Config.VerifyCallback is the hook for the subscription security types HMAC and OAUTH: it
// gets the request and the raw body, and refuses the callback by returning an error.
//
// # Assumptions
//
//   - Whether Infobip's duplicate-messageId check (REJECTED_DUPLICATE_MESSAGE_ID) spans
//     separate requests and how long it remembers ids is unconfirmed, so sends are not
//     declared idempotent (Capabilities.IdempotentSends false); reconcile an OutcomeUnknown
//     recipient with FetchStatus before resending.
//   - The maximum number of destinations per request is not published: 1000 by default.
//   - Infobip's HMAC and OAUTH callback security modes: the header name and signed string are
//     not published; hence Config.VerifyCallback instead of a built-in check. That a BASIC
//     subscription sends "Authorization: Basic …" is inferred from its field names.
//   - The groupName ACCEPTED has no documented groupId; it is read as Accepted.
//   - Retry-After on a 429 is not documented; it is honoured when present.
//   - The character set of alphanumeric sender IDs is not published: the root set is used.
//   - The "type":"text" field the official Node client adds to a v2 request is that
//     client's own (not in the v2 schema); this package does not send it.
//   - The portable classes of status and error ids (CodeOptedOut for REJECTED_DND, …) are
//     this package's reading of Infobip's descriptions.
//   - Inbound callbackData comes from the number's forwarding configuration, not from a send:
//     it stays in Raw and Event.Reference is empty.
//   - The XML formats of reports are not parsed: reports are asked in JSON.
package infobip
