package integration

import (
	"context"
	dbsql "database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"
)

// TestLibPQ runs the client scenario with lib/pq through database/sql,
// over plain TCP and over TLS (sslmode=require).
func TestLibPQ(t *testing.T) {
	e := startClientServer(t)
	for i, mode := range []string{"disable", "require"} {
		dsn := func(password string) string {
			return fmt.Sprintf("host=%s port=%s user=%s password='%s' dbname=kalamdb sslmode=%s",
				e.host, e.port, clientUser, password, mode)
		}
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		db, err := dbsql.Open("postgres", dsn(clientPassword))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		jdb, err := dbsql.Open("postgres", dsn(e.token))
		if err != nil {
			t.Fatal(err)
		}
		defer jdb.Close()
		var who string
		if err := jdb.QueryRowContext(ctx, `SELECT current_user`).Scan(&who); err != nil || who != clientUser {
			t.Fatalf("%s: JWT login: %q, %v", mode, who, err)
		}
		// With sslmode=require lib/pq refuses a server that answers the
		// SSLRequest with 'N', so the queries above already ran over TLS.

		table := fmt.Sprintf("pq_all%d", i)
		if _, err := db.ExecContext(ctx, `CREATE TABLE `+table+` (id bigint PRIMARY KEY, i integer, s smallint, ok boolean,
			f double precision, r real, n numeric, t text, v varchar(10), b bytea, j json, jb jsonb,
			u uuid, ts timestamp, tz timestamptz, d date)`); err != nil {
			t.Fatalf("%s: create: %v", mode, err)
		}
		ins := `INSERT INTO ` + table + ` VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`
		ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
		if _, err := db.ExecContext(ctx, ins, 1, 42, 7, true, 3.5, 1.25, "12345.678900", "héllo", "short",
			[]byte{0, 1, 255}, `{"a": [1, 2]}`, `{"k": "v"}`, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", ts, ts, ts); err != nil {
			t.Fatalf("%s: insert: %v", mode, err)
		}
		nulls := make([]any, 16)
		nulls[0] = 2
		if _, err := db.ExecContext(ctx, ins, nulls...); err != nil {
			t.Fatalf("%s: insert NULLs: %v", mode, err)
		}
		var (
			i32, i16     int64
			ok           bool
			f, r         float64
			n, s, v, j   string
			jb, u        string
			b            []byte
			gts, gtz, gd time.Time
		)
		if err := db.QueryRowContext(ctx, `SELECT i, s, ok, f, r, n, t, v, b, j, jb, u, ts, tz, d FROM `+table+` WHERE id = $1`, 1).
			Scan(&i32, &i16, &ok, &f, &r, &n, &s, &v, &b, &j, &jb, &u, &gts, &gtz, &gd); err != nil {
			t.Fatalf("%s: select: %v", mode, err)
		}
		got := fmt.Sprintln(i32, i16, ok, f, r, n, s, v, b, j, jb, u, gts.UTC().Format(time.RFC3339Nano), gtz.UTC().Format(time.RFC3339Nano), gd.Format(time.DateOnly))
		got = got[:len(got)-1]
		want := `42 7 true 3.5 1.25 12345.678900 héllo short [0 1 255] {"a": [1, 2]} {"k": "v"} a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 2024-01-02T03:04:05.123456Z 2024-01-02T03:04:05.123456Z 2024-01-02`
		if got != want {
			t.Fatalf("%s: read back\n got %s\nwant %s", mode, got, want)
		}
		row := make([]any, 15)
		for k := range row {
			row[k] = new(any)
		}
		if err := db.QueryRowContext(ctx, `SELECT i, s, ok, f, r, n, t, v, b, j, jb, u, ts, tz, d FROM `+table+` WHERE id = $1`, 2).Scan(row...); err != nil {
			t.Fatalf("%s: select NULLs: %v", mode, err)
		}
		for k, p := range row {
			if *(p.(*any)) != nil {
				t.Fatalf("%s: column %d is %v, want NULL", mode, k, *(p.(*any)))
			}
		}

		// A failing transaction rolls back.
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (id) VALUES ($1)`, 3); err != nil {
			t.Fatal(err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO `+table+` (id) VALUES ($1)`, 1)
		var pe *pq.Error
		if !errors.As(err, &pe) || pe.Code != "23505" {
			t.Fatalf("%s: duplicate: %v", mode, err)
		}
		tx.Rollback()
		var cnt int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = 3`).Scan(&cnt); err != nil || cnt != 0 {
			t.Fatalf("%s: after rollback: %d, %v", mode, cnt, err)
		}

		// LISTEN/NOTIFY through pq.Listener.
		l := pq.NewListener(dsn(clientPassword), time.Second, time.Second, nil)
		defer l.Close()
		if err := l.Listen("pq_chan"); err != nil {
			t.Fatalf("%s: listen: %v", mode, err)
		}
		if _, err := jdb.ExecContext(ctx, `NOTIFY pq_chan, 'hello'`); err != nil {
			t.Fatal(err)
		}
		select {
		case nt := <-l.Notify:
			if nt == nil || nt.Channel != "pq_chan" || nt.Extra != "hello" {
				t.Fatalf("%s: notification %+v", mode, nt)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no notification", mode)
		}

		// Metadata.
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table+` WHERE false`)
		if err != nil {
			t.Fatal(err)
		}
		cts, err := rows.ColumnTypes()
		rows.Close()
		if err != nil || len(cts) != 16 || cts[12].DatabaseTypeName() != "UUID" || cts[8].DatabaseTypeName() != "VARCHAR" {
			t.Fatalf("%s: column types %v %v", mode, cts, err)
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = $1`, table).Scan(&cnt); err != nil || cnt != 16 {
			t.Fatalf("%s: information_schema.columns: %d, %v", mode, cnt, err)
		}
	}
}
