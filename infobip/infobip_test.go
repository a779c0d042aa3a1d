package infobip_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/infobip"
)

// echoAccepted answers a send by accepting every destination with its messageId, in the
// version's shape.
func echoAccepted(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Messages []struct {
			Destinations []struct{ To, MessageID string } `json:"destinations"`
		} `json:"messages"`
	}
	_ = json.Unmarshal(body, &req)
	key := "destination"
	if strings.HasPrefix(r.URL.Path, "/sms/2/") {
		key = "to"
	}
	var items []map[string]any
	for _, m := range req.Messages {
		for _, d := range m.Destinations {
			items = append(items, map[string]any{
				"messageId": d.MessageID, key: d.To,
				"status": map[string]any{"groupId": 1, "groupName": "PENDING", "id": 26, "name": "PENDING_ACCEPTED", "description": "Message sent to next instance"},
			})
		}
	}
	b, _ := json.Marshal(map[string]any{"bulkId": "b", "messages": items})
	writeJSON(w, http.StatusOK, string(b))
}

// The captured request of the official Node client (@infobip-api/sdk 0.3.2, v2 endpoint):
// our send of the same message writes the same request, field by field, except for the
// client's own "type":"text" and our additions (messageId per destination, bulkId).
func TestSendMatchesOfficialClientCapture(t *testing.T) {
	raw := fixture(t, "wire-infobip-api-sdk-send.json") // shared/wire/infobip-infobip-api-sdk-send.json
	var capture struct {
		Requests []struct {
			Method, Path string
			Headers      map[string][]string
			Body         string
		}
	}
	require.NoError(t, json.Unmarshal(raw, &capture))
	require.Len(t, capture.Requests, 1)
	want := capture.Requests[0]

	f := newFake(t, echoAccepted)
	p := newProvider(t, f.URL, &infobip.Options{APIVersion: infobip.V2})
	res, err := p.Send(context.Background(), &sms.Message{
		To:             []string{"+14155550100"},
		From:           sms.Sender{Value: "InfoSMS"},
		Body:           "Hello from acceptance ✓ 1+1=2 & 50% off? 🚀",
		CallbackURL:    "https://hooks.example.com/infobip/dlr?tenant=acme",
		Reference:      "acceptance-callback-data",
		IdempotencyKey: "k1",
	})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.NoError(t, res[0].Err)
	require.Equal(t, infobip.MessageID("k1", "+14155550100"), res[0].MessageID)

	got := f.Requests()[0]
	require.Equal(t, want.Method, got.Method)
	require.Equal(t, want.Path, got.Path)
	for _, h := range []string{"Authorization", "Content-Type"} {
		require.Equal(t, want.Headers[h][0], got.Header.Get(h), h)
	}

	var theirs, ours map[string]any
	require.NoError(t, json.Unmarshal([]byte(want.Body), &theirs))
	require.NoError(t, json.Unmarshal(got.Body, &ours))
	delete(theirs, "type") // the Node client's own discriminator, not in the v2 schema
	require.Equal(t, bulkOf(ours), ours["bulkId"])
	delete(ours, "bulkId")
	dest := ours["messages"].([]any)[0].(map[string]any)["destinations"].([]any)[0].(map[string]any)
	require.Equal(t, res[0].MessageID, dest["messageId"])
	delete(dest, "messageId")
	require.Empty(t, cmp.Diff(theirs, ours))
}

func bulkOf(m map[string]any) any { return m["bulkId"] }

