// Package registry holds an application's SMS set-up by name: providers (vendor accounts)
// under internal names, senders (numbers, short codes, sender IDs) under friendly names,
// each with a sender type, its provider and an owner tag, and failover routes as ordered
// lists of senders. An application sends from a sender's name, not through a vendor client:
//
//	reg, err := registry.Load(f, &registry.Options{Client: &sms.ClientOptions{Limiter: lim}})
//	res, err := reg.Send(ctx, "US alerts", &sms.Message{To: to, Body: body})
//	res, err = reg.SendRoute(ctx, "alerts", &sms.Message{To: to, Body: body})
//
// A registry is built in code (New with a Config) or loaded from a JSON file (Load). Building
// it creates each vendor's provider (its New) and wraps it in an sms.Client with the client
// options given in code (limiter, suppressor, retry policy, middleware), so every send, from a
// sender or through a route, runs the root layer once per provider attempt.
//
// # File format
//
// One JSON object with three lists:
//
//   - "providers": {"name", "vendor", "credentials", "options"}. name is the internal name;
//     vendor is "twilio", "acs", "infobip", "telesign", "linkmobility", "vibes" or one added through
//     Options.Vendors. credentials maps each credential key to the NAME of the environment
//     variable that holds it — never the secret: a value that is not a variable name is
//     refused without being quoted, and a variable that is not set is named. options holds
//     the other settings as strings; "${NAME}" in an option is replaced by that variable
//     (for base URLs that differ per environment, or a callback URL with a secret token).
//     Every vendor takes "base_url" and "timeout" (a Go duration, "10s"); Vendors lists each
//     vendor's keys, which are the snake_case names of its Config and Options fields.
//   - "senders": {"name", "value", "type", "provider", "owner"}. value is a canonical E.164
//     number, a short code, an alphanumeric sender ID or a pool id; type is a sender type name
//     ("long_code", "toll_free", "short_code", "alphanumeric", "pool"; empty infers it);
//     provider is an internal name; owner is an optional owner tag (a business unit).
//   - "routes": {"name", "senders"}, senders being sender names tried in order by an
//     sms.Router (see it for the failover rules).
//
// Names are unique within each list. Unknown fields and keys are refused.
//
// # Validation
//
// New and Load check everything before returning, and report every problem at once: the
// error joins one *Problem per problem, each naming its field path
// (`providers["twilio-us"].credentials.auth_token`) and unwrapping to an *sms.Error with
// CodeInvalidArgument. Checked: names present and unique; vendors known; credential and
// option keys known to the vendor, required ones present; credentials given as variable
// names, and those variables set; ${NAME} references set; options the vendor refuses; each
// sender's value valid for its type (E.164, a 3–8 digit short code, an alphanumeric ID under
// the root rule and the vendor's narrower one) and its type supported by its provider;
// owners that would make a suppression scope ambiguous; routes naming known senders that
// share one owner tag (they stand in for one another, so a STOP to one must stop them all). A
// sender whose provider has problems of its own is still checked against the root rules.
//
// # Suppression scope
//
// Registry.Scope is an sms.ScopeFunc for the consent store: senders with the same owner tag
// share one scope ("owner:retail"), so a STOP to one of them stops the others, including the
// failover numbers of a route; a sender without an owner is its own scope ("sender:" and its
// value, as sms.SenderScope). The consent layer's suppressor goes into the shared client
// options, and its scope function is the registry's, set before the first send:
//
//	consent := &sms.Consent{Store: store}
//	reg, err := registry.Load(f, &registry.Options{Client: &sms.ClientOptions{Suppressor: consent}})
//	// …
//	consent.Scope = reg.Scope
//
// # Callbacks
//
// Mount webhook.Handler(client, sink, nil) for each provider (Registry.Client) at the
// callback URLs that provider's options configure. The events name the vendor; a
// SendResult's Provider and From say which provider and sender sent each recipient.
//
// # Example
//
// testdata/registry.json, the file the tests load against the vendors' emulators:
//
//	{
//	  "providers": [
//	    {
//	      "name": "twilio-us",
//	      "vendor": "twilio",
//	      "credentials": {"account_sid": "TWILIO_ACCOUNT_SID", "auth_token": "TWILIO_AUTH_TOKEN"},
//	      "options": {
//	        "base_url": "${TWILIO_BASE_URL}",
//	        "timeout": "10s",
//	        "public_url": "${APP_URL}",
//	        "status_callback": "${APP_URL}/hooks/twilio"
//	      }
//	    },
//	    {
//	      "name": "acs-main",
//	      "vendor": "acs",
//	      "credentials": {"connection_string": "ACS_CONNECTION_STRING", "callback_tokens": "ACS_CALLBACK_TOKENS"}
//	    },
//	    {
//	      "name": "infobip-eu",
//	      "vendor": "infobip",
//	      "credentials": {"api_key": "INFOBIP_API_KEY", "callback_tokens": "INFOBIP_CALLBACK_TOKEN"},
//	      "options": {
//	        "base_url": "${INFOBIP_BASE_URL}",
//	        "delivery_url": "${APP_URL}/hooks/infobip?token=${INFOBIP_CALLBACK_TOKEN}",
//	        "max_recipients": "500"
//	      }
//	    },
//	    {
//	      "name": "telesign-global",
//	      "vendor": "telesign",
//	      "credentials": {"customer_id": "TELESIGN_CUSTOMER_ID", "api_key": "TELESIGN_API_KEY"},
//	      "options": {"base_url": "${TELESIGN_BASE_URL}", "auth": "tsa"}
//	    },
//	    {
//	      "name": "link-nordics",
//	      "vendor": "linkmobility",
//	      "credentials": {
//	        "username": "LINKMOBILITY_USERNAME",
//	        "password": "LINKMOBILITY_PASSWORD",
//	        "platform_id": "LINKMOBILITY_PLATFORM_ID",
//	        "platform_partner_id": "LINKMOBILITY_PLATFORM_PARTNER_ID"
//	      },
//	      "options": {"base_url": "${LINKMOBILITY_BASE_URL}", "insecure_skip_callback_auth": "true"}
//	    },
//	    {
//	      "name": "vibes-us",
//	      "vendor": "vibes",
//	      "credentials": {"username": "VIBES_USERNAME", "password": "VIBES_PASSWORD", "callback_tokens": "VIBES_CALLBACK_TOKEN"},
//	      "options": {
//	        "base_url": "${VIBES_BASE_URL}",
//	        "delivery_url": "${APP_URL}/hooks/vibes?token=${VIBES_CALLBACK_TOKEN}",
//	        "callback_sources": "default, 127.0.0.1"
//	      }
//	    }
//	  ],
//	  "senders": [
//	    {"name": "US alerts", "value": "+15005550006", "type": "long_code", "provider": "twilio-us", "owner": "retail"},
//	    {"name": "US toll-free", "value": "+18005550100", "type": "toll_free", "provider": "acs-main", "owner": "retail"},
//	    {"name": "EU brand", "value": "Acme", "type": "alphanumeric", "provider": "infobip-eu", "owner": "retail"},
//	    {"name": "Global OTP", "value": "Acme", "type": "alphanumeric", "provider": "telesign-global", "owner": "security"},
//	    {"name": "EU OTP", "value": "AcmeCodes", "type": "alphanumeric", "provider": "infobip-eu", "owner": "security"},
//	    {"name": "Nordic short code", "value": "2333", "type": "short_code", "provider": "link-nordics"},
//	    {"name": "US short code", "value": "98765", "type": "short_code", "provider": "vibes-us", "owner": "retail"}
//	  ],
//	  "routes": [
//	    {"name": "alerts", "senders": ["US alerts", "US toll-free", "EU brand"]},
//	    {"name": "otp", "senders": ["Global OTP", "EU OTP"]},
//	    {"name": "notify", "senders": ["US short code", "EU brand"]}
//	  ]
//	}
package registry
