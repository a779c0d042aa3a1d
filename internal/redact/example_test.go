package redact_test

import (
	"fmt"

	"github.com/smsbridge/sms/internal/redact"
)

func ExampleURL() {
	fmt.Println(redact.URL("https://app.example/hooks/vibes?token=s3cret"))
	fmt.Println(redact.URL("https://user:pa55@app.example/hooks/infobip"))
	// Output:
	// https://app.example/hooks/vibes?token=[REDACTED]
	// https://user:[REDACTED]@app.example/hooks/infobip
}
