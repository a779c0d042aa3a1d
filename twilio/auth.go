package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/redact"
)

// SignatureHeader is the header in which Twilio sends the signature of a webhook request.
const SignatureHeader = "X-Twilio-Signature"

// IdempotencyHeader is the header Twilio sends on webhook requests so that a receiver can
// recognise a retried request. It is not signed, so it never becomes Event.ID (see the
// package doc); the emulator sends it as Twilio does.
const IdempotencyHeader = "I-Twilio-Idempotency-Token"

// bodyHashParam is the query parameter Twilio adds to the URL of a webhook with a JSON body.
const bodyHashParam = "bodySHA256"

// sigLen is the length of a base64-encoded HMAC-SHA1.
var sigLen = base64.StdEncoding.EncodedLen(sha1.Size)

// Sign returns the X-Twilio-Signature Twilio computes for a form-encoded request to fullURL:
// base64(HMAC-SHA1(authToken, fullURL + key + value for each parameter)), keys in byte order.
// The values of a repeated key are appended sorted and without duplicates, as twilio-node and
// twilio-python compute them (see Verifier for twilio-go's variant). fullURL is the URL as
// Twilio requests it, query string included; a #fragment (Twilio's connection overrides) is
// never sent on the wire and is ignored. Pass nil params for a GET webhook or a JSON body.
//
// Sign is exported for tests and for the emulator.
func Sign(authToken, fullURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(stripFragment(fullURL)))
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range params {
			if !yield(k) {
				return
			}
		}
	}) {
		vs := slices.Compact(slices.Sorted(slices.Values(params[k])))
		for _, v := range vs {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignJSON returns fullURL with the bodySHA256 query parameter (the lower-case hex SHA-256 of
// body) added, and the signature of that URL, as Twilio signs webhooks with a JSON body. Any
// #fragment of fullURL is dropped.
func SignJSON(authToken, fullURL string, body []byte) (signedURL, signature string) {
	sum := sha256.Sum256(body)
	u := stripFragment(fullURL)
	sep := "&"
	switch {
	case !strings.Contains(u, "?"):
		sep = "?"
	case strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&"):
		sep = ""
	}
	signedURL = u + sep + bodyHashParam + "=" + hex.EncodeToString(sum[:])
	return signedURL, Sign(authToken, signedURL, nil)
}

func stripFragment(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}

// Verifier checks X-Twilio-Signature the way Twilio's official validators do. It is safe for
// concurrent use, and it holds its tokens so that no formatting of it prints them.
//
// The URL checked is the public origin followed by the raw request URI (r.RequestURI), so the
// query string of the callback URL (where the provider puts the message reference) is checked
// exactly as received. Because Twilio signs inconsistently with respect to explicit ports, the
// URL is tried as configured, then with the explicit port removed or, when there is none, with
// the scheme's default port (443 or 80) added, as twilio-go and twilio-node do.
//
// Parameters: for a form-encoded body, the parameters of the body (never those of the query
// string, which are part of the URL), keys in byte order. The official libraries disagree on
// a key that appears more than once: twilio-node and twilio-python append every distinct
// value in sorted order, twilio-go only the first value. Twilio's callbacks have no repeated
// keys, so which one Twilio computes is unknown; both are accepted. The decoder reads only the
// first value of every key, so a value the twilio-go form does not cover never reaches an
// Event field (only Event.Raw).
//
// When the request URI carries a bodySHA256 query parameter (webhooks with a JSON body), the
// signature covers the URL alone and the lower-case hex SHA-256 of the body must equal that
// parameter. A request with no body (a GET webhook) is signed over the URL alone.
//
// Every comparison is constant-time (hmac.Equal) and every token is tried.
type Verifier struct {
	origins [][]byte   // the public origin as configured, then its port variant
	macs    []*macPool // one per auth token, primary first
}

// macPool recycles HMAC-SHA1 states keyed with one auth token. Only the pool's New function
// holds the token (as an sms.Secret), so printing a Verifier prints no credential.
type macPool struct{ p sync.Pool }

func newMACPool(token sms.Secret) *macPool {
	m := &macPool{}
	m.p.New = func() any { return hmac.New(sha1.New, []byte(token.Reveal())) }
	return m
}

// NewVerifier returns a Verifier for callbacks that Twilio sends to publicOrigin, the
// scheme://host[:port] under which Twilio reaches the application (TLS-terminating proxies
// make r.Host and r.TLS unreliable, so it is configured, never inferred). A path prefix is
// allowed ("https://example.com/hooks") for proxies that strip it before the application.
// tokens are the account's auth tokens, primary first, then any secondary token during a
// rotation; empty tokens are skipped, and an error is returned when none is left, so that a
// missing credential fails closed instead of accepting everything.
func NewVerifier(publicOrigin string, tokens ...sms.Secret) (*Verifier, error) {
	u, err := url.Parse(publicOrigin)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		msg := "public origin must be scheme://host[:port][/path prefix]"
		if err == nil {
			msg += ", got " + strconv.Quote(redact.URL(publicOrigin)) // no password or query token
		}
		e := newError(sms.CodeInvalidArgument, msg)
		if ue, ok := err.(*url.Error); ok { // its text quotes the URL
			e.Err = &url.Error{Op: ue.Op, URL: redact.URL(ue.URL), Err: ue.Err}
		}
		return nil, e
	}
	v := &Verifier{}
	for _, t := range tokens {
		if !t.IsZero() {
			v.macs = append(v.macs, newMACPool(t))
		}
	}
	if len(v.macs) == 0 {
		return nil, newError(sms.CodeInvalidArgument, "no auth token to verify callback signatures with")
	}
	prefix := strings.TrimRight(u.EscapedPath(), "/")
	scheme := u.Scheme + "://"
	v.origins = append(v.origins, []byte(scheme+u.Host+prefix))
	if port := u.Port(); port != "" {
		v.origins = append(v.origins, []byte(scheme+strings.TrimSuffix(u.Host, ":"+port)+prefix))
	} else {
		def := ":443"
		if u.Scheme == "http" {
			def = ":80"
		}
		v.origins = append(v.origins, []byte(scheme+u.Host+def+prefix))
	}
	return v, nil
}

// Verify checks r, whose body was already read into body. It returns nil, or an *sms.Error
// with CodeUnauthenticated whose message says only "missing signature" or "invalid
// signature", never which part mismatched.
func (v *Verifier) Verify(r *http.Request, body []byte) error {
	return v.verify(r, body, nil)
}

// verify is Verify with the form body already parsed when f is not nil (see verifyAndParse;
// parseForm never returns a nil form without an error).
func (v *Verifier) verify(r *http.Request, body []byte, f form) error {
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		return sigError("missing signature")
	}
	// Decode needs room for DecodedLen(28) = 21 bytes: 28 characters without padding are 21.
	var buf [sha1.Size + 1]byte
	if len(sig) != sigLen {
		return sigError(invalidSignature)
	}
	n, err := base64.StdEncoding.Strict().Decode(buf[:], []byte(sig))
	if err != nil || n != sha1.Size {
		return sigError(invalidSignature)
	}
	want := buf[:sha1.Size]

	uri := requestURI(r)
	var bodyHash string
	if i := strings.IndexByte(uri, '?'); i >= 0 && strings.Contains(uri[i:], bodyHashParam) {
		bodyHash = queryValue(uri[i+1:], bodyHashParam)
	}

	if bodyHash == "" && len(body) > 0 && f == nil {
		var err error
		if f, err = bodyForm(r, body); err != nil {
			return sigError(invalidSignature)
		}
	}

	// The message after the origin: the request URI, then the body parameters.
	msg := make([]byte, 0, len(uri)+len(body))
	msg = append(msg, uri...)
	var goForm []byte // twilio-go's form when a key repeats, else nil
	switch {
	case bodyHash != "":
		var got [2 * sha256.Size]byte
		sum := sha256.Sum256(body)
		hex.Encode(got[:], sum[:])
		if !hmac.Equal(got[:], []byte(bodyHash)) {
			// Checked before the signature, but reported the same way: the hash is in the
			// URL, so its mismatch reveals nothing the sender does not know.
			return sigError(invalidSignature)
		}
	case len(body) == 0:
	default:
		var repeated bool
		if msg, repeated = f.appendSigned(msg); repeated {
			goForm = f.appendFirstValues(append(make([]byte, 0, len(msg)), uri...))
		}
	}

	var sum [sha1.Size]byte
	for _, m := range v.macs {
		for _, o := range v.origins {
			if m.equal(o, msg, sum[:0], want) || (goForm != nil && m.equal(o, goForm, sum[:0], want)) {
				return nil
			}
		}
	}
	return sigError(invalidSignature)
}

// equal reports whether the HMAC of origin+msg equals want.
func (m *macPool) equal(origin, msg, buf, want []byte) bool {
	h := m.p.Get().(hash.Hash)
	h.Reset()
	h.Write(origin)
	h.Write(msg)
	ok := hmac.Equal(h.Sum(buf), want)
	m.p.Put(h)
	return ok
}

// requestURI returns the raw request URI as received. A request built in a test (or received
// in absolute form through a forward proxy) falls back to the URI of r.URL.
func requestURI(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		return u
	}
	if r.URL == nil {
		return ""
	}
	return r.URL.RequestURI()
}

