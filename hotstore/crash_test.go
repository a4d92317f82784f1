package hotstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The crash tests run a writer in a child process (this test binary, with
// crashDirEnv set) that commits a fixed script under Fsync durability,
// prints the digest of everything it acknowledged and exits without
// Close, as a killed server would. The parent then reopens the store, in
// the worst case after taking Badger's memtable files (.mem), which are
// not synced per commit, back to their content at their last fsync (a
// checkpoint's) or away: what a power loss may leave. Every acknowledged
// commit must come back.
const (
	crashDirEnv    = "HOTSTORE_CRASH_DIR"
	crashScriptEnv = "HOTSTORE_CRASH_SCRIPT"
)

// TestMain runs the crash child instead of the tests when crashDirEnv is
// set.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(dir)
	}
	os.Exit(m.Run())
}

// crashChild is the child's side; it never returns.
func crashChild(dir string) {
	opts := Options{Durability: Fsync, Logger: slog.New(slog.DiscardHandler), reclaimAfter: -1,
		synced: func(path string) { keepSynced(dir, path) }}
	switch os.Getenv(crashScriptEnv) {
	case "checkpoints":
		opts.checkpointEvery = 64 << 10
	case "reclaim":
		opts.vlogFileSize = 4 << 20
	case "queued":
		opts.applyDelay = time.Hour // only urging applies
	}
	s, err := Open(dir, opts)
	if err != nil {
		fmt.Printf("open: %v\n", err)
		os.Exit(2)
	}
	script := os.Getenv(crashScriptEnv)
	if err := runCrashScript(s, script); err != nil {
		fmt.Printf("script: %v\n", err)
		os.Exit(2)
	}
	if script != "reopen" {
		// One last commit after the last checkpoint, in the log only:
		// the memtable has content no fsync covered.
		s.ckpt.stop()
		if err := lastCommit(s); err != nil {
			fmt.Printf("last commit: %v\n", err)
			os.Exit(2)
		}
	}
	digest, err := storeDigest(s)
	if err != nil {
		fmt.Printf("digest: %v\n", err)
		os.Exit(2)
	}
	fmt.Printf("digest %s\nlast-seq %d\ncheckpoints %d\n", digest, s.last.Load(), s.Stats().Checkpoints)
	if script == "queued" {
		// Commits acknowledged while Badger never had them: nothing
		// reads them, so the applier keeps them queued.
		before := s.Stats().ApplyBatches
		if err := queuedCommits(s); err != nil {
			fmt.Printf("queued commits: %v\n", err)
			os.Exit(2)
		}
		fmt.Printf("queued-applied %d\n", s.Stats().ApplyBatches-before)
	}
	os.Exit(0) // no Close: nothing but the acknowledged syncs made it durable
}

