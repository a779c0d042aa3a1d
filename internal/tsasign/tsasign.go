// Package tsasign implements Telesign's "TSA" HMAC-SHA256 scheme (vendors/telesign.md §1.2,
// §7): the signature of a REST request, the signature of a callback body, and the lenient
// decoding of an API key the official SDKs apply. It is shared by the telesign client and its
// emulator so that both compute the same bytes.
package tsasign

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"
	"strings"
	"sync"
)

// AuthMethod is the x-ts-auth-method value of the scheme.
const AuthMethod = "HMAC-SHA256"

// DecodeKey decodes a Telesign API key as the SDKs do: every character outside the base64
// alphabet [A-Za-z0-9+/] is dropped (the SDK test key contains "----"; Java strips them,
// Python's non-validating b64decode discards them), padding is re-added, and the result is
// decoded. A key with no usable characters, or whose length cannot be base64, is an error
// that does not quote the key.
func DecodeKey(apiKey string) ([]byte, error) {
	var b strings.Builder
	b.Grow(len(apiKey))
	for i := 0; i < len(apiKey); i++ {
		c := apiKey[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			b.WriteByte(c)
		}
	}
	s := b.String()
	if s == "" || len(s)%4 == 1 {
		return nil, errors.New("the API key is not base64 text")
	}
	key, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("the API key is not base64 text")
	}
	return key, nil
}

// StringToSign returns the string a REST request is signed over (no trailing newline):
//
//	METHOD
//	Content-Type (empty line for a request without a body)
//	Date
//	x-ts-auth-method:HMAC-SHA256
//	x-ts-nonce:<nonce>
//	<body>        (only when the body is not empty; the exact bytes sent)
//	<path>
func StringToSign(method, contentType, date, nonce string, body []byte, path string) string {
	var b strings.Builder
	b.Grow(len(method) + len(contentType) + len(date) + len(nonce) + len(body) + len(path) + 48)
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(contentType)
	b.WriteByte('\n')
	b.WriteString(date)
	b.WriteString("\nx-ts-auth-method:" + AuthMethod + "\nx-ts-nonce:")
	b.WriteString(nonce)
	if len(body) > 0 {
		b.WriteByte('\n')
		b.Write(body)
	}
	b.WriteByte('\n')
	b.WriteString(path)
	return b.String()
}

// Sign returns base64(HMAC-SHA256(key, StringToSign(...))), the signature of a REST request;
// key is the decoded API key (DecodeKey).
func Sign(key []byte, method, contentType, date, nonce string, body []byte, path string) string {
	b := make([]byte, 0, len(method)+len(contentType)+len(date)+len(nonce)+len(body)+len(path)+48)
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, contentType...)
	b = append(b, '\n')
	b = append(b, date...)
	b = append(b, "\nx-ts-auth-method:"+AuthMethod+"\nx-ts-nonce:"...)
	b = append(b, nonce...)
	if len(body) > 0 {
		b = append(b, '\n')
		b = append(b, body...)
	}
	b = append(b, '\n')
	b = append(b, path...)
	mac := hmac.New(sha256.New, key)
	mac.Write(b)
	var sum [sha256.Size]byte
	return base64.StdEncoding.EncodeToString(mac.Sum(sum[:0]))
}

// Authorization returns the Authorization header value "TSA <customerID>:<signature>".
func Authorization(customerID, signature string) string {
	return "TSA " + customerID + ":" + signature
}

// SignBody returns base64(HMAC-SHA256(key, body)), the signature Telesign puts on a callback.
func SignBody(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SigLen is the length of a base64 HMAC-SHA256 signature.
var SigLen = base64.StdEncoding.EncodedLen(sha256.Size)

// ParseAuthorization splits "TSA <customerID>:<signature>" (scheme matched without regard to
// case, spaces around the parts trimmed). ok is false for any other form.
func ParseAuthorization(v string) (customerID, signature string, ok bool) {
	v = strings.TrimSpace(v)
	if len(v) < 4 || !strings.EqualFold(v[:3], "TSA") || (v[3] != ' ' && v[3] != '\t') {
		return "", "", false
	}
	rest := strings.TrimSpace(v[4:])
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return "", "", false
	}
	return strings.TrimSpace(rest[:i]), strings.TrimSpace(rest[i+1:]), true
}

// VerifyBody reports whether signature (base64) is the callback signature of body under one of
// keys. Every key is tried, and every comparison is constant-time over the canonical base64
// text, so an encoding that differs only in its unused trailing bits does not pass.
func VerifyBody(keys [][]byte, body []byte, signature string) bool {
	if len(signature) != SigLen {
		return false
	}
	want := make([]byte, SigLen)
	ok := false
	for _, k := range keys {
		mac := hmac.New(sha256.New, k)
		mac.Write(body)
		base64.StdEncoding.Encode(want, mac.Sum(nil))
		if subtle.ConstantTimeCompare(want, []byte(signature)) == 1 {
			ok = true
		}
	}
	return ok
}

// BodyVerifier is VerifyBody over a fixed set of keys that reuses its HMAC states: a callback
// receiver checks every request under the same keys, and hmac.New (key schedule, two digests,
// pads) was a sixth of its cost. Each key has its own pool, so a state never serves another
// key, and a state is in use by one goroutine at a time; it is safe for concurrent use. The
// result is exactly VerifyBody's.
type BodyVerifier struct {
	pools []sync.Pool // one per key, in order; each holds *bodyMAC
}

// bodyMAC is one reusable HMAC state with room for its sum, so Verify allocates nothing.
type bodyMAC struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

// NewBodyVerifier returns a BodyVerifier for keys (decoded keys, as DecodeKey returns). The
// keys are copied.
func NewBodyVerifier(keys [][]byte) *BodyVerifier {
	v := &BodyVerifier{pools: make([]sync.Pool, len(keys))}
	for i, k := range keys {
		k := append([]byte(nil), k...)
		v.pools[i].New = func() any { return &bodyMAC{h: hmac.New(sha256.New, k)} }
	}
	return v
}

// Len returns the number of keys.
func (v *BodyVerifier) Len() int { return len(v.pools) }

// Verify reports whether signature (base64) is the callback signature of body under one of
// the keys, as VerifyBody: every key is tried and every comparison is constant-time over the
// canonical base64 text.
func (v *BodyVerifier) Verify(body []byte, signature string) bool {
	if len(signature) != SigLen {
		return false
	}
	var got, want [64]byte // SigLen is 44
	copy(got[:], signature)
	ok := false
	for i := range v.pools {
		m := v.pools[i].Get().(*bodyMAC)
		m.h.Write(body)
		base64.StdEncoding.Encode(want[:SigLen], m.h.Sum(m.sum[:0]))
		m.h.Reset() // keep no state of this body in the pool
		v.pools[i].Put(m)
		if subtle.ConstantTimeCompare(want[:SigLen], got[:SigLen]) == 1 {
			ok = true
		}
	}
	return ok
}
