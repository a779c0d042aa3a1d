package sms

import "fmt"

// Status is the portable delivery state of one message to one recipient. The set is open:
// a vendor status that has no mapping becomes StatusUnknown, with the vendor's own word kept in
// Event.RawStatus.
type Status int

// The portable statuses, in rank order (see Status.Rank).
const (
	StatusUnknown     Status = iota // no mapping for the vendor's status
	StatusAccepted                  // the vendor took the request; nothing sent yet
	StatusQueued                    // queued at the vendor
	StatusSent                      // handed to the carrier
	StatusDelivered                 // the handset received it (final)
	StatusUndelivered               // the carrier reported non-delivery (final)
	StatusFailed                    // the vendor could not send it (final)
	StatusExpired                   // validity ran out before delivery (final)
	StatusRejected                  // refused by the vendor or carrier (final)
)

var statusNames = [...]string{
	StatusUnknown:     "unknown",
	StatusAccepted:    "accepted",
	StatusQueued:      "queued",
	StatusSent:        "sent",
	StatusDelivered:   "delivered",
	StatusUndelivered: "undelivered",
	StatusFailed:      "failed",
	StatusExpired:     "expired",
	StatusRejected:    "rejected",
}

// String returns the lower-case name of the status.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; an unknown word becomes StatusUnknown.
func (s *Status) UnmarshalText(b []byte) error {
	*s = ParseStatus(string(b))
	return nil
}

// ParseStatus returns the status named by String, or StatusUnknown.
func ParseStatus(name string) Status {
	for i, n := range statusNames {
		if n == name {
			return Status(i)
		}
	}
	return StatusUnknown
}

// IsFinal reports whether no later report can change the outcome: delivered, undelivered,
// failed, expired or rejected.
func (s Status) IsFinal() bool { return s >= StatusDelivered && s <= StatusRejected }

// Rank orders statuses along a message's life: unknown 0, accepted 1, queued 2, sent 3, and 4
// for every final status. Reports can arrive out of order; see Supersedes.
func (s Status) Rank() int {
	switch {
	case s.IsFinal():
		return 4
	case s >= StatusAccepted && s <= StatusSent:
		return int(s)
	}
	return 0
}

// Supersedes reports whether a report of status s should replace a stored status old.
// A final status is never replaced (the first final report wins); otherwise a status
// replaces one of lower rank. Unknown never replaces a known status.
//
//	if ev.Status.Supersedes(stored) { stored = ev.Status }
func (s Status) Supersedes(old Status) bool {
	if old.IsFinal() {
		return false
	}
	return s.Rank() > old.Rank()
}
