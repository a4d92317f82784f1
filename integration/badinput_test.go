package integration

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// badInputFixture is a server with committed data and a bystander
// connection that must be unaffected by whatever a test throws at it.
type badInputFixture struct {
	ks        *kserver
	bystander *pgx.Conn
}

func newBadInputFixture(t *testing.T) *badInputFixture {
	t.Helper()
	ks := startServer(t, "")
	conn := ks.root(t)
	mustExec(t, conn, `CREATE TABLE kept (id bigint PRIMARY KEY, body text NOT NULL)`,
		`INSERT INTO kept VALUES (1, 'one'), (2, 'two'), (3, 'three')`)
	return &badInputFixture{ks: ks, bystander: conn}
}

// checkIntact: the bystander still works, committed rows are unchanged,
// and new connections are accepted.
func (f *badInputFixture) checkIntact(t *testing.T) {
	t.Helper()
	wantRows(t, f.bystander, `SELECT id, body FROM kept ORDER BY id`, "1|one", "2|two", "3|three")
	fresh := f.ks.root(t)
	wantRows(t, fresh, `SELECT count(*) FROM kept`, "3")
	fresh.Close(context.Background())
}

// readUntilClosed reads what the server sends until it closes the
// connection; it fails if the server neither closes nor errors in time.
func readUntilClosed(t *testing.T, c net.Conn) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	data, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("server kept the connection open after bad input (read %q)", data)
	}
	return data
}

func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestGarbageBytes: bytes that are not a startup packet end the
// connection; nobody else notices.
func TestGarbageBytes(t *testing.T) {
	f := newBadInputFixture(t)
	inputs := map[string][]byte{
		"http":          []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		"random":        {0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x42, 0x42, 0x42, 0x42},
		"short length":  {0, 0, 0, 2, 0, 3, 0, 0},
		"bad protocol":  {0, 0, 0, 8, 0, 9, 0, 9},
		"no terminator": append([]byte{0, 0, 0, 16, 0, 3, 0, 0}, []byte("useruser")...), // parameters without NULs
		"truncated":     {0, 0, 0, 40, 0, 3, 0, 0, 'u'},                                 // then EOF mid-packet
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			c := dialRaw(t, f.ks.PGAddr())
			if _, err := c.Write(in); err != nil {
				t.Fatalf("write: %v", err)
			}
			if name == "truncated" {
				c.(*net.TCPConn).CloseWrite()
			}
			readUntilClosed(t, c)
			f.checkIntact(t)
		})
	}
	// Garbage after a valid login: an unknown message type.
	pc := hijackedRoot(t, f.ks)
	pc.Conn.Write([]byte{'@', 0, 0, 0, 8, 1, 2, 3, 4})
	if msg := readUntilClosed(t, pc.Conn); len(msg) > 0 && msg[0] != 'E' {
		t.Fatalf("unknown message type: got %q, want an ErrorResponse or nothing", msg)
	}
	f.checkIntact(t)
}

// hijackedRoot logs in as root with pgconn and takes over the socket.
func hijackedRoot(t *testing.T, ks *kserver) *pgconn.HijackedConn {
	t.Helper()
	ctx, cancel := ctxT()
	defer cancel()
	pc, err := pgconn.Connect(ctx, ks.dsn("root", ""))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	hc, err := pc.Hijack()
	if err != nil {
		t.Fatalf("hijack: %v", err)
	}
	t.Cleanup(func() { hc.Conn.Close() })
	return hc
}

// TestOversizedMessages: length headers claiming huge messages are
// refused without the server trying to read (or allocate) them.
func TestOversizedMessages(t *testing.T) {
	f := newBadInputFixture(t)

	t.Run("startup 1GB", func(t *testing.T) {
		c := dialRaw(t, f.ks.PGAddr())
		var hdr [8]byte
		binary.BigEndian.PutUint32(hdr[:4], 1<<30)
		binary.BigEndian.PutUint32(hdr[4:], 3<<16)
		c.Write(hdr[:])
		c.Write([]byte("user\x00root\x00"))
		readUntilClosed(t, c)
		f.checkIntact(t)
	})
	t.Run("query 100MB", func(t *testing.T) {
		hc := hijackedRoot(t, f.ks)
		var hdr [5]byte
		hdr[0] = 'Q'
		binary.BigEndian.PutUint32(hdr[1:], 100<<20)
		hc.Conn.Write(hdr[:])
		hc.Conn.Write([]byte("SELECT 1"))
		msg := readUntilClosed(t, hc.Conn)
		if len(msg) > 0 && msg[0] != 'E' {
			t.Fatalf("oversized Query: got %q, want an ErrorResponse or a close", msg)
		}
		f.checkIntact(t)
	})
	t.Run("bind 100MB", func(t *testing.T) {
		hc := hijackedRoot(t, f.ks)
		var hdr [5]byte
		hdr[0] = 'B'
		binary.BigEndian.PutUint32(hdr[1:], 100<<20)
		hc.Conn.Write(hdr[:])
		readUntilClosed(t, hc.Conn)
		f.checkIntact(t)
	})
}

