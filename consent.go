package sms

import "context"

// SuppressionStore records who must not be messaged, per scope. A scope is an opaque name for
// the set of senders one opt-out covers: an owner tag shared by the numbers that may stand in
// for one another, or a single sender (see SuppressionScope). Recipients are E.164 numbers.
// The in-memory default is NewMemorySuppressionStore; a store shared between processes (Redis,
// say) implements the same three methods. Implementations are safe for concurrent use.
type SuppressionStore interface {
	// Suppressed reports whether recipient opted out in scope.
	Suppressed(ctx context.Context, scope, recipient string) (bool, error)
	// Suppress records an opt-out of recipient in scope. Suppressing twice is not an error.
	Suppress(ctx context.Context, scope, recipient string) error
	// Unsuppress removes an opt-out (the recipient opted back in). Removing an absent entry
	// is not an error.
	Unsuppress(ctx context.Context, scope, recipient string) error
}
