package sms_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/smsbridge/sms"
)

// segBasicTable is the GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1) in code
// order: rune i is the character with GSM code i. Code 0x1B is the escape to the
// extension table, not a character; it holds a placeholder (U+001B) that
// segRefCost leaves out.
const segBasicTable = "@£$¥èéùìòÇ\nØø\rÅå" + // 0x00–0x0F
	"Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ" + // 0x10–0x1F
	" !\"#¤%&'()*+,-./" + // 0x20–0x2F
	"0123456789:;<=>?" + // 0x30–0x3F
	"¡ABCDEFGHIJKLMNO" + // 0x40–0x4F
	"PQRSTUVWXYZÄÖÑÜ§" + // 0x50–0x5F
	"¿abcdefghijklmno" + // 0x60–0x6F
	"pqrstuvwxyzäöñüà" // 0x70–0x7F

// segExtTable is the GSM 03.38 default extension table (TS 23.038 §6.2.1.1): GSM code
// after the escape → character. Each costs 2 septets.
var segExtTable = map[byte]rune{
	0x0A: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2F: '\\',
	0x3C: '[', 0x3D: '~', 0x3E: ']', 0x40: '|', 0x65: '€',
}

// segRefCost is the reference GSM-7 cost of every encodable rune, built from the two
// tables above independently of the implementation's lookup tables.
var segRefCost = func() map[rune]int {
	m := make(map[rune]int, 140)
	for i, r := range []rune(segBasicTable) {
		if i != 0x1B {
			m[r] = 1
		}
	}
	for _, r := range segExtTable {
		m[r] = 2
	}
	return m
}()

// segAllBasic is every basic-table character (127, the escape slot left out).
var segAllBasic = strings.Replace(segBasicTable, "\x1b", "", 1)

func TestSegGSMTables(t *testing.T) {
	rs := []rune(segBasicTable)
	if len(rs) != 128 {
		t.Fatalf("basic table has %d runes, want 128", len(rs))
	}
	// Spot checks against the code chart of TS 23.038.
	for code, want := range map[int]rune{
		0x00: '@', 0x01: '£', 0x02: '$', 0x09: 'Ç', 0x0A: '\n', 0x0D: '\r', 0x10: 'Δ',
		0x11: '_', 0x1A: 'Ξ', 0x1B: 0x1B, 0x1C: 'Æ', 0x1F: 'É', 0x20: ' ', 0x24: '¤',
		0x40: '¡', 0x41: 'A', 0x5B: 'Ä', 0x5F: '§', 0x60: '¿', 0x61: 'a', 0x7B: 'ä', 0x7F: 'à',
	} {
		if rs[code] != want {
			t.Errorf("basic table code %#02x = %q, want %q", code, rs[code], want)
		}
	}
	if n := len(segRefCost); n != 137 {
		t.Errorf("reference table has %d runes, want 127 basic + 10 extension", n)
	}
	if got := utf8.RuneCountInString(segAllBasic); got != 127 {
		t.Errorf("segAllBasic has %d runes, want 127", got)
	}
}

// TestSegEveryRune checks IsGSM7 and the per-rune cost of CountSegments for every
// Unicode scalar value against the reference tables.
func TestSegEveryRune(t *testing.T) {
	var buf [utf8.UTFMax]byte
	gsm := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue // surrogate halves
		}
		s := string(utf8.AppendRune(buf[:0], r))
		cost, inGSM := segRefCost[r]
		if got := sms.IsGSM7(s); got != inGSM {
			t.Errorf("IsGSM7(%U) = %v, want %v", r, got, inGSM)
			continue
		}
		info := sms.CountSegments(s)
		want := sms.SegmentInfo{Encoding: sms.EncodingGSM7, Units: cost, Segments: 1, PerSegment: 160, Remaining: 160 - cost}
		if inGSM {
			gsm++
		} else {
			n := utf16.RuneLen(r)
			want = sms.SegmentInfo{Encoding: sms.EncodingUCS2, Units: n, Segments: 1, PerSegment: 70, Remaining: 70 - n}
		}
		if info != want {
			t.Errorf("CountSegments(%U) = %+v, want %+v", r, info, want)
		}
	}
	if gsm != 137 {
		t.Errorf("%d runes are GSM-7, want 137", gsm)
	}
}

// segGoldenCase is one golden expectation, computed by hand from TS 23.038 / 23.040.
type segGoldenCase struct {
	name  string
	body  string
	enc   sms.Encoding
	units int // septets (GSM-7) or UTF-16 code units (UCS-2)
	segs  int
	per   int // PerSegment
	rem   int // Remaining
}

func segRep(s string, n int) string { return strings.Repeat(s, n) }

