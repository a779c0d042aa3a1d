package emu

import (
	"sync"
	"time"
)

// Store holds the messages an emulator took, oldest first, with an index of the accepted
// ones by id and, per message, the status steps still planned for it: steps of a message
// without a callback URL, applied when the emulator clock reaches their time. M is the
// vendor's message type, S its step (a status and whatever the vendor reports with it).
//
// Store has no lock of its own: it shares the vendor emulator's mutex, given to NewStore,
// because the vendor changes its messages under that mutex too. Methods named …Locked need
// the mutex held; the others take it.
type Store[M, S any] struct {
	mu    *sync.Mutex
	now   func() time.Time
	apply func(m *M, step S, at time.Time)

	msgs     []*M
	byID     map[string]*M
	plans    map[*M][]planned[S]
	accepted int
}

// planned is a step and the emulator-clock time it is due.
type planned[S any] struct {
	step S
	at   time.Time
}

// NewStore returns an empty store guarded by mu, with now the emulator clock and apply the
// vendor's way of moving a message to a step (called with mu held, in plan order).
func NewStore[M, S any](mu *sync.Mutex, now func() time.Time, apply func(m *M, step S, at time.Time)) *Store[M, S] {
	return &Store[M, S]{mu: mu, now: now, apply: apply, byID: map[string]*M{}, plans: map[*M][]planned[S]{}}
}

// AddLocked appends m; a non-empty id indexes it (GetLocked and Message find it), and
// accepted counts it in Accepted.
func (st *Store[M, S]) AddLocked(m *M, id string, accepted bool) {
	st.msgs = append(st.msgs, m)
	if id != "" {
		st.byID[id] = m
	}
	if accepted {
		st.accepted++
	}
}

// GetLocked returns the message indexed by id as it is, without applying its due steps
// (AdvanceLocked does).
func (st *Store[M, S]) GetLocked(id string) (*M, bool) {
	m, ok := st.byID[id]
	return m, ok
}

// AllLocked returns every message, oldest first, without advancing them. The slice is the
// store's: read it under the mutex, do not change it.
func (st *Store[M, S]) AllLocked() []*M { return st.msgs }

// PlanLocked adds step, due at at, to m's plan.
func (st *Store[M, S]) PlanLocked(m *M, step S, at time.Time) {
	st.plans[m] = append(st.plans[m], planned[S]{step, at})
}

// DropPlanLocked forgets the steps still planned for m.
func (st *Store[M, S]) DropPlanLocked(m *M) { delete(st.plans, m) }

// AdvanceLocked applies m's planned steps whose time the emulator clock has reached, in
// order.
func (st *Store[M, S]) AdvanceLocked(m *M) {
	p := st.plans[m]
	if len(p) == 0 {
		return
	}
	now := st.now()
	i := 0
	for ; i < len(p) && !now.Before(p[i].at); i++ {
		st.apply(m, p[i].step, p[i].at)
	}
	if i == len(p) {
		delete(st.plans, m)
	} else {
		st.plans[m] = p[i:]
	}
}

// AdvanceAllLocked applies the due steps of every message.
func (st *Store[M, S]) AdvanceAllLocked() {
	for _, m := range st.msgs {
		st.AdvanceLocked(m)
	}
}

// Messages returns a copy of every message, oldest first, each advanced to the clock.
func (st *Store[M, S]) Messages() []M {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]M, len(st.msgs))
	for i, m := range st.msgs {
		st.AdvanceLocked(m)
		out[i] = *m
	}
	return out
}

// Message returns a copy of the message indexed by id, advanced to the clock.
func (st *Store[M, S]) Message(id string) (M, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	m, ok := st.byID[id]
	if !ok {
		var zero M
		return zero, false
	}
	st.AdvanceLocked(m)
	return *m, true
}

// Accepted returns how many messages were added as accepted.
func (st *Store[M, S]) Accepted() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.AcceptedLocked()
}

// AcceptedLocked is Accepted with the mutex held.
func (st *Store[M, S]) AcceptedLocked() int { return st.accepted }

// ResetLocked forgets every message and plan.
func (st *Store[M, S]) ResetLocked() {
	st.msgs, st.byID, st.plans, st.accepted = nil, map[string]*M{}, map[*M][]planned[S]{}, 0
}
