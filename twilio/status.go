package twilio

import (
	"strings"

	"github.com/smsbridge/sms"
)

// statuses maps every MessageStatus of Twilio's OpenAPI enum (message_enum_status).
var statuses = map[string]sms.Status{
	"accepted":            sms.StatusAccepted,    // a Messaging Service took it; no sender chosen yet
	"scheduled":           sms.StatusAccepted,    // scheduled for later
	"queued":              sms.StatusQueued,      // queued to be sent
	"sending":             sms.StatusQueued,      // being dispatched to the carrier
	"sent":                sms.StatusSent,        // handed to the carrier (final when no DLR follows)
	"delivered":           sms.StatusDelivered,   // carrier confirmed delivery
	"undelivered":         sms.StatusUndelivered, // carrier reported non-delivery
	"failed":              sms.StatusFailed,      // Twilio could not send it
	"read":                sms.StatusDelivered,   // read receipt (WhatsApp, RCS)
	"partially_delivered": sms.StatusUndelivered, // semantics unconfirmed: not every part arrived
	"canceled":            sms.StatusFailed,      // a scheduled message was canceled
	"receiving":           sms.StatusUnknown,     // inbound states: no delivery status
	"received":            sms.StatusUnknown,
}

// StatusOf returns the portable status of a Twilio MessageStatus word (case-insensitive), or
// sms.StatusUnknown for a word it does not know and for the inbound states receiving and
// received:
//
//	accepted, scheduled            Accepted
//	queued, sending                Queued
//	sent                           Sent
//	delivered, read                Delivered
//	undelivered                    Undelivered
//	partially_delivered            Undelivered (semantics unconfirmed)
//	failed, canceled               Failed
//	receiving, received            Unknown (inbound, not a delivery state)
func StatusOf(messageStatus string) sms.Status {
	if s, ok := statuses[messageStatus]; ok {
		return s
	}
	return statuses[strings.ToLower(messageStatus)]
}
