package webhook

import (
	"context"
	"sync"
)

// inflight holds the ids of the events that requests are handing to the sink, so that a
// request carrying one of them at the same moment waits for that outcome instead of
// delivering the event a second time. The Store cannot do it: Seen and Mark are two calls,
// and Mark comes only after the sink succeeded. It is per handler (per process), like the
// default store; a Store shared by replicas still lets two replicas deliver at once.
//
// The uncontended path allocates nothing: a request takes all its ids at once or waits for
// the next release (so no request waits while holding ids, and two never wait for each other).
type inflight struct {
	mu   sync.Mutex
	cond sync.Cond // on mu; broadcast at every release
	ids  map[string]struct{}
	gen  uint64 // incremented at every release
}

// generation returns the release count, read before asking the store (see claim).
func (f *inflight) generation() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gen
}

// claim takes every id of ids, waiting while another request holds any of them, and reports
// whether the store must be asked again: another request may have marked one of them after
// this one asked (it waited, or some request released ids since gen). On ctx's end it takes
// nothing and returns ctx's error. Each successful claim must be released.
func (f *inflight) claim(ctx context.Context, ids []string, gen uint64) (recheck bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ids == nil {
		f.ids = make(map[string]struct{})
		f.cond.L = &f.mu
	}
	recheck = f.gen != gen
	for f.busy(ids) {
		recheck = true
		if err := ctx.Err(); err != nil {
			return false, err
		}
		stop := context.AfterFunc(ctx, func() {
			f.mu.Lock()
			f.cond.Broadcast()
			f.mu.Unlock()
		})
		f.cond.Wait()
		stop()
	}
	for _, id := range ids {
		f.ids[id] = struct{}{}
	}
	return recheck, nil
}

// busy reports whether another request holds one of ids. f.mu is held.
func (f *inflight) busy(ids []string) bool {
	for _, id := range ids {
		if _, ok := f.ids[id]; ok {
			return true
		}
	}
	return false
}

// release lets ids go and wakes the requests waiting for any.
func (f *inflight) release(ids []string) {
	f.mu.Lock()
	for _, id := range ids {
		delete(f.ids, id)
	}
	f.gen++
	f.cond.Broadcast()
	f.mu.Unlock()
}