// invalidSignature is the message of every signature mismatch.
const invalidSignature = "invalid signature"

func sigError(msg string) error {
	return newError(sms.CodeUnauthenticated, msg)
}

// isMismatch reports whether err is a signature mismatch (not a missing signature).
func isMismatch(err error) bool {
	e, ok := err.(*sms.Error)
	return ok && e.Code == sms.CodeUnauthenticated && e.Message == invalidSignature
}

// checkedURL returns the URL a signature of r is checked against: the public origin as
// configured followed by the raw request URI (the port variant is tried too). It is not
// secret and is logged when a signature does not match.
func (v *Verifier) checkedURL(r *http.Request) string {
	return string(v.origins[0]) + requestURI(r)
}

// field is one decoded key=value pair of a form.
type field struct{ key, value string }

// form is a decoded form, sorted by key in byte order; the values of a repeated key keep
// their order of arrival (the sort is stable).
type form []field

// MaxFormFields bounds the fields of a callback form (or of a GET webhook's query string).
// A real callback has a few dozen: about 20 for an inbound SMS, two more per media item (at
// most 10), a handful of channel fields. Counting separators costs one pass over the bytes,
// so a hostile form with hundreds of thousands of keys is refused before it is decoded and
// sorted for the signature (BenchmarkRejectManyFields).
const MaxFormFields = 256

