package webhook

import (
	"context"
	"sync"
)

// defaultCapacity is the size of the in-memory store Handler creates when Options.Dedup is nil.
const defaultCapacity = 10000

// Store de-duplicates events by sms.Event.ID. Handler asks Seen for each event of a request
// before calling the sink (and again after waiting for a concurrent request carrying the same
// event) and calls Mark with the ids the sink accepted, only after it succeeded.
// Implementations must be safe for concurrent use. A store shared by several processes (Redis,
// a database table with a unique key and a time-to-live) makes de-duplication work across
// replicas; entries need to live only as long as vendors retry (Event Grid: 24 hours by default).
type Store interface {
	// Seen reports whether id was marked. An error makes Handler answer 500 without calling
	// the sink.
	Seen(ctx context.Context, id string) (bool, error)
	// Mark records ids as handled. Handler calls it after the sink succeeded, with a context
	// that is not canceled when the client goes away. An error is logged and the request is
	// still answered with success, so those events may be delivered again.
	Mark(ctx context.Context, ids []string) error
}

// NoDedup is a Store that marks nothing and sees nothing: every event reaches the sink, even
// when a vendor delivers it again. Events repeated within one request are still delivered once.
var NoDedup Store = noDedup{}

type noDedup struct{}

func (noDedup) Seen(context.Context, string) (bool, error) { return false, nil }
func (noDedup) Mark(context.Context, []string) error       { return nil }

// MemoryStore is a bounded in-memory Store: it remembers the most recently marked ids, at most
// its capacity, and forgets the oldest first (first in, first out; marking an id again does not
// refresh it). One Mark call remembers at most half the capacity (rounded up) of new ids and
// drops the rest, so that a single request with a huge batch of tiny events cannot push every
// earlier id out and let a vendor's retries of recent events through again; the dropped ids of
// such a batch may be delivered again. It is safe for concurrent use. It is per process: replicas behind a load balancer
// each have their own, so a vendor's retry that reaches another replica is delivered again. Use a
// shared Store there.
type MemoryStore struct {
	mu   sync.Mutex
	cap  int
	ids  map[string]struct{}
	ring []string // remembered ids, oldest at next once the ring is full
	next int      // the slot to overwrite next when len(ring) == cap
}

// NewMemoryStore returns an empty MemoryStore remembering up to capacity ids. A capacity below
// 1 means 10000, the size Handler uses by default. Memory grows with use, up to the capacity.
func NewMemoryStore(capacity int) *MemoryStore {
	if capacity < 1 {
		capacity = defaultCapacity
	}
	n := min(capacity, 1024)
	return &MemoryStore{cap: capacity, ids: make(map[string]struct{}, n), ring: make([]string, 0, n)}
}

// Len returns the number of ids remembered.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// Seen reports whether id is among the remembered ids. It never fails.
func (s *MemoryStore) Seen(_ context.Context, id string) (bool, error) {
	s.mu.Lock()
	_, ok := s.ids[id]
	s.mu.Unlock()
	return ok, nil
}

// Mark remembers ids, forgetting the oldest ones beyond the capacity. Of the ids not yet
// remembered it keeps the first (capacity+1)/2 and drops the others. It never fails.
func (s *MemoryStore) Mark(_ context.Context, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	budget := (s.cap + 1) / 2
	for _, id := range ids {
		if _, ok := s.ids[id]; ok {
			continue
		}
		if budget == 0 {
			return nil
		}
		budget--
		s.ids[id] = struct{}{}
		if len(s.ring) < s.cap {
			s.ring = append(s.ring, id)
			continue
		}
		delete(s.ids, s.ring[s.next])
		s.ring[s.next] = id
		s.next++
		if s.next == s.cap {
			s.next = 0
		}
	}
	return nil
}
