package sql

import (
	"sort"
	"sync"
	"time"

	"github.com/kalamdb/kalamdb/sql/pgcatalog"
)

// sessionRegistry knows the engine's open sessions for pg_stat_activity.
type sessionRegistry struct {
	mu       sync.Mutex // guards sessions
	sessions map[*Session]struct{}
}

func (r *sessionRegistry) add(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sessions == nil {
		r.sessions = map[*Session]struct{}{}
	}
	r.sessions[s] = struct{}{}
}

func (r *sessionRegistry) remove(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sessions, s)
}

// snapshot returns every session's activity, by pid.
func (r *sessionRegistry) snapshot() []pgcatalog.Activity {
	r.mu.Lock()
	list := make([]*Session, 0, len(r.sessions))
	for s := range r.sessions {
		list = append(list, s)
	}
	r.mu.Unlock()
	out := make([]pgcatalog.Activity, 0, len(list))
	for _, s := range list {
		out = append(out, s.act.get())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

// activity is what other sessions may read about this one; everything
// else in Session belongs to its own goroutine.
type activity struct {
	mu sync.Mutex // guards a
	a  pgcatalog.Activity
}

func (a *activity) get() pgcatalog.Activity {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.a
}

func (a *activity) update(fn func(*pgcatalog.Activity)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn(&a.a)
}

// noteQuery records the statement the session starts running.
func (s *Session) noteQuery(query string) {
	s.act.update(func(a *pgcatalog.Activity) {
		a.Query, a.State = query, "active"
		if a.XactStart.IsZero() {
			a.XactStart = time.Now()
		}
	})
}

// noteIdle records that the session waits for the client.
func (s *Session) noteIdle() {
	inTx := s.tx != nil
	s.act.update(func(a *pgcatalog.Activity) {
		a.State = "idle"
		if inTx {
			a.State = "idle in transaction"
		} else {
			a.XactStart = time.Time{}
		}
	})
}

// SetClient records the client's address for pg_stat_activity.
func (s *Session) SetClient(addr string) {
	s.act.update(func(a *pgcatalog.Activity) { a.ClientAddr = addr })
}
