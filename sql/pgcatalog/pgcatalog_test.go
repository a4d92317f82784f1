package pgcatalog

import (
	"context"
	"log/slog"
	"testing"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/types"
)

// testView returns a view over a catalog holding schema chat with table
// rooms (primary key id, an index on name) and user alice.
func testView(t *testing.T) *View {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	store, err := hotstore.Open("", hotstore.Options{InMemory: true, Durability: hotstore.Async, Logger: log})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	cat, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatalf("open catalog: %v", err)
	}
	if err := cat.CreateSchema(ctx, "chat", false); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	tb := &catalog.Table{Schema: "chat", Name: "rooms", Type: catalog.Shared, Columns: []catalog.Column{
		{Name: "id", Type: types.Of(types.Int8), NotNull: true},
		{Name: "name", Type: types.Type{OID: types.Varchar, Mod: 24}, Default: "'x'"},
		{Name: "tags", Type: types.Of(types.TextArray)},
	}, PrimaryKey: []int{0}}
	if _, _, err := cat.CreateTable(ctx, tb, false); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, _, _, err := cat.CreateIndex(ctx, "chat", "rooms", catalog.Index{Name: "rooms_name", Columns: []uint32{2}}, false); err != nil {
		t.Fatalf("create index: %v", err)
	}
	if _, err := cat.CreateView(ctx, catalog.View{Schema: "chat", Name: "titles", Query: "SELECT name FROM chat.rooms"}, false); err != nil {
		t.Fatalf("create view: %v", err)
	}
	if err := cat.CreateUser(ctx, catalog.UserInfo{Name: "alice", Role: auth.RoleUser}); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return &View{Catalog: cat, User: "root", Database: "kalamdb", SearchPath: []string{"public"}, PID: 7,
		Settings: func() []Setting { return []Setting{{Name: "TimeZone", Value: "UTC"}} },
		Activity: func() []Activity { return []Activity{{PID: 7, User: "root", State: "active"}} }}
}

// Every relation's rows must match its column list, or the planner reads
// past a row.
func TestRowsMatchColumns(t *testing.T) {
	v := testView(t)
	for _, schema := range []string{PGCatalog, InformationSchema} {
		for _, r := range relations(schema) {
			for i, row := range r.Rows(v) {
				if len(row) != len(r.Columns) {
					t.Fatalf("%s.%s row %d: %d values, %d columns", schema, r.Name, i, len(row), len(r.Columns))
				}
			}
		}
	}
}

