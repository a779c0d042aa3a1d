package sms

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
)

// SuppressionStore records who must not be messaged, per scope. A scope is an opaque name for
// the set of senders one opt-out covers: an owner tag shared by the numbers that may stand in
// for one another, or a single sender (see ScopeFunc and SenderScope). Recipients are E.164 numbers.
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

// ScopeFunc names the suppression scope of a sender: the set of senders one opt-out covers.
// An opt-out must follow the recipient to every sender that may stand in for the one that
// received the STOP (a failover number of the same owner), so a ScopeFunc that knows which
// senders belong together returns the same name for all of them (an owner tag); SenderScope,
// the default, gives each sender its own scope.
//
// It is called on both sides of the consent flow with the same kind of arguments: on the send
// side (Client, through Consent) with the provider the Client wraps and the message's sender,
// and on the webhook side with the vendor's provider name and a Sender whose Value is the
// number (or short code, or pool id) the vendor reported and whose Type is usually
// SenderAuto. A ScopeFunc must therefore decide from the provider name and Sender.Value, not
// from Sender.Type or Sender.Name. provider may also differ between the two sides: a Client
// that wraps a composite (failover, router) passes the composite's Name. A scope that must
// match across providers should not depend on it.
//
// An empty result means SenderScope.
type ScopeFunc func(provider string, from Sender) string

// SenderScope is the default ScopeFunc: one scope per sender value, "sender:" followed by
// from.Value, whatever the provider. It ignores provider on purpose: an opt-out recorded from
// a vendor's webhook ("twilio") must match a send through a Client that wraps a failover or a
// router (whose Name is the composite's), and a number's opt-out binds whoever sends from that
// number. The one cost is that two different senders with the same value at two vendors (the
// same short code digits in two countries) share their opt-outs: that errs on the side of not
// messaging. Scopes of owner tags should use another prefix ("owner:acme") so the two kinds
// never collide in one store.
func SenderScope(provider string, from Sender) string { return "sender:" + from.Value }

// MemorySuppressionStore is the in-memory SuppressionStore: a set of (scope, recipient)
// pairs behind a read-write mutex. A lookup takes a read lock and does not allocate.
//
// It is deliberately unbounded: a suppression list that evicted entries would start messaging
// people who opted out, which is worse than using memory (about 100 bytes per entry plus the
// strings; a million opt-outs is about 150 MB). Entries are added only by authenticated
// vendor callbacks and vendor answers, one per handset that opted out. It is private to the
// process and forgotten at exit: the vendors that keep their own opt-out lists (Twilio, for
// one) still refuse the send, the Client records that refusal again (OptOutRecorder), but the
// first send after a restart reaches the vendor. Share a persistent store (a Redis store, a
// table) between processes and restarts when that matters.
type MemorySuppressionStore struct {
	mu sync.RWMutex
	m  map[suppressionKey]struct{}
}

type suppressionKey struct{ scope, recipient string }

var _ SuppressionStore = (*MemorySuppressionStore)(nil)

// NewMemorySuppressionStore returns an empty, unbounded MemorySuppressionStore.
func NewMemorySuppressionStore() *MemorySuppressionStore {
	return &MemorySuppressionStore{m: map[suppressionKey]struct{}{}}
}

// Suppressed reports whether recipient opted out in scope. It never fails.
func (s *MemorySuppressionStore) Suppressed(_ context.Context, scope, recipient string) (bool, error) {
	s.mu.RLock()
	_, ok := s.m[suppressionKey{scope, recipient}]
	s.mu.RUnlock()
	return ok, nil
}

// Suppress records an opt-out of recipient in scope. An empty scope or recipient is a
// CodeInvalidArgument *Error: nothing could ever find it.
func (s *MemorySuppressionStore) Suppress(_ context.Context, scope, recipient string) error {
	if scope == "" || recipient == "" {
		return invalidf("suppression needs a scope and a recipient")
	}
	// Cloned: the strings may be slices of a large callback body the map would keep alive.
	k := suppressionKey{strings.Clone(scope), strings.Clone(recipient)}
	s.mu.Lock()
	s.m[k] = struct{}{}
	s.mu.Unlock()
	return nil
}

// Unsuppress removes the opt-out of recipient in scope, if there is one.
func (s *MemorySuppressionStore) Unsuppress(_ context.Context, scope, recipient string) error {
	s.mu.Lock()
	delete(s.m, suppressionKey{scope, recipient})
	s.mu.Unlock()
	return nil
}

