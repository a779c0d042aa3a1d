package emu

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/smsbridge/sms/emulator"
)

// URLs holds a vendor emulator's account-level webhook URLs (where delivery reports and
// inbound messages go), each under the key its control API names it by ("inbound_url",
// "status_callback", …). The vendor's Set… methods and POST /_emulator/config change them
// at run time; GET /_emulator/config shows them redacted. Safe for concurrent use; its lock
// is taken alone, so a vendor may read a URL while holding its own mutex.
type URLs struct {
	mu   sync.Mutex
	keys []string
	v    map[string]string
}

// NewURLs returns the URLs keys, each starting as initial[key] ("" when absent).
func NewURLs(initial map[string]string, keys ...string) *URLs {
	u := &URLs{keys: keys, v: map[string]string{}}
	for _, k := range keys {
		u.v[k] = initial[k]
	}
	return u
}

// Get returns the URL under key.
func (u *URLs) Get(key string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.v[key]
}

// Set changes the URL under key ("" for none).
func (u *URLs) Set(key, url string) {
	u.mu.Lock()
	u.v[key] = url
	u.mu.Unlock()
}

// Register serves GET /config (the URLs, redacted) and POST /config (a JSON object of
// some of the keys, each a URL or ""; other keys are refused) on c. noun names the URLs in
// the route list: "webhook", "callback".
func (u *URLs) Register(c *ControlMux, noun string) {
	keys := `{"` + strings.Join(u.keys, `","`) + `"}`
	c.Route("GET /config", keys+": the "+noun+" targets", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]string{}
		u.mu.Lock()
		for k, v := range u.v {
			out[k] = emulator.RedactURL(v)
		}
		u.mu.Unlock()
		WriteJSON(w, http.StatusOK, out)
	})
	c.Route("POST /config", keys+": change the "+noun+" targets", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]*string
		if !ReadJSON(w, r, &in) {
			return
		}
		for k := range in {
			if !slices.Contains(u.keys, k) {
				WriteError(w, http.StatusBadRequest, "invalid JSON: %v", fmt.Errorf("json: unknown field %q", k))
				return
			}
		}
		for k, v := range in {
			if v != nil {
				u.Set(k, *v)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
