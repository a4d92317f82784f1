package catalog

import (
	"context"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

func TestIndexes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := openStore(t, dir)
	c, err := Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	tbl := &Table{Schema: "public", Name: "m", Type: User,
		Columns:    []Column{{Name: "id", Type: types.Of(types.Int8)}, {Name: "conv", Type: types.Of(types.Text)}},
		PrimaryKey: []int{0}}
	if _, _, err := c.CreateTable(ctx, tbl, false); err != nil {
		t.Fatal(err)
	}
	_, ix, created, err := c.CreateIndex(ctx, "public", "m", Index{Name: "m_conv", Columns: []uint32{2, 1}, Unique: true}, false)
	if err != nil || !created || ix.ID == 0 {
		t.Fatalf("CreateIndex = %+v, %v, %v", ix, created, err)
	}
	cases := []struct {
		name, table string
		ifNot       bool
		code        string
	}{
		{"m_conv", "m", false, pgerr.DuplicateTable},
		{"m", "m", false, pgerr.DuplicateTable}, // a table's name
		{"m_conv", "m", true, ""},
		{"x", "nosuch", false, pgerr.UndefinedTable},
	}
	for _, tc := range cases {
		_, _, created, err := c.CreateIndex(ctx, "public", tc.table, Index{Name: tc.name, Columns: []uint32{1}}, tc.ifNot)
		if pgerr.Code(err) != tc.code && !(tc.code == "" && err == nil) || created {
			t.Fatalf("CreateIndex %s on %s: created=%v err=%v, want %q", tc.name, tc.table, created, err, tc.code)
		}
	}
	if _, _, err := c.CreateTable(ctx, &Table{Schema: "public", Name: "m_conv", Type: Shared}, false); pgerr.Code(err) != pgerr.DuplicateTable {
		t.Fatalf("table named like an index: %v", err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store = openStore(t, dir)
	defer store.Close()
	if c, err = Open(ctx, store); err != nil {
		t.Fatal(err)
	}
	got, gotIx, ok := c.FindIndex("public", "m_conv")
	if !ok || got.Name != "m" || gotIx.ID != ix.ID || !gotIx.Unique || len(gotIx.Columns) != 2 || gotIx.Columns[0] != 2 {
		t.Fatalf("after reload: %+v %+v %v", got, gotIx, ok)
	}
	if dropped, err := c.DropIndex(ctx, "public", "m_conv", false); err != nil || dropped.ID != ix.ID {
		t.Fatalf("DropIndex = %+v, %v", dropped, err)
	}
	if _, err := c.DropIndex(ctx, "public", "m_conv", false); pgerr.Code(err) != pgerr.UndefinedObject {
		t.Fatalf("second DropIndex: %v", err)
	}
	if dropped, err := c.DropIndex(ctx, "public", "m_conv", true); err != nil || dropped != nil {
		t.Fatalf("DropIndex IF EXISTS = %v, %v", dropped, err)
	}
	if tb, _ := c.Table("public", "m"); len(tb.Indexes) != 0 {
		t.Fatalf("index still listed: %+v", tb.Indexes)
	}
}
