package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/server"
)

const testTimeout = 20 * time.Second

func startServer(t *testing.T, opts notify.Options) *server.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	srv, err := server.Start(ctx, server.Config{
		DataDir: t.TempDir(), PGAddr: "127.0.0.1:0", Durability: hotstore.Async, Notify: opts,
	})
	if err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv
}

// client is a pgx connection that records notifications as they arrive.
type client struct {
	*pgx.Conn
	t  *testing.T
	mu sync.Mutex // guards got
	// got are the notifications received so far, in order.
	got []*pgconn.Notification
}

func connect(t *testing.T, srv *server.Server, user, password string) *client {
	t.Helper()
	u := url.URL{Scheme: "postgres", Host: srv.PGAddr(), Path: "/kalamdb", RawQuery: "sslmode=disable"}
	u.User = url.UserPassword(user, password)
	if password == "" {
		u.User = url.User(user)
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t}
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) {
		c.mu.Lock()
		c.got = append(c.got, n)
		c.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if c.Conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func (c *client) exec(sql string, args ...any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
}

func (c *client) execErr(sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := c.Exec(ctx, sql, args...)
	return err
}

// received returns the notifications delivered so far without waiting.
func (c *client) received() []*pgconn.Notification {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*pgconn.Notification(nil), c.got...)
}

