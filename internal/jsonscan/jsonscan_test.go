package jsonscan_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/internal/jsonscan"
)

var seeds = []string{
	`{"account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "api_version": "2010-04-01", "body": "Hello! 👍", "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "error_code": null, "from": "+14155552345", "num_media": "0", "num_segments": "1", "price": null, "sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "status": "queued", "subresource_uris": {"media": "/x/Media.json"}, "to": "+14155552345", "uri": "/x.json"}`,
	`{"sid":"SM\u0031\"x","status":"acc\\epted","num_segments":2}`,
	`{"sid":"a","sid":"b"}`, `{"SID":"x"}`, `{}`, ` { } `, `[]`, `"x"`, `{"sid":"a"`, `{"sid":"a",}`, `{"a":[1,2,{"b":null}],"sid":"\ud83d\ude00"}`,
	`{"sid":"\ud800"}`, `{"a":-0.5e+10,"b":01}`, `{"a":1.}`, `{"a":"\x01"}`, `{"sid":"` + "\xff" + `"}`, `{"a":tru}`, `{"a":[}`, `{"sid":null}`,
	`{"s\u0069d":"escaped key"}`, `{"sid":"a","sid":1}`, "\t{\"sid\" : \"x\" }\n", `{"sid":"x"} {}`, `1`, `-`, `[1,]`,
}

var keys = []string{"sid", "status", "num_segments"}

// FuzzStringFields checks StringFields and Valid against encoding/json on any input.
func FuzzStringFields(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := jsonscan.Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
		var got [3]string
		ok := jsonscan.StringFields(b, keys, []*string{&got[0], &got[1], &got[2]})
		var m map[string]json.RawMessage
		wantOK := json.Valid(b) && json.Unmarshal(b, &m) == nil && m != nil
		if ok != wantOK {
			t.Fatalf("ok=%v, encoding/json says %v for %q", ok, wantOK, b)
		}
		if !ok {
			return
		}
		var want [3]string
		for i, k := range keys {
			if raw, has := m[k]; has {
				_ = json.Unmarshal(raw, &want[i]) // a value that is not a string stays ""
			}
		}
		if got != want {
			t.Fatalf("%q: got %q, want %q", b, got, want)
		}
	})
}

func TestStringFieldsSeeds(t *testing.T) {
	var sid, status string
	require.True(t, jsonscan.StringFields([]byte(seeds[0]), []string{"sid", "status"}, []*string{&sid, &status}))
	require.Equal(t, "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", sid)
	require.Equal(t, "queued", status)

	require.True(t, jsonscan.StringFields([]byte(`{"sid":"a","sid":"b"}`), []string{"sid"}, []*string{&sid}))
	require.Equal(t, "b", sid, "the last duplicate wins, as encoding/json does")

	require.True(t, jsonscan.StringFields([]byte(`{"sid":"a","sid":7}`), []string{"sid"}, []*string{&sid}))
	require.Empty(t, sid, "a later value that is not a string clears the field")

	require.False(t, jsonscan.StringFields([]byte(`[]`), []string{"sid"}, []*string{&sid}), "not an object")
	require.False(t, jsonscan.Valid([]byte(strings.Repeat("[", jsonscan.MaxDepth+2)+strings.Repeat("]", jsonscan.MaxDepth+2))))
}

func ExampleStringFields() {
	var sid, status string
	ok := jsonscan.StringFields([]byte(`{"sid":"SM1","status":"queued","num_media":"0"}`),
		[]string{"sid", "status"}, []*string{&sid, &status})
	fmt.Println(ok, sid, status)
	// Output: true SM1 queued
}

// BenchmarkStringFields compares reading three fields of a Twilio message resource with
// json.Unmarshal into a struct with the same three fields.
func BenchmarkStringFields(b *testing.B) {
	body := []byte(seeds[0])
	b.Run("StringFields", func(b *testing.B) {
		b.ReportAllocs()
		var sid, status, segs string
		dst := []*string{&sid, &status, &segs}
		for b.Loop() {
			if !jsonscan.StringFields(body, keys, dst) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m struct {
				SID         string `json:"sid"`
				Status      string `json:"status"`
				NumSegments string `json:"num_segments"`
			}
			if err := json.Unmarshal(body, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