const (
	segG = sms.EncodingGSM7
	segU = sms.EncodingUCS2
)

// segGolden: "a" is a 1-septet basic character, "€" a 2-septet extension character,
// "Ж" (Cyrillic) a 1-unit UCS-2 character, "😀" a 2-unit surrogate pair.
var segGolden = []segGoldenCase{
	{"empty", "", segG, 0, 0, 160, 160},
	{"one_char", "a", segG, 1, 1, 160, 159},
	{"ascii_sentence", "Hello, world!", segG, 13, 1, 160, 147},
	{"gsm_160", segRep("a", 160), segG, 160, 1, 160, 0},
	{"gsm_161", segRep("a", 161), segG, 161, 2, 153, 145},
	{"gsm_306", segRep("a", 306), segG, 306, 2, 153, 0},
	{"gsm_307", segRep("a", 307), segG, 307, 3, 153, 152},
	{"gsm_459", segRep("a", 459), segG, 459, 3, 153, 0},
	{"gsm_460", segRep("a", 460), segG, 460, 4, 153, 152},
	{"gsm_1600", segRep("a", 1600), segG, 1600, 11, 153, 83},

	// The ten extension-table characters, one at a time.
	{"ext_caret", "^", segG, 2, 1, 160, 158},
	{"ext_lbrace", "{", segG, 2, 1, 160, 158},
	{"ext_rbrace", "}", segG, 2, 1, 160, 158},
	{"ext_backslash", `\`, segG, 2, 1, 160, 158},
	{"ext_lbracket", "[", segG, 2, 1, 160, 158},
	{"ext_tilde", "~", segG, 2, 1, 160, 158},
	{"ext_rbracket", "]", segG, 2, 1, 160, 158},
	{"ext_pipe", "|", segG, 2, 1, 160, 158},
	{"ext_euro_alone", "€", segG, 2, 1, 160, 158},
	{"ext_form_feed", "\f", segG, 2, 1, 160, 158},
	{"all_extension", "^{}\\[~]|€\f", segG, 20, 1, 160, 140},
	{"form_feed_in_text", "a\fb", segG, 4, 1, 160, 156},

	// Escape pairs at the segment limits.
	{"basic158_ext_160", segRep("a", 158) + "€", segG, 160, 1, 160, 0},
	{"basic159_ext_161", segRep("a", 159) + "€", segG, 161, 2, 153, 145},
	{"ext_fills_part1", segRep("a", 151) + "€" + segRep("a", 10), segG, 163, 2, 153, 143},
	{"ext_straddles_153", segRep("a", 152) + "€" + segRep("a", 10), segG, 164, 2, 153, 141},
	{"ext_straddle_adds_part", segRep("a", 152) + "€" + segRep("a", 152), segG, 306, 3, 153, 152},
	{"euro_80", segRep("€", 80), segG, 160, 1, 160, 0},
	{"euro_81", segRep("€", 81), segG, 162, 2, 153, 143},
	{"euro_153", segRep("€", 153), segG, 306, 3, 153, 151},
	{"euro_800", segRep("€", 800), segG, 1600, 11, 153, 73},

	// Basic-table non-ASCII characters stay GSM-7.
	{"basic_e_acute", "é", segG, 1, 1, 160, 159},
	{"basic_A_umlaut", "Ä", segG, 1, 1, 160, 159},
	{"basic_sharp_s", "ß", segG, 1, 1, 160, 159},
	{"basic_delta", "Δ", segG, 1, 1, 160, 159},
	{"basic_C_cedilla_upper", "Ça va", segG, 5, 1, 160, 155},
	{"greek_capitals", "ΔΦΓΛΩΠΨΣΘΞ", segG, 10, 1, 160, 150},
	{"all_basic", segAllBasic, segG, 127, 1, 160, 33},
	{"lf_cr", "a\nb\r", segG, 4, 1, 160, 156},

	// Characters outside both tables force UCS-2.
	{"c_cedilla_lower", "ç", segU, 1, 1, 70, 69},
	{"c_cedilla_lower_text", "ça va", segU, 5, 1, 70, 65},
	{"greek_lowercase", "α", segU, 1, 1, 70, 69},
	{"ohm_sign_not_omega", "\u2126", segU, 1, 1, 70, 69},
	{"decomposed_e_acute", "e\u0301", segU, 2, 1, 70, 68},
	{"nbsp", "a\u00a0b", segU, 3, 1, 70, 67},
	{"smart_quote", "It’s", segU, 4, 1, 70, 66},
	{"backtick", "`", segU, 1, 1, 70, 69},
	{"tab", "\t", segU, 1, 1, 70, 69},
	{"escape_control", "\x1b", segU, 1, 1, 70, 69},
	{"nul", "\x00", segU, 1, 1, 70, 69},
	{"del", "\x7f", segU, 1, 1, 70, 69},
	{"euro_in_ucs2", "€😀", segU, 3, 1, 70, 67},
	{"gsm_then_emoji", segRep("a", 159) + "😀", segU, 161, 3, 67, 40},

	// UCS-2 lengths.
	{"ucs2_70", segRep("Ж", 70), segU, 70, 1, 70, 0},
	{"ucs2_71", segRep("Ж", 71), segU, 71, 2, 67, 63},
	{"ucs2_134", segRep("Ж", 134), segU, 134, 2, 67, 0},
	{"ucs2_135", segRep("Ж", 135), segU, 135, 3, 67, 66},
	{"cjk", "你好世界", segU, 4, 1, 70, 66},
	{"cjk_ext_b", "𠀀", segU, 2, 1, 70, 68},
	{"arabic", "مرحبا", segU, 5, 1, 70, 65},

	// Surrogate pairs.
	{"emoji", "😀", segU, 2, 1, 70, 68},
	{"mixed_gsm_emoji", "Hello 😀", segU, 8, 1, 70, 62},
	{"zwj_family", "👨‍👩‍👧", segU, 8, 1, 70, 62},
	{"flag", "🇫🇷", segU, 4, 1, 70, 66},
	{"emoji_35", segRep("😀", 35), segU, 70, 1, 70, 0},
	{"emoji_36", segRep("😀", 36), segU, 72, 2, 67, 61},
	{"emoji_67", segRep("😀", 67), segU, 134, 3, 67, 65},
	{"ucs2_69_plus_emoji", segRep("Ж", 69) + "😀", segU, 71, 2, 67, 63},
	{"emoji_straddles_67", segRep("Ж", 66) + "😀" + segRep("Ж", 3), segU, 71, 2, 67, 62},
	{"emoji_straddle_adds_part", segRep("Ж", 66) + "😀" + segRep("Ж", 66), segU, 134, 3, 67, 66},

	// Invalid UTF-8: each bad byte is one U+FFFD.
	{"invalid_byte", "\xff", segU, 1, 1, 70, 69},
	{"invalid_in_gsm", "a\xffb", segU, 3, 1, 70, 67},
	{"truncated_euro", "\xe2\x82", segU, 2, 1, 70, 68},
	{"encoded_surrogate", "\xed\xa0\x80", segU, 3, 1, 70, 67},
	{"replacement_char", "\uFFFD", segU, 1, 1, 70, 69},
}

func TestCountSegmentsGolden(t *testing.T) {
	if len(segGolden) < 45 {
		t.Fatalf("only %d golden cases", len(segGolden))
	}
	seen := map[string]bool{}
	for _, c := range segGolden {
		if seen[c.name] {
			t.Fatalf("duplicate golden case %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			want := sms.SegmentInfo{Encoding: c.enc, Units: c.units, Segments: c.segs, PerSegment: c.per, Remaining: c.rem}
			if got := sms.CountSegments(c.body); got != want {
				t.Errorf("CountSegments = %+v, want %+v", got, want)
			}
			if got := sms.IsGSM7(c.body); got != (c.enc == sms.EncodingGSM7) {
				t.Errorf("IsGSM7 = %v, want %v", got, !got)
			}
			if got := segRefCount(c.body); got != (sms.SegmentInfo{Encoding: c.enc, Units: c.units, Segments: c.segs, PerSegment: c.per, Remaining: c.rem}) {
				t.Errorf("reference model = %+v disagrees with the golden case", got)
			}
		})
	}
}

// segRefCount is a slow, allocation-heavy reference model: it lists the per-character
// costs from the reference tables and fills parts one character at a time.
func segRefCount(body string) sms.SegmentInfo {
	enc, single, multi := sms.EncodingGSM7, 160, 153
	var costs []int
	for _, r := range body { // invalid bytes arrive as utf8.RuneError
		c, ok := segRefCost[r]
		if !ok {
			enc, single, multi = sms.EncodingUCS2, 70, 67
			costs = costs[:0]
			for _, r := range body {
				costs = append(costs, utf16.RuneLen(r))
			}
			break
		}
		costs = append(costs, c)
	}
	total := 0
	for _, c := range costs {
		total += c
	}
	switch {
	case total == 0:
		return sms.SegmentInfo{Encoding: enc, PerSegment: single, Remaining: single}
	case total <= single:
		return sms.SegmentInfo{Encoding: enc, Units: total, Segments: 1, PerSegment: single, Remaining: single - total}
	}
	parts := [][]int{nil}
	fill := 0
	for _, c := range costs {
		if fill+c > multi { // the character does not fit whole: start a new part
			parts = append(parts, nil)
			fill = 0
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], c)
		fill += c
	}
	return sms.SegmentInfo{Encoding: enc, Units: total, Segments: len(parts), PerSegment: multi, Remaining: multi - fill}
}

