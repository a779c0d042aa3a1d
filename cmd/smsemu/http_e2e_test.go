package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// call makes one HTTP request with nothing but net/http, as a Node or Python test would,
// and returns the status and the body.
func call(t *testing.T, method, u, contentType, body string, auth ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	// No keep-alive: a pooled connection must not outlive this emulator into another test
	// whose server the OS gave the same port.
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// TestDrivenOverHTTPOnly drives smsemu as a test in another language does: the first
// stdout line for the base URL and credentials, then plain HTTP for everything: send,
// wait for the callbacks with the long-poll, push a report, inject inbound messages, read
// the recorded requests. No step waits for a wall-clock window: the long-poll returns when
// the callbacks have finished.
func TestDrivenOverHTTPOnly(t *testing.T) {
	var (
		mu       sync.Mutex
		got      []url.Values
		refuse   atomic.Bool
		received = func() []url.Values { mu.Lock(); defer mu.Unlock(); return append([]url.Values(nil), got...) }
	)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		mu.Lock()
		got = append(got, form)
		mu.Unlock()
		if refuse.Load() {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, "<Response/>")
	}))
	t.Cleanup(app.Close)

	p := start(t, "-inbound", "twilio="+app.URL+"/inbound?token=tok-123")
	base, sid, token := p.twilio.BaseURL, p.twilio.Credentials.AccountSID, p.twilio.Credentials.AuthToken
	ctl := base + "/_emulator"

	// The route list.
	code, _, b := call(t, http.MethodGet, ctl+"/", "", "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	var list struct {
		Routes []struct{ Method, Path, Doc string } `json:"routes"`
	}
	require.NoError(t, json.Unmarshal(b, &list))
	paths := map[string]bool{}
	for _, r := range list.Routes {
		paths[r.Method+" "+r.Path] = true
	}
	for _, want := range []string{"GET /_emulator/callbacks/wait", "POST /_emulator/messages/{id}/status", "POST /_emulator/inbound", "GET /_emulator/requests", "GET /_emulator/info"} {
		require.True(t, paths[want], "GET /_emulator/ lists %s: %s", want, b)
	}

	// The webhook targets, their secrets hidden.
	code, _, b = call(t, http.MethodGet, ctl+"/config", "", "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	require.Contains(t, string(b), `"inbound_url": "`+app.URL+`/inbound?token=[REDACTED]"`)

	// Control errors are JSON, a wrong method included.
	for _, c := range []struct{ method, path string }{{http.MethodPut, "/config"}, {http.MethodGet, "/no-such-route"}} {
		code, h, b := call(t, c.method, ctl+c.path, "application/json", "{}")
		require.Contains(t, []int{http.StatusMethodNotAllowed, http.StatusNotFound}, code)
		require.Equal(t, "application/json", h.Get("Content-Type"), "%s %s: %s", c.method, c.path, b)
		var e struct{ Error string }
		require.NoError(t, json.Unmarshal(b, &e))
		require.NotEmpty(t, e.Error)
	}

	// Send with a status callback, then wait for its two reports (sent, delivered).
	form := url.Values{"To": {"+14155550100"}, "From": {"+15005550006"}, "Body": {"hello"}, "StatusCallback": {app.URL + "/status"}}
	code, _, b = call(t, http.MethodPost, base+"/2010-04-01/Accounts/"+sid+"/Messages.json", "application/x-www-form-urlencoded", form.Encode(), sid, token)
	require.Equal(t, http.StatusCreated, code, "%s", b)
	var msg struct {
		SID string `json:"sid"`
	}
	require.NoError(t, json.Unmarshal(b, &msg))
	code, _, b = call(t, http.MethodGet, ctl+"/callbacks/wait?n=2&timeout=60s", "", "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	require.Len(t, received(), 2)
	require.Equal(t, "delivered", received()[1].Get("MessageStatus"))

	// Push a report for the existing message: undelivered, 30003.
	code, _, b = call(t, http.MethodPost, ctl+"/messages/"+msg.SID+"/status", "application/json", `{"status":"undelivered","error_code":"30003"}`)
	require.Equal(t, http.StatusOK, code, "%s", b)
	code, _, b = call(t, http.MethodGet, ctl+"/callbacks/wait?n=3&timeout=60s", "", "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	require.Equal(t, "undelivered", received()[2].Get("MessageStatus"))
	require.Equal(t, "30003", received()[2].Get("ErrorCode"))
	code, _, b = call(t, http.MethodGet, base+"/2010-04-01/Accounts/"+sid+"/Messages/"+msg.SID+".json", "", "", sid, token)
	require.Equal(t, http.StatusOK, code, "%s", b)
	var fetched struct {
		Status       string `json:"status"`
		ErrorCode    int    `json:"error_code"`
		ErrorMessage string `json:"error_message"`
	}
	require.NoError(t, json.Unmarshal(b, &fetched))
	require.Equal(t, "undelivered", fetched.Status)
	require.Equal(t, 30003, fetched.ErrorCode)
	require.NotEmpty(t, fetched.ErrorMessage)
	code, _, _ = call(t, http.MethodPost, ctl+"/messages/SMnope/status", "application/json", `{"status":"delivered"}`)
	require.Equal(t, http.StatusNotFound, code)

	// Inbound: accepted, then refused by the application: the refusal is an error answer.
	code, _, b = call(t, http.MethodPost, ctl+"/inbound", "application/json", `{"from":"+14155550100","to":"+15005550006","body":"hi"}`)
	require.Equal(t, http.StatusOK, code, "%s", b)
	refuse.Store(true)
	code, _, b = call(t, http.MethodPost, ctl+"/inbound", "application/json", `{"from":"+14155550100","to":"+15005550006","body":"hi"}`)
	require.Equal(t, http.StatusBadGateway, code, "%s", b)
	require.Contains(t, string(b), "answered 401 Unauthorized: invalid signature")
	require.NotContains(t, string(b), "tok-123")

	// The long-poll reports a failed status callback too.
	_, _, _ = call(t, http.MethodPost, base+"/2010-04-01/Accounts/"+sid+"/Messages.json", "application/x-www-form-urlencoded", form.Encode(), sid, token)
	code, _, b = call(t, http.MethodGet, ctl+"/callbacks/wait?n=7&timeout=60s", "", "")
	require.Equal(t, http.StatusBadGateway, code, "%s", b)
	var failure struct {
		Error      string            `json:"error"`
		Deliveries []json.RawMessage `json:"deliveries"`
	}
	require.NoError(t, json.Unmarshal(b, &failure))
	require.Len(t, failure.Deliveries, 2, "sent and delivered were both refused")

	// The recorded requests: the two sends and the fetch.
	code, _, b = call(t, http.MethodGet, ctl+"/requests?method=POST", "", "")
	require.Equal(t, http.StatusOK, code)
	var reqs []json.RawMessage
	require.NoError(t, json.Unmarshal(b, &reqs))
	require.Len(t, reqs, 2)
	require.NotContains(t, string(b), token)
}

// startEnv runs smsemu with env standing in for its stdin and parent, and returns its
// first line and its exit code channel.
func startEnv(t *testing.T, env procEnv, args ...string) (string, chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		code := serveEnv(ctx, append([]string{"-ports-from", "0"}, args...), pw, io.Discard, (&net.ListenConfig{}).Listen, env)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr)
	return line, done
}

func waitExit(t *testing.T, done chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing window
		t.Fatal("smsemu did not stop")
		return -1
	}
}

