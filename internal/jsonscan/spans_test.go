package jsonscan

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMembersAndItems(t *testing.T) {
	b := []byte(` {"a" : [1, "x]", {"k":"}"}, [2,[3]], null] , "RESULTS":true, "r\u0065sults":{} } `)
	i := SkipSpace(b, 0)
	var keys []string
	var items []string
	end := Members(b, i, func(key []byte, v int) {
		keys = append(keys, string(key))
		if b[v] == '[' {
			Items(b, v, func(s int) (int, bool) {
				e := SkipValue(b, s)
				items = append(items, string(b[s:e]))
				return e, true
			})
		}
	})
	require.Equal(t, []string{`"a"`, `"RESULTS"`, `"r\u0065sults"`}, keys)
	require.Equal(t, []string{`1`, `"x]"`, `{"k":"}"}`, `[2,[3]]`, `null`}, items)
	require.Equal(t, len(b)-1, end, "just past the object")
	require.True(t, KeyIs([]byte(`"RESULTS"`), "results"))
	require.True(t, KeyIs([]byte(`"r\u0065sults"`), "results"))
	require.False(t, KeyIs([]byte(`"result"`), "results"))
	require.False(t, KeyIs([]byte(`"data"`), "results"))
}

func TestItemsStopsEarly(t *testing.T) {
	b := []byte(`[1,2,3]`)
	n := 0
	Items(b, 0, func(s int) (int, bool) { n++; return SkipValue(b, s), n < 2 })
	require.Equal(t, 2, n)
}

// Every item span of a valid array is exactly the bytes encoding/json gives each item, and
// malformed input never makes an index leave the buffer.
func FuzzItems(f *testing.F) {
	for _, s := range []string{`[]`, `[1,"a",{"b":[1,2]},[],null,true]`, `[{"x":"\"]"}]`, `[`, `["`, `[{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '[' {
			return
		}
		var got []json.RawMessage
		Items(b, 0, func(s int) (int, bool) {
			e := SkipValue(b, s)
			if e < s || e > len(b) {
				t.Fatalf("span %d..%d out of %d", s, e, len(b))
			}
			got = append(got, json.RawMessage(b[s:e]))
			return e, true
		})
		var want []json.RawMessage
		if json.Unmarshal(b, &want) != nil {
			return
		}
		require.Equal(t, len(want), len(got))
		for i := range want {
			require.JSONEq(t, string(want[i]), string(got[i]))
		}
	})
}
