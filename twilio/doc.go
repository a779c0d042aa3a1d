// Package twilio sends SMS through Twilio Programmable Messaging and verifies and decodes its
// status callbacks and inbound messages into sms.Events.
//
//	p, err := twilio.New(twilio.Config{
//		AccountSID:     "AC…",
//		AuthToken:      sms.NewSecret(os.Getenv("TWILIO_AUTH_TOKEN")),
//		PublicURL:      "https://app.example.com",           // where Twilio reaches you
//		StatusCallback: "https://app.example.com/twilio/status",
//	}, nil)
//	client := sms.NewClient(p, nil)
//	http.Handle("/twilio/status", webhook.Handler(p, sink, nil))
//	http.Handle("/twilio/inbound", webhook.Handler(p, sink, nil))
//
// NewFromEnv reads TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and friends (EnvAccountSID…) and names
// the variable in every configuration error ("TWILIO_AUTH_TOKEN is not set"). An API key (SK…)
// may authenticate sends; the auth token is still needed to verify callbacks. A logger given
// in Options.Logger is used by sms.NewClient and webhook.Handler as well (Provider.Logger).
//
// Files: config.go (Config, Options, NewFromEnv), twilio.go (New, Send), errors.go (the REST
// and delivery code tables, the one error constructor), status.go (the MessageStatus table),
// callback.go (callback decoding), auth.go (X-Twilio-Signature), messages.go (FetchMessage,
// FindMessages).
//
// # Sending
//
// One form POST to /2010-04-01/Accounts/{AccountSid}/Messages.json per recipient
// (Capabilities.MaxRecipients is 1: sms.Client fans out with bounded concurrency, and Send
// refuses more than one recipient before any request). Fields: To, From or
// MessagingServiceSid, Body, StatusCallback, ValidityPeriod, and SendOptions (SmartEncoded,
// ShortenUrls, SendAt + ScheduleType=fixed, ContentRetention, AddressRetention, RiskCheck,
// ProvideFeedback, MediaUrl). The body limit is 1600 characters. Message.CallbackURL is
// honoured (Capabilities.CallbackURL): it becomes the message's StatusCallback. Twilio's
// Messages API has no traffic-class field, so Capabilities.MessageTypes is empty.
//
// A request that failed as a whole is returned as (nil, err); sms.Client copies err, its code
// and NotAccepted unchanged, into the recipient's result. CloseIdleConnections
// (sms.IdleCloser) releases the HTTP client's idle connections.
//
// # Sender types
//
//	sms.SenderLongCode      From = E.164 number (US A2P needs 10DLC registration)
//	sms.SenderTollFree      From = E.164 toll-free number (verified)
//	sms.SenderShortCode     From = the short code digits
//	sms.SenderAlphanumeric  From = 1–11 of A–Z a–z 0–9 space - + _ &, with a letter; one-way, not US/CA
//	sms.SenderPool          MessagingServiceSid = MG… (sender pool, scheduling, link shortening)
//
// # Errors
//
// One constructor (errors.go) names the provider on every error this package makes. A non-2xx
// answer gets the portable code and NotAccepted of its HTTP status from the shared
// status→code function, refined by the code of Twilio's JSON error body (code, message,
// more_info, status); the Twilio-Request-Id header becomes RequestID. The message is Twilio's
// "message" field, or the HTTP status text: a body that is not Twilio's JSON error (a proxy's
// page, which may echo the request's Authorization header) never reaches an error or a log.
// Every 4xx means no message was created (NotAccepted), except 408 and 409, which prove
// nothing.
//
//	20003        Unauthenticated   bad SID or token
//	20404        NotFound
//	20429 / 429  RateLimited       never processed: retried after Retry-After
//	21211, 21614 InvalidRecipient  invalid To; To not a mobile number
//	21612        InvalidRecipient  no route from this From to this To: the pair, not the account, is at fault
//	21408        PermissionDenied  geo permission for the region is off: fixed in the account's settings
//	21610        OptedOut          the recipient replied STOP to this sender
//	21212, 21606, 21659  InvalidArgument  invalid From / not a sender of the account
//	21611        RateLimited       too many messages queued on this From
//	21602, 21603, 21604, 21617, 21658, 21601, 21620  InvalidArgument
//	5xx (503 included), reset or timeout after the request was written: OutcomeUnknown
//
// "Not processed" exceptions among 5xx answers: none. Twilio documents only 429 (20429) as
// never processed; a 503 can follow a message Twilio accepted, and Messages create is not
// idempotent, so a 5xx is never retried.
//
// Delivery errors arrive on delivery reports as Event.ErrorCode, with the portable Event.Code
// from this table (Twilio's error dictionary; descriptions unconfirmed). A message sent
// through a Messaging Service is checked after it is created, so 21xxx refusals arrive here
// too.
//
//	ErrorCode  description                        Event.Code
//	30001      queue overflow                     RateLimited
//	30002      account suspended                  PermissionDenied
//	30003      unreachable destination handset    InvalidRecipient
//	30004      message blocked                    OptedOut (see Assumptions)
//	30005      unknown destination handset        InvalidRecipient
//	30006      landline or unreachable carrier    InvalidRecipient
//	30007      carrier filtering                  PermissionDenied (see Assumptions)
//	30008      unknown error                      Unknown
//	30034      unregistered US 10DLC number       PermissionDenied
//	21610      unsubscribed recipient             OptedOut
//	21211, 21612, 21614                           InvalidRecipient
//	21408      region not enabled                 PermissionDenied
//	other      the callback's ErrorMessage        Unknown
//
// # Reconciling OutcomeUnknown
//
// A send that ended OutcomeUnknown may have created a message. Before sending again, call
// FindMessages with what identifies the attempt — To, From, the body, and CreatedSince set to
// the first attempt's time less a margin for clock skew — and send again only when nothing is
// found. Twilio's list API filters on To, From and DateSent only, and a message still queued
// has no DateSent, so FindMessages filters To and From on Twilio's side and creation time and
// body on each page, following next_page_uri up to MaxPages (an incomplete listing is an
// error). FetchStatus (sms.StatusFetcher) reads one message's status by SID.
//
// # Status table
//
// StatusOf maps Twilio's MessageStatus word (status.go):
//
//	MessageStatus        sms.Status      final
//	accepted             Accepted        no
//	scheduled            Accepted        no
//	queued               Queued          no
//	sending              Queued          no
//	sent                 Sent            no (final in practice when the carrier sends no DLR)
//	delivered            Delivered       yes
//	undelivered          Undelivered     yes
//	failed               Failed          yes
//	read                 Delivered       yes
//	partially_delivered  Undelivered     yes
//	canceled             Failed          yes
//	receiving, received  (inbound messages)
//	anything else        Unknown, with RawStatus kept
//
// # Callbacks
//
// In the Twilio console, set the phone number's (or Messaging Service's) "A MESSAGE COMES IN"
// webhook to your inbound URL with HTTP POST; status callbacks go to Config.StatusCallback (or
// Message.CallbackURL) per message, or to the Messaging Service's status callback URL. Both can
// share one handler: the provider tells them apart.
//
// Every callback is verified before it is decoded: X-Twilio-Signature is checked against the
// public origin + the raw request URI (tried as given, with the port stripped and with the
// scheme's default port added), the sorted form parameters (or the bodySHA256 of a JSON body),
// in constant time, with AuthToken and SecondaryAuthToken. The public origin is
// Config.PublicURL, else the scheme://host[:port] of Config.StatusCallback (the URL Twilio is
// told to call); set PublicURL when Twilio reaches the application under another origin or a
// path prefix a proxy strips. Config.InsecureSkipSignatureVerification turns the check off.
//
// What goes wrong, and how it shows:
//
//	no origin, or no auth token      every callback: CodeInternal, webhook answers 500 and
//	(sending with an API key only)   logs the reason at error ("set PublicURL (or
//	                                 StatusCallback)…"); sending works
//	wrong origin (proxy, tunnel)     every callback: CodeUnauthenticated, 401; the provider
//	                                 logs at warn the URL it checked, to compare with the
//	                                 URL configured in Twilio
//	forged or altered request        that request: 401, logged the same way
//
// Neither the signature nor a token is ever logged. A request without
// the signature header is refused before its body is looked at, and a form (or a GET
// webhook's query string) of more than MaxFormFields (256) fields before it is decoded or
// sorted; a real callback has a few dozen.
//
// The inbound reply is an empty TwiML document as text/xml, because any other body is texted
// back to the sender. The provider reports Twilio's own keyword signal only: OptOutType
// (Advanced Opt-Out) STOP → sms.EventOptOut, START → sms.EventOptIn, HELP → sms.EventHelp,
// with Event.Keyword set to it, whatever the language of the word ("Arrêt"). Every other
// inbound message is a plain sms.EventInbound: webhook applies the keyword lists once, and
// never undoes a type set from OptOutType. Message.Reference travels as the ReferenceParam
// query parameter of the status callback URL and comes back signed.
//
// Event.ID is derived from authenticated content only: sms.EventID over the provider name,
// MessageSid, the status word (empty for inbound messages) and ErrorCode — signed body fields
// — or, for a callback of unknown shape, over the signed request URI and body. The
// I-Twilio-Idempotency-Token header is not signed and is not used: a replay of a signed
// callback with that header changed or removed has the original's ID and is de-duplicated.
//
// Twilio retries a callback only when asked through connection overrides on the callback URL:
// set Config.ConnectionOverrides (for example "rc=3&rp=all") so that a 5xx from the
// application's handler is retried.
//
// # Assumptions
//
// Where the vendor facts are unconfirmed this package assumes:
//   - a 429 may carry Retry-After; it is honoured when present, else exponential backoff;
//   - the exact HTTP status of some 21xxx codes varies; the code in the body decides;
//   - connection overrides go in the URL fragment (#rc=…&rp=…) and Twilio signs the URL
//     without the fragment;
//   - OptOutType carries STOP, START or HELP; opt-outs are scoped to the Messaging Service when
//     the callback names one, else to the receiving number;
//   - partially_delivered is final and mapped to Undelivered;
//   - an empty TwiML <Response/> is an acceptable answer to every inbound webhook;
//   - RawDlrDoneDate (YYMMDDhhmm, no zone) is read as UTC, so Event.Timestamp may be off by
//     the carrier's offset;
//   - a callback for "sending" may arrive and is mapped to Queued;
//   - delivery error descriptions come from Twilio's error dictionary; for other codes the
//     callback's ErrorMessage is used when present;
//   - 30004 "message blocked" is mapped to OptedOut: Twilio's dictionary lists the recipient
//     blocking the sender among its causes, and stopping further sends is the compliant side;
//   - 30007 "carrier filtering" is mapped to PermissionDenied: the carrier refused this sender
//     or content (spam filter, unregistered traffic), the recipient is not at fault, and the
//     same send is refused again until the sender is registered or the content changes;
//   - the Messages list filters on To, From and DateSent only (as twilio-go's list
//     parameters), PageSize is at most 1000, and next_page_uri is a path under the API
//     origin; the order of the list is not relied on;
//   - on repeated form keys the official libraries disagree (twilio-go signs the first
//     value, twilio-node every value sorted): Sign follows twilio-node and Verifier accepts
//     both. SMS callbacks carry no repeated keys.
package twilio
