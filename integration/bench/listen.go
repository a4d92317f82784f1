package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notifying writes: the way a chat application tells a user's devices about
// a new message on each system. PostgreSQL needs pg_notify in the same
// transaction (one statement here, so one round trip); KalamDB notifies on
// the user's change channel by itself, so the write is a plain INSERT into
// a per-user table while acting as that user.

// prepareNotifying creates the table for notifying writes and, on KalamDB,
// the users whose channels are notified.
func prepareNotifying(ctx context.Context, s *system, table, users string, n int) error {
	return withSystem(ctx, s, func(conn *pgx.Conn) error {
		if err := createMessages(ctx, s, conn, table, true); err != nil {
			return err
		}
		if s.kind == kindKalam {
			return createUsers(ctx, conn, users, n)
		}
		return nil
	})
}

// notifyingWriter prepares conn to post messages as user, notifying channel
// user, and returns the operation.
func notifyingWriter(ctx context.Context, s *system, conn *pgx.Conn, table, user string, seed int) (opFunc, error) {
	var q string
	if s.kind == kindPG {
		q = "WITH ins AS (INSERT INTO " + table + " (conversation_id, sender, content) VALUES ($1, $2, $3) RETURNING *) " +
			"SELECT pg_notify('" + user + "', row_to_json(ins)::text) FROM ins"
	} else {
		if _, err := conn.Exec(ctx, "SET ROLE "+user); err != nil {
			return nil, fmt.Errorf("set role: %w", err)
		}
		q = "INSERT INTO " + table + " (conversation_id, sender, content) VALUES ($1, $2, $3)"
	}
	if _, err := conn.Prepare(ctx, "post", q); err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	return func(ctx context.Context) error {
		_, err := conn.Exec(ctx, "post", conversationID(seed*10+r.IntN(10)), user, content(r))
		return err
	}, nil
}

// listener is a connection that LISTENs on one channel and, when reading,
// counts notifications and reports when each arrived.
type listener struct {
	conn   *pgx.Conn
	count  atomic.Int64
	cancel context.CancelFunc
	done   chan struct{} // closed when the reader has stopped
}

// listen opens a connection listening on channel. With read set, a
// goroutine receives notifications and sends their arrival times on recv
// (if not nil). A LISTEN that KalamDB rejects is reported as not yet
// supported.
func listen(ctx context.Context, s *system, channel string, read bool, recv chan<- time.Time) (*listener, error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, notYetOnKalam(s, fmt.Errorf("listen %s: %w", channel, err))
	}
	l := &listener{conn: conn, done: make(chan struct{})}
	if !read {
		close(l.done)
		return l, nil
	}
	lctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() {
		defer close(l.done)
		for {
			if _, err := conn.WaitForNotification(lctx); err != nil {
				return
			}
			l.count.Add(1)
			if recv != nil {
				select {
				case recv <- time.Now():
				case <-lctx.Done():
					return
				}
			}
		}
	}()
	return l, nil
}

func (l *listener) close() {
	if l.cancel != nil {
		l.cancel()
	}
	<-l.done
	l.conn.Close(context.Background())
}

// listenMany opens n listeners in parallel; on error it closes those opened.
func listenMany(ctx context.Context, s *system, n int, channel func(i int) string, read bool, recv chan<- time.Time) ([]*listener, error) {
	ls := make([]*listener, n)
	err := parallelLimit(n, 16, func(i int) error {
		l, err := listen(ctx, s, channel(i), read, recv)
		ls[i] = l
		return err
	})
	if err != nil {
		closeAll(ls)
		return nil, err
	}
	return ls, nil
}

func closeAll(ls []*listener) {
	for _, l := range ls {
		if l != nil {
			l.close()
		}
	}
}
