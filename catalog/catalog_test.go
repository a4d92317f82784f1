package catalog

import (
	"context"
	"log/slog"
	"testing"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

func openStore(t *testing.T, dir string) *hotstore.Store {
	t.Helper()
	s, err := hotstore.Open(dir, hotstore.Options{Durability: hotstore.Async, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return s
}

func TestPersistAndReload(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := openStore(t, dir)
	c, err := Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := c.User(RootUser); !ok || u.Role != auth.RoleSystem {
		t.Fatalf("root on first start: %+v %v", u, ok)
	}
	if err := c.CreateSchema(ctx, "chat", false); err != nil {
		t.Fatal(err)
	}
	tbl := &Table{Schema: "chat", Name: "messages", Type: User, Options: Options{FlushRows: 100},
		Columns:    []Column{{Name: "id", Type: types.Of(types.Int8)}, {Name: "body", Type: types.Of(types.Text), Default: "'x'"}},
		PrimaryKey: []int{0}}
	created, ok, err := c.CreateTable(ctx, tbl, false)
	if err != nil || !ok {
		t.Fatalf("create table: %v %v", ok, err)
	}
	if created.Columns[1].ID != 2 || created.NextColumn != 3 || created.ID < firstID {
		t.Fatalf("ids not assigned: %+v", created)
	}
	if _, _, err := c.CreateTable(ctx, tbl, false); pgerr.Code(err) != pgerr.DuplicateTable {
		t.Fatalf("duplicate table: %v", err)
	}
	if err := c.CreateUser(ctx, UserInfo{Name: "user_alice", Role: auth.RoleUser, Verifier: "v"}); err != nil {
		t.Fatal(err)
	}
	v := c.Version()
	altered, err := c.AlterTable(ctx, "chat", "messages", func(t *Table) error {
		t.Columns = append(t.Columns, Column{ID: t.NextColumn, Name: "extra", Type: types.Of(types.Bool)})
		t.NextColumn++
		return nil
	})
	if err != nil || c.Version() == v || altered == created {
		t.Fatalf("alter: %v, version %d -> %d", err, v, c.Version())
	}
	if len(created.Columns) != 2 {
		t.Fatalf("alter changed the old snapshot: %+v", created.Columns)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	store = openStore(t, dir)
	defer store.Close()
	c, err = Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := c.Table("chat", "messages")
	if !ok || got.Type != User || got.Options.FlushRows != 100 || len(got.Columns) != 3 || got.Columns[1].Default != "'x'" {
		t.Fatalf("table after reload: %+v", got)
	}
	if u, ok := c.User("user_alice"); !ok || u.Verifier != "v" {
		t.Fatalf("user after reload: %+v", u)
	}
	// New ids never reuse old ones.
	other, _, err := c.CreateTable(ctx, &Table{Schema: "public", Name: "t", Type: Shared}, false)
	if err != nil || other.ID <= got.ID {
		t.Fatalf("id after reload: %d (old %d), %v", other.ID, got.ID, err)
	}
}

func TestNamesNeverCollide(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, t.TempDir())
	defer store.Close()
	c, err := Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateUser(ctx, UserInfo{Name: "user_bob"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"schema named like a user", c.CreateSchema(ctx, "user_bob", false), pgerr.DuplicateSchema},
		{"user named like a schema", c.CreateUser(ctx, UserInfo{Name: "public"}), pgerr.ReservedName},
		{"reserved schema", c.CreateSchema(ctx, "pg_temp", false), pgerr.ReservedName},
		{"duplicate user", c.CreateUser(ctx, UserInfo{Name: "user_bob"}), pgerr.DuplicateObject},
		{"drop root", c.DropUser(ctx, RootUser, false), pgerr.ObjectInUse},
	}
	for _, tc := range cases {
		if pgerr.Code(tc.err) != tc.code {
			t.Errorf("%s: got %v, want %s", tc.name, tc.err, tc.code)
		}
	}
	if err := c.CreateSchema(ctx, "chat", false); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateUser(ctx, UserInfo{Name: "chat"}); pgerr.Code(err) != pgerr.DuplicateObject {
		t.Errorf("user named like schema chat: %v", err)
	}
	if _, _, err := c.CreateTable(ctx, &Table{Schema: "chat", Name: "m", Type: Shared}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DropSchema(ctx, "chat", false, false); pgerr.Code(err) != pgerr.DependentObjectsStillExist {
		t.Errorf("drop non-empty schema: %v", err)
	}
	dropped, err := c.DropSchema(ctx, "chat", false, true)
	if err != nil || len(dropped) != 1 {
		t.Fatalf("drop cascade: %v %v", dropped, err)
	}
	if _, ok := c.Table("chat", "m"); ok {
		t.Fatal("table survived DROP SCHEMA CASCADE")
	}
}
