package emu

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// storeMsg is a vendor message for the Store tests: a status and the times it was applied.
type storeMsg struct {
	ID      string
	Status  string
	Applied []time.Time
}

func newTestStore(clock *ManualClock) (*Store[storeMsg, string], *sync.Mutex) {
	var mu sync.Mutex
	st := NewStore(&mu, clock.Now, func(m *storeMsg, step string, at time.Time) {
		m.Status = step
		m.Applied = append(m.Applied, at)
	})
	return st, &mu
}

func TestStoreAppliesStepsWhenTheClockReachesThem(t *testing.T) {
	clock := NewManualClock(t0)
	st, mu := newTestStore(clock)
	m := &storeMsg{ID: "a", Status: "queued"}
	mu.Lock()
	st.AddLocked(m, m.ID, true)
	st.PlanLocked(m, "sent", t0)
	st.PlanLocked(m, "delivered", t0.Add(time.Minute))
	mu.Unlock()

	got, ok := st.Message("a")
	require.True(t, ok)
	require.Equal(t, "sent", got.Status, "a step due now applies at once")

	clock.Advance(59 * time.Second)
	got, _ = st.Message("a")
	require.Equal(t, "sent", got.Status, "a step not yet due waits")

	clock.Advance(time.Second)
	got, _ = st.Message("a")
	want := storeMsg{ID: "a", Status: "delivered", Applied: []time.Time{t0, t0.Add(time.Minute)}}
	require.Empty(t, cmp.Diff(want, got), "steps apply in order, each with its own time")

	clock.Advance(time.Hour)
	got, _ = st.Message("a")
	require.Len(t, got.Applied, 2, "an applied step is not applied again")
}

func TestStoreDropPlan(t *testing.T) {
	clock := NewManualClock(t0)
	st, mu := newTestStore(clock)
	m := &storeMsg{ID: "a", Status: "queued"}
	mu.Lock()
	st.AddLocked(m, m.ID, true)
	st.PlanLocked(m, "delivered", t0.Add(time.Second))
	got, ok := st.GetLocked("a")
	require.True(t, ok)
	st.DropPlanLocked(got)
	mu.Unlock()
	clock.Advance(time.Minute)
	msg, _ := st.Message("a")
	require.Equal(t, "queued", msg.Status)
}

func TestStoreIndexAndAccepted(t *testing.T) {
	clock := NewManualClock(t0)
	st, mu := newTestStore(clock)
	mu.Lock()
	st.AddLocked(&storeMsg{ID: "ok", Status: "queued"}, "ok", true)
	st.AddLocked(&storeMsg{ID: "refused", Status: "rejected"}, "", false)
	st.AddLocked(&storeMsg{ID: "bad", Status: "rejected"}, "bad", false)
	late := &storeMsg{ID: "late", Status: "queued"}
	st.AddLocked(late, "late", true)
	st.PlanLocked(late, "delivered", t0.Add(time.Second))
	mu.Unlock()

	require.Equal(t, 2, st.Accepted())
	_, ok := st.Message("refused")
	require.False(t, ok, "a message added without an id is not indexed")
	_, ok = st.Message("bad")
	require.True(t, ok, "a rejected message added with an id is indexed")

	clock.Advance(time.Second)
	var ids, statuses []string
	for _, m := range st.Messages() {
		ids, statuses = append(ids, m.ID), append(statuses, m.Status)
	}
	require.Equal(t, []string{"ok", "refused", "bad", "late"}, ids, "oldest first")
	require.Equal(t, "delivered", statuses[3], "Messages advances every message")

	mu.Lock()
	st.ResetLocked()
	mu.Unlock()
	require.Empty(t, st.Messages())
	require.Zero(t, st.Accepted())
	_, ok = st.Message("ok")
	require.False(t, ok)
}

func TestStoreMessagesAreCopies(t *testing.T) {
	st, mu := newTestStore(NewManualClock(t0))
	m := &storeMsg{ID: "a", Status: "queued"}
	mu.Lock()
	st.AddLocked(m, "a", true)
	mu.Unlock()
	got := st.Messages()
	got[0].Status = "changed"
	one, _ := st.Message("a")
	require.Equal(t, "queued", one.Status)
}
