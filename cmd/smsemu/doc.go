// Command smsemu serves the vendor emulators of github.com/smsbridge/sms in one process,
// each on its own loopback port, for applications and tests that are not written in Go. Each
// emulator speaks its vendor's real HTTP API (point the vendor's official SDK, or any HTTP
// client, at its base URL), records what it receives, fails on request, and posts the
// vendor's signed delivery reports and inbound messages to the application's webhooks.
//
// Usage:
//
//	go run github.com/smsbridge/sms/cmd/smsemu [flags]
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
//	-shutdown-timeout d      how long requests in flight may take to finish on SIGINT or
//	                         SIGTERM (default 5s)
//	-v                       log every request to stderr
//	-help                    the usage, with the port table, on stderr
//
// A webhook URL without a path gets "/", the path an HTTP client requests, so that
// signatures cover the URL the webhook sees. Both targets can be changed while running with
// POST /_emulator/config.
//
// # Vendors, default ports and credentials
//
//	vendor        port  credentials (defaults)
//	twilio        4010  account_sid ACf00dfeedf00dfeedf00dfeedf00dfeed
//	                    auth_token  0123456789abcdef0123456789abcdef
//	acs           4020  reserved: no emulator yet
//	infobip       4030  reserved: no emulator yet
//	linkmobility  4040  reserved: no emulator yet
//	telesign      4050  reserved: no emulator yet
//	vibes         4060  reserved: no emulator yet
//
// Only vendors with an emulator run; each later vendor adds one entry to the registry in
// vendors.go and keeps its reserved port.
//
// # The first line
//
// Once every port is bound, smsemu writes exactly one line on stdout: a JSON object with an
// entry per running vendor, credentials under the keys of the table above:
//
//	{"vendors":{"twilio":{"base_url":"http://127.0.0.1:4010","credentials":{"account_sid":"ACf00dfeedf00dfeedf00dfeedf00dfeed","auth_token":"0123456789abcdef0123456789abcdef"}}}}
//
// A parent process reads that one line and starts; with -ports-from 0 it is the only way to
// learn the ports. Nothing else is ever written on stdout; logs go to stderr. For example:
//
//	coproc SMSEMU { smsemu -ports-from 0 -inbound twilio=http://127.0.0.1:8080/twilio/inbound; }
//	read -r line <&"${SMSEMU[0]}"
//	base=$(jq -r .vendors.twilio.base_url <<<"$line")
//
// SIGINT or SIGTERM stops smsemu gracefully: the listeners close, requests in flight get up
// to -shutdown-timeout to finish, pending callbacks are dropped, and it exits 0. A second
// signal kills it at once.
//
// # Exit codes
//
//	0  stopped by SIGINT or SIGTERM, or -help
//	1  an emulator stopped serving on its own, or stdout could not be written
//	2  a bad flag or argument, an unknown vendor in -inbound or -status-callback, a malformed
//	   URL, or a port that could not be bound (busy, or a bad -addr); nothing is written on
//	   stdout and one line on stderr says why, for example
//	   "smsemu: twilio: listen tcp 127.0.0.1:4010: bind: address already in use"
//
// # Control API
//
// Every emulator serves a control API under /_emulator/ on its vendor's port, with JSON
// bodies and {"error": "…"} on failure. Its requests are neither recorded nor faulted.
//
//	GET    /_emulator/info         this vendor's entry of the first line
//	GET    /_emulator/requests     recorded vendor-API requests (?method=POST&path=/prefix)
//	DELETE /_emulator/requests     forget them
//	GET    /_emulator/faults       armed faults
//	POST   /_emulator/faults       arm one for the next vendor-API request(s), e.g.
//	                               {"status": 429, "retry_after": "2s"}, {"reset": true},
//	                               {"delay": "300ms", "times": 2}; keys: status, retry_after,
//	                               body, content_type, header, process, reset,
//	                               reset_before_processing, delay, times, path
//	DELETE /_emulator/faults       disarm all
//	GET    /_emulator/outcomes     {"default": …, "recipients": {…}}
//	POST   /_emulator/outcomes     {"to": "+1…", "status": "undelivered", "error_code": "30003"}
//	                               ("to" empty or "*" sets the default)
//	DELETE /_emulator/outcomes     back to delivered for everyone
//	GET    /_emulator/deliveries   callback deliveries and their attempts
//	DELETE /_emulator/deliveries   forget finished ones
//	POST   /_emulator/reset        all of the above, plus the vendor's messages
//
// The Twilio emulator adds:
//
//	GET    /_emulator/messages     accepted messages, oldest first
//	POST   /_emulator/inbound      {"from", "to", "body", "media_urls"}: post a signed inbound
//	                               message to the inbound URL and answer with the delivery
//	POST   /_emulator/config       {"inbound_url", "status_callback"}: change the targets
//
// What each emulator speaks, validates and posts is described in its package
// (twilio/twiliotest, …).
package main
