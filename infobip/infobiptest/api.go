package infobiptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/emu"
)

// Violation is one item of a v3 ApiError's violations[].
type Violation struct {
	Property  string `json:"property"`
	Violation string `json:"violation"`
}

var errorTexts = map[int][2]string{ // v3: description, action
	400: {"Request cannot be processed.", "Check the syntax, violations and adjust the request."},
	401: {"Unauthorized access.", "Check the credentials."},
	403: {"Forbidden access.", "Check the API key scopes."},
	404: {"Requested resource not found.", "Check the URL."},
	429: {"Too many requests sent.", "Slow down and retry later."},
	500: {"Something went wrong.", "Contact the support."},
}

var legacyTexts = map[int][2]string{ // v1/v2: messageId, text
	400: {"BAD_REQUEST", "Bad request"},
	401: {"UNAUTHORIZED", "Invalid login details"},
	403: {"FORBIDDEN", "Forbidden"},
	404: {"NOT_FOUND", "Not found"},
	429: {"TOO_MANY_REQUESTS", "Too many requests"},
	500: {"GENERAL_ERROR", "Something went wrong. Please contact support."},
}

// apiError is the v3 ApiError body for status.
func apiError(status int, violations []Violation) []byte {
	t, ok := errorTexts[status]
	if !ok {
		t = errorTexts[500]
		if status < 500 {
			t = [2]string{http.StatusText(status), "Check the request."}
		}
	}
	if violations == nil {
		violations = []Violation{}
	}
	b, _ := json.Marshal(map[string]any{
		"errorCode": "E" + strconv.Itoa(status), "description": t[0], "action": t[1],
		"violations": violations, "resources": []any{},
	})
	return b
}

// apiException is the v1/v2 ApiException body for status.
func apiException(status int, validation map[string][]string) []byte {
	t, ok := legacyTexts[status]
	if !ok {
		t = legacyTexts[500]
		if status < 500 {
			t = [2]string{strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_")), http.StatusText(status)}
		}
	}
	return legacyBody(t[0], t[1], validation)
}

func legacyBody(id, text string, validation map[string][]string) []byte {
	se := map[string]any{"messageId": id, "text": text}
	if len(validation) > 0 {
		se["validationErrors"] = validation
	}
	b, _ := json.Marshal(map[string]any{"requestError": map[string]any{"serviceException": se}})
	return b
}

func writeAPIError(w http.ResponseWriter, status int, violations []Violation) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(apiError(status, violations))
}

func writeLegacy(w http.ResponseWriter, status int, id, text string, validation map[string][]string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(legacyBody(id, text, validation))
}

// destination is destinations[] in both versions.
type destination struct {
	To        *string `json:"to"`
	MessageID string  `json:"messageId"`
}

type validityV3 struct {
	Amount   *int64 `json:"amount"`
	TimeUnit string `json:"timeUnit"`
}

type sendV3 struct {
	Messages []struct {
		Sender       string        `json:"sender"`
		Destinations []destination `json:"destinations"`
		Content      *struct {
			Text *string `json:"text"`
			Hex  *string `json:"hex"`
		} `json:"content"`
		Options *struct {
			ValidityPeriod      *validityV3 `json:"validityPeriod"`
			CampaignReferenceID string      `json:"campaignReferenceId"`
			Platform            *platform   `json:"platform"`
		} `json:"options"`
		Webhooks *struct {
			Delivery *struct {
				URL                string `json:"url"`
				IntermediateReport bool   `json:"intermediateReport"`
				Notify             *bool  `json:"notify"`
			} `json:"delivery"`
			ContentType  string `json:"contentType"`
			CallbackData string `json:"callbackData"`
		} `json:"webhooks"`
	} `json:"messages"`
	Options *struct {
		Schedule *struct {
			BulkID string `json:"bulkId"`
		} `json:"schedule"`
		IncludeSmsCountInResponse bool `json:"includeSmsCountInResponse"`
	} `json:"options"`
}

