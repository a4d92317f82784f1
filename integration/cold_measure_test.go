package integration

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/integration/pgrun"
	"github.com/kalamdb/kalamdb/server"
)

// coldMessages sizes TestColdMeasure (a small smoke run by default). The
// full measurement is gated by an environment variable, so make test never
// runs it:
//
//	KALAMDB_COLD_MEASURE=1000000 go test -run TestColdMeasure -timeout 30m -v ./integration/
//
// (-cold.messages=N does the same.)
var coldMessages = flag.Int("cold.messages", 2000, "chat messages to load for TestColdMeasure (the default is a small smoke run)")

// coldMeasureEnv overrides -cold.messages.
const coldMeasureEnv = "KALAMDB_COLD_MEASURE"

// coldHeavy is the messages of the one user whose full history is scanned;
// the rest are spread over users of coldPerUser messages each.
const (
	coldHeavy   = 100_000
	coldPerUser = 1000
	coldBatch   = 1000 // rows per INSERT
)

// TestColdMeasure loads the same chat messages into KalamDB and PostgreSQL
// 15 and prints, side by side: bytes per message (KalamDB hot, KalamDB
// after a flush before and after reclaiming the hot store's space,
// PostgreSQL table plus indexes after VACUUM), the time to read one user's
// full history (KalamDB hot, KalamDB cold, PostgreSQL), and KalamDB's
// flush throughput. It measures; it asserts only that both systems hold
// every message.
func TestColdMeasure(t *testing.T) {
	n := *coldMessages
	if v := os.Getenv(coldMeasureEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a number of messages", coldMeasureEnv, v)
		}
	}
	heavy := min(coldHeavy, n)
	users := []struct {
		name string
		rows int
	}{{"user_heavy", heavy}}
	for left, i := n-heavy, 0; left > 0; i++ {
		users = append(users, struct {
			name string
			rows int
		}{fmt.Sprintf("user_%05d", i), min(coldPerUser, left)})
		left -= coldPerUser
	}

	// KalamDB: load hot, measure, flush, measure.
	dir := t.TempDir()
	ks := startMeasureServer(t, dir)
	root := connect(t, ks.dsn("root", ""))
	mustExec(t, root, "CREATE SCHEMA chat",
		`CREATE TABLE chat.msgs (msg_id bigint PRIMARY KEY, conversation_id text, "from" text, content text, created_at timestamptz) WITH (type = 'user')`)
	for _, u := range users {
		mustExec(t, root, "CREATE USER "+u.name)
	}
	start := time.Now()
	for _, u := range users {
		mustExec(t, root, "SET ROLE "+u.name)
		for lo := 0; lo < u.rows; lo += coldBatch {
			execLong(t, root, "INSERT INTO chat.msgs VALUES "+coldValues(u.name, lo, min(lo+coldBatch, u.rows), false))
		}
	}
	mustExec(t, root, "RESET ROLE")
	kLoad := time.Since(start)
	hotScan := scanHeavy(t, ks.dsn("root", ""), "SET ROLE user_heavy", "SELECT * FROM chat.msgs", heavy)
	ks.stop(t) // Badger writes its memtables out on close
	hotBytes := diskBytes(t, filepath.Join(dir, "hot"))

	ks = startMeasureServer(t, dir)
	root = connect(t, ks.dsn("root", ""))
	start = time.Now()
	var flushed int64
	fctx, fcancel := context.WithTimeout(context.Background(), 10*time.Minute)
	err := root.QueryRow(fctx, "SELECT kalamdb_flush_all()").Scan(&flushed)
	fcancel()
	if err != nil {
		t.Fatalf("flush: %v", err)
	}
	flushTook := time.Since(start)
	// The flush deleted the hot entries; their space comes back only once
	// the hot store reclaims it (hotstore.Store.Reclaim, which also runs
	// by itself shortly after a large flush).
	hotDir := filepath.Join(dir, "hot")
	flushedHot := badgerBytes(t, hotDir)
	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Minute)
	start = time.Now()
	_, err = ks.DB().Engine().Reclaim(rctx)
	rcancel()
	if err != nil {
		t.Fatalf("reclaim: %v", err)
	}
	reclaimTook := time.Since(start)
	reclaimedHot := badgerBytes(t, hotDir)
	coldScan := scanHeavy(t, ks.dsn("root", ""), "SET ROLE user_heavy", "SELECT * FROM chat.msgs", heavy)
	ks.stop(t)
	parquetBytes := diskBytes(t, filepath.Join(dir, "users"))
	residualHot := diskBytes(t, hotDir)
	if flushed != int64(n) {
		t.Fatalf("flushed %d rows, want %d", flushed, n)
	}

	// PostgreSQL 15: the same rows keyed by (user_id, msg_id).
	if err := pgrun.Available(); err != nil {
		t.Fatalf("PostgreSQL 15 is required: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	pg, err := pgrun.Start(ctx, pgrun.Options{SyncCommit: true})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	pconn := connect(t, pg.DSN("postgres"))
	mustExec(t, pconn, `CREATE TABLE msgs (user_id text, msg_id bigint, conversation_id text, "from" text, content text, created_at timestamptz, PRIMARY KEY (user_id, msg_id))`)
	start = time.Now()
	for _, u := range users {
		for lo := 0; lo < u.rows; lo += coldBatch {
			execLong(t, pconn, "INSERT INTO msgs VALUES "+coldValues(u.name, lo, min(lo+coldBatch, u.rows), true))
		}
	}
	pLoad := time.Since(start)
	mustExec(t, pconn, "VACUUM ANALYZE msgs")
	pgTable := queryOne(t, pconn, "SELECT pg_table_size('msgs')")
	pgIndex := queryOne(t, pconn, "SELECT pg_indexes_size('msgs')")
	pgTotal := queryOne(t, pconn, "SELECT pg_total_relation_size('msgs')")
	pgScan := scanHeavy(t, pg.DSN("postgres"), "", "SELECT msg_id, conversation_id, \"from\", content, created_at FROM msgs WHERE user_id = 'user_heavy' ORDER BY msg_id", heavy)

	per := func(b int64) string { return fmt.Sprintf("%.1f", float64(b)/float64(n)) }
	perS := func(s string) string {
		var b int64
		fmt.Sscan(s, &b)
		return per(b)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "\n%d chat messages (%d users; one with %d)\n", n, len(users), heavy)
	fmt.Fprintf(&out, "%-44s %14s\n", "storage", "bytes/message")
	fmt.Fprintf(&out, "%-44s %14s\n", "KalamDB hot (Badger dir, on disk)", per(hotBytes))
	fmt.Fprintf(&out, "%-44s %14s\n", "KalamDB after flush: Parquet", per(parquetBytes))
	fmt.Fprintf(&out, "%-44s %14s\n", "  hot .sst+.vlog left by the flush", per(flushedHot))
	fmt.Fprintf(&out, "%-44s %14s\n", "  hot .sst+.vlog after reclaim", per(reclaimedHot))
	fmt.Fprintf(&out, "%-44s %14s\n", "KalamDB after flush: Parquet + hot dir", per(parquetBytes+residualHot))
	fmt.Fprintf(&out, "%-44s %14s\n", "PostgreSQL 15 table", perS(pgTable))
	fmt.Fprintf(&out, "%-44s %14s\n", "PostgreSQL 15 indexes", perS(pgIndex))
	fmt.Fprintf(&out, "%-44s %14s\n", "PostgreSQL 15 table + indexes", perS(pgTotal))
	fmt.Fprintf(&out, "full history of one user (%d rows), best of 3\n", heavy)
	fmt.Fprintf(&out, "%-44s %14v\n", "KalamDB hot", hotScan.Round(time.Millisecond))
	fmt.Fprintf(&out, "%-44s %14v\n", "KalamDB cold", coldScan.Round(time.Millisecond))
	fmt.Fprintf(&out, "%-44s %14v\n", "PostgreSQL 15", pgScan.Round(time.Millisecond))
	fmt.Fprintf(&out, "flush: %d rows in %v = %.0f rows/s; reclaim %v\n", n, flushTook.Round(time.Millisecond),
		float64(n)/flushTook.Seconds(), reclaimTook.Round(time.Millisecond))
	fmt.Fprintf(&out, "load (INSERT of %d rows each): KalamDB %v, PostgreSQL %v\n", coldBatch, kLoad.Round(time.Millisecond), pLoad.Round(time.Millisecond))
	t.Log(out.String())
}

// measureServer is an in-process server that the test stops and restarts
// on one data directory.
type measureServer struct {
	*server.Server
	stopped bool
}

func startMeasureServer(t *testing.T, dir string) *measureServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := server.Start(ctx, server.Config{DataDir: dir, PGAddr: "127.0.0.1:0", Durability: hotstore.Fsync,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ms := &measureServer{Server: srv}
	t.Cleanup(func() { ms.stop(t) })
	return ms
}

func (ms *measureServer) dsn(user, pw string) string { return dsnFor(ms.PGAddr(), user, pw) }

func (ms *measureServer) stop(t *testing.T) {
	if ms.stopped {
		return
	}
	ms.stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := ms.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// coldWords is the chat vocabulary of coldValues.
var coldWords = strings.Fields(`hey hi sure ok thanks the a an is are was were be to of in on at for with
about from by this that these those it its you your we our they their me my he she his her meeting moved
tomorrow today tonight yesterday can could would should will send file files report deploy deployment
failed passed again looks good bad ship it what when where why how weekend plans lunch dinner noon
morning evening call later review pull request branch merge conflict build test tests flaky server
database query slow fast latency customer ticket issue bug fix fixed patch release version update
note doc docs draft budget invoice order shipping delayed arrived price quote contract team project
deadline sprint standup demo slides notes agenda schedule calendar invite link password reset account
login error timeout retry queue cache memory disk cpu graph chart numbers metrics alert page oncall`)

// coldValues renders rows [lo, hi) of user's messages as VALUES tuples:
// conversations of 50 messages, chat text of 60-400 bytes (about 250 on
// average) from a vocabulary of ~200 words with ids and numbers mixed
// in, which compresses roughly like real chat.
func coldValues(user string, lo, hi int, withUser bool) string {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := lo; i < hi; i++ {
		if i > lo {
			b.WriteString(", ")
		}
		h := uint32(i*2654435761) ^ uint32(len(user)*40503)
		var text strings.Builder
		for want := 60 + int(h%380); text.Len() < want && text.Len() < 400; {
			h = h*1103515245 + 12345
			if text.Len() > 0 {
				text.WriteByte(' ')
			}
			switch r := (h >> 8) % 16; {
			case r == 0:
				fmt.Fprintf(&text, "#%d", (h>>12)%100000)
			case r == 1:
				fmt.Fprintf(&text, "%x", h*2246822519)
			default:
				text.WriteString(coldWords[(h>>16)%uint32(len(coldWords))])
			}
		}
		from := user
		if i%2 == 1 {
			from = "assistant"
		}
		b.WriteString("(")
		if withUser {
			b.WriteString("'" + user + "', ")
		}
		fmt.Fprintf(&b, "%d, 'conv-%s-%d', '%s', '%s', '%s')", i+1, user, i/50, from,
			text.String(), base.Add(time.Duration(i)*7*time.Second).Format(time.RFC3339))
	}
	return b.String()
}

// execLong runs a statement with a generous timeout (big batches).
func execLong(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%.80s...: %v", sql, err)
	}
}

// scanHeavy reads the full query result three times on a fresh connection
// and returns the fastest read, checking the row count.
func scanHeavy(t *testing.T, dsn, setup, query string, want int) time.Duration {
	t.Helper()
	conn := connect(t, dsn)
	if setup != "" {
		mustExec(t, conn, setup)
	}
	best := time.Duration(1 << 62)
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		start := time.Now()
		rows, err := conn.Query(ctx, query, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		err = rows.Err()
		cancel()
		if err != nil || n != want {
			t.Fatalf("%s: %d rows, %v; want %d", query, n, err, want)
		}
		best = min(best, time.Since(start))
	}
	return best
}

// diskBytes is the space the files under dir occupy on disk (allocated
// blocks, so preallocated sparse files count for what they use).
func diskBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			return err
		}
		total += st.Blocks * 512
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
