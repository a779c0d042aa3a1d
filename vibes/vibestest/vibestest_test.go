package vibestest_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/internal/emu/emutest"
	"github.com/smsbridge/sms/vibes/vibestest"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// hooks records the posts an application endpoint receives and answers with the queued
// statuses (then 200).
type hooks struct {
	*httptest.Server
	mu      sync.Mutex
	got     []hook
	answers []int
}

type hook struct {
	Path, Auth, ContentType string
	Body                    []byte
}

func newHooks(t *testing.T, answers ...int) *hooks {
	h := &hooks{answers: answers}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, hook{r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b})
		status := 200
		if len(h.answers) > 0 {
			status, h.answers = h.answers[0], h.answers[1:]
		}
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hooks) all() []hook {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// reports decodes every hook as a receipt.
func (h *hooks) reports(t *testing.T) []vibestest.Report {
	t.Helper()
	var out []vibestest.Report
	for _, x := range h.all() {
		var r vibestest.Report
		require.NoError(t, xml.Unmarshal(x.Body, &r), "%s", x.Body)
		out = append(out, r)
	}
	return out
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func wait(t *testing.T, srv *vibestest.Server) {
	t.Helper()
	require.NoError(t, srv.WaitCallbacks(emutest.Context(t)))
}

// post sends body to the send endpoint with the server's credentials, as text/xml.
func post(t *testing.T, srv *vibestest.Server, body string) (int, []byte) {
	t.Helper()
	return do(t, srv, http.MethodPost, vibestest.APIPath, body, "text/xml", true)
}

func do(t *testing.T, srv *vibestest.Server, method, path, body, contentType string, auth bool) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth {
		req.SetBasicAuth(srv.Username(), srv.Password())
	}
	resp, b := emutest.Do(t, req)
	return resp.StatusCode, b
}

func decodeRsp(t *testing.T, b []byte) vibestest.SendResponse {
	t.Helper()
	var r vibestest.SendResponse
	require.NoError(t, xml.Unmarshal(b, &r), "%s", b)
	return r
}

// mt builds a send request: to, from (type), text, receiptOption and callbackUrl ("" to
// leave each out).
func mt(to, from, typ, text, option, callback string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><mtMessage submitterMessageId="ref-1"`)
	if len([]rune(text)) > vibestest.MaxSingleText {
		b.WriteString(` splitLongMessage="true"`)
	}
	b.WriteString(`><destination address="` + to + `"/><source address="` + from + `" type="` + typ + `"/><text>`)
	_ = xml.EscapeText(&b, []byte(text))
	b.WriteString(`</text>`)
	if option != "" {
		b.WriteString(`<receiptOption callbackUrl="` + callback + `">` + option + `</receiptOption>`)
	}
	b.WriteString(`</mtMessage>`)
	return b.String()
}

// The facts' send sample is accepted with the sample answer's attributes; with
// receiptOption ERROR and a delivered outcome nothing is posted, and the pull API has the
// three receipts.
func TestSendSample(t *testing.T) {
	app := newHooks(t)
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	sample := strings.Replace(string(readFile(t, "send-request.xml")), "http://www.client.com/callback", app.URL+"/dlr?token=s3cret", 1)

	status, body := post(t, srv, sample)
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.Equal(t, shape(t, readFile(t, "send-response.xml")), shape(t, body))
	got := decodeRsp(t, body)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, got.MessageID)
	require.Equal(t, vibestest.SendResponse{XMLName: got.XMLName, MessageID: got.MessageID, SubmitterMessageID: "239487234987234",
		Carrier: "102", SplitLongMessage: "true"}, got)
	wait(t, srv)
	require.Empty(t, app.all(), "ERROR asks for error receipts only")

	m, ok := srv.Message(got.MessageID)
	require.True(t, ok)
	require.Equal(t, "+18475551212", m.Destination.Address)
	require.Equal(t, vibestest.Address{Address: "98765", Type: "SC"}, m.Source)
	require.Equal(t, "6439376297230", m.TransactionID)
	require.Equal(t, []string{"System", "Carrier", "Handset"}, types(m.Responses))
	require.Equal(t, 1, srv.Accepted())

	status, body = do(t, srv, http.MethodGet, vibestest.APIPath+"/"+got.MessageID+"/responses", "", "", true)
	require.Equal(t, http.StatusOK, status)
	var rs vibestest.Responses
	require.NoError(t, xml.Unmarshal(body, &rs))
	require.Equal(t, []string{"System", "Carrier", "Handset"}, types(rs.Responses))
	attrs := func(b []byte) []string {
		return slices.DeleteFunc(shape(t, b), func(s string) bool { return !strings.HasPrefix(s, "mtMessageResponses/mtMessageResponse@") })
	}
	require.Equal(t, attrs(readFile(t, "responses.xml")), attrs(body))

	status, body = do(t, srv, http.MethodGet, vibestest.APIPath+"/"+got.MessageID, "", "", true)
	require.Equal(t, http.StatusOK, status)
	var v vibestest.MessageView
	require.NoError(t, xml.Unmarshal(body, &v))
	require.Equal(t, "123857AB12", v.Text)
	require.Equal(t, 1, v.NoOfParts)
	require.Equal(t, "2026", v.SubmitDate[:4])
}

func types(rs []vibestest.Report) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Type)
	}
	return out
}

// shape lists the element paths and attribute names of an XML document, sorted.
func shape(t *testing.T, b []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var path []string
	set := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "%s", b)
		switch x := tok.(type) {
		case xml.StartElement:
			path = append(path, x.Name.Local)
			p := strings.Join(path, "/")
			set[p] = true
			for _, a := range x.Attr {
				set[p+"@"+a.Name.Local] = true
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The inbound and receipt bodies have the facts' samples' elements and attributes.
func TestShapesMatchSamples(t *testing.T) {
	srv := vibestest.NewServer(&vibestest.Options{Clock: emulator.NewManualClock(t0)})
	defer srv.Close()
	require.Equal(t, shape(t, readFile(t, "mo.xml")), shape(t, srv.NewInbound("+15125551212", "63901", "test").Body()))
	require.Equal(t, shape(t, readFile(t, "deliver.xml")), shape(t, srv.NewLegacyInbound("+18475551212", "12345", "x").Body()))

	in := srv.NewInbound("5125551212", "63901", "test")
	require.Equal(t, "+15125551212", in.Source.Address)
	require.Equal(t, "2026-03-03 23:06:07-0600", in.ReceiptDate)
	require.Equal(t, "SC", in.Destination.Type)
	require.Equal(t, "LC", srv.NewInbound("+15125551212", vibestest.DefaultLongCode, "x").Destination.Type)
	require.Equal(t, "8475551212", srv.NewLegacyInbound("+18475551212", "12345", "x").Source.Address)

	var sample vibestest.Responses
	require.NoError(t, xml.Unmarshal(readFile(t, "responses.xml"), &sample))
	require.Len(t, sample.Responses, 2)
	require.Equal(t, "107", sample.Responses[1].Status.ErrorCode)
	require.Equal(t, 2, sample.Responses[1].Multipart.NoOfParts)

	r := srv.NewReport("865cd3d1-bea6-4a6f-8bac-bae483248a27", "ref", sms.StatusUndelivered, "107:7")
	require.Equal(t, "2026-03-03T23:06:07.000-06:00", r.ReceiptDate)
	want := shape(t, readFile(t, "responses.xml"))
	var one []string
	for _, s := range want {
		if rest, ok := strings.CutPrefix(s, "mtMessageResponses/"); ok && !strings.Contains(rest, "multipart") {
			one = append(one, rest)
		}
	}
	require.Equal(t, one, shape(t, r.Body()))
	req := srv.DeliveryReportRequest("http://127.0.0.1:1/dlr?token=x", r)
	require.Equal(t, "/dlr?token=x", req.RequestURI)
	require.Empty(t, req.Header.Get("Authorization"))
}

// Basic auth is checked on every API request; credentials never show in the records.
func TestAuthentication(t *testing.T) {
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	body := mt("+18475551212", "98765", "SC", "hi", "", "")
	for _, tc := range []struct {
		name       string
		user, pass string
		set        bool
	}{
		{"none", "", "", false},
		{"wrong password", srv.Username(), "nope", true},
		{"wrong user", "nope", srv.Password(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+vibestest.APIPath, strings.NewReader(body))
			req.Header.Set("Content-Type", "text/xml")
			if tc.set {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			resp, b := emutest.Do(t, req)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			require.Equal(t, `Basic realm="MessageApi"`, resp.Header.Get("WWW-Authenticate"))
			require.True(t, decodeRsp(t, b).Status.IsError)
		})
	}
	status, _ := do(t, srv, http.MethodGet, vibestest.APIPath+"/x", "", "", false)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Zero(t, srv.Accepted())
	_, recs := emutest.Control(t, srv.URL, http.MethodGet, "/requests", "")
	require.NotContains(t, string(recs), "vibes-password")
	require.Contains(t, string(recs), "Basic [REDACTED]")
}

// A request that is not a valid mtMessage is a 400 (415 for the Content-Type) with the
// error body, and nothing is taken.
func TestBadRequests(t *testing.T) {
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	good := mt("+18475551212", "98765", "SC", "hi", "ALL", "http://127.0.0.1:1/x")
	for _, tc := range []struct {
		name, body, contentType string
		status                  int
		why                     string
	}{
		{"json", `{"text":"hi"}`, "application/json", 415, "Content-Type"},
		{"no content type", good, "", 415, "Content-Type"},
		{"not xml", `hello`, "text/xml", 400, "malformed XML"},
		{"truncated", good[:len(good)-5], "application/xml; charset=utf-8", 400, "malformed XML"},
		{"other root", `<mtMessageRsp/>`, "text/xml", 400, "root element <mtMessageRsp>"},
		{"two roots", good + good, "text/xml", 400, "content after the root element"},
		{"text after", good + "x", "text/xml", 400, "text after the root element"},
		{"no destination", strings.Replace(good, `<destination address="+18475551212"/>`, "", 1), "text/xml", 400, "<destination> is required"},
		{"empty destination", strings.Replace(good, `address="+18475551212"`, `address=" "`, 1), "text/xml", 400, "destination@address is required"},
		{"two destinations", strings.Replace(good, `<destination address="+18475551212"/>`, `<destination address="+18475551212"/><destination address="+18475551213"/>`, 1), "text/xml", 400, "more than one <destination>"},
		{"no source", strings.Replace(good, `<source address="98765" type="SC"/>`, "", 1), "text/xml", 400, "<source> is required"},
		{"no source type", strings.Replace(good, ` type="SC"`, "", 1), "text/xml", 400, "source@type is required"},
		{"no source address", strings.Replace(good, `address="98765"`, "", 1), "text/xml", 400, "source@address is required"},
		{"no text", strings.Replace(good, `<text>hi</text>`, "", 1), "text/xml", 400, "<text> is required"},
		{"empty text", strings.Replace(good, `<text>hi</text>`, "<text></text>", 1), "text/xml", 400, "text is empty"},
		{"bad split", strings.Replace(good, `submitterMessageId="ref-1"`, `splitLongMessage="yes"`, 1), "text/xml", 400, "splitLongMessage"},
		{"bad option", strings.Replace(good, ">ALL<", ">SOME<", 1), "text/xml", 400, "receiptOption"},
		{"relative callback", strings.Replace(good, "http://127.0.0.1:1/x", "/x", 1), "text/xml", 400, "callbackUrl"},
		{"long submitter id", strings.Replace(good, "ref-1", strings.Repeat("r", 41), 1), "text/xml", 400, "submitterMessageId"},
		{"latin-1", strings.Replace(good, "hi", "h\xe9", 1), "text/xml", 400, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := do(t, srv, http.MethodPost, vibestest.APIPath, tc.body, tc.contentType, true)
			require.Equal(t, tc.status, status, "%s", b)
			r := decodeRsp(t, b)
			require.Empty(t, r.MessageID)
			require.True(t, r.Status.IsError)
			require.Contains(t, r.Status.Description, tc.why)
		})
	}
	require.Zero(t, srv.Accepted())
	require.Empty(t, srv.Messages())

	// Unknown elements and attributes are tolerated; CDATA text and application/xml work.
	status, b := do(t, srv, http.MethodPost, vibestest.APIPath, strings.Replace(strings.Replace(good, "<text>hi</text>",
		`<text><![CDATA[a < b]]></text><longMessageInfo x="1"/>`, 1), "<mtMessage ", `<mtMessage future="1" `, 1), "application/xml", true)
	require.Equal(t, http.StatusOK, status, "%s", b)
	m, ok := srv.Message(decodeRsp(t, b).MessageID)
	require.True(t, ok)
	require.Equal(t, "a < b", m.Text)
}

// What Vibes refuses is a 200 with the error body and the internal code, in order of the
// checks; nothing is accepted.
func TestRefusals(t *testing.T) {
	srv := vibestest.NewServer(&vibestest.Options{Codes: []vibestest.Code{{Address: "98765", Type: "SC"}, {Address: "8475550100", Type: "LC"}}})
	defer srv.Close()
	srv.Block("8475551299")
	long := strings.Repeat("x", 161)
	for _, tc := range []struct {
		name, body string
		internal   string
	}{
		{"unknown type", mt("+18475551212", "98765", "ANC", "hi", "", ""), "8"},
		{"unknown code", mt("+18475551212", "12345", "SC", "hi", "", ""), "8"},
		{"type mismatch", mt("+18475551212", "98765", "LC", "hi", "", ""), "8"},
		{"toll-free not provisioned", mt("+18475551212", "+18885550100", "TF", "hi", "", ""), "8"},
		{"outside US/CA", mt("+447700900123", "98765", "SC", "hi", "", ""), "1"},
		{"not a number", mt("call me", "98765", "SC", "hi", "", ""), "1"},
		{"bad area code", mt("+11475551212", "98765", "SC", "hi", "", ""), "1"},
		{"blocked", mt("+18475551299", "98765", "SC", "hi", "", ""), "9"},
		{"blocked, national form", mt("18475551299", "+18475550100", "LC", "hi", "", ""), "9"},
		{"long without split", strings.Replace(mt("+18475551212", "98765", "SC", long, "", ""), ` splitLongMessage="true"`, "", 1), "11"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := post(t, srv, tc.body)
			require.Equal(t, http.StatusOK, status)
			r := decodeRsp(t, b)
			require.Empty(t, r.MessageID, "%s", b)
			require.Equal(t, "ref-1", r.SubmitterMessageID)
			require.True(t, r.Status.IsError)
			require.Equal(t, tc.internal, r.Status.InternalErrorCode, "%s", b)
			require.NotEmpty(t, r.Status.Description)
		})
	}
	require.Zero(t, srv.Accepted())
	ms := srv.Messages()
	require.Len(t, ms, 10)
	require.Equal(t, 9, ms[7].InternalErrorCode)
	require.False(t, ms[7].Accepted)

	// National forms of a provisioned long code and of the destination are accepted.
	status, b := post(t, srv, mt("8475551212", "18475550100", "lc", "hi", "", ""))
	require.Equal(t, http.StatusOK, status)
	m, ok := srv.Message(decodeRsp(t, b).MessageID)
	require.True(t, ok, "%s", b)
	require.Equal(t, "+18475551212", m.Destination.Address)
	require.Equal(t, "LC", m.Source.Type)
}

// Receipts follow the outcome's stages and the receiptOption's filter, in order, without
// Basic auth, to the callbackUrl with its token.
func TestReceipts(t *testing.T) {
	type rec struct {
		Type              string
		IsError           bool
		ErrorCode, Intern string
	}
	ok := func(typ string) rec { return rec{Type: typ} }
	for _, tc := range []struct {
		name   string
		status sms.Status
		code   string
		option string
		want   []rec
	}{
		{"delivered ALL", sms.StatusDelivered, "", "ALL", []rec{ok("System"), ok("Carrier"), ok("Handset")}},
		{"delivered SMSC_ALL", sms.StatusDelivered, "", "SMSC_ALL", []rec{ok("System"), ok("Carrier"), ok("Handset")}},
		{"delivered ERROR", sms.StatusDelivered, "", "ERROR", nil},
		{"delivered NONE", sms.StatusDelivered, "", "NONE", nil},
		{"delivered, no option", sms.StatusDelivered, "", "", nil},
		{"sent ALL", sms.StatusSent, "", "ALL", []rec{ok("System"), ok("Carrier")}},
		{"queued ALL", sms.StatusQueued, "", "ALL", []rec{ok("System")}},
		{"rejected ALL", sms.StatusRejected, "", "ALL", []rec{{"System", true, "", "12"}}},
		{"rejected code 9", sms.StatusRejected, ":9", "ERROR", []rec{{"System", true, "", "9"}}},
		{"failed ALL", sms.StatusFailed, "", "ALL", []rec{ok("System"), {"Carrier", true, "107", ""}}},
		{"failed ERROR", sms.StatusFailed, "", "ERROR", []rec{{"Carrier", true, "107", ""}}},
		{"failed SMSC_ERROR", sms.StatusFailed, "", "SMSC_ERROR", []rec{{"Carrier", true, "107", ""}}},
		{"undelivered 107:7", sms.StatusUndelivered, "107:7", "ALL", []rec{ok("System"), ok("Carrier"), {"Handset", true, "107", "7"}}},
		{"expired ERROR", sms.StatusExpired, "30", "ERROR", []rec{{"Handset", true, "30", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newHooks(t)
			srv := vibestest.NewServer(nil)
			defer srv.Close()
			srv.SetOutcome("+18475551212", tc.status, tc.code)
			status, b := post(t, srv, mt("18475551212", "98765", "SC", "hi", tc.option, app.URL+"/dlr?token=s3cret"))
			require.Equal(t, http.StatusOK, status, "%s", b)
			id := decodeRsp(t, b).MessageID
			wait(t, srv)
			var got []rec
			for i, r := range app.reports(t) {
				got = append(got, rec{r.Type, r.Status.IsError, r.Status.ErrorCode, r.Status.InternalErrorCode})
				require.Equal(t, id, r.MessageID)
				require.Equal(t, "ref-1", r.SubmitterMessageID)
				require.Nil(t, r.Multipart)
				require.NotEmpty(t, r.Status.Description)
				h := app.all()[i]
				require.Equal(t, "/dlr?token=s3cret", h.Path)
				require.Empty(t, h.Auth)
				require.Equal(t, "application/xml; charset=UTF-8", h.ContentType)
			}
			require.Equal(t, tc.want, got)
			m, _ := srv.Message(id)
			stage, isErr := vibestest.StageFor(tc.status)
			require.Equal(t, stage, m.Stage)
			require.Equal(t, isErr, m.IsError)
		})
	}
}

// A long text with splitLongMessage gets one receipt per part and stage, stage by stage,
// each part with its own id and the multipart element; the pull API lists them per id.
func TestMultipart(t *testing.T) {
	app := newHooks(t)
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	text := strings.Repeat("Your parcel is on its way. ", 8) // 216 characters: 2 parts
	status, b := post(t, srv, mt("+18475551212", "98765", "SC", text, "ALL", app.URL+"/dlr"))
	require.Equal(t, http.StatusOK, status)
	rsp := decodeRsp(t, b)
	require.Equal(t, "true", rsp.SplitLongMessage)
	wait(t, srv)
	reps := app.reports(t)
	require.Equal(t, []string{"System", "System", "Carrier", "Carrier", "Handset", "Handset"}, types(reps))
	m, _ := srv.Message(rsp.MessageID)
	require.Equal(t, 2, m.Parts)
	require.Len(t, m.PartIDs, 2)
	require.Equal(t, rsp.MessageID, m.PartIDs[0])
	for i, r := range reps {
		part := i%2 + 1
		require.Equal(t, m.PartIDs[part-1], r.MessageID)
		require.Equal(t, &vibestest.Multipart{IsMultipart: true, OriginalMessageID: rsp.MessageID, NoOfParts: 2, PartNumber: part}, r.Multipart)
	}

	count := func(id string) int {
		status, b := do(t, srv, http.MethodGet, vibestest.APIPath+"/"+id+"/responses", "", "", true)
		require.Equal(t, http.StatusOK, status)
		var rs vibestest.Responses
		require.NoError(t, xml.Unmarshal(b, &rs))
		return len(rs.Responses)
	}
	require.Equal(t, 6, count(rsp.MessageID))
	require.Equal(t, 3, count(m.PartIDs[1]))
	status, b = do(t, srv, http.MethodGet, vibestest.APIPath+"/"+m.PartIDs[1], "", "", true)
	require.Equal(t, http.StatusOK, status)
	var v vibestest.MessageView
	require.NoError(t, xml.Unmarshal(b, &v))
	require.Equal(t, vibestest.MessageView{XMLName: v.XMLName, SubmitterMessageID: "ref-1", MessageID: m.PartIDs[1], SubmitDate: v.SubmitDate,
		IsMultipart: true, NoOfParts: 2, PartNumber: 2, OriginalMessageID: rsp.MessageID, Destination: m.Destination,
		Source: m.Source, Text: text, ReceiptOption: v.ReceiptOption}, v)
	require.Equal(t, 1, vibestest.Parts(strings.Repeat("x", 160)))
	require.Equal(t, 2, vibestest.Parts(strings.Repeat("x", 161)))
	require.Equal(t, 3, vibestest.Parts(strings.Repeat("ш", 162))) // UCS-2: 67 a part
	require.Equal(t, 2, vibestest.Parts(strings.Repeat("ш", 71)))

	// A UCS-2 text of 71 characters: one part without the flag, two with it.
	for _, split := range []bool{false, true} {
		body := mt("+18475551212", "98765", "SC", strings.Repeat("ш", 71), "", "")
		if split {
			body = strings.Replace(body, `submitterMessageId="ref-1"`, `submitterMessageId="ref-1" splitLongMessage="true"`, 1)
		}
		_, b := post(t, srv, body)
		m, ok := srv.Message(decodeRsp(t, b).MessageID)
		require.True(t, ok)
		require.Equal(t, map[bool]int{false: 1, true: 2}[split], m.Parts)
	}

	for _, id := range []string{"nope", ""} {
		status, _ = do(t, srv, http.MethodGet, vibestest.APIPath+"/"+id+"/responses", "", "", true)
		require.Equal(t, http.StatusNotFound, status)
	}
}

// The last receipt waits for the outcome's delay on the emulator clock; the earlier ones
// go at once. Messages shows the stage reached.
func TestOutcomeDelayOnClock(t *testing.T) {
	clock := emulator.NewManualClock(t0)
	app := newHooks(t)
	srv := vibestest.NewServer(&vibestest.Options{Clock: clock})
	defer srv.Close()
	srv.SetOutcomeDelay("+18475551212", sms.StatusDelivered, "", time.Hour)
	_, b := post(t, srv, mt("+18475551212", "98765", "SC", "hi", "ALL", app.URL))
	id := decodeRsp(t, b).MessageID
	ctx := emutest.Context(t)
	require.NoError(t, clock.WaitSleepers(ctx, 1)) // the Handset receipt waits
	require.Equal(t, []string{"System", "Carrier"}, types(app.reports(t)))
	m, _ := srv.Message(id)
	require.Equal(t, "Carrier", m.Stage)

	clock.Advance(time.Hour)
	wait(t, srv)
	reps := app.reports(t)
	require.Equal(t, []string{"System", "Carrier", "Handset"}, types(reps))
	require.Equal(t, "2026-03-03T23:06:07.000-06:00", reps[0].ReceiptDate)
	require.Equal(t, "2026-03-04T00:06:07.000-06:00", reps[2].ReceiptDate)
	m, _ = srv.Message(id)
	require.Equal(t, "Handset", m.Stage)
}

// A receipt not answered 2xx is retried after RetryWait on the emulator clock, up to
// Retries times; then WaitCallbacks reports it.
func TestRetriesOnClock(t *testing.T) {
	clock := emulator.NewManualClock(t0)
	app := newHooks(t, 500, 503)
	srv := vibestest.NewServer(&vibestest.Options{Clock: clock, RetryWait: 5 * time.Minute, Retries: 2})
	defer srv.Close()
	srv.SetOutcome("+18475551212", sms.StatusFailed, "")
	post(t, srv, mt("+18475551212", "98765", "SC", "hi", "ERROR", app.URL))
	ctx := emutest.Context(t)
	for n := 1; n <= 2; n++ {
		require.NoError(t, clock.WaitSleepers(ctx, 1))
		require.Len(t, app.all(), n)
		clock.Advance(4 * time.Minute)
		require.Equal(t, 1, clock.Sleepers(), "retried before 5 minutes")
		clock.Advance(time.Minute)
	}
	wait(t, srv)
	require.Len(t, app.all(), 3)
	d := srv.Deliveries()
	require.Len(t, d, 1)
	require.Equal(t, emulator.StateDelivered, d[0].State)
	require.Equal(t, t0.Add(10*time.Minute), d[0].Attempts[2].Time)

	// Every attempt refused: exhausted after the retries, reported once.
	bad := newHooks(t, 500, 500, 500)
	srv.SetOutcome("+18475551213", sms.StatusFailed, "")
	post(t, srv, mt("+18475551213", "98765", "SC", "hi", "ERROR", bad.URL+"/dlr?token=s3cret"))
	for range 2 {
		require.NoError(t, clock.WaitSleepers(ctx, 1))
		clock.Advance(5 * time.Minute)
	}
	err := srv.WaitCallbacks(ctx)
	var de *emulator.DeliveryError
	require.ErrorAs(t, err, &de)
	require.NotContains(t, err.Error(), "s3cret")
	require.Len(t, bad.all(), 3)
	require.NoError(t, srv.WaitCallbacks(ctx), "reported once")
}

// Inbound messages reach the inbound URL as moMessage, with Basic auth when configured and
// the attempt number counting retries; the legacy shape on request.
func TestInbound(t *testing.T) {
	clock := emulator.NewManualClock(t0)
	app := newHooks(t, 503)
	srv := vibestest.NewServer(&vibestest.Options{Clock: clock, InboundURL: app.URL + "/mo?token=s3cret",
		InboundUsername: "mo", InboundPassword: "mo-secret"})
	defer srv.Close()
	ctx := emutest.Context(t)
	done := make(chan error, 1)
	go func() {
		_, err := srv.SendInbound(ctx, "+15125551212", "63901", "hello")
		done <- err
	}()
	require.NoError(t, clock.WaitSleepers(ctx, 1))
	clock.Advance(vibestest.DefaultRetryWait)
	require.NoError(t, <-done)
	got := app.all()
	require.Len(t, got, 2)
	for i, h := range got {
		require.Equal(t, "/mo?token=s3cret", h.Path)
		require.Equal(t, "Basic bW86bW8tc2VjcmV0", h.Auth)
		var in vibestest.Inbound
		require.NoError(t, xml.Unmarshal(h.Body, &in))
		require.Equal(t, i+1, in.AttemptNumber)
		require.Equal(t, "hello", in.Message)
		require.Equal(t, vibestest.Address{Address: "+15125551212", Carrier: vibestest.CarrierFor("+15125551212"), Type: "MDN"}, in.Source)
		require.Equal(t, vibestest.Address{Address: "63901", Type: "SC"}, in.Destination)
	}
	require.Equal(t, bytes.Replace(got[0].Body, []byte(`attemptNumber="1"`), []byte(`attemptNumber="2"`), 1), got[1].Body)

	// A refusal comes back as a DeliveryError; the legacy shape through the control API.
	app2 := newHooks(t, 400)
	srv2 := vibestest.NewServer(&vibestest.Options{InboundURL: app2.URL, LegacyInbound: true, Retries: -1})
	defer srv2.Close()
	_, err := srv2.SendInbound(ctx, "+15125551212", "63901", "x")
	var de *emulator.DeliveryError
	require.ErrorAs(t, err, &de)
	status, _ := emutest.Control(t, srv2.URL, http.MethodPost, "/inbound", `{"from":"+15125551212","to":"63901","body":"hi"}`)
	require.Equal(t, http.StatusOK, status)
	var legacy vibestest.LegacyInbound
	require.NoError(t, xml.Unmarshal(app2.all()[1].Body, &legacy))
	require.Equal(t, "5125551212", legacy.Source.Address)

	// No inbound URL: nothing is posted.
	srv3 := vibestest.NewServer(nil)
	defer srv3.Close()
	d, err := srv3.SendInbound(ctx, "+15125551212", "63901", "x")
	require.NoError(t, err)
	require.Zero(t, d.ID)
}

// With BlockOnStop, an inbound STOP to a code blocks sends from that code to the handset
// (internal error 9) until START; other codes still send. Without it nothing is blocked.
func TestStopBlocks(t *testing.T) {
	app := newHooks(t)
	ctx := emutest.Context(t)
	for _, block := range []bool{true, false} {
		srv := vibestest.NewServer(&vibestest.Options{InboundURL: app.URL, BlockOnStop: block})
		_, err := srv.SendInbound(ctx, "+15125551212", "98765", " stop ")
		require.NoError(t, err)
		internal := func(from, typ string) string {
			_, b := post(t, srv, mt("5125551212", from, typ, "hi", "", ""))
			if r := decodeRsp(t, b); r.Status != nil {
				return r.Status.InternalErrorCode
			}
			return ""
		}
		if !block {
			require.Empty(t, internal("98765", "SC"))
			srv.Close()
			continue
		}
		require.Equal(t, "9", internal("98765", "SC"))
		require.Empty(t, internal(vibestest.DefaultLongCode, "LC"), "the block is per code")
		require.Equal(t, []emulator.OptOut{{From: "98765", To: "+15125551212"}}, srv.OptOuts())
		_, err = srv.SendInbound(ctx, "+15125551212", "98765", "START")
		require.NoError(t, err)
		require.Empty(t, internal("98765", "SC"))
		srv.Close()
	}
}

// Faults: a refusal on demand, a status with Vibes' error body, a reset after the message
// was taken.
func TestFaults(t *testing.T) {
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	body := mt("+18475551212", "98765", "SC", "hi", "", "")

	srv.Arm(vibestest.Fault{InternalErrorCode: vibestest.InternalMessageCapped})
	status, b := do(t, srv, http.MethodGet, vibestest.APIPath+"/x", "", "", true)
	require.Equal(t, http.StatusNotFound, status, "a POST fault spares GETs")
	status, b = post(t, srv, body)
	require.Equal(t, http.StatusOK, status)
	r := decodeRsp(t, b)
	require.Equal(t, "12", r.Status.InternalErrorCode)
	require.Equal(t, "Message capped", r.Status.Description)
	require.Zero(t, srv.Accepted())

	srv.Arm(vibestest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 2 * time.Second})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+vibestest.APIPath, strings.NewReader(body))
	req.SetBasicAuth(srv.Username(), srv.Password())
	req.Header.Set("Content-Type", "text/xml")
	resp, b := emutest.Do(t, req)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "2", resp.Header.Get("Retry-After"))
	require.Equal(t, "Service Unavailable", decodeRsp(t, b).Status.Description)
	require.Zero(t, srv.Accepted())

	srv.Arm(vibestest.Fault{Reset: true})
	req, _ = http.NewRequest(http.MethodPost, srv.URL+vibestest.APIPath, strings.NewReader(body))
	req.SetBasicAuth(srv.Username(), srv.Password())
	req.Header.Set("Content-Type", "text/xml")
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	require.Equal(t, 1, srv.Accepted(), "taken, then reset")
	require.Equal(t, 4, srv.Requests())
	require.Equal(t, "reset after processing", srv.RecordedRequests()[3].Fault)

	// The same through the control API.
	status, _ = emutest.Control(t, srv.URL, http.MethodPost, "/faults", `{"status":500}`)
	require.Equal(t, http.StatusCreated, status)
	status, b = post(t, srv, body)
	require.Equal(t, http.StatusInternalServerError, status)
	require.True(t, decodeRsp(t, b).Status.IsError)
}

// The control API: a pushed status posts a receipt; codes, block list and config.
func TestControl(t *testing.T) {
	app := newHooks(t)
	srv := vibestest.NewServer(nil)
	defer srv.Close()
	srv.SetOutcome("+18475551212", sms.StatusSent, "")
	_, b := post(t, srv, mt("+18475551212", "98765", "SC", "hi", "ALL", app.URL+"/dlr?token=s3cret"))
	id := decodeRsp(t, b).MessageID
	wait(t, srv)
	status, body := emutest.Control(t, srv.URL, http.MethodPost, "/messages/"+id+"/status", `{"status":"undelivered","error_code":"30:7"}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.NotContains(t, string(body), "s3cret")
	require.Contains(t, string(body), `"callbackUrl": "`+app.URL+`/dlr?token=[REDACTED]"`)
	require.Contains(t, string(body), `"internalErrorCode": "7"`)
	require.Contains(t, string(body), `"stage": "Handset"`)
	wait(t, srv)
	reps := app.reports(t)
	require.Equal(t, []string{"System", "Carrier", "Handset"}, types(reps))
	require.Equal(t, vibestest.StatusElem{IsError: true, Description: vibestest.CarrierFailedDescription, ErrorCode: "30", InternalErrorCode: "7"}, reps[2].Status)
	status, _ = emutest.Control(t, srv.URL, http.MethodPost, "/messages/nope/status", `{"status":"delivered"}`)
	require.Equal(t, http.StatusNotFound, status)
	require.ErrorIs(t, srv.PushStatus("nope", sms.StatusDelivered, ""), errNotFound(t, srv))

	status, _ = emutest.Control(t, srv.URL, http.MethodPost, "/codes", `{"address":"55555","type":"XX"}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, body = emutest.Control(t, srv.URL, http.MethodPost, "/codes", `{"address":"55555","type":"sc"}`)
	require.Equal(t, http.StatusOK, status)
	var codes []vibestest.Code
	require.NoError(t, json.Unmarshal(body, &codes))
	require.Contains(t, codes, vibestest.Code{Address: "55555", Type: "SC"})
	status, b = post(t, srv, mt("+18475551212", "55555", "SC", "hi", "", ""))
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, decodeRsp(t, b).MessageID)

	status, _ = emutest.Control(t, srv.URL, http.MethodPost, "/blocklist", `{"to":"+18475551212"}`)
	require.Equal(t, http.StatusNoContent, status)
	_, b = post(t, srv, mt("+18475551212", "55555", "SC", "hi", "", ""))
	require.Equal(t, "9", decodeRsp(t, b).Status.InternalErrorCode)
	require.True(t, srv.Unblock("8475551212"))

	status, _ = emutest.Control(t, srv.URL, http.MethodPost, "/config", `{"callback_url":"`+app.URL+`/fallback"}`)
	require.Equal(t, http.StatusNoContent, status)
	_, b = post(t, srv, mt("+18475551212", "55555", "SC", "hi", "ERROR", ""))
	require.NotEmpty(t, decodeRsp(t, b).MessageID)
	srv.SetOutcome("+18475551212", sms.StatusFailed, "")
	post(t, srv, mt("+18475551212", "55555", "SC", "hi", "ERROR", ""))
	wait(t, srv)
	last := app.all()[len(app.all())-1]
	require.Equal(t, "/fallback", last.Path)

	srv.Reset()
	require.Empty(t, srv.Messages())
	require.Empty(t, srv.OptOuts())
	require.Contains(t, srv.Codes(), vibestest.Code{Address: "55555", Type: "SC"}, "codes survive a reset")
}

func errNotFound(t *testing.T, srv *vibestest.Server) error {
	err := srv.PushStatus("nope", sms.StatusDelivered, "")
	require.Error(t, err)
	return errors.Unwrap(err)
}

// Close ends a retry that waits on a clock nobody advances.
func TestCloseEndsRetryWait(t *testing.T) {
	clock := emulator.NewManualClock(t0)
	app := newHooks(t, 500)
	srv := vibestest.NewServer(&vibestest.Options{Clock: clock})
	srv.SetOutcome("+18475551212", sms.StatusFailed, "")
	post(t, srv, mt("+18475551212", "98765", "SC", "hi", "ERROR", app.URL))
	require.NoError(t, clock.WaitSleepers(emutest.Context(t), 1))
	srv.Close()
	d := srv.Deliveries()
	require.Len(t, d, 1)
	require.Equal(t, emulator.StateCanceled, d[0].State)
	require.Len(t, app.all(), 1)
}
