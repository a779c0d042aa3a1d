package redisstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvRedisAddr names the variable that holds the host:port of the redis-server the tests use.
// .ci/run starts one on loopback and sets it.
const envRedisAddr = "SMSBRIDGE_REDIS_ADDR"

// redisAddr returns the test server's address, skipping the test when none is configured
// outside CI and failing it in CI, where .ci/run must have started one.
func redisAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv(envRedisAddr)
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: in CI, .ci/run starts redis-server on 127.0.0.1 and sets it", envRedisAddr)
		}
		t.Skipf("%s is not set: start redis-server on 127.0.0.1 and set it to host:port to run the tests that need Redis", envRedisAddr)
	}
	return addr
}

// server is one test's view of the shared redis-server: a key prefix of its own, and a way
// to open as many clients as the test has "processes". Keys under the prefix are deleted at
// the end.
type server struct {
	addr   string
	prefix string
}

// newServer returns the test's server, after checking it answers.
func newServer(t testing.TB) *server {
	t.Helper()
	s := &server{addr: redisAddr(t), prefix: fmt.Sprintf("smstest:%s:%x:", strings.ReplaceAll(t.Name(), "/", "."), rand.Uint64())}
	rdb := s.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis-server at %s does not answer: %v", s.addr, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, k := range s.keys(t, rdb) {
			rdb.Del(ctx, k)
		}
	})
	return s
}

// client opens a new client, as another process would; it is closed at the end of the test.
// Its timeouts are long: go-redis's defaults (3 s to read, 5 s to dial) are wall-clock
// windows a busy 2-core CI machine under -race can miss, which would fail a test that is
// about sharing state, not about speed.
func (s *server) client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.addr, DialTimeout: 30 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, PoolTimeout: 30 * time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// keys lists the keys under the test's prefix.
func (s *server) keys(t testing.TB, rdb *redis.Client) []string {
	t.Helper()
	var out []string
	iter := rdb.Scan(context.Background(), 0, s.prefix+"*", 100).Iterator()
	for iter.Next(context.Background()) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// refusedDials counts the connections a down client tried.
type refusedDials struct {
	mu sync.Mutex
	n  int
}

// downClient returns a client whose every connection is refused, as by a Redis server that is
// down: no network, no port that must stay free.
func downClient(t testing.TB) (*redis.Client, *refusedDials) {
	d := &refusedDials{}
	rdb := redis.NewClient(&redis.Options{
		Addr:       "127.0.0.1:6379",
		Protocol:   2,
		MaxRetries: -1,
		// One dial per command, at once: the outage tests need no backoff.
		DialerRetries:      1,
		DialerRetryTimeout: time.Nanosecond,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d.mu.Lock()
			d.n++
			d.mu.Unlock()
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		},
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb, d
}

func (d *refusedDials) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}

// quiet drops go-redis's own log lines (a refused dial is logged as well as returned).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	os.Exit(m.Run())
}
