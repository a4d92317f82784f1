package sql

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
)

// The hot read path of the chat workload (the bench's W2): the latest 50
// messages of a conversation and a point lookup by id, over a disk store
// big enough that most rows sit in SSTs rather than memtables. Sizes
// default small; KALAMDB_BENCH_MESSAGES raises them for profiling, e.g.
//
//	KALAMDB_BENCH_MESSAGES=200000 go test -run=^$ -bench=Latest50 -cpuprofile cpu.out ./sql

func benchMessages(b *testing.B) (msgs, convs int) {
	msgs = 20000
	if v, err := strconv.Atoi(os.Getenv("KALAMDB_BENCH_MESSAGES")); err == nil && v > 0 {
		msgs = v
	}
	return msgs, max(msgs/100, 1)
}

// openBenchMessages loads msgs messages over convs conversations, the way
// the bench does (ids in order, conversations at random, the index built
// afterwards).
func openBenchMessages(b *testing.B, msgs, convs int) *Engine {
	b.Helper()
	log := slog.New(slog.DiscardHandler)
	store, err := hotstore.Open(b.TempDir(), hotstore.Options{Durability: hotstore.Async, Logger: log})
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	b.Cleanup(func() { _ = store.Close() })
	cat, err := catalog.Open(context.Background(), store)
	if err != nil {
		b.Fatalf("open catalog: %v", err)
	}
	e := NewEngine(Config{Store: store, Catalog: cat, Logger: log, Version: "bench"})
	s, err := e.NewSession("root", 1, nil)
	if err != nil {
		b.Fatalf("session: %v", err)
	}
	defer s.Close()
	exec := func(q string) {
		if err := s.Query(context.Background(), q, func(*Result) error { return nil }); err != nil {
			b.Fatalf("%.80s: %v", q, err)
		}
	}
	exec("CREATE TABLE w2_messages (id bigint PRIMARY KEY, conversation_id text, sender text, content text, created_at timestamptz DEFAULT now())")
	r := rand.New(rand.NewPCG(1, 2))
	const batch = 500
	content := strings.Repeat("hello the model said we should ship it today ", 5)[:210]
	for start := 0; start < msgs; start += batch {
		var q strings.Builder
		q.WriteString("INSERT INTO w2_messages (id, conversation_id, sender, content) VALUES ")
		for i := start; i < min(start+batch, msgs); i++ {
			if i > start {
				q.WriteString(", ")
			}
			u := r.IntN(convs)
			fmt.Fprintf(&q, "(%d, 'conv_%06d', 'user_%06d', '%s')", i+1, u, u, content)
		}
		exec(q.String())
	}
	exec("CREATE INDEX ON w2_messages (conversation_id, id)")
	return e
}

// benchPrepared runs one prepared statement per iteration the way the wire
// layer does for a pgx query: Execute, then Sync.
func benchPrepared(b *testing.B, e *Engine, query string, arg func(r *rand.Rand) any, wantRows int) {
	s, err := e.NewSession("root", 2, nil)
	if err != nil {
		b.Fatalf("session: %v", err)
	}
	defer s.Close()
	st, err := s.Prepare(query, nil)
	if err != nil {
		b.Fatalf("prepare: %v", err)
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := s.Execute(ctx, st, []any{arg(r)})
		if err != nil {
			b.Fatalf("execute: %v", err)
		}
		if len(res.Rows) < wantRows {
			b.Fatalf("got %d rows, want at least %d", len(res.Rows), wantRows)
		}
		if err := s.Sync(ctx, false); err != nil {
			b.Fatalf("sync: %v", err)
		}
	}
}

func BenchmarkLatest50(b *testing.B) {
	msgs, convs := benchMessages(b)
	e := openBenchMessages(b, msgs, convs)
	benchPrepared(b, e, "SELECT id, conversation_id, sender, content, created_at FROM w2_messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT 50",
		func(r *rand.Rand) any { return fmt.Sprintf("conv_%06d", r.IntN(convs)) }, 1)
}

func BenchmarkPointLookup(b *testing.B) {
	msgs, _ := benchMessages(b)
	e := openBenchMessages(b, msgs, max(msgs/100, 1))
	benchPrepared(b, e, "SELECT id, conversation_id, sender, content, created_at FROM w2_messages WHERE id = $1",
		func(r *rand.Rand) any { return int64(1 + r.IntN(msgs)) }, 1)
}
