package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/webhook"
)

// A shop ("loja") with two Brazilian numbers that stand in for one another, and an unrelated
// US business.
// emptyTwiML is the answer that makes Twilio text nothing back.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

const (
	lojaSP  = "+5511912340000"
	lojaRJ  = "+5521912340000"
	acmeUS  = "+12025550100"
	handset = "+5511998887777"
	friend  = "+5511998886666"
)

// ownerScope is the owner-tag ScopeFunc a sender registry gives.
func ownerScope(provider string, from sms.Sender) string {
	switch from.Value {
	case lojaSP, lojaRJ:
		return "owner:loja"
	case acmeUS:
		return "owner:acme"
	}
	return ""
}

// portuguese is the keyword set of the Brazilian numbers: the English words (carriers and
// handsets still send STOP) plus PARAR, SAIR, CANCELAR to opt out, VOLTAR to opt back in and
// AJUDA for help.
func portuguese() *sms.Keywords {
	k := sms.DefaultKeywords()
	k.OptOut = append(k.OptOut, "PARAR", "SAIR", "CANCELAR")
	k.OptIn = append(k.OptIn, "VOLTAR")
	k.Help = append(k.Help, "AJUDA")
	return &k
}

// keywordsBySender gives the Brazilian numbers the Portuguese set, others the default.
func keywordsBySender() func(provider, to string) *sms.Keywords {
	pt := portuguese()
	by := map[string]*sms.Keywords{lojaSP: pt, lojaRJ: pt}
	return func(_, to string) *sms.Keywords { return by[to] }
}

// eventSink collects what the application received; it fails while err is set.
type eventSink struct {
	mu     sync.Mutex
	events []sms.Event
	err    error
}

func (s *eventSink) HandleEvents(_ context.Context, evs []sms.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.events = append(s.events, evs...)
	return nil
}

func (s *eventSink) setErr(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

func (s *eventSink) all() []sms.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sms.Event(nil), s.events...)
}

// twilioApp is a Twilio emulator, the application's webhook behind a real HTTP server, and a
// Client over the same Consent.
type twilioApp struct {
	srv     *twiliotest.Server
	store   *sms.MemorySuppressionStore
	consent *sms.Consent
	sink    *eventSink
	client  *sms.Client
	app     *httptest.Server
}

func newTwilioApp(t *testing.T) *twilioApp {
	t.Helper()
	a := &twilioApp{srv: twiliotest.NewServer(nil), store: sms.NewMemorySuppressionStore(), sink: &eventSink{}}
	t.Cleanup(a.srv.Close)
	a.consent = &sms.Consent{Store: a.store, Scope: ownerScope}
	mux := http.NewServeMux()
	a.app = httptest.NewServer(mux)
	t.Cleanup(a.app.Close)
	p, err := twilio.New(twilio.Config{
		AccountSID: a.srv.AccountSID(), AuthToken: sms.NewSecret(a.srv.AuthToken()), PublicURL: a.app.URL,
	}, &twilio.Options{BaseURL: a.srv.URL})
	require.NoError(t, err)
	mux.Handle("/sms/twilio", webhook.Handler(p, a.sink, &webhook.Options{
		Consent: a.consent, KeywordsFor: keywordsBySender(),
	}))
	a.srv.SetInboundURL(a.app.URL + "/sms/twilio")
	a.client = sms.NewClient(p, &sms.ClientOptions{Suppressor: a.consent})
	return a
}

// inbound delivers a handset's message through the emulator and returns the webhook's answer.
func (a *twilioApp) inbound(t *testing.T, from, to, body string) string {
	t.Helper()
	d, err := a.srv.SendInbound(context.Background(), from, to, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.StatusCode)
	return string(d.ResponseBody)
}

func (a *twilioApp) suppressed(t *testing.T, from, to string) bool {
	t.Helper()
	ok, err := a.consent.SuppressedFor(context.Background(), twilio.Name, sms.Sender{Value: from}, to)
	require.NoError(t, err)
	return ok
}

