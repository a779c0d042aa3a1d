package linkmobilitytest

import (
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzParseSend: the send and batch parsers never panic, and what they accept has the
// platform ids, a valid source and a "+" destination with BMP text.
func FuzzParseSend(f *testing.F) {
	for _, name := range []string{"send-request.json", "batch-request.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"platformId":"0","platformPartnerId":"0","source":"LINK","destination":"+4799999999","userData":"x","customParameters":{"a":1}}`))
	f.Add([]byte(`{"platformId":"0","platformPartnerId":"0","absoluteValidityTime":"2026-01-01T01:00:00Z"}`))
	f.Add([]byte(`[`))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	check := func(t *testing.T, it sendItem) {
		if !validSource(it.SourceTON, it.Source) || !validMSISDN(it.Destination) {
			t.Fatalf("accepted source %q/%s destination %q", it.Source, it.SourceTON, it.Destination)
		}
		if it.UserData != nil && strings.ContainsFunc(*it.UserData, func(r rune) bool { return r > 0xFFFF }) {
			t.Fatalf("accepted non-BMP userData %q", *it.UserData)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, ref := parseSend(body, now); ref == nil {
			if r.common.PlatformID == nil || *r.common.PlatformID == "" {
				t.Fatal("accepted without platformId")
			}
			check(t, r.item)
		}
		if r, ref := parseBatch(body, now); ref == nil {
			if len(r.SendRequestMessages) == 0 || len(r.SendRequestMessages) > MaxBatch {
				t.Fatalf("accepted %d items", len(r.SendRequestMessages))
			}
			for _, it := range r.SendRequestMessages {
				check(t, it)
			}
		}
	})
}
