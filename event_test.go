package sms_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// deliveryReport is the event of testdata/event_delivery_report.json.
func deliveryReport() sms.Event {
	return sms.Event{
		ID:               "acs:9d3c6a8e-3f0b-4bb0-9a55-1f1c2f0e7b11",
		Type:             sms.EventDeliveryReport,
		Provider:         "acs",
		MessageID:        "Outgoing_20260304050607_abc",
		From:             "+18005550100",
		To:               "+14155550100",
		Status:           sms.StatusUndelivered,
		Code:             sms.CodeOptedOut,
		ErrorCode:        "4007",
		ErrorDescription: "Sender blocked for given recipient.",
		Segments:         2,
		Part:             1,
		Parts:            2,
		Timestamp:        time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		Reference:        "order-42",
		RawStatus:        "Failed",
		Raw:              []byte(`{"deliveryStatus":"Failed","deliveryStatusDetails":"4007: Sender blocked for given recipient."}`),
	}
}

// The JSON form of a delivery report is stable: snake_case keys, enums by name, raw JSON kept
// as JSON. The golden file is the contract; -update rewrites it.
func TestEventJSONGolden(t *testing.T) {
	got, err := json.MarshalIndent(deliveryReport(), "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "event_delivery_report.json")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Fatalf("JSON of a delivery report (-golden +got):\n%s", d)
	}
	var back sms.Event
	require.NoError(t, json.Unmarshal(want, &back))
	if d := cmp.Diff(deliveryReport(), back); d != "" {
		t.Fatalf("golden file decoded (-want +got):\n%s", d)
	}
}

// Every event type survives json.Marshal then json.Unmarshal unchanged, whatever its payload:
// compact JSON, pretty JSON, form text, binary.
func TestEventJSONRoundTrip(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("", -7*3600))
	events := map[string]sms.Event{
		"delivery report": deliveryReport(),
		"inbound": {ID: "twilio:1", Type: sms.EventInbound, Provider: "twilio", MessageID: "SM1", From: "+14155550100",
			To: "+14155550199", Body: "Hello <b>&</b> ✓", MediaURLs: []string{"https://media.example/1.jpg"}, Timestamp: ts,
			Raw: []byte("Body=Hello&From=%2B14155550100")},
		"opt-out by service": {ID: "twilio:2", Type: sms.EventOptOut, Provider: "twilio", From: "+14155550100", Body: "Arrêt",
			Keyword: "STOP", Scope: sms.ScopeService, ScopeID: "MG0123", Raw: []byte{0xff, 0x00, 'x'}},
		"opt-out by sender":  {Type: sms.EventOptOut, From: "+14155550100", ScopeID: "2333", Scope: sms.ScopeSender},
		"opt-in":             {Type: sms.EventOptIn, Keyword: "START", Scope: sms.ScopeAccount},
		"help":               {Type: sms.EventHelp, Keyword: "HELP", Raw: []byte("{\n  \"pretty\": true\n}")},
		"unknown":            {Type: sms.EventUnknown, Provider: "acs", RawStatus: "Weird", Raw: []byte(`"just a string"`)},
		"unknown, html raw":  {Type: sms.EventUnknown, Raw: []byte(`{"a":"<b>"}`)},
		"unknown, raw array": {Type: sms.EventUnknown, Raw: []byte(`[1,2]`)},
	}
	for name, ev := range events {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			var back sms.Event
			require.NoError(t, json.Unmarshal(b, &back), "%s", b)
			if d := cmp.Diff(ev, back); d != "" {
				t.Fatalf("round trip of %s (-want +got):\n%s", b, d)
			}
		})
	}
}

// The three forms of raw: JSON as JSON, text as a string, bytes as base64.
func TestEventJSONRawForms(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want string
	}{
		{`{"a":1}`, `"raw":{"a":1}`},
		{"Body=STOP", `"raw":"Body=STOP"`},
		{"\xff\xfe", `"raw_base64":"//4="`},
		// JSON with invalid UTF-8 in a string: written as "raw" it would make the whole
		// document invalid JSON (RFC 8259 requires UTF-8), so it is bytes.
		{"{\"a\":\"\xff\"}", `"raw_base64":"eyJhIjoi/yJ9"`},
	} {
		b, err := json.Marshal(sms.Event{Type: sms.EventInbound, Raw: []byte(c.raw)})
		require.NoError(t, err)
		require.Contains(t, string(b), c.want)
		require.True(t, utf8.Valid(b), "the JSON is UTF-8: %q", b)
		var back sms.Event
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, c.raw, string(back.Raw))
	}
	var ev sms.Event
	require.Error(t, json.Unmarshal([]byte(`{"type":"delivery"}`), &ev), "an unknown event type is an error")
	require.NoError(t, json.Unmarshal([]byte(`{"type":"delivery_report","status":"new_vendor_word"}`), &ev))
	require.Equal(t, sms.StatusUnknown, ev.Status, "Status is an open set")
}