func TestConsentPortugueseOptOutThroughTwilio(t *testing.T) {
	a := newTwilioApp(t)

	// A Brazilian handset answers "parar" to the São Paulo number.
	reply := a.inbound(t, handset, lojaSP, "parar")
	require.Equal(t, emptyTwiML, reply, "an empty TwiML answer: nothing is texted back by us")
	evs := a.sink.all()
	require.Len(t, evs, 1)
	require.Equal(t, sms.EventOptOut, evs[0].Type)
	require.Equal(t, "PARAR", evs[0].Keyword)
	require.Empty(t, a.srv.OptOuts(), "the emulator knows only English keywords: the block below is ours")
	require.True(t, a.suppressed(t, lojaSP, handset))
	require.True(t, a.suppressed(t, lojaRJ, handset), "the opt-out covers every number of the owner")
	require.False(t, a.suppressed(t, acmeUS, handset), "an unrelated owner is not suppressed")

	// The next send from the Rio number, the stand-in, refuses the handset before any
	// request and sends to the other recipient.
	before := len(a.srv.RecordedRequests())
	res, err := a.client.Send(context.Background(), &sms.Message{
		To: []string{handset, friend}, From: sms.Sender{Value: lojaRJ}, Body: "Promoção!",
	})
	require.NoError(t, err)
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.Zero(t, res[0].Attempts)
	require.NoError(t, res[1].Err)
	require.Equal(t, before+1, len(a.srv.RecordedRequests()), "one request, for the friend only")
	msgs := a.srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, friend, msgs[0].To)

	// The unrelated US business may still message the handset.
	res, err = a.client.Send(context.Background(), &sms.Message{To: []string{handset}, From: sms.Sender{Value: acmeUS}, Body: "hi"})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)

	// "voltar" to either number lifts it for the owner.
	a.inbound(t, handset, lojaRJ, "Voltar")
	require.False(t, a.suppressed(t, lojaSP, handset))
	res, err = a.client.Send(context.Background(), &sms.Message{To: []string{handset}, From: sms.Sender{Value: lojaSP}, Body: "Bem-vindo de volta"})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
}

func TestConsentKeywordsPerSender(t *testing.T) {
	cases := []struct {
		to, body   string
		want       sms.EventType
		keyword    string
		suppressed bool
	}{
		{lojaSP, "PARAR", sms.EventOptOut, "PARAR", true},
		{lojaRJ, " sair ", sms.EventOptOut, "SAIR", true},
		{lojaSP, "Cancelar", sms.EventOptOut, "CANCELAR", true},
		{lojaSP, "STOP", sms.EventOptOut, "STOP", true},
		{lojaSP, "parar agora", sms.EventInbound, "", false},
		{acmeUS, "parar", sms.EventInbound, "", false}, // the US number keeps the English list
		{acmeUS, "stop", sms.EventOptOut, "STOP", true},
		{lojaSP, "ajuda", sms.EventHelp, "AJUDA", false},
	}
	for _, tc := range cases {
		t.Run(tc.to+" "+tc.body, func(t *testing.T) {
			a := newTwilioApp(t)
			a.inbound(t, handset, tc.to, tc.body)
			evs := a.sink.all()
			require.Len(t, evs, 1)
			require.Equal(t, tc.want, evs[0].Type)
			require.Equal(t, tc.keyword, evs[0].Keyword)
			require.Equal(t, tc.suppressed, a.suppressed(t, tc.to, handset))
		})
	}
}

func TestConsentHelpIsOnlySurfaced(t *testing.T) {
	a := newTwilioApp(t)
	for _, m := range []struct{ to, body string }{{lojaSP, "AJUDA"}, {acmeUS, "help"}, {acmeUS, "INFO"}} {
		reply := a.inbound(t, handset, m.to, m.body)
		require.Equal(t, emptyTwiML, reply, "no reply texted by us: the vendor sends its own")
	}
	for _, ev := range a.sink.all() {
		require.Equal(t, sms.EventHelp, ev.Type, "surfaced to the application as help")
	}
	require.Len(t, a.sink.all(), 3)
	require.Zero(t, a.store.Len(), "help changes no consent")
	require.Empty(t, a.srv.Messages(), "and sends nothing")
}

func TestConsentOptedOutDeliveryReport(t *testing.T) {
	a := newTwilioApp(t)
	send := func(req *http.Request) int {
		resp, err := a.app.Client().Do(withTarget(t, req, a.app.URL))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	// The emulator's status callbacks come from its test number.
	const from = "+15005550006"
	require.Equal(t, 200, send(a.srv.StatusCallbackRequest(a.app.URL+"/sms/twilio", "SM1", friend, "undelivered", "30003")))
	require.Zero(t, a.store.Len(), "an unreachable handset is not an opt-out")
	require.Equal(t, 200, send(a.srv.StatusCallbackRequest(a.app.URL+"/sms/twilio", "SM2", handset, "undelivered", "21610")))
	require.True(t, a.suppressed(t, from, handset), "a report whose Code is OptedOut suppresses its recipient for its sender")
	require.False(t, a.suppressed(t, from, friend))
}

// withTarget makes a request built for a handler's ServeHTTP sendable by an http.Client.
func withTarget(t *testing.T, req *http.Request, base string) *http.Request {
	t.Helper()
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	out, err := http.NewRequest(req.Method, base+req.URL.RequestURI(), bytes.NewReader(body))
	require.NoError(t, err)
	out.Header = req.Header.Clone()
	return out
}

// eventsProvider decodes a JSON array of sms.Event (events round-trip through JSON): a
// provider for the consent rules that no vendor emulator can express alone.
type eventsProvider struct{}

func (eventsProvider) Name() string                   { return "events" }
func (eventsProvider) Capabilities() sms.Capabilities { return sms.Capabilities{Inbound: true} }
func (eventsProvider) Send(context.Context, *sms.Message) ([]sms.SendResult, error) {
	return nil, errors.ErrUnsupported
}
func (eventsProvider) ParseCallback(_ context.Context, _ *http.Request, body []byte) (*sms.Callback, error) {
	var evs []sms.Event
	if err := json.Unmarshal(body, &evs); err != nil {
		return nil, &sms.Error{Code: sms.CodeInvalidArgument, Message: "bad test body"}
	}
	return &sms.Callback{Events: evs}, nil
}

func postEvents(t *testing.T, h http.Handler, evs ...sms.Event) int {
	t.Helper()
	b, err := json.Marshal(evs)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b)))
	return w.Code
}

