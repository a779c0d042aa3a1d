package sms_test

import (
	"context"
	"testing"

	"github.com/smsbridge/sms"
)

type passthrough struct{ sms.Provider }

func (p passthrough) Unwrap() sms.Provider { return p.Provider }

// A Client behind a wrapper (middleware that implements sms.Unwrapper) runs the root layer
// once: the vendor sees MaxAttempts requests for a recipient that is always throttled, not
// MaxAttempts squared.
func TestRootLayerOnceThroughUnwrapper(t *testing.T) {
	p := &scripted{errs: []error{throttled}}
	inner := sms.NewClient(p, &sms.ClientOptions{Clock: fakeClock{}})
	outer := sms.NewClient(passthrough{inner}, &sms.ClientOptions{Clock: fakeClock{}})
	_, _ = outer.Send(context.Background(), oneMsg())
	if n := p.calls.Load(); n != 3 {
		t.Fatalf("vendor called %d times for MaxAttempts 3", n)
	}
}
