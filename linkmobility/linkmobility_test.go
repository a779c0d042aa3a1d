package linkmobility

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/smsbridge/sms"
	"github.com/stretchr/testify/require"
)

func TestSendSingle(t *testing.T) {
	f := newFake(t, 200, string(readTestdata(t, "send_response.json")))
	p := newTestProvider(t, f.srv.URL+"/sms")
	res, err := p.Send(context.Background(), &sms.Message{
		From: sms.Sender{Value: "2333", Type: sms.SenderShortCode}, To: []string{"+4746910822"},
		Body: "Hello world", Reference: "wir7kkw", Validity: 3600e9,
	})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.NoError(t, res[0].Err)
	require.Equal(t, "Dcshuhod0PMAAAFQ+/PbnR3x", res[0].MessageID)
	require.Equal(t, sms.StatusQueued, res[0].Status)
	c := f.last(t)
	require.Equal(t, "/sms/send", c.Path)
	require.Equal(t, "Basic dXNlcjpzM2NyZXQtcGFzcw==", c.Auth)
	var got map[string]any
	require.NoError(t, json.Unmarshal(c.Body, &got))
	want := map[string]any{
		"source": "2333", "sourceTON": "SHORTNUMBER", "destination": "+4746910822", "userData": "Hello world",
		"refId": "wir7kkw", "platformId": "COMMON_API", "platformPartnerId": "1234",
		"useDeliveryReport": true, "deliveryReportGates": []any{"BVldZyQt"}, "relativeValidityTime": float64(3600000),
		"customParameters": map[string]any{"replySmsCount": "true"}, "ignoreResponse": false,
	}
	require.Empty(t, cmp.Diff(want, got))
}

func TestSendBatch(t *testing.T) {
	f := newFake(t, 200, string(readTestdata(t, "sendbatch_response.json")))
	p := newTestProvider(t, f.srv.URL)
	res, err := p.Send(context.Background(), &sms.Message{
		From: sms.Sender{Value: "LINK", Type: sms.SenderAlphanumeric}, To: []string{"+4746910822", "+4741560067"},
		Body: "Hello world", Reference: "myRefId",
	})
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.Equal(t, "QC5BGwiuYk0AAAFiQ08nTFOS", res[0].MessageID)
	require.Equal(t, "QC5BHHuqylsAAAFiQ08nX2ph", res[1].MessageID)
	c := f.last(t)
	require.Equal(t, "/sms/sendbatch", c.Path)
	var got batchRequest
	require.NoError(t, json.Unmarshal(c.Body, &got))
	require.False(t, got.IgnoreResponse)
	require.True(t, strings.Contains(string(c.Body), `"ignoreResponse":false`))
	require.Len(t, got.SendRequestMessages, 2)
	require.Equal(t, "ALPHANUMERIC", got.SendRequestMessages[0].SourceTON)
	require.Equal(t, "+4741560067", got.SendRequestMessages[1].Destination)
}

func TestSendBatchRefusedItem(t *testing.T) {
	f := newFake(t, 200, `[{"messageId":"a","resultCode":1005,"message":"Queued"},{"resultCode":2106,"message":"Number error"}]`)
	p := newTestProvider(t, f.srv.URL)
	res, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822", "+4741560067"}, Body: "x"})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	var e *sms.Error
	require.ErrorAs(t, res[1].Err, &e)
	require.Equal(t, sms.CodeInvalidRecipient, e.Code)
	require.Equal(t, "Number error", e.Message)
	require.True(t, e.NotAccepted)
}