// TestInvalidUTF8: invalid UTF-8 in a query is 22021 over both protocols,
// and the session stays usable.
func TestInvalidUTF8(t *testing.T) {
	f := newBadInputFixture(t)
	conn := f.ks.root(t)
	pc := conn.PgConn()
	ctx := context.Background()
	bad := []string{
		"SELECT 'caf\xe9'",
		"INSERT INTO kept VALUES (9, '\xff\xfe')",
		"SELECT '\xc3'",             // truncated sequence
		"SELECT '\xed\xa0\x80'",     // a UTF-16 surrogate
		"SELECT '\xc0\xaf' AS over", // an overlong encoding
	}
	for _, q := range bad {
		_, err := pc.Exec(ctx, q).ReadAll()
		wantCode(t, "simple "+q, err, "22021")
		wantRows(t, conn, `SELECT 'ok'`, "ok")

		err = pc.ExecParams(ctx, q, nil, nil, nil, nil).Read().Err
		wantCode(t, "extended "+q, err, "22021")
		wantRows(t, conn, `SELECT 'ok'`, "ok")
	}
	// Invalid UTF-8 in a text parameter value.
	mustExec(t, conn, `CREATE TABLE utf (id bigint PRIMARY KEY, body text)`)
	res := pc.ExecParams(ctx, `INSERT INTO utf VALUES (1, $1)`, [][]byte{[]byte("bad \xff")}, []uint32{25}, nil, nil).Read()
	wantCode(t, "text parameter with invalid UTF-8", res.Err, "22021")
	wantRows(t, conn, `SELECT count(*) FROM utf`, "0")
	// Valid multibyte text still works.
	mustExec(t, conn, `INSERT INTO utf VALUES (2, 'naïve 日本 🎉')`)
	wantRows(t, conn, `SELECT body FROM utf`, "naïve 日本 🎉")
	f.checkIntact(t)
}

// TestManyInvalidStatements: 1,000 failing statements in one session each
// get an error; the session, and the server, still work afterwards.
func TestManyInvalidStatements(t *testing.T) {
	f := newBadInputFixture(t)
	conn := f.ks.root(t)
	extended := f.ks.root(t)
	pc := conn.PgConn()
	ctx := context.Background()
	templates := []struct{ sql, code string }{
		{"SELEC %d", "42601"},
		{"SELECT * FROM nosuch_%d", "42P01"},
		{"SELECT nosuch_%d FROM kept", "42703"},
		{"INSERT INTO kept VALUES (1, 'dup %d')", "23505"},
		{"INSERT INTO kept (id) VALUES (%d)", "23502"},
		{"SELECT 'x%d'::integer", "22P02"},
		{"SELECT %d / 0", "22012"},
		{"CREATE TABLE kept (id_%d bigint PRIMARY KEY)", "42P07"},
		{"SET no_such_param_%d = 1", "42704"},
		{"SELECT (((%d", "42601"},
	}
	for i := 0; i < 1000; i++ {
		tp := templates[i%len(templates)]
		q := strings.Replace(tp.sql, "%d", itoa(int64(i)), 1)
		if i%4 == 3 { // a quarter over the extended protocol
			err := extended.PgConn().ExecParams(ctx, q, nil, nil, nil, nil).Read().Err
			if sqlState(err) != tp.code {
				t.Fatalf("statement %d %q: %v, want SQLSTATE %s", i, q, err, tp.code)
			}
			continue
		}
		_, err := pc.Exec(ctx, q).ReadAll()
		if sqlState(err) != tp.code {
			t.Fatalf("statement %d %q: %v, want SQLSTATE %s", i, q, err, tp.code)
		}
	}
	wantRows(t, conn, `SELECT count(*) FROM kept`, "3")
	wantRows(t, extended, `SELECT count(*) FROM kept`, "3")
	mustExec(t, conn, `INSERT INTO kept VALUES (4, 'four')`, `DELETE FROM kept WHERE id = 4`)
	f.checkIntact(t)
	// The failures left no transaction open.
	if st := pc.TxStatus(); st != 'I' {
		t.Fatalf("TxStatus = %c, want I", st)
	}
}
