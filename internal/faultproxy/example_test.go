package faultproxy_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/smsbridge/sms/internal/faultproxy"
)

// A proxy in front of a server answers the first request with its own 429 and forwards the
// second.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "accepted")
	}))
	defer srv.Close()

	p, err := faultproxy.New(faultproxy.Options{
		Target: srv.URL,
		Script: []faultproxy.Fault{faultproxy.TooManyRequests},
		// Or: Rate: 0.2, Seed: 1 — a fifth of the requests meet a fault.
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	tr := p.Transport() // dials through p.DialContext, which refuses when told to
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	for range 2 {
		resp, err := client.Post(p.URL+"/send", "text/plain", nil)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d Retry-After=%q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		fmt.Println()
	}
	for _, ev := range p.Events() {
		fmt.Println(ev)
	}
	// Output:
	// 429 Retry-After="1" Too Many Requests
	//
	// 200 Retry-After="" accepted
	// #1 POST /send: 429 Retry-After (server 0, client 429)
	// #2 POST /send: none (server 200, client 200)
}
