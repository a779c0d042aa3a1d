package httpx_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

func TestStatusCode(t *testing.T) {
	type want struct {
		code        sms.Code
		notAccepted bool
	}
	cases := []struct {
		status       int
		notProcessed []int
		want         want
	}{
		{400, nil, want{sms.CodeInvalidArgument, true}},
		{422, nil, want{sms.CodeInvalidArgument, true}},
		{401, nil, want{sms.CodeUnauthenticated, true}},
		{403, nil, want{sms.CodePermissionDenied, true}},
		{404, nil, want{sms.CodeNotFound, true}},
		{405, nil, want{sms.CodeInvalidArgument, true}},
		{408, nil, want{sms.CodeOutcomeUnknown, false}},
		{409, nil, want{sms.CodeOutcomeUnknown, false}},
		{410, nil, want{sms.CodeInvalidArgument, true}},
		{413, nil, want{sms.CodeInvalidArgument, true}},
		{429, nil, want{sms.CodeRateLimited, true}},
		{451, nil, want{sms.CodeInvalidArgument, true}},
		{500, nil, want{sms.CodeOutcomeUnknown, false}},
		{501, nil, want{sms.CodeOutcomeUnknown, false}},
		{502, nil, want{sms.CodeOutcomeUnknown, false}},
		// A 503 after the request was written proves nothing unless the vendor documents it.
		{503, nil, want{sms.CodeOutcomeUnknown, false}},
		{503, []int{502}, want{sms.CodeOutcomeUnknown, false}},
		{503, []int{503}, want{sms.CodeUnavailable, true}},
		{500, []int{500, 503}, want{sms.CodeUnavailable, true}},
		{504, nil, want{sms.CodeOutcomeUnknown, false}},
		{599, nil, want{sms.CodeOutcomeUnknown, false}},
		{408, []int{408}, want{sms.CodeUnavailable, true}},
		{429, []int{429}, want{sms.CodeRateLimited, true}},
		{400, []int{400}, want{sms.CodeInvalidArgument, true}},
		{302, nil, want{sms.CodeOutcomeUnknown, false}},
		{307, nil, want{sms.CodeOutcomeUnknown, false}},
		{200, nil, want{sms.CodeOutcomeUnknown, false}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d/%v", c.status, c.notProcessed), func(t *testing.T) {
			code, na := httpx.StatusCode(c.status, c.notProcessed)
			require.Equal(t, c.want, want{code, na})
			v := httpx.Vendor{Name: "v", NotProcessed: c.notProcessed}
			code, na = v.Code(c.status)
			require.Equal(t, c.want, want{code, na}, "Vendor.Code")
			e := v.StatusError(&httpx.Response{StatusCode: c.status})
			require.Equal(t, c.want, want{e.Code, e.NotAccepted}, "Vendor.StatusError")
		})
	}
}

func TestStatusErrorFields(t *testing.T) {
	v := httpx.Vendor{Name: "p", NotProcessed: []int{503}}
	r := &httpx.Response{StatusCode: 503, RequestID: "rid", RetryAfter: 3 * time.Second,
		Header: http.Header{"Authorization": {"Bearer secret"}}, Body: []byte("secret body")}
	got := v.StatusError(r)
	want := &sms.Error{Code: sms.CodeUnavailable, Provider: "p", HTTPStatus: 503, RequestID: "rid",
		RetryAfter: 3 * time.Second, Message: "Service Unavailable", NotAccepted: true}
	require.Equal(t, want, got)

	require.Equal(t, "HTTP 499", v.StatusError(&httpx.Response{StatusCode: 499}).Message)
	require.Equal(t, &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: "p", Message: "no response"}, v.StatusError(nil))

	// The old entry point keeps working with the new rules.
	old := httpx.StatusError("p", &httpx.Response{StatusCode: 503})
	require.Equal(t, sms.CodeOutcomeUnknown, old.Code)
	require.False(t, old.NotAccepted)
}

// A vendor or a proxy that echoes the request into a non-JSON error page must not get the
// request's credentials into an error or a log line.
func TestStatusErrorNeverQuotesTheBody(t *testing.T) {
	const user, pass = "AC0123", "s3cr3t-token"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		var keys []string
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "upstream failed for %s %s\n", r.Method, r.URL)
		for _, k := range keys {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
		}
	}))
	t.Cleanup(echo.Close)

	req := sendRequest(t, context.Background(), echo.URL)
	req.SetBasicAuth(user, pass)
	basic := req.Header.Get("Authorization")
	v := httpx.Vendor{Name: "echo"}
	resp, err := v.Do(echo.Client(), req)
	require.NoError(t, err)
	require.Contains(t, string(resp.Body), basic, "precondition: the server echoes the credential")

	e := v.StatusError(resp)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	log.Error("send failed", "err", e, "resp", resp)
	log.Error("send failed", slog.Any("err", error(e)), slog.Any("resp", resp))
	slog.New(slog.NewJSONHandler(&logs, nil)).Warn("send failed", "err", e, "resp", resp)

	for _, out := range []string{
		e.Error(), e.Message,
		fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e),
		fmt.Sprintf("%v", resp), fmt.Sprintf("%+v", resp), fmt.Sprintf("%#v", resp),
		logs.String(),
	} {
		for _, secret := range []string{basic, pass, "Basic "} {
			require.NotContains(t, out, secret)
		}
	}
	require.Equal(t, "Bad Gateway", e.Message)
}

func TestFieldErrors(t *testing.T) {
	if got := httpx.FieldErrors(nil); got != "" {
		t.Errorf("httpx.FieldErrors(nil) = %q", got)
	}
	got := httpx.FieldErrors(map[string][]string{"to": {"is invalid"}, "from": {"missing", "too long"}})
	if want := " (from: missing too long; to: is invalid)"; got != want {
		t.Errorf("FieldErrors = %q, want %q", got, want)
	}
}
