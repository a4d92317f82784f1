package hotstore

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const asyncChildEnv = "HOTSTORE_ASYNC_CHILD_DIR"

// Under Async a commit is acknowledged once it is in the OS page cache
// (Durability's doc), which a process that dies (kill -9, a panic, the
// OOM killer; no power loss) leaves behind, although the applier may not
// have given it to Badger yet. The child commits one row with the default
// applier delay and exits at once.
func TestAsyncCommitSurvivesProcessExit(t *testing.T) {
	if dir := os.Getenv(asyncChildEnv); dir != "" {
		s, err := Open(dir, Options{Durability: Async, reclaimAfter: -1, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			os.Exit(2)
		}
		tx := s.Begin()
		if err := tx.SetMeta([]byte("acked"), []byte("v")); err != nil {
			os.Exit(2)
		}
		if err := tx.Commit(context.Background()); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString("acked\n")
		os.Exit(0) // process dies; the kernel keeps the page cache
	}
	lost := 0
	const runs = 10
	for range runs {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestAsyncCommitSurvivesProcessExit$")
		// Without the race detector's exit sleep, which would give the
		// applier time to finish.
		cmd.Env = append(os.Environ(), asyncChildEnv+"="+dir, "GORACE=atexit_sleep_ms=0")
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), "acked") {
			t.Fatalf("child: %v %s", err, out)
		}
		s := openStore(t, dir, Options{})
		r := s.BeginRead()
		if _, ok, err := r.GetMeta([]byte("acked")); err != nil {
			t.Fatal(err)
		} else if !ok {
			lost++
		}
		r.Discard()
	}
	if lost > 0 {
		t.Fatalf("%d of %d Async commits acknowledged before the process exited are gone after reopening", lost, runs)
	}
}

func copyTree(t *testing.T, src, dst string, skip func(rel string) bool) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if skip(rel) {
			if fi.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A crash while the applier writes a commit can leave a prefix of it in
// Badger's memtable file (.mem): the kernel writes its mmapped pages back
// whenever it likes, and the log may not hold the commit yet (here: the
// log as it was before the commit, as a power loss under Async leaves
// it). Each commit is its own Badger transaction, with Badger's markers,
// so Badger's replay drops the prefix: all of the commit or none.
func TestCrashMidApplyLeavesNoHalfCommit(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Durability: Async, applyDelay: time.Hour, reclaimAfter: -1,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	crash := t.TempDir()
	// The log as the crash leaves it: nothing synced since Open.
	copyTree(t, filepath.Join(dir, logDir), filepath.Join(crash, logDir), func(string) bool { return false })

	tx := s.Begin()
	if err := tx.SetMeta([]byte("tornA"), []byte("valueA")); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetMeta([]byte("tornB"), []byte("valueB")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.orc.settle() // the applier writes the batch
	// Badger's files as the crash leaves them.
	copyTree(t, dir, crash, func(rel string) bool { return rel == logDir || strings.HasPrefix(rel, logDir+"/") })
	defer s.Close()

	// The crash came after the batch's first entry was written.
	mems, _ := filepath.Glob(filepath.Join(crash, "*.mem"))
	cut := false
	for _, m := range mems {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		ia := bytes.Index(b, append([]byte{tagMeta}, "tornA"...))
		ib := bytes.Index(b, append([]byte{tagMeta}, "tornB"...))
		if ia < 0 || ib < 0 {
			continue
		}
		first, val := ia, "valueA"
		if ib < ia {
			first, val = ib, "valueB"
		}
		end := first + 1 + len("tornA") + 8 + len(val) + 4
		clear(b[end:])
		if err := os.WriteFile(m, b, 0o644); err != nil {
			t.Fatal(err)
		}
		cut = true
	}
	if !cut {
		t.Fatal("batch not found in any .mem file")
	}

	s2, err := Open(crash, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	r := s2.BeginRead()
	defer r.Discard()
	_, okA, errA := r.GetMeta([]byte("tornA"))
	_, okB, errB := r.GetMeta([]byte("tornB"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if okA != okB {
		t.Fatalf("half a transaction after the crash: tornA found=%v, tornB found=%v", okA, okB)
	}
}
