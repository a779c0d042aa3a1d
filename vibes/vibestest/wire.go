package vibestest

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"
)

// Timestamp layouts (vendors/vibes.md §5b, §6): delivery receipts and messages read back
// carry ISO-8601 with milliseconds and a colon offset, inbound messages a space separator
// and an offset without colon.
const (
	ReceiptLayout = "2006-01-02T15:04:05.000-07:00" // 2011-04-19T15:10:08.320-05:00
	InboundLayout = "2006-01-02 15:04:05-0700"      // 2016-12-04 16:47:44-0600
)

// Receipt stages, the text of a receipt's <type> (vendors/vibes.md §5b).
const (
	StageSystem  = "System"  // Vibes took the message
	StageCarrier = "Carrier" // the carrier took it
	StageHandset = "Handset" // the handset got it
)

// Source (code) types the emulator accepts in source@type: SC as in every Vibes sample; LC
// and TF are the project's values for long codes and toll-free numbers (unconfirmed).
const (
	TypeShortCode = "SC"
	TypeLongCode  = "LC"
	TypeTollFree  = "TF"
)

// receiptOption values (vendors/vibes.md §2a).
const (
	ReceiptNone      = "NONE"
	ReceiptError     = "ERROR"
	ReceiptAll       = "ALL"
	ReceiptSMSCError = "SMSC_ERROR"
	ReceiptSMSCAll   = "SMSC_ALL"
)

// Vibes internal error codes the emulator answers or reports with (vendors/vibes.md §3).
const (
	InternalNoRouteToCarrier  = 1  // No route found to carrier from source address
	InternalMessageStopped    = 7  // Message stopped (at client's request)
	InternalNoRouteForCode    = 8  // No carrier route found for code
	InternalMDNBlocked        = 9  // MDN blocked (on block list)
	InternalMultipartMissing  = 10 // Multi-part message incomplete
	InternalVibesUse          = 11 // Vibes internal use: the emulator's code for a long text without splitLongMessage
	InternalMessageCapped     = 12 // Message capped (consumer message limit)
	InternalMultipartExpired  = 13 // Multi-part message expired waiting for parts
	InternalDuplicateSegment  = 14 // Duplicate multipart segment ignored
	InternalNoSubscription    = 15 // Subscription not found
	InternalCodeLeaseNotFound = 16 // Code lease not found
)

// internalDescriptions are Vibes' texts of its internal error codes (vendors/vibes.md §3).
var internalDescriptions = map[int]string{
	1:  "No route found to carrier from source address",
	2:  "Premium product not found for price point and source",
	7:  "Message stopped",
	8:  "No carrier route found for code",
	9:  "MDN blocked",
	10: "Multi-part message incomplete",
	11: "Vibes internal use",
	12: "Message capped",
	13: "Multi-part message expired waiting for parts",
	14: "Duplicate multipart segment ignored",
	15: "Subscription not found",
	16: "Code lease not found",
}

// InternalDescription returns Vibes' text of an internal error code ("Internal error N"
// when the facts do not name it).
func InternalDescription(code int) string {
	if d, ok := internalDescriptions[code]; ok {
		return d
	}
	return "Internal error " + strconv.Itoa(code)
}

// CarrierFailed is the carrier errorCode of the facts' sample receipt, the emulator's
// default for a Carrier or Handset failure.
const CarrierFailed = "107"

// CarrierFailedDescription is its text.
const CarrierFailedDescription = "Carrier failed while submitting message"

// SendResponse is the answer of POST /MessageApi/mt/messages (vendors/vibes.md §2a):
// messageId, submitterMessageId, carrier and splitLongMessage on success; on a refusal (HTTP
// 200 too, or 400 for a request that is not a valid mtMessage) no messageId and a Status
// with isError="true".
type SendResponse struct {
	XMLName            xml.Name    `xml:"mtMessageRsp"`
	MessageID          string      `xml:"messageId,attr,omitempty"`
	SubmitterMessageID string      `xml:"submitterMessageId,attr,omitempty"`
	Carrier            string      `xml:"carrier,attr,omitempty"`
	SplitLongMessage   string      `xml:"splitLongMessage,attr,omitempty"`
	Status             *StatusElem `xml:"status"`
}

// StatusElem is the <status> of a receipt or of a refused send.
type StatusElem struct {
	IsError           bool   `xml:"isError,attr" json:"isError"`
	Description       string `xml:"description" json:"description"`
	ErrorCode         string `xml:"errorCode,omitempty" json:"errorCode,omitempty"`
	InternalErrorCode string `xml:"internalErrorCode,omitempty" json:"internalErrorCode,omitempty"`
}

