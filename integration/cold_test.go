package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	badger "github.com/dgraph-io/badger/v4"
)

// TestExportReadBackAndErase: an export is plain Parquet that a generic
// reader (pqarrow, knowing nothing of KalamDB) reads back as exactly the
// user's live rows; an erase leaves no file and no key of the user and
// leaves everyone else's data as it was.
func TestExportReadBackAndErase(t *testing.T) {
	ks := startServer(t, "")
	root := ks.root(t)
	mustExec(t, root,
		"CREATE USER user_alice", "CREATE USER user_bob",
		"CREATE TABLE msgs (id bigint PRIMARY KEY, conv text, body text) WITH (type = 'user')",
		"CREATE INDEX msgs_conv ON msgs (conv)",
		"CREATE TABLE convs (conv text PRIMARY KEY, title text)",
		"INSERT INTO convs VALUES ('c1', 'one')")
	as := func(user string, stmts ...string) {
		t.Helper()
		mustExec(t, root, "SET ROLE "+user)
		mustExec(t, root, stmts...)
		mustExec(t, root, "RESET ROLE")
	}
	as("user_alice",
		"INSERT INTO msgs VALUES (1, 'c1', 'a1'), (2, 'c1', 'a2'), (3, 'c2', 'a3'), (4, 'c2', 'a4'), (5, 'c1', 'a5')")
	as("user_bob", "INSERT INTO msgs VALUES (1, 'c1', 'b1'), (2, 'c2', 'b2')")
	mustExec(t, root, "SELECT kalamdb_flush_all()")
	// Alice's history now spans both tiers: cold rows changed and deleted,
	// a new row still hot.
	as("user_alice",
		"UPDATE msgs SET body = 'a2!' WHERE id = 2", "DELETE FROM msgs WHERE id = 3",
		"INSERT INTO msgs VALUES (6, 'c1', 'a6')")
	as("user_bob", "INSERT INTO msgs VALUES (3, 'c1', 'b3')")

	path := queryOne(t, root, "SELECT kalamdb_export_user('user_alice')")
	got := readExport(t, path, "public.msgs")
	want := map[string]string{"1": "c1 a1", "2": "c1 a2!", "4": "c2 a4", "5": "c1 a5", "6": "c1 a6"}
	if !maps.Equal(got, want) {
		t.Fatalf("export read back:\n got %v\nwant %v", got, want)
	}

	wantRows(t, root, "SELECT kalamdb_erase_user('user_alice')", "1")
	wantRows(t, root, "SELECT count(*) FROM user_alice.msgs", "0")
	wantRows(t, root, "SELECT id, body FROM user_bob.msgs ORDER BY id", "1|b1", "2|b2", "3|b3")
	mustExec(t, root, "SET ROLE user_bob")
	wantRows(t, root, "SELECT id FROM msgs WHERE conv = 'c1' ORDER BY id", "1", "3") // index intact
	mustExec(t, root, "RESET ROLE")
	wantRows(t, root, "SELECT * FROM convs", "c1|one")
	// Alice can start over: no key of hers survives to collide.
	as("user_alice", "INSERT INTO msgs VALUES (1, 'c1', 'again')")
	wantRows(t, root, "SELECT id, body FROM user_alice.msgs", "1|again")
	as("user_alice", "DELETE FROM msgs")
	wantRows(t, root, "SELECT kalamdb_erase_user('user_alice')", "1")

	// No file or directory of hers anywhere in the data directory (the
	// export included: it is a copy of her data).
	err := filepath.WalkDir(ks.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "user_alice") {
			t.Errorf("left after erase: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ks.dir, "users", "user_bob", "public.msgs", "manifest.json")); err != nil {
		t.Fatalf("bob's cold partition: %v", err)
	}

	// No key of hers in the hot store: every row, seq-index and
	// secondary-index key carries the partition's user; catalog keys
	// ('m', where the role itself lives on) are not partition data.
	if err := ks.shutdown(); err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badger.DefaultOptions(filepath.Join(ks.dir, "hot")).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var alice, bob int
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if k[0] == 'm' || k[0] == 'x' {
				continue
			}
			if bytes.Contains(k, []byte("user_alice")) {
				alice++
			}
			if bytes.Contains(k, []byte("user_bob")) {
				bob++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Bob's hot row 3 (record, seq entry) and the index entries of his
	// three rows (index entries stay hot after a flush).
	if alice != 0 || bob != 5 {
		t.Fatalf("hot keys after erase: user_alice %d (want 0), user_bob %d (want 5)", alice, bob)
	}
}

// readExport reads the export's partition of table with pqarrow and
// returns its rows as id -> "conv body", failing on a tombstone or a
// second version of a key.
func readExport(t *testing.T, path, table string) map[string]string {
	t.Helper()
	var sum struct {
		User       string `json:"user"`
		Partitions []struct {
			Table string `json:"table"`
			Dir   string `json:"dir"`
		} `json:"partitions"`
	}
	data, err := os.ReadFile(filepath.Join(path, "export.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil || sum.User != "user_alice" {
		t.Fatalf("export.json %s: %v", data, err)
	}
	i := slices.IndexFunc(sum.Partitions, func(p struct {
		Table string `json:"table"`
		Dir   string `json:"dir"`
	}) bool {
		return p.Table == table
	})
	if i < 0 {
		t.Fatalf("export has no %s: %s", table, data)
	}
	dir := filepath.Join(path, sum.Partitions[i].Dir)
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Parquet files in %s: %v", dir, err)
	}
	out := map[string]string{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(nil), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		f.Close()
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		// Columns by their SQL name, kept in the field metadata.
		col := map[string]int{}
		for j, fld := range tbl.Schema().Fields() {
			if k := fld.Metadata.FindKey("kalamdb.name"); k >= 0 {
				col[fld.Metadata.Values()[k]] = j
			} else {
				col[fld.Name] = j
			}
		}
		rr := array.NewTableReader(tbl, 0)
		for rr.Next() {
			rec := rr.Record()
			ids := rec.Column(col["id"]).(*array.Int64)
			convs := rec.Column(col["conv"]).(*array.String)
			bodies := rec.Column(col["body"]).(*array.String)
			dels := rec.Column(col["_deleted"]).(*array.Boolean)
			for r := 0; r < int(rec.NumRows()); r++ {
				if dels.Value(r) {
					t.Fatalf("%s: tombstone in an export", name)
				}
				id := itoa(ids.Value(r))
				if _, dup := out[id]; dup {
					t.Fatalf("%s: id %s twice", name, id)
				}
				out[id] = convs.Value(r) + " " + bodies.Value(r)
			}
		}
		rr.Release()
		tbl.Release()
	}
	return out
}
