package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/redisstore"
	"github.com/smsbridge/sms/smstest"
	"github.com/smsbridge/sms/webhook"
)

// Every process of an application shares its rate limits, opt-outs and webhook state through
// one Redis server: give each the same client options and prefix. (This example needs a
// server, so it is compiled but not run.)
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("SMSBRIDGE_REDIS_ADDR")})
	defer rdb.Close()
	opts := &redisstore.Options{Prefix: "myapp:sms:"}

	// Rate profiles are data: per sender type, with overrides for single senders.
	profiles := sms.DefaultRateProfiles()
	profiles.ByType[sms.SenderLongCode] = sms.RateProfile{PerSecond: 4.5} // this brand's 10DLC throughput
	profiles.BySender = map[string]sms.RateProfile{"12345": {PerSecond: 250, Burst: 50}}

	// An opt-out received by any process refuses the next send from every process.
	consent := &sms.Consent{Store: redisstore.NewSuppressionStore(rdb, opts)}
	provider := smstest.NewRecorder(nil) // your vendor's provider
	client := sms.NewClient(provider, &sms.ClientOptions{
		Limiter:    redisstore.NewLimiter(rdb, profiles, opts),
		Suppressor: consent,
	})

	sink := webhook.SinkFunc(func(ctx context.Context, events []sms.Event) error {
		return nil // the application's own handling
	})
	http.Handle("/sms/callbacks", webhook.Handler(provider, sink, &webhook.Options{
		Dedup:   redisstore.NewDedupStore(rdb, opts),
		Parts:   redisstore.NewPartStore(rdb, opts),
		Consent: consent,
	}))

	res, err := client.Send(context.Background(), &sms.Message{
		From: sms.Sender{Value: "+12025550100"}, To: []string{"+12025550101"}, Body: "Your code is 123456",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0].OK())
}

// When Redis cannot be reached, nothing is sent: the limiter cannot prove the send is within
// the limit, so the recipient gets CodeUnavailable, marked not accepted (safe to send again
// later), and the vendor sees no request.
func ExampleNewLimiter_outage() {
	rdb := redis.NewClient(&redis.Options{
		Addr:          "127.0.0.1:6379",
		MaxRetries:    -1,
		DialerRetries: 1,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		},
	})
	defer rdb.Close()
	vendor := smstest.NewRecorder(nil)
	client := sms.NewClient(vendor, &sms.ClientOptions{Limiter: redisstore.NewLimiter(rdb, sms.DefaultRateProfiles(), nil)})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, _ := client.Send(ctx, &sms.Message{From: sms.Sender{Value: "+12025550100"}, To: []string{"+12025550101"}, Body: "hi"})
	fmt.Println(sms.ErrorCode(res[0].Err), sms.IsNotAccepted(res[0].Err), vendor.Calls())
	// Output: Unavailable true 0
}
