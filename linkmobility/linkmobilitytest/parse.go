package linkmobilitytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a send (vendors/linkmobility.md §2c).
const (
	MaxBatch       = 1000 // items per /sms/sendbatch
	maxSegments    = 254
	maxAlphaSource = 11
	maxShortNumber = 14
	minValidity    = 15 * time.Minute
	maxValidity    = 48 * time.Hour
)

// sendItem is one message of a send or batch request.
type sendItem struct {
	Source           string            `json:"source"`
	SourceTON        string            `json:"sourceTON"`
	Destination      string            `json:"destination"`
	DestinationTON   string            `json:"destinationTON"`
	DCS              string            `json:"dcs"`
	UserDataHeader   string            `json:"userDataHeader"`
	UserData         *string           `json:"userData"`
	Tariff           *int              `json:"tariff"`
	Currency         string            `json:"currency"`
	VAT              *int              `json:"vat"`
	Age              *int              `json:"age"`
	RefID            *string           `json:"refId"`
	ProductDesc      string            `json:"productDescription"`
	ProductCategory  *int              `json:"productCategory"`
	MOReferenceID    string            `json:"moReferenceId"`
	CustomParameters map[string]string `json:"customParameters"`
}

// sendCommon is what /sms/send and /sms/sendbatch share at the top level.
type sendCommon struct {
	UseDeliveryReport    *bool             `json:"useDeliveryReport"`
	DeliveryReportGates  []string          `json:"deliveryReportGates"`
	RelativeValidityTime *int64            `json:"relativeValidityTime"`
	AbsoluteValidityTime string            `json:"absoluteValidityTime"`
	Priority             string            `json:"priority"`
	PlatformID           *string           `json:"platformId"`
	PlatformPartnerID    *string           `json:"platformPartnerId"`
	CustomParameters     map[string]string `json:"customParameters"`
	IgnoreResponse       *bool             `json:"ignoreResponse"`
}

// sendRequest is a parsed POST /sms/send body: the message and the top-level fields are
// read from the same object (customParameters lands in both).
type sendRequest struct {
	item   sendItem
	common sendCommon
}

// batchRequest is a parsed POST /sms/sendbatch body.
type batchRequest struct {
	sendCommon
	SendRequestMessages []sendItem `json:"sendRequestMessages"`
}

// refusal is why a request is refused: HTTP 400 with LINK's error code and a description.
type refusal struct {
	code int
	why  string
}

func refuse(code int, format string, args ...any) *refusal {
	return &refusal{code: code, why: fmt.Sprintf(format, args...)}
}

// decode reads body into v strictly enough to tell a non-string customParameters value.
func decode(body []byte, v any) *refusal {
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(v); err != nil {
		if strings.Contains(err.Error(), "customParameters") {
			return refuse(ErrUnknown, "customParameters values must be strings")
		}
		return refuse(ErrUnknown, "Invalid request body")
	}
	return nil
}

// parseSend parses and validates a /sms/send body (platform ids are checked by the server).
func parseSend(body []byte, now time.Time) (sendRequest, *refusal) {
	var r sendRequest
	if f := decode(body, &r.item); f != nil {
		return r, f
	}
	if f := decode(body, &r.common); f != nil {
		return r, f
	}
	if f := checkCommon(&r.common, now); f != nil {
		return r, f
	}
	return r, checkItem(&r.item)
}

// parseBatch parses and validates a /sms/sendbatch body.
func parseBatch(body []byte, now time.Time) (batchRequest, *refusal) {
	var r batchRequest
	if f := decode(body, &r); f != nil {
		return r, f
	}
	if f := checkCommon(&r.sendCommon, now); f != nil {
		return r, f
	}
	switch n := len(r.SendRequestMessages); {
	case n == 0:
		return r, refuse(ErrUnknown, "sendRequestMessages is required")
	case n > MaxBatch:
		return r, refuse(ErrUnknown, "sendRequestMessages: at most %d messages, got %d", MaxBatch, n)
	}
	for i := range r.SendRequestMessages {
		if f := checkItem(&r.SendRequestMessages[i]); f != nil {
			f.why = fmt.Sprintf("sendRequestMessages[%d]: %s", i, f.why)
			return r, f
		}
	}
	return r, nil
}

