package twilio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// MessageResource is what FetchMessage and FindMessages report about a Twilio Message
// resource (not an sms.Message: it is what Twilio holds, read back).
type MessageResource struct {
	SID       string
	To, From  string
	Status    string // Twilio's status word; StatusOf gives the portable one
	ErrorCode string
	Segments  int
	Created   time.Time
}

// messageResource is the part of Twilio's Message resource JSON the provider reads.
type messageResource struct {
	SID          string  `json:"sid"`
	Status       string  `json:"status"`
	To           string  `json:"to"`
	From         *string `json:"from"`
	NumSegments  string  `json:"num_segments"`
	ErrorCode    *int    `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
	DateCreated  string  `json:"date_created"`
	DateSent     *string `json:"date_sent"`
}

func (m messageResource) public() MessageResource {
	out := MessageResource{SID: m.SID, To: m.To, Status: m.Status}
	if m.From != nil {
		out.From = *m.From
	}
	if m.ErrorCode != nil {
		out.ErrorCode = strconv.Itoa(*m.ErrorCode)
	}
	out.Segments, _ = strconv.Atoi(m.NumSegments)
	out.Created, _ = time.Parse(time.RFC1123Z, m.DateCreated)
	return out
}

// FetchMessage reads one message resource.
func (p *Provider) FetchMessage(ctx context.Context, sid string) (MessageResource, error) {
	if sid == "" || strings.ContainsAny(sid, "/?#") {
		return MessageResource{}, newError(sms.CodeInvalidArgument, "invalid message SID")
	}
	var m messageResource
	if err := p.get(ctx, p.base+"/2010-04-01/Accounts/"+p.accountSID+"/Messages/"+url.PathEscape(sid)+".json", &m); err != nil {
		return MessageResource{}, err
	}
	return m.public(), nil
}

// FindMessages lists messages sent to to (and from from, when not empty) on or after the
// day of since — the way to reconcile an OutcomeUnknown: if a message with your body shows up,
// the failed request did create it and must not be sent again.
func (p *Provider) FindMessages(ctx context.Context, to, from string, since time.Time) ([]MessageResource, error) {
	q := url.Values{}
	if to != "" {
		q.Set("To", to)
	}
	if from != "" {
		q.Set("From", from)
	}
	if !since.IsZero() {
		q.Set("DateSent>", since.UTC().Format("2006-01-02"))
	}
	q.Set("PageSize", "50")
	var page struct {
		Messages []messageResource `json:"messages"`
	}
	if err := p.get(ctx, p.messagesURL()+"?"+q.Encode(), &page); err != nil {
		return nil, err
	}
	out := make([]MessageResource, len(page.Messages))
	for i, m := range page.Messages {
		out[i] = m.public()
	}
	return out, nil
}

// get reads a resource with the retrying client: a GET is safe to repeat.
func (p *Provider) get(ctx context.Context, u string, into any) error {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return newError(sms.CodeInvalidArgument, "cannot build request")
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(p.user, p.pass.Reveal())
	resp, err := p.retry.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e := newError(sms.CodeUnavailable, "")
		e.Err = err
		return e
	}
	r, err := httpx.ReadResponse(resp, httpOptions)
	if err != nil {
		e := newError(sms.CodeUnavailable, "reading response")
		e.Err = err
		return e
	}
	if r.StatusCode != http.StatusOK {
		return mapError(r)
	}
	if err := json.Unmarshal(r.Body, into); err != nil {
		e := newError(sms.CodeInternal, "unreadable response")
		e.Err = err
		return e
	}
	return nil
}
