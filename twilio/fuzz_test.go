package twilio

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
)

// fuzzRequest builds the request a server would hand over for a raw request URI.
func fuzzRequest(method, uri, contentType string) *http.Request {
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	r := &http.Request{Method: method, URL: u, RequestURI: uri, Header: http.Header{}}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// seedCallbacks returns the bodies of testdata/callbacks.
func seedCallbacks(f *testing.F) []string {
	entries, err := os.ReadDir("testdata/callbacks")
	if err != nil {
		f.Fatal(err)
	}
	var bodies []string
	for _, e := range entries {
		b, err := os.ReadFile("testdata/callbacks/" + e.Name())
		if err != nil {
			f.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	return bodies
}

func FuzzParseCallback(f *testing.F) {
	for _, body := range seedCallbacks(f) {
		f.Add(body, "/twilio/status?smsbridge_ref=order-42", formType, false, "")
		f.Add(body, "/twilio", "", false, "idem-1")
		f.Add("", "/twilio/inbound?"+body, "", true, "")
	}
	f.Add(`{"MessageSid":"SM1"}`, "/twilio", "application/json", false, "")
	f.Add("NumMedia=99999999999&MediaUrl0=x&SmsStatus=received&MessageSid=SM1", "/", formType, false, "")
	f.Fuzz(func(t *testing.T, body, uri, contentType string, get bool, token string) {
		method := http.MethodPost
		if get {
			method = http.MethodGet
		}
		r := fuzzRequest(method, uri, contentType)
		if token != "" {
			r.Header.Set(IdempotencyHeader, token)
		}
		cb, err := parseCallback(r, []byte(body))
		if err != nil {
			var e *sms.Error
			if cb != nil || !errors.As(err, &e) || e.Code != sms.CodeInvalidArgument {
				t.Fatalf("parseCallback = %v, %v; want nil and an InvalidArgument *sms.Error", cb, err)
			}
			return
		}
		if len(cb.Events) == 0 {
			t.Fatal("no events")
		}
		for _, ev := range cb.Events {
			if ev.Provider != "twilio" || ev.ID == "" {
				t.Fatalf("event provider %q id %q", ev.Provider, ev.ID)
			}
			if r.Header.Get(IdempotencyHeader) != "" {
				r2 := r.Clone(r.Context())
				r2.Header.Del(IdempotencyHeader)
				if cb2, err := parseCallback(r2, []byte(body)); err != nil || cb2.Events[0].ID != ev.ID {
					t.Fatalf("the unsigned idempotency header changed the ID: %q vs %+v, %v", ev.ID, cb2, err)
				}
			}
			if ev.Type == sms.EventDeliveryReport && ev.Status != StatusOf(ev.RawStatus) {
				t.Fatalf("status %v for %q", ev.Status, ev.RawStatus)
			}
			if !ev.Type.IsInbound() && (ev.Body != "" || ev.MediaURLs != nil) {
				t.Fatalf("%v event with a body", ev.Type)
			}
			if len(ev.MediaURLs) > len(body)+len(uri) {
				t.Fatalf("%d media URLs from %d bytes", len(ev.MediaURLs), len(body)+len(uri))
			}
		}
	})
}

const fuzzToken = "right-token"

// referenceSignatures lists every signature an honest signer holding token computes for r,
// written from twilio.md §7 without the Verifier's code: the URL as configured or with
// :443, the body's parameters in the twilio-node or the twilio-go form, or for a bodySHA256
// URL the URL alone (and then only when the body matches the hash).
func referenceSignatures(token string, r *http.Request, body []byte) []string {
	uri := requestURI(r)
	_, query, _ := strings.Cut(uri, "?")
	q, _ := url.ParseQuery(query)
	var forms []url.Values
	switch h := q.Get("bodySHA256"); {
	case h != "":
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != h {
			return nil
		}
		forms = []url.Values{nil}
	case len(body) == 0:
		forms = []url.Values{nil}
	default:
		ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		if ct = strings.TrimSpace(ct); ct != "" && !strings.EqualFold(ct, formType) {
			return nil
		}
		p, err := url.ParseQuery(string(body))
		if err != nil {
			return nil
		}
		first := url.Values{}
		for k, vs := range p {
			first[k] = vs[:1]
		}
		forms = []url.Values{p, first}
	}
	var sigs []string
	for _, origin := range []string{"https://example.com", "https://example.com:443"} {
		for _, p := range forms {
			sigs = append(sigs, Sign(token, origin+uri, p))
		}
	}
	return sigs
}

func FuzzVerify(f *testing.F) {
	vf := loadVectors(f)
	for _, body := range seedCallbacks(f) {
		uri := "/twilio/status?smsbridge_ref=order-42"
		p, _ := url.ParseQuery(body)
		f.Add(uri, formType, []byte(body), Sign(fuzzToken, "https://example.com"+uri, p), "other-token")
		f.Add(uri, "", []byte(body), Sign(fuzzToken, "https://example.com:443"+uri, p), fuzzToken)
	}
	for _, vec := range vf.Vectors {
		_, uri := splitURL(f, vec.URL)
		f.Add(uri, formType, []byte(encodeParams(vf.Params)), vec.Signature, vf.AuthToken)
		u, sig := SignJSON(fuzzToken, "https://example.com"+uri, []byte(vf.JSONBody))
		_, uri = splitURL(f, u)
		f.Add(uri, "application/json", []byte(vf.JSONBody), sig, "")
	}
	v, err := NewVerifier("https://example.com", sms.NewSecret(fuzzToken))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, uri, contentType string, body []byte, sig, signer string) {
		if strings.Contains(uri, "#") {
			t.Skip("a request URI never holds a fragment, and Sign drops one")
		}
		r := fuzzRequest(http.MethodPost, uri, contentType)
		r.Header.Set(SignatureHeader, sig)
		refs := referenceSignatures(fuzzToken, r, body)

		// A fuzzed header verifies only when it is what the right token signs.
		err := v.Verify(r, body)
		if err != nil {
			var e *sms.Error
			if !errors.As(err, &e) || e.Code != sms.CodeUnauthenticated {
				t.Fatalf("Verify error %v, want an Unauthenticated *sms.Error", err)
			}
		} else if sig == "" || !contains(refs, sig) {
			t.Fatalf("Verify accepted %q; honest signatures %q", sig, refs)
		}

		// What another token signs never verifies; what the right token signs always does.
		if len(refs) == 0 {
			return
		}
		for _, s := range referenceSignatures(signer, r, body) {
			r.Header.Set(SignatureHeader, s)
			if err := v.Verify(r, body); (err == nil) != (signer == fuzzToken) {
				t.Fatalf("signed with %q: Verify = %v", signer, err)
			}
		}
		for _, s := range refs {
			r.Header.Set(SignatureHeader, s)
			if err := v.Verify(r, body); err != nil {
				t.Fatalf("honest signature %q rejected: %v", s, err)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