// failingStore fails writes while err is set.
type failingStore struct {
	*sms.MemorySuppressionStore
	mu  sync.Mutex
	err error
}

func (s *failingStore) Suppress(ctx context.Context, scope, to string) error {
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.MemorySuppressionStore.Suppress(ctx, scope, to)
}

func TestConsentEvents(t *testing.T) {
	optOut := func(id, to, body string) sms.Event {
		return sms.Event{ID: id, Type: sms.EventInbound, From: handset, To: to, Body: body, Scope: sms.ScopeSender, ScopeID: to}
	}
	type check struct {
		from       sms.Sender
		suppressed bool
	}
	cases := []struct {
		name   string
		events []sms.Event
		checks []check
	}{
		{"opt-out then opt-in in one request ends opted in",
			[]sms.Event{optOut("a", lojaSP, "PARAR"), optOut("b", lojaRJ, "VOLTAR")},
			[]check{{sms.Sender{Value: lojaSP}, false}}},
		{"opt-in then opt-out in one request ends opted out",
			[]sms.Event{optOut("a", lojaSP, "VOLTAR"), optOut("b", lojaRJ, "SAIR")},
			[]check{{sms.Sender{Value: lojaSP}, true}}},
		{"a vendor-flagged opt-out counts whatever its words",
			[]sms.Event{{ID: "a", Type: sms.EventOptOut, From: handset, To: acmeUS, Body: "Arrêt"}},
			[]check{{sms.Sender{Value: acmeUS}, true}, {sms.Sender{Value: lojaSP}, false}}},
		{"a service-scoped opt-out covers the pool too",
			[]sms.Event{{ID: "a", Type: sms.EventOptOut, From: handset, To: "+15005550006", Scope: sms.ScopeService, ScopeID: "MG123"}},
			[]check{{sms.Sender{Value: "+15005550006"}, true}, {sms.Sender{Type: sms.SenderPool, Value: "MG123"}, true}, {sms.Sender{Value: acmeUS}, false}}},
		{"a delivery report without a sender changes nothing",
			[]sms.Event{{ID: "a", Type: sms.EventDeliveryReport, To: handset, Status: sms.StatusFailed, Code: sms.CodeOptedOut}},
			[]check{{sms.Sender{Value: lojaSP}, false}}},
		// The fold keeps the first failed part's status and drops the later report, whose
		// opt-out is still the vendor's word about this handset.
		{"an opted-out part report counts though the fold drops it",
			[]sms.Event{
				{ID: "p1", Type: sms.EventDeliveryReport, MessageID: "M1", Part: 1, Parts: 2, From: acmeUS, To: handset, Status: sms.StatusFailed, Code: sms.CodeUnavailable},
				{ID: "p2", Type: sms.EventDeliveryReport, MessageID: "M1", Part: 2, Parts: 2, From: acmeUS, To: handset, Status: sms.StatusFailed, Code: sms.CodeOptedOut},
			},
			[]check{{sms.Sender{Value: acmeUS}, true}}},
		{"help changes nothing",
			[]sms.Event{optOut("a", lojaSP, "AJUDA")},
			[]check{{sms.Sender{Value: lojaSP}, false}}},
		{"a plain inbound message changes nothing",
			[]sms.Event{optOut("a", lojaSP, "obrigado")},
			[]check{{sms.Sender{Value: lojaSP}, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: ownerScope}
			h := webhook.Handler(eventsProvider{}, &eventSink{}, &webhook.Options{Consent: consent, KeywordsFor: keywordsBySender()})
			require.Equal(t, http.StatusOK, postEvents(t, h, tc.events...))
			for _, c := range tc.checks {
				got, err := consent.SuppressedFor(context.Background(), "events", c.from, handset)
				require.NoError(t, err)
				require.Equal(t, c.suppressed, got, "sender %+v", c.from)
			}
		})
	}
}

