package telesign

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseCallbackSameAsEnvelope: decodeCallback (the fast scan, or callbackBody through
// encoding/json) reads every body exactly as json.Unmarshal into envelope does — the decoding
// it replaced — field for field, with the same refusals (a syntax error; a field of an
// unexpected type is tolerated by both). parseCallback builds the event from either alike.
func FuzzParseCallbackSameAsEnvelope(f *testing.F) {
	seeds(f, "dlr-delivered.json", "dlr-bulk-failure.json", "dlr-rfc1123.json",
		"inbound-start.json", "inbound-arret.json", "inbound-generic.json")
	for _, s := range []string{
		`{"status":"x","user_response":[],"errors":[1]}`,
		`{"status":{"code":"2e9"},"additional_info":{"message_parts_count":"-1"}}`,
		`{"reference_id":"A","status":{"code":207},"external_id":"x","external_id":null}`,
		`{"reference_id":"A","status":{"code":200},"additional_info":{"message_parts_count":2,"sender_id":"1415"},"additional_info":null}`,
		`{"reference_id":"A","status":{"code":200},"additional_info":5,"external_id":7,"sub_resource":1}`,
		`{"reference_id":"A","status":{"code":200},"Additional_Info":{"Cleansed_Phone_Number":"14155550100"},"EXTERNAL_ID":"r"}`,
		`{"reference_id":"A","status":{"code":200},"additional_info":[],"external_id":{}}`,
		`{"reference_id":"A","status":null,"user_response":null}`,
		`{"reference_id":"A","status":{"code":500},"errors":[{"code":"10031","description":"d"}]}`,
		`null`, ` [1]`, `{"a":1}x`, `"null"`,
		`{"reference_id":null,"status":null,"additional_info":null,"user_response":null,"external_id":null,"errors":null}`,
		`{"reference_id":"A","status":{"code":"203","x":[1,{"y":null}]},"sub_resource":"sms","errors":{}}`,
		`{"reference_\u0069d":"A","STATUS":{"Code":"5"},"status":{"code":-0,"code":1e2}}`,
		`{"reference_id":"A\u00e9\ud800","user_response":{"action":"STOP","keyword":" arr\u00eat ","mo_message":"x"}}`,
		"{\"reference_id\":\"A\xff\",\"status\":{\"code\":\"\",\"description\":\"\xc3\"}}",
	} {
		f.Add([]byte(s))
	}
	refused := func(err error) bool {
		var te *json.UnmarshalTypeError
		return err != nil && !errors.As(err, &te)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got callbackBody
		gerr := decodeCallback(body, &got)
		var e envelope
		werr := json.Unmarshal(body, &e)
		if refused(gerr) != refused(werr) {
			t.Fatalf("error %v, envelope decoding %v", gerr, werr)
		}
		if refused(gerr) {
			return
		}
		want := e.callback()
		// errors is read only through its first entry.
		if !reflect.DeepEqual(got.firstError(), want.firstError()) {
			t.Fatalf("first error %+v, envelope decoding %+v", got.firstError(), want.firstError())
		}
		got.Errors, want.Errors = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded\n%+v\nenvelope decoding\n%+v", got, want)
		}
	})
}

// scanCallback takes the common callbacks itself and leaves every shape it does not reproduce
// to encoding/json.
func TestScanCallbackTakesCommonShapes(t *testing.T) {
	for _, c := range []struct {
		body string
		fast bool
	}{
		{"dlr-delivered.json", true},
		{"dlr-rfc1123.json", true},
		{"inbound-generic.json", true},
		{"inbound-start.json", true},
		{`{"reference_id":"A","status":{"code":"203","x":[1,{"y":null}]},"sub_resource":"sms"}`, true},
		{`{"reference_id":null,"status":null,"additional_info":null,"user_response":null,"external_id":null,"errors":null}`, true},
		{`{"reference_id":"A","errors":[{"code":1}]}`, true},
		{`{"reference_id":"A","Status":{"code":200}}`, false},
		{`{"reference_id":"A","reference_id":"B"}`, false},
		{`{"reference_id":"A","external_id":"x","external_id":null}`, false},
		{`{"reference_id":"A","errors":[],"errors":{}}`, false},
		{`{"reference_id":"A","status":{"code":200,"code":203}}`, false},
		{`{"reference_\u0069d":"A"}`, false},
		{`{"reference_ıd":"A"}`, false},
		{`{"status":{"code":{}}}`, false},
		{`{"reference_id":5}`, false},
		{`{"reference_id":"A"} x`, false},
		{`[]`, false},
	} {
		body := []byte(c.body)
		if strings.HasSuffix(c.body, ".json") {
			var err error
			if body, err = os.ReadFile(filepath.Join("testdata", c.body)); err != nil {
				t.Fatal(err)
			}
		}
		var b callbackBody
		if got := scanCallback(body, &b); got != c.fast {
			t.Errorf("%s: fast path %v, want %v", c.body, got, c.fast)
		}
	}
}
