package acstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu"
)

// timestampLayout writes ACS data timestamps with seven fractional digits, as .NET does:
// 2020-09-18T00:22:20.2855749Z.
const timestampLayout = "2006-01-02T15:04:05.0000000Z"

// Event is one Event Grid event the emulator publishes, independent of the schema it is
// delivered in.
type Event struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`    // EventTypeDeliveryReport, EventTypeReceived, …
	Subject     string    `json:"subject"` // "/phonenumber/<digits>"
	Time        time.Time `json:"time"`
	DataVersion string    `json:"dataVersion"` // "1.0"
	// Data is the event's data: a DeliveryReportData, a ReceivedData, or anything that
	// encodes to JSON (a json.RawMessage for a hand-made payload).
	Data any `json:"data"`
}

// DeliveryReportData is the data of a Microsoft.Communication.SMSDeliveryReportReceived
// event, and the body of GET /deliveryReports/{id}. Keys are camelCase, as the official
// Azure types serialise them.
type DeliveryReportData struct {
	DeliveryAttempts      []DeliveryAttempt `json:"deliveryAttempts"`
	DeliveryStatus        string            `json:"deliveryStatus"`        // Delivered | Failed
	DeliveryStatusDetails string            `json:"deliveryStatusDetails"` // "2000: No Error"
	From                  string            `json:"from"`
	MessageID             string            `json:"messageId"`
	ReceivedTimestamp     string            `json:"receivedTimestamp"`
	Tag                   string            `json:"tag,omitempty"`
	To                    string            `json:"to"`
}

// DeliveryAttempt is one attempt of a delivery report.
type DeliveryAttempt struct {
	SegmentsFailed    int    `json:"segmentsFailed"`
	SegmentsSucceeded int    `json:"segmentsSucceeded"`
	Timestamp         string `json:"timestamp"`
}

// ReceivedData is the data of a Microsoft.Communication.SMSReceived event.
type ReceivedData struct {
	From              string `json:"from"`
	Message           string `json:"message"`
	MessageID         string `json:"messageId"`
	ReceivedTimestamp string `json:"receivedTimestamp"`
	SegmentCount      int    `json:"segmentCount"`
	To                string `json:"to"`
}

// egEvent is the Event Grid schema envelope, keys in the order the official types write them.
type egEvent struct {
	Data            any    `json:"data"`
	DataVersion     string `json:"dataVersion"`
	EventTime       string `json:"eventTime"`
	EventType       string `json:"eventType"`
	ID              string `json:"id"`
	MetadataVersion string `json:"metadataVersion"`
	Subject         string `json:"subject"`
	Topic           string `json:"topic"`
}

// cloudEvent is the CloudEvents 1.0 envelope.
type cloudEvent struct {
	Data        any    `json:"data"`
	ID          string `json:"id"`
	Source      string `json:"source"`
	SpecVersion string `json:"specversion"`
	Subject     string `json:"subject"`
	Time        string `json:"time"`
	Type        string `json:"type"`
}

// Status detail codes (vendors/acs.md §4.2), with the text the emulator writes after them.
var detailText = map[string]string{
	"2000": "No Error",
	"4000": "Rejected by fraud detection",
	"4001": "Invalid source (From) number format",
	"4002": "Invalid destination (To) number format",
	"4003": "Unsupported destination",
	"4004": "Destination number does not exist",
	"4005": "Blocked by destination carrier",
	"4006": "Destination not reachable",
	"4007": "Destination opted out",
	"4008": "Exceeded maximum messages for the profile",
	"4009": "Rejected by the Microsoft entitlement system",
	"4010": "Toll-free number not verified",
	"5000": "Failed, contact support",
	"5001": "Temporary unavailability of the system",
	"5002": "Delivery timeout",
	"9999": "Unknown error",
}

// DefaultDetailCode returns the status detail code the emulator reports for a final status
// given without one: 2000 delivered, 4006 undelivered, 5000 failed, 5002 expired, 4005
// rejected, 9999 otherwise.
func DefaultDetailCode(status sms.Status) string {
	switch status {
	case sms.StatusDelivered:
		return "2000"
	case sms.StatusUndelivered:
		return "4006"
	case sms.StatusFailed:
		return "5000"
	case sms.StatusExpired:
		return "5002"
	case sms.StatusRejected:
		return "4005"
	}
	return "9999"
}

// deliveryWords returns deliveryStatus and deliveryStatusDetails for a status and code.
func deliveryWords(status sms.Status, code, description string) (word, details string) {
	word = "Failed"
	if status == sms.StatusDelivered {
		word = "Delivered"
	}
	if code == "" {
		code = DefaultDetailCode(status)
	}
	text := description
	if text == "" {
		text = detailText[code]
	}
	if text == "" {
		return word, code
	}
	return word, code + ": " + text
}

func digits(n string) string { return strings.TrimPrefix(n, "+") }

// newEventID returns "<prefix><yyyyMMddHHmmss><uuid>", the shape of ACS message ids.
func (s *Server) newEventID(prefix string, t time.Time) string {
	return prefix + t.UTC().Format("20060102150405") + s.ids.UUID()
}

// DeliveryReportEvent builds the delivery report ACS would publish for a message:
// deliveryStatus "Delivered" for sms.StatusDelivered and "Failed" otherwise, or rawStatus
// when it is not empty; deliveryStatusDetails "<code>: <text>" with detailCode, or the
// status's DefaultDetailCode. The from and tag are those of the emulator's message with
// that id, if any.
func (s *Server) DeliveryReportEvent(messageID, to string, status sms.Status, detailCode, rawStatus string) Event {
	from, tag, segments := "+14155550199", "", 1
	s.mu.Lock()
	if m, ok := s.byID[messageID]; ok {
		from, tag, segments = m.From, m.Tag, m.Segments
		if to == "" {
			to = m.To
		}
	}
	s.mu.Unlock()
	word, details := deliveryWords(status, detailCode, "")
	if rawStatus != "" {
		word = rawStatus
	}
	return s.reportEvent(s.reportData(messageID, from, to, tag, segments, word, details))
}

func (s *Server) reportData(id, from, to, tag string, segments int, word, details string) DeliveryReportData {
	now := s.emu.Now().UTC()
	ok, failed := segments, 0
	if word != "Delivered" {
		ok, failed = 0, segments
	}
	return DeliveryReportData{
		DeliveryAttempts:      []DeliveryAttempt{{SegmentsFailed: failed, SegmentsSucceeded: ok, Timestamp: now.Format(timestampLayout)}},
		DeliveryStatus:        word,
		DeliveryStatusDetails: details,
		From:                  from,
		MessageID:             id,
		ReceivedTimestamp:     now.Format(timestampLayout),
		Tag:                   tag,
		To:                    to,
	}
}

func (s *Server) reportEvent(d DeliveryReportData) Event {
	return Event{
		ID: d.MessageID, Type: EventTypeDeliveryReport, Subject: "/phonenumber/" + digits(d.From),
		Time: s.emu.Now().UTC(), DataVersion: "1.0", Data: d,
	}
}

// InboundEvent builds the Microsoft.Communication.SMSReceived event of a message from a
// handset (from) to one of the resource's numbers (to).
func (s *Server) InboundEvent(from, to, body string) Event {
	now := s.emu.Now().UTC()
	id := s.newEventID("Incoming_", now)
	return Event{
		ID: id, Type: EventTypeReceived, Subject: "/phonenumber/" + digits(from), Time: now, DataVersion: "1.0",
		Data: ReceivedData{
			From: from, Message: body, MessageID: id, ReceivedTimestamp: now.Format(timestampLayout),
			SegmentCount: max(1, sms.CountSegments(body).Segments), To: to,
		},
	}
}

// encode renders events in a schema: Event Grid, always an array; CloudEvents, one object,
// or an array when batching is on.
func (s *Server) encode(schema string, events []Event) (body []byte, contentType string, err error) {
	if schema == SchemaCloudEvents {
		ces := make([]cloudEvent, len(events))
		for i, ev := range events {
			ces[i] = cloudEvent{Data: ev.Data, ID: ev.ID, Source: s.opts.Topic, SpecVersion: "1.0",
				Subject: ev.Subject, Time: ev.Time.UTC().Format(time.RFC3339Nano), Type: ev.Type}
		}
		if s.opts.MaxEventsPerBatch > 1 {
			body, err = json.Marshal(ces)
			return body, "application/cloudevents-batch+json; charset=utf-8", err
		}
		if len(ces) != 1 {
			return nil, "", fmt.Errorf("acstest: %d CloudEvents in one delivery without batching", len(ces))
		}
		body, err = json.Marshal(ces[0])
		return body, "application/cloudevents+json; charset=utf-8", err
	}
	egs := make([]egEvent, len(events))
	for i, ev := range events {
		dv := ev.DataVersion
		if dv == "" {
			dv = "1.0"
		}
		egs[i] = egEvent{Data: ev.Data, DataVersion: dv, EventTime: ev.Time.UTC().Format(time.RFC3339Nano),
			EventType: ev.Type, ID: ev.ID, MetadataVersion: "1", Subject: ev.Subject, Topic: s.opts.Topic}
	}
	body, err = json.Marshal(egs)
	return body, "application/json; charset=utf-8", err
}

// deliveryHeader returns the headers of an event delivery (aeg-delivery-count is set per
// attempt).
func (s *Server) deliveryHeader(eventType, contentType, dataVersion string) http.Header {
	h := s.opts.DeliveryHeaders.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", contentType)
	h.Set("aeg-event-type", eventType)
	h.Set("aeg-subscription-name", strings.ToUpper(s.opts.SubscriptionName))
	h.Set("aeg-delivery-count", "0")
	h.Set("aeg-data-version", dataVersion)
	h.Set("aeg-metadata-version", "1")
	return h
}

// newRequest builds a request to target, ready for a handler's ServeHTTP (RequestURI set).
func newRequest(method, target string, header http.Header, body []byte) (*http.Request, error) {
	return emu.NewRequest(method, target, header, body)
}

func mustRequest(req *http.Request, err error) *http.Request {
	if err != nil {
		panic("acstest: " + err.Error())
	}
	return req
}

// EventsRequest builds the delivery Event Grid would post to targetURL with events, in the
// configured schema (one CloudEvent without batching: pass one event), for tests that drive
// a webhook handler directly. It panics if targetURL is not an absolute URL or the events
// cannot be encoded, as httptest.NewRequest does.
func (s *Server) EventsRequest(targetURL string, events ...Event) *http.Request {
	_, schema := s.EventGrid()
	body, ct, err := s.encode(schema, events)
	if err != nil {
		panic("acstest: " + err.Error())
	}
	dv := "1.0"
	if len(events) > 0 && events[0].DataVersion != "" {
		dv = events[0].DataVersion
	}
	return mustRequest(newRequest(http.MethodPost, targetURL, s.deliveryHeader("Notification", ct, dv), body))
}

// DeliveryReportRequest builds the delivery of one delivery report (see
// DeliveryReportEvent) to targetURL.
func (s *Server) DeliveryReportRequest(targetURL, messageID, to string, status sms.Status, detailCode, rawStatus string) *http.Request {
	return s.EventsRequest(targetURL, s.DeliveryReportEvent(messageID, to, status, detailCode, rawStatus))
}

// InboundRequest builds the delivery of one inbound message (see InboundEvent) to targetURL.
func (s *Server) InboundRequest(targetURL, from, to, body string) *http.Request {
	return s.EventsRequest(targetURL, s.InboundEvent(from, to, body))
}

// SubscriptionValidationRequest builds the Event Grid schema validation handshake to
// targetURL and returns it with the validation code the answer must echo.
func (s *Server) SubscriptionValidationRequest(targetURL string) (*http.Request, string) {
	body, code := s.validationEvent()
	h := s.deliveryHeader("SubscriptionValidation", "application/json; charset=utf-8", "1")
	return mustRequest(newRequest(http.MethodPost, targetURL, h, body)), code
}

// AbuseProtectionRequest builds the CloudEvents handshake to targetURL: OPTIONS with
// WebHook-Request-Origin (Options.RequestOrigin).
func (s *Server) AbuseProtectionRequest(targetURL string) *http.Request {
	return mustRequest(newRequest(http.MethodOptions, targetURL, s.optionsHeader(), nil))
}

func (s *Server) optionsHeader() http.Header {
	h := s.opts.DeliveryHeaders.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("WebHook-Request-Origin", s.opts.RequestOrigin)
	return h
}

func (s *Server) validationEvent() (body []byte, code string) {
	now := s.emu.Now().UTC()
	code = s.ids.UUID()
	sub := s.opts.Topic
	if parts := strings.SplitN(strings.TrimPrefix(sub, "/"), "/", 3); len(parts) >= 2 {
		sub = "/" + parts[0] + "/" + parts[1] // the Azure subscription, as in the samples
	}
	vu := "https://rp-westus2.eventgrid.azure.net:553/eventsubscriptions/" + url.PathEscape(s.opts.SubscriptionName) +
		"/validate?id=" + strings.ToUpper(strings.ReplaceAll(s.ids.UUID(), "-", "")) +
		"&t=" + now.Format(timestampLayout) + "&apiVersion=2018-05-01-preview&token=" + s.ids.Next()[:16]
	body, _ = json.Marshal([]egEvent{{
		Data:        map[string]string{"validationCode": code, "validationUrl": vu},
		DataVersion: "1", EventTime: now.Format(timestampLayout), EventType: EventTypeSubscriptionValidation,
		ID: s.ids.UUID(), MetadataVersion: "1", Subject: "", Topic: sub,
	}})
	return body, code
}

// publish hands an event to the subscription: delivered (or batched) when the endpoint is
// validated, else held, and the handshake started if it has not been tried.
func (s *Server) publish(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.published = append(s.published, ev)
	if s.state != ValidationValidated {
		s.held = append(s.held, ev)
		s.startHandshakeLocked()
		return
	}
	s.enqueueLocked(ev)
}

// enqueueLocked sends ev, or adds it to the batch. s.mu must be held.
func (s *Server) enqueueLocked(ev Event) {
	if s.opts.MaxEventsPerBatch <= 1 {
		s.deliverLocked([]Event{ev})
		return
	}
	s.batch = append(s.batch, ev)
	if len(s.batch) >= s.opts.MaxEventsPerBatch {
		s.flushLocked()
		return
	}
	if s.batchStop == nil && !s.closed {
		ctx, stop := context.WithCancel(s.ctx)
		s.batchStop = stop
		go func() {
			if s.emu.Clock.Sleep(ctx, s.opts.BatchWindow) != nil {
				return
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if ctx.Err() == nil { // not a wait stopped too late
				s.flushLocked()
			}
		}()
	}
}

// stopBatchWaitLocked ends the wait of the partial batch, if any. s.mu must be held.
func (s *Server) stopBatchWaitLocked() {
	if s.batchStop != nil {
		s.batchStop()
		s.batchStop = nil
	}
}

// Flush sends the partial batch at once.
func (s *Server) Flush() {
	s.mu.Lock()
	s.flushLocked()
	s.mu.Unlock()
}

// flushLocked sends the pending batch and reports whether there was one. s.mu must be held.
func (s *Server) flushLocked() bool {
	s.stopBatchWaitLocked()
	if len(s.batch) == 0 {
		return false
	}
	b := s.batch
	s.batch = nil
	s.deliverLocked(b)
	return true
}

// deliverLocked posts events to the validated endpoint through the Deliverer, with Event
// Grid's retry rule and aeg-delivery-count per attempt. s.mu must be held.
func (s *Server) deliverLocked(events []Event) {
	body, ct, err := s.encode(s.schema, events)
	if err != nil {
		return
	}
	dv := events[0].DataVersion
	if dv == "" {
		dv = "1.0"
	}
	key := events[0].ID
	if len(events) > 1 {
		key = "batch:" + key
	}
	req, err := newRequest(http.MethodPost, s.egURL, nil, nil)
	if err != nil {
		return
	}
	s.emu.Deliverer.Send(emu.Callback{
		URL: req.URL.String(), Header: s.deliveryHeader("Notification", ct, dv), Body: body, Key: key,
		Prepare: func(r *http.Request, attempt int) error {
			r.Header.Set("aeg-delivery-count", strconv.Itoa(attempt-1))
			return nil
		},
	})
}

// startHandshakeLocked starts the endpoint validation if a subscription is configured and
// its validation was not tried yet. s.mu must be held.
func (s *Server) startHandshakeLocked() {
	if s.state != ValidationPending || s.egURL == "" || s.closed {
		return
	}
	s.state = ValidationValidating
	s.beginLocked()
	done := make(chan struct{})
	s.hsDone, s.hsErr, s.hsReported = done, nil, false
	target, schema, gen := s.egURL, s.schema, s.gen
	go func() {
		hs := s.handshake(target, schema)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.handshakes = append(s.handshakes, hs)
		if s.gen == gen {
			if hs.OK {
				s.state = ValidationValidated
				held := s.held
				s.held = nil
				for _, ev := range held {
					s.enqueueLocked(ev)
				}
			} else {
				s.state = ValidationFailed
				s.hsErr = fmt.Errorf("acstest: endpoint validation of %s failed: %s", emulator.RedactURL(target), hs.Reason)
			}
		}
		close(done)
		s.endLocked()
	}()
}

// handshake validates the endpoint once, as Event Grid does before delivering to it.
func (s *Server) handshake(target, schema string) Handshake {
	hs := Handshake{Time: s.emu.Now(), URL: target, Schema: schema, Method: http.MethodPost}
	var (
		req  *http.Request
		code string
		err  error
	)
	if schema == SchemaCloudEvents {
		hs.Method = http.MethodOptions
		req, err = newRequest(http.MethodOptions, target, s.optionsHeader(), nil)
	} else {
		var body []byte
		body, code = s.validationEvent()
		req, err = newRequest(http.MethodPost, target, s.deliveryHeader("SubscriptionValidation", "application/json; charset=utf-8", "1"), body)
	}
	if err != nil {
		hs.Reason = err.Error()
		return hs
	}
	req.RequestURI = ""
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second) // Event Grid's timeout; Close cancels
	defer cancel()
	resp, err := s.client.Do(req.WithContext(ctx))
	if err != nil {
		hs.Reason = "no answer: " + emu.RedactError(err).Error()
		return hs
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	hs.StatusCode = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		hs.Reason = fmt.Sprintf("answered %d, want 200", resp.StatusCode)
		return hs
	}
	if schema == SchemaCloudEvents {
		got := strings.TrimSpace(resp.Header.Get("WebHook-Allowed-Origin"))
		if got != "*" && !strings.EqualFold(got, s.opts.RequestOrigin) {
			hs.Reason = fmt.Sprintf("WebHook-Allowed-Origin %q, want %q or *", got, s.opts.RequestOrigin)
			return hs
		}
		hs.OK = true
		return hs
	}
	var answer map[string]any
	if err := json.Unmarshal(b, &answer); err != nil {
		hs.Reason = "the answer is not a JSON object with validationResponse"
		return hs
	}
	for k, v := range answer {
		if strings.EqualFold(k, "validationResponse") {
			if got, _ := v.(string); got == code {
				hs.OK = true
				return hs
			}
			hs.Reason = "validationResponse does not echo the validation code"
			return hs
		}
	}
	hs.Reason = "the answer has no validationResponse"
	return hs
}

// Validate runs the endpoint validation now (again, after a failure) and waits for it.
func (s *Server) Validate(ctx context.Context) error {
	s.mu.Lock()
	switch s.state {
	case ValidationValidated:
		s.mu.Unlock()
		return nil
	case ValidationNone:
		s.mu.Unlock()
		return errNoSubscription
	case ValidationFailed:
		s.state = ValidationPending
	}
	s.startHandshakeLocked()
	done := s.hsDone
	s.mu.Unlock()
	if done == nil {
		return errors.New("acstest: the emulator is closed")
	}
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == ValidationValidated {
		return nil
	}
	if s.hsErr != nil {
		return s.hsErr
	}
	return fmt.Errorf("acstest: subscription %s", s.state)
}

// scheduleReport decides m's outcome (SetOutcome) and, after its delay, records its
// delivery report and publishes it when the send asked for one.
func (s *Server) scheduleReport(m *Message) {
	o := s.emu.Outcome(m.To)
	if s.emu.OptOuts.Has(m.From, m.To) {
		// ACS accepts the send and reports it failed (vendors/acs.md §4.2, §7).
		o = emu.Outcome{Status: sms.StatusFailed, ErrorCode: "4007", Description: OptedOutDetails}
	}
	if !o.Status.IsFinal() {
		return
	}
	finish := func() {
		word, details := deliveryWords(o.Status, o.ErrorCode, o.Description)
		s.mu.Lock()
		d := s.reportData(m.MessageID, m.From, m.To, m.Tag, m.Segments, word, details)
		m.report, m.DeliveryStatus, m.DeliveryStatusDetails = &d, word, details
		s.mu.Unlock()
		if m.EnableDeliveryReport {
			s.publish(s.reportEvent(d))
		}
	}
	if o.Delay <= 0 {
		finish()
		return
	}
	s.mu.Lock()
	s.beginLocked()
	epoch := s.epoch
	s.mu.Unlock()
	go func() {
		waited := s.emu.Clock.Sleep(s.ctx, o.Delay) == nil
		s.mu.Lock()
		live := waited && s.epoch == epoch && !s.closed
		s.mu.Unlock()
		if live {
			finish()
		}
		s.mu.Lock()
		s.endLocked()
		s.mu.Unlock()
	}()
}

// The keywords of ACS's opt-out management (vendors/acs.md §7: toll-free numbers, and short
// codes with opt-out management): an inbound message that is exactly one of them
// (case-insensitive) opts the handset out of, or back in to, messages from the number it
// was sent to. Alphanumeric senders receive no messages, so have no opt-outs.
var (
	StopKeywords  = []string{"STOP"}
	StartKeywords = []string{"START", "UNSTOP"}
)

// OptedOutDetails is the text of the failed delivery report of a message to a recipient
// that opted out of its sender: "4007: Sender blocked for given recipient.".
const OptedOutDetails = "Sender blocked for given recipient."

// OptOut records that the handset to opted out of messages from the number from, as an
// inbound STOP does (or the Opt-Out Management API's optouts:add): ACS still accepts sends
// from it to to, and reports each failed, with status detail 4007 (OptedOutDetails).
func (s *Server) OptOut(from, to string) { s.emu.OptOuts.Add(from, to) }

// OptIn lifts an opt-out, as an inbound START or UNSTOP does, and reports whether there
// was one.
func (s *Server) OptIn(from, to string) bool { return s.emu.OptOuts.Remove(from, to) }

// OptOuts returns the opt-out list.
func (s *Server) OptOuts() []emulator.OptOut { return s.emu.OptOuts.List() }

// PushDeliveryReport reports a final status for the created message messageID now: its
// delivery report is recorded (GET /deliveryReports) and, when the send asked for one,
// published to the subscription. detailCode is the deliveryStatusDetails code ("4004";
// default from status, see DefaultDetailCode). A status that is not final is an error: ACS
// reports only final statuses.
func (s *Server) PushDeliveryReport(messageID string, status sms.Status, detailCode string) error {
	return s.pushReport(messageID, emu.Outcome{Status: status, ErrorCode: detailCode})
}

func (s *Server) pushReport(id string, o emu.Outcome) error {
	if !o.Status.IsFinal() {
		return fmt.Errorf("acstest: status %s: ACS reports only final statuses (delivered, failed, …)", o.Status)
	}
	word, details := deliveryWords(o.Status, o.ErrorCode, o.Description)
	s.mu.Lock()
	m, ok := s.byID[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("acstest: message %q: %w", id, emu.ErrNotFound)
	}
	d := s.reportData(m.MessageID, m.From, m.To, m.Tag, m.Segments, word, details)
	m.report, m.DeliveryStatus, m.DeliveryStatusDetails = &d, word, details
	publish := m.EnableDeliveryReport
	s.mu.Unlock()
	if publish {
		s.publish(s.reportEvent(d))
	}
	return nil
}

// SendInbound publishes an inbound message from a handset (from) to one of the resource's
// numbers (to), then waits, until ctx ends, for the callbacks under way (WaitCallbacks).
// The error says when the event could not be delivered because the subscription is not
// validated (the event is then held).
func (s *Server) SendInbound(ctx context.Context, from, to, body string) (Event, error) {
	if from == "" || to == "" {
		return Event{}, errors.New("acstest: SendInbound needs from and to")
	}
	switch {
	case emu.Keyword(body, StopKeywords) != "":
		s.emu.OptOuts.Add(to, from)
	case emu.Keyword(body, StartKeywords) != "":
		s.emu.OptOuts.Remove(to, from)
	}
	ev := s.InboundEvent(from, to, body)
	s.publish(ev)
	if err := s.wait(ctx); err != nil {
		return ev, err
	}
	// The deliveries carrying the event (one, or a batch) that the endpoint refused.
	if err := s.emu.Deliverer.Check(func(d emulator.Delivery) bool {
		return bytes.Contains(d.Body, []byte(`"`+ev.ID+`"`))
	}); err != nil {
		return ev, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.held {
		if h.ID == ev.ID {
			if s.egURL == "" {
				return ev, fmt.Errorf("%w: the event is held", errNoSubscription)
			}
			if s.state == ValidationFailed && s.hsErr != nil {
				s.hsReported = true
				return ev, fmt.Errorf("%w: the event is held", s.hsErr)
			}
			return ev, fmt.Errorf("acstest: the event is held: the subscription is %s", s.state)
		}
	}
	return ev, nil
}
