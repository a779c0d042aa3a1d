package twilio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms"
)

// MessageResource is what FetchMessage and FindMessages report about a Twilio Message
// resource (not an sms.Message: it is what Twilio holds, read back).
type MessageResource struct {
	SID       string
	To, From  string
	Status    string // Twilio's status word; StatusOf gives the portable one
	ErrorCode string
	Body      string
	Segments  int
	Created   time.Time // date_created
	Sent      time.Time // date_sent; zero while the message is queued
}

// messageResource is the part of Twilio's Message resource JSON the provider reads.
type messageResource struct {
	SID          string  `json:"sid"`
	Status       string  `json:"status"`
	Body         string  `json:"body"`
	To           string  `json:"to"`
	From         *string `json:"from"`
	NumSegments  string  `json:"num_segments"`
	ErrorCode    *int    `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
	DateCreated  string  `json:"date_created"`
	DateSent     *string `json:"date_sent"`
}

func (m messageResource) public() MessageResource {
	out := MessageResource{SID: m.SID, To: m.To, Status: m.Status, Body: m.Body}
	if m.From != nil {
		out.From = *m.From
	}
	if m.ErrorCode != nil {
		out.ErrorCode = strconv.Itoa(*m.ErrorCode)
	}
	out.Segments, _ = strconv.Atoi(m.NumSegments)
	out.Created, _ = time.Parse(time.RFC1123Z, m.DateCreated)
	if m.DateSent != nil {
		out.Sent, _ = time.Parse(time.RFC1123Z, *m.DateSent)
	}
	return out
}

// FetchMessage reads one message resource.
func (p *Provider) FetchMessage(ctx context.Context, sid string) (MessageResource, error) {
	if sid == "" || strings.ContainsAny(sid, "/?#") {
		return MessageResource{}, newError(sms.CodeInvalidArgument, "invalid message SID")
	}
	var m messageResource
	if err := p.get(ctx, p.t.BaseURL+"/2010-04-01/Accounts/"+p.accountSID+"/Messages/"+url.PathEscape(sid)+".json", &m); err != nil {
		return MessageResource{}, err
	}
	return m.public(), nil
}

// MessageFilter selects the messages FindMessages returns. To and From are filtered by
// Twilio; CreatedSince and Body by FindMessages on each page, because Twilio's list API
// filters only on DateSent, which a message still queued does not have.
type MessageFilter struct {
	To   string // the recipient, exactly as sent (E.164)
	From string // the sender: a number, short code or alphanumeric ID; "" for any
	// CreatedSince keeps messages created at or after it: the time of the first attempt,
	// less a margin for the difference between this machine's clock and Twilio's.
	CreatedSince time.Time
	// Body, when not empty, keeps messages whose body is exactly it.
	Body string
	// PageSize is the number of messages per request: 0 means 1000, Twilio's maximum.
	PageSize int
	// MaxPages bounds the requests made: 0 means 10. When more pages remain, FindMessages
	// returns what it found and an *sms.Error with CodeUnknown: the answer is incomplete.
	MaxPages int
}

// FindMessages lists the messages Twilio holds that match f, newest first, following Twilio's
// next_page_uri — the way to reconcile an OutcomeUnknown: a message from the same sender to
// the same recipient with the same body, created since the first attempt, shows that the
// failed request did create it and must not be sent again. f.To is required.
func (p *Provider) FindMessages(ctx context.Context, f MessageFilter) ([]MessageResource, error) {
	if f.To == "" {
		return nil, newError(sms.CodeInvalidArgument, "MessageFilter.To is required")
	}
	size, pages := f.PageSize, f.MaxPages
	if size <= 0 {
		size = 1000
	}
	if pages <= 0 {
		pages = 10
	}
	q := url.Values{"To": {f.To}, "PageSize": {strconv.Itoa(min(size, 1000))}}
	if f.From != "" {
		q.Set("From", f.From)
	}
	first := "/2010-04-01/Accounts/" + p.accountSID + "/Messages.json"
	next := first + "?" + q.Encode()
	var out []MessageResource
	for range pages {
		var page struct {
			Messages    []messageResource `json:"messages"`
			NextPageURI *string           `json:"next_page_uri"`
		}
		if err := p.get(ctx, p.t.BaseURL+next, &page); err != nil {
			return out, err
		}
		for _, m := range page.Messages {
			r := m.public()
			if (f.CreatedSince.IsZero() || !r.Created.Before(f.CreatedSince)) && (f.Body == "" || r.Body == f.Body) {
				out = append(out, r)
			}
		}
		if page.NextPageURI == nil || *page.NextPageURI == "" {
			return out, nil
		}
		// Follow only a page of the same list: the request carries the credentials.
		next = *page.NextPageURI
		if !strings.HasPrefix(next, first+"?") {
			return out, newError(sms.CodeInternal, "next_page_uri is not a page of the Messages list")
		}
	}
	return out, newError(sms.CodeUnknown, "more than "+strconv.Itoa(pages)+" pages match: the list is incomplete; raise MaxPages or narrow From")
}

// get reads a resource with the transport's retrying client: a GET is safe to repeat.
func (p *Provider) get(ctx context.Context, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return newError(sms.CodeInvalidArgument, "cannot build request")
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(p.user, p.pass.Reveal())
	r, err := p.t.Fetch(req, mapError)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(r.Body, into); err != nil {
		e := newError(sms.CodeInternal, "unreadable response")
		e.Err = err
		return e
	}
	return nil
}
