package integration

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestPgxCompatIdentityAndUnique: identity values survive a restart
// without reuse, and UNIQUE constraints (with their indexes) too, failing
// with PostgreSQL's message and detail over the wire.
func TestPgxCompatIdentityAndUnique(t *testing.T) {
	dir := t.TempDir()
	ks := startServer(t, dir)
	root := ks.root(t)
	mustExec(t, root,
		`CREATE TABLE items (id int PRIMARY KEY GENERATED ALWAYS AS IDENTITY, sku text UNIQUE, name text)`,
		`INSERT INTO items (sku, name) VALUES ('a', 'x'), ('b', 'y')`)
	wantRows(t, root, `SELECT id, sku FROM items ORDER BY id`, "1|a", "2|b")
	root.Close(context.Background())
	if err := ks.shutdown(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	ks = startServer(t, dir)
	root = ks.root(t)
	mustExec(t, root, `INSERT INTO items (sku, name) VALUES ('c', 'z')`)
	// The new value is past every value handed out before the restart.
	wantRows(t, root, `SELECT count(*) FROM items WHERE id > 2 AND sku = 'c'`, "1")
	_, err := root.Exec(context.Background(), `INSERT INTO items (sku) VALUES ('a')`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Fatalf("duplicate sku: %v, want 23505", err)
	}
	if pe.Message != `duplicate key value violates unique constraint "items_sku_key"` || pe.Detail != "Key (sku)=(a) already exists." || pe.ConstraintName != "" && pe.ConstraintName != "items_sku_key" {
		t.Fatalf("duplicate sku: message %q, detail %q", pe.Message, pe.Detail)
	}
	execCode(t, root, "428C9", `INSERT INTO items (id, sku) VALUES (100, 'd')`)
}

// TestPgxCompatPreparedStatementsView: pg_prepared_statements lists the
// connection's named protocol-level statements.
func TestPgxCompatPreparedStatementsView(t *testing.T) {
	ks := startServer(t, "")
	root := ks.root(t)
	ctx := context.Background()
	if _, err := root.Prepare(ctx, "ps_one", "select $1::int + 1"); err != nil {
		t.Fatal(err)
	}
	wantRows(t, root, `SELECT name, statement, cardinality(parameter_types), from_sql FROM pg_prepared_statements WHERE name = 'ps_one'`,
		"ps_one|select $1::int + 1|1|f")
	if err := root.Deallocate(ctx, "ps_one"); err != nil {
		t.Fatal(err)
	}
	wantRows(t, root, `SELECT count(*) FROM pg_prepared_statements WHERE name = 'ps_one'`, "0")
}