func checkCommon(c *sendCommon, now time.Time) *refusal {
	switch {
	case c.PlatformID == nil || *c.PlatformID == "":
		return refuse(ErrPlatformID, "Invalid or missing platformId")
	case c.PlatformPartnerID == nil || *c.PlatformPartnerID == "":
		return refuse(ErrPlatformPartnerID, "Invalid or missing platformPartnerId")
	case c.RelativeValidityTime != nil && *c.RelativeValidityTime <= 0:
		return refuse(ErrUnknown, "relativeValidityTime must be positive")
	}
	if c.AbsoluteValidityTime != "" {
		t, err := time.Parse(time.RFC3339, c.AbsoluteValidityTime)
		if err != nil {
			return refuse(ErrUnknown, "absoluteValidityTime is not RFC 3339")
		}
		if d := t.Sub(now); d < minValidity || d > maxValidity {
			return refuse(ErrUnknown, "absoluteValidityTime must be 15 minutes to 48 hours ahead")
		}
	}
	switch c.Priority {
	case "", "HIGH", "NORMAL", "LOW":
	default:
		return refuse(ErrUnknown, "Invalid priority %q", c.Priority)
	}
	return nil
}

func checkItem(m *sendItem) *refusal {
	if m.SourceTON == "" {
		m.SourceTON = "ALPHANUMERIC"
	}
	if m.DestinationTON == "" {
		m.DestinationTON = "MSISDN"
	}
	if m.DCS == "" {
		m.DCS = "TEXT"
	}
	switch {
	case m.Source == "":
		return refuse(ErrUnknown, "source is required")
	case !validSource(m.SourceTON, m.Source):
		return refuse(ErrUnknown, "Invalid source %q for sourceTON %s", m.Source, m.SourceTON)
	case m.Destination == "":
		return refuse(ErrUnknown, "destination is required")
	case m.DestinationTON != "MSISDN":
		return refuse(ErrUnknown, "Invalid destinationTON %q", m.DestinationTON)
	case !validMSISDN(m.Destination):
		return refuse(ErrUnknown, "Invalid destination %q: an MSISDN with + and country code", m.Destination)
	case m.UserData == nil && m.CustomParameters["chargeOnly"] == "":
		return refuse(ErrUnknown, "userData is required")
	}
	switch m.DCS {
	case "TEXT", "GSM", "UCS2", "BINARY":
	default:
		return refuse(ErrUnknown, "Invalid dcs %q", m.DCS)
	}
	if m.UserData != nil {
		if !utf8.ValidString(*m.UserData) {
			return refuse(ErrUnknown, "userData is not UTF-8")
		}
		for _, c := range *m.UserData {
			if c > 0xFFFF {
				return refuse(ErrUnknown, "userData: 4-byte characters are not supported")
			}
		}
	}
	if m.Tariff != nil && *m.Tariff > 0 {
		switch m.Currency {
		case "NOK", "SEK", "DKK", "EUR":
		default:
			return refuse(ErrCurrency, "Invalid or missing currency for premium message")
		}
		if m.SourceTON != "SHORTNUMBER" {
			return refuse(ErrUnknown, "premium messages need sourceTON SHORTNUMBER")
		}
	}
	return nil
}

// validSource applies LINK's sender rules (vendors/linkmobility.md §4).
func validSource(ton, s string) bool {
	switch ton {
	case "ALPHANUMERIC":
		if len(s) < 2 || len(s) > maxAlphaSource || s[0] >= '0' && s[0] <= '9' {
			return false
		}
		for _, c := range s {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == ' ' || c == '-' || c == '.') {
				return false
			}
		}
		return true
	case "SHORTNUMBER":
		return len(s) >= 1 && len(s) <= maxShortNumber && allDigits(s)
	case "MSISDN":
		return validMSISDN(s)
	}
	return false
}

func validMSISDN(s string) bool {
	return len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] != '0' && allDigits(s[1:])
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// boolParam reads a customParameters flag: "true" case-insensitively.
func boolParam(p map[string]string, key string) bool { return strings.EqualFold(p[key], "true") }