func TestEncodingString(t *testing.T) {
	for e, want := range map[sms.Encoding]string{
		sms.EncodingGSM7: "GSM-7",
		sms.EncodingUCS2: "UCS-2",
		0:                "Encoding(0)",
		7:                "Encoding(7)",
	} {
		if got := e.String(); got != want {
			t.Errorf("Encoding(%d).String() = %q, want %q", int(e), got, want)
		}
	}
}

var (
	segSink     sms.SegmentInfo
	segBoolSink bool
)

func TestCountSegmentsNoAlloc(t *testing.T) {
	bodies := make([]string, 0, len(segGolden))
	for _, c := range segGolden {
		bodies = append(bodies, c.body)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, b := range bodies {
			segSink = sms.CountSegments(b)
			segBoolSink = sms.IsGSM7(b)
		}
	})
	if allocs != 0 {
		t.Errorf("CountSegments/IsGSM7 allocate %.1f times per run, want 0", allocs)
	}
}

func FuzzCountSegments(f *testing.F) {
	for _, c := range segGolden {
		f.Add(c.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		info := sms.CountSegments(body)
		if (info.Segments == 0) != (body == "") {
			t.Fatalf("Segments = %d for a body of %d bytes", info.Segments, len(body))
		}
		// Holds for invalid UTF-8 too: an invalid byte is U+FFFD, which is not GSM-7.
		if gsm := sms.IsGSM7(body); gsm != (info.Encoding == sms.EncodingGSM7) {
			t.Fatalf("IsGSM7 = %v but Encoding = %v", gsm, info.Encoding)
		}
		switch info.Encoding {
		case sms.EncodingGSM7:
			sum := 0
			for _, r := range body {
				c, ok := segRefCost[r]
				if !ok {
					t.Fatalf("GSM-7 body has non-GSM rune %U", r)
				}
				sum += c
			}
			if info.Units != sum {
				t.Fatalf("Units = %d, sum of septet costs = %d", info.Units, sum)
			}
		case sms.EncodingUCS2:
			if n := len(utf16.Encode([]rune(body))); info.Units != n {
				t.Fatalf("Units = %d, UTF-16 length = %d", info.Units, n)
			}
		default:
			t.Fatalf("Encoding = %v", info.Encoding)
		}
		if info.Segments*info.PerSegment < info.Units {
			t.Fatalf("%d segments × %d < %d units", info.Segments, info.PerSegment, info.Units)
		}
		if info.Remaining < 0 || info.Remaining > info.PerSegment {
			t.Fatalf("Remaining = %d, PerSegment = %d", info.Remaining, info.PerSegment)
		}
		if want := segRefCount(body); info != want {
			t.Fatalf("CountSegments = %+v, reference model = %+v", info, want)
		}
	})
}