// parseForm decodes an application/x-www-form-urlencoded string with the rules of
// url.ParseQuery (a ';' or a bad escape is an error), without building a map: values without
// escapes are substrings of s. More than MaxFormFields pairs is an error, found before
// decoding.
func parseForm(s string) (f form, ok bool) {
	n := strings.Count(s, "&") + 1
	if n > MaxFormFields {
		return nil, false
	}
	f = make(form, 0, n)
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		if strings.Contains(kv, ";") {
			return nil, false
		}
		if kv == "" {
			continue
		}
		k, val, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, false
		}
		if val, err = url.QueryUnescape(val); err != nil {
			return nil, false
		}
		f = append(f, field{k, val})
	}
	slices.SortStableFunc(f, func(a, b field) int { return strings.Compare(a.key, b.key) })
	return f, true
}

// get returns the first value of key, or "".
func (f form) get(key string) string {
	if i, ok := f.find(key); ok {
		return f[i].value
	}
	return ""
}

// has reports whether key is present, even with an empty value.
func (f form) has(key string) bool {
	_, ok := f.find(key)
	return ok
}

// find returns the index of the first pair with key.
func (f form) find(key string) (int, bool) {
	return slices.BinarySearchFunc(f, key, func(e field, k string) int { return strings.Compare(e.key, k) })
}

// appendSigned appends key+value for every pair, the values of a repeated key sorted and
// without duplicates (twilio-node, twilio-python), and reports whether a key repeats.
func (f form) appendSigned(b []byte) ([]byte, bool) {
	repeated := false
	for i := 0; i < len(f); {
		j := i + 1
		for j < len(f) && f[j].key == f[i].key {
			j++
		}
		if j-i == 1 {
			b = append(append(b, f[i].key...), f[i].value...)
		} else {
			repeated = true
			vs := make([]string, 0, j-i)
			for _, e := range f[i:j] {
				vs = append(vs, e.value)
			}
			slices.Sort(vs)
			for _, val := range slices.Compact(vs) {
				b = append(append(b, f[i].key...), val...)
			}
		}
		i = j
	}
	return b, repeated
}

// appendFirstValues appends key+value for the first value of every key (twilio-go).
func (f form) appendFirstValues(b []byte) []byte {
	for i, e := range f {
		if i == 0 || e.key != f[i-1].key {
			b = append(append(b, e.key...), e.value...)
		}
	}
	return b
}

// queryValue returns the first value of key in a raw query string, with url.ParseQuery's
// rules (a pair with ';' or a bad escape is dropped), without building a map; it looks at no
// more than MaxFormFields pairs.
func queryValue(q, key string) string {
	for i := 0; q != "" && i < MaxFormFields; i++ {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if strings.Contains(kv, ";") {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil || k != key {
			continue
		}
		if v, err = url.QueryUnescape(v); err == nil {
			return v
		}
	}
	return ""
}