func TestSendRefusesNonBMPBeforeRequest(t *testing.T) {
	f := newFake(t, 200, "{}")
	p := newTestProvider(t, f.srv.URL)
	_, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822"}, Body: "hi 😀"})
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeInvalidArgument, e.Code)
	require.True(t, e.NotAccepted)
	require.Empty(t, f.requests())
	// Through the client (sms.MessageValidator): a message-level refusal, no results,
	// nothing sent, as for any other invalid message.
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822", "+4741560067"}, Body: "😀"})
	require.Nil(t, res)
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeInvalidArgument, e.Code)
	require.True(t, e.NotAccepted)
	require.Empty(t, f.requests())
	// BMP text outside GSM (Cyrillic, CJK) is fine.
	_, err = p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822"}, Body: "Привет 你好"})
	require.NoError(t, err)
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		code   sms.Code
		vcode  string
		msg    string
	}{
		{401, `{"status":106100,"description":"Invalid authentication","translatedDescription":"Ugyldig"}`, sms.CodeUnauthenticated, "106100", "Invalid authentication"},
		{403, `{"status":106101,"description":"Access denied"}`, sms.CodePermissionDenied, "106101", "Access denied"},
		{400, `{"status":106200,"transaltedDescription":"platformId mangler"}`, sms.CodeInvalidArgument, "106200", "platformId mangler"},
		{400, `{"status":106301,"description":"Specified gate unavailable"}`, sms.CodeInvalidArgument, "106301", "Specified gate unavailable"},
		{500, `Authorization: Basic dXNlcjpzM2NyZXQtcGFzcw==`, sms.CodeOutcomeUnknown, "", ""},
	} {
		t.Run(fmt.Sprint(tc.status, tc.vcode), func(t *testing.T) {
			f := newFake(t, tc.status, tc.body)
			p := newTestProvider(t, f.srv.URL)
			_, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822"}, Body: "x"})
			var e *sms.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code)
			require.Equal(t, tc.vcode, e.VendorCode)
			if tc.msg != "" {
				require.Equal(t, tc.msg, e.Message)
			}
			require.NotContains(t, fmt.Sprintf("%v %+v", err, e), "dXNlcjpz")
			require.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestSend204IsOutcomeUnknown(t *testing.T) {
	f := newFake(t, 204, "")
	p := newTestProvider(t, f.srv.URL)
	_, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822"}, Body: "x"})
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeOutcomeUnknown, e.Code)
}

func TestValidateSender(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	require.NoError(t, p.ValidateSender(sms.Sender{Value: "LINK2", Type: sms.SenderAlphanumeric}))
	require.Error(t, p.ValidateSender(sms.Sender{Value: "2LINK", Type: sms.SenderAlphanumeric}))
	require.Error(t, p.ValidateSender(sms.Sender{Value: "L", Type: sms.SenderAlphanumeric}))
	require.Error(t, p.ValidateSender(sms.Sender{Value: "A-B", Type: sms.SenderAlphanumeric}))
	require.NoError(t, p.ValidateSender(sms.Sender{Value: "2333", Type: sms.SenderShortCode}))
}

func TestNewAndEnv(t *testing.T) {
	_, err := New(Config{}, nil)
	require.Error(t, err)
	for _, k := range []string{EnvUsername, EnvPassword, EnvPlatformID, EnvPlatformPartnerID, EnvBaseURL} {
		t.Setenv(k, "")
	}
	_, err = NewFromEnv(nil)
	require.ErrorContains(t, err, "LINKMOBILITY_USERNAME is not set")
	t.Setenv(EnvUsername, "u")
	t.Setenv(EnvPassword, "p")
	t.Setenv(EnvPlatformID, "x")
	t.Setenv(EnvPlatformPartnerID, "y")
	_, err = NewFromEnv(nil)
	require.ErrorContains(t, err, "LINKMOBILITY_BASE_URL is not set")
	t.Setenv(EnvBaseURL, HostNorway+"/sms")
	p, err := NewFromEnv(nil)
	require.NoError(t, err)
	require.Equal(t, HostNorway+"/sms/send", p.sendURL)
	s := fmt.Sprintf("%v %+v %#v %s", p, p, p, p)
	require.NotContains(t, s, "cDpw") // base64 of the credentials
	require.Equal(t, 1000, p.Capabilities().MaxRecipients)
	_, err = New(testConfig("http://x"), &Options{MaxRecipients: 1001})
	require.Error(t, err)
}

func TestDefaultCallbackSources(t *testing.T) {
	got := DefaultCallbackSources()
	p := &Provider{sources: got}
	for _, a := range []string{"195.84.162.34", "213.242.87.55", "62.67.62.120", "217.163.95.215", "213.242.87.87", "62.67.62.68"} {
		require.True(t, p.fromAllowed(&http.Request{RemoteAddr: a + ":443"}), a)
	}
	for _, a := range []string{"213.242.87.56", "62.67.62.100", "127.0.0.1", "garbage"} {
		require.False(t, p.fromAllowed(&http.Request{RemoteAddr: a + ":443"}), a)
	}
}

func TestSend429KeepsRateLimited(t *testing.T) {
	f := newFake(t, 429, `{"status":106000,"description":"Unknown error"}`)
	p := newTestProvider(t, f.srv.URL)
	_, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822"}, Body: "x"})
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeRateLimited, e.Code)
	require.Equal(t, "106000", e.VendorCode)
}

