package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/webhook"
)

// addPart updates one part of a message atomically. KEYS[1] is the message's hash; ARGV: the
// part's field, the part count (0 = unknown), the new status's name, the lifetime in
// milliseconds, then the names of the stored statuses the new one supersedes. The
// Supersedes rule itself stays in Go (sms.Status.Supersedes): the caller lists its answers.
var addPart = redis.NewScript(`
local key = KEYS[1]
local parts = tonumber(ARGV[2])
local n = tonumber(redis.call('HGET', key, 'n') or '0') or 0
if parts > n then redis.call('HSET', key, 'n', parts) end
local old = redis.call('HGET', key, ARGV[1])
local set = not old
if old then
  for i = 5, #ARGV do
    if ARGV[i] == old then set = true break end
  end
end
if set then redis.call('HSET', key, ARGV[1], ARGV[3]) end
redis.call('PEXPIRE', key, ARGV[4])
return redis.call('HGETALL', key)
`)

// setFolded records the folded status of a message that is still stored. KEYS[1] is the
// message's hash; ARGV: the status's name, then the names of the stored statuses it
// supersedes ("unknown" stands for none stored yet).
var setFolded = redis.NewScript(`
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local old = redis.call('HGET', key, 'f') or 'unknown'
for i = 2, #ARGV do
  if ARGV[i] == old then
    redis.call('HSET', key, 'f', ARGV[1])
    return 1
  end
end
return 0
`)

// Hash fields of a message's state.
const (
	fieldParts  = "n" // PartState.Parts
	fieldFolded = "f" // PartState.Folded, by name
	partField   = "p" // followed by the part number: that part's status, by name
)

// PartStore is a webhook.PartStore in Redis: one hash per multipart message
// (<prefix>parts:<key>) holding the part count, each part's status and the folded status, by
// status name. AddPart runs as one server-side script, so handlers in several processes
// folding reports of the same message never lose a part; the Supersedes rule is applied as
// sms.Status.Supersedes says (a stored status whose name this version does not know is never
// replaced). A message's state expires Options.PartTTL (default 72 hours) after its latest
// report; a report arriving later starts it again, as a message forgotten by
// webhook.MemoryPartStore does. It is safe for concurrent use.
type PartStore struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    string // milliseconds, as the script's argument
}

var _ webhook.PartStore = (*PartStore)(nil)

// NewPartStore returns a PartStore on rdb; it reads Options.Prefix and Options.PartTTL. It
// panics if rdb is nil.
func NewPartStore(rdb redis.UniversalClient, opts *Options) *PartStore {
	mustClient(rdb, "NewPartStore")
	o := opts.withDefaults()
	return &PartStore{rdb: rdb, prefix: o.Prefix + "parts:", ttl: strconv.FormatInt(max(o.PartTTL.Milliseconds(), 1), 10)}
}

// AddPart implements webhook.PartStore.
func (s *PartStore) AddPart(ctx context.Context, key string, part, parts int, status sms.Status) (webhook.PartState, error) {
	args := append([]any{partField + strconv.Itoa(part), max(parts, 0), status.String(), s.ttl}, superseded(status)...)
	v, err := addPart.Run(ctx, s.rdb, []string{s.prefix + key}, args...).StringSlice()
	if err != nil {
		return webhook.PartState{}, storeError("add part", err)
	}
	return decodeState(v)
}

// SetFolded implements webhook.PartStore. A message whose state expired is left so.
func (s *PartStore) SetFolded(ctx context.Context, key string, status sms.Status) error {
	args := append([]any{status.String()}, superseded(status)...)
	if err := setFolded.Run(ctx, s.rdb, []string{s.prefix + key}, args...).Err(); err != nil {
		return storeError("set folded status", err)
	}
	return nil
}

// knownStatuses lists the statuses this version names, in order: those whose String
// ParseStatus reads back.
var knownStatuses = func() []sms.Status {
	var out []sms.Status
	for s := sms.Status(0); sms.ParseStatus(s.String()) == s; s++ {
		out = append(out, s)
	}
	return out
}()

// superseded returns the names of the statuses that status supersedes.
func superseded(status sms.Status) []any {
	var out []any
	for _, old := range knownStatuses {
		if status.Supersedes(old) {
			out = append(out, old.String())
		}
	}
	return out
}

// decodeState reads a message's hash, as HGETALL lists it, into a PartState.
func decodeState(kv []string) (webhook.PartState, error) {
	st := webhook.PartState{Statuses: make(map[int]sms.Status, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		k, v := kv[i], kv[i+1]
		switch {
		case k == fieldParts:
			n, err := strconv.Atoi(v)
			if err != nil {
				return webhook.PartState{}, fmt.Errorf("redisstore: part count %q: %w", v, err)
			}
			st.Parts = n
		case k == fieldFolded:
			st.Folded = sms.ParseStatus(v)
		case strings.HasPrefix(k, partField):
			n, err := strconv.Atoi(k[len(partField):])
			if err != nil {
				return webhook.PartState{}, fmt.Errorf("redisstore: part field %q: %w", k, err)
			}
			st.Statuses[n] = sms.ParseStatus(v)
		}
	}
	return st, nil
}