type sendV2 struct {
	BulkID   string `json:"bulkId"`
	Messages []struct {
		From                string        `json:"from"`
		Destinations        []destination `json:"destinations"`
		Text                *string       `json:"text"`
		NotifyURL           string        `json:"notifyUrl"`
		NotifyContentType   string        `json:"notifyContentType"`
		IntermediateReport  bool          `json:"intermediateReport"`
		CallbackData        string        `json:"callbackData"`
		ValidityPeriod      *int64        `json:"validityPeriod"`
		EntityID            string        `json:"entityId"`
		ApplicationID       string        `json:"applicationId"`
		CampaignReferenceID string        `json:"campaignReferenceId"`
	} `json:"messages"`
	IncludeSmsCountInResponse bool `json:"includeSmsCountInResponse"`
}

// spec is one messages[] item of either version, normalised.
type spec struct {
	sender, text, url, callbackData, entity, app, campaign string
	notify, intermediate                                   bool
	dests                                                  []destination
}

// request is a send request of either version, normalised.
type request struct {
	bulkID       string
	includeCount bool
	specs        []spec
}

// Limits of a send request (vendors/infobip.md §2).
const (
	maxMessageIDLen    = 200
	maxBulkIDLen       = 100
	maxCallbackDataLen = 4000
	maxTextBytes       = 4000
	maxParts           = 25
	maxToLen           = 64
)

// parseSend decodes and validates a send body of api's version. It returns the request, or
// the violations (property → message) that make it a 400.
func parseSend(api API, body []byte) (request, []Violation) {
	var req request
	var vs []Violation
	bad := func(p, v string) { vs = append(vs, Violation{p, v}) }
	if api == V3 {
		var in sendV3
		if err := json.Unmarshal(body, &in); err != nil {
			return req, []Violation{{"body", "malformed JSON: " + jsonProblem(err)}}
		}
		if in.Options != nil {
			req.includeCount = in.Options.IncludeSmsCountInResponse
			if in.Options.Schedule != nil {
				req.bulkID = in.Options.Schedule.BulkID
				if len(req.bulkID) > maxBulkIDLen {
					bad("options.schedule.bulkId", "size must be between 0 and 100")
				}
			}
		}
		if len(in.Messages) == 0 {
			bad("messages", "must not be empty")
		}
		for i, m := range in.Messages {
			p := fmt.Sprintf("messages[%d]", i)
			sp := spec{sender: m.Sender, dests: m.Destinations, notify: true}
			switch {
			case m.Content == nil:
				bad(p+".content", "must not be null")
			case m.Content.Text != nil:
				sp.text = *m.Content.Text
			case m.Content.Hex != nil:
				sp.text = *m.Content.Hex
			default:
				bad(p+".content.text", "must not be null")
			}
			if o := m.Options; o != nil {
				sp.campaign = o.CampaignReferenceID
				if o.Platform != nil {
					sp.entity, sp.app = o.Platform.EntityID, o.Platform.ApplicationID
				}
				if vp := o.ValidityPeriod; vp != nil {
					switch {
					case vp.Amount == nil:
						bad(p+".options.validityPeriod.amount", "must not be null")
					case *vp.Amount < 1:
						bad(p+".options.validityPeriod.amount", "must be greater than or equal to 1")
					}
					switch vp.TimeUnit {
					case "", "SECONDS", "MINUTES", "HOURS":
					default:
						bad(p+".options.validityPeriod.timeUnit", "must be one of [SECONDS, MINUTES, HOURS]")
					}
				}
			}
			if h := m.Webhooks; h != nil {
				sp.callbackData = h.CallbackData
				if d := h.Delivery; d != nil {
					sp.url, sp.intermediate = d.URL, d.IntermediateReport
					if d.Notify != nil {
						sp.notify = *d.Notify
					}
				}
				if len(sp.callbackData) > maxCallbackDataLen {
					bad(p+".webhooks.callbackData", "size must be between 0 and 4000")
				}
				if sp.url != "" && !webhookURL(sp.url) {
					bad(p+".webhooks.delivery.url", "must be a valid URL")
				}
			}
			checkDests(p, sp.dests, true, bad)
			req.specs = append(req.specs, sp)
		}
		return req, vs
	}
	var in sendV2
	if err := json.Unmarshal(body, &in); err != nil {
		return req, []Violation{{"body", "malformed JSON: " + jsonProblem(err)}}
	}
	req.bulkID, req.includeCount = clip(in.BulkID, maxBulkIDLen), in.IncludeSmsCountInResponse
	if len(in.Messages) == 0 {
		bad("messages", "may not be empty")
	}
	for i, m := range in.Messages {
		p := fmt.Sprintf("messages[%d]", i)
		sp := spec{sender: m.From, url: m.NotifyURL, intermediate: m.IntermediateReport, callbackData: m.CallbackData,
			entity: m.EntityID, app: m.ApplicationID, campaign: m.CampaignReferenceID, notify: true, dests: m.Destinations}
		if m.Text == nil {
			bad(p+".text", "may not be null")
		} else {
			sp.text = *m.Text
		}
		if len(sp.callbackData) > maxCallbackDataLen {
			bad(p+".callbackData", "size must be between 0 and 4000")
		}
		if sp.url != "" && !webhookURL(sp.url) {
			bad(p+".notifyUrl", "must be a valid URL")
		}
		if m.ValidityPeriod != nil && *m.ValidityPeriod < 1 {
			bad(p+".validityPeriod", "must be greater than or equal to 1")
		}
		for j := range sp.dests {
			sp.dests[j].MessageID = clip(sp.dests[j].MessageID, maxMessageIDLen)
		}
		checkDests(p, sp.dests, false, bad)
		req.specs = append(req.specs, sp)
	}
	return req, vs
}

