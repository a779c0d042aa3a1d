package webhook

import (
	"context"
	"slices"
	"sync"
)

// inflight holds the ids of the events that requests are handing to the sink, so that a
// request carrying one of them at the same moment waits for that outcome instead of
// delivering the event a second time. The Store cannot do it: Seen and Mark are two calls,
// and Mark comes only after the sink succeeded. It is per handler (per process), like the
// default store; a Store shared by replicas still lets two replicas deliver at once.
type inflight struct {
	mu  sync.Mutex
	ids map[string]chan struct{} // closed when the request holding the id is done
	gen uint64                   // incremented every time a request lets its ids go
}

// generation returns the release count, read before asking the store (see claim).
func (f *inflight) generation() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gen
}

// claim takes every id of ids, waiting while another request holds one. Ids are taken in
// sorted order, so two requests never wait for each other. It returns the function that lets
// them go, and recheck: whether the store must be asked again because another request may
// have marked one of them after this one asked (it waited, or some request let its ids go
// since gen). On ctx's end it lets go what it took and returns ctx's error.
func (f *inflight) claim(ctx context.Context, ids []string, gen uint64) (release func(), recheck bool, err error) {
	sorted := slices.Sorted(slices.Values(ids))
	done := make(chan struct{})
	for i, id := range sorted {
		for {
			f.mu.Lock()
			busy, ok := f.ids[id]
			if !ok {
				if f.ids == nil {
					f.ids = make(map[string]chan struct{})
				}
				f.ids[id] = done
			}
			f.mu.Unlock()
			if !ok {
				break
			}
			recheck = true
			select {
			case <-busy:
			case <-ctx.Done():
				f.release(sorted[:i], done)
				return nil, false, ctx.Err()
			}
		}
	}
	f.mu.Lock()
	recheck = recheck || f.gen != gen
	f.mu.Unlock()
	return func() { f.release(sorted, done) }, recheck, nil
}

func (f *inflight) release(ids []string, done chan struct{}) {
	f.mu.Lock()
	for _, id := range ids {
		if f.ids[id] == done {
			delete(f.ids, id)
		}
	}
	f.gen++
	f.mu.Unlock()
	close(done)
}
