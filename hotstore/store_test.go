package hotstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/kalamdb/kalamdb/pgerr"
)

// openStore opens a store (in memory when dir is "") and closes it at the
// end of the test.
func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	opts.Logger = slog.New(slog.DiscardHandler)
	opts.InMemory = dir == ""
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func intKey(t testing.TB, n int64) []byte {
	t.Helper()
	k, err := AppendKey(nil, n)
	if err != nil {
		t.Fatalf("AppendKey: %v", err)
	}
	return k
}

func keyToInt(t testing.TB, k []byte) int64 {
	t.Helper()
	v, rest, err := DecodeKey(k)
	if err != nil || len(rest) != 0 {
		t.Fatalf("DecodeKey(%x): %v, %d bytes left", k, err, len(rest))
	}
	return v.(int64)
}

// put writes records in one committed transaction.
func put(t testing.TB, s *Store, p Partition, recs map[int64]Record) {
	t.Helper()
	tx := s.Begin()
	defer tx.Discard()
	for k, r := range recs {
		if err := tx.Put(p, intKey(t, k), r, 0); err != nil {
			t.Fatalf("Put %d: %v", k, err)
		}
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func row(seq int64) Record { return Record{Seq: seq, Data: []byte(fmt.Sprintf("row%d", seq))} }

// collect drains it into "key:seq" strings, marking tombstones with "x".
func collect(t testing.TB, it *Iterator) []string {
	t.Helper()
	defer it.Close()
	var got []string
	for it.Next() {
		r := it.Record()
		s := fmt.Sprintf("%d:%d", keyToInt(t, it.Key()), r.Seq)
		if r.Deleted {
			s += "x"
		} else if want := fmt.Sprintf("row%d", r.Seq); string(r.Data) != want {
			t.Fatalf("record %s has data %q, want %q", s, r.Data, want)
		}
		got = append(got, s)
	}
	if err := it.Err(); err != nil {
		t.Fatalf("iterator: %v", err)
	}
	return got
}

func equalStrings(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b) && len(a) == len(b)
}

func TestGetPutTombstone(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 7, User: "alice"}
	put(t, s, p, map[int64]Record{1: row(10)})

	tx := s.Begin()
	defer tx.Discard()
	got, ok, err := tx.Get(p, intKey(t, 1))
	if err != nil || !ok || got.Seq != 10 || got.Deleted || string(got.Data) != "row10" {
		t.Fatalf("Get = %+v, %v, %v; want row10", got, ok, err)
	}
	if _, ok, _ := tx.Get(Partition{Table: 7, User: "bob"}, intKey(t, 1)); ok {
		t.Fatalf("bob sees alice's row")
	}
	if _, ok, _ := tx.Get(p, intKey(t, 2)); ok {
		t.Fatalf("missing key found")
	}
	if err := tx.Put(p, intKey(t, 1), Record{Seq: 11, Deleted: true}, 0); err != nil {
		t.Fatalf("Put tombstone: %v", err)
	}
	got, ok, err = tx.Get(p, intKey(t, 1))
	if err != nil || !ok || !got.Deleted || got.Seq != 11 || got.Data != nil {
		t.Fatalf("Get tombstone = %+v, %v, %v", got, ok, err)
	}
}

