package acstest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/webhook"
)

// The end-to-end tests drive the emulator through the acs provider, sms.Client and
// webhook.Handler: the path applications use.

const (
	endpoint = "https://contoso.communication.azure.com" // never resolved: BaseURL wins
	token    = "s3cret"
)

func newProvider(t *testing.T, srv *acstest.Server, edit func(*acs.Config)) *acs.Provider {
	t.Helper()
	cfg := acs.Config{Endpoint: endpoint, AccessKey: sms.NewSecret(srv.AccessKey()), CallbackTokens: []sms.Secret{sms.NewSecret(token)}}
	if edit != nil {
		edit(&cfg)
	}
	p, err := acs.New(cfg, &acs.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// client wraps p with a fake clock, so that retries do not sleep.
func client(p sms.Provider) *sms.Client {
	return sms.NewClient(p, &sms.ClientOptions{Clock: &smstest.FakeClock{}})
}

func msg(to ...string) *sms.Message {
	return &sms.Message{To: to, From: sms.Sender{Type: sms.SenderLongCode, Value: sender}, Body: "Hello from acstest ✓", Reference: "order-42"}
}

func TestProviderSend(t *testing.T) {
	srv := newServer(t, nil)
	p := newProvider(t, srv, nil)
	ctx := ctxT(t)

	res, err := client(p).Send(ctx, msg(recipient, "+14155550101"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(res) != 2 || len(msgs) != 2 {
		t.Fatalf("%d results, %d messages", len(res), len(msgs))
	}
	for i, r := range res {
		m := msgs[i]
		if r.Err != nil || !outgoingID.MatchString(r.MessageID) || r.MessageID != m.MessageID || m.To != r.To ||
			m.Tag != "order-42" || m.From != sender || m.Message != "Hello from acstest ✓" || !m.EnableDeliveryReport ||
			m.RepeatabilityRequestID == "" || m.RepeatabilityFirstSent == "" || m.APIVersion != acs.DefaultAPIVersion {
			t.Errorf("result %+v, message %+v", r, m)
		}
	}
	if rec := srv.RecordedRequests()[0]; rec.Header.Get("Content-Type") != "application/json" || rec.Host != srv.URL[len("http://"):] {
		t.Errorf("request %v host %s", rec.Header, rec.Host)
	}

	t.Run("wrong key", func(t *testing.T) {
		bad := newProvider(t, srv, func(c *acs.Config) { c.AccessKey = sms.NewSecret(otherKey) })
		n := srv.Accepted()
		_, err := client(bad).Send(ctx, msg(recipient))
		if sms.ErrorCode(err) != sms.CodeUnauthenticated || srv.Accepted() != n {
			t.Fatalf("%v (%v), %d messages", err, sms.ErrorCode(err), srv.Accepted())
		}
	})
	t.Run("rotated key", func(t *testing.T) {
		rot := newProvider(t, srv, func(c *acs.Config) {
			c.AccessKey, c.SecondaryAccessKey = sms.NewSecret(otherKey), sms.NewSecret(srv.AccessKey())
		})
		if res, err := client(rot).Send(ctx, msg(recipient)); err != nil || res[0].Err != nil {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("invalid recipient", func(t *testing.T) {
		res, err := client(p).Send(ctx, msg("+112345678901"))
		if err == nil && res[0].Err == nil {
			t.Fatalf("accepted: %+v", res)
		}
	})
}

func TestProviderNeverSendsTwice(t *testing.T) {
	srv := newServer(t, nil)
	p := newProvider(t, srv, nil)
	ctx := ctxT(t)

	t.Run("reset after processing", func(t *testing.T) {
		srv.Reset()
		srv.Arm(acstest.Fault{Reset: true})
		res, err := client(p).Send(ctx, msg(recipient))
		if err != nil || res[0].Err != nil {
			t.Fatalf("%v %+v", err, res)
		}
		msgs := srv.Messages()
		if srv.Requests() != 2 || len(msgs) != 1 || msgs[0].Repeats != 1 || res[0].MessageID != msgs[0].MessageID {
			t.Fatalf("%d requests, messages %+v, result %+v", srv.Requests(), msgs, res)
		}
	})
	t.Run("per-recipient 503", func(t *testing.T) {
		srv.Reset()
		srv.SetRecipientFailure("+14155550101", http.StatusServiceUnavailable, 1)
		res, err := client(p).Send(ctx, msg(recipient, "+14155550101"))
		if err != nil || res[0].Err != nil || res[1].Err != nil {
			t.Fatalf("%v %+v", err, res)
		}
		if srv.Requests() != 2 || srv.Accepted() != 2 {
			t.Fatalf("%d requests, %d messages", srv.Requests(), srv.Accepted())
		}
		for _, m := range srv.Messages() {
			if m.Repeats != 0 && m.To == "+14155550101" {
				t.Errorf("the failed recipient was repeated: %+v", m)
			}
		}
	})
	t.Run("429 creates nothing", func(t *testing.T) {
		srv.Reset()
		srv.Arm(acstest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
		res, err := client(p).Send(ctx, msg(recipient))
		if err != nil || res[0].Err != nil || srv.Requests() != 2 || srv.Accepted() != 1 {
			t.Fatalf("%v %+v, %d requests, %d messages", err, res, srv.Requests(), srv.Accepted())
		}
	})
}

func TestProviderFetchStatus(t *testing.T) {
	srv := newServer(t, nil)
	p := newProvider(t, srv, nil)
	ctx := ctxT(t)
	srv.SetOutcome("+14155550111", sms.StatusUndelivered, "4004")
	res, err := client(p).Send(ctx, msg(recipient, "+14155550111"))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []sms.Status{sms.StatusDelivered, sms.StatusUndelivered} {
		st, err := p.FetchStatus(ctx, res[i].MessageID)
		if err != nil || st != want {
			t.Errorf("%s: %v %v, want %v", res[i].To, st, err, want)
		}
	}
	r, err := p.FetchDeliveryReport(ctx, res[1].MessageID)
	if err != nil || r.ErrorCode != "4004" || r.Tag != "order-42" || len(r.Attempts) != 1 || r.Received.IsZero() {
		t.Errorf("%+v %v", r, err)
	}
	if _, err := p.FetchStatus(ctx, "Outgoing_unknown"); sms.ErrorCode(err) != sms.CodeNotFound {
		t.Errorf("unknown id: %v", err)
	}
}

// sink collects the events webhook.Handler hands over.
type sink struct {
	mu  sync.Mutex
	evs []sms.Event
}

func (s *sink) HandleEvents(_ context.Context, evs []sms.Event) error {
	s.mu.Lock()
	s.evs = append(s.evs, evs...)
	s.mu.Unlock()
	return nil
}

func (s *sink) take() []sms.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.evs
	s.evs = nil
	return out
}

func TestProviderWebhook(t *testing.T) {
	for _, c := range []struct {
		schema string
		batch  int
	}{{acstest.SchemaEventGrid, 1}, {acstest.SchemaCloudEvents, 1}, {acstest.SchemaEventGrid, 5}, {acstest.SchemaCloudEvents, 5}} {
		t.Run(fmt.Sprintf("%s batch %d", c.schema, c.batch), func(t *testing.T) {
			mux := http.NewServeMux()
			app := httptest.NewServer(mux)
			t.Cleanup(app.Close)
			srv := newServer(t, &acstest.Options{EventGridURL: app.URL + "/acs/events?token=" + token, Schema: c.schema, MaxEventsPerBatch: c.batch})
			p := newProvider(t, srv, nil)
			s := &sink{}
			mux.Handle("/acs/", webhook.Handler(p, s, nil))
			ctx := ctxT(t)

			srv.SetOutcome("+14155550111", sms.StatusFailed, "4007")
			res, err := client(p).Send(ctx, msg(recipient, "+14155550111"))
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.WaitCallbacks(ctx); err != nil {
				t.Fatal(err)
			}
			if srv.ValidationState() != acstest.ValidationValidated {
				t.Fatalf("validation %s: %+v", srv.ValidationState(), srv.Handshakes())
			}
			evs := s.take()
			if len(evs) != 2 {
				t.Fatalf("%d events: %+v (deliveries %+v)", len(evs), evs, srv.Deliveries())
			}
			byID := map[string]sms.Event{}
			for _, ev := range evs {
				byID[ev.MessageID] = ev
			}
			for i, want := range []struct {
				status sms.Status
				code   string
			}{{sms.StatusDelivered, ""}, {sms.StatusRejected, "4007"}} {
				ev, ok := byID[res[i].MessageID]
				if !ok || ev.Type != sms.EventDeliveryReport || ev.Provider != acs.Name || ev.Status != want.status ||
					(want.code != "" && ev.ErrorCode != want.code) || ev.Reference != "order-42" || ev.To != res[i].To || ev.From != sender {
					t.Errorf("report for %s: %+v, want %v %s", res[i].To, ev, want.status, want.code)
				}
			}
			if want := map[int]int{1: 2, 5: 1}[c.batch]; len(srv.Deliveries()) != want {
				t.Errorf("%d deliveries of the two reports, want %d", len(srv.Deliveries()), want)
			}
			for _, d := range srv.Deliveries() {
				if d.StatusCode < 200 || d.StatusCode > 204 || len(d.Attempts) != 1 {
					t.Errorf("delivery %d: %d after %d attempts", d.ID, d.StatusCode, len(d.Attempts))
				}
			}

			ev, err := srv.SendInbound(ctx, "+14155550100", sender, "STOP")
			if err != nil {
				t.Fatal(err)
			}
			in := s.take()
			if len(in) != 1 || in[0].MessageID != ev.ID || in[0].Body != "STOP" || in[0].From != "+14155550100" || in[0].To != sender ||
				in[0].Type == sms.EventDeliveryReport {
				t.Errorf("inbound %+v", in)
			}
		})
	}
}

func TestProviderWebhookRejectsWrongToken(t *testing.T) {
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	srv := newServer(t, &acstest.Options{EventGridURL: app.URL + "/acs/events?token=wrong"})
	p := newProvider(t, srv, nil)
	s := &sink{}
	mux.Handle("/acs/", webhook.Handler(p, s, nil))
	if _, err := client(p).Send(ctxT(t), msg(recipient)); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitCallbacks(ctxT(t)); err == nil || !strings.Contains(err.Error(), "answered 401") {
		t.Fatalf("WaitCallbacks: %v, want the failed validation", err)
	}
	if srv.ValidationState() != acstest.ValidationFailed || len(s.take()) != 0 {
		t.Errorf("state %s", srv.ValidationState())
	}
}
