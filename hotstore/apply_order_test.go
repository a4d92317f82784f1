package hotstore

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Badger gets versions in timestamp order: its compactions assume a newer
// level never holds an older version. Here the memtable is filled with n
// pads (unlogged updates, as the reclaimer writes), a commit of a key
// returns and waits in the applier's queue, and an internal write (a
// drop's batch of deletes) deletes the key with one more pad, filling the
// memtable. Applied before the queued commit, the delete's tombstone
// reached the last level and was dropped there, and the older value,
// written later into a newer memtable, came back.
func TestDeletedKeyStaysDeletedAcrossMemtables(t *testing.T) {
	for n := 14; n <= 16; n++ { // the old order failed at 15 (Badger v4.9.6)
		s := openStore(t, t.TempDir(), Options{Durability: Async, applyDelay: time.Hour, memTableSize: 8 << 20})
		pad := make([]byte, 512<<10)
		for i := range n {
			if _, err := s.update(false, func(b *blindTxn) error {
				return b.set(fmt.Appendf(nil, "%cpad%d", tagSys, i), pad)
			}); err != nil {
				t.Fatal(err)
			}
		}
		key := []byte("victim")
		tx := s.Begin()
		tx.SetMeta(key, []byte("written before the delete"))
		if err := tx.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.update(true, func(b *blindTxn) error {
			if err := b.delete(append([]byte{tagMeta}, key...)); err != nil {
				return err
			}
			return b.set([]byte{tagSys, 'x'}, pad)
		}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			moved := false
			for _, ti := range s.db.Tables() {
				moved = moved || ti.Level > 0
			}
			if moved {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		r := s.BeginRead()
		v, ok, err := r.GetMeta(key)
		r.Discard()
		if err != nil || ok {
			t.Errorf("n=%d: deleted key is back: %q, %v, %v", n, v, ok, err)
		}
	}
}
