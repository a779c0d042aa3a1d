package infobiptest

import (
	"os"
	"testing"
)

// FuzzParseSend: the send-body parser never panics, and a body it accepts has at least
// one message, each with at least one destination.
func FuzzParseSend(f *testing.F) {
	for _, name := range []string{"v3-minimal.json", "v3-full.json", "v2.json", "node-sdk-send.body"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
		f.Add(b, false)
	}
	f.Add([]byte(`{"messages":[{"destinations":[{}],"content":{"hex":"00"}}]}`), true)
	f.Add([]byte(`{"messages":[{"destinations":[{"to":null}],"text":""}]}`), false)
	f.Fuzz(func(t *testing.T, body []byte, v3 bool) {
		api := V2
		if v3 {
			api = V3
		}
		req, vs := parseSend(api, body)
		if len(vs) > 0 {
			return
		}
		if len(req.specs) == 0 {
			t.Fatalf("accepted %q with no messages", body)
		}
		for _, sp := range req.specs {
			if len(sp.dests) == 0 {
				t.Fatalf("accepted %q with a message without destinations", body)
			}
		}
	})
}