func TestSend400UnknownErrorIsInvalidArgument(t *testing.T) {
	f := newFake(t, 400, `{"status":106000,"description":"Invalid request body"}`)
	p := newTestProvider(t, f.srv.URL)
	_, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822"}, Body: "x"})
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeInvalidArgument, e.Code)
	require.True(t, e.NotAccepted)
	require.Equal(t, "Invalid request body", e.Message)
}

// TestSendAnswerWithoutResultIsOutcomeUnknown: a 2xx answer (or batch item) that carries no
// resultCode — {}, null, a different shape — says nothing about the message; LINK answered 2xx,
// so it may exist. It must be OutcomeUnknown, never NotAccepted (which sms.Client retries).
func TestSendAnswerWithoutResultIsOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		to         []string
	}{
		{"single empty object", `{}`, []string{"+4746910822"}},
		{"single null", `null`, []string{"+4746910822"}},
		{"single id without code", `{"messageId":"abc"}`, []string{"+4746910822"}},
		{"batch null item", `[{"messageId":"a","resultCode":1005,"message":"Queued"},null]`, []string{"+4746910822", "+4741560067"}},
		{"batch empty item", `[{"messageId":"a","resultCode":1005,"message":"Queued"},{}]`, []string{"+4746910822", "+4741560067"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 200, tc.body)
			p := newTestProvider(t, f.srv.URL)
			res, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: tc.to, Body: "hi"})
			if err != nil {
				require.False(t, sms.IsNotAccepted(err), "%v", err)
				return
			}
			for _, r := range res {
				if r.Err != nil {
					require.False(t, sms.IsNotAccepted(r.Err), "%s: %v", r.To, r.Err)
					require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(r.Err), "%s", r.To)
				}
			}
		})
	}
}

// TestSendAcceptedStateWithMessageIDIsAccepted: an item with a messageId and a resultCode of
// a message on its way or delivered (1000 Sent, 1008, 1011, 1001 …) rather than 1005 is a
// message LINK took; it must not come back as a NotAccepted error.
func TestSendAcceptedStateWithMessageIDIsAccepted(t *testing.T) {
	for _, code := range []int{1000, 1001, 1007, 1008, 1011, 1012, 1013} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFake(t, 200, fmt.Sprintf(`{"messageId":"m1","resultCode":%d,"description":"x"}`, code))
			p := newTestProvider(t, f.srv.URL)
			res, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: []string{"+4746910822"}, Body: "hi"})
			require.NoError(t, err)
			require.Len(t, res, 1)
			require.NoError(t, res[0].Err)
			require.Equal(t, "m1", res[0].MessageID)
		})
	}
}

// TestSendBatchCountMismatchIsOutcomeUnknown: the batch answer is matched to recipients by
// position only. When it has fewer or more items than the request, position says nothing about
// which recipient an item belongs to: a refused item must not mark some recipient NotAccepted
// (it may be the accepted one), and no message id may be given to a recipient it may not be
// for. Every recipient is OutcomeUnknown.
func TestSendBatchCountMismatchIsOutcomeUnknown(t *testing.T) {
	to := []string{"+4746910822", "+4741560067", "+4741560068"}
	for _, tc := range []struct{ name, body string }{
		{"fewer", `[{"resultCode":2104,"message":"Unknown subscriber"},{"messageId":"b","resultCode":1005,"message":"Queued"}]`},
		{"more", `[{"resultCode":2104,"message":"x"},{"messageId":"b","resultCode":1005,"message":"Queued"},{"messageId":"c","resultCode":1005,"message":"Queued"},{"messageId":"d","resultCode":1005,"message":"Queued"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 200, tc.body)
			p := newTestProvider(t, f.srv.URL)
			res, err := p.Send(context.Background(), &sms.Message{From: sms.Sender{Value: "LINK"}, To: to, Body: "hi"})
			require.NoError(t, err)
			require.Len(t, res, len(to))
			for _, r := range res {
				require.Error(t, r.Err, r.To)
				require.False(t, sms.IsNotAccepted(r.Err), "%s: %v", r.To, r.Err)
				require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(r.Err))
				require.Empty(t, r.MessageID)
			}
		})
	}
}