// The v3 request carries every mapped field under its v3 name, and the ids are our own,
// derived from the idempotency key and recipient.
func TestSendV3Body(t *testing.T) {
	f := newFake(t, echoAccepted)
	p := newProvider(t, f.URL, nil)
	msg := &sms.Message{
		To:             []string{"+41793026727", "+41793026834"},
		From:           sms.Sender{Value: "+14155550199"},
		Body:           "hi <b>&</b>",
		CallbackURL:    "https://hooks.example.com/ib?token=t",
		Reference:      "ref-1",
		Validity:       90 * time.Minute,
		IdempotencyKey: "key-7",
	}
	res, err := p.Send(context.Background(), msg)
	require.NoError(t, err)
	require.Len(t, res, 2)
	got := f.Requests()[0]
	require.Equal(t, "/sms/3/messages", got.Path)
	require.Equal(t, "App "+testKey, got.Header.Get("Authorization"))
	var body any
	require.NoError(t, json.Unmarshal(got.Body, &body))
	id1, id2 := infobip.MessageID("key-7", "+41793026727"), infobip.MessageID("key-7", "+41793026834")
	want := map[string]any{
		"messages": []any{map[string]any{
			"sender": "14155550199",
			"destinations": []any{
				map[string]any{"to": "41793026727", "messageId": id1},
				map[string]any{"to": "41793026834", "messageId": id2},
			},
			"content": map[string]any{"text": "hi <b>&</b>"},
			"options": map[string]any{"validityPeriod": map[string]any{"amount": 90.0, "timeUnit": "MINUTES"}},
			"webhooks": map[string]any{
				"delivery":     map[string]any{"url": "https://hooks.example.com/ib?token=t"},
				"contentType":  "application/json",
				"callbackData": "ref-1",
			},
		}},
		"options": map[string]any{"schedule": map[string]any{"bulkId": body.(map[string]any)["options"].(map[string]any)["schedule"].(map[string]any)["bulkId"]}},
	}
	require.Empty(t, cmp.Diff(want, body))
	require.Contains(t, string(got.Body), "<b>&</b>", "HTML characters unescaped, as the official clients write them")
	require.Equal(t, id1, res[0].MessageID)
	require.Equal(t, id2, res[1].MessageID)
	require.NotEqual(t, id1, id2)

	// Same key and recipients: the same ids and bulkId (a retry is recognisable).
	_, err = p.Send(context.Background(), msg)
	require.NoError(t, err)
	require.JSONEq(t, string(got.Body), string(f.Requests()[1].Body))
}

// Per-destination results: accepted, opted out (blocklisted), a duplicate id reported as
// accepted under our id, another rejection, and a destination missing from the answer.
func TestSendPerRecipientResults(t *testing.T) {
	to := []string{"+41790000001", "+41790000002", "+41790000003", "+41790000004", "+41790000005"}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		var req struct {
			Messages []struct {
				Destinations []struct{ To, MessageID string } `json:"destinations"`
			} `json:"messages"`
		}
		_ = json.Unmarshal(body, &req)
		d := req.Messages[0].Destinations
		item := func(i, group, id int, name string) map[string]any {
			return map[string]any{"messageId": d[i].MessageID, "destination": d[i].To,
				"status": map[string]any{"groupId": group, "id": id, "name": name, "description": name + " text"}, "details": map[string]any{"messageCount": 2}}
		}
		b, _ := json.Marshal(map[string]any{"bulkId": "b", "messages": []any{
			item(3, 5, 52, "REJECTED_DESTINATION"), // out of order: matched by messageId
			item(0, 1, 26, "PENDING_ACCEPTED"),
			item(1, 5, 14, "REJECTED_DESTINATION_BLOCKLISTED"),
			item(2, 5, 23, "REJECTED_DUPLICATE_MESSAGE_ID"),
		}})
		writeJSON(w, http.StatusOK, string(b))
	})
	p := newProvider(t, f.URL, nil)
	res, err := p.Send(context.Background(), &sms.Message{To: to, From: sms.Sender{Value: "InfoSMS"}, Body: "x", IdempotencyKey: "k"})
	require.NoError(t, err)
	require.Len(t, res, 5)
	code := func(r sms.SendResult) sms.Code {
		var e *sms.Error
		if r.Err == nil {
			return -1
		}
		require.ErrorAs(t, r.Err, &e)
		return e.Code
	}
	require.NoError(t, res[0].Err)
	require.Equal(t, infobip.MessageID("k", to[0]), res[0].MessageID)
	require.Equal(t, sms.StatusAccepted, res[0].Status)
	require.Equal(t, 2, res[0].Segments)
	require.Equal(t, sms.CodeOptedOut, code(res[1]))
	require.NoError(t, res[2].Err, "a duplicate id means the message exists")
	require.Equal(t, infobip.MessageID("k", to[2]), res[2].MessageID)
	require.Equal(t, sms.CodeInvalidRecipient, code(res[3]))
	var e *sms.Error
	require.ErrorAs(t, res[3].Err, &e)
	require.True(t, e.NotAccepted)
	require.Equal(t, "REJECTED_DESTINATION", e.VendorCode)
	require.Equal(t, sms.CodeOutcomeUnknown, code(res[4]))
	require.Contains(t, res[4].Err.Error(), infobip.MessageID("k", to[4]), "the error names the id to reconcile")
}

