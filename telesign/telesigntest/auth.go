package telesigntest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/smsbridge/sms/internal/tsasign"
)

// DecodeKey decodes an API key as Telesign's SDKs do, leniently: every character outside
// the base64 alphabet is dropped and the rest re-padded before decoding, so the SDK test
// key with its "----" decodes (vendors/telesign.md §1.2). Trailing bits that do not make a
// byte are ignored.
func DecodeKey(apiKey string) []byte {
	key, _ := tsasign.DecodeKey(apiKey) // the client's decoder: both sides read keys alike
	return key
}

// Sign returns base64(HMAC-SHA256(DecodeKey(apiKey), msg)): the signature of a request's
// string to sign, or of a callback's raw body.
func Sign(apiKey string, msg []byte) string {
	return tsasign.SignBody(DecodeKey(apiKey), msg)
}

func signWith(h func() hash.Hash, key, msg []byte) string {
	m := hmac.New(h, key)
	m.Write(msg)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// StringToSign returns the string a TSA-signed request is signed over (vendors/telesign.md
// §1.2): method, Content-Type, Date (empty when only x-ts-date is sent), x-ts-auth-method,
// x-ts-date (when sent), x-ts-nonce, the body (when not empty) and resource, joined with
// "\n".
func StringToSign(method, contentType, date, authMethod, tsDate, nonce string, body []byte, resource string) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteString("\n" + contentType)
	b.WriteString("\n" + date)
	b.WriteString("\nx-ts-auth-method:" + authMethod)
	if tsDate != "" {
		b.WriteString("\nx-ts-date:" + tsDate)
	}
	b.WriteString("\nx-ts-nonce:" + nonce)
	if len(body) > 0 {
		b.WriteString("\n")
		b.Write(body)
	}
	b.WriteString("\n" + resource)
	return b.String()
}

// SignRequest signs req as Telesign's SDKs do: it sets Date (date in RFC 1123 GMT),
// x-ts-auth-method HMAC-SHA256, x-ts-nonce and "Authorization: TSA <customerID>:<sig>" over
// the body (read through req.GetBody when set) and the URL path. For tests that need a
// signed request the official client would make.
func SignRequest(req *http.Request, customerID, apiKey, nonce string, date time.Time) error {
	var body []byte
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return err
		}
		body, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	d := date.UTC().Format(http.TimeFormat)
	req.Header.Set("Date", d)
	req.Header.Set("x-ts-auth-method", "HMAC-SHA256")
	req.Header.Set("x-ts-nonce", nonce)
	sts := StringToSign(req.Method, req.Header.Get("Content-Type"), d, "HMAC-SHA256", "", nonce, body, req.URL.EscapedPath())
	req.Header.Set("Authorization", "TSA "+customerID+":"+Sign(apiKey, []byte(sts)))
	return nil
}

// authError is a refused request: its status code and, for a bad signature, the string
// the emulator expected to be signed.
type authError struct {
	code          int
	signatureWant string
}

// Nonce limits (assumed: Telesign's 10003 "nonce length" bounds are unpublished).
const (
	minNonceLen = 1
	maxNonceLen = 128
)

// checkAuth verifies a request's Basic or TSA authentication against the configured
// credentials; body is the raw body. It returns nil or the failure. Nonce replay is left
// to the caller (it needs the nonce and the server's memory).
func (s *Server) checkAuth(r *http.Request, body []byte) (nonce string, failure *authError) {
	h := r.Header.Get("Authorization")
	if strings.TrimSpace(h) == "" {
		return "", &authError{code: CodeMissingAuth}
	}
	scheme, cred, ok := strings.Cut(strings.TrimSpace(h), " ")
	cred = strings.TrimSpace(cred)
	if !ok || cred == "" {
		return "", &authError{code: CodeMalformedAuth}
	}
	switch {
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return "", &authError{code: CodeMalformedAuth}
		}
		id, key, ok := strings.Cut(string(raw), ":")
		if !ok {
			return "", &authError{code: CodeMalformedAuth}
		}
		if !strings.EqualFold(id, s.opts.CustomerID) {
			return "", &authError{code: CodeInvalidCustomerID}
		}
		if subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey)) != 1 {
			return "", &authError{code: CodeInvalidAPIKey}
		}
		return "", nil
	case strings.EqualFold(scheme, "TSA"):
	default:
		return "", &authError{code: CodeMalformedAuth}
	}
	id, sig, ok := strings.Cut(cred, ":")
	if !ok || id == "" || sig == "" {
		return "", &authError{code: CodeMalformedAuth}
	}
	if !strings.EqualFold(id, s.opts.CustomerID) {
		return "", &authError{code: CodeInvalidCustomerID}
	}
	method := r.Header.Get("x-ts-auth-method")
	var hf func() hash.Hash
	switch strings.ToUpper(method) {
	case "HMAC-SHA256":
		hf = sha256.New
	case "HMAC-SHA1":
		hf = sha1.New
	default:
		return "", &authError{code: CodeAuthMethod}
	}
	date, tsDate := r.Header.Get("Date"), r.Header.Get("x-ts-date")
	when := tsDate
	if when == "" {
		when = date
	}
	if when == "" {
		return "", &authError{code: CodeMissingDate}
	}
	t, err := http.ParseTime(when)
	if err != nil {
		return "", &authError{code: CodeDateFormat}
	}
	if d := s.emu.Now().Sub(t); d > s.opts.DateTolerance || d < -s.opts.DateTolerance {
		return "", &authError{code: CodeDateOutOfRange}
	}
	nonce = r.Header.Get("x-ts-nonce")
	if len(nonce) < minNonceLen || len(nonce) > maxNonceLen {
		return "", &authError{code: CodeNonceLength}
	}
	key := DecodeKey(s.opts.APIKey)
	ct := r.Header.Get("Content-Type") // GETs from the SDKs carry none: an empty line
	want := StringToSign(r.Method, ct, date, method, tsDate, nonce, body, r.URL.EscapedPath())
	if macEqual(signWith(hf, key, []byte(want)), sig) {
		return nonce, nil
	}
	if r.URL.RawQuery != "" { // the sample code signs the path with its query
		alt := StringToSign(r.Method, ct, date, method, tsDate, nonce, body, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		if macEqual(signWith(hf, key, []byte(alt)), sig) {
			return nonce, nil
		}
	}
	return "", &authError{code: CodeInvalidSignature, signatureWant: want}
}

func macEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// CallbackAuthorization returns the Authorization header value of a callback with body:
// "TSA <customer_id>:<base64 HMAC-SHA256 of the body with the decoded API key>".
func (s *Server) CallbackAuthorization(body []byte) string {
	return "TSA " + s.opts.CustomerID + ":" + Sign(s.opts.APIKey, body)
}

// callbackHeader is the header of a callback POST with body: Authorization and the bare
// signature in X-TS-Authorization (vendors/telesign.md §7, §11).
func (s *Server) callbackHeader(body []byte) http.Header {
	sig := Sign(s.opts.APIKey, body)
	return http.Header{
		"Content-Type":       {"application/json"},
		"User-Agent":         {"Telesign-Emulator/1.0"},
		"Authorization":      {"TSA " + s.opts.CustomerID + ":" + sig},
		"X-Ts-Authorization": {sig},
	}
}

// equalFoldTrim reports whether text, trimmed, equals upper-case word ignoring case.
func equalFoldTrim(text, word string) bool {
	return strings.EqualFold(strings.TrimSpace(text), word)
}

func lower(s string) string { return strings.ToLower(s) }
