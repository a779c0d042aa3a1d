// Package webhook receives vendor callbacks — delivery reports and inbound messages — over HTTP
// and hands them to the application as sms.Event values, the same for every vendor.
//
// Handler returns an http.Handler for one provider. For each request it checks the method,
// limits the body, lets the provider verify and then decode it (sms.Provider.ParseCallback),
// completes each event once (below), drops events it has already delivered, folds the reports
// of the parts of multipart messages, and calls the application's Sink once with the rest:
//
//	sink := webhook.SinkFunc(func(ctx context.Context, events []sms.Event) error {
//		for _, ev := range events {
//			switch ev.Type {
//			case sms.EventDeliveryReport:
//				// store ev.Status for ev.MessageID unless the stored one Supersedes it
//			case sms.EventOptOut:
//				// with Options.Consent set, the handler suppresses ev.From once this returns nil (see Consent)
//			case sms.EventInbound:
//				// route ev.Body
//			}
//		}
//		return nil // only now is the vendor told 200 and the events marked seen
//	})
//	mux.Handle("/sms/twilio", webhook.Handler(twilioProvider, sink, nil))
//
// # Status codes
//
// The handler answers with a short generic status text and never echoes an error's text; the
// cause goes to Options.OnError and to the logger: Options.Logger, else the provider's own
// (sms.LoggerOf), so a logger set once on the vendor's options is enough.
//
//	200  success: the sink accepted every new event, or there were none (all already seen,
//	     or an empty callback), or a handshake was answered. The body is empty, or the
//	     provider's sms.Reply (Twilio's text/xml "<Response/>", Event Grid's validation
//	     answer) with its status code, content type, headers and body. Never 204: some
//	     vendors retry on it.
//	400  the provider found the request malformed (sms.CodeInvalidArgument), or the body
//	     could not be read.
//	401  verification failed (sms.CodeUnauthenticated): bad or missing signature, token or
//	     basic-auth credentials.
//	403  verification succeeded but the caller may not post here (sms.CodePermissionDenied).
//	404  the provider has no callbacks (its error wraps errors.ErrUnsupported).
//	405  the method is neither POST nor one the provider lists (see below); the Allow header
//	     names the accepted methods.
//	413  the body is over Options.MaxBodyBytes (default 1 MiB): refused by Content-Length
//	     before anything is read, or as soon as a body without one goes over.
//	500  anything else: the provider failed (including a provider that cannot verify because
//	     of its own configuration, such as Twilio without a public origin: sms.CodeInternal),
//	     the de-duplication store's Seen failed, the sink returned an error or panicked, or
//	     the vendor went away while the request waited for a concurrent copy of its events. Vendors that
//	     retry do so on 5xx. Logged at error; 4xx answers at info.
//
// Verification comes before decoding and fails closed: the sink never sees a request the
// provider did not accept. Event Grid drops deliveries answered 400, 401, 403 or 413 without
// retrying, which is why every failure of the application is a 500 and never a 4xx.
//
// Besides POST, a provider may accept other methods — OPTIONS for the CloudEvents abuse-protection
// handshake (ACS through Event Grid), GET for vendors that report by query string — by
// implementing
//
//	CallbackMethods() []string
//
// Handler looks for it on the provider and, through sms.Unwrapper, on the providers it wraps, so
// an *sms.Client can be mounted directly. Handshakes (an sms.Reply with Handshake set: Event
// Grid's subscription validation, the CloudEvents OPTIONS request) are answered without calling
// the sink.
//
// # Keywords, ids and provider names: once, here
//
// Providers report what the vendor said, including the vendor's own opt-out flag (Twilio's
// OptOutType=STOP), and never classify keywords. Handler and Parse complete every event exactly
// once, after verification: text fields holding invalid UTF-8 get U+FFFD in its place (the
// bytes as received stay in Event.Raw); Options.Keywords, or Options.KeywordsFor's list for the number written to (sms.DefaultKeywords() for Parse), turns a plain
// inbound STOP, START or HELP into an opt-out, opt-in or help event (sms.Keywords.Apply never
// undoes a type the vendor set, so a vendor-flagged "Arrêt" stays an opt-out whatever the
// keyword list); an empty Event.Provider becomes the provider's Name(); an empty Event.ID
// becomes sms.EventID(provider, message id — with "$part" for a part report — or the raw
// payload when there is no message id, raw status, error code).
//
// # Consent
//
// With Options.Consent set (an *sms.Consent over an sms.SuppressionStore), the handler keeps
// the opt-out list itself, once the sink has accepted the request:
//
//	opt-out event (STOP, PARAR, or the vendor's own flag)   suppress Event.From for the sender it wrote to
//	opt-in event (START, VOLTAR)                             lift that
//	delivery report with Code sms.CodeOptedOut               suppress Event.To for the report's sender (Event.From)
//	help event (HELP, AJUDA)                                 nothing: surfaced to the sink only
//
// The sender an inbound message was written to is Event.To; when the vendor scopes the opt-out
// more widely (Event.ScopeID of a Twilio Messaging Service, a pool sender), that scope is
// suppressed as well. An opted-out part report counts even when the fold does not pass it on
// (its message's status was already failed by another part). Which other senders an opt-out covers is the Consent's ScopeFunc: an
// owner tag shared by the numbers that may stand in for one another (failover) makes a STOP
// received on one number refuse the next send from any of them; sms.SenderScope, the default,
// covers the one number. The Client checks the same Consent (sms.ClientOptions.Suppressor)
// before any request, so a suppressed recipient gets sms.CodeOptedOut and no request while
// the others are sent, and it records the vendors' own opted-out refusals (Twilio 21610) too.
//
// Consent is updated after the sink and before the events are marked seen, for two reasons:
// the de-duplication rule (nothing of a request the sink refused takes effect, so the
// vendor's retry finds everything as it was and applies it once), and the application's say
// (a sink that refuses an event, say because it cannot yet store it, refuses its effects too).
// A failure of the consent store answers 500 with nothing marked seen, so the retry reaches
// the sink and the store again: each change is idempotent, and the events of one request are
// applied in order (an opt-out then an opt-in of one handset ends opted in). A delivery report
// or opt-out that names no sender or no handset cannot be scoped and is skipped with a warning
// (the Client learns such an opt-out from the vendor's refusal of the next send).
//
// Help events are surfaced, never acted on: the handler texts nothing back (Twilio gets its
// empty TwiML), since vendors and carriers send their own HELP and STOP confirmations.
//
// Keyword lists are per language and per sender: Options.Keywords is the default for every
// inbound event, Options.KeywordsFor picks another list by the number the handset wrote to —
// for example sms.DefaultKeywords() plus PARAR, SAIR, CANCELAR (opt-out), VOLTAR (opt-in) and
// AJUDA (help) for the numbers that serve Brazil. A type the vendor set itself (Twilio's
// OptOutType, a vendor-flagged "Arrêt") stays what the vendor said, whatever the list.
//
// # Multipart messages
//
// A vendor that reports each part of a long message (LINK Mobility's "msgId$1", Vibes) gives
// events with Part (from 1) and, when it says, Parts. Handler folds them, after verification
// and de-duplication, over Options.Parts (a bounded in-memory PartStore by default; share one
// across replicas), so ParseCallback stays stateless. The sink sees one event per change of the
// message's folded status, never a part report that changes nothing: its Status is the folded
// status (PartState.Status: failed as soon as a part failed for good, delivered once all Parts
// parts are, else the least advanced part, a delivered part counting as sent) and its Part,
// Parts, RawStatus and error fields are those of the part report that moved it. The folded
// status only moves forward (sms.Status.Supersedes) and is stored after the sink accepted it,
// so a retried request folds again. Parse keeps no state and returns part reports unfolded;
// Options.Parts = NoPartFold does the same in Handler.
//
// # Delivery semantics and de-duplication
//
// Delivery to the sink is at least once. Events are de-duplicated by sms.Event.ID, which
// providers fill with the vendor's own delivery id where it has one (the Event Grid event id,
// Twilio's I-Twilio-Idempotency-Token) or a hash of provider, message id, status and error code:
//
//   - Events with the same ID within one request are delivered once (the first is kept); this
//     holds even with NoDedup.
//   - Events already marked in the Store are dropped before the sink is called; if none are
//     left, the sink is not called and the request is answered with success.
//   - Events are marked seen only after the sink succeeded. When the sink fails the handler
//     answers 500 and marks nothing, so a vendor's retry reaches the sink again. A failure to
//     mark is logged and the request still succeeds; those events may come again.
//   - An event whose ID is still empty after completion (no vendor id, no message id, no raw
//     payload) is never de-duplicated.
//   - The events of one request go to the sink in one call, in the provider's order; a failure
//     fails them all (Event Grid batches are all-or-none), so a sink that stores events one by
//     one must itself tolerate seeing the first ones again.
//
// The default store is an in-memory MemoryStore of 10000 ids per handler. One request may add at
// most half of that (MemoryStore admits at most half its capacity per Mark), so a single huge
// batch of tiny events cannot push out every id marked before it and make the vendor's retries
// of recent events new again. The store is per process:
// behind a load balancer, a retry that reaches another replica is delivered again, and a restart
// forgets everything. Give every handler and replica one shared Store (Redis SET NX with a
// time-to-live of a day, a table with a unique key) when duplicates matter.
//
// Two copies of an event arriving at the same handler at the same moment reach the sink once:
// the handler holds the ids it is handing to the sink until the sink has answered and they are
// marked, and a request carrying one of them waits for that outcome, then asks the store again
// (it delivers the event itself if the first delivery failed, so an event nobody accepted is
// never acknowledged). This hold is per handler: copies that reach two replicas at once may both
// reach the sink, so the sink should still be idempotent (a delivery status that only moves
// forward with sms.Status.Supersedes, an opt-out stored as a set) rather than rely on the store
// alone.
//
// # Retries by vendor
//
// A 5xx only helps when the vendor retries. As the vendor documentation reads (schedules
// marked unconfirmed there are assumptions): Event Grid (ACS) retries for up to 24 hours with
// backoff; Infobip retries with a growing back-off; Telesign retries any answer other than 200
// a few times; Vibes retries every 5 minutes, up to 5 times; LINK Mobility gates retry within
// their time-to-live (48 hours by default). Twilio retries a status or inbound callback only when asked
// through connection overrides in the fragment of the callback URL: rc is the retry count (0–5)
// and rp the retry policy, which must include 5xx answers, for example
// "https://example.com/sms/twilio#rc=3&rp=all". Without them a callback this handler fails is
// lost, so add them to the StatusCallback and inbound webhook URLs you configure. (The rp values
// are as read from Twilio's "Webhook connection overrides" page; Twilio documents no other
// retry of status callbacks.)
//
// # Mounting per vendor
//
// Mount one handler per provider and URL, with a path pattern without a method ("/sms/acs",
// not "POST /sms/acs"), so that the handler itself answers OPTIONS handshakes and 405s:
//
//	sink := webhook.SinkFunc(app.handleEvents)
//	store := app.sharedStore // one Store for every handler and replica
//	opts := &webhook.Options{Dedup: store, Logger: logger}
//	mux.Handle("/sms/acs", webhook.Handler(acsProvider, sink, opts))           // Event Grid subscription (event-grid or CloudEvents schema)
//	mux.Handle("/sms/twilio", webhook.Handler(twilioProvider, sink, opts))     // StatusCallback and the number's inbound webhook
//	mux.Handle("/sms/infobip", webhook.Handler(infobipProvider, sink, opts))   // delivery-report URL and inbound forwarding URL
//	mux.Handle("/sms/link", webhook.Handler(linkProvider, sink, opts))         // the DLR and MO gates' URLs (given to LINK support)
//	mux.Handle("/sms/telesign", webhook.Handler(telesignProvider, sink, opts)) // callback_url / Transaction Callback Service
//	mux.Handle("/sms/vibes", webhook.Handler(vibesProvider, sink, opts))       // receiptOption callbackUrl and the MO URL
//
// Delivery reports and inbound messages may share a URL or use two: the provider tells them
// apart from the payload. Providers that verify signed URLs (Twilio) must be configured with the
// public origin the vendor calls, since a proxy may change the host and scheme the handler sees;
// providers protected by a secret token in the URL keep it out of logs, and so does this package,
// which never logs URLs, headers or bodies.
//
// # Other routers
//
// Parse reads and verifies one request with the same body limit and returns the provider's
// sms.Callback, for applications that want neither the Sink nor the de-duplication; StatusCode
// maps its errors to the status Handler would answer. The caller then writes Callback.Reply
// itself when it is set, and calls ApplyConsent with the events it accepted to keep a
// suppression store as Options.Consent does (Parse classifies with sms.DefaultKeywords()).
//
// # Content types
//
// Vendors send fixed content types, and a body is only ever taken for what it parses as, so
// the handler does not check Content-Type; each provider decides:
//
//	Twilio        application/x-www-form-urlencoded, or none. The signature is computed over
//	              the decoded form, so a body declared as anything else cannot be verified:
//	              401 (a body-hash signed request, ?bodySHA256=, is verified first and then
//	              refused with 400).
//	ACS           any: Event Grid sends application/json, CloudEvents application/cloudevents+json
//	              or application/cloudevents-batch+json, and the body's first byte tells them apart.
//	Infobip       any: JSON is decoded whatever the header says (a body that is not JSON is a 400).
//	Telesign      any: as Infobip; the signature covers the body only.
//	LINK Mobility any: a gate may be configured for another type; a body that is not a JSON
//	              object is a 400 whose message says to configure the gate for application/json.
//	Vibes         any: XML is decoded whatever the header says (a body that is not
//	              well-formed XML is a 400).
//
// # Abuse
//
// The abuse suite (abuse_test.go) runs every vendor's handler, with callbacks signed or
// authenticated by the vendor's emulator, against: a wrong, a missing and another body's
// credential (401; another body passes where the vendor's scheme does not cover the body: a
// token or Basic credentials), another URL (401 for Twilio, whose signature covers it), a
// replay (200, the sink sees it once), concurrent identical deliveries (the sink sees one; a
// copy whose vendor hangs up while it waits gets 500), a LINK or Vibes callback from outside
// Config.CallbackSources (403; for Vibes also through trusted proxies, where a spoofed
// X-Forwarded-For never passes), a body over the limit by Content-Length (413, nothing read) and one that never ends (413,
// at most the limit + 1 bytes read), wrong methods (405), foreign content types (above),
// truncated, malformed, deeply nested and 10,000-item payloads (400, or 200 where the vendor
// batches), invalid UTF-8 (200, U+FFFD in the event), and a sink that fails (500, retried) or
// panics (500).
//
// # Panics
//
// A panic in the sink is recovered: the request is answered 500, the panic value and stack go
// to Options.OnError and the logger, nothing is marked seen, so the vendor's retry reaches the
// sink again, and the server goes on serving. http.ErrAbortHandler is re-panicked, for net/http.
package webhook