// runCrashScript commits inserts, updates, deletes, metadata and a
// dropped partition, each acknowledged before the next.
func runCrashScript(s *Store, script string) error {
	ctx := context.Background()
	switch script {
	case "reopen":
		return nil // recovery only
	case "reclaim":
		return reclaimScript(ctx, s)
	}
	rows := 300
	if script == "checkpoints" {
		rows = 3000 // about 1 MB of log: several checkpoints of 64 KB
	}
	commit := func(fn func(tx *Txn) error) error {
		tx := s.Begin()
		defer tx.Discard()
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	key := func(n int) []byte { k, _ := AppendKey(nil, int64(n)); return k }
	data := bytes.Repeat([]byte("m"), 250)
	// Inserts from four writers at once, so checkpoints meet commits in
	// flight; each writer has its own rows.
	const writers = 4
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := w; i < rows; i += writers {
				p := Partition{Table: 7, User: fmt.Sprintf("user%d", i%5)}
				err := commit(func(tx *Txn) error {
					return tx.Put(p, key(i), Record{Seq: s.NextSeq(), Data: append(data[:250:250], byte(i))}, 0)
				})
				if err != nil {
					errs <- fmt.Errorf("insert %d: %w", i, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			return err
		}
	}
	for i := 0; i < rows; i += 7 { // updates
		p := Partition{Table: 7, User: fmt.Sprintf("user%d", i%5)}
		err := commit(func(tx *Txn) error {
			if _, _, err := tx.Get(p, key(i)); err != nil {
				return err
			}
			return tx.Put(p, key(i), Record{Seq: s.NextSeq(), Data: []byte("updated")}, 0)
		})
		if err != nil {
			return fmt.Errorf("update %d: %w", i, err)
		}
	}
	for i := 3; i < rows; i += 11 { // deletes
		p := Partition{Table: 7, User: fmt.Sprintf("user%d", i%5)}
		err := commit(func(tx *Txn) error {
			return tx.Put(p, key(i), Record{Seq: s.NextSeq(), Deleted: true}, 0)
		})
		if err != nil {
			return fmt.Errorf("delete %d: %w", i, err)
		}
	}
	err := commit(func(tx *Txn) error {
		if err := tx.SetMeta([]byte("catalog/a"), []byte("one")); err != nil {
			return err
		}
		return tx.SetMeta([]byte("catalog/b"), []byte("two"))
	})
	if err != nil {
		return err
	}
	if err := commit(func(tx *Txn) error { return tx.DeleteMeta([]byte("catalog/a")) }); err != nil {
		return err
	}
	// A savepoint rolled back inside a committed transaction.
	err = commit(func(tx *Txn) error {
		p := Partition{Table: 7, User: "user0"}
		if err := tx.Put(p, key(rows+1), Record{Seq: s.NextSeq(), Data: []byte("kept")}, 0); err != nil {
			return err
		}
		sp := tx.Savepoint()
		if err := tx.Put(p, key(rows+2), Record{Seq: s.NextSeq(), Data: []byte("rolled back")}, 0); err != nil {
			return err
		}
		return tx.RollbackTo(sp)
	})
	if err != nil {
		return err
	}
	return s.DropPartition(ctx, Partition{Table: 7, User: "user4"})
}

// queuedTable holds the rows of queuedCommits, which storeDigest leaves
// out: the child prints its digest before committing them.
const queuedTable = 8

const queuedRows = 20

func queuedRow(i int) ([]byte, Record) {
	k, _ := AppendKey(nil, int64(i))
	return k, Record{Seq: int64(1_000_000 + i), Data: fmt.Appendf(nil, "queued%d", i)}
}

// queuedCommits commits queuedRows rows of queuedTable, one per commit,
// with fixed seqs (NextSeq could extend the seq lease, whose write waits
// for the applier).
func queuedCommits(s *Store) error {
	for i := range queuedRows {
		tx := s.Begin()
		k, rec := queuedRow(i)
		if err := tx.Put(Partition{Table: queuedTable, User: "q"}, k, rec, 0); err != nil {
			tx.Discard()
			return err
		}
		if err := tx.Commit(context.Background()); err != nil {
			return err
		}
	}
	return nil
}

func lastCommit(s *Store) error {
	tx := s.Begin()
	k, _ := AppendKey(nil, int64(1_000_000))
	if err := tx.Put(Partition{Table: 7, User: "last"}, k, Record{Seq: s.NextSeq(), Data: []byte("last")}, 0); err != nil {
		tx.Discard()
		return err
	}
	return tx.Commit(context.Background())
}

// reclaimScript commits rows that live in Badger's value log, drops half
// of them, checkpoints (the log no longer holds the rows) and reclaims:
// value-log GC moves the kept values to a new file and deletes the old
// ones, which must not happen before the moved values and their new
// pointers are synced.
func reclaimScript(ctx context.Context, s *Store) error {
	big := bytes.Repeat([]byte("v"), 1<<20+100)
	for i := range 24 {
		p := Partition{Table: 7, User: "drop"}
		if i%3 == 0 {
			p.User = "keep"
		}
		tx := s.Begin()
		k, _ := AppendKey(nil, int64(i))
		if err := tx.Put(p, k, Record{Seq: s.NextSeq(), Data: big}, 0); err != nil {
			tx.Discard()
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
	}
	if err := s.DropPartition(ctx, Partition{Table: 7, User: "drop"}); err != nil {
		return err
	}
	if err := s.ckpt.run(); err != nil {
		return err
	}
	res, err := s.Reclaim(ctx)
	if err != nil {
		return err
	}
	if res.VlogRewrites == 0 {
		return fmt.Errorf("reclaim rewrote no value log: %+v", res)
	}
	return nil
}

// storeDigest hashes every key and value a reader sees, except internal
// state (the seq lease and reclamation markers).
func storeDigest(s *Store) (string, error) {
	h := sha256.New()
	n := 0
	queuedRows, queuedSeqs := appendTable(nil, tagRow, queuedTable), appendTable(nil, tagSeq, queuedTable)
	err := s.view(func(bt *badger.Txn) error {
		it := bt.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			if k := item.Key(); len(k) > 0 && (k[0] == tagSys || k[0] == 'a') {
				continue
			}
			if k := item.Key(); bytes.HasPrefix(k, queuedRows) || bytes.HasPrefix(k, queuedSeqs) {
				continue
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%x=%x;", item.Key(), v)
			n++
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d:%s", n, hex.EncodeToString(h.Sum(nil)[:8])), nil
}

// runCrashChild runs the script in a child process on dir and returns
// what it printed.
func runCrashChild(t *testing.T, dir, script string) map[string]string {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashScriptEnv+"="+script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	got := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok {
			got[k] = v
		}
	}
	if got["digest"] == "" {
		t.Fatalf("child printed no digest:\n%s", out)
	}
	return got
}

// shadowDir holds, for each .mem file the store fsynced, its content at
// that moment: what a power loss would leave of it at least.
func shadowDir(dir string) string { return dir + ".synced" }

// keepSynced copies a just-synced .mem file to the shadow directory.
func keepSynced(dir, path string) {
	if !strings.HasSuffix(path, ".mem") {
		return
	}
	data, err := os.ReadFile(path)
	if err == nil {
		err = os.MkdirAll(shadowDir(dir), 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(shadowDir(dir), filepath.Base(path)), data, 0o644)
	}
	if err != nil {
		fmt.Printf("keep synced %s: %v\n", path, err)
		os.Exit(2)
	}
}

// loseUnsyncedMemtables does to Badger's memtable files (.mem), which the
// store does not sync per commit, the worst a power loss could: each goes
// back to its content at its last fsync, or away if it never had one. It
// returns how many files lost something.
func loseUnsyncedMemtables(t *testing.T, dir string) int {
	t.Helper()
	mems, err := filepath.Glob(filepath.Join(dir, "*.mem"))
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, m := range mems {
		live, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		synced, err := os.ReadFile(filepath.Join(shadowDir(dir), filepath.Base(m)))
		switch {
		case os.IsNotExist(err):
			err = os.Remove(m)
		case err == nil && !bytes.Equal(live, synced):
			err = os.WriteFile(m, synced, 0o644)
		case err == nil:
			continue // nothing written since its last sync
		}
		if err != nil {
			t.Fatal(err)
		}
		lost++
	}
	return lost
}

func TestCrashRecovery(t *testing.T) {
	for _, tc := range []struct {
		name      string
		script    string
		loseMem   bool // delete the .mem files before reopening
		reopenTwo bool // crash again right after the replay
	}{
		{name: "process killed", script: "basic"},
		{name: "memtables lost", script: "basic", loseMem: true},
		{name: "memtables lost twice", script: "basic", loseMem: true, reopenTwo: true},
		{name: "after checkpoints", script: "checkpoints", loseMem: true},
		{name: "value log collected", script: "reclaim", loseMem: true},
		{name: "applier queue lost", script: "queued", loseMem: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			child := runCrashChild(t, dir, tc.script)
			if tc.script == "checkpoints" && child["checkpoints"] == "0" {
				t.Fatalf("the child made no checkpoint")
			}
			if tc.loseMem && loseUnsyncedMemtables(t, dir) == 0 {
				t.Fatalf("no unsynced .mem content to lose")
			}
			if tc.reopenTwo {
				// Replay, then crash again at once: the replayed commits
				// are in Badger's unsynced memtable only, and the log
				// must still hold them.
				again := runCrashChild(t, dir, "reopen")
				if again["digest"] != child["digest"] {
					t.Fatalf("first reopen: digest %s, want %s", again["digest"], child["digest"])
				}
				loseUnsyncedMemtables(t, dir)
			}
			s := openStore(t, dir, Options{})
			if got, err := storeDigest(s); err != nil || got != child["digest"] {
				t.Fatalf("after reopen: digest %s (%v), want %s", got, err, child["digest"])
			}
			if tc.script == "queued" {
				if child["queued-applied"] != "0" {
					t.Fatalf("the child applied %s batches after its digest, want none", child["queued-applied"])
				}
				tx := s.BeginRead()
				for i := range queuedRows {
					k, want := queuedRow(i)
					got, ok, err := tx.Get(Partition{Table: queuedTable, User: "q"}, k)
					if err != nil || !ok || got.Seq != want.Seq || !bytes.Equal(got.Data, want.Data) {
						tx.Discard()
						t.Fatalf("queued row %d after reopen: %+v %v %v, want %+v", i, got, ok, err, want)
					}
				}
				tx.Discard()
			}
			var last int64
			fmt.Sscan(child["last-seq"], &last)
			if next := s.NextSeq(); next <= last {
				t.Fatalf("NextSeq after reopen = %d, want above the child's last %d", next, last)
			}
		})
	}
}
