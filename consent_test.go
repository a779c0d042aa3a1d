package sms_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

func TestMemorySuppressionStore(t *testing.T) {
	ctx := context.Background()
	type step struct {
		op           string // "add", "del", "has"
		scope, recip string
		want         bool // for "has"
		wantErr      bool
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"empty store has nothing", []step{{op: "has", scope: "sender:+1", recip: "+2"}}},
		{"add then has", []step{{op: "add", scope: "s", recip: "+2"}, {op: "has", scope: "s", recip: "+2", want: true}}},
		{"add twice is fine", []step{{op: "add", scope: "s", recip: "+2"}, {op: "add", scope: "s", recip: "+2"}, {op: "has", scope: "s", recip: "+2", want: true}}},
		{"scopes are independent", []step{{op: "add", scope: "a", recip: "+2"}, {op: "has", scope: "b", recip: "+2"}}},
		{"recipients are independent", []step{{op: "add", scope: "a", recip: "+2"}, {op: "has", scope: "a", recip: "+3"}}},
		{"remove lifts", []step{{op: "add", scope: "a", recip: "+2"}, {op: "del", scope: "a", recip: "+2"}, {op: "has", scope: "a", recip: "+2"}}},
		{"remove absent is fine", []step{{op: "del", scope: "a", recip: "+2"}}},
		{"remove is per scope", []step{{op: "add", scope: "a", recip: "+2"}, {op: "add", scope: "b", recip: "+2"}, {op: "del", scope: "a", recip: "+2"}, {op: "has", scope: "b", recip: "+2", want: true}}},
		{"empty scope refused", []step{{op: "add", scope: "", recip: "+2", wantErr: true}}},
		{"empty recipient refused", []step{{op: "add", scope: "a", recip: "", wantErr: true}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := sms.NewMemorySuppressionStore()
			for i, st := range tc.steps {
				var err error
				switch st.op {
				case "add":
					err = s.Suppress(ctx, st.scope, st.recip)
				case "del":
					err = s.Unsuppress(ctx, st.scope, st.recip)
				case "has":
					var got bool
					got, err = s.Suppressed(ctx, st.scope, st.recip)
					if got != st.want {
						t.Fatalf("step %d: Suppressed = %v, want %v", i, got, st.want)
					}
				}
				if (err != nil) != st.wantErr {
					t.Fatalf("step %d: err = %v, want error %v", i, err, st.wantErr)
				}
				if err != nil && sms.ErrorCode(err) != sms.CodeInvalidArgument {
					t.Fatalf("step %d: code %v, want InvalidArgument", i, sms.ErrorCode(err))
				}
			}
		})
	}
}

func TestMemorySuppressionStoreConcurrent(t *testing.T) {
	ctx := context.Background()
	s := sms.NewMemorySuppressionStore()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				to := "+1202555" + string(rune('0'+g)) + string(rune('0'+i%10))
				_ = s.Suppress(ctx, "s", to)
				_, _ = s.Suppressed(ctx, "s", to)
				if i%3 == 0 {
					_ = s.Unsuppress(ctx, "s", to)
				}
			}
		}()
	}
	wg.Wait()
	if s.Len() > 80 {
		t.Fatalf("Len = %d, want at most 80 distinct entries", s.Len())
	}
}

// owners is an owner-tag ScopeFunc as a sender registry would give: the numbers of one owner
// share a scope, any other sender is its own.
func owners(tags map[string]string) sms.ScopeFunc {
	return func(provider string, from sms.Sender) string {
		if tag, ok := tags[from.Value]; ok {
			return "owner:" + tag
		}
		return ""
	}
}

const (
	acmeA  = "+12025550100" // acme's main number
	acmeB  = "+12025550199" // acme's failover number
	other  = "+13035550100" // another owner's number
	alice  = "+14155550101"
	bob    = "+14155550102"
	carol  = "+14155550103"
	vendor = "twilio"
)

var acmeOwners = owners(map[string]string{acmeA: "acme", acmeB: "acme", other: "globex"})

func send(t *testing.T, c *sms.Client, from string, to ...string) []sms.SendResult {
	t.Helper()
	res, _ := c.Send(context.Background(), &sms.Message{To: to, From: sms.Sender{Value: from}, Body: "hello"})
	require.Len(t, res, len(to))
	return res
}

func sentTo(rec *smstest.Recorder) []string {
	var out []string
	for _, s := range rec.Sent() {
		out = append(out, s.From.Value+">"+s.To)
	}
	return out
}

