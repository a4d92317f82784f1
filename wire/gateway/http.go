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
	// Indexed directly: the key is canonical already, and Get would
	// check that on every request.
	if h := firstValue(r.Header["Authorization"]); h != "" {
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

// firstValue is the first of a header's values, or "".
func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// authenticate verifies the request's token and returns its user, who is
// created on first sight as pgwire's JWT login does. Verification is
// remembered per token by auth.JWT, expiry still checked on every use;
// the token is verified once per request.
func (g *Gateway) authenticate(ctx context.Context, r *http.Request, query bool) (string, error) {
	tok := bearer(r, query)
	if tok == "" {
		return "", errNoToken
	}
	user, err := g.db.VerifyToken(ctx, tok)
	if err != nil {
		return "", badToken(err)
	}
	return user, nil
}

// authenticateClaims is authenticate returning the token's claims, for a
// WebSocket, which keeps the role: once per connection, so the second
// (remembered) verification costs nothing that matters.
func (g *Gateway) authenticateClaims(ctx context.Context, r *http.Request, query bool) (auth.Claims, error) {
	if _, err := g.authenticate(ctx, r, query); err != nil {
		return auth.Claims{}, err
	}
	claims, err := g.db.JWT().Verify(bearer(r, query))
	if err != nil {
		return auth.Claims{}, badToken(err)
	}
	return claims, nil
}

// badToken gives a failed verification its SQLSTATE (28000); other errors
// (creating the user) keep theirs.
func badToken(err error) error {
	if errors.Is(err, auth.ErrBadToken) {
		return pgerr.Wrap(err, errBadToken.Code, "%s", err.Error())
	}
	return err
}

func (g *Gateway) handleQuery(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// Ended by the client, by Close (shutdown cancels in-flight work) and
	// by the statement timeout.
	ctx := newRequestContext(r.Context(), g.ctx, g.limits.StatementTimeout)
	defer ctx.release()

	bp := g.bodies.Get().(*[]byte)
	body, status := g.runQuery(ctx, w, r, start, (*bp)[:0])
	g.metrics.observeHTTP(status, start)
	w.Header()["Content-Type"] = g.jsonType
	w.WriteHeader(status)
	_, _ = w.Write(body) // copied or sent: body is free again
	if cap(body) <= maxPooledBody {
		*bp = body
		g.bodies.Put(bp)
	}
}

// maxPooledBody bounds the response buffers kept for reuse.
const maxPooledBody = 64 << 10

// runQuery appends the response body to buf and returns it with the status.
func (g *Gateway) runQuery(ctx context.Context, w http.ResponseWriter, r *http.Request, start time.Time, buf []byte) ([]byte, int) {
	fail := func(err error) ([]byte, int) {
		e := toError(g.ctx, err)
		if e.Code == pgerr.InternalError {
			g.log.Error("http query failed", "err", err)
		}
		g.metrics.countError(e.Code)
		buf := append(buf[:0], `{"status":"error","error":`...)
		buf = appendErrorJSON(buf, e)
		return append(buf, "}\n"...), httpStatus(e.Code)
	}
	user, err := g.authenticate(ctx, r, false)
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
	buf = append(buf, `{"status":"ok","results":[`...)
	n, wrote := 0, false
	emit := func(res *sql.Result) error {
		if res.Empty {
			return nil
		}
		cmd := command(res.Tag)
		g.metrics.countQuery(cmd)
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
		err = g.execute(ctx, user, req, emit)
	} else {
		err = g.query(ctx, user, req.SQL, emit)
	}
	if err != nil {
		// The engine reports any end of its context as 57014; which end
		// it was decides what the client sees.
		switch {
		case ctx.Err() == nil:
		case g.ctx.Err() != nil:
			err = errShutdown
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
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
