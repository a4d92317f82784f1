package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
	"github.com/kalamdb/kalamdb/types"
)

// queryRequest is the body of POST /api/v1/query.
type queryRequest struct {
	SQL    string            `json:"sql"`
	Params []json.RawMessage `json:"params"`
}

// bearer returns the token of an Authorization: Bearer header, or of the
// token query parameter when query is set (browsers cannot set headers on
// a WebSocket).
func bearer(r *http.Request, query bool) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if query {
		return r.URL.Query().Get("token")
	}
	return ""
}

// authenticate verifies the request's token; the user is created on first
// sight as pgwire's JWT login does.
func (g *Gateway) authenticate(ctx context.Context, r *http.Request, query bool) (auth.Claims, error) {
	tok := bearer(r, query)
	if tok == "" {
		return auth.Claims{}, errNoToken
	}
	claims, err := g.db.JWT().Verify(tok)
	if err != nil {
		return auth.Claims{}, pgerr.Wrap(err, errBadToken.Code, "%s", err.Error())
	}
	if _, err := g.db.VerifyToken(ctx, tok); err != nil {
		return auth.Claims{}, err
	}
	return claims, nil
}

func (g *Gateway) handleQuery(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), g.limits.StatementTimeout)
	defer cancel()
	stop := context.AfterFunc(g.ctx, cancel) // shutdown cancels in-flight work
	defer stop()

	body, status := g.runQuery(ctx, w, r, start)
	g.metrics.httpLatency.WithLabelValues(strconv.Itoa(status)).Observe(time.Since(start).Seconds())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// runQuery returns the response body and status.
func (g *Gateway) runQuery(ctx context.Context, w http.ResponseWriter, r *http.Request, start time.Time) ([]byte, int) {
	fail := func(err error) ([]byte, int) {
		e := toError(g.ctx, err)
		if e.Code == pgerr.InternalError {
			g.log.Error("http query failed", "err", err)
		}
		g.metrics.countError(e.Code)
		buf := append([]byte(nil), `{"status":"error","error":`...)
		buf = appendErrorJSON(buf, e)
		return append(buf, "}\n"...), httpStatus(e.Code)
	}
	claims, err := g.authenticate(ctx, r, false)
	if err != nil {
		return fail(err)
	}
	req, err := readQueryRequest(w, r, g.limits.MaxBodyBytes)
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(req.SQL) == "" {
		return fail(pgerr.New(pgerr.SyntaxError, `the request has no "sql"`))
	}
	buf := append(make([]byte, 0, 512), `{"status":"ok","results":[`...)
	n, wrote := 0, false
	emit := func(res *sql.Result) error {
		if res.Empty {
			return nil
		}
		cmd := command(res.Tag)
		g.metrics.queries.WithLabelValues(cmd).Inc()
		wrote = wrote || isWrite(cmd)
		if n > 0 {
			buf = append(buf, ',')
		}
		n++
		buf = appendResult(buf, cmd, res)
		return nil
	}
	execStart := time.Now()
	if len(req.Params) > 0 {
		err = g.execute(ctx, claims.Subject, req, emit)
	} else {
		err = g.query(ctx, claims.Subject, req.SQL, emit)
	}
	if err != nil {
		if ctx.Err() != nil && g.ctx.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = errTimeout
		}
		return fail(err)
	}
	if wrote {
		g.metrics.observeCommit(execStart)
	}
	buf = append(buf, `],"took_ms":`...)
	buf = strconv.AppendFloat(buf, float64(time.Since(start).Microseconds())/1000, 'f', 3, 64)
	return append(buf, "}\n"...), http.StatusOK
}

// query runs a simple-protocol query string on a session of its own.
func (g *Gateway) query(ctx context.Context, user, query string, emit func(*sql.Result) error) error {
	sess, err := g.db.Session(user, g.nextPID(), nil)
	if err != nil {
		return err
	}
	defer sess.Close()
	return sess.Query(ctx, query, emit)
}