// Len returns the number of (scope, recipient) entries.
func (s *MemorySuppressionStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

// ProviderSuppressor is an optional interface of a Suppressor that needs the name of the
// provider the Client sends through (to compute a scope). A Client whose Suppressor has it
// calls SuppressedFor instead of Suppressed, with the Name of the provider it wraps.
type ProviderSuppressor interface {
	SuppressedFor(ctx context.Context, provider string, from Sender, to string) (bool, error)
}

// OptOutRecorder is an optional interface of a Suppressor that learns opt-outs from the
// vendors' answers. After each Send, a Client whose Suppressor has it calls RecordOptOut for
// every recipient whose vendor attempt ended in CodeOptedOut (a Twilio 21610, say), so the
// next send to that recipient is refused before any request. Recipients the Suppressor itself
// refused are not reported again. An error is logged, never returned: the send is over.
//
// The webhook package calls it too, for opt-out events and delivery reports whose Code is
// CodeOptedOut (see webhook.Options.Consent). to is the recipient (the handset), from the
// sender the opt-out was addressed to, in both places.
type OptOutRecorder interface {
	RecordOptOut(ctx context.Context, provider string, from Sender, to string) error
}

// Consent is the consent layer over a SuppressionStore: it is the Suppressor a Client checks
// before any request (ClientOptions.Suppressor), the OptOutRecorder the Client tells of the
// vendors' opt-out answers, and what webhook.Handler updates from opt-out and opt-in events
// (webhook.Options.Consent). One Consent, or two over the same Store and Scope, on both sides
// closes the loop: a STOP received on one number refuses the next send to that handset from
// every number of the same scope, with no request.
//
//	consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: registry.Scope}
//	client := sms.NewClient(p, &sms.ClientOptions{Suppressor: consent})
//	mux.Handle("/sms/twilio", webhook.Handler(p, sink, &webhook.Options{Consent: consent}))
//
// Recipients are stored in canonical E.164 (NormalizePhone) when they are phone numbers, as
// given otherwise. A Consent without a Store fails closed: every check is an error, so the
// Client refuses the recipient (CodeInternal) rather than message someone it cannot check.
type Consent struct {
	// Store holds the opt-outs. Required.
	Store SuppressionStore
	// Scope names the set of senders one opt-out covers. Nil means SenderScope; so does an
	// empty result.
	Scope ScopeFunc
}

var (
	_ Suppressor         = (*Consent)(nil)
	_ ProviderSuppressor = (*Consent)(nil)
	_ OptOutRecorder     = (*Consent)(nil)
)

// ScopeOf returns the scope of from at provider: Scope's answer, or SenderScope's when Scope
// is nil or answers "". A from.Value that is a phone number written with punctuation or a
// "00" prefix is put in canonical E.164 first, as the Client sends from it.
func (c *Consent) ScopeOf(provider string, from Sender) string {
	from.Value = canonical(from.Value)
	if c.Scope != nil {
		if s := c.Scope(provider, from); s != "" {
			return s
		}
	}
	return SenderScope(provider, from)
}

// Suppressed implements Suppressor, with no provider name (the Client calls SuppressedFor).
func (c *Consent) Suppressed(ctx context.Context, from Sender, to string) (bool, error) {
	return c.SuppressedFor(ctx, "", from, to)
}

// SuppressedFor reports whether to opted out of messages from from's scope.
func (c *Consent) SuppressedFor(ctx context.Context, provider string, from Sender, to string) (bool, error) {
	if c.Store == nil {
		return false, errNoStore
	}
	return c.Store.Suppressed(ctx, c.ScopeOf(provider, from), canonical(to))
}

// RecordOptOut suppresses to in from's scope.
func (c *Consent) RecordOptOut(ctx context.Context, provider string, from Sender, to string) error {
	if c.Store == nil {
		return errNoStore
	}
	return c.Store.Suppress(ctx, c.ScopeOf(provider, from), canonical(to))
}

// RecordOptIn lifts the opt-out of to in from's scope (the handset sent START).
func (c *Consent) RecordOptIn(ctx context.Context, provider string, from Sender, to string) error {
	if c.Store == nil {
		return errNoStore
	}
	return c.Store.Unsuppress(ctx, c.ScopeOf(provider, from), canonical(to))
}

var errNoStore = &Error{Code: CodeInternal, Message: "consent has no suppression store"}

// canonical returns v — a sender value or a recipient — in canonical E.164 when it is a phone
// number written another way ("+1 (415) 555-0100", "0014155550100"), else v: a canonical
// number, a short code, a sender ID or a pool id is returned as is without allocating.
func canonical(v string) string {
	// NormalizePhone takes only a number with a '+' or a leading "00": anything else (a short
	// code, a sender ID) is returned without the allocation of its error.
	if v == "" || ValidPhone(v) || (strings.IndexByte(v, '+') < 0 && !strings.HasPrefix(strings.TrimLeft(v, " \t()-."), "00")) {
		return v
	}
	if n, err := NormalizePhone(v); err == nil {
		return n
	}
	return v
}

// suppressed asks s about one recipient, through ProviderSuppressor when s has it.
func suppressed(ctx context.Context, s Suppressor, provider string, from Sender, to string) (bool, error) {
	if ps, ok := s.(ProviderSuppressor); ok {
		return ps.SuppressedFor(ctx, provider, from, to)
	}
	return s.Suppressed(ctx, from, to)
}

// recordOptOuts tells the Suppressor, when it is an OptOutRecorder, of every recipient whose
// vendor attempt ended in CodeOptedOut (also when an earlier ambiguous attempt makes the
// result CodeOutcomeUnknown). A recipient with no attempt was refused before any
// request (by the Suppressor itself, or validation) and is skipped. The vendor's answer is
// final whatever happens to the caller's context, so recording outlives it.
func (c *Client) recordOptOuts(ctx context.Context, m *Message, results []SendResult) {
	rec, ok := c.opts.Suppressor.(OptOutRecorder)
	if !ok {
		return
	}
	name := c.base.Name()
	for _, r := range results {
		// errors.Is, not ErrorCode: after an ambiguous earlier attempt the vendor's OptedOut
		// is kept inside a CodeOutcomeUnknown, and it is still the vendor's answer.
		if r.Attempts == 0 || r.Err == nil || !errors.Is(r.Err, ErrOptedOut) {
			continue
		}
		if err := rec.RecordOptOut(context.WithoutCancel(ctx), name, m.From, r.To); err != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "sms: recording a vendor opt-out failed",
				slog.String("provider", name), slog.Any("error", err))
		}
	}
}
