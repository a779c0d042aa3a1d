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
// NewFromEnv reads TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and friends. An API key (SK…) may
// authenticate sends; the auth token is still needed to verify callbacks.
//
// # Sending
//
// One form POST to /2010-04-01/Accounts/{AccountSid}/Messages.json per recipient
// (Capabilities.MaxRecipients is 1; sms.Client fans out with bounded concurrency). Fields: To,
// From or MessagingServiceSid, Body, StatusCallback, ValidityPeriod, and SendOptions
// (SmartEncoded, ShortenUrls, SendAt + ScheduleType=fixed, ContentRetention, AddressRetention,
// RiskCheck, ProvideFeedback, MediaUrl). The body limit is 1600 characters.
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
// Twilio's JSON error body (code, message, more_info, status) and the Twilio-Request-Id header
// become an *sms.Error. Every 4xx means no message was created (NotAccepted).
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
//	5xx, reset or timeout after the request was written: OutcomeUnknown (Messages create is
//	not idempotent, so it is never retried)
//
// Delivery errors arrive on delivery reports as Event.ErrorCode: 30001 queue overflow, 30002
// account suspended, 30003 unreachable handset, 30004 message blocked, 30005 unknown
// destination handset, 30006 landline or unreachable carrier, 30007 carrier filtering, 30008
// unknown error, 30034 unregistered US 10DLC number.
//
// # Reconciling OutcomeUnknown
//
// A send that ended OutcomeUnknown may have created a message. Before sending again, call
// FindMessages(ctx, to, from, since) and look for your body; FetchStatus (sms.StatusFetcher)
// reads one message's status by SID.
//
// # Status table
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
// Every callback is verified before it is decoded: X-Twilio-Signature is checked against
// Config.PublicURL + the raw request URI (tried as given, with the port stripped and with the
// scheme's default port added), the sorted form parameters (or the bodySHA256 of a JSON body),
// in constant time, with AuthToken and SecondaryAuthToken. Without PublicURL, ParseCallback
// fails closed; Config.InsecureSkipSignatureVerification turns the check off.
//
// The inbound reply is an empty TwiML document as text/xml, because any other body is texted
// back to the sender. Inbound bodies pass through keyword detection (STOP → sms.EventOptOut),
// and Twilio's OptOutType (Advanced Opt-Out) wins when present. Event.ID is the
// I-Twilio-Idempotency-Token header when present, else sms.EventID. Message.Reference travels
// as the ReferenceParam query parameter of the status callback URL and comes back signed.
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
//   - on repeated form keys the official libraries disagree (twilio-go signs the first
//     value, twilio-node every value sorted): Sign follows twilio-node and Verifier accepts
//     both. SMS callbacks carry no repeated keys.
//
// FindMessages reads the first page (50 messages, newest first); narrow it with from and since.
package twilio