// Multipart is a receipt's <multipart> element, present on each part of a split message.
type Multipart struct {
	IsMultipart       bool   `xml:"isMultipart,attr" json:"isMultipart"`
	OriginalMessageID string `xml:"originalMessageId,attr" json:"originalMessageId"`
	NoOfParts         int    `xml:"noOfParts,attr" json:"noOfParts"`
	PartNumber        int    `xml:"partNumber,attr" json:"partNumber"`
}

// Report is a delivery receipt, mtMessageResponse (vendors/vibes.md §5b): what Vibes posts
// to a message's receiptOption callbackUrl and lists under GET …/responses.
type Report struct {
	XMLName            xml.Name   `xml:"mtMessageResponse" json:"-"`
	MessageID          string     `xml:"messageId,attr" json:"messageId"`
	SubmitterMessageID string     `xml:"submitterMessageId,attr,omitempty" json:"submitterMessageId,omitempty"`
	ReceiptDate        string     `xml:"receiptDate,attr" json:"receiptDate"`
	Multipart          *Multipart `xml:"multipart" json:"multipart,omitempty"`
	Type               string     `xml:"type" json:"type"` // System, Carrier or Handset
	Status             StatusElem `xml:"status" json:"status"`
}

// Body returns r as the XML body Vibes posts, with an XML declaration.
func (r Report) Body() []byte { return withDecl(r) }

// Responses is the answer of GET /MessageApi/mt/messages/{id}/responses.
type Responses struct {
	XMLName   xml.Name `xml:"mtMessageResponses"`
	Responses []Report `xml:"mtMessageResponse"`
}

// Address is a source or destination element: address, carrier and type attributes.
type Address struct {
	Address string `xml:"address,attr" json:"address"`
	Carrier string `xml:"carrier,attr,omitempty" json:"carrier,omitempty"`
	Type    string `xml:"type,attr,omitempty" json:"type,omitempty"`
}

// Inbound is an inbound (MO) message as Vibes posts it, moMessage (vendors/vibes.md §6).
type Inbound struct {
	XMLName       xml.Name `xml:"moMessage"`
	MessageID     string   `xml:"messageId,attr"`
	ReceiptDate   string   `xml:"receiptDate,attr"` // InboundLayout
	AttemptNumber int      `xml:"attemptNumber,attr"`
	Source        Address  `xml:"source"`      // the handset, E.164, with its carrier; type MDN
	Destination   Address  `xml:"destination"` // the account's code; type SC, LC or TF
	Message       string   `xml:"message"`
}

// Body returns in as the XML body Vibes posts.
func (in Inbound) Body() []byte { return withDecl(in) }

// LegacyInbound is the older inbound shape, deliver (vendors/vibes.md §6): the text in an
// attribute, the handset in national 10-digit form.
type LegacyInbound struct {
	XMLName     xml.Name       `xml:"deliver"`
	Version     string         `xml:"version,attr"`
	Source      Address        `xml:"source"`
	Destination Address        `xml:"destination"`
	Message     legacyText     `xml:"message"`
	Transaction *Transaction   `xml:"transaction"`
	Passthrough legacyPassthru `xml:"passthrough"`
}

type legacyText struct {
	Text string `xml:"text,attr"`
}

type legacyPassthru struct {
	Params []legacyParam `xml:"param"`
}

type legacyParam struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

// Body returns in as the XML body Vibes posts.
func (in LegacyInbound) Body() []byte { return withDecl(in) }

// Transaction is the transaction element of a send or a legacy inbound message.
type Transaction struct {
	ID string `xml:"id,attr"`
}

// MessageView is the answer of GET /MessageApi/mt/messages/{id} (vendors/vibes.md §2b).
type MessageView struct {
	XMLName            xml.Name       `xml:"mtMessage"`
	SubmitterMessageID string         `xml:"submitterMessageId,attr,omitempty"`
	MessageID          string         `xml:"messageId,attr"`
	SubmitDate         string         `xml:"submitDate,attr"`
	IsMultipart        bool           `xml:"isMultipart,attr"`
	NoOfParts          int            `xml:"noOfParts,attr"`
	PartNumber         int            `xml:"partNumber,attr"`
	OriginalMessageID  string         `xml:"originalMessageId,attr,omitempty"`
	Destination        Address        `xml:"destination"`
	Source             Address        `xml:"source"`
	Text               string         `xml:"text"`
	ReceiptOption      *receiptOption `xml:"receiptOption"`
}

// withDecl marshals v with an XML declaration.
func withDecl(v any) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header[:len(xml.Header)-1]) // without the newline, as Vibes' samples
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(v); err != nil {
		panic("vibestest: " + err.Error()) // the types above always encode
	}
	return b.Bytes()
}

// FormatReceiptTime writes t in ReceiptLayout in loc.
func FormatReceiptTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(ReceiptLayout)
}
