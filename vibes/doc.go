// Package vibes sends SMS through Vibes' Connect HTTP Message API (US and Canada; XML over
// HTTPS) and parses its delivery receipts and inbound messages (vendors/vibes.md). Vibes
// publishes no official client: the facts are the only source, and everything they mark
// unconfirmed or proposed is listed under # Assumptions.
//
// # Credentials
//
// Vibes hands out a username and password for the Connect API (the company key of the
// Platform API is not used). They are Config.Username and Config.Password, sent as HTTP Basic
// auth on every request, or VIBES_USERNAME and VIBES_PASSWORD for NewFromEnv, which also reads
// VIBES_BASE_URL, VIBES_DELIVERY_URL, VIBES_CALLBACK_TOKENS (comma-separated),
// VIBES_CALLBACK_SOURCES ("default" or addresses/prefixes) and VIBES_TRUSTED_PROXIES; a
// missing required variable is named in the error ("VIBES_PASSWORD is not set"). The base URL
// defaults to DefaultBaseURL.
//
// # Sending
//
// One recipient per request, POST /MessageApi/mt/messages with Content-Type
// "text/xml; charset=utf-8" (sms.Client fans a message to several recipients out; the bundle
// endpoint is not used, its availability is unconfirmed). The body, escaped by encoding/xml:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<mtMessage submitterMessageId="…" splitLongMessage="true">
//	  <destination address="+18475551212" type="MDN"/><source address="98765" type="SC"/>
//	  <text>…</text><receiptOption callbackUrl="…">ALL</receiptOption></mtMessage>
//
//	sms.Message            mtMessage
//	IdempotencyKey, To[0]  @submitterMessageId = SubmitterMessageID(key, to) (36 ≤ 40 chars)
//	Body                   text; @splitLongMessage="true" when over 160 characters (or over
//	                       one segment by sms.CountSegments); at most 900 characters
//	To[0]                  destination@address in E.164, @type "MDN"
//	From                   source@address (short code digits, numbers E.164), @type SC/LC/TF
//	CallbackURL            receiptOption@callbackUrl (default Config.DeliveryURL), element
//	                       text ALL, Reference appended as ?smsbridge_ref=…; no URL, no
//	                       receiptOption (and no receipts)
//	Validity, Type         not supported (refused before any request)
//
// Text XML 1.0 cannot carry — a C0 control character other than tab, line feed and carriage
// return, U+FFFE, U+FFFF — is refused through sms.MessageValidator before any request
// (CodeInvalidArgument). Recipients must be in the US or Canada (Capabilities.Countries; the
// root places +1 numbers by area code, so the Caribbean members of the NANP are refused as
// InvalidRecipient before any request).
//
// # Sender types
//
//	short code    5 or 6 digits                        source@type SC
//	long code     +1 number of the US or Canada        source@type LC (assumed)
//	toll-free     +1 toll-free number                  source@type TF (assumed)
//
// Alphanumeric sender IDs do not exist in the US and Canada and are refused, as are pools.
// The code must be provisioned on the Vibes account (else internal error 8).
//
// # Status table
//
// Vibes posts one receipt per processing stage (<type>) and says whether it is an error
// (status@isError); StatusOf maps them (StatusTable):
//
//	stage     isError="false"   isError="true"
//	System    Accepted          Rejected (Vibes refused it; e.g. 9 MDN blocked)
//	Carrier   Sent              Failed
//	Handset   Delivered         Undelivered
//	other     Unknown (the word kept in Event.RawStatus)
//
// Only a Handset receipt without error is Delivered: a Carrier success is not delivery.
//
// # Error table
//
// A 200 whose XML carries a messageId (attribute of mtMessageRsp, or element) is success
// (StatusAccepted). A 2xx with no messageId and a <status isError="true"> under its root is
// Vibes' refusal of that recipient, NotAccepted, classed by internalErrorCode (ErrorTable):
//
//	internalErrorCode                          sms.Code
//	9  MDN blocked                             OptedOut
//	1–8, 10–16 (route, capped, multipart, …)   Unknown (VendorCode the number)
//	another or none                            Unknown (VendorCode internalErrorCode, else errorCode)
//
// Any other 2xx body is OutcomeUnknown: a wrong "not accepted" would let failover send twice.
// Non-2xx answers go through the library's one status→code function:
//
//	401   Unauthenticated    NotAccepted
//	403   PermissionDenied   NotAccepted
//	404   NotFound           NotAccepted
//	429   RateLimited        NotAccepted (sms.Client retries after Retry-After)
//	4xx   InvalidArgument    NotAccepted
//	5xx   OutcomeUnknown     (the message may exist)
//
// Not processed 5xx: none (see # Assumptions). A <status> in a non-2xx body gives VendorCode
// and Message; an unparsed body never reaches an error.
//
// # Settling OutcomeUnknown
//
// Vibes does not de-duplicate: a resend after a lost answer is a second message. Every send
// carries submitterMessageId = SubmitterMessageID(Message.IdempotencyKey, recipient), which
// Vibes echoes in each delivery receipt; the OutcomeUnknown error's message names it. Persist
// SendResult.IdempotencyKey and To of the ambiguous recipient, and compare
// SubmitterMessageIDOf(event) of incoming receipts with SubmitterMessageID(key, to): a receipt
// proves the message exists (its Event.MessageID is the lost messageId). Event.Reference
// holds Message.Reference when the send had one (carried on the receipt URL), else the
// submitterMessageId. Without a receipt URL nothing comes back: send with one.
//
// # Callbacks
//
// Delivery receipts are asked per message: Config.DeliveryURL, or Message.CallbackURL
// (Capabilities.CallbackURL). Inbound messages go to one URL per account, which the Vibes
// account manager configures: hand them the inbound URL (the same handler may serve both).
// Mount webhook.Handler(p, sink, nil) there. Vibes' receipts cannot carry Basic auth, so
// every URL carries ?token=<secret>, the secret one of Config.CallbackTokens (several allow
// rotation); without one every callback is refused (500, a configuration error), unless
// Config.InsecureSkipCallbackAuth. Config.CallbackSources (DefaultCallbackSources: Vibes'
// published US and EU addresses) adds a source-address allow-list, checked first (403);
// behind a reverse proxy list it in Config.TrustedProxies, and X-Forwarded-For is read only
// when the immediate peer is one (ClientAddr). Mutual TLS, which Vibes also offers, is
// configured on the server, outside this package.
//
// Answer quickly: Vibes' callback timeout is short (2 seconds in its older documentation) and
// a callback not answered 2xx is retried every 5 minutes, 5 times. The sink should store the
// events and return; do the work asynchronously. Malformed XML is answered 400.
//
// Receipts (mtMessageResponse, and the mtMessageResponses wrapper of the pull API: one event
// per item) and inbound messages (moMessage, and the legacy deliver with its text in an
// attribute and a 10-digit national source) are decoded as ParseCallback describes. A split
// message's receipts come per part (multipart element): events with MessageID the whole
// message's id, Part and Parts, which webhook.Handler folds into one message status that
// never moves back. An inbound message's attemptNumber is in no id, so Vibes' retries of one
// MO reach the application once; its carrier code stays in Raw (CarrierOf). Keywords (STOP,
// HELP) are classified by webhook: Vibes sends no opt-out flag of its own.
//
// # Assumptions
//
//   - The failure answer's shape is not published ("a 200 body indicates success or
//     failure"): assumed to be the receipt's <status isError="true"> inside the answer's root
//     (any root name), with the same description, errorCode and internalErrorCode. A 200
//     matching neither the documented success nor this shape is OutcomeUnknown.
//   - Non-200 answers: the facts' "system error, retry" sentence comes from the superseded
//     wiki, and a gateway's 5xx can follow acceptance; with no idempotency a wrong guess
//     sends twice. So no 5xx is "not processed" (every 5xx after writing is OutcomeUnknown),
//     and 401/403/429 follow HTTP semantics (inferred: Vibes documents none of them).
//   - source@type LC (long code) and TF (toll-free) are this package's choice: Vibes' samples
//     only show SC. Long codes and toll-free numbers are sent in E.164.
//   - The receipt status table is the facts' proposal; a System error is read as Rejected.
//   - internalErrorCode classes: only 9 (MDN blocked) is mapped (OptedOut); codes beyond 16
//     exist but were not published. Event.ErrorCode is internalErrorCode when present, else
//     the carrier's errorCode (both stay in Raw); Event.Code comes from internalErrorCode.
//   - The mtMessageRsp messageId of a split message is the originalMessageId its part
//     receipts carry (inferred from the sample, where part 1's messageId equals it); part
//     receipts are folded under it. masterMessageUid (older documents) is read too.
//   - splitLongMessage is also set for a text of more than one segment by the library's count
//     (a UCS-2 text over 70 characters), so that Vibes splits rather than truncates; the 900
//     character limit is Vibes' figure for carriers that concatenate.
//   - Short codes are 5 or 6 digits (the US and Canadian plans).
//   - Receipt dates are ISO 8601 with an offset; MO dates "2016-12-04 16:47:44-0600" (the
//     sample), or with a space before the offset as the documented "YYYY-MM-DD HH:MM:SS Z"
//     reads. Both are read by the library's timestamp normaliser; an unreadable date leaves
//     Timestamp zero.
//   - A 10-digit national address in a callback is a US/Canadian number (+1); an 11-digit one
//     starting with 1 too.
//   - Vibes posts to the callbackUrl exactly as sent, query included (the token and
//     smsbridge_ref travel there; the facts propose the token in the URL).
//   - Only UTF-8 (and US-ASCII) callback bodies are read; another declared encoding is 400.
//   - Whether Vibes blocks on an inbound STOP is unconfirmed: keep a suppression list
//     (sms.ClientOptions.Suppressor) from the opt-out events webhook classifies.
//   - No status endpoint is used (the message lookup needs the messageId a lost answer never
//     gave), so the provider is not an sms.StatusFetcher; receipts settle OutcomeUnknown.
package vibes
