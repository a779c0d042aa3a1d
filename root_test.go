package sms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/sms"
)

const secretValue = "s3cr3t-token-0123456789"

type config struct {
	User  string
	Token sms.Secret
	Inner struct{ Key sms.Secret }
	Ptr   *sms.Secret
}

func TestSecretNeverPrints(t *testing.T) {
	s := sms.NewSecret(secretValue)
	c := config{User: "u", Token: s, Ptr: &s}
	c.Inner.Key = s
	var texts []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T %v", "%10v"} {
		texts = append(texts, fmt.Sprintf(f, c), fmt.Sprintf(f, &c), fmt.Sprintf(f, s))
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, string(js), fmt.Sprint(s), s.String(), s.GoString())
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("cfg", "config", c, "secret", s, "ptr", &s)
		l.Info("any", slog.Any("config", &c))
	}
	texts = append(texts, buf.String())
	for _, txt := range texts {
		if strings.Contains(txt, secretValue) {
			t.Fatalf("secret leaked: %s", txt)
		}
	}
	if !strings.Contains(buf.String(), sms.Redacted) {
		t.Fatalf("want the redaction in logs, got %s", buf.String())
	}
	if s.Reveal() != secretValue || s.IsZero() || !sms.NewSecret("").IsZero() {
		t.Fatal("Reveal/IsZero broken")
	}
}

func TestStatusOrder(t *testing.T) {
	finals := []sms.Status{sms.StatusDelivered, sms.StatusUndelivered, sms.StatusFailed, sms.StatusExpired, sms.StatusRejected}
	nonFinals := []sms.Status{sms.StatusUnknown, sms.StatusAccepted, sms.StatusQueued, sms.StatusSent}
	for _, f := range finals {
		if !f.IsFinal() {
			t.Errorf("%s should be final", f)
		}
		for _, n := range append(nonFinals, finals...) {
			if n.Supersedes(f) {
				t.Errorf("%s must not replace final %s", n, f)
			}
		}
		for _, n := range nonFinals {
			if !f.Supersedes(n) {
				t.Errorf("final %s should replace %s", f, n)
			}
		}
	}
	for i, a := range nonFinals {
		if a.IsFinal() {
			t.Errorf("%s is not final", a)
		}
		for j, b := range nonFinals {
			if got, want := a.Supersedes(b), i > j; got != want {
				t.Errorf("%s.Supersedes(%s) = %v, want %v", a, b, got, want)
			}
		}
	}
	for _, s := range append(nonFinals, finals...) {
		if sms.ParseStatus(s.String()) != s {
			t.Errorf("round trip %s", s)
		}
	}
	if sms.ParseStatus("frobnicated") != sms.StatusUnknown {
		t.Error("unknown word must map to Unknown")
	}
}

func TestErrorUnwrap(t *testing.T) {
	cause := errors.New("vendor said no")
	err := fmt.Errorf("outer: %w", &sms.Error{Code: sms.CodeOptedOut, Provider: "twilio", HTTPStatus: 400, VendorCode: "21610", Message: "unsubscribed", RequestID: "RQ1", Err: cause})
	if !errors.Is(err, sms.ErrOptedOut) || !errors.Is(err, cause) || errors.Is(err, sms.ErrRateLimited) {
		t.Fatal("errors.Is broken")
	}
	var e *sms.Error
	if !errors.As(err, &e) || e.VendorCode != "21610" || sms.ErrorCode(err) != sms.CodeOptedOut {
		t.Fatal("errors.As broken")
	}
	for _, want := range []string{"twilio", "OptedOut", "21610", "RQ1", "HTTP 400"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err.Error(), want)
		}
	}
	if sms.ErrorCode(context.Canceled) != sms.CodeCanceled || sms.ErrorCode(nil) != sms.CodeUnknown {
		t.Fatal("ErrorCode of context errors")
	}
	ctxErr := &sms.Error{Code: sms.CodeOutcomeUnknown, Err: context.DeadlineExceeded}
	if !errors.Is(ctxErr, context.DeadlineExceeded) || !errors.Is(ctxErr, sms.ErrOutcomeUnknown) {
		t.Fatal("OutcomeUnknown must unwrap to the context error")
	}
}

