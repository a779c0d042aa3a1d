package acs

import (
	"strings"

	"github.com/smsbridge/sms"
)

// DeliveryCode is one row of the table behind MapStatus: a code that ACS puts at the start of
// deliveryStatusDetails ("4004: Destination number does not exist") and the portable status
// of a report whose deliveryStatus is "Failed" with that code.
type DeliveryCode struct {
	Code    string     // the number, e.g. "4004"
	Status  sms.Status // the portable status
	Meaning string     // Microsoft's description ("SMS error codes")
}

// DeliveryCodes is the table MapStatus applies to failed reports, in code order
// (vendors/acs.md §4.2, from Microsoft's "SMS error codes").
var DeliveryCodes = []DeliveryCode{
	{"2000", sms.StatusDelivered, "delivered successfully"},
	{"4000", sms.StatusRejected, "rejected by fraud detection"},
	{"4001", sms.StatusRejected, "invalid source (From) format"},
	{"4002", sms.StatusRejected, "invalid destination (To) format"},
	{"4003", sms.StatusRejected, "unsupported destination"},
	{"4004", sms.StatusUndelivered, "destination number does not exist"},
	{"4005", sms.StatusRejected, "blocked by the destination carrier"},
	{"4006", sms.StatusUndelivered, "destination not reachable"},
	{"4007", sms.StatusRejected, "destination opted out of your messages"},
	{"4008", sms.StatusRejected, "exceeded the maximum messages for your profile"},
	{"4009", sms.StatusRejected, "rejected by the Microsoft entitlement system"},
	{"4010", sms.StatusRejected, "blocked: toll-free number not verified"},
	{"5000", sms.StatusFailed, "failed; contact support"},
	{"5001", sms.StatusFailed, "temporary unavailability of the application or system"},
	{"5002", sms.StatusExpired, "delivery timeout"},
	{"9999", sms.StatusFailed, "unknown error"},
}

// MapStatus maps an ACS delivery report — the deliveryStatus word and the
// deliveryStatusDetails text — to the portable status, and returns the numeric code that
// starts the details ("2000: No Error" gives "2000"; "No error." gives "").
//
//	deliveryStatus  code in details                     sms.Status
//	Delivered       any                                 Delivered
//	Failed          4000–4003, 4005, 4007–4010          Rejected
//	Failed          4004, 4006                          Undelivered
//	Failed          5000, 5001, 9999                    Failed
//	Failed          5002                                Expired
//	Failed          none or another code                Failed
//	anything else   any                                 Unknown
//
// The word is matched without regard to case and surrounding space. Callers keep the word
// as Event.RawStatus and the code as Event.ErrorCode.
func MapStatus(deliveryStatus, details string) (status sms.Status, code string) {
	code = leadingCode(details)
	switch strings.ToLower(strings.TrimSpace(deliveryStatus)) {
	case "delivered":
		return sms.StatusDelivered, code
	case "failed":
		if code != "" {
			for _, c := range DeliveryCodes {
				if c.Code == code && c.Status != sms.StatusDelivered {
					return c.Status, code
				}
			}
		}
		return sms.StatusFailed, code
	}
	return sms.StatusUnknown, code
}

// leadingCode returns the run of ASCII digits at the start of s (after space), or "".
func leadingCode(s string) string {
	s = strings.TrimLeft(s, " \t")
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || n > 9 {
		return ""
	}
	return s[:n]
}
