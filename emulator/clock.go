package emulator

import (
	"context"
	"sync"
	"time"
)

// ManualClock is an sms.Clock that moves only when told to: Now reads the time it was set
// to, and Sleep returns once Advance or Set has moved the clock d past the moment Sleep was
// called (or when ctx ends). It is safe for concurrent use; the zero value reads the zero
// time.
//
// A test that must know an emulator is already waiting — for a message's delayed outcome,
// say — calls WaitSleepers before Advance.
type ManualClock struct {
	mu       sync.Mutex
	t        time.Time
	sleepers []*sleeper
	changed  chan struct{} // closed and replaced whenever sleepers changes
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep waits until the clock has moved d past its current time, or until ctx ends, and
// then returns ctx.Err(). A d of zero or less returns at once.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	s := &sleeper{until: c.t.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.notifyLocked()
	c.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		c.removeLocked(s)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Set moves the clock to t (backwards too) and wakes the sleepers that are due.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.wakeLocked()
	c.mu.Unlock()
}

// Advance moves the clock by d, wakes the sleepers that are due and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.wakeLocked()
	return c.t
}

// Sleepers returns how many Sleep calls are waiting.
func (c *ManualClock) Sleepers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers)
}

// WaitSleepers blocks until at least n Sleep calls are waiting, or until ctx ends.
func (c *ManualClock) WaitSleepers(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		if len(c.sleepers) >= n {
			c.mu.Unlock()
			return nil
		}
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *ManualClock) wakeLocked() {
	kept := c.sleepers[:0]
	for _, s := range c.sleepers {
		if c.t.Before(s.until) {
			kept = append(kept, s)
			continue
		}
		close(s.wake)
	}
	clear(c.sleepers[len(kept):])
	if len(kept) != len(c.sleepers) {
		c.sleepers = kept
		c.notifyLocked()
	}
}

func (c *ManualClock) removeLocked(s *sleeper) {
	for i, x := range c.sleepers {
		if x == s {
			c.sleepers = append(c.sleepers[:i], c.sleepers[i+1:]...)
			c.notifyLocked()
			return
		}
	}
}

func (c *ManualClock) notifyLocked() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}