type textEnum interface {
	String() string
	MarshalText() ([]byte, error)
}

// Every enum prints and marshals its name and parses it back; an unknown name is an error.
func TestEnumText(t *testing.T) {
	check := func(v textEnum, want string, parse func([]byte) (any, error)) {
		t.Helper()
		require.Equal(t, want, v.String())
		b, err := v.MarshalText()
		require.NoError(t, err)
		require.Equal(t, want, string(b))
		back, err := parse(b)
		require.NoError(t, err)
		require.Equal(t, v, back)
		_, err = parse([]byte("no-such-name"))
		require.Error(t, err)
	}
	check(sms.EventOptOut, "opt_out", func(b []byte) (any, error) { var v sms.EventType; return v, v.UnmarshalText(b) })
	check(sms.ScopeService, "service", func(b []byte) (any, error) { var v sms.OptOutScope; err := v.UnmarshalText(b); return v, err })
	check(sms.TypeOTP, "otp", func(b []byte) (any, error) { var v sms.MessageType; err := v.UnmarshalText(b); return v, err })
	check(sms.SenderShortCode, "short_code", func(b []byte) (any, error) { var v sms.SenderType; err := v.UnmarshalText(b); return v, err })
	check(sms.CodeOptedOut, "OptedOut", func(b []byte) (any, error) { var v sms.Code; err := v.UnmarshalText(b); return v, err })
	check(sms.UnitUTF16, "utf16_units", func(b []byte) (any, error) { var v sms.BodyUnit; err := v.UnmarshalText(b); return v, err })

	var st sms.Status
	require.NoError(t, st.UnmarshalText([]byte("delivered")))
	require.Equal(t, sms.StatusDelivered, st)
	require.NoError(t, st.UnmarshalText([]byte("no-such-name")), "Status is an open set")
	require.Equal(t, sms.StatusUnknown, st)

	_, err := sms.OptOutScope(7).MarshalText()
	require.Error(t, err, "a value without a name does not marshal")
}

// Decoding any input never panics, and an event that decodes marshals to valid UTF-8 JSON
// that decodes to the same event.
func FuzzEventJSONUnmarshal(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "event_delivery_report.json"))
	require.NoError(f, err)
	f.Add(golden)
	f.Add([]byte(`{"type":"opt_out","scope":"service","raw":"Body=STOP"}`))
	f.Add([]byte(`{"type":"inbound","raw_base64":"//4=","timestamp":"2026-01-02T03:04:05.0000006-07:00"}`))
	f.Add([]byte(`{"type":"unknown","raw":[1, 2, {"a": "<b>"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var ev sms.Event
		if json.Unmarshal(in, &ev) != nil {
			return
		}
		out, err := json.Marshal(ev)
		require.NoError(t, err, "a decoded event marshals")
		require.True(t, utf8.Valid(out) && json.Valid(out), "marshalled event is valid UTF-8 JSON: %q", out)
		var back sms.Event
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		if d := cmp.Diff(ev, back, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("%s decoded, marshalled as %s, decoded again (-first +second):\n%s", in, out, d)
		}
	})
}

// Any raw payload and text fields survive a round trip byte for byte, and the JSON is valid
// UTF-8.
func FuzzEventJSONRaw(f *testing.F) {
	f.Add([]byte(`{"deliveryStatus":"Failed"}`), "Hello")
	f.Add([]byte("Body=STOP&From=%2B1"), "STOP")
	f.Add([]byte{0xff, 0xfe}, "")
	f.Add([]byte(`{"a":"\u00e9"}`), "é")
	f.Fuzz(func(t *testing.T, raw []byte, body string) {
		if !utf8.ValidString(body) {
			body = strings.ToValidUTF8(body, "\uFFFD")
		}
		ev := sms.Event{Type: sms.EventInbound, Body: body, Raw: raw}
		out, err := json.Marshal(ev)
		require.NoError(t, err)
		require.True(t, utf8.Valid(out) && json.Valid(out), "marshalled event is valid UTF-8 JSON: %q", out)
		var back sms.Event
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		if d := cmp.Diff(ev, back, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("round trip of %q as %s (-want +got):\n%s", raw, out, d)
		}
	})
}
