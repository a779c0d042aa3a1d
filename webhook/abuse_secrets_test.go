package webhook_test

// Secrets: every vendor's send path (through sms.Client against its emulator: success, bad
// credentials, a 5xx, a refused connection) and callback path (accepted, forged, missing
// credentials, malformed, a failing and a panicking sink) run with every logger at debug
// level into one capture; every error, result, callback, provider and client is formatted with
// %v, %+v, %#v, %s and JSON, and logged with slog.Any. No credential may appear anywhere.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
	"github.com/smsbridge/sms/acs/acstest"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/infobip"
	"github.com/smsbridge/sms/infobip/infobiptest"
	"github.com/smsbridge/sms/linkmobility"
	"github.com/smsbridge/sms/linkmobility/linkmobilitytest"
	"github.com/smsbridge/sms/telesign"
	"github.com/smsbridge/sms/telesign/telesigntest"
	"github.com/smsbridge/sms/twilio"
	"github.com/smsbridge/sms/twilio/twiliotest"
	"github.com/smsbridge/sms/vibes"
	"github.com/smsbridge/sms/vibes/vibestest"
	"github.com/smsbridge/sms/webhook"
)

// capture collects everything that could leak: log records (JSON and text handlers at debug)
// and formatted values.
type capture struct {
	mu  sync.Mutex
	buf bytes.Buffer
	log *slog.Logger
}

func newCapture() *capture {
	c := &capture{}
	w := lockedWriter{c}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}
	c.log = slog.New(slog.NewMultiHandler(slog.NewJSONHandler(w, opts), slog.NewTextHandler(w, opts)))
	return c
}

type lockedWriter struct{ c *capture }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.buf.Write(p)
}

// dump formats v every way an application might, and logs it.
func (c *capture) dump(label string, v any) {
	j, err := json.Marshal(v)
	if err != nil {
		j = []byte(err.Error())
	}
	fmt.Fprintf(lockedWriter{c}, "%s: %v | %+v | %#v | %s | %s\n", label, v, v, v, v, j)
	c.log.LogAttrs(context.Background(), slog.LevelDebug, label, slog.Any("value", v))
	if e, ok := v.(error); ok && e != nil {
		fmt.Fprintf(lockedWriter{c}, "%s (error): %v | %+v | %#v | %s | %q\n", label, e, e, e, e.Error(), e.Error())
		c.log.LogAttrs(context.Background(), slog.LevelError, label, slog.Any("error", e))
		for u := errors.Unwrap(e); u != nil; u = errors.Unwrap(u) {
			fmt.Fprintf(lockedWriter{c}, "%s (cause): %v | %+v | %#v\n", label, u, u, u)
		}
	}
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// checkNoSecret fails for every secret (or its base64, URL-escaped or JSON-escaped form) found
// in the capture.
func checkNoSecret(t *testing.T, c *capture, secrets []string) {
	t.Helper()
	out := c.String()
	if out == "" {
		t.Fatal("nothing was captured: the test would prove nothing")
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		js, _ := json.Marshal(s)
		forms := []string{s, base64.StdEncoding.EncodeToString([]byte(s)), url.QueryEscape(s), string(js[1 : len(js)-1])}
		for _, f := range forms {
			if i := strings.Index(out, f); i >= 0 {
				lo, hi := max(0, i-200), min(len(out), i+len(f)+50)
				t.Errorf("credential %q leaked (as %q):\n…%s…", s, f, out[lo:hi])
			}
		}
	}
}

// refusingClient dials nothing: every connection is refused before a byte is written.
func refusingClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}}}
}

// instantClock lets retries run without waiting.
type instantClock struct{}

func (instantClock) Now() time.Time { return time.Now() }
func (instantClock) Sleep(ctx context.Context, _ time.Duration) error {
	return ctx.Err()
}