func TestConsentThroughClient(t *testing.T) {
	type optOut struct{ provider, from, to string }
	cases := []struct {
		name     string
		scope    sms.ScopeFunc
		optOuts  []optOut // recorded as a webhook would, before the send
		from     string
		to       []string
		optedOut []bool   // per recipient
		sent     []string // what reached the vendor
	}{
		{"suppressed recipient refused, the others sent", nil,
			[]optOut{{vendor, acmeA, bob}}, acmeA, []string{alice, bob, carol},
			[]bool{false, true, false}, []string{acmeA + ">" + alice, acmeA + ">" + carol}},
		{"sender scope: another number is not suppressed", nil,
			[]optOut{{vendor, acmeA, bob}}, acmeB, []string{bob},
			[]bool{false}, []string{acmeB + ">" + bob}},
		{"sender scope ignores the provider name (a composite's differs)", nil,
			[]optOut{{"infobip", acmeA, bob}}, acmeA, []string{bob},
			[]bool{true}, nil},
		{"owner scope: a sibling number of the same owner is suppressed", acmeOwners,
			[]optOut{{vendor, acmeA, bob}}, acmeB, []string{alice, bob},
			[]bool{false, true}, []string{acmeB + ">" + alice}},
		{"owner scope: an unrelated owner is not suppressed", acmeOwners,
			[]optOut{{vendor, acmeA, bob}}, other, []string{bob},
			[]bool{false}, []string{other + ">" + bob}},
		{"owner scope: an untagged sender falls back to its own scope", acmeOwners,
			[]optOut{{vendor, "+15005550006", bob}}, "+15005550006", []string{bob},
			[]bool{true}, nil},
		{"recipients are compared in E.164", nil,
			[]optOut{{vendor, acmeA, "+1 (415) 555-0102"}}, acmeA, []string{"0014155550102"},
			[]bool{true}, nil},
		// A sender number reported with punctuation (a custom provider's callback, or an
		// application calling RecordOptOut) is the same sender the Client sends from.
		{"sender numbers are compared in E.164", nil,
			[]optOut{{vendor, "+1 (202) 555-0100", bob}}, acmeA, []string{bob},
			[]bool{true}, nil},
		{"sender numbers reach the ScopeFunc in E.164", acmeOwners,
			[]optOut{{vendor, "0012025550100", bob}}, acmeB, []string{bob},
			[]bool{true}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: tc.scope}
			for _, o := range tc.optOuts {
				require.NoError(t, consent.RecordOptOut(ctx, o.provider, sms.Sender{Value: o.from}, o.to))
			}
			rec := smstest.NewRecorder(nil)
			c := sms.NewClient(rec, &sms.ClientOptions{Suppressor: consent})
			res := send(t, c, tc.from, tc.to...)
			for i, r := range res {
				if got := errors.Is(r.Err, sms.ErrOptedOut); got != tc.optedOut[i] {
					t.Errorf("recipient %s: opted out = %v (err %v), want %v", r.To, got, r.Err, tc.optedOut[i])
				}
				if tc.optedOut[i] && (r.Attempts != 0 || !sms.IsNotAccepted(r.Err)) {
					t.Errorf("recipient %s: a suppressed recipient must have no attempt and be NotAccepted: %+v", r.To, r)
				}
			}
			require.Equal(t, tc.sent, sentTo(rec))
			if len(tc.sent) == 0 && rec.Calls() != 0 {
				t.Fatalf("no recipient was sendable, yet the vendor saw %d calls", rec.Calls())
			}
		})
	}
}

// countingStore counts the writes of a store and can fail.
type countingStore struct {
	sms.SuppressionStore
	mu       sync.Mutex
	adds     []string
	failRead error
	failAdd  error
}

func (s *countingStore) Suppressed(ctx context.Context, scope, to string) (bool, error) {
	if s.failRead != nil {
		return false, s.failRead
	}
	return s.SuppressionStore.Suppressed(ctx, scope, to)
}

func (s *countingStore) Suppress(ctx context.Context, scope, to string) error {
	s.mu.Lock()
	s.adds = append(s.adds, scope+"|"+to)
	s.mu.Unlock()
	if s.failAdd != nil {
		return s.failAdd
	}
	return s.SuppressionStore.Suppress(ctx, scope, to)
}

