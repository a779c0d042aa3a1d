package sms_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/redact"
)

// A per-message callback URL carries the callback token: no formatting path prints it, while
// the URL's host and path stay readable and JSON keeps it whole (queues need it).
func TestMessagePrintsNoCallbackToken(t *testing.T) {
	const token = "cb-token-0123456789abcdef"
	m := &sms.Message{To: []string{"+14155550100"}, Body: "hi", CallbackURL: "https://app.example/hooks/vibes?token=" + token}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("send", "msg", m, "value", *m)
	outs := map[string]string{"slog": logged.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outs[verb] = fmt.Sprintf(verb, m)
		outs[verb+" value"] = fmt.Sprintf(verb, *m)
	}
	outs["nested"] = fmt.Sprintf("%+v", struct{ M *sms.Message }{m})
	for how, out := range outs {
		if strings.Contains(out, token) {
			t.Errorf("%s prints the token: %s", how, out)
		}
		if how != "nested" && !strings.Contains(out, "app.example/hooks/vibes") {
			t.Errorf("%s lost the URL's host and path: %s", how, out)
		}
	}
	b, err := json.Marshal(m)
	if err != nil || !strings.Contains(string(b), token) {
		t.Fatalf("JSON must keep the callback URL: %s %v", b, err)
	}
}

// The redaction text of URLs and of secrets is one.
func TestRedactedTextsAgree(t *testing.T) {
	if redact.Redacted != sms.Redacted {
		t.Fatalf("%q != %q", redact.Redacted, sms.Redacted)
	}
}
