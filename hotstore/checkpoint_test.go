package hotstore

import (
	"context"
	"testing"
)

// A checkpoint covers only commits Badger has applied: one in flight (its
// record logged, its apply not finished) stays above it, or a crash after
// the checkpoint would lose it.
func TestCheckpointStopsBelowCommitsInFlight(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	put(t, s, Partition{Table: 1}, map[int64]Record{1: row(1)})
	s.orc.settle() // the row is applied: a checkpoint may cover it
	var ws writeSet
	ws.set([]byte("in flight"), []byte("v"), 0)
	ts, err := s.orc.blindTs(nil, ws.encode(nil), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.sync.wait(context.Background()); err != nil { // the record is durable
		t.Fatal(err)
	}
	runErr := s.ckpt.run()
	got := s.orc.log.Checkpointed()
	s.orc.finish(ts) // the apply "failed": nothing to write; Close needs it
	if runErr != nil {
		t.Fatal(runErr)
	}
	if got == 0 || got >= ts {
		t.Fatalf("checkpoint at %d with the commit at %d in flight, want 0 < checkpoint < %d", got, ts, ts)
	}
	if err := s.ckpt.run(); err != nil {
		t.Fatal(err)
	}
	if got := s.orc.log.Checkpointed(); got != ts {
		t.Fatalf("checkpoint after the commit finished = %d, want %d", got, ts)
	}
	if st := s.Stats(); st.Checkpoints != 2 {
		t.Fatalf("Stats().Checkpoints = %d, want 2", st.Checkpoints)
	}
}