func TestScan(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "a"}
	recs := map[int64]Record{}
	for k := int64(-2); k <= 7; k++ {
		recs[k] = row(100 + k)
	}
	recs[4] = Record{Seq: 200, Deleted: true}
	put(t, s, p, recs)
	// Neighbouring partitions whose prefixes share bytes with p's.
	put(t, s, Partition{Table: 1, User: "a\x00"}, map[int64]Record{3: row(1)})
	put(t, s, Partition{Table: 1, User: "ab"}, map[int64]Record{3: row(2)})
	put(t, s, Partition{Table: 1, User: ""}, map[int64]Record{3: row(3)})
	put(t, s, Partition{Table: 2, User: "a"}, map[int64]Record{3: row(4)})

	k := func(n int64) []byte { return intKey(t, n) }
	tests := []struct {
		name string
		o    ScanOptions
		want []string
	}{
		{"all", ScanOptions{}, []string{"-2:98", "-1:99", "0:100", "1:101", "2:102", "3:103", "5:105", "6:106", "7:107"}},
		{"range", ScanOptions{Start: k(0), End: k(4)}, []string{"0:100", "1:101", "2:102", "3:103"}},
		{"from", ScanOptions{Start: k(6)}, []string{"6:106", "7:107"}},
		{"to", ScanOptions{End: k(-1)}, []string{"-2:98"}},
		{"tombstones", ScanOptions{Start: k(3), End: k(6), IncludeDeleted: true}, []string{"3:103", "4:200x", "5:105"}},
		{"reverse", ScanOptions{Reverse: true}, []string{"7:107", "6:106", "5:105", "3:103", "2:102", "1:101", "0:100", "-1:99", "-2:98"}},
		{"reverse range", ScanOptions{Reverse: true, Start: k(0), End: k(3)}, []string{"2:102", "1:101", "0:100"}},
		{"reverse end only", ScanOptions{Reverse: true, End: k(0)}, []string{"-1:99", "-2:98"}},
		{"reverse start only", ScanOptions{Reverse: true, Start: k(6)}, []string{"7:107", "6:106"}},
		{"reverse end between keys", ScanOptions{Reverse: true, End: append(k(5), 0)}, []string{"5:105", "3:103", "2:102", "1:101", "0:100", "-1:99", "-2:98"}},
		{"empty range", ScanOptions{Start: k(3), End: k(3)}, nil},
	}
	tx := s.Begin()
	defer tx.Discard()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collect(t, tx.Scan(p, tt.o)); !equalStrings(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSeqIndex(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 3, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1), 2: row(2), 3: row(3)})
	put(t, s, p, map[int64]Record{1: row(4)})                  // overwrite in a later txn
	put(t, s, p, map[int64]Record{2: {Seq: 5, Deleted: true}}) // delete
	put(t, s, Partition{Table: 3, User: "v"}, map[int64]Record{9: row(6)})

	tx := s.Begin()
	defer tx.Discard()
	// Overwrite twice inside one transaction: only the last seq stays.
	if err := tx.Put(p, intKey(t, 3), row(7), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := tx.Put(p, intKey(t, 3), row(8), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	tests := []struct {
		after   int64
		reverse bool
		want    []string
	}{
		{0, false, []string{"1:4", "2:5x", "3:8"}},
		{-1, false, []string{"1:4", "2:5x", "3:8"}},
		{4, false, []string{"2:5x", "3:8"}},
		{0, true, []string{"3:8", "2:5x", "1:4"}},
		{4, true, []string{"3:8", "2:5x"}},
		{8, false, nil},
		{1 << 62, true, nil},
	}
	for _, tt := range tests {
		got := collect(t, tx.ScanSeq(p, tt.after, tt.reverse))
		if !equalStrings(got, tt.want) {
			t.Fatalf("ScanSeq(after %d, reverse %v) = %v, want %v", tt.after, tt.reverse, got, tt.want)
		}
	}
	// The index holds exactly one entry per key.
	if n := seqIndexLen(tx, p); n != 3 {
		t.Fatalf("seq index has %d entries, want 3", n)
	}
}

func TestMeta(t *testing.T) {
	s := openStore(t, "", Options{})
	tx := s.Begin()
	defer tx.Discard()
	for _, k := range []string{"table/1", "table/2", "user/1", "tablex"} {
		if err := tx.SetMeta([]byte(k), []byte("v-"+k)); err != nil {
			t.Fatalf("SetMeta: %v", err)
		}
	}
	// Meta keys never show up in partitions.
	if got := collect(t, tx.Scan(Partition{}, ScanOptions{})); len(got) != 0 {
		t.Fatalf("partition scan saw meta keys: %v", got)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	tx = s.Begin()
	defer tx.Discard()
	if err := tx.DeleteMeta([]byte("table/2")); err != nil {
		t.Fatalf("DeleteMeta: %v", err)
	}
	v, ok, err := tx.GetMeta([]byte("user/1"))
	if err != nil || !ok || string(v) != "v-user/1" {
		t.Fatalf("GetMeta = %q, %v, %v", v, ok, err)
	}
	var got []string
	err = tx.ScanMeta([]byte("table/"), func(k, v []byte) error {
		got = append(got, string(k)+"="+string(v))
		return nil
	})
	if want := []string{"table/1=v-table/1"}; err != nil || !equalStrings(got, want) {
		t.Fatalf("ScanMeta = %v, %v; want %v", got, err, want)
	}
	stop := errors.New("stop")
	if err := tx.ScanMeta(nil, func(k, v []byte) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("ScanMeta error = %v, want %v", err, stop)
	}
}

func TestTTLExpiry(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 9, User: "u"}
	tx := s.Begin()
	if err := tx.Put(p, intKey(t, 1), row(1), time.Second); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := tx.Put(p, intKey(t, 2), row(2), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	visible := func() (bool, []string) {
		tx := s.Begin()
		defer tx.Discard()
		_, ok, err := tx.Get(p, intKey(t, 1))
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		return ok, collect(t, tx.ScanSeq(p, 0, false))
	}
	if ok, bySeq := visible(); !ok || len(bySeq) != 2 {
		t.Fatalf("fresh stream row: found %v, by seq %v", ok, bySeq)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		ok, bySeq := visible()
		if !ok {
			if want := []string{"2:2"}; !equalStrings(bySeq, want) {
				t.Fatalf("after expiry by seq = %v, want %v", bySeq, want)
			}
			// The index entry expired with its record.
			tx := s.Begin()
			defer tx.Discard()
			if n := seqIndexLen(tx, p); n != 1 {
				t.Fatalf("seq index has %d entries after expiry, want 1", n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("row with a 1s TTL still there after 3s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestDropTable(t *testing.T) {
	s := openStore(t, "", Options{})
	for _, u := range []string{"", "a", "b"} {
		put(t, s, Partition{Table: 1, User: u}, map[int64]Record{1: row(1), 2: row(2)})
		put(t, s, Partition{Table: 2, User: u}, map[int64]Record{1: row(3)})
	}
	put(t, s, Partition{Table: 0, User: "a"}, map[int64]Record{1: row(4)})
	if err := s.DropTable(context.Background(), 1); err != nil {
		t.Fatalf("DropTable: %v", err)
	}
	tx := s.Begin()
	defer tx.Discard()
	for _, u := range []string{"", "a", "b"} {
		if got := collect(t, tx.Scan(Partition{Table: 1, User: u}, ScanOptions{IncludeDeleted: true})); len(got) != 0 {
			t.Fatalf("table 1 user %q still has %v", u, got)
		}
		if got := collect(t, tx.ScanSeq(Partition{Table: 1, User: u}, 0, false)); len(got) != 0 {
			t.Fatalf("table 1 user %q seq index still has %v", u, got)
		}
		if got := collect(t, tx.Scan(Partition{Table: 2, User: u}, ScanOptions{})); !equalStrings(got, []string{"1:3"}) {
			t.Fatalf("table 2 user %q = %v", u, got)
		}
	}
	if got := collect(t, tx.Scan(Partition{Table: 0, User: "a"}, ScanOptions{})); !equalStrings(got, []string{"1:4"}) {
		t.Fatalf("table 0 = %v", got)
	}
}

func TestConflict(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1)})
	t1, t2 := s.Begin(), s.Begin()
	defer t1.Discard()
	defer t2.Discard()
	for i, tx := range []*Txn{t1, t2} {
		if _, _, err := tx.Get(p, intKey(t, 1)); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if err := tx.Put(p, intKey(t, 1), row(int64(2+i)), 0); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if err := t1.Commit(context.Background()); err != nil {
		t.Fatalf("first Commit: %v", err)
	}
	err := t2.Commit(context.Background())
	if code := pgerr.Code(err); code != pgerr.SerializationFailure {
		t.Fatalf("second Commit = %v (SQLSTATE %s), want 40001", err, code)
	}
	if got := s.Stats().Conflicts; got != 1 {
		t.Fatalf("Stats().Conflicts = %d, want 1", got)
	}
}

func TestTxnLifecycle(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1}
	put(t, s, p, map[int64]Record{1: row(1)})
	tx := s.Begin()
	it := tx.Scan(p, ScanOptions{}) // left open on purpose
	if !it.Next() {
		t.Fatalf("no row")
	}
	if err := tx.Put(p, intKey(t, 2), row(2), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("Commit with an open iterator: %v", err)
	}
	it.Close()
	tx.Discard()
	if err := tx.Commit(context.Background()); !errors.Is(err, ErrTxnDone) {
		t.Fatalf("second Commit = %v, want ErrTxnDone", err)
	}
	if err := tx.Put(p, intKey(t, 3), row(3), 0); !errors.Is(err, ErrTxnDone) {
		t.Fatalf("Put after Commit = %v, want ErrTxnDone", err)
	}
	if it := tx.Scan(p, ScanOptions{}); it.Next() || !errors.Is(it.Err(), ErrTxnDone) {
		t.Fatalf("Scan after Commit: err %v", it.Err())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tx = s.Begin()
	if err := tx.Put(p, intKey(t, 4), row(4), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit with canceled ctx = %v", err)
	}
	tx = s.Begin()
	defer tx.Discard()
	if got := collect(t, tx.Scan(p, ScanOptions{})); !equalStrings(got, []string{"1:1", "2:2"}) {
		t.Fatalf("rows = %v, want 1 and 2 only", got)
	}
}

func TestRecordCodec(t *testing.T) {
	for _, rec := range []Record{{Seq: 1}, {Seq: 1 << 60, Deleted: true}, {Seq: 5, Data: []byte("x")}} {
		got, err := decodeRecord(appendRecord(nil, rec))
		if err != nil || got.Seq != rec.Seq || got.Deleted != rec.Deleted || !bytes.Equal(got.Data, rec.Data) {
			t.Fatalf("decode(encode(%+v)) = %+v, %v", rec, got, err)
		}
	}
	for _, bad := range [][]byte{nil, make([]byte, 8), append(binary.BigEndian.AppendUint64(nil, 1), 0x80)} {
		if _, err := decodeRecord(bad); err == nil {
			t.Fatalf("decodeRecord(%x) succeeded", bad)
		}
	}
}

// seqIndexLen counts p's raw seq index entries in tx.
func seqIndexLen(tx *Txn, p Partition) int {
	n := 0
	it := tx.bt.NewIterator(defaultIterOpts(appendPartition(nil, tagSeq, p)))
	for it.Rewind(); it.Valid(); it.Next() {
		n++
	}
	it.Close()
	return n
}

func defaultIterOpts(prefix []byte) badger.IteratorOptions {
	o := badger.DefaultIteratorOptions
	o.Prefix = prefix
	return o
}