func TestConsentLearnsVendorOptOut(t *testing.T) {
	store := &countingStore{SuppressionStore: sms.NewMemorySuppressionStore()}
	consent := &sms.Consent{Store: store, Scope: acmeOwners}
	rec := smstest.NewRecorder(nil)
	rec.Script(bob, &sms.Error{Code: sms.CodeOptedOut, VendorCode: "21610", Message: "unsubscribed recipient"})
	c := sms.NewClient(rec, &sms.ClientOptions{Suppressor: consent})

	res := send(t, c, acmeA, alice, bob)
	require.NoError(t, res[0].Err)
	require.ErrorIs(t, res[1].Err, sms.ErrOptedOut)
	require.Equal(t, 1, res[1].Attempts, "the vendor's answer")
	require.Equal(t, []string{"owner:acme|" + bob}, store.adds, "the vendor's OptedOut is recorded in the sender's scope")

	// The next send to bob, from the sibling number, is refused before any request, and
	// the suppression's own OptedOut is not recorded a second time.
	calls := rec.Calls()
	res = send(t, c, acmeB, bob)
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.Equal(t, 0, res[0].Attempts)
	require.Equal(t, calls, rec.Calls(), "no request for a suppressed recipient")
	require.Len(t, store.adds, 1)

	// Other vendor failures are not opt-outs.
	rec.Script(carol, &sms.Error{Code: sms.CodeInvalidRecipient, VendorCode: "21211"})
	res = send(t, c, acmeA, carol)
	require.ErrorIs(t, res[0].Err, sms.ErrInvalidRecipient)
	require.Len(t, store.adds, 1)

	// A request that fails as a whole with OptedOut (a one-recipient vendor answering 400
	// 21610) is a vendor answer too.
	rec.FailNext(&sms.Error{Code: sms.CodeOptedOut, VendorCode: "21610", HTTPStatus: 400})
	res = send(t, c, other, carol)
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.Equal(t, []string{"owner:acme|" + bob, "owner:globex|" + carol}, store.adds)

	// Opting back in (a START through the webhook) lifts it for the whole owner.
	require.NoError(t, consent.RecordOptIn(context.Background(), vendor, sms.Sender{Value: acmeA}, bob))
	res = send(t, c, acmeB, bob)
	require.NoError(t, res[0].Err)
}

// A vendor that de-duplicates by key is retried after an ambiguous answer; when the retry
// answers that the recipient opted out, the result stays OutcomeUnknown (the first attempt
// may have been accepted), but the opt-out is the vendor's answer all the same and is recorded.
func TestConsentLearnsVendorOptOutAfterAmbiguousAttempt(t *testing.T) {
	store := &countingStore{SuppressionStore: sms.NewMemorySuppressionStore()}
	caps := smstest.NewRecorder(nil).Capabilities()
	caps.IdempotentSends = true
	rec := smstest.NewRecorder(&smstest.RecorderOptions{Capabilities: &caps})
	rec.FailNext(&sms.Error{Code: sms.CodeOutcomeUnknown, HTTPStatus: 500, Message: "server error after the request was written"})
	rec.Script(bob, &sms.Error{Code: sms.CodeOptedOut, VendorCode: "4007", NotAccepted: true})
	c := sms.NewClient(rec, &sms.ClientOptions{Suppressor: &sms.Consent{Store: store},
		Retry: sms.RetryPolicy{MaxAttempts: 2, NoJitter: true}, Clock: fakeClock{}})

	res := send(t, c, acmeA, bob)
	require.Equal(t, 2, res[0].Attempts)
	require.ErrorIs(t, res[0].Err, sms.ErrOutcomeUnknown)
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.Equal(t, []string{"sender:" + acmeA + "|" + bob}, store.adds)
}

func TestConsentRecordFailureIsLoggedNotReturned(t *testing.T) {
	store := &countingStore{SuppressionStore: sms.NewMemorySuppressionStore(), failAdd: errors.New("store down")}
	var logs bytes.Buffer
	rec := smstest.NewRecorder(nil)
	rec.Script(bob, &sms.Error{Code: sms.CodeOptedOut, VendorCode: "21610"})
	c := sms.NewClient(rec, &sms.ClientOptions{
		Suppressor: &sms.Consent{Store: store},
		Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
	})
	res, err := c.Send(context.Background(), msg(alice, bob))
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.ErrorIs(t, res[1].Err, sms.ErrOptedOut)
	require.Len(t, store.adds, 1)
	require.Contains(t, logs.String(), "recording a vendor opt-out failed")
	require.Contains(t, logs.String(), "store down")
}

func TestConsentFailsClosed(t *testing.T) {
	cases := map[string]*sms.Consent{
		"store read fails": {Store: &countingStore{SuppressionStore: sms.NewMemorySuppressionStore(), failRead: errors.New("store down")}},
		"no store":         {},
	}
	for name, consent := range cases {
		t.Run(name, func(t *testing.T) {
			rec := smstest.NewRecorder(nil)
			c := sms.NewClient(rec, &sms.ClientOptions{Suppressor: consent})
			res, err := c.Send(context.Background(), msg(alice))
			require.Error(t, err)
			require.Equal(t, sms.CodeInternal, sms.ErrorCode(res[0].Err))
			require.True(t, sms.IsNotAccepted(res[0].Err))
			require.Zero(t, rec.Calls(), "a recipient that could not be checked is not messaged")
		})
	}
	require.Error(t, (&sms.Consent{}).RecordOptOut(context.Background(), vendor, sms.Sender{Value: acmeA}, bob))
	require.Error(t, (&sms.Consent{}).RecordOptIn(context.Background(), vendor, sms.Sender{Value: acmeA}, bob))
}