func BenchmarkCountSegments(b *testing.B) {
	for _, bc := range []struct{ name, body string }{
		{"gsm7_160_ascii", segRep("Hello, world! ", 12)[:160]},
		{"ucs2_70_emoji", segRep("😀", 70)},
		{"gsm7_1600_ascii_multipart", segRep("a", 1600)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				segSink = sms.CountSegments(bc.body)
			}
		})
		// Baseline: the character count a caller would otherwise take as "the length".
		b.Run(bc.name+"/baseline-RuneCount", func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				segRuneSink = utf8.RuneCountInString(bc.body)
			}
		})
	}
}

var segRuneSink int

func ExampleCountSegments() {
	for _, body := range []string{
		"Hello, world!",
		"Price: 5€",              // € is in the extension table: 2 septets
		"Ça va? ça va.",          // lowercase ç is not GSM-7
		"Hi 👋",                   // a surrogate pair: 2 UTF-16 units
		strings.Repeat("x", 161), // multipart: 153 septets per part
	} {
		info := sms.CountSegments(body)
		fmt.Printf("%s units=%d segments=%d remaining=%d\n", info.Encoding, info.Units, info.Segments, info.Remaining)
	}
	// Output:
	// GSM-7 units=13 segments=1 remaining=147
	// GSM-7 units=10 segments=1 remaining=150
	// UCS-2 units=13 segments=1 remaining=57
	// UCS-2 units=5 segments=1 remaining=65
	// GSM-7 units=161 segments=2 remaining=145
}
