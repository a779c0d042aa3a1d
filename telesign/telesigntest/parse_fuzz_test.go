package telesigntest

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseSend: the form parser never panics, and a form it accepts has a 7–15 digit
// phone_number, a message and a known message_type.
func FuzzParseSend(f *testing.F) {
	for _, name := range []string{"sdk-tsa-send.wire", "sdk-basic-send.wire"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		if i := strings.Index(string(b), "\r\n\r\n"); i >= 0 {
			f.Add(b[i+4:])
		}
	}
	f.Add([]byte("phone_number=11234567890&message=Your message here.&message_type=MKT"))
	f.Add([]byte("phone_number=15558675309&message=hi&message_type=OTP&external_id=&callback_url=http://x/"))
	f.Add([]byte("phone_number=%zz"))
	f.Fuzz(func(t *testing.T, body []byte) {
		form, code := parseSend(body)
		if code != 0 {
			return
		}
		if len(form.phone) < minPhoneDigits || len(form.phone) > maxPhoneDigits || strings.Trim(form.phone, "0123456789") != "" {
			t.Fatalf("accepted phone_number %q", form.phone)
		}
		if form.message == "" || (form.messageType != "ARN" && form.messageType != "OTP" && form.messageType != "MKT") {
			t.Fatalf("accepted %q", body)
		}
	})
}

// FuzzDecodeKey: lenient key decoding never panics, and a key made of the base64
// alphabet's characters decodes the same with junk characters mixed in.
func FuzzDecodeKey(f *testing.F) {
	f.Add("EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==")
	f.Add(DefaultAPIKey)
	f.Add("a")
	f.Fuzz(func(t *testing.T, key string) {
		a := DecodeKey(key)
		b := DecodeKey(strings.Join(strings.Split(key, ""), "-"))
		if string(a) != string(b) {
			t.Fatalf("junk changed the key %q", key)
		}
	})
}