// find returns the rows of rel whose column col equals want.
func find(t *testing.T, v *View, rel, col string, want any) [][]any {
	t.Helper()
	r, ok := Lookup("", rel)
	if !ok {
		r, ok = Lookup(InformationSchema, rel)
	}
	if !ok {
		t.Fatalf("no relation %s", rel)
	}
	idx := -1
	for i, c := range r.Columns {
		if c.Name == col {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("%s has no column %s", rel, col)
	}
	var out [][]any
	for _, row := range r.Rows(v) {
		if row[idx] == want {
			out = append(out, row)
		}
	}
	return out
}

func TestCatalogObjects(t *testing.T) {
	v := testView(t)
	tb, _ := v.Catalog.Table("chat", "rooms")
	tests := []struct {
		rel, col string
		val      any
		want     int
	}{
		{"pg_class", "relname", "rooms", 1},
		{"pg_class", "relname", "rooms_pkey", 1},
		{"pg_class", "relname", "rooms_name", 1},
		{"pg_class", "relname", "pg_class", 1},
		{"pg_class", "relname", "titles", 1},
		{"pg_views", "viewname", "titles", 1},
		{"views", "table_name", "titles", 1},
		{"pg_namespace", "nspname", "chat", 1},
		{"pg_attribute", "attrelid", int64(tb.ID), 3}, // no _seq, no _deleted
		{"pg_attribute", "attname", "_seq", 0},
		{"pg_index", "indrelid", int64(tb.ID), 2},
		{"pg_constraint", "conrelid", int64(tb.ID), 1},
		{"pg_attrdef", "adrelid", int64(tb.ID), 1},
		{"pg_type", "typname", "int8", 1},
		{"pg_type", "typname", "_int8", 1},
		{"pg_type", "typname", "rooms", 1},
		{"pg_roles", "rolname", "alice", 1},
		{"pg_user", "usename", "alice", 1},
		{"pg_auth_members", "member", int64(RoleOID("alice")), 1},
		{"pg_database", "datname", "kalamdb", 1},
		{"pg_stat_activity", "pid", int64(7), 1},
		{"pg_settings", "name", "TimeZone", 1},
		{"columns", "table_name", "rooms", 3},
		{"tables", "table_name", "rooms", 1},
		{"key_column_usage", "column_name", "id", 1},
	}
	for _, tc := range tests {
		if got := len(find(t, v, tc.rel, tc.col, tc.val)); got != tc.want {
			t.Fatalf("%s where %s = %v: got %d rows, want %d", tc.rel, tc.col, tc.val, got, tc.want)
		}
	}
	int8Type := find(t, v, "pg_type", "typname", "int8")[0]
	if int8Type[0] != int64(20) || int8Type[14] != int64(1016) {
		t.Fatalf("pg_type int8: oid %v typarray %v, want 20 1016", int8Type[0], int8Type[14])
	}
}

// pgx's LoadType of an array reads typelem and typdelim: box arrays are
// delimited by ';', and box is made of points.
func TestTypeDelimiterAndElem(t *testing.T) {
	v := testView(t)
	tests := []struct {
		name      string
		oid, elem int64
		delim     string
		cat       string
	}{
		{"box", 603, 600, ";", "G"},
		{"_box", 1020, 603, ";", "A"},
		{"point", 600, 701, ",", "G"},
		{"_int4", 1007, 23, ",", "A"},
		{"int4", 23, 0, ",", "N"},
	}
	for _, tc := range tests {
		rows := find(t, v, "pg_type", "typname", tc.name)
		if len(rows) != 1 {
			t.Fatalf("pg_type %s: %d rows, want 1", tc.name, len(rows))
		}
		r := rows[0]
		// oid, typcategory, typdelim, typelem
		if r[0] != tc.oid || r[7] != tc.cat || r[10] != tc.delim || r[13] != tc.elem {
			t.Fatalf("pg_type %s: oid %v typcategory %v typdelim %v typelem %v, want %d %s %s %d",
				tc.name, r[0], r[7], r[10], r[13], tc.oid, tc.cat, tc.delim, tc.elem)
		}
	}
}

func TestCalls(t *testing.T) {
	v := testView(t)
	tb, _ := v.Catalog.Table("chat", "rooms")
	tests := []struct {
		name string
		args []any
		want any
	}{
		{"format_type", []any{int64(1043), int64(24)}, "character varying(20)"},
		{"format_type", []any{int64(1016), int64(-1)}, "bigint[]"},
		{"format_type", []any{int64(1184), int64(-1)}, "timestamp with time zone"},
		{"format_type", []any{int64(1700), int64((10<<16 | 2) + 4)}, "numeric(10,2)"},
		{"pg_get_userbyid", []any{int64(10)}, "root"},
		{"pg_get_indexdef", []any{int64(pkeyOID(tb.ID))}, "CREATE UNIQUE INDEX rooms_pkey ON chat.rooms USING btree (id)"},
		{"pg_get_constraintdef", []any{int64(conOID(tb.ID))}, "PRIMARY KEY (id)"},
		{"regclassin", []any{"chat.rooms"}, int64(tb.ID)},
		{"regclassin", []any{"pg_class"}, int64(1259)},
		{"regclassout", []any{int64(tb.ID)}, "chat.rooms"}, // chat is not on the search path
		{"regclassout", []any{int64(1259)}, "pg_class"},
		{"regtypein", []any{"integer"}, int64(23)},
		{"regtypeout", []any{int64(25)}, "text"},
		{"regnamespacein", []any{"chat"}, int64(v.schemaOID("chat"))},
		{"regnamespaceout", []any{int64(11)}, "pg_catalog"},
		{"pg_table_is_visible", []any{int64(tb.ID)}, false},
		{"pg_table_is_visible", []any{int64(1259)}, true},
		{"pg_backend_pid", nil, int64(7)},
	}
	for _, tc := range tests {
		got, err := v.Call(tc.name, tc.args)
		if err != nil {
			t.Fatalf("%s%v: %v", tc.name, tc.args, err)
		}
		if got != tc.want {
			t.Fatalf("%s%v = %#v, want %#v", tc.name, tc.args, got, tc.want)
		}
	}
	if _, err := v.Call("regclassin", []any{"nosuch"}); err == nil {
		t.Fatalf("regclassin(nosuch): no error")
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", "Abc": `"Abc"`, "a b": `"a b"`, "user": `"user"`,
		`a"b`: `"a""b"`, "x1": "x1", "1x": `"1x"`} {
		if got := QuoteIdent(in); got != want {
			t.Fatalf("QuoteIdent(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitQualified(t *testing.T) {
	for in, want := range map[string][]string{"a.b": {"a", "b"}, `"A.b".c`: {"A.b", "c"}, "T": {"t"}, `s."T"`: {"s", "T"}} {
		got := splitQualified(in)
		if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Fatalf("splitQualified(%q) = %q, want %q", in, got, want)
		}
	}
}
