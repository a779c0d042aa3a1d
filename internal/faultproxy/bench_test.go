package faultproxy

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkForward measures a request through the proxy with no fault beside the same
// request sent straight to the server (the baseline), both over kept-alive connections.
func BenchmarkForward(b *testing.B) {
	srv := newBenchBackend(b)
	p, err := New(Options{Target: srv})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	direct := &http.Client{Transport: &http.Transport{}}
	proxied := &http.Client{Transport: p.Transport()}
	defer direct.CloseIdleConnections()
	defer proxied.CloseIdleConnections()
	for _, bc := range []struct {
		name string
		c    *http.Client
		url  string
	}{{"direct", direct, srv}, {"proxy", proxied, p.URL}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if a := post(context.Background(), bc.c, bc.url, "hello"); a.err != nil || a.status != 200 {
					b.Fatal(a.status, a.err)
				}
			}
		})
	}
}