func TestKeywords(t *testing.T) {
	cases := []struct {
		body string
		want sms.EventType
		kw   string
	}{
		{"STOP", sms.EventOptOut, "STOP"}, {" stop\n", sms.EventOptOut, "STOP"}, {"Unsubscribe", sms.EventOptOut, "UNSUBSCRIBE"},
		{"stopall", sms.EventOptOut, "STOPALL"}, {"START", sms.EventOptIn, "START"}, {"yes", sms.EventOptIn, "YES"},
		{"help", sms.EventHelp, "HELP"}, {"INFO", sms.EventHelp, "INFO"}, {"stop please", sms.EventInbound, ""},
		{"", sms.EventInbound, ""}, {"STOPP", sms.EventInbound, ""},
	}
	for _, c := range cases {
		got, kw := sms.DefaultKeywords().Classify(c.body)
		if got != c.want || kw != c.kw {
			t.Errorf("%q: got %s %q, want %s %q", c.body, got, kw, c.want, c.kw)
		}
	}
	fr := sms.Keywords{OptOut: []string{"ARRET"}}
	ev := sms.Event{Type: sms.EventInbound, Body: "arret"}
	fr.Apply(&ev)
	if ev.Type != sms.EventOptOut || ev.Keyword != "ARRET" {
		t.Fatalf("custom keywords: %+v", ev)
	}
	vendor := sms.Event{Type: sms.EventOptOut, Body: "please no more"}
	sms.DefaultKeywords().Apply(&vendor)
	if vendor.Type != sms.EventOptOut {
		t.Fatal("a vendor-flagged opt-out must stay")
	}
}

func TestSenderResolve(t *testing.T) {
	cases := map[string]sms.SenderType{
		"+14155550100": sms.SenderLongCode, "+18005550100": sms.SenderTollFree, "12345": sms.SenderShortCode,
		"Acme": sms.SenderAlphanumeric, "": sms.SenderAuto,
	}
	for v, want := range cases {
		if got := (sms.Sender{Value: v}).ResolvedType(); got != want {
			t.Errorf("%q: got %s want %s", v, got, want)
		}
	}
}

func TestValidateAlphanumeric(t *testing.T) {
	for _, ok := range []string{"Acme", "ACME 24", "A-B+C_D&E.", "a"} {
		if err := sms.ValidateAlphanumeric(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "123456", "TwelveChars1", "Acmé", "Ac!me"} {
		if err := sms.ValidateAlphanumeric(bad); sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Errorf("%q: want InvalidArgument, got %v", bad, err)
		}
	}
}

func TestEventIDStable(t *testing.T) {
	a := sms.EventID("p", "m1", "delivered", "")
	if a != sms.EventID("p", "m1", "delivered", "") || a == sms.EventID("p", "m1", "sent", "") || a == sms.EventID("p", "m1d", "elivered", "") {
		t.Fatal("EventID must be stable and separate fields")
	}
}

type countingLimiter struct {
	keys []string
	ns   []int
}

func (l *countingLimiter) Wait(ctx context.Context, provider string, from sms.Sender, n int) error {
	l.keys, l.ns = append(l.keys, sms.RateKey(provider, from)), append(l.ns, n)
	return ctx.Err()
}

func TestRateLimiterDeadline(t *testing.T) {
	l := sms.NewRateLimiter(1, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, "k", sms.Sender{Value: "+12025550100"}, 1); err != nil {
		t.Fatal(err)
	}
	// The next token is 1s away, beyond the deadline: the limiter says so at once.
	if err := l.Wait(ctx, "k", sms.Sender{Value: "+12025550100"}, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
	if err := l.Wait(context.Background(), "k", sms.Sender{Value: "+12025550199"}, 1); err != nil {
		t.Fatalf("keys are independent: %v", err)
	}
}
