package wire

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
)

// rawStartup connects, sends a 3.0 StartupMessage and reads up to the
// first ReadyForQuery.
func rawStartup(t *testing.T, addr string, params map[string]string) (net.Conn, *pgproto3.Frontend) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("startup: %v", err)
		}
		switch m := msg.(type) {
		case *pgproto3.ReadyForQuery:
			return nc, fe
		case *pgproto3.ErrorResponse:
			t.Fatalf("startup: %s %s", m.Code, m.Message)
		}
	}
}

// expect reads messages and checks their types, in order; it returns them.
func expect(t *testing.T, fe *pgproto3.Frontend, want ...pgproto3.BackendMessage) []pgproto3.BackendMessage {
	t.Helper()
	var got []pgproto3.BackendMessage
	for i, w := range want {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("message %d: %v (got so far %s)", i, err, typeNames(got))
		}
		// Receive reuses its messages: keep a copy of what we look at.
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			c := *m
			msg = &c
		case *pgproto3.CommandComplete:
			msg = &pgproto3.CommandComplete{CommandTag: append([]byte(nil), m.CommandTag...)}
		case *pgproto3.ReadyForQuery:
			c := *m
			msg = &c
		}
		got = append(got, msg)
		if reflect.TypeOf(msg) != reflect.TypeOf(w) {
			t.Fatalf("message %d: got %s, want %T (all: %s)", i, typeNames(got), w, typeNames(got))
		}
	}
	return got
}

func typeNames(msgs []pgproto3.BackendMessage) string {
	var s []string
	for _, m := range msgs {
		s = append(s, strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3."))
	}
	return strings.Join(s, " ")
}

func tagOf(m pgproto3.BackendMessage) string {
	return string(m.(*pgproto3.CommandComplete).CommandTag)
}

func TestExecuteMaxRows(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	_, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	fe.SendParse(&pgproto3.Parse{Query: "select 5"})
	fe.SendBind(&pgproto3.Bind{})
	fe.SendExecute(&pgproto3.Execute{MaxRows: 2})
	fe.SendExecute(&pgproto3.Execute{MaxRows: 2})
	fe.SendExecute(&pgproto3.Execute{})
	fe.SendExecute(&pgproto3.Execute{}) // a finished portal
	fe.SendSync(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	D := &pgproto3.DataRow{}
	got := expect(t, fe,
		&pgproto3.ParseComplete{}, &pgproto3.BindComplete{},
		D, D, &pgproto3.PortalSuspended{},
		D, D, &pgproto3.PortalSuspended{},
		D, &pgproto3.CommandComplete{},
		&pgproto3.CommandComplete{},
		&pgproto3.ReadyForQuery{})
	if tag := tagOf(got[9]); tag != "SELECT 1" {
		t.Fatalf("last fetch tag %q, want SELECT 1", tag)
	}
	if tag := tagOf(got[10]); tag != "SELECT 0" {
		t.Fatalf("finished portal tag %q, want SELECT 0", tag)
	}
	// Sync outside a transaction drops the portal.
	fe.SendExecute(&pgproto3.Execute{})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()
	got = expect(t, fe, &pgproto3.ErrorResponse{}, &pgproto3.ReadyForQuery{})
	if code := got[0].(*pgproto3.ErrorResponse).Code; code != pgerr.InvalidCursorName {
		t.Fatalf("code %s, want 34000", code)
	}
}

func TestErrorSkipsUntilSync(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	_, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	fe.SendParse(&pgproto3.Parse{Name: "bad", Query: "fail"})
	fe.SendBind(&pgproto3.Bind{PreparedStatement: "bad"})
	fe.SendDescribe(&pgproto3.Describe{ObjectType: 'P'})
	fe.SendExecute(&pgproto3.Execute{})
	fe.SendSync(&pgproto3.Sync{})
	fe.SendQuery(&pgproto3.Query{String: "select 1"})
	fe.Flush()
	got := expect(t, fe,
		&pgproto3.ErrorResponse{}, &pgproto3.ReadyForQuery{},
		&pgproto3.RowDescription{}, &pgproto3.DataRow{}, &pgproto3.CommandComplete{}, &pgproto3.ReadyForQuery{})
	if code := got[0].(*pgproto3.ErrorResponse).Code; code != pgerr.SyntaxError {
		t.Fatalf("code %s", code)
	}
}

// An error in a pipeline reaches the client without waiting for Sync, as
// in PostgreSQL: a client that sent Flush waits for it (pgx's
// TestPipelineFlushWithError hung here), and the Flush after the error is
// skipped with everything else up to Sync.
func TestErrorSentBeforeSync(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	nc, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	fe.SendParse(&pgproto3.Parse{Query: "select 1"})
	fe.SendBind(&pgproto3.Bind{})
	fe.SendExecute(&pgproto3.Execute{})
	fe.SendParse(&pgproto3.Parse{Query: "fail"})
	fe.Send(&pgproto3.Flush{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	got := expect(t, fe, &pgproto3.ParseComplete{}, &pgproto3.BindComplete{},
		&pgproto3.DataRow{}, &pgproto3.CommandComplete{}, &pgproto3.ErrorResponse{})
	if code := got[4].(*pgproto3.ErrorResponse).Code; code != pgerr.SyntaxError {
		t.Fatalf("code %s, want %s", code, pgerr.SyntaxError)
	}
	// Skipped until Sync: no reply to this Parse or Flush.
	fe.SendParse(&pgproto3.Parse{Query: "select 2"})
	fe.Send(&pgproto3.Flush{})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	expect(t, fe, &pgproto3.ReadyForQuery{})
}

func TestDescribeAndClose(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	_, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	fe.SendParse(&pgproto3.Parse{Name: "e", Query: "echo $1 $2", ParameterOIDs: []uint32{20}})
	fe.SendParse(&pgproto3.Parse{Name: "i", Query: "insert"})
	fe.SendDescribe(&pgproto3.Describe{ObjectType: 'S', Name: "e"})
	fe.SendDescribe(&pgproto3.Describe{ObjectType: 'S', Name: "i"})
	fe.SendBind(&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "e",
		Parameters: [][]byte{[]byte("1"), []byte("x")}, ResultFormatCodes: []int16{1}})
	fe.SendDescribe(&pgproto3.Describe{ObjectType: 'P', Name: "p"})
	fe.SendClose(&pgproto3.Close{ObjectType: 'P', Name: "p"})
	fe.SendClose(&pgproto3.Close{ObjectType: 'S', Name: "missing"})
	fe.SendDescribe(&pgproto3.Describe{ObjectType: 'P', Name: "p"})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()

	msgs := make([]pgproto3.BackendMessage, 0, 12)
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.ParameterDescription:
			msgs = append(msgs, &pgproto3.ParameterDescription{ParameterOIDs: append([]uint32(nil), m.ParameterOIDs...)})
		case *pgproto3.RowDescription:
			rd := &pgproto3.RowDescription{}
			for _, f := range m.Fields {
				f.Name = append([]byte(nil), f.Name...)
				rd.Fields = append(rd.Fields, f)
			}
			msgs = append(msgs, rd)
		case *pgproto3.ErrorResponse:
			c := *m
			msgs = append(msgs, &c)
		default:
			msgs = append(msgs, msg)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	if got, want := typeNames(msgs), "ParseComplete ParseComplete ParameterDescription RowDescription ParameterDescription NoData BindComplete RowDescription CloseComplete CloseComplete ErrorResponse ReadyForQuery"; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if oids := msgs[2].(*pgproto3.ParameterDescription).ParameterOIDs; !reflect.DeepEqual(oids, []uint32{20, 25}) {
		t.Fatalf("parameter oids %v, want [20 25] (0 inferred)", oids)
	}
	for _, f := range msgs[3].(*pgproto3.RowDescription).Fields {
		if f.Format != 0 {
			t.Fatalf("statement describe format %d, want 0", f.Format)
		}
	}
	for _, f := range msgs[7].(*pgproto3.RowDescription).Fields {
		if f.Format != 1 {
			t.Fatalf("portal describe format %d, want 1", f.Format)
		}
	}
	if code := msgs[10].(*pgproto3.ErrorResponse).Code; code != pgerr.InvalidCursorName {
		t.Fatalf("closed portal: code %s", code)
	}
}

func TestBindErrors(t *testing.T) {
	tests := []struct {
		name string
		bind pgproto3.Bind
		code string
	}{
		{"missing statement", pgproto3.Bind{PreparedStatement: "nope"}, pgerr.InvalidSQLStatementName},
		{"too few params", pgproto3.Bind{PreparedStatement: "e", Parameters: [][]byte{[]byte("1")}}, pgerr.ProtocolViolation},
		{"param formats count", pgproto3.Bind{PreparedStatement: "e", Parameters: [][]byte{[]byte("1"), []byte("2")},
			ParameterFormatCodes: []int16{0, 0, 0}}, pgerr.ProtocolViolation},
		{"bad format code", pgproto3.Bind{PreparedStatement: "e", Parameters: [][]byte{[]byte("1"), []byte("2")},
			ParameterFormatCodes: []int16{7}}, pgerr.InvalidParameterValue},
		{"result formats count", pgproto3.Bind{PreparedStatement: "e", Parameters: [][]byte{[]byte("1"), []byte("2")},
			ResultFormatCodes: []int16{0, 1, 0}}, pgerr.ProtocolViolation},
		{"bad binary", pgproto3.Bind{PreparedStatement: "e", Parameters: [][]byte{{1, 2}, []byte("2")},
			ParameterFormatCodes: []int16{1, 0}}, pgerr.InvalidBinaryRepresentation},
	}
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	_, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	fe.SendParse(&pgproto3.Parse{Name: "e", Query: "echo $1 $2", ParameterOIDs: []uint32{20, 20}})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()
	expect(t, fe, &pgproto3.ParseComplete{}, &pgproto3.ReadyForQuery{})
	for _, tt := range tests {
		bind := tt.bind
		fe.SendBind(&bind)
		fe.SendSync(&pgproto3.Sync{})
		fe.Flush()
		got := expect(t, fe, &pgproto3.ErrorResponse{}, &pgproto3.ReadyForQuery{})
		if code := got[0].(*pgproto3.ErrorResponse).Code; code != tt.code {
			t.Fatalf("%s: code %s (%s), want %s", tt.name, code, got[0].(*pgproto3.ErrorResponse).Message, tt.code)
		}
	}
}

func TestEmptyQuery(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	_, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	fe.SendQuery(&pgproto3.Query{String: "  "})
	fe.Flush()
	expect(t, fe, &pgproto3.EmptyQueryResponse{}, &pgproto3.ReadyForQuery{})
	fe.SendParse(&pgproto3.Parse{Query: ""})
	fe.SendBind(&pgproto3.Bind{})
	fe.SendExecute(&pgproto3.Execute{})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()
	expect(t, fe, &pgproto3.ParseComplete{}, &pgproto3.BindComplete{}, &pgproto3.EmptyQueryResponse{}, &pgproto3.ReadyForQuery{})
}

func TestTransactionStatusAndPortals(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	_, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	fe.SendQuery(&pgproto3.Query{String: "begin"})
	fe.Flush()
	got := expect(t, fe, &pgproto3.CommandComplete{}, &pgproto3.ReadyForQuery{})
	if st := got[1].(*pgproto3.ReadyForQuery).TxStatus; st != 'T' {
		t.Fatalf("status %c, want T", st)
	}
	// Inside a transaction block a named portal outlives Sync.
	fe.SendParse(&pgproto3.Parse{Query: "select 3"})
	fe.SendBind(&pgproto3.Bind{DestinationPortal: "c"})
	fe.SendExecute(&pgproto3.Execute{Portal: "c", MaxRows: 1})
	fe.SendSync(&pgproto3.Sync{})
	fe.SendExecute(&pgproto3.Execute{Portal: "c"})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()
	D := &pgproto3.DataRow{}
	got = expect(t, fe, &pgproto3.ParseComplete{}, &pgproto3.BindComplete{}, D, &pgproto3.PortalSuspended{}, &pgproto3.ReadyForQuery{},
		D, D, &pgproto3.CommandComplete{}, &pgproto3.ReadyForQuery{})
	if tag := tagOf(got[7]); tag != "SELECT 2" {
		t.Fatalf("tag %q, want SELECT 2", tag)
	}
}

func TestGarbageAfterStartup(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"unknown type", []byte{'Z', 0, 0, 0, 4}, pgerr.ProtocolViolation},
		{"bad length", []byte{'Q', 0, 0, 0, 1}, pgerr.ProtocolViolation},
		{"malformed bind", []byte{'B', 0, 0, 0, 6, 'x', 'y'}, pgerr.ProtocolViolation},
		{"too large", []byte{'Q', 0x7f, 0, 0, 0}, pgerr.ProgramLimitExceeded},
	}
	for _, tt := range tests {
		nc, fe := rawStartup(t, addr, map[string]string{"user": "root"})
		if _, err := nc.Write(tt.data); err != nil {
			t.Fatal(err)
		}
		got := expect(t, fe, &pgproto3.ErrorResponse{})
		er := got[0].(*pgproto3.ErrorResponse)
		if er.Code != tt.code || er.Severity != "FATAL" {
			t.Fatalf("%s: got %s %s %q, want FATAL %s", tt.name, er.Severity, er.Code, er.Message, tt.code)
		}
		if _, err := fe.Receive(); err == nil {
			t.Fatalf("%s: connection still open", tt.name)
		}
	}
}

func TestStartupPackets(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{}, nil)
	startup := func(version uint32, kv ...string) []byte {
		b := binary.BigEndian.AppendUint32(make([]byte, 4), version)
		for _, s := range kv {
			b = append(append(b, s...), 0)
		}
		b = append(b, 0)
		binary.BigEndian.PutUint32(b, uint32(len(b)))
		return b
	}
	dial := func(data []byte) (net.Conn, *pgproto3.Frontend) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := nc.Write(data); err != nil {
			t.Fatal(err)
		}
		return nc, pgproto3.NewFrontend(nc, nc)
	}

	t.Run("negotiate 3.1", func(t *testing.T) {
		_, fe := dial(startup(3<<16|1, "user", "root", "_pq_.frob", "1"))
		got := expect(t, fe, &pgproto3.NegotiateProtocolVersion{}, &pgproto3.AuthenticationOk{})
		_ = got
	})
	t.Run("protocol 2", func(t *testing.T) {
		_, fe := dial(startup(2<<16, "user", "root"))
		got := expect(t, fe, &pgproto3.ErrorResponse{})
		if c := got[0].(*pgproto3.ErrorResponse).Code; c != pgerr.FeatureNotSupported {
			t.Fatalf("code %s", c)
		}
	})
	t.Run("no user", func(t *testing.T) {
		_, fe := dial(startup(3<<16, "database", "kalamdb"))
		got := expect(t, fe, &pgproto3.ErrorResponse{})
		if c := got[0].(*pgproto3.ErrorResponse).Code; c != pgerr.InvalidAuthorization {
			t.Fatalf("code %s", c)
		}
	})
	t.Run("invalid utf8", func(t *testing.T) {
		_, fe := dial(startup(3<<16, "user", "root", "application_name", "a\xffb"))
		got := expect(t, fe, &pgproto3.ErrorResponse{})
		er := got[0].(*pgproto3.ErrorResponse)
		if er.Code != pgerr.CharacterNotInRepertoire || er.Severity != "FATAL" || !strings.HasSuffix(er.Message, "0xff") {
			t.Fatalf("got %s %s %q", er.Severity, er.Code, er.Message)
		}
	})
	t.Run("http", func(t *testing.T) {
		_, fe := dial([]byte("GET / HTTP/1.1\r\n\r\n"))
		got := expect(t, fe, &pgproto3.ErrorResponse{})
		if c := got[0].(*pgproto3.ErrorResponse).Code; c != pgerr.ProtocolViolation {
			t.Fatalf("code %s", c)
		}
	})
	t.Run("gss and ssl refused", func(t *testing.T) {
		nc, fe := dial([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}) // GSSENCRequest
		var one [1]byte
		if _, err := io.ReadFull(nc, one[:]); err != nil || one[0] != 'N' {
			t.Fatalf("GSSENCRequest: %q %v", one, err)
		}
		nc.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) // SSLRequest
		if _, err := io.ReadFull(nc, one[:]); err != nil || one[0] != 'N' {
			t.Fatalf("SSLRequest: %q %v", one, err)
		}
		nc.Write(startup(3<<16, "user", "root"))
		expect(t, fe, &pgproto3.AuthenticationOk{})
	})
}