func TestExitOnStdinClose(t *testing.T) {
	in, closeIn := io.Pipe()
	line, done := startEnv(t, procEnv{stdin: in, getppid: func() int { return 1 }, tick: time.Hour}, "-exit-on-stdin-close")
	require.Contains(t, line, `"vendors"`)
	select {
	case <-done:
		t.Fatal("stopped while stdin was open")
	default:
	}
	closeIn.Close() // the parent closed the pipe, or died
	require.Equal(t, exitOK, waitExit(t, done))
}

func TestExitWithParent(t *testing.T) {
	var ppid atomic.Int64
	ppid.Store(4242)
	line, done := startEnv(t, procEnv{stdin: strings.NewReader(""), getppid: func() int { return int(ppid.Load()) }, tick: time.Millisecond}, "-exit-with-parent")
	require.Contains(t, line, `"vendors"`)
	ppid.Store(1) // re-parented: the parent died
	require.Equal(t, exitOK, waitExit(t, done))
}

// TestMainOrphaned reproduces go run killed by SIGTERM: the real smsemu runs under an
// intermediate parent (sh, standing in for the go command) that is killed, so smsemu is
// orphaned, still holding the test's pipes. It must stop when the test closes its stdin
// (-exit-on-stdin-close), or by itself once its parent is gone (-exit-with-parent). Its exit
// shows as the end of its stdout, which only it holds once sh is dead.
func TestMainOrphaned(t *testing.T) {
	if os.Getenv("SMSEMU_TEST_MAIN") == "1" {
		return // the child of TestMainSignal's re-exec runs main there
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, c := range []struct {
		flag       string
		closeStdin bool
	}{{"-exit-on-stdin-close", true}, {"-exit-with-parent", false}} {
		t.Run(c.flag, func(t *testing.T) {
			stdinR, stdinW, err := os.Pipe()
			require.NoError(t, err)
			outR, outW, err := os.Pipe()
			require.NoError(t, err)
			pidFile := t.TempDir() + "/pid"
			// The child re-runs this test binary's main (see TestMainSignal) in the background
			// of sh, with the stdin sh got, as go run runs the command it built.
			script := `"$0" -test.run='^TestMainSignal$' <&0 & echo $! > "$1"; wait`
			cmd := exec.Command(sh, "-c", script, os.Args[0], pidFile)
			cmd.Env = append(os.Environ(), "SMSEMU_TEST_MAIN=1", "SMSEMU_TEST_ARGS=-ports-from 0 "+c.flag)
			cmd.Stdin, cmd.Stdout = stdinR, outW
			require.NoError(t, cmd.Start())
			stdinR.Close()
			outW.Close() // now only sh and smsemu hold the write end
			defer stdinW.Close()
			defer outR.Close()
			br := bufio.NewReader(outR)
			line, err := br.ReadString('\n')
			require.NoError(t, err, "no first line")
			require.Contains(t, line, `"vendors"`)
			pid, err := os.ReadFile(pidFile)
			require.NoError(t, err)

			require.NoError(t, cmd.Process.Kill()) // the intermediate parent dies; smsemu lives on
			_ = cmd.Wait()                         // reaps sh
			if c.closeStdin {
				stdinW.Close()
			}
			ended := make(chan struct{})
			go func() { io.Copy(io.Discard, br); close(ended) }()
			select {
			case <-ended: // smsemu exited: the last write end of its stdout closed
			case <-time.After(30 * time.Second): // a guard against a hang, not a timing window
				if n, err := strconv.Atoi(strings.TrimSpace(string(pid))); err == nil {
					if p, err := os.FindProcess(n); err == nil {
						p.Kill()
					}
				}
				t.Fatal("the orphaned smsemu was still running")
			}
		})
	}
}
