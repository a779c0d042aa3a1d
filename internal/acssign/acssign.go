// Package acssign implements the HMAC-SHA256 request signature of Azure Communication
// Services (vendors/acs.md §1.2), written once for the acs provider, which signs, and its
// emulator acs/acstest, which verifies.
//
// A signed request carries x-ms-date (RFC 1123, GMT), x-ms-content-sha256 (ContentHash of
// the exact body bytes sent) and Authorization (AuthorizationHeader of Sign over
// StringToSign of the method, the path and query as on the request line, the date, the Host
// header as written — with a non-default port — and the hash).
package acssign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strings"
	"sync"
)

// EmptyContentHash is ContentHash of an empty body.
const EmptyContentHash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

// SignedHeaders is the SignedHeaders value of the Authorization header.
const SignedHeaders = "x-ms-date;host;x-ms-content-sha256"

// ContentHash returns base64(SHA-256(body)), the x-ms-content-sha256 header.
func ContentHash(body []byte) string {
	sum := sha256.Sum256(body)
	var b [44]byte // base64 of 32 bytes
	base64.StdEncoding.Encode(b[:], sum[:])
	return string(b[:])
}

// StringToSign returns the string ACS signs: method, the path and query exactly as sent, and
// the x-ms-date, Host and x-ms-content-sha256 values.
func StringToSign(method, pathAndQuery, date, host, contentHash string) string {
	return strings.ToUpper(method) + "\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash
}

// Sign returns base64(HMAC-SHA256(key, stringToSign)) for the decoded access key.
func Sign(key []byte, stringToSign string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Signer signs with one access key, its HMAC key schedule computed once: each signature
// starts from a clone of it instead of hashing the padded key twice again. It is safe for
// concurrent use. Its Sign equals Sign with the same key.
type Signer struct {
	key  []byte
	base hash.Hash // never written after NewSigner; only cloned
	pool sync.Pool // keyed HMACs for Authorization, Reset before reuse
}

// NewSigner returns a Signer for the decoded access key.
func NewSigner(key []byte) *Signer {
	s := &Signer{key: key, base: hmac.New(sha256.New, key)}
	s.pool.New = func() any { return hmac.New(sha256.New, key) }
	return s
}

// authPrefix is what AuthorizationHeader puts before the signature.
const authPrefix = "HMAC-SHA256 SignedHeaders=" + SignedHeaders + "&Signature="

// Authorization returns AuthorizationHeader(s.Sign(StringToSign(method, pathAndQuery, date,
// host, contentHash))), the same bytes, in two allocations instead of about ten: the string
// to sign is built in one buffer and the HMAC, reset from its keyed state, comes from a pool.
func (s *Signer) Authorization(method, pathAndQuery, date, host, contentHash string) string {
	buf := make([]byte, 0, max(len(method)+len(pathAndQuery)+len(date)+len(host)+len(contentHash)+4, sha256.Size))
	buf = append(buf, strings.ToUpper(method)...) // no allocation for "POST" or "GET"
	buf = append(buf, '\n')
	buf = append(buf, pathAndQuery...)
	buf = append(buf, '\n')
	buf = append(buf, date...)
	buf = append(buf, ';')
	buf = append(buf, host...)
	buf = append(buf, ';')
	buf = append(buf, contentHash...)

	m := s.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(buf)
	sum := m.Sum(buf[:0]) // the string to sign is no longer needed
	s.pool.Put(m)

	var sig [44]byte // base64 of 32 bytes
	base64.StdEncoding.Encode(sig[:], sum[:sha256.Size])
	var b strings.Builder
	b.Grow(len(authPrefix) + len(sig))
	b.WriteString(authPrefix)
	b.Write(sig[:])
	return b.String()
}

// Sign returns base64(HMAC-SHA256(key, stringToSign)).
func (s *Signer) Sign(stringToSign string) string {
	var m hash.Hash
	if c, ok := s.base.(hash.Cloner); ok {
		if h, err := c.Clone(); err == nil {
			m, _ = h.(hash.Hash)
		}
	}
	if m == nil {
		m = hmac.New(sha256.New, s.key)
	}
	m.Write([]byte(stringToSign))
	var sum [sha256.Size]byte
	return base64.StdEncoding.EncodeToString(m.Sum(sum[:0]))
}

// AuthorizationHeader returns the Authorization value for a signature.
func AuthorizationHeader(signature string) string {
	return "HMAC-SHA256 SignedHeaders=" + SignedHeaders + "&Signature=" + signature
}

// DecodeKey decodes a base64 access key as the portal shows it. Its error never includes
// the key.
func DecodeKey(accessKey string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(accessKey))
	if err != nil || len(k) == 0 {
		return nil, errors.New("acs: the access key is not base64")
	}
	return k, nil
}
