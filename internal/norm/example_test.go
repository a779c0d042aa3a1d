package norm_test

import (
	"fmt"

	"github.com/smsbridge/sms/internal/norm"
)

// Vendor payloads write numbers with or without "+" and times in several layouts; events
// carry E.164 and UTC. (The UUID is the one Python's uuid.uuid5(NAMESPACE_URL, …) gives.)
func Example() {
	fmt.Println(norm.Phone("41793026727"), norm.Phone("InfoSMS"))
	fmt.Println(norm.Time("2026-03-04T05:30:15.000-0700"))
	fmt.Println(norm.FormatUUID(norm.UUID5(norm.NamespaceURL, "https://example.com/")))
	// Output:
	// +41793026727 InfoSMS
	// 2026-03-04 12:30:15 +0000 UTC
	// dd2c1780-811a-5296-81c5-178a0ef488bc
}
