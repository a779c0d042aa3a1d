package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

// vectorFile is testdata/signature_vectors.json.
type vectorFile struct {
	AuthToken string      `json:"authToken"`
	Params    [][2]string `json:"params"`
	JSONBody  string      `json:"jsonBody"`
	FormBody  string      `json:"formBody"`
	Vectors   []struct {
		Name      string `json:"name"`
		URL       string `json:"url"`
		Body      string `json:"body"`
		Signature string `json:"signature"`
		Valid     bool   `json:"valid"`
		SignsURL  bool   `json:"signsURL"`
	} `json:"vectors"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/signature_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return vf
}

// encodeParams form-encodes pairs in the given order.
func encodeParams(pairs [][2]string) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
	}
	return b.String()
}

func valuesOf(pairs [][2]string) url.Values {
	v := url.Values{}
	for _, p := range pairs {
		v.Add(p[0], p[1])
	}
	return v
}

// splitURL returns the origin (scheme://host[:port]) and the request URI of an absolute URL.
func splitURL(t testing.TB, full string) (origin, requestURI string) {
	t.Helper()
	i := strings.Index(full, "://")
	j := strings.IndexByte(full[i+3:], '/')
	if i < 0 || j < 0 {
		t.Fatalf("bad URL %q", full)
	}
	return full[:i+3+j], full[i+3+j:]
}

// signedRequest builds the request a server receives for full, with RequestURI as on the wire.
func signedRequest(t testing.TB, method, full, contentType, body, sig string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, full, strings.NewReader(body))
	_, r.RequestURI = splitURL(t, full)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if sig != "" {
		r.Header.Set(SignatureHeader, sig)
	}
	return r
}

const formType = "application/x-www-form-urlencoded"

func mustVerifier(t testing.TB, origin string, tokens ...string) *Verifier {
	t.Helper()
	var ss []sms.Secret
	for _, tok := range tokens {
		ss = append(ss, sms.NewSecret(tok))
	}
	v, err := NewVerifier(origin, ss...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantCode(t *testing.T, err error, code sms.Code, msg string) {
	t.Helper()
	var e *sms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *sms.Error %v", err, code)
	}
	if e.Code != code || (msg != "" && e.Message != msg) || e.Provider != "twilio" {
		t.Fatalf("error = %+v, want code %v message %q provider twilio", e, code, msg)
	}
}

func TestPublishedVectors(t *testing.T) {
	vf := loadVectors(t)
	for _, vec := range vf.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			var body, ct string
			var params url.Values
			switch vec.Body {
			case "params":
				body, ct, params = encodeParams(vf.Params), formType, valuesOf(vf.Params)
			case "form":
				body, ct = vf.FormBody, formType
				p, err := url.ParseQuery(body)
				if err != nil {
					t.Fatal(err)
				}
				params = p
			case "json":
				body, ct = vf.JSONBody, "application/json"
			default:
				t.Fatalf("body %q", vec.Body)
			}

			if vec.SignsURL {
				if vec.Body == "json" {
					base, _, _ := strings.Cut(vec.URL, "bodySHA256=")
					base = strings.TrimRight(base, "?&")
					gotURL, gotSig := SignJSON(vf.AuthToken, base, []byte(body))
					if gotURL != vec.URL || gotSig != vec.Signature {
						t.Errorf("SignJSON(%q) = %q, %q; want %q, %q", base, gotURL, gotSig, vec.URL, vec.Signature)
					}
				} else if got := Sign(vf.AuthToken, vec.URL, params); got != vec.Signature {
					t.Errorf("Sign = %q, want %q", got, vec.Signature)
				}
			}

			origin, _ := splitURL(t, vec.URL)
			v := mustVerifier(t, origin, vf.AuthToken)
			err := v.Verify(signedRequest(t, http.MethodPost, vec.URL, ct, body, vec.Signature), []byte(body))
			if vec.Valid && err != nil {
				t.Errorf("Verify: %v, want nil", err)
			}
			if !vec.Valid {
				wantCode(t, err, sms.CodeUnauthenticated, "invalid signature")
			}
		})
	}
}

func TestVerifyTampered(t *testing.T) {
	vf := loadVectors(t)
	const (
		pubURL  = "https://mycompany.com/myapp.php?foo=1&bar=2"
		pubSig  = "vOEb5UThFn24KEfnOFLQY2AE5FY="
		jsonURL = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
		jsonSig = "a9nBmqA0ju/hNViExpshrM61xv4="
	)
	body := encodeParams(vf.Params)
	changed := make([][2]string, len(vf.Params))
	copy(changed, vf.Params)
	changed[0][1] = "1235" // Digits
	tests := []struct {
		name, url, ct, body, sig string
		tokens                   []string
	}{
		{"changed param value", pubURL, formType, encodeParams(changed), pubSig, nil},
		{"extra param", pubURL, formType, body + "&Extra=1", pubSig, nil},
		{"param moved to query", pubURL + "&Digits=1234", formType, strings.Replace(body, "Digits=1234&", "", 1), pubSig, nil},
		{"changed query", "https://mycompany.com/myapp.php?foo=1&bar=3", formType, body, pubSig, nil},
		{"changed path", "https://mycompany.com/myapp.PHP?foo=1&bar=2", formType, body, pubSig, nil},
		{"changed host", "https://mycompany.org/myapp.php?foo=1&bar=2", formType, body, pubSig, nil},
		{"changed scheme", "http://mycompany.com/myapp.php?foo=1&bar=2", formType, body, pubSig, nil},
		{"wrong token", pubURL, formType, body, pubSig, []string{"54321"}},
		{"signature of other request", pubURL, formType, body, "NBdBDr/T/lgjI+tlgpXjKZQZs/k=", nil},
		{"garbage signature", pubURL, formType, body, "not base64!", nil},
		{"truncated signature", pubURL, formType, body, pubSig[:27], nil},
		{"non-canonical base64", pubURL, formType, body, pubSig[:26] + "Z=", nil},
		{"28 characters without padding", pubURL, formType, body, strings.Repeat("0", 28), nil},
		{"json body changed", jsonURL, "application/json", `{"property": "value", "boolean": false}`, jsonSig, nil},
		{"json hash changed with body", strings.Replace(jsonURL, "0a1ff7", "0a1ff8", 1), "application/json", vf.JSONBody, jsonSig, nil},
		{"json hash upper-case", strings.Replace(jsonURL, "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", "0A1FF7634D9AB3B95DB5C9A2DFE9416E41502B283A80C7CF19632632F96E6620", 1), "application/json", vf.JSONBody, jsonSig, nil},
		{"json body without bodySHA256", pubURL, "application/json", vf.JSONBody, pubSig, nil},
		{"form body not parseable", pubURL, formType, body + "&%zz=1", pubSig, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := tt.tokens
			if tokens == nil {
				tokens = []string{vf.AuthToken}
			}
			origin, _ := splitURL(t, tt.url)
			v := mustVerifier(t, origin, tokens...)
			err := v.Verify(signedRequest(t, http.MethodPost, tt.url, tt.ct, tt.body, tt.sig), []byte(tt.body))
			wantCode(t, err, sms.CodeUnauthenticated, "invalid signature")
		})
	}
}

func TestVerifyPorts(t *testing.T) {
	vf := loadVectors(t)
	body := encodeParams(vf.Params)
	const uri = "/myapp.php?foo=1&bar=2"
	sigFor := func(u string) string { return Sign(vf.AuthToken, u, valuesOf(vf.Params)) }
	tests := []struct {
		origin, signedURL string
		valid             bool
	}{
		{"https://mycompany.com", "https://mycompany.com" + uri, true},
		{"https://mycompany.com", "https://mycompany.com:443" + uri, true}, // default port added
		{"https://mycompany.com:443", "https://mycompany.com" + uri, true}, // port stripped
		{"https://mycompany.com:443", "https://mycompany.com:443" + uri, true},
		{"https://mycompany.com:8443", "https://mycompany.com" + uri, true}, // port stripped
		{"https://mycompany.com:8443", "https://mycompany.com:8443" + uri, true},
		{"http://mycompany.com", "http://mycompany.com:80" + uri, true},
		{"http://mycompany.com:8080", "http://mycompany.com" + uri, true},
		{"http://[::1]:8080", "http://[::1]" + uri, true},
		{"https://mycompany.com", "https://mycompany.com:80" + uri, false},       // wrong default
		{"https://mycompany.com:8443", "https://mycompany.com:443" + uri, false}, // ports are not replaced
		{"https://mycompany.com", "https://mycompany.com:8443" + uri, false},
		{"http://mycompany.com", "https://mycompany.com" + uri, false},
		{"https://mycompany.com/hooks/", "https://mycompany.com/hooks" + uri, true}, // path prefix, trailing slash ignored
		{"https://mycompany.com/hooks", "https://mycompany.com" + uri, false},
	}
	for _, tt := range tests {
		t.Run(tt.origin+" signed "+tt.signedURL, func(t *testing.T) {
			v := mustVerifier(t, tt.origin, vf.AuthToken)
			r := signedRequest(t, http.MethodPost, "https://internal:9000"+uri, formType, body, sigFor(tt.signedURL))
			err := v.Verify(r, []byte(body))
			if tt.valid && err != nil {
				t.Errorf("Verify: %v", err)
			}
			if !tt.valid {
				wantCode(t, err, sms.CodeUnauthenticated, "invalid signature")
			}
		})
	}
}

func TestVerifyTokens(t *testing.T) {
	const full = "https://example.com/twilio/status?smsbridge_ref=r1"
	body := "MessageSid=SM1&MessageStatus=sent"
	p, _ := url.ParseQuery(body)
	for _, tokens := range [][]string{
		{"primary-token", "secondary-token"},
		{"secondary-token", "primary-token"},
		{"", "secondary-token"}, // an empty primary is skipped
	} {
		v := mustVerifier(t, "https://example.com", tokens...)
		for _, signer := range []string{"primary-token", "secondary-token"} {
			err := v.Verify(signedRequest(t, "POST", full, formType, body, Sign(signer, full, p)), []byte(body))
			known := tokens[0] == signer || tokens[1] == signer
			if known && err != nil {
				t.Errorf("tokens %q, signed with %q: %v", tokens, signer, err)
			}
			if !known && err == nil {
				t.Errorf("tokens %q, signed with %q: verified", tokens, signer)
			}
		}
	}
}

func TestVerifyMissingSignature(t *testing.T) {
	v := mustVerifier(t, "https://mycompany.com", "12345")
	body := "MessageSid=SM1&MessageStatus=sent"
	err := v.Verify(signedRequest(t, "POST", "https://mycompany.com/cb", formType, body, ""), []byte(body))
	wantCode(t, err, sms.CodeUnauthenticated, "missing signature")
	if !errors.Is(err, sms.ErrUnauthenticated) {
		t.Errorf("errors.Is(%v, ErrUnauthenticated) = false", err)
	}
}

func TestNewVerifierErrors(t *testing.T) {
	tok := sms.NewSecret("12345")
	tests := []struct {
		name   string
		origin string
		tokens []sms.Secret
	}{
		{"no tokens", "https://example.com", nil},
		{"only empty tokens", "https://example.com", []sms.Secret{{}, sms.NewSecret("")}},
		{"empty origin", "", []sms.Secret{tok}},
		{"no scheme", "example.com", []sms.Secret{tok}},
		{"other scheme", "ftp://example.com", []sms.Secret{tok}},
		{"query", "https://example.com?x=1", []sms.Secret{tok}},
		{"fragment", "https://example.com#x", []sms.Secret{tok}},
		{"user info", "https://u:p@example.com", []sms.Secret{tok}},
		{"no host", "https:///path", []sms.Secret{tok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(tt.origin, tt.tokens...)
			if v != nil {
				t.Fatalf("NewVerifier = %v, want nil", v)
			}
			wantCode(t, err, sms.CodeInvalidArgument, "")
		})
	}
}

// TestVerifyRepeatedKeys: twilio-node/python sign every distinct value sorted, twilio-go the
// first value only; both are accepted, the values in arrival order are not.
func TestVerifyRepeatedKeys(t *testing.T) {
	const (
		token = "12345"
		full  = "https://example.com/cb"
		body  = "b=x&a=2&a=1&a=2"
	)
	sig := func(s string) string {
		m := hmac.New(sha1.New, []byte(token))
		m.Write([]byte(full + s))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	nodeSig := sig("a1a2bx")
	if got := Sign(token, full, url.Values{"b": {"x"}, "a": {"2", "1", "2"}}); got != nodeSig {
		t.Fatalf("Sign = %q, want the twilio-node form %q", got, nodeSig)
	}
	v := mustVerifier(t, "https://example.com", token)
	for _, tt := range []struct {
		name, sig string
		valid     bool
	}{
		{"twilio-node and twilio-python: distinct values sorted", nodeSig, true},
		{"twilio-go: first value", sig("a2bx"), true},
		{"arrival order", sig("a2a1a2bx"), false},
		{"last value", sig("a1bx"), false},
	} {
		err := v.Verify(signedRequest(t, "POST", full, formType, body, tt.sig), []byte(body))
		if (err == nil) != tt.valid {
			t.Errorf("%s: Verify = %v, want valid=%v", tt.name, err, tt.valid)
		}
	}
}

// TestVerifyQueryNotParams: query parameters are part of the URL, never appended as
// parameters (r.Form would merge them).
func TestVerifyQueryNotParams(t *testing.T) {
	const full = "https://example.com/cb?smsbridge_ref=order%2F42&x=a+b"
	body := "MessageSid=SM1&MessageStatus=sent"
	v := mustVerifier(t, "https://example.com", "12345")
	good := Sign("12345", full, url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"sent"}})
	merged := Sign("12345", full, url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"sent"}, "smsbridge_ref": {"order/42"}, "x": {"a b"}})
	decoded := Sign("12345", "https://example.com/cb?smsbridge_ref=order/42&x=a b", url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"sent"}})
	if err := v.Verify(signedRequest(t, "POST", full, formType, body, good), []byte(body)); err != nil {
		t.Errorf("raw URI: %v", err)
	}
	for name, s := range map[string]string{"query merged into params": merged, "decoded URI": decoded} {
		if err := v.Verify(signedRequest(t, "POST", full, formType, body, s), []byte(body)); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

// TestVerifyOverHTTP checks the raw RequestURI of a real server request, escapes included.
func TestVerifyOverHTTP(t *testing.T) {
	var v *Verifier
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := v.Verify(r, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	v = mustVerifier(t, srv.URL, "12345")
	full := srv.URL + "/twilio/status?smsbridge_ref=a%20b%2Fc&n=%7E"
	body := "MessageSid=SM1&MessageStatus=delivered&To=%2B14155552671"
	p, _ := url.ParseQuery(body)
	for _, tt := range []struct {
		sig  string
		want int
	}{{Sign("12345", full, p), 200}, {Sign("12345", srv.URL+"/twilio/status?smsbridge_ref=a b/c&n=~", p), 401}} {
		req, _ := http.NewRequest("POST", full, strings.NewReader(body))
		req.Header.Set("Content-Type", formType)
		req.Header.Set(SignatureHeader, tt.sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
		}
	}
}

func TestVerifyGETWebhook(t *testing.T) {
	const full = "https://example.com/inbound?MessageSid=SM1&SmsStatus=received&Body=hi&From=%2B14155552671"
	v := mustVerifier(t, "https://example.com", "12345")
	r := signedRequest(t, "GET", full, "", "", Sign("12345", full, nil))
	if err := v.Verify(r, nil); err != nil {
		t.Fatal(err)
	}
}

func TestSignIgnoresFragment(t *testing.T) {
	p := url.Values{"MessageSid": {"SM1"}}
	if a, b := Sign("t", "https://e.com/cb?x=1#rc=3&rp=all", p), Sign("t", "https://e.com/cb?x=1", p); a != b {
		t.Errorf("Sign with fragment %q != without %q", a, b)
	}
	u, _ := SignJSON("t", "https://e.com/cb#rc=3", []byte("{}"))
	if want := "https://e.com/cb?bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"; u != want {
		t.Errorf("SignJSON URL = %q, want %q", u, want)
	}
}

func TestVerifierDoesNotPrintTokens(t *testing.T) {
	v := mustVerifier(t, "https://example.com", "s3cr3t-primary", "s3cr3t-secondary")
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, v); strings.Contains(s, "s3cr3t") {
			t.Errorf("%s prints a token: %s", f, s)
		}
		if s := fmt.Sprintf(f, *v); strings.Contains(s, "s3cr3t") {
			t.Errorf("%s of the value prints a token: %s", f, s)
		}
	}
}

// manyFields is a hostile form of about 1 MiB with 350,000 keys.
func manyFields() string {
	return strings.Repeat("a&", 350_000) + "Body=" + strings.Repeat("x", 1<<20-700_005)
}

// A form with more than MaxFormFields fields is refused before it is decoded or sorted,
// signed or not; one at the limit is verified as usual.
func TestRejectManyFields(t *testing.T) {
	const origin = "https://hooks.example.com"
	v := mustVerifier(t, origin, "12345")
	full := origin + "/twilio"
	for _, body := range []string{manyFields(), strings.Repeat("a=1&", MaxFormFields) + "b=2"} {
		sig := "vOEb5UThFn24KEfnOFLQY2AE5FY="
		if p, err := url.ParseQuery(body); err == nil { // url.ParseQuery refuses 350,000 keys
			sig = Sign("12345", full, p)
		}
		r := signedRequest(t, http.MethodPost, full, formType, body, sig)
		_, err := v.verifyAndParse(r, []byte(body))
		require.Equal(t, sms.CodeUnauthenticated, sms.ErrorCode(err), "too many fields are never verified")
		r.Header.Del(SignatureHeader)
		_, err = v.verifyAndParse(r, []byte(body))
		require.Equal(t, sms.CodeUnauthenticated, sms.ErrorCode(err))
		_, ok := parseForm(body)
		require.False(t, ok)
	}
	body := strings.Repeat("a=1&", MaxFormFields-2) + "MessageSid=SM1&MessageStatus=sent"
	p, _ := url.ParseQuery(body)
	r := signedRequest(t, http.MethodPost, full, formType, body, Sign("12345", full, p))
	cb, err := v.verifyAndParse(r, []byte(body))
	require.NoError(t, err, "MaxFormFields fields are accepted")
	require.Equal(t, sms.EventDeliveryReport, cb.Events[0].Type)
}

// BenchmarkRejectManyFields: a 1 MiB body of 350,000 keys with a (wrong) signature is refused
// as cheaply as a 1 MiB body with one key.
func BenchmarkRejectManyFields(b *testing.B) {
	const origin = "https://hooks.example.com"
	v := mustVerifier(b, origin, "12345")
	for name, body := range map[string]string{
		"350k-keys": manyFields(),
		"one-key":   "Body=" + strings.Repeat("x", 1<<20-5),
	} {
		raw := []byte(body)
		r := signedRequest(b, http.MethodPost, origin+"/twilio", formType, body, "vOEb5UThFn24KEfnOFLQY2AE5FY=")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.verifyAndParse(r, raw); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
