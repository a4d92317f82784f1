package integration

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestColdReclaimAfterFlushAndErase: flushing a user's rows to Parquet
// and erasing another user delete their hot Badger entries; reclamation
// then gives the space of their .sst files back, and the rows that stay
// (cold ones and a table kept hot) read as before.
func TestColdReclaimAfterFlushAndErase(t *testing.T) {
	const rows, batch = 24_000, 400 // two users of ~12 MB of rows each
	dir := t.TempDir()
	ks := startServer(t, dir)
	root := ks.root(t)
	mustExec(t, root, "CREATE SCHEMA chat",
		"CREATE TABLE chat.msgs (id bigint PRIMARY KEY, body text) WITH (type = 'user')",
		"CREATE TABLE chat.keep (id bigint PRIMARY KEY, body text) WITH (type = 'user')",
		"CREATE USER user_flushed", "CREATE USER user_erased", "CREATE USER user_kept")
	for _, u := range []string{"user_flushed", "user_erased"} {
		mustExec(t, root, "SET ROLE "+u)
		for lo := 0; lo < rows; lo += batch {
			execLong(t, root, "INSERT INTO chat.msgs VALUES "+reclaimValues(u, lo, lo+batch))
		}
	}
	mustExec(t, root, "SET ROLE user_kept")
	execLong(t, root, "INSERT INTO chat.keep VALUES "+reclaimValues("user_kept", 0, 2000))
	mustExec(t, root, "RESET ROLE")

	// Restart: Badger writes its memtable out on close, so every row is
	// in an .sst file before the deletes.
	if err := ks.shutdown(); err != nil {
		t.Fatal(err)
	}
	ks = startServer(t, dir)
	root = ks.root(t)
	hot := filepath.Join(dir, "hot")
	before := badgerBytes(t, hot)

	wantRows(t, root, "SELECT kalamdb_erase_user('user_erased')", "2")
	wantRows(t, root, "SELECT kalamdb_flush('chat.msgs')", itoa(rows))
	deleted := badgerBytes(t, hot)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	res, err := ks.DB().Engine().Reclaim(ctx)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	after := badgerBytes(t, hot)
	t.Logf("hot .sst+.vlog: %d before, %d after erase and flush, %d after reclaim (%+v)", before, deleted, after, res)

	// Measured: ~29 MB before, unchanged by the deletes themselves (their
	// tombstones are still in the memtable), ~1.2 MB after reclaim.
	if before < 10<<20 {
		t.Fatalf("only %d bytes of .sst before the deletes: the test writes too little", before)
	}
	if after > before/4 {
		t.Fatalf("hot .sst+.vlog %d bytes after reclaim, want at most a quarter of %d", after, before)
	}
	count := func(user, sql, want string) {
		t.Helper()
		mustExec(t, root, "SET ROLE "+user)
		wantRows(t, root, sql, want)
		mustExec(t, root, "RESET ROLE")
	}
	count("user_flushed", "SELECT count(*), min(length(body)) FROM chat.msgs", itoa(rows)+"|512")
	count("user_erased", "SELECT count(*) FROM chat.msgs", "0")
	count("user_kept", "SELECT count(*), min(length(body)) FROM chat.keep", "2000|512")
	wantRows(t, root, "SELECT kind, table_name IS NULL, bytes > 0 FROM kalamdb_jobs() WHERE kind = 'reclaim'", "reclaim|t|t")
}

// reclaimValues renders rows [lo, hi) as VALUES tuples with ~500-byte
// bodies that do not compress much (hex of a hash chain).
func reclaimValues(user string, lo, hi int) string {
	var b strings.Builder
	h := uint64(len(user)) * 0x9E3779B97F4A7C15
	for i := lo; i < hi; i++ {
		if i > lo {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, '", i)
		for range 32 {
			h ^= uint64(i+1) * 0xBF58476D1CE4E5B9
			h = h*6364136223846793005 + 1442695040888963407
			fmt.Fprintf(&b, "%016x", h)
		}
		b.WriteString("')")
	}
	return b.String()
}

// badgerBytes is the allocated size of the .sst and .vlog files in dir.
func badgerBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".sst") || strings.HasSuffix(p, ".vlog")) {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			return nil // compacted away meanwhile
		}
		total += st.Blocks * 512
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