// sendVendor is one vendor's send side.
type sendVendor struct {
	name string
	// start starts an emulator and returns its side of the test.
	start func(t *testing.T) sendSide
}

// sendSide is a started emulator and how to reach it.
type sendSide struct {
	newProvider func(bad bool, hc *http.Client, log *slog.Logger) sms.Provider // good or bad credentials
	arm500      func()                                                         // the next requests get a 500
	from        sms.Sender
	secrets     []string // every credential involved, right and wrong
	records     func() []emulator.Request
}

var sendVendors = []sendVendor{
	{"twilio", func(t *testing.T) sendSide {
		const token, bad = "send-twilio-auth-token-0123456789", "send-twilio-wrong-token-987654321"
		emu := twiliotest.NewServer(&twiliotest.Options{AuthToken: token})
		t.Cleanup(emu.Close)
		return sendSide{newProvider: func(b bool, hc *http.Client, log *slog.Logger) sms.Provider {
			tok := token
			if b {
				tok = bad
			}
			return must(twilio.New(twilio.Config{AccountSID: emu.AccountSID(), AuthToken: sms.NewSecret(tok)},
				&twilio.Options{BaseURL: emu.URL, HTTPClient: hc, Logger: log}))
		}, arm500: func() { emu.Arm(twiliotest.Fault{Status: 500, Times: 10}) }, from: sms.Sender{Value: "+14155550199"},
			secrets: []string{token, bad, emu.AccountSID() + ":" + token, emu.AccountSID() + ":" + bad}, records: emu.RecordedRequests}
	}},
	{"acs", func(t *testing.T) sendSide {
		bad := base64.StdEncoding.EncodeToString([]byte("a wrong access key for the secrets test"))
		emu := acstest.NewServer(nil)
		t.Cleanup(emu.Close)
		return sendSide{newProvider: func(b bool, hc *http.Client, log *slog.Logger) sms.Provider {
			key := emu.AccessKey()
			if b {
				key = bad
			}
			return must(acs.New(acs.Config{ConnectionString: sms.NewSecret("endpoint=" + emu.URL + "/;accesskey=" + key)},
				&acs.Options{HTTPClient: hc, Logger: log}))
		}, arm500: func() { emu.Arm(acstest.Fault{Status: 500, Times: 10}) }, from: sms.Sender{Type: sms.SenderTollFree, Value: "+18005550100"},
			secrets: []string{emu.AccessKey(), bad, "accesskey=" + emu.AccessKey(), "accesskey=" + bad}, records: emu.RecordedRequests}
	}},
	{"infobip", func(t *testing.T) sendSide {
		const key, bad = "send-infobip-api-key-0123456789abcdef", "send-infobip-wrong-key-987654321"
		emu := infobiptest.NewServer(&infobiptest.Options{APIKey: key})
		t.Cleanup(emu.Close)
		return sendSide{newProvider: func(b bool, hc *http.Client, log *slog.Logger) sms.Provider {
			k := key
			if b {
				k = bad
			}
			return must(infobip.New(infobip.Config{APIKey: sms.NewSecret(k), BaseURL: emu.URL}, &infobip.Options{HTTPClient: hc, Logger: log}))
		}, arm500: func() { emu.Arm(infobiptest.Fault{Status: 500, Times: 10}) }, from: sms.Sender{Value: "+14155550199"},
			secrets: []string{key, bad, "App " + key}, records: emu.RecordedRequests}
	}},
	{"telesign/basic", telesignSend(telesign.AuthBasic)},
	{"telesign/tsa", telesignSend(telesign.AuthTSA)},
	{"linkmobility", func(t *testing.T) sendSide {
		const pass, bad = "send-link-password-0123456789", "send-link-wrong-password-98765"
		emu := linkmobilitytest.NewServer(&linkmobilitytest.Options{Password: pass})
		t.Cleanup(emu.Close)
		return sendSide{newProvider: func(b bool, hc *http.Client, log *slog.Logger) sms.Provider {
			pw := pass
			if b {
				pw = bad
			}
			return must(linkmobility.New(linkmobility.Config{Username: emu.Username(), Password: sms.NewSecret(pw),
				PlatformID: emu.PlatformID(), PlatformPartnerID: emu.PlatformPartnerID(), BaseURL: emu.URL},
				&linkmobility.Options{HTTPClient: hc, Logger: log}))
		}, arm500: func() { emu.Arm(linkmobilitytest.Fault{Status: 500, Times: 10}) }, from: sms.Sender{Value: "+14155550199"},
			secrets: []string{pass, bad, emu.Username() + ":" + pass, emu.Username() + ":" + bad}, records: emu.RecordedRequests}
	}},
	{"vibes", func(t *testing.T) sendSide {
		const pass, bad = "send-vibes-password-0123456789", "send-vibes-wrong-password-98765"
		const token = "send-vibes-callback-token-0123456789"
		// The receipt URL (it holds the callback token) travels in every send's body; the
		// emulator's receipts to it are refused before they leave.
		emu := vibestest.NewServer(&vibestest.Options{Password: pass, CallbackClient: refusingClient()})
		t.Cleanup(emu.Close)
		return sendSide{newProvider: func(b bool, hc *http.Client, log *slog.Logger) sms.Provider {
			pw := pass
			if b {
				pw = bad
			}
			return must(vibes.New(vibes.Config{Username: emu.Username(), Password: sms.NewSecret(pw), BaseURL: emu.URL,
				DeliveryURL:    "https://app.example.com/sms/vibes?" + vibes.CallbackTokenParam + "=" + token,
				CallbackTokens: []sms.Secret{sms.NewSecret(token)}},
				&vibes.Options{HTTPClient: hc, Logger: log}))
		}, arm500: func() { emu.Arm(vibestest.Fault{Status: 500, Times: 10}) },
			from: sms.Sender{Type: sms.SenderShortCode, Value: vibestest.DefaultShortCode},
			secrets: []string{pass, bad, emu.Username() + ":" + pass, emu.Username() + ":" + bad,
				basicAuth(emu.Username(), pass), basicAuth(emu.Username(), bad), token},
			// Vibes' copy of each send is the one place the token must be: the receipt URL
			// travels in the body. Records show bodies raw, so that URL's token is cut out;
			// everything the library writes is checked for it.
			records: func() []emulator.Request {
				rs := emu.RecordedRequests()
				for i := range rs {
					rs[i].Body = bytes.ReplaceAll(rs[i].Body, []byte(token), []byte("REDACTED"))
				}
				return rs
			}}
	}},
}

