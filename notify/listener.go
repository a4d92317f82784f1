package notify

import (
	"slices"
	"sort"
	"sync"

	"github.com/kalamdb/kalamdb/pgerr"
)

// ErrOverflow is returned by Drain once a listener's queue overflowed: the
// client did not read its notifications fast enough, and its connection
// must end (the policy in the package comment).
var ErrOverflow = pgerr.New(pgerr.ProgramLimitExceeded,
	"terminating connection: too many notifications queued for this client (it is not reading them fast enough)")

// Notification is one delivered notification: NotificationResponse's
// fields.
type Notification struct {
	PID     uint32 // the notifying session's backend pid
	Channel string
	Payload string
	// Change is the committed row change behind a change-channel
	// notification, whole even when Payload is truncated; nil for NOTIFY.
	Change *Change
}

// Listener is one session's listening state and queue of notifications
// not yet delivered. Publishers append; the session's front door drains.
type Listener struct {
	hub *Hub
	pid uint32

	// mu guards everything below.
	mu       sync.Mutex
	channels map[string]struct{}
	queue    []Notification // pending, oldest first
	bytes    int            // payload bytes pending
	overflow bool           // the queue overflowed: drop everything until Drain reports it
	wake     func()
}

// NewListener returns a listener for the session with backend pid. It
// listens on nothing until Hub.Listen.
func (h *Hub) NewListener(pid uint32) *Listener {
	return &Listener{hub: h, pid: pid}
}

// PID is the session's backend pid.
func (l *Listener) PID() uint32 { return l.pid }

// SetWake sets the function called (with no lock held, from a publishing
// goroutine) when the queue goes from empty to non-empty. It must not
// block: front doors signal a goroutine.
func (l *Listener) SetWake(fn func()) {
	l.mu.Lock()
	l.wake = fn
	l.mu.Unlock()
}

func (l *Listener) poke() {
	l.mu.Lock()
	fn := l.wake
	l.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// push queues n; it reports whether the queue was empty before, so the
// publisher wakes the consumer once.
func (l *Listener) push(n Notification) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.overflow {
		return false
	}
	pending := len(l.queue)
	if pending+1 > l.hub.opts.QueueLen || l.bytes+len(n.Payload)+len(n.Channel) > l.hub.opts.QueueBytes {
		l.overflow = true
		l.queue, l.bytes = nil, 0
		return true // wake the consumer so it reports the overflow now
	}
	l.queue = append(l.queue, n)
	l.bytes += len(n.Payload) + len(n.Channel)
	return pending == 0
}

// Pending reports whether notifications wait (or an overflow does).
func (l *Listener) Pending() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.overflow || len(l.queue) > 0
}

// Drain appends the pending notifications to dst in order and empties
// the queue. After an overflow it returns ErrOverflow (and nothing).
func (l *Listener) Drain(dst []Notification) ([]Notification, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.overflow {
		return dst, ErrOverflow
	}
	dst = append(dst, l.queue...)
	clear(l.queue) // drop payload references
	if cap(l.queue) > 1024 {
		l.queue = nil // let a burst's buffer go
	} else {
		l.queue = l.queue[:0]
	}
	l.bytes = 0
	return dst, nil
}

// Usage is the fraction of the queue in use, for
// pg_notification_queue_usage().
func (l *Listener) Usage() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.overflow {
		return 1
	}
	byLen := float64(len(l.queue)) / float64(l.hub.opts.QueueLen)
	byBytes := float64(l.bytes) / float64(l.hub.opts.QueueBytes)
	return max(byLen, byBytes)
}

// Channels returns the channels l listens on, sorted.
func (l *Listener) Channels() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.channels))
	for c := range l.channels {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// IsListening reports whether l listens on channel.
func (l *Listener) IsListening(channel string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.channels[channel]
	return ok
}

func (l *Listener) addChannel(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.channels == nil {
		l.channels = make(map[string]struct{})
	}
	l.channels[name] = struct{}{}
}

// removeChannel forgets name and its queued notifications; false when l
// did not listen on it.
func (l *Listener) removeChannel(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.channels[name]; !ok {
		return false
	}
	delete(l.channels, name)
	l.dropQueued(func(c string) bool { return c == name })
	return true
}

// takeChannels forgets every channel and every queued notification.
func (l *Listener) takeChannels() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.channels))
	for c := range l.channels {
		out = append(out, c)
	}
	l.channels = nil
	l.dropQueued(func(string) bool { return true })
	return out
}

func (l *Listener) dropQueued(match func(channel string) bool) {
	l.queue = slices.DeleteFunc(l.queue, func(n Notification) bool { return match(n.Channel) })
	l.bytes = 0
	kept := l.queue
	for _, n := range kept {
		l.bytes += len(n.Payload) + len(n.Channel)
	}
}
