package hotstore

import (
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// versions lists every version Badger holds of key, newest first ("x"
// marks a tombstone).
func versions(t *testing.T, db *badger.DB, key []byte) []string {
	t.Helper()
	rt := db.NewTransactionAt(^uint64(0), false)
	defer rt.Discard()
	it := rt.NewIterator(badger.IteratorOptions{AllVersions: true, Prefix: key})
	defer it.Close()
	var got []string
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if string(item.Key()) != string(key) {
			continue
		}
		v := string(rune('0' + item.Version()%10))
		if item.IsDeletedOrExpired() {
			v += "x"
		}
		got = append(got, v)
	}
	return got
}

// The replay never writes a key below a version Badger already holds: a
// tombstone that survived in Badger at 5 keeps the set logged at 3 out,
// while a set logged at 7 goes in.
func TestReplaySkipsKeysBadgerHoldsNewer(t *testing.T) {
	s := openStore(t, "", Options{})
	key := []byte("replayed")
	bt := s.db.NewTransactionAt(4, true)
	if err := bt.Delete(key); err != nil {
		t.Fatal(err)
	}
	if err := bt.CommitAt(5, nil); err != nil {
		t.Fatal(err)
	}
	set := func() []byte {
		var ws writeSet
		ws.set(key, []byte("v"), 0)
		return ws.encode(nil)
	}
	r := newReplayer(s.db)
	for _, ts := range []uint64{3, 5, 7} {
		if err := r.apply(ts, set()); err != nil {
			r.close()
			t.Fatal(err)
		}
	}
	r.close()
	if got, want := versions(t, s.db, key), []string{"7", "5x"}; !equalStrings(got, want) {
		t.Fatalf("versions after replay = %v, want %v", got, want)
	}
}