func checkDests(p string, dests []destination, v3 bool, bad func(p, v string)) {
	if len(dests) == 0 {
		bad(p+".destinations", "must not be empty")
	}
	for j, d := range dests {
		if d.To != nil && len(*d.To) > maxToLen {
			bad(fmt.Sprintf("%s.destinations[%d].to", p, j), "size must be between 0 and 64")
		}
		if v3 && len(d.MessageID) > maxMessageIDLen {
			bad(fmt.Sprintf("%s.destinations[%d].messageId", p, j), "size must be between 0 and 200")
		}
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if e, ok := err.(*json.UnmarshalTypeError); ok {
		te = e
		return fmt.Sprintf("%s must be %s", te.Field, te.Type)
	}
	return err.Error()
}

func webhookURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validSender reports whether s is a sender Infobip takes: 3–11 alphanumeric characters,
// or 3–16 digits (a number, short code or toll-free number; "+" allowed).
func validSender(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if d != "" && strings.Trim(d, "0123456789") == "" {
		return len(d) >= 3 && len(d) <= 16
	}
	n := utf8.RuneCountInString(s)
	return n >= 3 && n <= 11 && sms.ValidateAlphanumeric(s) == nil
}

// validTo reports whether to is a number Infobip can route: digits (a leading "+" or "00"
// allowed), 7 to 15 of them.
func validTo(to string) bool {
	d := strings.TrimPrefix(to, "+")
	if strings.HasPrefix(d, "00") {
		d = d[2:]
	}
	return len(d) >= 7 && len(d) <= 15 && strings.Trim(d, "0123456789") == ""
}

// normTo writes to as Infobip does: digits without "+" or "00".
func normTo(to string) string {
	d := strings.TrimPrefix(strings.TrimSpace(to), "+")
	if strings.HasPrefix(d, "00") {
		d = d[2:]
	}
	return d
}

// sendResult is one messages[] item of a send response.
type sendResult struct {
	to, messageID string
	status        Status
	count         int
}

type resultV3 struct {
	MessageID   string `json:"messageId"`
	Status      Status `json:"status"`
	Destination string `json:"destination"`
	Details     *struct {
		MessageCount int `json:"messageCount"`
	} `json:"details,omitempty"`
}

type resultV2 struct {
	To        string `json:"to"`
	Status    Status `json:"status"`
	MessageID string `json:"messageId"`
	SmsCount  int    `json:"smsCount,omitempty"`
}

func (s *Server) send(w http.ResponseWriter, r *http.Request, api API) {
	if !s.auth(w, r, api) {
		return
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r.Body)
	req, vs := parseSend(api, buf.Bytes())
	if len(vs) > 0 {
		if api == V3 {
			writeAPIError(w, http.StatusBadRequest, vs)
			return
		}
		val := map[string][]string{}
		for _, v := range vs {
			val[v.Property] = append(val[v.Property], v.Violation)
		}
		writeLegacy(w, http.StatusBadRequest, "BAD_REQUEST", "Bad request", val)
		return
	}
	if req.bulkID == "" {
		req.bulkID = s.ids.UUID()
	}
	now := s.emu.Now()
	var results []sendResult
	var accepted []*Message
	s.mu.Lock()
	defDelivery := s.urls.Get(deliveryKey)
	seen := map[string]bool{}
	for _, sp := range req.specs {
		segs := sms.CountSegments(sp.text).Segments
		for _, d := range sp.dests {
			to := ""
			if d.To != nil {
				to = normTo(*d.To)
			}
			m := &Message{MessageID: d.MessageID, BulkID: req.bulkID, API: api, To: to, Sender: sp.sender, Text: sp.text,
				MessageCount: max(1, segs), DeliveryURL: sp.url, Notify: sp.notify, IntermediateReport: sp.intermediate,
				CallbackData: sp.callbackData, EntityID: sp.entity, ApplicationID: sp.app, CampaignReference: sp.campaign,
				SentAt: now, Error: NoError}
			if m.Sender == "" {
				m.Sender = DefaultSender
			}
			if m.DeliveryURL == "" {
				m.DeliveryURL = defDelivery
			}
			dup := false
			if m.MessageID == "" {
				m.MessageID = s.ids.UUID()
			} else if _, ok := s.store.GetLocked(m.MessageID); ok || seen[m.MessageID] {
				dup = true
			}
			seen[m.MessageID] = true
			switch {
			case dup:
				m.Status = StatusRejectedDuplicateID
			case to == "":
				m.Status = StatusMissingTo
			case !validTo(to):
				m.Status = StatusRejectedDestination
			case !validSender(m.Sender):
				m.Status = StatusRejectedSender
			case len(sp.text) > maxTextBytes || segs > maxParts:
				m.Status = StatusRejectedTooLong
			case s.blocked(m.Sender, to):
				m.Status = StatusRejectedBlocklisted
			default:
				m.Status, m.Accepted = StatusPendingAccepted, true
			}
			if !m.Accepted {
				m.DoneAt = now
			}
			id := m.MessageID
			if dup {
				id = "" // the first message keeps the id
			}
			s.store.AddLocked(m, id, m.Accepted)
			results = append(results, sendResult{to: to, messageID: m.MessageID, status: m.Status, count: m.MessageCount})
			accepted = append(accepted, m)
		}
	}
	s.planLocked(accepted)
	s.mu.Unlock()

	var out []any
	for _, res := range results {
		if api == V3 {
			item := resultV3{MessageID: res.messageID, Status: res.status, Destination: res.to}
			item.Details = &struct {
				MessageCount int `json:"messageCount"`
			}{res.count}
			out = append(out, item)
		} else {
			item := resultV2{To: res.to, Status: res.status, MessageID: res.messageID}
			if req.includeCount {
				item.SmsCount = res.count
			}
			out = append(out, item)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"bulkId": req.bulkID, "messages": out})
}

// planLocked plans the reports of the messages of one send: the rejected ones get their
// final report at once; accepted ones the steps of their outcome (an intermediate
// DELIVERED_TO_OPERATOR when asked, then the final status after the outcome's delay).
// Reports due at the same time to the same URL in the same shape are posted together.
func (s *Server) planLocked(ms []*Message) {
	type key struct {
		url   string
		api   API
		delay time.Duration
		stage int
	}
	groups := map[key][]*Message{}
	steps := map[*Message][]step{}
	var order []key
	now := s.emu.Now()
	for _, m := range ms {
		var st []step
		if !m.Accepted {
			st = []step{{st: m.Status, err: rejectionError(m.Status), at: now}}
		} else {
			o := s.emu.Outcome(m.To)
			final, e := outcomeStatus(o)
			if o.Status == sms.StatusAccepted || o.Status == sms.StatusQueued {
				continue // stays pending: no report
			}
			if m.IntermediateReport && final.ID == StatusDeliveredToHandset.ID {
				st = append(st, step{st: StatusDeliveredToOperator, err: NoError, at: now})
			}
			st = append(st, step{st: final, err: e, at: now.Add(o.Delay)})
		}
		if !m.Notify {
			for _, x := range st {
				s.store.PlanLocked(m, x, x.at)
			}
			continue
		}
		steps[m] = st
		for i, x := range st {
			k := key{m.DeliveryURL, m.API, x.at.Sub(now), i}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], m)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { // sequential per URL: nothing waits behind a later report
		if order[i].delay != order[j].delay {
			return order[i].delay < order[j].delay
		}
		return order[i].stage < order[j].stage
	})
	for _, k := range order {
		g := groups[k]
		st := make([]step, len(g))
		for i, m := range g {
			st[i] = steps[m][k.stage]
		}
		s.scheduleGroupLocked(g, st, k.delay)
	}
}

