package redisstore

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
)

// decodeState reads what the server answers, which another version of this package (or a
// person with redis-cli) may have written: it never panics, and it either fails or returns a
// state whose statuses are all ones this version names.
func FuzzDecodeState(f *testing.F) {
	file, err := os.Open("testdata/partstates.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		st, err := decodeState(strings.Fields(line))
		if err != nil {
			return
		}
		for part, s := range st.Statuses {
			if sms.ParseStatus(s.String()) != s {
				t.Fatalf("part %d: status %v is not one this version names", part, s)
			}
		}
		_ = st.Status()
	})
}

func TestDecodeState(t *testing.T) {
	for _, tc := range []struct {
		line     string
		parts    int
		folded   sms.Status
		statuses map[int]sms.Status
		bad      bool
	}{
		{line: "n 2 p1 delivered p2 sent f sent", parts: 2, folded: sms.StatusSent, statuses: map[int]sms.Status{1: sms.StatusDelivered, 2: sms.StatusSent}},
		{line: "p1 frobnicated", statuses: map[int]sms.Status{1: sms.StatusUnknown}},
		{line: "n x p1 sent", bad: true},
		{line: "n 2 pz sent", bad: true},
	} {
		t.Run(tc.line, func(t *testing.T) {
			st, err := decodeState(strings.Fields(tc.line))
			if tc.bad {
				if err == nil {
					t.Fatalf("want an error, got %+v", st)
				}
				return
			}
			if err != nil || st.Parts != tc.parts || st.Folded != tc.folded || len(st.Statuses) != len(tc.statuses) {
				t.Fatalf("got %+v, %v", st, err)
			}
			for k, v := range tc.statuses {
				if st.Statuses[k] != v {
					t.Fatalf("part %d: got %v want %v", k, st.Statuses[k], v)
				}
			}
		})
	}
}
