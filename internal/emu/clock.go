package emu

import (
	"context"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
)

// Clock is the emulator's one time source, sms.Clock: its Now stamps requests,
// delivery attempts, vendor timestamps in responses and callbacks, and is what signature
// freshness checks compare against (a vendor's signed date header); its Sleep is every wait
// the emulator makes on behalf of a scenario — fault delays, an outcome's delay, a
// batching window — so that a test driving an emulator.ManualClock decides when they end.
// Retry back-offs of callback deliveries are real waits (milliseconds in tests).
type Clock = sms.Clock

// RealClock is the wall clock.
type RealClock = sms.RealClock

// ManualClock is a clock that moves only when told to; see emulator.ManualClock.
type ManualClock = emulator.ManualClock

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t time.Time) *ManualClock { return emulator.NewManualClock(t) }

// FixedClock is a clock whose Now is stopped at one instant and whose Sleep is real:
// emu.FixedClock(t), for reproducible timestamps in examples.
type FixedClock time.Time

// Now returns the fixed instant.
func (c FixedClock) Now() time.Time { return time.Time(c) }

// Sleep waits for d in real time, or until ctx ends.
func (c FixedClock) Sleep(ctx context.Context, d time.Duration) error {
	return sms.RealClock{}.Sleep(ctx, d)
}

// Fresh reports whether t lies within window of c's current time, in either direction: the
// check a vendor makes on a signed request's date header before it verifies the signature.
func Fresh(c Clock, t time.Time, window time.Duration) bool {
	d := c.Now().Sub(t)
	return d <= window && d >= -window
}