func telesignSend(auth telesign.AuthScheme) func(t *testing.T) sendSide {
	return func(t *testing.T) sendSide {
		key := base64.StdEncoding.EncodeToString([]byte("send-telesign-api-key-0123456789"))
		bad := base64.StdEncoding.EncodeToString([]byte("send-telesign-wrong-key-98765432"))
		emu := telesigntest.NewServer(&telesigntest.Options{APIKey: key})
		t.Cleanup(emu.Close)
		return sendSide{newProvider: func(b bool, hc *http.Client, log *slog.Logger) sms.Provider {
			k := key
			if b {
				k = bad
			}
			return must(telesign.New(telesign.Config{CustomerID: emu.CustomerID(), APIKey: sms.NewSecret(k)},
				&telesign.Options{BaseURL: emu.URL, HTTPClient: hc, Logger: log, Auth: auth}))
		}, arm500: func() { emu.Arm(telesigntest.Fault{Status: 500, Times: 10}) }, from: sms.Sender{Value: "+14155550199"},
			secrets: []string{key, bad, emu.CustomerID() + ":" + key, emu.CustomerID() + ":" + bad}, records: emu.RecordedRequests}
	}
}

func TestAbuseSecretsSendPath(t *testing.T) {
	for _, v := range sendVendors {
		t.Run(v.name, func(t *testing.T) {
			side := v.start(t)
			newProvider, arm500, from, secrets := side.newProvider, side.arm500, side.from, side.secrets
			c := newCapture()
			msg := func() *sms.Message {
				return &sms.Message{To: []string{"+14155550100", "+14155550101"}, From: from, Body: "hello", Reference: "ref-1"}
			}
			for _, sc := range []struct {
				name string
				bad  bool
				hc   *http.Client
				arm  bool
				ok   bool
			}{
				{name: "accepted", ok: true},
				{name: "bad credentials", bad: true},
				{name: "5xx", arm: true},
				{name: "refused connection", hc: refusingClient()},
			} {
				p := newProvider(sc.bad, sc.hc, c.log)
				client := sms.NewClient(p, &sms.ClientOptions{Logger: c.log, Clock: instantClock{}})
				if sc.arm {
					arm500()
				}
				res, err := client.Send(context.Background(), msg())
				if sc.ok && err != nil {
					t.Fatalf("%s: %v", sc.name, err)
				}
				if !sc.ok && err == nil && !slices.ContainsFunc(res, func(r sms.SendResult) bool { return r.Err != nil }) {
					t.Fatalf("%s: no error", sc.name)
				}
				c.dump(sc.name+" error", err)
				c.dump(sc.name+" results", res)
				for i, r := range res {
					c.dump(fmt.Sprintf("%s result %d", sc.name, i), r)
					c.dump(fmt.Sprintf("%s result %d error", sc.name, i), r.Err)
				}
				c.dump(sc.name+" provider", p)
				c.dump(sc.name+" client", client)
			}
			for i, r := range side.records() { // the emulator's records, by their documented safe paths
				j, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(lockedWriter{c}, "record %d: %v | %s | %s\n", i, r, r, j)
			}
			checkNoSecret(t, c, secrets)
		})
	}
}

