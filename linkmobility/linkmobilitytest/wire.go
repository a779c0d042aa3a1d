package linkmobilitytest

import (
	"encoding/json"
	"strconv"
	"time"
)

// TimeLayout is LINK's timestamp format: RFC 3339 in UTC (sentTimestamp, timestamp).
const TimeLayout = "2006-01-02T15:04:05Z"

// LocalLayout is the format of customParameters.received and queued: local time without a
// zone (vendors/linkmobility.md §9.7).
const LocalLayout = "2006-01-02 15:04:05"

// Result codes the emulator uses (vendors/linkmobility.md §2d, §3b, §5c).
const (
	ResultUnknownError      = 0
	ResultSent              = 1000
	ResultDelivered         = 1001 // Billed and delivered
	ResultExpired           = 1002
	ResultQueued            = 1005
	ResultNotDelivered      = 1006
	ResultUnknownSubscriber = 2104
	ResultPermanentlyBarred = 2105
	ResultTemporarilyBarred = 2107
	ResultServiceRejected   = 2205 // Service rejected by subscriber
	ResultTimeout           = 4

	ErrUnknown           = 106000
	ErrAuthentication    = 106100
	ErrAccessDenied      = 106101
	ErrPlatformID        = 106200
	ErrPlatformPartnerID = 106201
	ErrCurrency          = 106202
	ErrNoGates           = 106300
	ErrGateUnavailable   = 106301
)

// descriptions are LINK's texts of its result and error codes.
var descriptions = map[int]string{
	0: "Unknown error", 1: "Temporary routing error", 2: "Permanent routing error", 3: "Maximum throttling exceeded",
	4: "Timeout", 5: "Operator unknown error", 6: "Operator error", 104: "Configuration error", 105: "Internal error",
	1000: "Sent", 1001: "Billed and delivered", 1002: "Expired", 1003: "Deleted", 1004: "Mobile full", 1005: "Queued",
	1006: "Not delivered", 1007: "Delivered, billed delayed", 1008: "Billed OK", 1009: "Billed OK and NOT delivered",
	1010: "Expired, absence of operator delivery report", 1011: "Billed OK and sent", 1012: "Delayed",
	1013: "Sent to operator, bill delayed",
	2000: "Invalid source", 2001: "Source shortnumber not supported", 2002: "Source alpha not supported",
	2003: "Source MSISDN not supported", 2100: "Destination shortnumber not supported",
	2101: "Destination alpha not supported", 2102: "Destination MSISDN not supported",
	2103: "Operation blocked for destination", 2104: "Unknown subscriber", 2105: "Destination blocked",
	2106: "Number error", 2107: "Destination temporarily blocked", 2200: "Charging error",
	2201: "Subscriber has low balance", 2202: "Subscriber barred for premium messages",
	2203: "Subscriber too young for content", 2204: "Prepaid subscriber not allowed",
	2205: "Service rejected by subscriber", 2206: "Subscriber not registered in payment system",
	2207: "Subscriber has reached max balance", 3000: "GSM encoding not supported",
	3001: "UCS2 encoding not supported", 3002: "Binary encoding not supported",
	4000: "Delivery report not supported", 4001: "Invalid message content", 4002: "Invalid tariff",
	4003: "Invalid user data", 4004: "Invalid user data header", 4005: "Invalid data coding",
	4006: "Invalid VAT", 4007: "Unsupported content for destination",
	106000: "Unknown error", 106100: "Invalid authentication", 106101: "Access denied",
	106200: "Invalid or missing platformId", 106201: "Invalid or missing platformPartnerId",
	106202: "Invalid or missing currency for premium message", 106300: "No gates available",
	106301: "Specified gate unavailable",
}

// Description returns LINK's text of a result or error code ("Result <code>" if unknown).
func Description(code int) string {
	if d, ok := descriptions[code]; ok {
		return d
	}
	return "Result " + strconv.Itoa(code)
}

