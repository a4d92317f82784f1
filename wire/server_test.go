package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// connect opens a pgx connection; extra is appended to the URL's query.
func connect(t *testing.T, addr, user, password, extra string) *pgx.Conn {
	t.Helper()
	c, err := tryConnect(t, addr, user, password, extra)
	if err != nil {
		t.Fatalf("connect %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func tryConnect(t *testing.T, addr, user, password, extra string) (*pgx.Conn, error) {
	t.Helper()
	if extra == "" {
		extra = "sslmode=disable"
	}
	url := fmt.Sprintf("postgres://%s@%s/kalamdb?%s", user, addr, extra)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = password
	return pgx.ConnectConfig(testCtx(t), cfg)
}

func wantCode(t *testing.T, err error, code string) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v, want SQLSTATE %s", err, code)
	}
	if pe.Code != code {
		t.Fatalf("got SQLSTATE %s (%s), want %s", pe.Code, pe.Message, code)
	}
	return pe
}

func TestSimpleQuery(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	c := connect(t, addr, "root", "", "")
	// Read result by result: pgconn's ReadAll keeps no fields for a result
	// without rows, and a RowDescription must come even then.
	type result struct {
		fields []pgconn.FieldDescription
		rows   []string
		tag    string
	}
	var results []result
	mrr := c.PgConn().Exec(testCtx(t), "select 2; insert; select 0")
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		r := result{fields: append([]pgconn.FieldDescription(nil), rr.FieldDescriptions()...)}
		for rr.NextRow() {
			r.rows = append(r.rows, string(rr.Values()[0]))
		}
		tag, err := rr.Close()
		if err != nil {
			t.Fatal(err)
		}
		r.tag = tag.String()
		results = append(results, r)
	}
	if err := mrr.Close(); err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("got %d results, want 3", len(results))
	}
	tests := []struct {
		tag    string
		fields int
		rows   []string
	}{
		{"SELECT 2", 1, []string{"1", "2"}},
		{"INSERT 0 1", 0, nil},
		{"SELECT 0", 1, nil}, // RowDescription even without rows
	}
	for i, tt := range tests {
		r := results[i]
		if r.tag != tt.tag {
			t.Fatalf("result %d: tag %q, want %q", i, r.tag, tt.tag)
		}
		if len(r.fields) != tt.fields {
			t.Fatalf("result %d: %d fields, want %d", i, len(r.fields), tt.fields)
		}
		if strings.Join(r.rows, ",") != strings.Join(tt.rows, ",") {
			t.Fatalf("result %d: rows %q, want %q", i, r.rows, tt.rows)
		}
	}
	if f := results[0].fields[0]; f.Name != "n" || f.DataTypeOID != 20 || f.Format != 0 {
		t.Fatalf("field %+v, want n int8 text", f)
	}
}

func TestSimpleQueryErrorKeepsConnection(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	c := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	_, err := c.PgConn().Exec(ctx, "select 1; fail; select 2").ReadAll()
	pe := wantCode(t, err, pgerr.SyntaxError)
	if pe.Position != 1 {
		t.Fatalf("position %d, want 1", pe.Position)
	}
	_, err = c.PgConn().Exec(ctx, "internal").ReadAll()
	wantCode(t, err, pgerr.InternalError)
	var n int64
	if err := c.QueryRow(ctx, "select 1", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after errors: n=%d err=%v", n, err)
	}
}

func TestInvalidUTF8Query(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	c := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	_, err := c.PgConn().Exec(ctx, "select \xc3\x28").ReadAll()
	pe := wantCode(t, err, pgerr.CharacterNotInRepertoire)
	if want := `invalid byte sequence for encoding "UTF8": 0xc3 0x28`; pe.Message != want {
		t.Fatalf("message %q, want %q", pe.Message, want)
	}
	_, err = c.PgConn().Prepare(ctx, "", "echo \xff", nil)
	wantCode(t, err, pgerr.CharacterNotInRepertoire)
	// A text parameter is checked too.
	rr := c.PgConn().ExecParams(ctx, "echo $1", [][]byte{[]byte("a\xffb")}, nil, nil, nil)
	_, err = rr.Close()
	wantCode(t, err, pgerr.CharacterNotInRepertoire)
	if _, err := c.Exec(ctx, "select 1", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("connection unusable after 22021: %v", err)
	}
}

func TestPreparedStatementParams(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	c := connect(t, addr, "root", "", "")
	ctx := testCtx(t)

	// pgx prepares, then binds int8 in binary and text as text.
	var n int64
	var s string
	if err := c.QueryRow(ctx, "echo $1::int8 $2", int64(42), "héllo").Scan(&n, &s); err != nil {
		t.Fatal(err)
	}
	if n != 42 || s != "héllo" {
		t.Fatalf("got %d %q, want 42 héllo", n, s)
	}
	// NULL parameters come back NULL.
	var np *int64
	if err := c.QueryRow(ctx, "echo $1::int8", nil).Scan(&np); err != nil || np != nil {
		t.Fatalf("NULL: got %v err %v", np, err)
	}

	// Explicit formats: one text and one binary parameter, binary results.
	pc := c.PgConn()
	if _, err := pc.Prepare(ctx, "e2", "echo $1 $2", []uint32{20, 20}); err != nil {
		t.Fatal(err)
	}
	bin7 := []byte{0, 0, 0, 0, 0, 0, 0, 7}
	res := pc.ExecPrepared(ctx, "e2", [][]byte{[]byte("5"), bin7}, []int16{0, 1}, []int16{1}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Rows) != 1 || string(res.Rows[0][0]) != "\x00\x00\x00\x00\x00\x00\x00\x05" || string(res.Rows[0][1]) != string(bin7) {
		t.Fatalf("binary rows %q", res.Rows)
	}
	for _, fd := range res.FieldDescriptions {
		if fd.Format != 1 {
			t.Fatalf("field %s format %d, want 1", fd.Name, fd.Format)
		}
	}
	// Text results, one format code per column.
	res = pc.ExecPrepared(ctx, "e2", [][]byte{[]byte("5"), []byte("6")}, nil, []int16{0, 0}).Read()
	if res.Err != nil || string(res.Rows[0][0]) != "5" || string(res.Rows[0][1]) != "6" {
		t.Fatalf("text rows %q err %v", res.Rows, res.Err)
	}
	// Bad input for the parameter type.
	res = pc.ExecPrepared(ctx, "e2", [][]byte{[]byte("x"), []byte("6")}, nil, nil).Read()
	wantCode(t, res.Err, pgerr.InvalidTextRepresentation)
	// Wrong parameter count.
	res = pc.ExecPrepared(ctx, "e2", [][]byte{[]byte("5")}, nil, nil).Read()
	wantCode(t, res.Err, pgerr.ProtocolViolation)
	// Duplicate name.
	_, err := pc.Prepare(ctx, "e2", "echo $1", nil)
	wantCode(t, err, codeDuplicatePreparedStatement)
	// The connection still works.
	if err := c.QueryRow(ctx, "echo $1::int8", int64(3)).Scan(&n); err != nil || n != 3 {
		t.Fatalf("after errors: %d %v", n, err)
	}
}

func TestParameterStatus(t *testing.T) {
	b := &testBackend{initialVars: []sql.Param{{Name: "is_superuser", Value: "off"}, {Name: "application_name", Value: "app"}}}
	_, addr := startServer(t, Config{ServerVersion: "15.9"}, b, nil)
	c := connect(t, addr, "root", "", "")
	pc := c.PgConn()
	want := map[string]string{
		"server_version":              "15.9",
		"server_encoding":             "UTF8",
		"client_encoding":             "UTF8",
		"DateStyle":                   "ISO, MDY",
		"integer_datetimes":           "on",
		"standard_conforming_strings": "on",
		"IntervalStyle":               "postgres",
		"is_superuser":                "off", // the session's value wins
		"application_name":            "app",
	}
	for k, v := range want {
		if got := pc.ParameterStatus(k); got != v {
			t.Fatalf("%s = %q, want %q", k, got, v)
		}
	}
	if _, err := pc.Exec(testCtx(t), "set TimeZone=Europe/Paris").ReadAll(); err != nil {
		t.Fatal(err)
	}
	if got := pc.ParameterStatus("TimeZone"); got != "Europe/Paris" {
		t.Fatalf("TimeZone %q after SET", got)
	}
}

func TestStartupOptions(t *testing.T) {
	b := &testBackend{}
	_, addr := startServer(t, Config{}, b, nil)
	connect(t, addr, "root", "", "sslmode=disable&options=-c%20search_path%3Dchat%20--statement-timeout%3D5s&application_name=x")
	p := b.lastParams()
	want := map[string]string{"search_path": "chat", "statement_timeout": "5s", "application_name": "x", "database": "kalamdb"}
	for k, v := range want {
		if p[k] != v {
			t.Fatalf("param %s = %q, want %q (all: %v)", k, p[k], v, p)
		}
	}
	if _, ok := p["options"]; ok {
		t.Fatalf("options passed through unsplit: %v", p)
	}
}

func TestSessionRefused(t *testing.T) {
	b := &testBackend{sessionErr: pgerr.New(pgerr.InvalidAuthorization, "role \"root\" is not permitted to log in")}
	_, addr := startServer(t, Config{}, b, nil)
	_, err := tryConnect(t, addr, "root", "", "")
	wantCode(t, err, pgerr.InvalidAuthorization)
}

func TestCancelRequest(t *testing.T) {
	b := &testBackend{sleeping: make(chan struct{}, 1)}
	_, addr := startServer(t, Config{}, b, nil)
	c := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := c.PgConn().Exec(ctx, "sleep").ReadAll()
		errc <- err
	}()
	<-b.sleeping
	// A wrong key changes nothing.
	if err := sendCancel(addr, c.PgConn().PID(), []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		t.Fatalf("query ended by a wrong cancel key: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := c.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	pe := wantCode(t, <-errc, pgerr.QueryCanceled)
	if pe.Message != "canceling statement due to user request" {
		t.Fatalf("message %q", pe.Message)
	}
	var n int64
	if err := c.QueryRow(ctx, "select 1", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil {
		t.Fatalf("after cancel: %v", err)
	}
}

// sendCancel sends a raw CancelRequest.
func sendCancel(addr string, pid uint32, secret []byte) error {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	buf, _ := (&pgproto3.CancelRequest{ProcessID: pid, SecretKey: secret}).Encode(nil)
	if _, err := nc.Write(buf); err != nil {
		return err
	}
	// The server closes the connection without answering.
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var one [1]byte
	if n, err := nc.Read(one[:]); n != 0 || err == nil {
		return fmt.Errorf("cancel answered: %d bytes, err %v", n, err)
	}
	return nil
}

func TestPanicClosesOnlyThatConnection(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	c1 := connect(t, addr, "root", "", "")
	c2 := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	_, err := c1.PgConn().Exec(ctx, "panic").ReadAll()
	pe := wantCode(t, err, pgerr.InternalError)
	if pe.Severity != "FATAL" {
		t.Fatalf("severity %s, want FATAL", pe.Severity)
	}
	if _, err := c1.Exec(ctx, "select 1", pgx.QueryExecModeSimpleProtocol); err == nil {
		t.Fatal("connection still open after panic")
	}
	if _, err := c2.Exec(ctx, "select 1", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("other connection: %v", err)
	}
}

func TestFatalFromSessionCloses(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	c := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	_, err := c.PgConn().Exec(ctx, "fatal").ReadAll()
	wantCode(t, err, pgerr.AdminShutdown)
	if _, err := c.Exec(ctx, "select 1", pgx.QueryExecModeSimpleProtocol); err == nil {
		t.Fatal("connection still open after FATAL")
	}
}

func TestOversizedMessage(t *testing.T) {
	_, addr := startServer(t, Config{MaxMessageSize: 1024}, &testBackend{}, nil)
	c := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	_, err := c.PgConn().Exec(ctx, "select 1; "+strings.Repeat(" ", 4096)).ReadAll()
	wantCode(t, err, pgerr.ProgramLimitExceeded)
	// The server survives for everyone else.
	c2 := connect(t, addr, "root", "", "")
	if _, err := c2.Exec(ctx, "select 1", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
}

func TestAsyncSend(t *testing.T) {
	s, addr := startServer(t, Config{}, &testBackend{}, nil)
	c := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	sc := s.lookupPID(c.PgConn().PID())
	if sc == nil {
		t.Fatal("server has no connection for the client's pid")
	}
	// Notifications pushed from other goroutines while queries run.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc.sendAsync(&pgproto3.NotificationResponse{PID: sc.pid, Channel: "ch", Payload: fmt.Sprint(i)})
		}()
	}
	for range 20 {
		if _, err := c.Exec(ctx, "select 3", pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	seen := 0
	for seen < 4 {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n.Channel != "ch" || n.PID != sc.pid {
			t.Fatalf("notification %+v", n)
		}
		seen++
	}
}

func TestShutdownEndsConnections(t *testing.T) {
	b := &testBackend{sleeping: make(chan struct{}, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Config{}, b)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	addr := ln.Addr().String()

	idle := connect(t, addr, "root", "", "")
	busy := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := busy.PgConn().Exec(ctx, "sleep").ReadAll()
		errc <- err
	}()
	<-b.sleeping

	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	pe := wantCode(t, <-errc, pgerr.AdminShutdown)
	if pe.Severity != "FATAL" || pe.Message != "terminating connection due to administrator command" {
		t.Fatalf("got %s %q", pe.Severity, pe.Message)
	}
	if _, err := idle.Exec(ctx, "select 1", pgx.QueryExecModeSimpleProtocol); err == nil {
		t.Fatal("idle connection survived Shutdown")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
	if err := s.Serve(ln); err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
}

func TestShutdownIdleMessage(t *testing.T) {
	s := NewServer(Config{}, &testBackend{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	nc, fe := rawStartup(t, ln.Addr().String(), map[string]string{"user": "root"})
	defer nc.Close()
	if err := s.Shutdown(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	er, ok := msg.(*pgproto3.ErrorResponse)
	if !ok || er.Code != pgerr.AdminShutdown || er.Severity != "FATAL" {
		t.Fatalf("got %#v, want FATAL 57P01", msg)
	}
}