func TestAbuseSecretsCallbackPath(t *testing.T) {
	for _, v := range abuseVendors {
		t.Run(v.name, func(t *testing.T) {
			c := newCapture()
			kit := v.setup(t, c.log)
			var mu sync.Mutex
			var fail, panics bool
			sink := webhook.SinkFunc(func(_ context.Context, evs []sms.Event) error {
				mu.Lock()
				defer mu.Unlock()
				c.dump("events", evs)
				if panics {
					panic(fmt.Sprintf("sink panics with %d events", len(evs)))
				}
				if fail {
					return errors.New("sink failed")
				}
				return nil
			})
			h := webhook.Handler(kit.p, sink, &webhook.Options{Logger: c.log, OnError: func(_ *http.Request, err error) {
				c.dump("OnError", err)
			}})
			for i, sc := range []struct {
				name string
				w    wire
				fail bool
				pan  bool
			}{
				{name: "accepted", w: kit.valid(1)},
				{name: "inbound", w: kit.inbound("STOP")},
				{name: "wrong credential", w: kit.wrongCredential(2)},
				{name: "missing credential", w: kit.strip(kit.valid(3))},
				{name: "malformed", w: kit.sign([]byte("{\"results\":%zz"))},
				{name: "sink fails", w: kit.valid(4), fail: true},
				{name: "sink panics", w: kit.valid(5), pan: true},
			} {
				mu.Lock()
				fail, panics = sc.fail, sc.pan
				mu.Unlock()
				rec := serve(h, sc.w.request())
				c.dump(fmt.Sprintf("%s answer %d", sc.name, i), rec.Body.String())
				cb, err := webhook.Parse(context.Background(), kit.p, sc.w.request(), 0)
				c.dump(sc.name+" Parse error", err)
				c.dump(sc.name+" Parse callback", cb)
			}
			c.dump("provider", kit.p)
			checkNoSecret(t, c, kit.secrets)
		})
	}
}
