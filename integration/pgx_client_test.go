package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestPgxClient runs the client scenario with pgx: the extended protocol
// (cached statements), a pipelined batch, a JWT login, LISTEN/NOTIFY and
// result metadata.
func TestPgxClient(t *testing.T) {
	e := startClientServer(t)
	dsn := func(password string) string { return dsnFor(e.ks.PGAddr(), clientUser, password) }
	conn := connect(t, dsn(clientPassword))
	jconn := connect(t, dsn(e.token))
	wantRows(t, jconn, `SELECT current_user`, clientUser)
	ctx, cancel := ctxT()
	defer cancel()

	mustExec(t, conn, `CREATE TABLE pgx_all (id bigint PRIMARY KEY, i integer, s smallint, ok boolean,
		f double precision, r real, n numeric, t text, v varchar(10), b bytea, j json, jb jsonb,
		u uuid, ts timestamp, tz timestamptz, d date)`)
	ins := `INSERT INTO pgx_all VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	num := pgtype.Numeric{}
	if err := num.Scan("12345.678900"); err != nil {
		t.Fatal(err)
	}
	u := [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	batch := &pgx.Batch{}
	batch.Queue(ins, int64(1), int32(42), int16(7), true, 3.5, float32(1.25), num, "héllo", "short",
		[]byte{0, 1, 255}, map[string]any{"a": []int{1, 2}}, map[string]any{"k": "v"}, u, ts, ts, ts)
	batch.Queue(ins, int64(2), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)
	batch.Queue(`SELECT count(*) FROM pgx_all`)
	br := conn.SendBatch(ctx, batch)
	for k := range 2 {
		if _, err := br.Exec(); err != nil {
			t.Fatalf("batch insert %d: %v", k, err)
		}
	}
	var cnt int64
	if err := br.QueryRow().Scan(&cnt); err != nil || cnt != 2 {
		t.Fatalf("batch count: %d, %v", cnt, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}

	var (
		i32          int32
		i16          int16
		ok           bool
		f            float64
		r            float32
		n            pgtype.Numeric
		s, v         string
		b            []byte
		j, jb        map[string]any
		gu           [16]byte
		gts, gtz, gd time.Time
	)
	if err := conn.QueryRow(ctx, `SELECT i, s, ok, f, r, n, t, v, b, j, jb, u, ts, tz, d FROM pgx_all WHERE id = $1`, 1).
		Scan(&i32, &i16, &ok, &f, &r, &n, &s, &v, &b, &j, &jb, &gu, &gts, &gtz, &gd); err != nil {
		t.Fatalf("select: %v", err)
	}
	nv, _ := n.Value()
	got := fmt.Sprint(i32, " ", i16, " ", ok, " ", f, " ", r, " ", nv, " ", s, " ", v, " ", b, " ", j, " ", jb, " ", gu == u, " ",
		gts.Format(time.RFC3339Nano), " ", gtz.UTC().Format(time.RFC3339Nano), " ", gd.Format(time.DateOnly))
	want := "42 7 true 3.5 1.25 12345.678900 héllo short [0 1 255] map[a:[1 2]] map[k:v] true 2024-01-02T03:04:05.123456Z 2024-01-02T03:04:05.123456Z 2024-01-02"
	if got != want {
		t.Fatalf("read back\n got %s\nwant %s", got, want)
	}
	vals := make([]any, 15)
	rows, err := conn.Query(ctx, `SELECT i, s, ok, f, r, n, t, v, b, j, jb, u, ts, tz, d FROM pgx_all WHERE id = $1`, 2)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		if vals, err = rows.Values(); err != nil {
			t.Fatal(err)
		}
	}
	fds := rows.FieldDescriptions()
	rows.Close()
	for k, x := range vals {
		if x != nil {
			t.Fatalf("column %d = %v, want NULL", k, x)
		}
	}
	// Metadata: the column types as PostgreSQL's OIDs.
	wantOIDs := []uint32{23, 21, 16, 701, 700, 1700, 25, 1043, 17, 114, 3802, 2950, 1114, 1184, 1082}
	for k, fd := range fds {
		if fd.DataTypeOID != wantOIDs[k] {
			t.Fatalf("column %s OID %d, want %d", fd.Name, fd.DataTypeOID, wantOIDs[k])
		}
	}

	// A failing transaction rolls back.
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pgx_all (id) VALUES ($1)`, 3); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO pgx_all (id) VALUES ($1)`, 1)
	wantCode(t, "duplicate", err, "23505")
	tx.Rollback(ctx)
	wantRows(t, conn, `SELECT count(*) FROM pgx_all WHERE id = 3`, "0")
	// A failing batch rolls back as a whole.
	batch = &pgx.Batch{}
	batch.Queue(`INSERT INTO pgx_all (id) VALUES (4)`)
	batch.Queue(`INSERT INTO pgx_all (id) VALUES (1)`)
	err = conn.SendBatch(ctx, batch).Close()
	wantCode(t, "batch duplicate", err, "23505")
	wantRows(t, conn, `SELECT count(*) FROM pgx_all WHERE id = 4`, "0")

	// LISTEN/NOTIFY.
	mustExec(t, conn, `LISTEN pgx_chan`)
	mustExec(t, jconn, `NOTIFY pgx_chan, 'hello'`)
	nt, err := conn.WaitForNotification(ctx)
	if err != nil || nt.Channel != "pgx_chan" || nt.Payload != "hello" {
		t.Fatalf("notification %+v, %v", nt, err)
	}
	wantRows(t, conn, `SELECT column_name FROM information_schema.columns WHERE table_name = 'pgx_all' AND data_type = 'uuid'`, "u")
}