// rejectionError is the error object of a message rejected on send.
func rejectionError(st Status) Error {
	if st.ID == StatusRejectedBlocklisted.ID {
		return errorCodes[2052]
	}
	return NoError
}

// scheduleLocked reports one step per message (ms[i] takes steps[i]) after delay; see
// scheduleGroupLocked. Used by PushStatus.
func (s *Server) scheduleLocked(ms []*Message, steps []step, delay time.Duration) {
	s.scheduleGroupLocked(ms, steps, delay)
}

// scheduleGroupLocked reports steps[i] for ms[i], all with the same URL and shape: posted in
// batches of BatchSize after delay, each message taking its status as its batch goes out;
// without a URL, the status applies at its time and the report waits for a pull.
func (s *Server) scheduleGroupLocked(ms []*Message, steps []step, delay time.Duration) {
	if len(ms) == 0 {
		return
	}
	target := ms[0].DeliveryURL
	if target == "" || !ms[0].Notify {
		for i, m := range ms {
			s.store.PlanLocked(m, steps[i], steps[i].at)
		}
		return
	}
	for start := 0; start < len(ms); start += s.opts.BatchSize {
		end := min(start+s.opts.BatchSize, len(ms))
		batch, bsteps := ms[start:end], steps[start:end]
		reports := make([]Report, len(batch))
		for i, m := range batch {
			reports[i] = s.reportLocked(m, bsteps[i])
		}
		batch = append([]*Message(nil), batch...)
		bsteps = append([]step(nil), bsteps...)
		api := ms[0].API
		s.emu.Deliverer.Send(emu.Callback{
			URL: target, Header: s.webhookHeader(), Body: ReportsBody(api, reports...), Delay: delay,
			Prepare: func(_ *http.Request, attempt int) error {
				if attempt == 1 {
					s.mu.Lock()
					for i, m := range batch {
						s.applyLocked(m, bsteps[i])
					}
					s.mu.Unlock()
				}
				return nil
			},
		})
	}
}

