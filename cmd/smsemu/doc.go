// Command smsemu serves the vendor emulators of github.com/smsbridge/sms in one process,
// each on its own loopback port, for applications and tests that are not written in Go. Each
// emulator speaks its vendor's real HTTP API (point the vendor's official SDK, or any HTTP
// client, at its base URL), records what it receives, fails on request, and posts the
// vendor's delivery reports and inbound messages to the application's webhooks, signed as
// the vendor signs them (Twilio), or through an Event Grid subscription (ACS).
//
// Usage:
//
//	go run github.com/smsbridge/sms/cmd/smsemu [flags]
//
// From another language's test suite, run a standalone binary instead of go run: killing
// go run (SIGTERM to the go command) leaves the real smsemu process running and holding its
// ports. Build or install it once:
//
//	go build -o smsemu ./cmd/smsemu                          # in a checkout of the module
//	go install github.com/smsbridge/sms/cmd/smsemu@latest    # into $(go env GOPATH)/bin
//
// and start it with -exit-on-stdin-close, stdin a pipe the parent keeps open: smsemu then
// stops when the parent closes that pipe or dies, whatever signal reached whom.
// -exit-with-parent also stops it when its parent process goes away (it is re-parented),
// which covers go run too, as its parent is the go command.
//
// The flags are:
//
//	-addr address            address every emulator listens on (default 127.0.0.1)
//	-ports-from N            consecutive ports from N, in the order of the table below;
//	                         0 lets the OS choose a free port for each vendor
//	                         (default: each vendor's fixed port)
//	-inbound vendor=URL      the vendor's account-level inbound-message webhook (repeatable)
//	-status-callback vendor=URL
//	                         the vendor's account-level delivery-report webhook, used for
//	                         messages sent without a callback URL of their own (repeatable)
//	-<vendor>-<credential>   a credential the emulator accepts instead of its default,
//	                         e.g. -twilio-account-sid AC… -twilio-auth-token …
//	                         -acs-access-key …
//	-acs-secondary-access-key key
//	                         a second access key (base64) the ACS emulator accepts too, as
//	                         after a key rotation (default none)
//	-event-grid URL          the ACS Event Grid subscription's webhook, for delivery reports
//	                         and inbound messages, e.g.
//	                         http://127.0.0.1:8080/acs/events?token=s3cret
//	-event-grid-schema eventgrid|cloudevents
//	                         the subscription's event schema (default eventgrid)
//	-event-grid-max-events-per-batch N
//	                         the subscription's maxEventsPerBatch, 1 to 5000 (default 1)
//	-event-grid-retries N    retries of a failed Event Grid delivery, 0 to 29 (default 29,
//	                         Event Grid's 30 attempts)
//	-event-grid-retry-wait d the wait between Event Grid delivery attempts (default 10ms)
//	-infobip-webhook-user user, -infobip-webhook-password password
//	                         Basic auth on the Infobip emulator's webhook POSTs, as a
//	                         subscription's BASIC security setting (default none)
//	-infobip-batch-size N    delivery reports per Infobip webhook POST, 1 to 1000 (default 100)
//	-infobip-retries N       retries of a failed Infobip webhook, 0 to 100 (default 5)
//	-infobip-retry-unit d    Infobip's back-off minute, scaled: retry n waits d·(1+n²)
//	                         (default 10ms)
//	-linkmobility-gate-user user, -linkmobility-gate-password password
//	                         Basic auth on the LINK Mobility emulator's gate POSTs, as a
//	                         gate's destination credentials (default none)
//	-linkmobility-retries N  retries of a LINK Mobility gate POST not answered 2xx, 0 to
//	                         100 (default 5)
//	-linkmobility-retry-unit d
//	                         LINK Mobility's gate retry wait, scaled: retry n waits
//	                         d·2^(n-1) (default 1ms)
//	-telesign-retries N      retries of a Telesign callback not answered 200, 0 to 100
//	                         (default 3)
//	-telesign-retry-unit d   Telesign's callback retry second, scaled: retry n waits d·5·n
//	                         (default 1ms)
//	-telesign-date-tolerance d
//	                         how far a TSA-signed request's Date may be from the clock
//	                         (default 15m)
//	-vibes-inbound-user user, -vibes-inbound-password password
//	                         Basic auth on the Vibes emulator's inbound (MO) POSTs (default
//	                         none; its delivery receipts never carry Basic auth)
//	-vibes-retries N         retries of a Vibes callback not answered 2xx, 0 to 100 (default 5)
//	-vibes-retry-wait d      the wait before each Vibes callback retry, Vibes' 5 minutes
//	                         scaled (default 5ms)
//	-vibes-block-on-stop     an inbound STOP to a Vibes code blocks later sends from that
//	                         code to the handset (internal error 9) until START
//	-vibes-legacy-inbound    post Vibes inbound messages in the older <deliver> shape
//	-shutdown-timeout d      how long requests in flight may take to finish on SIGINT or
//	                         SIGTERM (default 5s)
//	-v                       log every request to stderr
//	-exit-on-stdin-close     stop, as on SIGTERM, when stdin reaches end of file
//	-exit-with-parent        stop, as on SIGTERM, when the parent process is gone
//	                         (checked every second)
//	-help                    the usage, with the port table and every control route, on
//	                         stderr
//
// A webhook URL without a path gets "/", the path an HTTP client requests, so that
// signatures cover the URL the webhook sees. The targets can be changed while running with
// POST /_emulator/config.
//
// ACS has a single Event Grid subscription for both event types, so -inbound acs=URL and
// -status-callback acs=URL are accepted as other spellings of -event-grid URL; given
// together, these flags must name the same URL, or smsemu exits 2. The emulator validates
// the endpoint as Event Grid does before its first delivery (a SubscriptionValidationEvent
// for the Event Grid schema, an OPTIONS abuse-protection request for CloudEvents) and holds
// the events until it passes. Event Grid does not sign events: protect the endpoint with a
// token in its query, as acs.Config.CallbackTokens expects.
//
// # Vendors, default ports and credentials
//
//	vendor        port  credentials (defaults)
//	twilio        4010  account_sid ACf00dfeedf00dfeedf00dfeedf00dfeed
//	                    auth_token  0123456789abcdef0123456789abcdef
//	acs           4020  access_key  YWNzdGVzdCBlbXVsYXRvciBwcmltYXJ5IGtleSAzMkI=
//	                    connection_string  endpoint=<base_url>/;accesskey=<access_key>
//	                    secondary_access_key  only with -acs-secondary-access-key
//	infobip       4030  api_key  0123456789abcdef0123456789abcdef-01234567-89ab-cdef-0123-456789abcdef
//	linkmobility  4040  username             link-user
//	                    password             link-password
//	                    platform_id          0
//	                    platform_partner_id  0
//	                    gate_id              BVldZyQt
//	telesign      4050  customer_id  FFFFFFFF-EEEE-DDDD-1234-AB1234567890
//	                    api_key      QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=
//	vibes         4060  username    vibes-user
//	                    password    vibes-password
//	                    short_code  98765         (source type SC)
//	                    long_code   +18475550100  (source type LC)
//	                    toll_free   +18885550100  (source type TF)
//
// A later vendor adds one entry to the registry in vendors.go and a reserved port.
//
// For Infobip, give the base URL and the api_key to the client (the official clients'
// baseUrl and apiKey); -status-callback infobip=URL is the account's delivery-report
// subscription, used for messages sent without their own webhook URL (v3
// webhooks.delivery.url, v2 notifyUrl), and -inbound infobip=URL the numbers' inbound
// forwarding.
//
// For LINK Mobility, give the base URL (the client appends /sms/send and /sms/sendbatch),
// the username, password, platform_id, platform_partner_id and gate_id to the client, as
// LINK's support hands them out. -status-callback linkmobility=URL is the URL of the
// delivery-report gate gate_id, -inbound linkmobility=URL the inbound (MO) gate; put a
// secret token in their query, or use -linkmobility-gate-user/-password for Basic auth.
//
// For Telesign, give the base URL, the customer_id and the api_key to the client (the
// official clients' rest endpoint, customerId and apiKey); Basic and TSA-signed requests
// are both accepted. -status-callback telesign=URL is the account's Transaction Callback
// Service URL, used for messages sent without a callback_url, and -inbound telesign=URL
// receives mo_sms messages (default: the -status-callback URL, as Telesign sends both to
// one endpoint). Callbacks are signed with the api_key.
//
// For Vibes, give the base URL (the client appends /MessageApi/mt/messages), the username
// and password to the client, and send from short_code, long_code or toll_free with its
// type. Delivery receipts go to each message's receiptOption callbackUrl, without Basic
// auth (put a secret token in the URL); -status-callback vibes=URL is where the receipts of
// a message without a callbackUrl go. -inbound vibes=URL is the account's inbound (MO) URL,
// which Vibes' account manager configures.
//
// The ACS connection string is derived from the base URL and the primary key, as the Azure
// portal shows it; pass it to acs.Config.ConnectionString, or the base URL and the key to
// acs.Config.Endpoint and AccessKey (or to an official Azure SDK's SmsClient).
//
// # The first line
//
// Once every port is bound, smsemu writes exactly one line on stdout: a JSON object with an
// entry per running vendor, credentials under the keys of the table above (wrapped here):
//
//	{"vendors":{"acs":{"base_url":"http://127.0.0.1:4020","credentials":{"access_key":"YWNzdGVzdCBlbXVsYXRvciBwcmltYXJ5IGtleSAzMkI=",
//	"connection_string":"endpoint=http://127.0.0.1:4020/;accesskey=YWNzdGVzdCBlbXVsYXRvciBwcmltYXJ5IGtleSAzMkI="}},
//	"twilio":{"base_url":"http://127.0.0.1:4010","credentials":{"account_sid":"ACf00dfeedf00dfeedf00dfeedf00dfeed","auth_token":"0123456789abcdef0123456789abcdef"}}}}
//
// A parent process reads that one line and starts; with -ports-from 0 it is the only way to
// learn the ports. Nothing else is ever written on stdout; logs go to stderr. For example:
//
//	coproc SMSEMU { smsemu -ports-from 0 -inbound twilio=http://127.0.0.1:8080/twilio/inbound; }
//	read -r line <&"${SMSEMU[0]}"
//	base=$(jq -r .vendors.twilio.base_url <<<"$line")
//
// From Node, with the first line read and smsemu stopped with the test run:
//
//	const emu = spawn("./smsemu", ["-ports-from", "0", "-exit-on-stdin-close"], {stdio: ["pipe", "pipe", "inherit"]});
//	const [line] = await once(readline.createInterface({input: emu.stdout}), "line");
//	const twilio = JSON.parse(line).vendors.twilio; // base_url, credentials
//
// and from Python, subprocess.Popen([...], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
// then json.loads(p.stdout.readline()).
//
// SIGINT or SIGTERM stops smsemu gracefully: the listeners close, requests in flight get up
// to -shutdown-timeout to finish, pending callbacks are dropped, and it exits 0. A second
// signal kills it at once.
//
// # Exit codes
//
//	0  stopped by SIGINT or SIGTERM, stdin closed (-exit-on-stdin-close), the parent gone
//	   (-exit-with-parent), or -help
//	1  an emulator stopped serving on its own, or stdout could not be written
//	2  a bad flag or argument, an unknown vendor in -inbound or -status-callback, a malformed
//	   URL, an access key that is not base64, an -event-grid-schema other than eventgrid or
//	   cloudevents, -inbound acs, -status-callback acs and -event-grid naming different
//	   URLs, or a port that could not be bound (busy, or a bad -addr); nothing is written on
//	   stdout and one line on stderr says why, for example
//	   "smsemu: acs: listen tcp 127.0.0.1:4020: bind: address already in use"
//
// A message that names a webhook URL shows it without its query values or userinfo
// password ("…/acs/events?token=[REDACTED]"): they are the application's shared secrets.
//
// # Control API
//
// Every emulator serves a control API under /_emulator/ on its vendor's port, with JSON
// bodies. Every error, a wrong method or an unknown route included, is JSON {"error": "…"}
// (a failed callback: {"error", "deliveries"}). Its requests are neither recorded nor
// faulted. GET /_emulator/ lists the routes as JSON {"routes": [{"method", "path",
// "doc"}]}, and smsemu -help prints them. Every vendor serves:
//
//	GET    /_emulator/                 this list of routes
//	GET    /_emulator/info             this vendor's entry of the first line
//	GET    /_emulator/requests         recorded vendor-API requests (?method=POST&path=/prefix),
//	                                   credentials hidden: Authorization as "Basic [REDACTED]"
//	DELETE /_emulator/requests         forget them
//	GET    /_emulator/faults           armed faults
//	POST   /_emulator/faults           arm one for the next vendor-API request(s), e.g.
//	                                   {"status": 429, "retry_after": "2s"}, {"reset": true},
//	                                   {"delay": "300ms", "times": 2}; keys: status, retry_after,
//	                                   body, content_type, header, process, reset,
//	                                   reset_before_processing, delay, times, path
//	DELETE /_emulator/faults           disarm all
//	GET    /_emulator/outcomes         {"default": …, "recipients": {…}}
//	POST   /_emulator/outcomes         {"to": "+1…", "status": "undelivered", "error_code": "30003"}
//	                                   ("to" empty or "*" sets the default)
//	DELETE /_emulator/outcomes         back to delivered for everyone
//	GET    /_emulator/deliveries       callback deliveries and their attempts (webhook query
//	                                   values and Authorization hidden)
//	DELETE /_emulator/deliveries       forget finished ones
//	GET    /_emulator/callbacks/wait   ?n=N&timeout=30s: the long-poll form of WaitCallbacks:
//	                                   answers once N callbacks (default: those already
//	                                   queued) have finished and none is pending — 200
//	                                   {"deliveries": […]}, 502 {"error", "deliveries"} naming
//	                                   the callbacks the application refused (each reported
//	                                   once), 504 when timeout (at most 10m) passes first
//	GET    /_emulator/messages         accepted messages, oldest first
//	POST   /_emulator/messages/{id}/status
//	                                   {"status": "undelivered", "error_code": "30003"}: report a
//	                                   new status for an existing message now, posting its
//	                                   delivery report (404 for an unknown id)
//	POST   /_emulator/inbound          {"from", "to", "body"}: deliver an inbound message and
//	                                   answer with it; 502 with the delivery when the
//	                                   application did not answer 2xx
//	GET    /_emulator/optouts          the opt-out list [{"from", "to"}]
//	POST   /_emulator/optouts          {"from", "to"}: "to" opts out of "from", as after STOP
//	DELETE /_emulator/optouts          ?from=…&to=…: opt back in (404 if not opted out);
//	                                   without both, clear the list
//	POST   /_emulator/reset            all of the above, plus the vendor's messages
//
// Send a message, then wait for its callbacks without a sleep:
//
//	curl -s "$base/_emulator/callbacks/wait?n=2&timeout=30s"   # sent and delivered (Twilio)
//
// The Twilio emulator adds (see twilio/twiliotest):
//
//	GET    /_emulator/config           {"inbound_url", "status_callback"}, query values hidden
//	POST   /_emulator/config           {"inbound_url", "status_callback"}: change the targets
//
// After an inbound STOP (or POST /_emulator/optouts) it answers sends from that number (or
// Messaging Service, "from": "MG…") to that handset with Twilio's 400 error 21610, until
// START.
//
// The ACS emulator adds (see acs/acstest):
//
//	GET    /_emulator/config           {"event_grid_url", "schema", "max_events_per_batch",
//	                                   "validation_state", "held", "handshakes"}
//	POST   /_emulator/config           {"event_grid_url", "schema"}: change the subscription
//	                                   (validated again before its next delivery)
//	POST   /_emulator/validate         run the endpoint validation now (again after a failure)
//	POST   /_emulator/flush            send a partial batch now
//	GET    /_emulator/events           every event published, delivered or held
//	POST   /_emulator/recipient-failures
//	                                   {"to", "status", "times"}: fail that recipient's item of the
//	                                   next send(s) (status 0 clears)
//	DELETE /_emulator/recipient-failures
//	                                   clear them all
//
// After an inbound STOP it accepts sends from that number to that handset and reports them
// Failed, "4007: Sender blocked for given recipient.", until START or UNSTOP; its Opt-Out
// Management API (POST /sms/optouts:add, :remove, :check) shares the list.
//
// For ACS, a status fault without a body gets Azure's error body, and the error_code of an
// outcome is the status detail code ("4004"); only final outcomes produce a delivery report.
//
// The Infobip emulator adds (see infobip/infobiptest):
//
//	GET    /_emulator/config           {"inbound_url", "delivery_url"}, secrets hidden
//	POST   /_emulator/config           {"inbound_url", "delivery_url"}: change the targets
//	POST   /_emulator/blocklist        {"to"}: put a number on the account's blocklist
//
// After an inbound STOP it rejects sends from that number to that handset with
// REJECTED_DESTINATION_BLOCKLISTED until START. A status fault without a body gets the v3
// ApiError body; the error_code of an outcome is an Infobip delivery error id ("27").
//
// The LINK Mobility emulator adds (see linkmobility/linkmobilitytest):
//
//	GET    /_emulator/gates            the gates' URLs, secrets hidden
//	POST   /_emulator/gates            {"id","url","username","password"}: configure a gate
//	                                   ("inbound" as id: the MO gate)
//	POST   /_emulator/barred           {"to","code"}: bar a number (2105, 2107, 2205; 0 lifts it)
//
// Sends are never refused for the recipient: barring and opt-out come back on the delivery
// report. After an inbound STOP to a short number, later sends from that short number to
// the handset are reported 2205 until START. A multipart text gets one report per part (id
// messageId$n) in a random order. A status fault without a body gets LINK's error body
// (106000; 401: 106100); the error_code of an outcome is a LINK resultCode ("2104").
//
// The Telesign emulator adds (see telesign/telesigntest):
//
//	GET    /_emulator/config           {"callback_url", "inbound_url"}, secrets hidden
//	POST   /_emulator/config           {"callback_url", "inbound_url"}: change the targets
//	POST   /_emulator/blocklist        {"to", "global"}: block a number (10031; 10032 global)
//	POST   /_emulator/hardcap          {"n"}: refuse sends with 10020 after n more
//
// After an inbound stop keyword (Telesign's mapping: STOP, ARRÊT, CANCEL, END, QUIT,
// UNSUBSCRIBE…) it refuses sends to that handset with HTTP 400 and code 10031 until START.
// A status fault without a body gets Telesign's envelope (429: 10019); the error_code of an
// outcome is a Telesign status code ("511").
//
// The Vibes emulator adds (see vibes/vibestest):
//
//	GET    /_emulator/config           {"inbound_url", "callback_url"}, secrets hidden
//	POST   /_emulator/config           {"inbound_url", "callback_url"}: change the targets
//	GET    /_emulator/codes            the provisioned codes [{"address", "type"}]
//	POST   /_emulator/codes            {"address", "type"}: provision a code (SC, LC or TF)
//	POST   /_emulator/blocklist        {"to"}: block a number for every code
//
// A send it refuses is HTTP 200 with <status isError="true"> and a Vibes internal code: 8
// for a code not provisioned with that type, 1 for a number outside the US and Canada, 9
// for a blocked number, 11 for a text over 160 characters without splitLongMessage. With
// -vibes-block-on-stop, an inbound STOP to a code blocks sends from that code to the
// handset until START. A status fault without a body gets the same XML error body; the
// error_code of an outcome is "errorCode", "errorCode:internalErrorCode" or
// ":internalErrorCode" ("107:7"), and its status chooses the receipt stage that fails
// (rejected: System, failed: Carrier, undelivered: Handset).
//
// What each emulator speaks, validates and posts is described in its package
// (twilio/twiliotest, acs/acstest, infobip/infobiptest, linkmobility/linkmobilitytest,
// telesign/telesigntest, vibes/vibestest).
package main