func TestConsentScopeSeesProvider(t *testing.T) {
	var seen []string
	consent := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: func(provider string, from sms.Sender) string {
		seen = append(seen, provider+" "+from.Value)
		return ""
	}}
	c := sms.NewClient(smstest.NewRecorder(&smstest.RecorderOptions{Name: "acme-vendor"}), &sms.ClientOptions{Suppressor: consent})
	send(t, c, acmeA, alice)
	require.Equal(t, []string{"acme-vendor " + acmeA}, seen)
	require.Equal(t, "sender:"+acmeA, consent.ScopeOf("x", sms.Sender{Value: acmeA}), "an empty answer means SenderScope")
	ok, err := consent.Suppressed(context.Background(), sms.Sender{Value: acmeA}, alice)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestSenderScope(t *testing.T) {
	for _, tc := range []struct {
		provider string
		from     sms.Sender
		want     string
	}{
		{"twilio", sms.Sender{Value: "+12025550100"}, "sender:+12025550100"},
		{"infobip", sms.Sender{Type: sms.SenderLongCode, Value: "+12025550100", Name: "main"}, "sender:+12025550100"},
		{"twilio", sms.Sender{Type: sms.SenderPool, Value: "MG123"}, "sender:MG123"},
		{"", sms.Sender{Value: "4442"}, "sender:4442"},
	} {
		if got := sms.SenderScope(tc.provider, tc.from); got != tc.want || !strings.HasPrefix(got, "sender:") {
			t.Errorf("SenderScope(%q, %+v) = %q, want %q", tc.provider, tc.from, got, tc.want)
		}
	}
}

// nopProvider accepts every recipient and records nothing, so a benchmark measures the
// Client's layer rather than a recorder's growing history.
type nopProvider struct{}

func (nopProvider) Name() string { return "nop" }
func (nopProvider) Capabilities() sms.Capabilities {
	return sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode}, MaxRecipients: 100, MaxBody: 1600, BodyUnit: sms.UnitCharacters}
}
func (nopProvider) Send(_ context.Context, m *sms.Message) ([]sms.SendResult, error) {
	res := make([]sms.SendResult, len(m.To))
	for i, to := range m.To {
		res[i] = sms.SendResult{To: to, MessageID: "id", Status: sms.StatusAccepted}
	}
	return res, nil
}
func (nopProvider) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	return nil, errors.ErrUnsupported
}

// BenchmarkConsentSuppressedFor compares one Consent check over the in-memory store (the scope
// function, E.164 canonical check, read-locked map lookup) with the bare read-locked map
// lookup it wraps.
func BenchmarkConsentSuppressedFor(b *testing.B) {
	ctx := context.Background()
	from := sms.Sender{Value: acmeA}
	b.Run("baseline-rwmutex-map", func(b *testing.B) {
		var mu sync.RWMutex
		m := map[[2]string]struct{}{{"owner:acme", bob}: {}}
		b.ReportAllocs()
		for b.Loop() {
			mu.RLock()
			_, ok := m[[2]string{"owner:acme", alice}]
			mu.RUnlock()
			if ok {
				b.Fatal("suppressed")
			}
		}
	})
	b.Run("consent-memory", func(b *testing.B) {
		c := &sms.Consent{Store: sms.NewMemorySuppressionStore(), Scope: acmeOwners}
		_ = c.RecordOptOut(ctx, vendor, from, bob)
		b.ReportAllocs()
		for b.Loop() {
			if ok, _ := c.SuppressedFor(ctx, vendor, from, alice); ok {
				b.Fatal("suppressed")
			}
		}
	})
}

// BenchmarkConsentSend compares a ten-recipient send through a Client with a Consent over the
// in-memory store (one lookup per recipient) against the same Client with no Suppressor.
func BenchmarkConsentSend(b *testing.B) {
	to := []string{"+14155550101", "+14155550102", "+14155550103", "+14155550104", "+14155550105",
		"+14155550106", "+14155550107", "+14155550108", "+14155550109", "+14155550110"}
	store := sms.NewMemorySuppressionStore()
	for i := range 10000 { // a store that is not empty
		_ = store.Suppress(context.Background(), "owner:other", "+1202555"+string(rune('0'+i%10))+string(rune('0'+i/10%10))+string(rune('0'+i/100%10)))
	}
	for _, bc := range []struct {
		name string
		sup  sms.Suppressor
	}{
		{"baseline-no-suppressor", nil},
		{"consent-memory", &sms.Consent{Store: store, Scope: acmeOwners}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := sms.NewClient(nopProvider{}, &sms.ClientOptions{Suppressor: bc.sup})
			m := &sms.Message{To: to, From: sms.Sender{Value: acmeA}, Body: "hello", IdempotencyKey: "k"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Send(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
