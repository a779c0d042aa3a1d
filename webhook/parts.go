package webhook

import (
	"context"
	"sync"

	"github.com/smsbridge/sms"
)

// defaultPartCapacity is the number of multipart messages the default PartStore remembers.
const defaultPartCapacity = 10000

// PartState is what a PartStore holds for one multipart message.
type PartState struct {
	// Parts is the message's number of parts, the largest a report said; 0 while unknown.
	Parts int
	// Statuses holds the status of each part reported so far, by part number (from 1).
	Statuses map[int]sms.Status
	// Folded is the message status last handed to the sink (StatusUnknown before the first).
	Folded sms.Status
}

// Status folds the parts into one message status:
//
//   - a part that failed for good (a final status other than delivered) makes the message
//     that status (the lowest-numbered such part wins), since the message cannot be delivered
//     whole any more;
//   - every one of Parts parts — and of any higher-numbered part reported — delivered makes
//     the message delivered (never while Parts is 0: a provider whose vendor reports parts
//     must say how many there are);
//   - otherwise the message is where its least advanced reported part is, a delivered part
//     counting as sent. Parts whose status is StatusUnknown are left out; with no other part
//     the result is StatusUnknown.
func (s PartState) Status() sms.Status {
	failedPart := 0
	failed := sms.StatusUnknown
	for part, st := range s.Statuses {
		if st.IsFinal() && st != sms.StatusDelivered && (failedPart == 0 || part < failedPart) {
			failedPart, failed = part, st
		}
	}
	if failedPart != 0 {
		return failed
	}
	if s.Parts > 0 {
		// A part numbered above Parts (a vendor that stated the total inconsistently) is a
		// part too: every part known must be delivered.
		n := s.Parts
		for part := range s.Statuses {
			n = max(n, part)
		}
		all := true
		for part := 1; part <= n; part++ {
			if s.Statuses[part] != sms.StatusDelivered {
				all = false
				break
			}
		}
		if all {
			return sms.StatusDelivered
		}
	}
	least := sms.StatusUnknown
	for _, st := range s.Statuses {
		if st == sms.StatusDelivered {
			st = sms.StatusSent
		}
		if st == sms.StatusUnknown {
			continue
		}
		if least == sms.StatusUnknown || st.Rank() < least.Rank() {
			least = st
		}
	}
	return least
}

// PartStore keeps the state of multipart messages between callback requests, so that Handler
// can fold the reports of their parts into one message status while ParseCallback stays
// stateless. Implementations must be safe for concurrent use; a store shared by replicas (Redis
// hashes, a table keyed by message) makes the fold work across them.
type PartStore interface {
	// AddPart records status for one part of the message key: the part's stored status is
	// replaced only when status Supersedes it (sms.Status.Supersedes), and Parts becomes the
	// larger of the stored and given counts (parts is 0 when the report did not say). It
	// returns the message's state after the change. An error makes Handler answer 500.
	AddPart(ctx context.Context, key string, part, parts int, status sms.Status) (PartState, error)
	// SetFolded records the message status handed to the sink for key. Handler calls it
	// after the sink succeeded; an error is logged, and the status may be handed on again.
	SetFolded(ctx context.Context, key string, status sms.Status) error
}

// NoPartFold is a PartStore that turns folding off: Handler hands every part report to the sink
// as the provider decoded it, with its own Part, Parts and Status.
var NoPartFold PartStore = noPartFold{}

type noPartFold struct{}

func (noPartFold) AddPart(context.Context, string, int, int, sms.Status) (PartState, error) {
	return PartState{}, nil
}
func (noPartFold) SetFolded(context.Context, string, sms.Status) error { return nil }

// MemoryPartStore is a bounded in-memory PartStore: it remembers the parts of the most recently
// started messages, at most its capacity, and forgets the oldest message first. A message
// forgotten before all its reports arrived starts again from its later reports (its folded
// status may then be handed on again, never moved backwards by the fold itself). It is per
// process, like MemoryStore.
type MemoryPartStore struct {
	mu   sync.Mutex
	cap  int
	msgs map[string]*PartState
	ring []string
	next int
}

// NewMemoryPartStore returns an empty MemoryPartStore remembering up to capacity messages. A
// capacity below 1 means 10000, the size Handler uses by default.
func NewMemoryPartStore(capacity int) *MemoryPartStore {
	if capacity < 1 {
		capacity = defaultPartCapacity
	}
	n := min(capacity, 1024)
	return &MemoryPartStore{cap: capacity, msgs: make(map[string]*PartState, n), ring: make([]string, 0, n)}
}

// Len returns the number of messages remembered.
func (s *MemoryPartStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// AddPart implements PartStore. It never fails.
func (s *MemoryPartStore) AddPart(_ context.Context, key string, part, parts int, status sms.Status) (PartState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.msgs[key]
	if !ok {
		st = &PartState{Statuses: map[int]sms.Status{}}
		s.msgs[key] = st
		if len(s.ring) < s.cap {
			s.ring = append(s.ring, key)
		} else {
			delete(s.msgs, s.ring[s.next])
			s.ring[s.next] = key
			s.next = (s.next + 1) % s.cap
		}
	}
	st.Parts = max(st.Parts, parts)
	if old, seen := st.Statuses[part]; !seen || status.Supersedes(old) {
		st.Statuses[part] = status
	}
	out := *st
	out.Statuses = make(map[int]sms.Status, len(st.Statuses))
	for k, v := range st.Statuses {
		out.Statuses[k] = v
	}
	return out, nil
}

// SetFolded implements PartStore. It never fails; a message already forgotten is left so.
func (s *MemoryPartStore) SetFolded(_ context.Context, key string, status sms.Status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.msgs[key]; ok && status.Supersedes(st.Folded) {
		st.Folded = status
	}
	return nil
}

// partKey is the PartStore key of an event's message.
func partKey(ev *sms.Event) string { return ev.Provider + "\x00" + ev.MessageID }
