package emu

import (
	"sync"
	"time"
)

// Clock is the emulator's time source: request timestamps, delivery-attempt times, vendor
// timestamps in responses and callbacks, and signature freshness checks (ACS x-ms-date,
// Telesign Date). It only tells the time; waits (fault delays, delivery back-off) are real,
// so that a test sees the behaviour a client would see.
//
// sms.RealClock satisfies Clock.
type Clock interface {
	Now() time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// FixedClock is a clock stopped at one instant: emu.FixedClock(t).
type FixedClock time.Time

// Now returns the fixed instant.
func (c FixedClock) Now() time.Time { return time.Time(c) }

// ManualClock is a clock that moves only when told to. It is safe for concurrent use; the
// zero value reads the zero time.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t (backwards too).
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// Fresh reports whether t lies within window of c's current time, in either direction: the
// check a vendor makes on a signed request's date header before it verifies the signature.
func Fresh(c Clock, t time.Time, window time.Duration) bool {
	d := c.Now().Sub(t)
	return d <= window && d >= -window
}
