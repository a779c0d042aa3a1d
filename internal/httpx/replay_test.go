package httpx_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/httpx"
)

// h2ResetServer is an HTTP/2 (h2c, prior knowledge) server written on http2.Framer, because
// a Go handler that aborts sends INTERNAL_ERROR, which Go's client does not retry. It reads
// each request's body to the end and records it as accepted (as a vendor that processed the
// send would); it resets the first stream with RST_STREAM(PROTOCOL_ERROR) and answers the
// following ones 201.
type h2ResetServer struct {
	ln net.Listener
	mu sync.Mutex
	// accepted holds the bodies of every request read to the end, in order.
	accepted [][]byte
}

func newH2ResetServer(t *testing.T) *h2ResetServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &h2ResetServer{ln: ln}
	var wg sync.WaitGroup
	var conns []net.Conn
	var connsMu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			connsMu.Lock()
			conns = append(conns, c)
			connsMu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(t, c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		connsMu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		connsMu.Unlock()
		wg.Wait()
	})
	return s
}

func (s *h2ResetServer) url() string { return "http://" + s.ln.Addr().String() + "/send" }

func (s *h2ResetServer) bodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.accepted...)
}

func (s *h2ResetServer) serve(t *testing.T, c net.Conn) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(c, c)
	if fr.WriteSettings() != nil {
		return
	}
	bodies := map[uint32]*bytes.Buffer{}
	var hbuf bytes.Buffer
	enc := hpack.NewEncoder(&hbuf)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return // the connection closed
		}
		id := f.Header().StreamID
		ended := false
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				_ = fr.WritePing(true, f.Data)
			}
		case *http2.HeadersFrame:
			bodies[id] = new(bytes.Buffer)
			ended = f.StreamEnded()
		case *http2.DataFrame:
			if b := bodies[id]; b != nil {
				b.Write(f.Data())
			}
			if n := len(f.Data()); n > 0 {
				_ = fr.WriteWindowUpdate(0, uint32(n))
			}
			ended = f.StreamEnded()
		}
		if !ended {
			continue
		}
		// The whole request has arrived: the vendor accepts it.
		s.mu.Lock()
		s.accepted = append(s.accepted, bodies[id].Bytes())
		n := len(s.accepted)
		s.mu.Unlock()
		delete(bodies, id)
		if n == 1 {
			// Processed, then the stream is reset: the answer (the message id) is lost.
			_ = fr.WriteRSTStream(id, http2.ErrCodeProtocol)
			continue
		}
		reply := `{"sid":"SM` + strconv.Itoa(n) + `"}`
		hbuf.Reset()
		for _, hf := range []hpack.HeaderField{
			{Name: ":status", Value: "201"},
			{Name: "content-type", Value: "application/json"},
			{Name: "content-length", Value: strconv.Itoa(len(reply))},
		} {
			_ = enc.WriteField(hf)
		}
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hbuf.Bytes(), EndHeaders: true})
		_ = fr.WriteData(id, true, []byte(reply))
	}
}

// h2cClient speaks HTTP/2 over cleartext TCP with prior knowledge: Go's own HTTP/2 client,
// the one whose retry after PROTOCOL_ERROR (golang/go#47635) is under test.
func h2cClient(t *testing.T) *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// Go's HTTP/2 client re-sends a request whose stream the server reset with PROTOCOL_ERROR,
// rewinding the body with GetBody, even after the body was read: a duplicate send reported
// as a success. Do must send it once and report OutcomeUnknown.
func TestHTTP2ResetAfterReadIsSentOnce(t *testing.T) {
	t.Run("net/http alone re-sends", func(t *testing.T) {
		// The control: proves the hazard exists in this Go version, so that the next subtest
		// tests something.
		srv := newH2ResetServer(t)
		req := sendRequest(t, context.Background(), srv.url())
		require.NotNil(t, req.GetBody, "precondition: the request can be rewound")
		resp, err := h2cClient(t).Do(req)
		require.NoError(t, err, "net/http retried the reset stream and got the 201")
		_ = resp.Body.Close()
		require.Equal(t, 2, resp.ProtoMajor)
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		bodies := srv.bodies()
		require.Len(t, bodies, 2, "if net/http stopped re-sending, revisit the package doc")
		require.Equal(t, bodies[0], bodies[1])
	})
	t.Run("Do sends once", func(t *testing.T) {
		srv := newH2ResetServer(t)
		req := sendRequest(t, context.Background(), srv.url())
		resp, err := httpx.Do(h2cClient(t), req, httpx.Options{Provider: "test"})
		require.Len(t, srv.bodies(), 1, "the vendor accepted the send more than once")
		require.Nil(t, resp)
		var e *sms.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, sms.CodeOutcomeUnknown, e.Code, "error: %v", err)
		require.False(t, e.NotAccepted)
		require.NotNil(t, req.GetBody, "Do modified the caller's request")
	})
}

// A redirect of a send is not followed: a 307 or 308 would write the body again to the new
// location, and a 301, 302 or 303 would turn the send into a GET whose answer looks like the
// vendor's. The 3xx itself is the answer, mapped to OutcomeUnknown.
func TestRedirectOfASendIsNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var mu sync.Mutex
			var paths []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.ReadAll(r.Body)
				mu.Lock()
				paths = append(paths, r.Method+" "+r.URL.Path)
				mu.Unlock()
				if r.URL.Path == "/send" {
					http.Redirect(w, r, "/elsewhere", status)
					return
				}
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"sid":"SM1"}`)
			}))
			t.Cleanup(srv.Close)
			client := srv.Client()
			req := sendRequest(t, context.Background(), srv.URL+"/send")
			resp, err := httpx.Do(client, req, httpx.Options{})
			require.NoError(t, err)
			require.Equal(t, status, resp.StatusCode)
			mu.Lock()
			require.Equal(t, []string{"POST /send"}, paths)
			mu.Unlock()
			require.Nil(t, client.CheckRedirect, "Do modified the caller's client")
			e := httpx.Vendor{Name: "v"}.StatusError(resp)
			require.Equal(t, sms.CodeOutcomeUnknown, e.Code)
			require.False(t, e.NotAccepted)
		})
	}
}
