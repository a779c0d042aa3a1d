package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Verdict is a vendor's judgement of one callback attempt, by its retry rule.
type Verdict int

// Verdicts.
const (
	Success Verdict = iota // the receiver acknowledged; the delivery is done
	Retry                  // try again after a back-off, if retries remain
	Drop                   // give up now (the vendor drops or dead-letters it)
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Success:
		return "success"
	case Retry:
		return "retry"
	case Drop:
		return "drop"
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}

// DeliveryState is where a callback delivery stands.
type DeliveryState int

// Delivery states.
const (
	StatePending   DeliveryState = iota // queued, waiting or being attempted
	StateDelivered                      // the vendor's rule judged an answer a success
	StateDropped                        // the rule said drop, or the request could not be built
	StateExhausted                      // the last retry failed
	StateCanceled                       // the emulator was closed first
)

var stateNames = [...]string{"pending", "delivered", "dropped", "exhausted", "canceled"}

// String returns the state's lower-case name.
func (s DeliveryState) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s DeliveryState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Attempt is one try of a delivery.
type Attempt struct {
	Time       time.Time // when the answer (or error) arrived, by the emulator's clock
	StatusCode int       // 0 when no response arrived
	Err        error     // the transport error, if any
	Verdict    Verdict   // the vendor rule's judgement
}

// MarshalJSON encodes the attempt with its error as a string.
func (a Attempt) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Time       time.Time `json:"time"`
		StatusCode int       `json:"status_code,omitempty"`
		Err        string    `json:"error,omitempty"`
		Verdict    string    `json:"verdict"`
	}{a.Time, a.StatusCode, errString(a.Err), a.Verdict.String()})
}

// Delivery is the record of one callback an emulator posted to the application (a
// delivery report, an inbound message): what was sent, every attempt, and how it ended.
type Delivery struct {
	ID     int           // 1-based, in the order the emulator queued them
	Key    string        // what orders it among others (a message id), if anything
	Method string        // POST unless the vendor says otherwise
	URL    string        // the application's webhook
	Header http.Header   // as queued (per-attempt headers are not reflected)
	Body   []byte        // the payload
	State  DeliveryState // where it stands
	// StatusCode and ResponseBody are from the last answer; zero and nil if none arrived.
	StatusCode   int
	ResponseBody []byte    // up to the emulator's limit (64 KiB by default)
	Attempts     []Attempt // every attempt, oldest first
	// Err says why a delivery did not succeed: the last transport error, the status the
	// vendor's rule refused, or the context error of a canceled delivery.
	Err      error
	Queued   time.Time // when it was queued
	Finished time.Time // zero while pending
}

// Clone returns a deep copy of d.
func (d Delivery) Clone() Delivery {
	d.Header = d.Header.Clone()
	d.Body = slices.Clone(d.Body)
	d.ResponseBody = slices.Clone(d.ResponseBody)
	d.Attempts = slices.Clone(d.Attempts)
	return d
}

// String describes the delivery in one line, without bodies and with its credentials
// redacted, so that %v is safe to log.
func (d Delivery) String() string {
	s := fmt.Sprintf("delivery %d: %s %s %v: %s after %d attempt(s)", d.ID, d.Method, RedactURL(d.URL), RedactHeader(d.Header), d.State, len(d.Attempts))
	if d.StatusCode != 0 {
		s += fmt.Sprintf(", last answer %d", d.StatusCode)
	}
	if d.Err != nil {
		s += ": " + d.Err.Error()
	}
	return s
}

// MarshalJSON encodes the delivery as an emulator's GET /_emulator/deliveries serves it:
// bodies as strings, the header and the URL's query redacted (see RedactHeader and
// RedactURL).
func (d Delivery) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID           int           `json:"id"`
		Key          string        `json:"key,omitempty"`
		Method       string        `json:"method"`
		URL          string        `json:"url"`
		Header       http.Header   `json:"header"`
		Body         string        `json:"body"`
		State        DeliveryState `json:"state"`
		StatusCode   int           `json:"status_code,omitempty"`
		ResponseBody string        `json:"response_body,omitempty"`
		Attempts     []Attempt     `json:"attempts"`
		Err          string        `json:"error,omitempty"`
		Queued       time.Time     `json:"queued"`
		Finished     *time.Time    `json:"finished,omitempty"`
	}{d.ID, d.Key, d.Method, RedactURL(d.URL), RedactHeader(d.Header), string(d.Body), d.State, d.StatusCode,
		string(d.ResponseBody), nonNil(d.Attempts), errString(d.Err), d.Queued, timePtr(d.Finished)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
