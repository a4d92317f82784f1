package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
	"github.com/kalamdb/kalamdb/types"
)

// testBackend is a Backend for protocol tests. Its sessions understand a
// tiny language, one statement per ";":
//
//	select N       N rows of one bigint column n (1..N); "select 0" too
//	echo $1 $2 ..  one row echoing the parameters, typed as given, or int8
//	               for "$1::int8", or text
//	insert         no rows, tag "INSERT 0 1"
//	sleep          blocks until canceled
//	fail           42601 with a position
//	internal       an error without a SQLSTATE
//	fatal          a FATAL error from the session
//	panic          panics
//	begin/commit   moves TxStatus between 'I' and 'T'
//	set NAME=VAL   reports a changed parameter
//	(empty)        an empty statement
type testBackend struct {
	users       map[string]*auth.Verifier // nil verifier: a user without password
	tokens      map[string]string         // token -> subject
	rootPass    bool
	noSleep     bool          // "sleep" returns at once (fuzzing)
	sleeping    chan struct{} // receives when a "sleep" starts, if non-nil
	sessionErr  error         // NewSession fails with it when set
	initialVars []sql.Param   // the first ReportedChanges
	timeout     time.Duration // the sessions' statement_timeout

	mu     sync.Mutex // guards params
	params map[string]string
}

func (b *testBackend) LookupUser(name string) (*auth.Verifier, bool) {
	v, ok := b.users[name]
	return v, ok
}

func (b *testBackend) VerifyToken(token string) (string, error) {
	if sub, ok := b.tokens[token]; ok {
		return sub, nil
	}
	return "", errors.New("bad token")
}

func (b *testBackend) RootPasswordSet() bool { return b.rootPass }

func (b *testBackend) NewSession(ctx context.Context, user string, pid uint32, params map[string]string) (Session, error) {
	if b.sessionErr != nil {
		return nil, b.sessionErr
	}
	b.mu.Lock()
	b.params = params
	b.mu.Unlock()
	return &testSession{b: b, tx: 'I', stmts: make(map[*sql.Statement]string), changes: b.initialVars}, nil
}

func (b *testBackend) lastParams() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.params
}

type testSession struct {
	b       *testBackend
	tx      byte
	stmts   map[*sql.Statement]string
	changes []sql.Param
	closed  bool
}

func (s *testSession) Prepare(query string, paramTypes []types.OID) (*sql.Statement, error) {
	q := strings.TrimSpace(query)
	var params []types.OID
	var cols []sql.Column
	switch {
	case strings.HasPrefix(q, "select "):
		cols = []sql.Column{{Name: "n", Type: types.Of(types.Int8)}}
	case strings.HasPrefix(q, "echo"):
		for i, tok := range strings.Fields(q)[1:] {
			oid := types.Text
			if strings.HasSuffix(tok, "::int8") {
				oid = types.Int8
			}
			if i < len(paramTypes) && paramTypes[i] != 0 {
				oid = paramTypes[i]
			}
			params = append(params, oid)
			cols = append(cols, sql.Column{Name: "v" + strconv.Itoa(i+1), Type: types.Of(oid)})
		}
	case q == "fail":
		return nil, &pgerr.Error{Code: pgerr.SyntaxError, Message: `syntax error at or near "fail"`, Position: 1}
	}
	st := newStatement(params, cols)
	s.stmts[st] = q
	return st, nil
}

func (s *testSession) Sync(context.Context, bool) error { return nil }

func (s *testSession) ExtraFloatDigits() int { return 1 }

func (s *testSession) StatementTimeout() time.Duration { return s.b.timeout }

func (s *testSession) Execute(ctx context.Context, st *sql.Statement, params []any) (*sql.Result, error) {
	q, ok := s.stmts[st]
	if !ok {
		return nil, errors.New("statement from another session")
	}
	if strings.HasPrefix(q, "echo") {
		cols := st.Columns()
		return &sql.Result{Columns: cols, Rows: [][]any{params}, Tag: "SELECT 1"}, nil
	}
	return s.run(ctx, q)
}

func (s *testSession) Query(ctx context.Context, query string, emit func(*sql.Result) error) error {
	for _, q := range strings.Split(query, ";") {
		q = strings.TrimSpace(q)
		if q == "" && strings.TrimSpace(query) == "" {
			continue
		}
		res, err := s.run(ctx, q)
		if err != nil {
			return err
		}
		if err := emit(res); err != nil {
			return err
		}
	}
	return nil
}

