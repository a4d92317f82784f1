package hotstore

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// fillPartition writes rows records of size bytes each to p and returns
// their seqs. Each record is a different slice of one random buffer, so
// Snappy finds nothing to compress within an SST block.
func fillPartition(t *testing.T, s *Store, p Partition, rows, size int) []int64 {
	t.Helper()
	var seed [32]byte
	copy(seed[:], p.User)
	src := make([]byte, 1<<20+size)
	_, _ = rand.NewChaCha8(seed).Read(src)
	seqs := make([]int64, rows)
	per := max(1, 256<<10/size) // well under Badger's batch limit
	for lo := 0; lo < rows; lo += per {
		tx := s.Begin()
		for i := lo; i < min(lo+per, rows); i++ {
			off := (i * 7919) % (1 << 20)
			seqs[i] = s.NextSeq()
			rec := Record{Seq: seqs[i], Data: src[off : off+size]}
			if err := tx.Put(p, intKey(t, int64(i)), rec, 0); err != nil {
				t.Fatalf("Put %d: %v", i, err)
			}
		}
		if err := tx.Commit(context.Background()); err != nil {
			t.Fatalf("Commit: %v", err)
		}
	}
	return seqs
}

// removeFlushed deletes the records as a flush does, in batches.
func removeFlushed(t *testing.T, s *Store, p Partition, seqs []int64) {
	t.Helper()
	for lo := 0; lo < len(seqs); lo += 1000 {
		tx := s.Begin()
		for i := lo; i < min(lo+1000, len(seqs)); i++ {
			if ok, err := tx.RemoveFlushed(p, intKey(t, int64(i)), seqs[i]); err != nil || !ok {
				t.Fatalf("RemoveFlushed %d: %v, %v", i, ok, err)
			}
		}
		if err := tx.Commit(context.Background()); err != nil {
			t.Fatalf("Commit: %v", err)
		}
	}
}

func usage(t *testing.T, dir string) int64 {
	t.Helper()
	sst, vlog, err := diskUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	return sst + vlog
}

// TestReclaimAfterFlushAndErase deletes most of a store's rows the two
// ways the engine does (a flush's RemoveFlushed, an erasure's
// DropPartition) and checks that Reclaim gives their disk space back,
// while the rows that stay are intact. Without reclamation the .sst files
// keep every deleted row (measured: no change at all).
func TestReclaimAfterFlushAndErase(t *testing.T) {
	dir := t.TempDir()
	// A small memtable puts the rows in SSTs without writing hundreds of MB.
	s := openStore(t, dir, Options{Durability: Async, memTableSize: 8 << 20, reclaimAfter: -1})
	flushed := Partition{Table: 1, User: "user_a"}
	erased := Partition{Table: 1, User: "user_b"}
	kept := Partition{Table: 1, User: "user_c"}
	// Few large rows: the bytes fill SSTs, the row count costs CPU (-race).
	seqs := fillPartition(t, s, flushed, 4_000, 4000) // ~16 MB
	fillPartition(t, s, erased, 4_000, 4000)
	fillPartition(t, s, kept, 500, 4000) // ~2 MB

	before := usage(t, dir)
	removeFlushed(t, s, flushed, seqs)
	if err := s.DropPartition(context.Background(), erased); err != nil {
		t.Fatal(err)
	}
	deleted := usage(t, dir)
	res, err := s.Reclaim(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	after := usage(t, dir)
	t.Logf("sst+vlog: %d written, %d after deletes, %d after reclaim; %+v", before, deleted, after, res)

	// 34 MB written, 32 MB deleted. Compaction alone leaves the deletes
	// in the memtable and the rows in SSTs (measured: 26-44 MB before,
	// 34 MB after the deletes, depending on how far compaction got);
	// after Reclaim about the 2 MB of live rows remain.
	peak := max(before, deleted)
	if peak < 20<<20 {
		t.Fatalf("only %d bytes in SSTs: the test writes too little", peak)
	}
	if after > peak/4 || after >= deleted {
		t.Fatalf("sst+vlog %d bytes after reclaim, want at most a quarter of %d and less than %d", after, peak, deleted)
	}
	if res.Freed() <= 0 || res.Garbage == 0 {
		t.Fatalf("Reclaimed = %+v, want freed bytes and garbage", res)
	}
	if st := s.Stats(); st.Reclaims != 1 || st.ReclaimedBytes != res.Freed() {
		t.Fatalf("Stats = %+v, want 1 reclaim of %d bytes", st, res.Freed())
	}

	tx := s.BeginRead()
	defer tx.Discard()
	for _, c := range []struct {
		p    Partition
		want int
	}{{flushed, 0}, {erased, 0}, {kept, 500}} {
		it := tx.Scan(c.p, ScanOptions{IncludeDeleted: true})
		n := 0
		for it.Next() {
			n++
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		it.Close()
		if n != c.want {
			t.Fatalf("%s: %d rows after reclaim, want %d", c.p.User, n, c.want)
		}
	}
}

// TestReclaimValueLog checks the value-log half: rows of Badger's value
// threshold (1 MB) and more live in .vlog files, which only value-log GC
// shrinks, and only for files other than the active one.
func TestReclaimValueLog(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Durability: Async, vlogFileSize: 4 << 20, reclaimAfter: -1})
	p := Partition{Table: 2, User: "user_big"}
	seqs := fillPartition(t, s, p, 24, 1<<20+100) // six 4 MB value-log files
	before := usage(t, dir)
	removeFlushed(t, s, p, seqs)
	res, err := s.Reclaim(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.VlogRewrites == 0 || res.VlogAfter > res.VlogBefore/2 {
		t.Fatalf("value log %d -> %d bytes with %d rewrites, want less than half left", res.VlogBefore, res.VlogAfter, res.VlogRewrites)
	}
	if after := usage(t, dir); after > before/2 {
		t.Fatalf("sst+vlog %d bytes after reclaim, want at most half of %d", after, before)
	}
}

// TestReclaimInBackground checks that enough deletes start a reclamation
// by themselves (how much it frees depends on when it starts), and that
// Close waits for one in progress.
func TestReclaimInBackground(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Durability: Async, memTableSize: 8 << 20,
		reclaimAfter: 4 << 20, reclaimQuiet: 50 * time.Millisecond})
	p := Partition{Table: 3, User: "user_a"}
	seqs := fillPartition(t, s, p, 2_000, 4000)
	removeFlushed(t, s, p, seqs)
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats().Reclaims == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no background reclamation within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReclaimAfterClose fails cleanly, and reclaiming a store in memory is
// a no-op.
func TestReclaimAfterClose(t *testing.T) {
	mem := openStore(t, "", Options{})
	if res, err := mem.Reclaim(context.Background()); err != nil || res != (Reclaimed{}) {
		t.Fatalf("in memory: %+v, %v", res, err)
	}
	s := openStore(t, t.TempDir(), Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reclaim(context.Background()); err != ErrClosed {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// TestReclaimAfterReaderCloses: a transaction that can still read the
// deleted rows keeps them through a reclamation (compaction must keep
// what a snapshot sees, in the last level too); the next reclamation after
// it ends drops them, though they already sit in the last level where
// Flatten alone has nothing to merge them into.
func TestReclaimAfterReaderCloses(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Durability: Async, memTableSize: 8 << 20, reclaimAfter: -1})
	p := Partition{Table: 4, User: "user_a"}
	seqs := fillPartition(t, s, p, 4_000, 4000) // ~16 MB
	reader := s.BeginRead()
	removeFlushed(t, s, p, seqs)
	held, err := s.Reclaim(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rec, ok, err := reader.Get(p, intKey(t, 7)); err != nil || !ok || rec.Seq != seqs[7] {
		t.Fatalf("reader's snapshot lost row 7: %+v, %v, %v", rec, ok, err)
	}
	reader.Discard()
	res, err := s.Reclaim(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("with a reader: %+v; after it: %+v", held, res)
	if held.SSTAfter < 10<<20 {
		t.Fatalf("%d bytes of .sst left while a reader could see 16 MB of rows", held.SSTAfter)
	}
	if res.SSTAfter > 1<<20 {
		t.Fatalf("%d bytes of .sst left after the reader ended, want under 1 MB", res.SSTAfter)
	}
}
