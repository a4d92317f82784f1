package gateway

import (
	"sync"

	"github.com/kalamdb/kalamdb/sql"
)

// HTTP requests are stateless, but opening a session and binding the
// statement for each one cost more than running it. A parameterized
// request that only read or wrote rows leaves its session unchanged, so
// the session goes back to a pool of its user, keeping its bound
// statements by SQL text: the next request of that user with the same SQL
// skips both. Anything that could change a session (SET, a transaction
// left open, set_config, an error) closes it instead.

const (
	poolPerUser  = 4    // idle sessions kept per user
	poolMax      = 1024 // idle sessions kept in all
	poolStmtsMax = 64   // bound statements kept per session
)

type sessionPool struct {
	mu     sync.Mutex
	idle   map[string][]*pooledSession // by user, most recently used last
	count  int
	closed bool
}

type pooledSession struct {
	sess  *sql.Session
	stmts map[string]*sql.Statement
}

func newSessionPool() *sessionPool {
	return &sessionPool{idle: make(map[string][]*pooledSession)}
}

// get takes an idle session of user, or returns nil.
func (p *sessionPool) get(user string) *pooledSession {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.idle[user]
	if len(list) == 0 {
		return nil
	}
	ps := list[len(list)-1]
	list[len(list)-1] = nil
	if len(list) == 1 {
		delete(p.idle, user)
	} else {
		p.idle[user] = list[:len(list)-1]
	}
	p.count--
	return ps
}

// put returns ps to the pool; it closes ps, or another user's idle
// session, when the pool is full.
func (p *sessionPool) put(user string, ps *pooledSession) {
	p.mu.Lock()
	if p.closed || len(p.idle[user]) >= poolPerUser {
		p.mu.Unlock()
		ps.sess.Close()
		return
	}
	var evicted *pooledSession
	if p.count >= poolMax {
		for u, list := range p.idle { // an arbitrary user's oldest
			evicted = list[0]
			if len(list) == 1 {
				delete(p.idle, u)
			} else {
				p.idle[u] = list[1:]
			}
			p.count--
			break
		}
	}
	p.idle[user] = append(p.idle[user], ps)
	p.count++
	p.mu.Unlock()
	if evicted != nil {
		evicted.sess.Close()
	}
}

// closeAll closes the idle sessions; later puts close theirs.
func (p *sessionPool) closeAll() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.count, p.closed = nil, 0, true
	p.mu.Unlock()
	for _, list := range idle {
		for _, ps := range list {
			ps.sess.Close()
		}
	}
}

// statement returns ps's bound statement for query, preparing it once.
func (ps *pooledSession) statement(query string) (*sql.Statement, error) {
	if st, ok := ps.stmts[query]; ok {
		return st, nil
	}
	st, err := ps.sess.Prepare(query, nil)
	if err != nil {
		return nil, err
	}
	if len(ps.stmts) >= poolStmtsMax {
		clear(ps.stmts)
	}
	ps.stmts[query] = st
	return st, nil
}

// reusable reports whether a session that ran query, which completed with
// command cmd, is as it was before: it only read or wrote rows, and no
// transaction is left open.
func reusable(sess *sql.Session, query, cmd string) bool {
	switch cmd {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
	default:
		return false
	}
	return sess.TxStatus() == 'I' && !containsFold(query, "set_config")
}

// containsFold reports whether s contains the lower-case ASCII word, in
// any case, without allocating (the parser folds only ASCII in names).
func containsFold(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		j := 0
		for j < len(word) && lowerASCII(s[i+j]) == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