// execute runs a single statement with parameters, as the extended
// protocol does: prepare (types inferred), execute, sync; on a pooled
// session of the user when one is idle (sessions.go).
func (g *Gateway) execute(ctx context.Context, user string, req queryRequest, emit func(*sql.Result) error) error {
	ps := g.pool.get(user)
	if ps == nil {
		sess, err := g.db.Session(user, g.nextPID(), nil)
		if err != nil {
			return err
		}
		ps = &pooledSession{sess: sess, stmts: make(map[string]*sql.Statement)}
	}
	res, err := runStatement(ctx, ps, req)
	if err != nil && sql.IsResultTypeChanged(err) {
		// DDL changed the columns of a statement this session kept: to
		// the client it is a new request, so prepare it afresh.
		delete(ps.stmts, req.SQL)
		res, err = runStatement(ctx, ps, req)
	}
	if err == nil {
		// Before the session goes back: its results are its own until then.
		err = emit(res)
	}
	if err == nil && reusable(ps.sess, req.SQL, command(res.Tag)) {
		g.pool.put(user, ps)
	} else {
		ps.sess.Close()
	}
	return err
}

func runStatement(ctx context.Context, ps *pooledSession, req queryRequest) (*sql.Result, error) {
	st, err := ps.statement(req.SQL)
	if err != nil {
		return nil, err
	}
	vals, err := decodeParams(st.ParamTypes(), req.Params)
	if err != nil {
		return nil, err
	}
	res, err := ps.sess.Execute(ctx, st, vals)
	if serr := ps.sess.Sync(ctx, err != nil); err == nil {
		err = serr
	}
	return res, err
}

// command is the command word of a tag ("INSERT 0 1" -> "INSERT"), with
// the two-word ones kept whole. Tags are the engine's own, single-spaced,
// so the words are cut without allocating.
func command(tag string) string {
	first, rest, _ := strings.Cut(tag, " ")
	if first == "" {
		return "UNKNOWN"
	}
	if second, _, _ := strings.Cut(rest, " "); second != "" {
		switch two := tag[:len(first)+1+len(second)]; two {
		case "CREATE TABLE", "CREATE SCHEMA", "CREATE USER", "CREATE ROLE", "DROP TABLE",
			"DROP SCHEMA", "DROP USER", "DROP ROLE", "ALTER TABLE", "ALTER USER", "ALTER ROLE",
			"SET ROLE", "RESET ROLE":
			return two
		}
	}
	return first
}

func isWrite(cmd string) bool {
	switch cmd {
	case "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "COMMIT":
		return true
	}
	return false
}

// rowCount is the count a tag reports (its last number), or the rows.
func rowCount(res *sql.Result) int64 {
	if res.Columns != nil {
		return int64(len(res.Rows))
	}
	fields := strings.Fields(res.Tag)
	if len(fields) > 1 {
		if n, err := strconv.ParseInt(fields[len(fields)-1], 10, 64); err == nil {
			return n
		}
	}
	return 0
}

// appendResult appends one statement's result object.
func appendResult(buf []byte, cmd string, res *sql.Result) []byte {
	buf = append(buf, `{"command":`...)
	buf = appendString(buf, cmd)
	if res.Columns != nil {
		buf = append(buf, `,"columns":[`...)
		for i, c := range res.Columns {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"name":`...)
			buf = appendString(buf, c.Name)
			buf = append(buf, `,"type":`...)
			buf = appendString(buf, types.NameOf(c.Type))
			buf = append(buf, '}')
		}
		buf = append(buf, `],"rows":[`...)
		for i, row := range res.Rows {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '[')
			for j, v := range row {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = notify.AppendValueJSON(buf, res.Columns[j].Type, v)
			}
			buf = append(buf, ']')
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"row_count":`...)
	buf = appendInt(buf, rowCount(res))
	return append(buf, '}')
}

var textType = types.Of(types.Text)

func appendString(buf []byte, s string) []byte { return notify.AppendValueJSON(buf, textType, s) }

func appendInt(buf []byte, n int64) []byte { return strconv.AppendInt(buf, n, 10) }
