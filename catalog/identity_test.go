package catalog

import (
	"context"
	"testing"

	"github.com/kalamdb/kalamdb/types"
)

func TestReserveIdentitySurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := openStore(t, dir)
	c, err := Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	tbl, _, err := c.CreateTable(ctx, &Table{Schema: "public", Name: "t", Type: Shared,
		Columns: []Column{{Name: "id", Type: types.Of(types.Int4), Identity: IdentityAlways, NotNull: true}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	v := c.Version()
	steps := []struct {
		n, want int64
	}{{10, 1}, {5, 11}, {1, 16}}
	for _, st := range steps {
		got, err := c.ReserveIdentity(ctx, tbl.ID, 1, st.n)
		if err != nil || got != st.want {
			t.Fatalf("reserve %d: got %d, %v; want %d", st.n, got, err, st.want)
		}
	}
	if c.Version() != v {
		t.Fatalf("reserving changed the catalog version")
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store = openStore(t, dir)
	c, err = Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.ReserveIdentity(ctx, tbl.ID, 1, 1); err != nil || got != 17 {
		t.Fatalf("after reopen: got %d, %v; want 17", got, err)
	}
	if _, err := c.DropTable(ctx, "public", "t", false); err != nil {
		t.Fatal(err)
	}
	if got, err := c.ReserveIdentity(ctx, tbl.ID, 1, 1); err != nil || got != 1 {
		t.Fatalf("after drop: got %d, %v; want the counter gone", got, err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCreateTableWithIndexes(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, t.TempDir())
	defer store.Close()
	c, err := Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	cols := []Column{{Name: "a", Type: types.Of(types.Int4)}}
	tbl, _, err := c.CreateTable(ctx, &Table{Schema: "public", Name: "t", Type: Shared, Columns: cols,
		Indexes: []Index{{Name: "t_a_key", Columns: []uint32{1}, Unique: true, Constraint: true}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if ix := tbl.Indexes[0]; ix.ID == 0 || ix.ID == tbl.ID {
		t.Fatalf("index id not assigned: %+v", ix)
	}
	if _, _, ok := c.FindIndex("public", "t_a_key"); !ok {
		t.Fatal("index not found")
	}
	for _, bad := range [][]Index{
		{{Name: "t_a_key", Columns: []uint32{1}}},                              // taken by t's index
		{{Name: "x", Columns: []uint32{1}}, {Name: "x", Columns: []uint32{1}}}, // twice
		{{Name: "u", Columns: []uint32{1}}},                                    // the table's own name
	} {
		if _, _, err := c.CreateTable(ctx, &Table{Schema: "public", Name: "u", Type: Shared, Columns: cols, Indexes: bad}, false); err == nil {
			t.Fatalf("indexes %+v: no error", bad)
		}
	}
}
