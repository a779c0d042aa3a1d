// Package redisstore keeps in Redis the state that several processes sending and receiving
// SMS with github.com/smsbridge/sms must share: the per-sender rate limit, the webhook
// de-duplication store, the suppression (opt-out) store and the fold state of multipart
// delivery reports. It is a module of its own, so that applications that run one process (and
// keep the in-memory defaults) do not depend on a Redis client.
//
// Each type takes a github.com/redis/go-redis/v9 client (a *redis.Client, a cluster or a
// ring: redis.UniversalClient) and *Options, and implements the interface its in-memory
// counterpart does:
//
//	type                    implements               in-memory counterpart
//	Limiter                 sms.Limiter              sms.RateLimiter
//	SuppressionStore        sms.SuppressionStore     sms.MemorySuppressionStore
//	DedupStore              webhook.Store            webhook.MemoryStore
//	PartStore               webhook.PartStore        webhook.MemoryPartStore
//
// Give every process the same server and Options.Prefix: the state is then one. A
// SuppressionStore goes under an sms.Consent, given both to the sms.Client (as its
// Suppressor) and to webhook.Handler (Options.Consent), so that a STOP received by any process
// refuses the next send from every process.
//
// # Keys and lifetimes
//
// Every key starts with Options.Prefix (DefaultPrefix, "smsbridge:"):
//
//	<prefix>rate:<provider>:<sender>   string   GCRA state of one sender; expires once its bucket is full again
//	<prefix>dedup:<event id>           string   one handled event; expires after Options.DedupTTL (default 48 h)
//	<prefix>suppress:<scope>           set      the suppressed recipients of one scope; never expires
//	<prefix>parts:<provider>\x00<id>   hash     one multipart message's parts; expires Options.PartTTL (default 72 h) after its latest report
//
// No operation touches more than one key, so the stores work on a Redis Cluster as they are.
//
// # Rate limits
//
// Limiter applies the rate profile that sms.RateProfiles chooses for the message's sender (by
// sender value, then sender type: short code, toll-free, 10DLC long code, alphanumeric…) with
// a GCRA bucket per provider and sender (github.com/go-redis/redis_rate). The bucket has no
// blocking wait: Limiter asks for at most a burst at a time and sleeps for the RetryAfter the
// server answers, on Options.Clock, until the whole request is granted or the context ends (a
// wait that would outlast the context's deadline ends at once with DeadlineExceeded). Any
// number of processes then never send from one sender more than burst + rate × elapsed
// segments between them.
//
// # Errors and outages
//
// A Redis failure is returned as an error, never as "allowed" or "not seen": sms.Client reports
// a failed limiter as CodeUnavailable and a failed suppression check as an error, in both
// cases marked not accepted and with no request to the vendor; webhook.Handler answers 500 when
// the de-duplication or fold state cannot be read, so the vendor retries later. An outage
// therefore stops sending; it never sends past the limit or to a recipient who opted out.
//
// # Consistency
//
// Suppress, Unsuppress and Mark are visible to every process once they return. DedupStore
// drops a delivery that arrives after another handler's sink accepted the event; two
// deliveries of one event handled at the same moment may both reach a sink, as with every
// webhook.Store (the id is marked only after the sink succeeded). PartStore.AddPart is one
// server-side script: concurrent reports of one message, in any processes, are all kept.
package redisstore