// ErrorResponse is LINK's error body (vendors/linkmobility.md §3b).
type ErrorResponse struct {
	Status                int    `json:"status"`
	Description           string `json:"description"`
	TranslatedDescription string `json:"translatedDescription"`
}

// SendResponse is the answer of POST /sms/send.
type SendResponse struct {
	MessageID   string `json:"messageId"`
	ResultCode  int    `json:"resultCode"`
	Description string `json:"description"`
	SMSCount    int    `json:"smsCount,omitempty"`
}

// BatchItemResponse is one item of the answer of POST /sms/sendbatch (key "message", not
// "description").
type BatchItemResponse struct {
	MessageID  string  `json:"messageId"`
	RefID      *string `json:"refId"`
	ResultCode int     `json:"resultCode"`
	Message    string  `json:"message"`
	SMSCount   int     `json:"smsCount,omitempty"`
}

// Report is a delivery report as a JSON gate receives it (vendors/linkmobility.md §5b).
// A multipart message has one per part, ID "<messageId>$<n>" from 0.
type Report struct {
	RefID                *string           `json:"refId"`
	ID                   string            `json:"id"`
	Operator             *string           `json:"operator"`
	SentTimestamp        string            `json:"sentTimestamp"`
	Timestamp            string            `json:"timestamp"`
	ResultCode           int               `json:"resultCode"`
	OperatorResultCode   *string           `json:"operatorResultCode"`
	Segments             int               `json:"segments"`
	GateCustomParameters map[string]string `json:"gateCustomParameters"`
	CustomParameters     map[string]string `json:"customParameters"`
}

// Body returns r as the JSON body LINK posts.
func (r Report) Body() []byte {
	if r.GateCustomParameters == nil {
		r.GateCustomParameters = map[string]string{}
	}
	if r.CustomParameters == nil {
		r.CustomParameters = map[string]string{}
	}
	b, _ := json.Marshal(r)
	return b
}

// Content is an inbound message's content object.
type Content struct {
	Type     string `json:"type"`     // "SMS"
	UserData string `json:"userData"` // the text
	Encoding string `json:"encoding"` // "TEXT"
}

// Route is the keyword or subnumber route an inbound message matched.
type Route struct {
	Type                string            `json:"type"` // KEYWORD_ROUTE or SUBNUMBER_ROUTE
	ID                  string            `json:"id"`
	RefID               string            `json:"refId"`
	GateIDs             []string          `json:"gateIds"`
	PlatformID          string            `json:"platformId"`
	PlatformPartnerID   string            `json:"platformPartnerId"`
	CustomParameters    map[string]string `json:"customParameters"`
	PlatformServiceType string            `json:"platformServiceType"`
	PlatformServiceID   string            `json:"platformServiceId"`
	Number              string            `json:"number"`
	Keyword             string            `json:"keyword,omitempty"`
	KeywordType         string            `json:"keywordType,omitempty"`
	Active              bool              `json:"active"`
	Start               string            `json:"start"`
	End                 string            `json:"end"`
	Shared              bool              `json:"shared"`
	Description         string            `json:"description"`
}

// Inbound is an inbound (MO) message as LINK posts it (vendors/linkmobility.md §6).
type Inbound struct {
	Destination          string            `json:"destination"` // "NO-2333": country prefix and short number
	SubNumber            *int64            `json:"subNumber"`
	Source               string            `json:"source"` // the handset, "+…"
	Content              Content           `json:"content"`
	Operator             string            `json:"operator"`
	Timestamp            string            `json:"timestamp"`
	MessageID            string            `json:"messageId"`
	OperatorTimestamp    string            `json:"operatorTimestamp"`
	OperatorMessageID    string            `json:"operatorMessageId"`
	Route                Route             `json:"route"`
	GateCustomParameters map[string]string `json:"gateCustomParameters"`
	CustomParameters     map[string]string `json:"customParameters"`
}

// Body returns in as the JSON body LINK posts.
func (in Inbound) Body() []byte {
	b, _ := json.Marshal(in)
	return b
}

// FormatTime writes t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }
