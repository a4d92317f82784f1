package hotstore

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestIndexRecordCopies(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 9, User: "alice"}
	tx := s.Begin()
	defer tx.Discard()
	pk1, pk2 := intKey(t, 1), intKey(t, 2)
	if err := tx.SetIndexRecord(p, indexKey(t, "c1", int64(1)), pk1, Record{Seq: 7, Data: []byte("one")}, 0); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetIndex(p, indexKey(t, "c1", int64(2)), pk2, 0); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetIndex(p, indexKey(t, "c1", int64(3)), []byte{idxCopy, 1}, 0); err == nil {
		t.Fatalf("SetIndex took a value starting with 0x01")
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}

	rt := s.BeginRead()
	defer rt.Discard()
	v, rec, hasRec, ok, err := rt.GetIndexRecord(p, indexKey(t, "c1", int64(1)))
	if err != nil || !ok || !hasRec || !bytes.Equal(v, pk1) || rec.Seq != 7 || string(rec.Data) != "one" {
		t.Fatalf("GetIndexRecord = %x %+v %v %v %v, want pk1 with seq 7 \"one\"", v, rec, hasRec, ok, err)
	}
	if v, ok, err := rt.GetIndex(p, indexKey(t, "c1", int64(1))); err != nil || !ok || !bytes.Equal(v, pk1) {
		t.Fatalf("GetIndex = %x %v %v, want the primary key alone", v, ok, err)
	}
	if v, _, hasRec, ok, err := rt.GetIndexRecord(p, indexKey(t, "c1", int64(2))); err != nil || !ok || hasRec || !bytes.Equal(v, pk2) {
		t.Fatalf("plain entry = %x %v %v %v, want pk2 without a copy", v, hasRec, ok, err)
	}

	type hit struct {
		pk   []byte
		data string
		copy bool
	}
	var got []hit
	it := rt.ScanIndex(p, ScanOptions{Start: indexKey(t, "c1"), End: prefixEnd(indexKey(t, "c1")), Reverse: true})
	for it.Next() {
		rec, ok := it.IndexRecord()
		got = append(got, hit{append([]byte(nil), it.Value()...), string(rec.Data), ok})
	}
	it.Close()
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	want := []hit{{pk2, "", false}, {pk1, "one", true}}
	if len(got) != len(want) {
		t.Fatalf("scan = %+v, want %+v", got, want)
	}
	for i := range want {
		if !bytes.Equal(got[i].pk, want[i].pk) || got[i].data != want[i].data || got[i].copy != want[i].copy {
			t.Fatalf("scan = %+v, want %+v", got, want)
		}
	}
}

func TestBeginReadRefusesWrites(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1}
	put(t, s, p, map[int64]Record{1: row(1)})
	rt := s.BeginRead()
	defer rt.Discard()
	if rec, ok, err := rt.Get(p, intKey(t, 1)); err != nil || !ok || string(rec.Data) != "row1" {
		t.Fatalf("Get = %+v %v %v", rec, ok, err)
	}
	if err := rt.Put(p, intKey(t, 2), row(2), 0); err == nil {
		t.Fatalf("Put in a read-only transaction succeeded")
	}
	if err := rt.Commit(context.Background()); err != nil {
		t.Fatalf("Commit of a read-only transaction: %v", err)
	}
}

func TestBoundedScanPrefix(t *testing.T) {
	// A walk bounded on both sides narrows Badger's prefix to the bounds'
	// common prefix: keys right next to the range must still be handled.
	s := openStore(t, "", Options{})
	p := Partition{Table: 3}
	tx := s.Begin()
	for _, c := range []string{"a", "b", "ba", "c"} {
		for n := int64(1); n <= 3; n++ {
			if err := tx.SetIndex(p, indexKey(t, c, n), []byte(c), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	rt := s.BeginRead()
	defer rt.Discard()
	for _, reverse := range []bool{false, true} {
		b := indexKey(t, "b")
		got := collectIndex(t, rt.ScanIndex(p, ScanOptions{Start: b, End: prefixEnd(b), Reverse: reverse}))
		if len(got) != 3 || got[0] != "b" || got[2] != "b" {
			t.Fatalf("reverse=%v: scan of b = %v, want three entries of b", reverse, got)
		}
		lo, hi := indexKey(t, "b", int64(2)), indexKey(t, "ba", int64(2))
		got = collectIndex(t, rt.ScanIndex(p, ScanOptions{Start: lo, End: hi, Reverse: reverse}))
		if len(got) != 3 {
			t.Fatalf("reverse=%v: scan [b/2, ba/2) = %v, want b/2 b/3 ba/1", reverse, got)
		}
	}
}

func TestSplitIndexValue(t *testing.T) {
	pk := []byte{0x20, 1, 2}
	full := appendIndexValue(nil, pk, Record{Seq: 5, Data: []byte("row")})
	for _, tc := range []struct {
		name    string
		in      []byte
		wantPK  []byte
		wantRec bool
		bad     bool
	}{
		{"plain", pk, pk, false, false},
		{"empty", nil, nil, false, false},
		{"copy", full, pk, true, false},
		{"truncated length", []byte{idxCopy}, nil, false, true},
		{"length past end", []byte{idxCopy, 9, 0x20}, nil, false, true},
		{"no record", appendIndexValue(nil, pk, Record{})[:1+1+len(pk)], nil, false, true},
	} {
		v, rec, hasRec, err := splitIndexValue(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: err = %v, want ErrCorrupt", tc.name, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(v, tc.wantPK) || hasRec != tc.wantRec {
			t.Fatalf("%s: got %x %v %v", tc.name, v, hasRec, err)
		}
		if hasRec && (rec.Seq != 5 || string(rec.Data) != "row") {
			t.Fatalf("%s: record %+v", tc.name, rec)
		}
	}
}

func FuzzSplitIndexValue(f *testing.F) {
	f.Add([]byte{0x20, 1})
	f.Add(appendIndexValue(nil, []byte{0x40, 'a', 0, 1}, Record{Seq: 1, Data: []byte("x")}))
	f.Add(appendIndexValue(nil, nil, Record{Seq: 2, Deleted: true}))
	f.Add([]byte{idxCopy, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})
	f.Fuzz(func(t *testing.T, in []byte) {
		v, rec, hasRec, err := splitIndexValue(in)
		if err != nil || !hasRec {
			return
		}
		// A parsed copy re-encodes to the same bytes.
		if out := appendIndexValue(nil, v, rec); !bytes.Equal(out, in) {
			t.Fatalf("round trip %x -> %x", in, out)
		}
	})
}