// A failed sink changes no consent; the vendor's retry, once the sink accepts, does.
func TestConsentOnlyAfterTheSinkAccepted(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: ownerScope}
	sink := &eventSink{err: errors.New("queue down")}
	h := webhook.Handler(rec, sink, &webhook.Options{Consent: consent})
	req := rec.InboundRequest(handset, lojaSP, "STOP")
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	deliver := func() int {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header = req.Header.Clone()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	require.Equal(t, http.StatusInternalServerError, deliver())
	ok, _ := consent.SuppressedFor(context.Background(), rec.Name(), sms.Sender{Value: lojaRJ}, handset)
	require.False(t, ok, "the sink refused the request: consent unchanged")

	sink.setErr(nil)
	require.Equal(t, http.StatusOK, deliver())
	ok, _ = consent.SuppressedFor(context.Background(), rec.Name(), sms.Sender{Value: lojaRJ}, handset)
	require.True(t, ok)
}

// A failed consent write answers 500 and marks nothing seen, so the retry reaches the sink and
// the store again.
func TestConsentStoreFailureIsRetried(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	store := &failingStore{MemorySuppressionStore: sms.NewMemorySuppressionStore(), err: errors.New("store down")}
	consent := &sms.Consent{Store: store}
	sink := &eventSink{}
	var causes []error
	var logs bytes.Buffer
	h := webhook.Handler(rec, sink, &webhook.Options{
		Consent: consent,
		OnError: func(_ *http.Request, err error) { causes = append(causes, err) },
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
	})
	req := rec.OptOutRequest(handset, acmeUS, "unsubscribe me please")
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	deliver := func() int {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header = req.Header.Clone()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	require.Equal(t, http.StatusInternalServerError, deliver())
	require.Len(t, causes, 1)
	require.ErrorContains(t, causes[0], "store down")
	require.Zero(t, store.Len())

	store.mu.Lock()
	store.err = nil
	store.mu.Unlock()
	require.Equal(t, http.StatusOK, deliver())
	require.Len(t, sink.all(), 2, "the retry reached the sink again: nothing had been marked seen")
	require.Equal(t, 1, store.Len())
	require.Equal(t, http.StatusOK, deliver())
	require.Len(t, sink.all(), 2, "now marked seen")
}

// The sink owns the events it is given: consent comes from what the provider reported, even
// when the sink rewrites the slice.
func TestConsentIgnoresWhatTheSinkDoesToEvents(t *testing.T) {
	consent := &sms.Consent{Store: sms.NewMemorySuppressionStore()}
	sink := webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
		for i := range evs {
			evs[i] = sms.Event{Type: sms.EventOptIn, From: evs[i].From, To: evs[i].To}
		}
		return nil
	})
	h := webhook.Handler(eventsProvider{}, sink, &webhook.Options{Consent: consent})
	require.Equal(t, http.StatusOK, postEvents(t, h, sms.Event{ID: "a", Type: sms.EventInbound, From: handset, To: acmeUS, Body: "STOP"}))
	ok, err := consent.SuppressedFor(context.Background(), "events", sms.Sender{Value: acmeUS}, handset)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestApplyConsent(t *testing.T) {
	ctx := context.Background()
	consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: ownerScope}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(`[
		{"id":"1","type":"inbound","provider":"events","from":"+5511998887777","to":"+12025550100","body":"stop"},
		{"id":"2","type":"delivery_report","provider":"events","from":"+5511912340000","to":"+5511998886666","status":"failed","code":"OptedOut"},
		{"id":"3","type":"inbound","provider":"events","from":"+5511998887777","body":"stop"}
	]`)))
	cb, err := webhook.Parse(ctx, eventsProvider{}, req, 0)
	require.NoError(t, err)
	require.Equal(t, sms.EventOptOut, cb.Events[0].Type, "Parse classified it")
	require.NoError(t, webhook.ApplyConsent(ctx, consent, cb.Events))
	for _, c := range []struct {
		from, to string
		want     bool
	}{{acmeUS, handset, true}, {lojaRJ, friend, true}, {lojaRJ, handset, false}} {
		got, err := consent.SuppressedFor(ctx, "events", sms.Sender{Value: c.from}, c.to)
		require.NoError(t, err)
		require.Equal(t, c.want, got, "%s → %s", c.from, c.to)
	}
	require.Error(t, webhook.ApplyConsent(ctx, &sms.Consent{}, cb.Events), "a failure is returned")
}