func (s *testSession) run(ctx context.Context, q string) (*sql.Result, error) {
	switch {
	case q == "":
		return &sql.Result{Empty: true}, nil
	case strings.HasPrefix(q, "select "):
		n, err := strconv.Atoi(strings.TrimPrefix(q, "select "))
		if err != nil {
			return nil, pgerr.New(pgerr.InvalidTextRepresentation, "bad count %q", q)
		}
		res := &sql.Result{Columns: []sql.Column{{Name: "n", Type: types.Of(types.Int8)}}, Tag: fmt.Sprintf("SELECT %d", n)}
		for i := 1; i <= n; i++ {
			res.Rows = append(res.Rows, []any{int64(i)})
		}
		return res, nil
	case q == "insert":
		return &sql.Result{Tag: "INSERT 0 1"}, nil
	case q == "sleep":
		if s.b.noSleep {
			return &sql.Result{Tag: "SELECT 0"}, nil
		}
		if s.b.sleeping != nil {
			s.b.sleeping <- struct{}{}
		}
		<-ctx.Done()
		return nil, ctx.Err()
	case q == "fail":
		return nil, &pgerr.Error{Code: pgerr.SyntaxError, Message: `syntax error at or near "fail"`, Position: 1}
	case q == "internal":
		return nil, errors.New("disk on fire")
	case q == "fatal":
		return nil, &pgerr.Error{Code: pgerr.AdminShutdown, Message: "session says bye", Severity: "FATAL"}
	case q == "panic":
		panic("test panic")
	case q == "begin":
		s.tx = 'T'
		return &sql.Result{Tag: "BEGIN"}, nil
	case q == "commit":
		s.tx = 'I'
		return &sql.Result{Tag: "COMMIT"}, nil
	case strings.HasPrefix(q, "set "):
		name, value, _ := strings.Cut(strings.TrimPrefix(q, "set "), "=")
		s.changes = append(s.changes, sql.Param{Name: name, Value: value})
		return &sql.Result{Tag: "SET"}, nil
	}
	return nil, pgerr.New(pgerr.SyntaxError, "unknown test statement %q", q)
}

func (s *testSession) TxStatus() byte           { return s.tx }
func (s *testSession) Location() *time.Location { return time.UTC }

func (s *testSession) ReportedChanges() []sql.Param {
	c := s.changes
	s.changes = nil
	return c
}

func (s *testSession) Close() { s.closed = true }

// newStatement builds a sql.Statement with the given parameter types and
// columns. Package sql offers no constructor (statements come from its
// binder), so the test sets the unexported fields.
func newStatement(params []types.OID, cols []sql.Column) *sql.Statement {
	st := &sql.Statement{}
	v := reflect.ValueOf(st).Elem()
	set := func(name string, x any) {
		f := v.FieldByName(name)
		if !f.IsValid() {
			panic("sql.Statement has no field " + name)
		}
		reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(x))
	}
	set("paramTypes", params)
	set("columns", cols)
	return st
}

// startServer serves b on 127.0.0.1:0 (seen through wrap when given) and
// shuts the server down when the test ends, checking that Serve returned
// nil.
func startServer(t *testing.T, cfg Config, b Backend, wrap func(net.Listener) net.Listener) (*Server, string) {
	t.Helper()
	s := NewServer(cfg, b)
	return s, serve(t, s, wrap)
}

// serve serves s on a new loopback listener until the test ends and
// returns its address.
func serve(t *testing.T, s *Server, wrap func(net.Listener) net.Listener) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	var l net.Listener = ln
	if wrap != nil {
		l = wrap(ln)
	}
	go func() { served <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// remoteListener makes every accepted connection look like it comes from
// addr, to test the rules for non-loopback clients.
type remoteListener struct {
	net.Listener
	addr net.Addr
}

func (l remoteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return remoteConn{Conn: c, addr: l.addr}, nil
}

type remoteConn struct {
	net.Conn
	addr net.Addr
}

func (c remoteConn) RemoteAddr() net.Addr { return c.addr }

func fromRemote(ln net.Listener) net.Listener {
	return remoteListener{Listener: ln, addr: &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 40000}}
}
