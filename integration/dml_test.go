package integration

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestDML drives INSERT/UPDATE/DELETE/SELECT through pgx's extended
// protocol with binary results.
func TestDML(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)
	ctx := context.Background()
	mustExec(t, conn, `CREATE TABLE notes (id bigint PRIMARY KEY, author text NOT NULL, body text, stars integer DEFAULT 0)`)

	// Multi-row insert with DEFAULT and RETURNING, including _seq.
	rows, err := conn.Query(ctx, `INSERT INTO notes (id, author, body, stars) VALUES
		(1, 'ann', 'hello', 5), (2, 'bob', 'hi', DEFAULT), (3, 'ann', NULL, 2)
		RETURNING id, stars, _seq`)
	if err != nil {
		t.Fatalf("insert returning: %v", err)
	}
	var seqs []int64
	var got []string
	for rows.Next() {
		var id, seq int64
		var stars int32
		if err := rows.Scan(&id, &stars, &seq); err != nil {
			t.Fatalf("scan returning: %v", err)
		}
		got = append(got, fmt.Sprintf("%d:%d", id, stars))
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("insert returning: %v", err)
	}
	if rows.CommandTag().String() != "INSERT 0 3" {
		t.Fatalf("insert tag = %q, want INSERT 0 3", rows.CommandTag())
	}
	if want := []string{"1:5", "2:0", "3:2"}; !slices.Equal(got, want) {
		t.Fatalf("RETURNING rows = %v, want %v", got, want)
	}
	for i, s := range seqs {
		if s <= 0 || (i > 0 && s == seqs[i-1]) {
			t.Fatalf("RETURNING _seq = %v: want positive and unique", seqs)
		}
	}
	var seq4 int64
	if err := conn.QueryRow(ctx, `INSERT INTO notes (id, author) VALUES ($1, $2) RETURNING _seq`, 4, "cy").Scan(&seq4); err != nil {
		t.Fatalf("insert 4: %v", err)
	}
	if seq4 <= slices.Max(seqs) {
		t.Fatalf("_seq of a later commit %d <= earlier %v", seq4, seqs)
	}

	// Hidden columns: absent from *, present when named.
	rows, err = conn.Query(ctx, `SELECT * FROM notes WHERE id = 1`)
	if err != nil {
		t.Fatalf("select *: %v", err)
	}
	var names []string
	for _, fd := range rows.FieldDescriptions() {
		names = append(names, fd.Name)
	}
	rows.Close()
	if want := []string{"id", "author", "body", "stars"}; !slices.Equal(names, want) {
		t.Fatalf("SELECT * columns = %v, want %v", names, want)
	}
	var s1 int64
	var deleted bool
	if err := conn.QueryRow(ctx, `SELECT _seq, _deleted FROM notes WHERE id = 1`).Scan(&s1, &deleted); err != nil {
		t.Fatalf("select _seq: %v", err)
	}
	if s1 != seqs[0] || deleted {
		t.Fatalf("_seq, _deleted = %d, %v; want %d, false", s1, deleted, seqs[0])
	}

	// SELECT: WHERE, ORDER BY, LIMIT/OFFSET, count(*), parameters.
	mustExec(t, conn, `INSERT INTO notes (id, author, body, stars) VALUES (5, 'dee', 'yo', 9), (6, 'ann', 'bye', 1)`)
	queries := []struct {
		sql  string
		args []any
		want []string
	}{
		{`SELECT id FROM notes WHERE author = $1 ORDER BY id`, []any{"ann"}, []string{"1", "3", "6"}},
		{`SELECT id FROM notes WHERE stars > $1 AND body IS NOT NULL ORDER BY stars DESC`, []any{1}, []string{"5", "1"}},
		{`SELECT id FROM notes ORDER BY id LIMIT 2 OFFSET 3`, nil, []string{"4", "5"}},
		{`SELECT id FROM notes ORDER BY author DESC, id LIMIT $1`, []any{3}, []string{"5", "4", "2"}},
		{`SELECT count(*) FROM notes`, nil, []string{"6"}},
		{`SELECT count(*) FROM notes WHERE author IN ('ann', 'bob') OR stars BETWEEN 8 AND 10`, nil, []string{"5"}},
		{`SELECT id FROM notes WHERE body LIKE 'h%' ORDER BY id`, nil, []string{"1", "2"}},
		{`SELECT id FROM notes WHERE NOT (stars >= 1) ORDER BY id`, nil, []string{"2", "4"}},
		{`SELECT id * 10 + stars FROM notes WHERE id = $1`, []any{int64(5)}, []string{"59"}},
	}
	for _, q := range queries {
		if got := columnStrings(t, conn, q.sql, q.args...); !slices.Equal(got, q.want) {
			t.Fatalf("%s %v = %v, want %v", q.sql, q.args, got, q.want)
		}
	}

	// UPDATE and DELETE with WHERE and RETURNING.
	rows, err = conn.Query(ctx, `UPDATE notes SET stars = stars + 1, body = 'edited' WHERE author = $1 RETURNING id, stars`, "ann")
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	got = nil
	for rows.Next() {
		var id int64
		var stars int32
		if err := rows.Scan(&id, &stars); err != nil {
			t.Fatalf("scan update: %v", err)
		}
		got = append(got, fmt.Sprintf("%d:%d", id, stars))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("update: %v", err)
	}
	slices.Sort(got)
	if want := []string{"1:6", "3:3", "6:2"}; !slices.Equal(got, want) || rows.CommandTag().String() != "UPDATE 3" {
		t.Fatalf("UPDATE RETURNING = %v tag %q, want %v UPDATE 3", got, rows.CommandTag(), want)
	}
	var seqAfter int64
	if err := conn.QueryRow(ctx, `SELECT _seq FROM notes WHERE id = 1`).Scan(&seqAfter); err != nil {
		t.Fatalf("seq after update: %v", err)
	}
	if seqAfter <= seq4 {
		t.Fatalf("_seq after update %d, want > %d", seqAfter, seq4)
	}
	if tag := execTag(t, conn, `UPDATE notes SET body = 'none' WHERE id = 999`); tag != "UPDATE 0" {
		t.Fatalf("update nothing tag = %q", tag)
	}
	var delBody string
	if err := conn.QueryRow(ctx, `DELETE FROM notes WHERE id = $1 RETURNING body`, 2).Scan(&delBody); err != nil || delBody != "hi" {
		t.Fatalf("DELETE RETURNING body = %q, %v; want hi", delBody, err)
	}
	if tag := execTag(t, conn, `DELETE FROM notes WHERE stars < 2`); tag != "DELETE 1" {
		t.Fatalf("delete tag = %q, want DELETE 1 (row 4)", tag)
	}
	wantRows(t, conn, `SELECT id, author, body, stars FROM notes ORDER BY id`,
		"1|ann|edited|6", "3|ann|edited|3", "5|dee|yo|9", "6|ann|edited|2")
	execCode(t, conn, "23505", `UPDATE notes SET id = 3 WHERE id = 1`)
	execCode(t, conn, "23502", `UPDATE notes SET author = NULL WHERE id = 1`)

	// Prepared statements, reused.
	if _, err := conn.Prepare(ctx, "ins", `INSERT INTO notes (id, author, stars) VALUES ($1, $2, $3)`); err != nil {
		t.Fatalf("prepare: %v", err)
	}
	for i := int64(10); i < 20; i++ {
		if _, err := conn.Exec(ctx, "ins", i, fmt.Sprintf("p%d", i), int32(i)); err != nil {
			t.Fatalf("exec prepared %d: %v", i, err)
		}
	}
	sd, err := conn.Prepare(ctx, "sum", `SELECT count(*) FROM notes WHERE stars >= $1`)
	if err != nil {
		t.Fatalf("prepare select: %v", err)
	}
	if len(sd.ParamOIDs) != 1 || sd.ParamOIDs[0] != 23 {
		t.Fatalf("param OIDs = %v, want [23] (integer)", sd.ParamOIDs)
	}
	var cnt int64
	if err := conn.QueryRow(ctx, "sum", int32(15)).Scan(&cnt); err != nil || cnt != 5 {
		t.Fatalf("prepared count = %d, %v; want 5", cnt, err)
	}

	// A batch mixing writes and reads; one pipeline, results in order.
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO notes (id, author) VALUES ($1, $2)`, int64(30), "batch")
	b.Queue(`INSERT INTO notes (id, author) VALUES ($1, $2)`, int64(31), "batch")
	b.Queue(`UPDATE notes SET stars = 42 WHERE author = $1`, "batch")
	b.Queue(`SELECT count(*) FROM notes WHERE stars = $1`, int32(42))
	br := conn.SendBatch(ctx, b)
	for i := 0; i < 3; i++ {
		if _, err := br.Exec(); err != nil {
			t.Fatalf("batch exec %d: %v", i, err)
		}
	}
	if err := br.QueryRow().Scan(&cnt); err != nil || cnt != 2 {
		t.Fatalf("batch count = %d, %v; want 2", cnt, err)
	}
	if err := br.Close(); err != nil {
		t.Fatalf("batch close: %v", err)
	}
	// A failing batch statement reports its own error.
	b = &pgx.Batch{}
	b.Queue(`INSERT INTO notes (id, author) VALUES (40, 'x')`)
	b.Queue(`INSERT INTO notes (id, author) VALUES (40, 'x')`)
	br = conn.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatalf("batch first: %v", err)
	}
	_, err = br.Exec()
	wantCode(t, "duplicate in batch", err, "23505")
	br.Close()
	// The batch is one pipeline with one Sync: an implicit transaction, so
	// the failure also discards row 40, as in PostgreSQL.
	wantRows(t, conn, `SELECT count(*) FROM notes`, "16")
}

// columnStrings runs a query (extended protocol) and returns its first
// column as text.
func columnStrings(t testing.TB, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	ctx, cancel := ctxT()
	defer cancel()
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out = append(out, fmt.Sprint(vals[0]))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}