// applyLocked records a reported step on m.
func (s *Server) applyLocked(m *Message, st step) {
	m.Status, m.Error = st.st, st.err
	if st.st.GroupID != 1 {
		m.DoneAt = st.at
	}
}

// reportLocked is the report of m at step st.
func (s *Server) reportLocked(m *Message, st step) Report {
	return Report{BulkID: m.BulkID, MessageID: m.MessageID, To: m.To, Sender: m.Sender, SentAt: m.SentAt, DoneAt: st.at,
		MessageCount: m.MessageCount, CallbackData: m.CallbackData, Price: Price{0.01 * float64(m.MessageCount), "EUR"},
		Status: st.st, Error: st.err, EntityID: m.EntityID, ApplicationID: m.ApplicationID, CampaignReferenceID: m.CampaignReference}
}

// applyPlannedLocked applies a due step of a message without a push URL (the store calls
// it), queueing its report for a pull (unless the message asked for none).
func (s *Server) applyPlannedLocked(m *Message, st step, _ time.Time) {
	s.applyLocked(m, st)
	if m.Notify {
		s.pulls = append(s.pulls, s.reportLocked(m, st))
	}
}

// logs serves GET /sms/3/logs: the messages sent, filtered by messageId (repeatable),
// bulkId, destination, limit (default 50, at most 1000), newest first.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	if !s.auth(w, r, V3) {
		return
	}
	q := r.URL.Query()
	limit, ok := parseLimit(q.Get("limit"))
	if !ok {
		writeAPIError(w, http.StatusBadRequest, []Violation{{"limit", "must be between 1 and 1000"}})
		return
	}
	ids := map[string]bool{}
	for _, v := range q["messageId"] {
		for _, id := range strings.Split(v, ",") {
			ids[id] = true
		}
	}
	results := []any{}
	s.mu.Lock()
	all := s.store.AllLocked()
	for i := len(all) - 1; i >= 0 && len(results) < limit; i-- {
		m := all[i]
		if len(ids) > 0 && !ids[m.MessageID] || q.Get("bulkId") != "" && q.Get("bulkId") != m.BulkID ||
			q.Get("destination") != "" && normTo(q.Get("destination")) != m.To {
			continue
		}
		s.store.AdvanceLocked(m)
		item := map[string]any{
			"sender": m.Sender, "destination": m.To, "bulkId": m.BulkID, "messageId": m.MessageID,
			"sentAt": FormatTime(m.SentAt), "messageCount": m.MessageCount,
			"price":  Price{0.01 * float64(m.MessageCount), "EUR"},
			"status": m.Status, "error": m.Error, "content": map[string]string{"text": m.Text},
		}
		if !m.DoneAt.IsZero() {
			item["doneAt"] = FormatTime(m.DoneAt)
		}
		if m.EntityID != "" || m.ApplicationID != "" {
			item["platform"] = platform{m.EntityID, m.ApplicationID}
		}
		if m.CampaignReference != "" {
			item["campaignReferenceId"] = m.CampaignReference
		}
		results = append(results, item)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func parseLimit(v string) (int, bool) {
	if v == "" {
		return 50, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= 1000
}

// reports serves GET /sms/1/reports (v2 shape) and /sms/3/reports (v3 shape): the reports
// of messages without a push URL, each returned once.
func (s *Server) reports(w http.ResponseWriter, r *http.Request, api API) {
	if !s.auth(w, r, api) {
		return
	}
	q := r.URL.Query()
	limit, ok := parseLimit(q.Get("limit"))
	if !ok {
		if api == V3 {
			writeAPIError(w, http.StatusBadRequest, []Violation{{"limit", "must be between 1 and 1000"}})
		} else {
			writeLegacy(w, http.StatusBadRequest, "BAD_REQUEST", "Bad request", map[string][]string{"limit": {"must be between 1 and 1000"}})
		}
		return
	}
	s.mu.Lock()
	s.store.AdvanceAllLocked()
	var out []Report
	keep := s.pulls[:0]
	for _, rep := range s.pulls {
		if len(out) < limit && (q.Get("messageId") == "" || q.Get("messageId") == rep.MessageID) &&
			(q.Get("bulkId") == "" || q.Get("bulkId") == rep.BulkID) {
			out = append(out, rep)
			continue
		}
		keep = append(keep, rep)
	}
	s.pulls = keep
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(ReportsBody(api, out...))
}

// inboxReports serves GET /sms/1/inbox/reports: inbound messages not pushed, each once.
func (s *Server) inboxReports(w http.ResponseWriter, r *http.Request) {
	if !s.auth(w, r, V2) {
		return
	}
	limit, ok := parseLimit(r.URL.Query().Get("limit"))
	if !ok {
		writeLegacy(w, http.StatusBadRequest, "BAD_REQUEST", "Bad request", map[string][]string{"limit": {"must be between 1 and 1000"}})
		return
	}
	s.mu.Lock()
	n := min(limit, len(s.inbox))
	out := append([]Inbound{}, s.inbox[:n]...)
	s.inbox = s.inbox[n:]
	pending := len(s.inbox)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": out, "messageCount": len(out), "pendingMessageCount": pending})
}
