package twiliotest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/emulator"
	"github.com/smsbridge/sms/twilio/twiliotest"
)

// list GETs the Messages list with query q and returns the SIDs and the next page URI.
func list(t *testing.T, srv *twiliotest.Server, q url.Values) (sids []string, next string) {
	t.Helper()
	r := do(t, http.MethodGet, messagesURL(srv, srv.AccountSID())+"?"+q.Encode(), srv.AccountSID(), srv.AuthToken(), "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%v", r.JSON)
	for _, m := range r.JSON["messages"].([]any) {
		sids = append(sids, m.(map[string]any)["sid"].(string))
	}
	if n, ok := r.JSON["next_page_uri"].(string); ok {
		next = n
	}
	return sids, next
}

// The list honours To, From, DateSent, DateSent< and DateSent> (a day or an RFC 3339 time), and
// a queued message, which has no DateSent, matches no DateSent filter.
func TestListFilters(t *testing.T) {
	clk := emulator.NewManualClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	srv := newServer(t, &twiliotest.Options{Clock: clk})
	const queuedTo = "+14155550111"
	srv.SetOutcome(queuedTo, sms.StatusQueued, "")
	sid := func(to, from string) string {
		r := send(t, srv, url.Values{"To": {to}, "From": {from}, "Body": {"hi"}})
		require.Equal(t, http.StatusCreated, r.Status, "%v", r.JSON)
		return r.JSON["sid"].(string)
	}
	a := sid(recipient, sender) // sent on 2026-12-01
	clk.Advance(48 * time.Hour)
	b := sid(recipient, "+15005550010") // sent on 2026-12-03
	q := sid(queuedTo, sender)          // never sent

	all := func(kv ...string) []string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		got, _ := list(t, srv, v)
		return got
	}
	require.Equal(t, []string{q, b, a}, all(), "newest first")
	require.Equal(t, []string{b, a}, all("To", recipient))
	require.Equal(t, []string{b}, all("To", recipient, "From", "+15005550010"))
	require.Equal(t, []string{b}, all("DateSent>", "2026-12-02"))
	require.Equal(t, []string{b, a}, all("DateSent>", "2026-12-01"), "a day is inclusive")
	require.Equal(t, []string{a}, all("DateSent<", "2026-12-02"))
	require.Equal(t, []string{a}, all("DateSent", "2026-12-01"))
	require.Equal(t, []string{b}, all("DateSent>", "2026-12-01T10:00:01Z"))
	require.Empty(t, all("To", queuedTo, "DateSent>", "2000-01-01"), "a queued message has no DateSent")
	require.Equal(t, []string{q}, all("To", queuedTo))

	r := do(t, http.MethodGet, messagesURL(srv, srv.AccountSID())+"?DateSent%3E=yesterday", srv.AccountSID(), srv.AuthToken(), "", nil)
	require.Equal(t, http.StatusBadRequest, r.Status)
}

// PageSize and Page cut the list; next_page_uri leads to the next page and is absent on the
// last one.
func TestListPaging(t *testing.T) {
	srv := newServer(t, nil)
	var want []string
	for range 5 {
		r := send(t, srv, url.Values{"To": {recipient}, "From": {sender}, "Body": {"hi"}})
		want = append([]string{r.JSON["sid"].(string)}, want...)
	}
	var got []string
	page, next := list(t, srv, url.Values{"To": {recipient}, "PageSize": {"2"}})
	got = append(got, page...)
	for pages := 1; next != ""; pages++ {
		require.Less(t, pages, 3)
		require.True(t, strings.HasPrefix(next, "/2010-04-01/Accounts/"+srv.AccountSID()+"/Messages.json?"), next)
		u, err := url.Parse(next)
		require.NoError(t, err)
		require.Equal(t, recipient, u.Query().Get("To"), "the filters carry over")
		page, next = list(t, srv, u.Query())
		got = append(got, page...)
	}
	require.Equal(t, want, got)
}