// Whole-request errors: both error shapes parsed into VendorCode and Message, the body never
// copied; 429 RateLimited (retryable), 5xx OutcomeUnknown, an unreadable 200 OutcomeUnknown.
func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		body        string
		code        sms.Code
		vendorCode  string
		message     string
		notAccepted bool
	}{
		{"ApiError 400", 400, string(fixture(t, "error-apierror-400.json")), sms.CodeInvalidArgument, "E400", "Request cannot be processed. (property.path: Violation message.)", true},
		{"ApiException 400", 400, string(fixture(t, "error-apiexception-400.json")), sms.CodeInvalidArgument, "BAD_REQUEST", "Bad request", true},
		{"ApiException 401", 401, `{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}`, sms.CodeUnauthenticated, "UNAUTHORIZED", "Invalid login details", true},
		{"ApiError 429", 429, `{"errorCode":"E429","description":"Too many requests sent."}`, sms.CodeRateLimited, "E429", "Too many requests sent.", true},
		{"ApiError 500", 500, `{"errorCode":"E500","description":"Something went wrong.","action":"Contact the support."}`, sms.CodeOutcomeUnknown, "E500", "Something went wrong.", false},
		{"proxy page echoing the key", 502, "<html>Authorization: App " + testKey + "</html>", sms.CodeOutcomeUnknown, "", "Bad Gateway", false},
		{"unreadable 200", 200, "<html>ok</html>", sms.CodeOutcomeUnknown, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				if tc.status == 429 {
					w.Header().Set("Retry-After", "3")
				}
				writeJSON(w, tc.status, tc.body)
			})
			p := newProvider(t, f.URL, nil)
			res, err := p.Send(context.Background(), &sms.Message{To: []string{"+41790000001"}, From: sms.Sender{Value: "InfoSMS"}, Body: "x"})
			require.Nil(t, res)
			var e *sms.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code)
			require.Equal(t, tc.notAccepted, e.NotAccepted)
			require.Equal(t, infobip.Name, e.Provider)
			if tc.vendorCode != "" || tc.message != "" {
				require.Equal(t, tc.vendorCode, e.VendorCode)
				require.Equal(t, tc.message, e.Message)
			}
			if tc.status == 429 {
				require.Equal(t, 3*time.Second, e.RetryAfter)
			}
			require.NotContains(t, err.Error(), testKey)
			require.NotContains(t, err.Error(), "<html>")
		})
	}
}

// A refused connection is NotAccepted (nothing was written); the root's retry rules apply.
func TestSendConnectionRefused(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}}}
	p := newProvider(t, "http://127.0.0.1:1", &infobip.Options{HTTPClient: hc})
	_, err := p.Send(context.Background(), &sms.Message{To: []string{"+41790000001"}, From: sms.Sender{Value: "InfoSMS"}, Body: "x"})
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.True(t, e.NotAccepted, "%v", err)
}

// FetchStatus reads GET /sms/3/logs?messageId=…; an id Infobip does not list is NotFound.
func TestFetchStatus(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Query().Get("messageId") == "m-1" {
			writeJSON(w, 200, `{"results":[{"messageId":"m-1","status":{"groupId":2,"groupName":"UNDELIVERABLE","id":9,"name":"UNDELIVERABLE_NOT_DELIVERED"},"error":{"groupId":1,"id":1,"name":"EC_UNKNOWN_SUBSCRIBER"}}]}`)
			return
		}
		writeJSON(w, 200, `{"results":[]}`)
	})
	p := newProvider(t, f.URL, nil)
	st, err := p.FetchStatus(context.Background(), "m-1")
	require.NoError(t, err)
	require.Equal(t, sms.StatusUndelivered, st)
	got := f.Requests()[0]
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/sms/3/logs", got.Path)
	require.Equal(t, "App "+testKey, got.Header.Get("Authorization"))

	_, err = p.FetchStatus(context.Background(), "m-2")
	require.ErrorIs(t, err, sms.ErrNotFound)
}

func TestNewValidatesConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  infobip.Config
		opts *infobip.Options
		want string
	}{
		{"no key", infobip.Config{BaseURL: "x.api.infobip.com"}, nil, "APIKey is required"},
		{"no base URL", infobip.Config{APIKey: sms.NewSecret(testKey)}, nil, "BaseURL is required"},
		{"bad delivery URL", infobip.Config{APIKey: sms.NewSecret(testKey), BaseURL: "x.api.infobip.com", DeliveryURL: "/relative"}, nil, "DeliveryURL"},
		{"bad version", infobip.Config{APIKey: sms.NewSecret(testKey), BaseURL: "x.api.infobip.com"}, &infobip.Options{APIVersion: 7}, "APIVersion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := infobip.New(tc.cfg, tc.opts)
			require.ErrorIs(t, err, sms.ErrInvalidArgument)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), testKey)
		})
	}
	p, err := infobip.New(infobip.Config{APIKey: sms.NewSecret(testKey), BaseURL: "x.api.infobip.com"}, nil)
	require.NoError(t, err)
	require.Equal(t, "infobip.Provider{base=https://x.api.infobip.com, api=v3}", p.String(), "a base URL without scheme gets https://")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		require.NotContains(t, sprintf(verb, p), testKey)
	}
	c := p.Capabilities()
	require.Equal(t, infobip.DefaultMaxRecipients, c.MaxRecipients)
	require.False(t, c.IdempotentSends)
	require.True(t, c.CallbackURL)
}

func TestNewFromEnv(t *testing.T) {
	t.Setenv(infobip.EnvAPIKey, "")
	t.Setenv(infobip.EnvBaseURL, "x.api.infobip.com")
	_, err := infobip.NewFromEnv(nil)
	require.ErrorContains(t, err, "INFOBIP_API_KEY is not set")

	t.Setenv(infobip.EnvAPIKey, testKey)
	t.Setenv(infobip.EnvBaseURL, "")
	_, err = infobip.NewFromEnv(nil)
	require.ErrorContains(t, err, "INFOBIP_BASE_URL is not set")

	t.Setenv(infobip.EnvBaseURL, "x.api.infobip.com")
	t.Setenv(infobip.EnvAPIVersion, "v2")
	t.Setenv(infobip.EnvMaxRecipients, "50")
	t.Setenv(infobip.EnvCallbackTokens, "a, b")
	p, err := infobip.NewFromEnv(nil)
	require.NoError(t, err)
	require.Contains(t, p.String(), "api=v2")
	require.Equal(t, 50, p.Capabilities().MaxRecipients)
	body := fixture(t, "dlr-v2.json")
	_, err = p.ParseCallback(context.Background(), hookRequest("/h?token=b", body), body)
	require.NoError(t, err)
}

// Sender rules: alphanumeric 3–11 characters.
func TestValidateSender(t *testing.T) {
	p := newProvider(t, "x.api.infobip.com", nil)
	require.NoError(t, p.ValidateSender(sms.Sender{Value: "InfoSMS"}))
	require.ErrorIs(t, p.ValidateSender(sms.Sender{Type: sms.SenderAlphanumeric, Value: "Ab"}), sms.ErrInvalidArgument)
	require.ErrorIs(t, p.ValidateSender(sms.Sender{Value: "TwelveChars1"}), sms.ErrInvalidArgument)
	require.NoError(t, p.ValidateSender(sms.Sender{Value: "+14155550100"}))
}

// A Validity that is not whole minutes goes as SECONDS in v3 and rounded up to minutes in
// v2; more than 48h is refused before any request.
func TestSendValidity(t *testing.T) {
	f := newFake(t, echoAccepted)
	msg := &sms.Message{To: []string{"+41790000001"}, From: sms.Sender{Value: "InfoSMS"}, Body: "x", Validity: 90 * time.Second}
	_, err := newProvider(t, f.URL, nil).Send(context.Background(), msg)
	require.NoError(t, err)
	require.Contains(t, string(f.Requests()[0].Body), `"validityPeriod":{"amount":90,"timeUnit":"SECONDS"}`)
	_, err = newProvider(t, f.URL, &infobip.Options{APIVersion: infobip.V2}).Send(context.Background(), msg)
	require.NoError(t, err)
	require.Contains(t, string(f.Requests()[1].Body), `"validityPeriod":2`)
	msg.Validity = 49 * time.Hour
	_, err = newProvider(t, f.URL, nil).Send(context.Background(), msg)
	require.ErrorIs(t, err, sms.ErrInvalidArgument)
	require.Len(t, f.Requests(), 2, "nothing sent")
}