// waitFor waits until n notifications arrived (reading from the socket
// while idle, which proves delivery to an idle connection) and returns
// them all, emptying the record.
func (c *client) waitFor(n int) []*pgconn.Notification {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for len(c.received()) < n {
		if err := c.PgConn().WaitForNotification(ctx); err != nil {
			c.t.Fatalf("waiting for %d notifications (have %s): %v", n, show(c.received()), err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = nil
	if len(got) != n {
		c.t.Fatalf("got %s, want %d notifications", show(got), n)
	}
	return got
}

func show(ns []*pgconn.Notification) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, n.Channel+":"+n.Payload)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func wantShow(t *testing.T, got []*pgconn.Notification, want string) {
	t.Helper()
	if s := show(got); s != want {
		t.Fatalf("notifications %s, want %s", s, want)
	}
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code || !strings.Contains(pe.Message, msg) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
}

func TestDeliveredAtCommitOnly(t *testing.T) {
	srv := startServer(t, notify.Options{})
	l, n := connect(t, srv, "root", ""), connect(t, srv, "root", "")
	l.exec("LISTEN c")

	n.exec("BEGIN")
	n.exec("NOTIFY c, 'rolled back'")
	n.exec("ROLLBACK")
	n.exec("BEGIN")
	n.exec("NOTIFY c, 'failed'")
	if err := n.execErr("SELECT 1/0"); err == nil {
		t.Fatal("1/0 succeeded")
	}
	n.exec("COMMIT") // rolls back the failed block
	if err := n.execErr("SELECT pg_notify('c', 'failed statement'), 1/0"); err == nil {
		t.Fatal("1/0 succeeded")
	}

	n.exec("BEGIN")
	n.exec("NOTIFY c, 'a'")
	n.exec("NOTIFY c, 'b'")
	n.exec("NOTIFY c, 'a'")              // collapses into the first 'a'
	n.exec("SELECT pg_notify('c', 'b')") // and into the first 'b'
	n.exec("NOTIFY c")
	n.exec("NOTIFY d, 'a'") // another channel: not a duplicate
	time.Sleep(50 * time.Millisecond)
	if got := l.received(); len(got) != 0 {
		t.Fatalf("delivered before commit: %s", show(got))
	}
	n.exec("COMMIT")
	got := l.waitFor(3)
	wantShow(t, got, "[c:a c:b c:]")
	if got[0].PID != n.PgConn().PID() {
		t.Fatalf("pid %d, want the notifier's backend pid %d", got[0].PID, n.PgConn().PID())
	}
	// Autocommit, and the extended protocol with parameters.
	n.exec("NOTIFY c, 'x'")
	n.exec("SELECT pg_notify($1, $2)", "c", "y")
	wantShow(t, l.waitFor(2), "[c:x c:y]")
}

func TestListenAndUnlistenAtCommit(t *testing.T) {
	srv := startServer(t, notify.Options{})
	l, n := connect(t, srv, "root", ""), connect(t, srv, "root", "")
	l.exec("BEGIN")
	l.exec("LISTEN c")
	n.exec("NOTIFY c, 'before commit'")
	l.exec("COMMIT")
	n.exec("NOTIFY c, 'after commit'")
	wantShow(t, l.waitFor(1), "[c:after commit]")

	l.exec("BEGIN")
	l.exec("UNLISTEN c")
	n.exec("NOTIFY c, 'still listening'")
	l.exec("ROLLBACK") // the UNLISTEN never happened
	wantShow(t, l.waitFor(1), "[c:still listening]")

	l.exec("BEGIN")
	l.exec("UNLISTEN *")
	l.exec("LISTEN e")
	l.exec("COMMIT")
	n.exec("NOTIFY c, 'gone'")
	n.exec("NOTIFY e, 'sentinel'")
	wantShow(t, l.waitFor(1), "[e:sentinel]")
}

func TestListenerInTransactionReceivesAfterIt(t *testing.T) {
	srv := startServer(t, notify.Options{})
	l, n := connect(t, srv, "root", ""), connect(t, srv, "root", "")
	l.exec("LISTEN c")
	l.exec("BEGIN")
	n.exec("NOTIFY c, 'x'")
	l.exec("SELECT 1")
	if got := l.received(); len(got) != 0 {
		t.Fatalf("delivered inside the transaction: %s", show(got))
	}
	l.exec("COMMIT") // delivered before COMMIT's ReadyForQuery
	if got := l.received(); show(got) != "[c:x]" {
		t.Fatalf("after COMMIT received %s, want [c:x]", show(got))
	}
}

func TestIdleConnectionReceivesAtOnce(t *testing.T) {
	srv := startServer(t, notify.Options{})
	l, n := connect(t, srv, "root", ""), connect(t, srv, "root", "")
	l.exec("LISTEN c")
	for i := range 3 {
		n.exec(fmt.Sprintf("NOTIFY c, '%d'", i))
		wantShow(t, l.waitFor(1), fmt.Sprintf("[c:%d]", i))
	}
}

func TestChannelNames(t *testing.T) {
	srv := startServer(t, notify.Options{})
	l, n := connect(t, srv, "root", ""), connect(t, srv, "root", "")
	l.exec("LISTEN MixedCase") // folds to mixedcase
	l.exec(`LISTEN "Quoted"`)
	n.exec("NOTIFY MIXEDCASE, '1'")
	n.exec("SELECT pg_notify('MixedCase', 'not folded')")
	n.exec("SELECT pg_notify('mixedcase', '2')")
	n.exec("SELECT pg_notify('Quoted', '3')")
	wantShow(t, l.waitFor(3), "[mixedcase:1 mixedcase:2 Quoted:3]")

	wantCode(t, n.execErr("SELECT pg_notify('', 'x')"), "22023", "channel name cannot be empty")
	wantCode(t, n.execErr("SELECT pg_notify(NULL, 'x')"), "22023", "channel name cannot be empty")
	wantCode(t, n.execErr("SELECT pg_notify($1, 'x')", strings.Repeat("c", 64)), "22023", "channel name too long")
	wantCode(t, n.execErr("SELECT pg_notify('c', $1)", strings.Repeat("p", 8000)), "22023", "payload string too long")
	wantCode(t, n.execErr("NOTIFY c, '"+strings.Repeat("p", 8000)+"'"), "22023", "payload string too long")
	l.exec("LISTEN c")
	n.exec("SELECT pg_notify('c', $1)", strings.Repeat("p", 7999))
	if got := l.waitFor(1); len(got[0].Payload) != 7999 {
		t.Fatalf("payload of %d bytes, want 7999", len(got[0].Payload))
	}
	n.exec("SELECT pg_notify('c', NULL)") // an empty payload
	wantShow(t, l.waitFor(1), "[c:]")
}

func TestListeningChannelsAndDisconnect(t *testing.T) {
	srv := startServer(t, notify.Options{QueueLen: 4})
	l := connect(t, srv, "root", "")
	l.exec("LISTEN b")
	l.exec("LISTEN a")
	l.exec("BEGIN")
	l.exec("LISTEN pending") // not yet: takes effect at commit
	var chans []string
	var usage float64
	ctx := context.Background()
	if err := l.QueryRow(ctx, "SELECT pg_listening_channels(), pg_notification_queue_usage()").Scan(&chans, &usage); err != nil {
		t.Fatal(err)
	}
	if strings.Join(chans, ",") != "a,b" || usage != 0 {
		t.Fatalf("channels %v usage %v, want [a b] 0", chans, usage)
	}
	n := connect(t, srv, "root", "")
	n.exec("NOTIFY a")
	if err := l.QueryRow(ctx, "SELECT pg_notification_queue_usage()").Scan(&usage); err != nil {
		t.Fatal(err)
	}
	if usage != 0.25 {
		t.Fatalf("usage %v with one of four queued, want 0.25", usage)
	}
	l.exec("COMMIT")
	l.waitFor(1)

	hub := srv.DB().Hub()
	if !hub.Listening("a") || !hub.Listening("pending") {
		t.Fatal("hub does not list the channels")
	}
	l.Close(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for hub.Listening("a") || hub.Listening("b") || hub.Listening("pending") {
		if time.Now().After(deadline) {
			t.Fatal("channels still listened to after disconnect")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSlowListenerIsDisconnected(t *testing.T) {
	srv := startServer(t, notify.Options{QueueLen: 3})
	l, n := connect(t, srv, "root", ""), connect(t, srv, "root", "")
	l.exec("LISTEN c")
	l.exec("BEGIN") // holds delivery, as a client that never reads would
	for i := range 5 {
		n.exec(fmt.Sprintf("NOTIFY c, '%d'", i)) // never blocks the notifier
	}
	wantCode(t, l.execErr("COMMIT"), "54000", "too many notifications")
	if err := l.execErr("SELECT 1"); err == nil {
		t.Fatal("connection still open after the overflow")
	}
	n.exec("NOTIFY c, 'others go on'")
}

// A listener that stops reading while more notifications arrive than the
// sockets between it and the server can hold gets every one of them, in
// order, once it reads again; the notifier never waits for it.
func TestBackloggedListenerGetsEverythingInOrder(t *testing.T) {
	srv := startServer(t, notify.Options{QueueBytes: 64 << 20})
	l, n := connect(t, srv, "root", ""), connect(t, srv, "root", "")
	l.exec("LISTEN c")
	// 3000 x 4 KB is more than loopback's socket buffers take, so the
	// server's non-blocking writes fill them and the rest waits its turn.
	const count = 3000
	pad := strings.Repeat("x", 4000)
	for i := range count {
		n.exec("SELECT pg_notify('c', $1)", fmt.Sprintf("%d %s", i, pad))
	}
	got := l.waitFor(count)
	for i, m := range got {
		if want := fmt.Sprintf("%d %s", i, pad); m.Payload != want {
			t.Fatalf("notification %d: payload starts %.10q, want %.10q", i, m.Payload, want)
		}
	}
}
