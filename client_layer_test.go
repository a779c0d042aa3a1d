package sms_test

import (
	"context"
	"testing"

	"github.com/smsbridge/sms"
)

type passthrough struct{ sms.Provider }

func (p passthrough) Unwrap() sms.Provider { return p.Provider }

// A Client behind a wrapper (middleware that implements sms.Unwrapper) gets the root layer twice.
func TestRootLayerOnceThroughUnwrapper(t *testing.T) {
	p := &scripted{errs: []error{throttled}}
	inner := sms.NewClient(p, &sms.ClientOptions{Clock: fakeClock{}})
	outer := sms.NewClient(passthrough{inner}, &sms.ClientOptions{Clock: fakeClock{}})
	_, _ = outer.Send(context.Background(), oneMsg())
	if n := p.calls.Load(); n != 3 {
		t.Fatalf("vendor called %d times for MaxAttempts 3", n)
	}
}
