package notify

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync"
)

// Limits of PostgreSQL's NOTIFY, kept exactly.
const (
	// MaxPayload is the largest payload in bytes: "less than 8000 bytes".
	MaxPayload = 7999
	// MaxChannel is NAMEDATALEN-1: longer channel names are truncated by
	// the parser as identifiers are.
	MaxChannel = 63
)

// Options bound each listener's queue; zero values take the defaults.
type Options struct {
	// QueueLen is the most notifications queued for one listener
	// (default 16384).
	QueueLen int
	// QueueBytes is the most payload bytes queued for one listener
	// (default 8 MiB).
	QueueBytes int
}

const (
	defaultQueueLen   = 16384
	defaultQueueBytes = 8 << 20
	shardCount        = 64
)

// Hub routes notifications from committing sessions to listeners.
type Hub struct {
	opts   Options
	seed   maphash.Seed
	shards [shardCount]shard
	stats  hubStats
}

type shard struct {
	// mu guards chans (the map, not the channels in it).
	mu    sync.RWMutex
	chans map[string]*channel
}

// channel is one channel name with at least one listener.
type channel struct {
	name string
	// mu guards listeners and dead; Publish holds it while appending to
	// the listeners' queues so every listener sees one order.
	mu        sync.Mutex
	listeners []*Listener
	dead      bool // removed from its shard: publish to nobody
}

// NewHub returns an empty hub.
func NewHub(opts Options) *Hub {
	if opts.QueueLen <= 0 {
		opts.QueueLen = defaultQueueLen
	}
	if opts.QueueBytes <= 0 {
		opts.QueueBytes = defaultQueueBytes
	}
	h := &Hub{opts: opts, seed: maphash.MakeSeed()}
	for i := range h.shards {
		h.shards[i].chans = make(map[string]*channel)
	}
	return h
}

func (h *Hub) shard(name string) *shard {
	return &h.shards[maphash.String(h.seed, name)%shardCount]
}

// lookup returns the live channel object of name, or nil.
func (h *Hub) lookup(name string) *channel {
	sh := h.shard(name)
	sh.mu.RLock()
	ch := sh.chans[name]
	sh.mu.RUnlock()
	return ch
}

// Listening reports whether channel has at least one listener; the sql
// layer asks before it records anything for a change channel.
func (h *Hub) Listening(channel string) bool { return h.lookup(channel) != nil }

// Listen adds l to channel's listeners; listening twice is a no-op.
func (h *Hub) Listen(l *Listener, name string) {
	sh := h.shard(name)
	sh.mu.Lock()
	ch := sh.chans[name]
	if ch == nil {
		ch = &channel{name: name}
		sh.chans[name] = ch
	}
	ch.mu.Lock()
	if !slices.Contains(ch.listeners, l) {
		ch.listeners = append(ch.listeners, l)
	}
	ch.mu.Unlock()
	sh.mu.Unlock()
	l.addChannel(name)
}

// Unlisten removes l from channel and drops l's queued notifications of
// that channel, as PostgreSQL checks listening at delivery time.
func (h *Hub) Unlisten(l *Listener, name string) {
	if !l.removeChannel(name) {
		return
	}
	h.detach(l, name)
}

// UnlistenAll is UNLISTEN *; sessions call it when they close.
func (h *Hub) UnlistenAll(l *Listener) {
	for _, name := range l.takeChannels() {
		h.detach(l, name)
	}
}

func (h *Hub) detach(l *Listener, name string) {
	sh := h.shard(name)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ch := sh.chans[name]
	if ch == nil {
		return
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if i := slices.Index(ch.listeners, l); i >= 0 {
		ch.listeners = slices.Delete(ch.listeners, i, i+1)
	}
	if len(ch.listeners) == 0 {
		ch.dead = true
		delete(sh.chans, name)
	}
}

// Entry is one notification of a committing transaction: a NOTIFY
// (Channel, Payload) or a row change (Change, published on its partition's
// channel with a payload built only when someone listens).
type Entry struct {
	Channel string
	Payload string
	Change  *Change
}

func (e *Entry) channel() string {
	if e.Change != nil {
		return e.Change.Partition
	}
	return e.Channel
}

func (e *Entry) payload() string {
	if e.Change != nil {
		return e.Change.Payload()
	}
	return e.Payload
}

// Publish delivers a committed transaction's entries, in order, to the
// listeners of their channels, attributed to the session pid. It never
// blocks on a listener.
func (h *Hub) Publish(pid uint32, entries []Entry) {
	if len(entries) == 0 {
		return
	}
	var buf [4]*channel
	chans := buf[:0]
	var byName map[string]*channel // only for large transactions
	for i := range entries {
		name := entries[i].channel()
		if byName != nil {
			if _, ok := byName[name]; ok {
				continue
			}
		} else if chanIndex(chans, name) >= 0 {
			continue
		}
		ch := h.lookup(name)
		if ch == nil {
			continue
		}
		chans = append(chans, ch)
		if byName == nil && len(chans) > 8 {
			byName = make(map[string]*channel, 2*len(chans))
			for _, c := range chans {
				byName[c.name] = c
			}
		} else if byName != nil {
			byName[name] = ch
		}
	}
	if len(chans) == 0 {
		return
	}
	slices.SortFunc(chans, func(a, b *channel) int { return strings.Compare(a.name, b.name) })
	// Build change payloads before locking, so concurrent publishers on
	// a channel do not wait for each other's JSON.
	for i := range entries {
		if e := &entries[i]; e.Change != nil && chanIndex(chans, e.Change.Partition) >= 0 {
			e.Change.Payload()
		}
	}
	for _, ch := range chans {
		ch.mu.Lock()
	}
	var woken []*Listener
	for i := range entries {
		e := &entries[i]
		name := e.channel()
		var ch *channel
		if byName != nil {
			ch = byName[name]
		} else if j := chanIndex(chans, name); j >= 0 {
			ch = chans[j]
		}
		if ch == nil || ch.dead {
			continue
		}
		n := Notification{PID: pid, Channel: name, Payload: e.payload(), Change: e.Change}
		for _, l := range ch.listeners {
			if l.push(n) {
				woken = append(woken, l) // its queue was empty: tell it
			}
		}
		h.stats.count(ch.listeners)
	}
	for _, ch := range chans {
		ch.mu.Unlock()
	}
	for _, l := range woken {
		l.poke()
	}
}

func chanIndex(chans []*channel, name string) int {
	for i, c := range chans {
		if c.name == name {
			return i
		}
	}
	return -1
}
