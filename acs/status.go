package acs

import (
	"slices"
	"strings"

	"github.com/smsbridge/sms"
)

// DeliveryCode is one row of the table behind ReportStatus: a code that ACS puts at the
// start of deliveryStatusDetails ("4004: Destination number does not exist"), the portable
// status of a report whose deliveryStatus is "Failed" with that code, and the portable class
// of that failure (sms.Event.Code).
type DeliveryCode struct {
	Code    string     // the number, e.g. "4004"
	Status  sms.Status // the portable status
	Class   sms.Code   // the portable failure class; CodeUnknown when it has none
	Meaning string     // Microsoft's description ("SMS error codes")
}

// deliveryCodes is Microsoft's "SMS error codes" list (vendors/acs.md §4.2), in code order.
var deliveryCodes = []DeliveryCode{
	{"2000", sms.StatusDelivered, sms.CodeUnknown, "delivered successfully"},
	{"4000", sms.StatusRejected, sms.CodePermissionDenied, "rejected by fraud detection"},
	{"4001", sms.StatusRejected, sms.CodeInvalidArgument, "invalid source (From) format"},
	{"4002", sms.StatusRejected, sms.CodeInvalidRecipient, "invalid destination (To) format"},
	{"4003", sms.StatusRejected, sms.CodePermissionDenied, "unsupported destination"},
	{"4004", sms.StatusUndelivered, sms.CodeInvalidRecipient, "destination number does not exist"},
	{"4005", sms.StatusRejected, sms.CodePermissionDenied, "blocked by the destination carrier"},
	{"4006", sms.StatusUndelivered, sms.CodeUnavailable, "destination not reachable (retry later)"},
	{"4007", sms.StatusRejected, sms.CodeOptedOut, "destination opted out of your messages"},
	{"4008", sms.StatusRejected, sms.CodeRateLimited, "exceeded the maximum messages for your profile"},
	{"4009", sms.StatusRejected, sms.CodePermissionDenied, "rejected by the Microsoft entitlement system"},
	{"4010", sms.StatusRejected, sms.CodePermissionDenied, "blocked: toll-free number not verified"},
	{"5000", sms.StatusFailed, sms.CodeInternal, "failed; contact support"},
	{"5001", sms.StatusFailed, sms.CodeUnavailable, "temporary unavailability of the application or system"},
	{"5002", sms.StatusExpired, sms.CodeUnavailable, "delivery timeout"},
	{"9999", sms.StatusFailed, sms.CodeUnknown, "unknown error"},
}

// senderBlocked is the deliveryStatusDetails of a send to a recipient who opted out, as the
// SMS FAQ quotes it ("Sender blocked for given recipient."), which carries no code.
const senderBlocked = "sender blocked for given recipient"

// DeliveryCodes returns the table ReportStatus applies to failed reports, in code order. It
// is a copy: changing it changes nothing else.
func DeliveryCodes() []DeliveryCode { return slices.Clone(deliveryCodes) }

// ReportStatus maps an ACS delivery report — the deliveryStatus word and the
// deliveryStatusDetails text — to the portable status, the portable class of a failure
// (sms.Event.Code), and the numeric code that starts the details ("2000: No Error" gives
// "2000"; "No error." gives "").
//
//	deliveryStatus  code in details                     sms.Status   class
//	Delivered       any                                 Delivered    —
//	Failed          4000, 4003, 4005, 4009, 4010        Rejected     PermissionDenied
//	Failed          4001                                Rejected     InvalidArgument
//	Failed          4002                                Rejected     InvalidRecipient
//	Failed          4004                                Undelivered  InvalidRecipient
//	Failed          4006                                Undelivered  Unavailable
//	Failed          4007                                Rejected     OptedOut
//	Failed          4008                                Rejected     RateLimited
//	Failed          5000                                Failed       Internal
//	Failed          5001                                Failed       Unavailable
//	Failed          5002                                Expired      Unavailable
//	Failed          9999, none or another code          Failed       —
//	Failed          none, "Sender blocked for given     Failed       OptedOut
//	                recipient." (SMS FAQ)
//	anything else   any                                 Unknown      —
//
// "—" is sms.CodeUnknown. The word is matched without regard to case and surrounding
// space. Callers keep the word as Event.RawStatus and the code as Event.ErrorCode.
func ReportStatus(deliveryStatus, details string) (status sms.Status, class sms.Code, code string) {
	code = leadingCode(details)
	switch strings.ToLower(strings.TrimSpace(deliveryStatus)) {
	case "delivered":
		return sms.StatusDelivered, sms.CodeUnknown, code
	case "failed":
		if code != "" {
			for i := range deliveryCodes {
				if c := &deliveryCodes[i]; c.Code == code && c.Status != sms.StatusDelivered {
					return c.Status, c.Class, code
				}
			}
		}
		if code == "" && strings.Contains(strings.ToLower(details), senderBlocked) {
			return sms.StatusFailed, sms.CodeOptedOut, code
		}
		return sms.StatusFailed, sms.CodeUnknown, code
	}
	return sms.StatusUnknown, sms.CodeUnknown, code
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
