package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// partReport is a report of one part of message m.
func partReport(m string, part, parts int, status string) fakeEvent {
	return fakeEvent{Type: "dlr", MessageID: m, Part: part, Parts: parts, Status: status}
}

type folded struct {
	Status sms.Status
	Part   int
	Parts  int
}

func foldedOf(evs []sms.Event) []folded {
	out := make([]folded, len(evs))
	for i, ev := range evs {
		out[i] = folded{ev.Status, ev.Part, ev.Parts}
	}
	return out
}

func TestPartsFold(t *testing.T) {
	for _, tc := range []struct {
		name     string
		requests [][]fakeEvent
		want     []folded // every event the sink received, in order
	}{
		{"delivered when every part is", [][]fakeEvent{
			{partReport("m", 1, 3, "delivered")},
			{partReport("m", 3, 3, "delivered")},
			{partReport("m", 2, 3, "delivered")},
		}, []folded{{sms.StatusSent, 1, 3}, {sms.StatusDelivered, 2, 3}}},
		{"failed as soon as one part failed, and stays so", [][]fakeEvent{
			{partReport("m", 1, 2, "sent")},
			{partReport("m", 2, 2, "failed")},
			{partReport("m", 1, 2, "delivered")},
		}, []folded{{sms.StatusSent, 1, 2}, {sms.StatusFailed, 2, 2}}},
		{"several parts in one request", [][]fakeEvent{
			{partReport("m", 1, 2, "delivered"), partReport("m", 2, 2, "delivered")},
		}, []folded{{sms.StatusSent, 1, 2}, {sms.StatusDelivered, 2, 2}}},
		{"a late non-final part report never moves it back", [][]fakeEvent{
			{partReport("m", 1, 2, "delivered"), partReport("m", 2, 2, "delivered")},
			{partReport("m", 2, 2, "queued")},
		}, []folded{{sms.StatusSent, 1, 2}, {sms.StatusDelivered, 2, 2}}},
		{"never delivered while the count is unknown", [][]fakeEvent{
			{partReport("m", 1, 0, "delivered")},
			{partReport("m", 2, 0, "delivered")},
		}, []folded{{sms.StatusSent, 1, 0}}},
		{"whole-message reports pass untouched", [][]fakeEvent{
			{{Type: "dlr", MessageID: "w", Status: "sent"}, {Type: "dlr", MessageID: "w", Status: "delivered"}},
		}, []folded{{sms.StatusSent, 0, 0}, {sms.StatusDelivered, 0, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &recSink{}
			h := webhook.Handler(&fakeProvider{}, sink, nil)
			var got []sms.Event
			for _, evs := range tc.requests {
				before := sink.n()
				require.Equal(t, http.StatusOK, serve(h, post(envJSON(t, envelope{Events: evs}))).Code)
				if sink.n() > before {
					got = append(got, sink.last()...)
				}
			}
			if d := cmp.Diff(tc.want, foldedOf(got)); d != "" {
				t.Fatalf("sink events (-want +got):\n%s", d)
			}
		})
	}
}

// A part report whose sink call failed is folded again on the vendor's retry: the folded
// status is stored only once the sink accepted it.
func TestPartsFoldRetriedAfterSinkFailure(t *testing.T) {
	sink := &recSink{}
	store := webhook.NewMemoryPartStore(0)
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Parts: store})
	require.Equal(t, http.StatusOK, serve(h, post(envJSON(t, envelope{Events: []fakeEvent{partReport("m", 1, 2, "delivered")}}))).Code)
	sink.err = errors.New("sink down")
	last := envJSON(t, envelope{Events: []fakeEvent{partReport("m", 2, 2, "delivered")}})
	require.Equal(t, http.StatusInternalServerError, serve(h, post(last)).Code)
	sink.err = nil
	require.Equal(t, http.StatusOK, serve(h, post(last)).Code)
	require.Equal(t, sms.StatusDelivered, sink.last()[0].Status)
	st, err := store.AddPart(context.Background(), "fake\x00m", 2, 2, sms.StatusDelivered)
	require.NoError(t, err)
	require.Equal(t, sms.StatusDelivered, st.Folded)
}

func TestNoPartFold(t *testing.T) {
	sink := &recSink{}
	h := webhook.Handler(&fakeProvider{}, sink, &webhook.Options{Parts: webhook.NoPartFold})
	evs := []fakeEvent{partReport("m", 1, 2, "delivered"), partReport("m", 2, 2, "sent")}
	require.Equal(t, http.StatusOK, serve(h, post(envJSON(t, envelope{Events: evs}))).Code)
	require.Equal(t, []folded{{sms.StatusDelivered, 1, 2}, {sms.StatusSent, 2, 2}}, foldedOf(sink.last()))
}

func TestMemoryPartStoreBounded(t *testing.T) {
	ctx := context.Background()
	s := webhook.NewMemoryPartStore(2)
	for _, m := range []string{"a", "b", "c"} {
		_, err := s.AddPart(ctx, m, 1, 2, sms.StatusSent)
		require.NoError(t, err)
	}
	require.Equal(t, 2, s.Len())
	st, _ := s.AddPart(ctx, "a", 2, 2, sms.StatusSent)
	require.Len(t, st.Statuses, 1, "the oldest message should have been forgotten")
}

func TestPartStateStatus(t *testing.T) {
	for _, tc := range []struct {
		st   webhook.PartState
		want sms.Status
	}{
		{webhook.PartState{}, sms.StatusUnknown},
		{webhook.PartState{Parts: 2, Statuses: map[int]sms.Status{1: sms.StatusUnknown}}, sms.StatusUnknown},
		{webhook.PartState{Parts: 2, Statuses: map[int]sms.Status{1: sms.StatusQueued, 2: sms.StatusDelivered}}, sms.StatusQueued},
		{webhook.PartState{Parts: 2, Statuses: map[int]sms.Status{1: sms.StatusExpired, 2: sms.StatusRejected}}, sms.StatusExpired},
		{webhook.PartState{Parts: 1, Statuses: map[int]sms.Status{1: sms.StatusDelivered}}, sms.StatusDelivered},
		// A part above the stated total is still a part: not delivered while it is not.
		{webhook.PartState{Parts: 2, Statuses: map[int]sms.Status{1: sms.StatusDelivered, 2: sms.StatusDelivered, 3: sms.StatusSent}}, sms.StatusSent},
		{webhook.PartState{Parts: 2, Statuses: map[int]sms.Status{1: sms.StatusDelivered, 2: sms.StatusDelivered, 3: sms.StatusDelivered}}, sms.StatusDelivered},
	} {
		require.Equal(t, tc.want, tc.st.Status(), "%+v", tc.st)
	}
}
