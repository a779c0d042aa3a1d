package acs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/acs"
)

// FuzzConnectionString: New parses any connection string without a panic, and an error about
// one never carries its access key, however the string is malformed.
func FuzzConnectionString(f *testing.F) {
	for _, s := range []string{
		"endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0IGtleSBmb3IgZnV6eg==",
		"Endpoint=https://contoso.communication.azure.com;AccessKey=c2VjcmV0",
		"accesskey=c2VjcmV0IGtleSBmb3IgZnV6eg==;endpoint=http://127.0.0.1:1",
		"endpoint=;accesskey=",
		"endpoint=https://x;accesskey=not base64!!",
		"endpoint=ftp://x;accesskey=c2VjcmV0",
		"accesskey=c2VjcmV0IGtleQ==",
		";;;=;=",
		"endpoint=https://a;endpoint=https://b;accesskey=c2VjcmV0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cs string) {
		_, err := acs.New(acs.Config{ConnectionString: sms.NewSecret(cs)}, nil)
		if err == nil {
			return
		}
		if sms.ErrorCode(err) != sms.CodeInvalidArgument {
			t.Fatalf("code %v, want InvalidArgument: %v", sms.ErrorCode(err), err)
		}
		out := fmt.Sprintf("%v %+v %#v %s", err, err, err, err.Error())
		for part := range strings.SplitSeq(cs, ";") {
			k, v, ok := strings.Cut(part, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "accesskey") && len(v) >= 6 && strings.Count(cs, v) == 1 && strings.Contains(out, v) {
				t.Fatalf("the error for %q carries the access key: %s", cs, out)
			}
		}
	})
}
