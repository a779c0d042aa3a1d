package twilio

import (
	"encoding/json"
	"testing"
)

// resourceSeeds are a created message (Twilio's spec example) and the shapes decodeCreated
// itself decides on; internal/jsonscan's own fuzz target covers the scanner.
var resourceSeeds = []string{
	`{"account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "api_version": "2010-04-01", "body": "Hello! 👍", "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "error_code": null, "from": "+14155552345", "num_media": "0", "num_segments": "1", "price": null, "sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "status": "queued", "subresource_uris": {"media": "/x/Media.json"}, "to": "+14155552345", "uri": "/x.json"}`,
	`{"sid":"SM1","status":null,"num_segments":2}`, `{"SID":"x"}`, `[]`, `{"sid":"a"`,
}

// FuzzDecodeCreated checks decodeCreated against encoding/json on any input: the wiring of
// the three keys to their fields.
func FuzzDecodeCreated(f *testing.F) {
	for _, s := range resourceSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := decodeCreated(b)
		var m map[string]json.RawMessage
		wantOK := json.Valid(b) && json.Unmarshal(b, &m) == nil && m != nil
		if ok != wantOK {
			t.Fatalf("ok=%v, encoding/json says %v for %q", ok, wantOK, b)
		}
		if !ok {
			return
		}
		field := func(k string) string {
			var s string
			if raw, has := m[k]; has && json.Unmarshal(raw, &s) == nil {
				return s
			}
			return ""
		}
		want := createdFields{SID: field("sid"), Status: field("status"), NumSegments: field("num_segments")}
		if got != want {
			t.Fatalf("%q: got %+v, want %+v", b, got, want)
		}
	})
}

func BenchmarkDecodeCreated(b *testing.B) {
	body := []byte(resourceSeeds[0])
	b.Run("decodeCreated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			decodeCreated(body)
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m messageResource
			_ = json.Unmarshal(body, &m)
		}
	})
}
