package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms/emulator"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestRedactHeader(t *testing.T) {
	h := http.Header{
		"Authorization":              {"Basic QUMxMjM6c2VjcmV0", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=abc="},
		"Proxy-Authorization":        {"opaque"},
		"X-Api-Key":                  {"k1"},
		"Ocp-Apim-Subscription-Key":  {"k2"},
		"Cookie":                     {"session=s"},
		"X-Auth-Token":               {"t"},
		"X-Ms-Content-Sha256":        {"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		"I-Twilio-Idempotency-Token": {"abc-123"},
		"Content-Type":               {"application/json"},
	}
	orig := h.Clone()
	got := emulator.RedactHeader(h)
	want := http.Header{
		"Authorization":              {"Basic [REDACTED]", "HMAC-SHA256 [REDACTED]"},
		"Proxy-Authorization":        {"[REDACTED]"},
		"X-Api-Key":                  {"[REDACTED]"},
		"Ocp-Apim-Subscription-Key":  {"[REDACTED]"},
		"Cookie":                     {"[REDACTED]"},
		"X-Auth-Token":               {"[REDACTED]"},
		"X-Ms-Content-Sha256":        {"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		"I-Twilio-Idempotency-Token": {"abc-123"},
		"Content-Type":               {"application/json"},
	}
	require.Empty(t, cmp.Diff(want, got))
	require.Empty(t, cmp.Diff(orig, h), "RedactHeader changed its argument")
	require.Nil(t, emulator.RedactHeader(nil))
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://app.example/acs/events?token=s3cret":    "https://app.example/acs/events?token=[REDACTED]",
		"https://app.example/hook?a=1&token=s3cret#rc=3": "https://app.example/hook?a=[REDACTED]&token=[REDACTED]#rc=3",
		"https://user:pa55@app.example/hook":             "https://user:[REDACTED]@app.example/hook",
		"https://app.example/hook":                       "https://app.example/hook",
		"http://bad host/x?token=s3cret":                 "[REDACTED]",
		"not a url":                                      "not a url",
	} {
		require.Equal(t, want, emulator.RedactURL(in), in)
	}
}

func TestRequestAndDeliveryHideCredentials(t *testing.T) {
	secret := "c2VjcmV0LXRva2Vu"
	r := emulator.Request{Method: "POST", Path: "/sms", Header: http.Header{"Authorization": {"Basic " + secret}, "Api-Key": {secret}}}
	d := emulator.Delivery{ID: 1, Method: "POST", URL: "https://app.example/hook?token=" + secret,
		Header: http.Header{"Authorization": {"Basic " + secret}}, Err: errors.New("answered 500")}
	for name, shown := range map[string]string{
		"request %v": fmt.Sprint(r), "request %+v": fmt.Sprintf("%+v", r), "delivery %v": fmt.Sprint(d),
		"request JSON": string(must(json.Marshal(r))), "delivery JSON": string(must(json.Marshal(d))),
	} {
		require.NotContains(t, shown, secret, name)
	}
	require.Contains(t, string(must(json.Marshal(r))), `"Basic [REDACTED]"`)
	require.Equal(t, "Basic "+secret, r.Header.Get("Authorization"), "the Go value keeps the header")
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestManualClockSleep(t *testing.T) {
	c := emulator.NewManualClock(t0)
	woke := make(chan error, 2)
	go func() { woke <- c.Sleep(context.Background(), time.Minute) }()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { woke <- c.Sleep(ctx, time.Hour) }()
	require.NoError(t, c.WaitSleepers(t.Context(), 2))

	c.Advance(59 * time.Second)
	require.Equal(t, 2, c.Sleepers(), "a sleeper woke before its time")
	c.Advance(time.Second)
	require.NoError(t, <-woke)
	require.Equal(t, 1, c.Sleepers())

	cancel()
	require.ErrorIs(t, <-woke, context.Canceled)
	require.NoError(t, c.WaitSleepers(t.Context(), 0))
	require.Equal(t, 0, c.Sleepers())

	require.NoError(t, c.Sleep(context.Background(), 0), "a zero sleep returns at once")
	c.Set(t0)
	require.True(t, c.Now().Equal(t0))
	require.True(t, c.Advance(time.Hour).Equal(t0.Add(time.Hour)))

	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	require.ErrorIs(t, c.WaitSleepers(ctx2, 1), context.Canceled)
}

func TestStrings(t *testing.T) {
	require.Equal(t, "retry", emulator.Retry.String())
	require.Equal(t, "verdict(9)", emulator.Verdict(9).String())
	require.Equal(t, "exhausted", emulator.StateExhausted.String())
	require.True(t, strings.HasPrefix(emulator.DeliveryState(9).String(), "state("))
}

func TestDeliveryFailure(t *testing.T) {
	ok := emulator.Delivery{ID: 1, State: emulator.StateDelivered, StatusCode: 204}
	require.NoError(t, ok.Failure())
	require.NoError(t, emulator.Delivery{State: emulator.StatePending}.Failure(), "not finished yet")

	bad := emulator.Delivery{ID: 2, Method: "POST", URL: "http://127.0.0.1:1/hook?token=tok-secret", State: emulator.StateDropped,
		StatusCode: 401, ResponseBody: []byte("\n  bad token tok-secret at http://x.example/a?k=v \nmore")}
	err := bad.Failure()
	var de *emulator.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Equal(t, 2, de.Deliveries[0].ID)
	require.Equal(t, "callback 2 POST http://127.0.0.1:1/hook?token=[REDACTED] answered 401 Unauthorized: bad token [REDACTED] at http://x.example/a?k=[REDACTED] (dropped)", err.Error())

	// Delivered by the vendor's rule but not 2xx (a rule that accepts a 3xx) is a failure too.
	require.Error(t, emulator.Delivery{State: emulator.StateDelivered, StatusCode: 302}.Failure())
}
