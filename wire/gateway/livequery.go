package gateway

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// liveQuery is a validated live SELECT: one per-user table, plain columns,
// an optional WHERE compiled with the SQL layer's expression compiler.
type liveQuery struct {
	table  TableName
	name   string       // qualified, as in change payloads
	cols   []sql.Column // the table's columns, in row order
	byName map[string]int
	filter expr.Expr // nil: every row
	env    expr.Env  // Now is set before each evaluation
	proj   []int     // output columns (len(cols) is _seq); nil: every column
	names  []string  // output names of proj
	row    []any     // scratch row for evaluation (one goroutine at a time)
}

// session is the connection's SQL session for live queries, opened on
// first use (reader goroutine).
func (c *wsConn) session() (*sql.Session, error) {
	if c.sess == nil {
		s, err := c.g.db.Session(c.user, c.pid, nil)
		if err != nil {
			return nil, err
		}
		c.sess = s
	}
	return c.sess, nil
}

// parseLiveSelect checks that text is a SELECT a live query can follow.
func parseLiveSelect(text string) (*pg_query.ParseResult, *pg_query.SelectStmt, *pg_query.RangeVar, error) {
	tree, err := pg_query.Parse(text)
	if err != nil {
		return nil, nil, nil, pgerr.Wrap(err, pgerr.SyntaxError, "%s", err.Error())
	}
	notLive := func(what string) error {
		return pgerr.New(pgerr.FeatureNotSupported, "a live query cannot have %s", what)
	}
	if len(tree.Stmts) != 1 {
		return nil, nil, nil, pgerr.New(pgerr.FeatureNotSupported, "a live query is exactly one SELECT")
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	switch {
	case sel == nil:
		return nil, nil, nil, pgerr.New(pgerr.FeatureNotSupported, "a live query is a SELECT")
	case sel.Op != pg_query.SetOperation_SETOP_NONE:
		return nil, nil, nil, notLive("UNION, INTERSECT or EXCEPT")
	case sel.WithClause != nil:
		return nil, nil, nil, notLive("WITH")
	case len(sel.DistinctClause) > 0, len(sel.GroupClause) > 0, sel.HavingClause != nil, len(sel.WindowClause) > 0:
		return nil, nil, nil, notLive("DISTINCT, GROUP BY, HAVING or WINDOW")
	case len(sel.SortClause) > 0, sel.LimitCount != nil, sel.LimitOffset != nil:
		return nil, nil, nil, notLive(`ORDER BY, LIMIT or OFFSET (the initial rows are the newest options.last_rows, by _seq)`)
	case len(sel.LockingClause) > 0, sel.IntoClause != nil:
		return nil, nil, nil, notLive("FOR UPDATE or INTO")
	case len(sel.FromClause) != 1 || sel.FromClause[0].GetRangeVar() == nil:
		return nil, nil, nil, notLive("anything but one table in FROM")
	}
	return tree, sel, sel.FromClause[0].GetRangeVar(), nil
}

// liveScope resolves the live query's column names: the table's columns,
// then _seq.
type liveScope struct {
	q                        *liveQuery
	alias, schema, partition string
}

func (sc liveScope) Column(names []string) (int, types.Type, error) {
	missing := func(t string) error {
		return pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", t)
	}
	switch len(names) {
	case 1:
	case 2:
		if names[0] != sc.alias {
			return 0, types.Type{}, missing(names[0])
		}
	case 3:
		if names[1] != sc.alias || (names[0] != sc.schema && names[0] != sc.partition) {
			return 0, types.Type{}, missing(names[1])
		}
	default:
		return 0, types.Type{}, pgerr.New(pgerr.SyntaxError, "improper qualified name (too many dotted names)")
	}
	name := names[len(names)-1]
	if i, ok := sc.q.byName[name]; ok {
		return i, sc.q.cols[i].Type, nil
	}
	if name == "_seq" {
		return len(sc.q.cols), types.Of(types.Int8), nil
	}
	return 0, types.Type{}, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
}

func (liveScope) Aggregate(*pg_query.FuncCall) (int, types.Type, bool, error) {
	return 0, types.Type{}, false, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// resolveLive finds the live query's table and partition: schema.table,
// or user_alice.table (a partition addressed by user id, as in SQL).
func (c *wsConn) resolveLive(ctx context.Context, rv *pg_query.RangeVar) (TableName, string, error) {
	eng := c.g.db.Engine()
	none := func(*notify.Change) error { return nil }
	t, partition := TableName{rv.Schemaname, rv.Relname}, c.user
	if t.Schema == "" {
		t.Schema = "public"
	}
	err := eng.Replay(ctx, t.Schema, t.Name, partition, math.MaxInt64, none)
	if pgerr.Code(err) == pgerr.UndefinedTable && rv.Schemaname != "" {
		t.Schema, partition = "public", rv.Schemaname
		if err2 := eng.Replay(ctx, t.Schema, t.Name, partition, math.MaxInt64, none); err2 == nil {
			err = nil
		}
	}
	if err != nil {
		return t, "", err
	}
	return t, partition, c.mayReach(partition)
}

// compileLive builds the liveQuery of a validated SELECT.
func (c *wsConn) compileLive(sel *pg_query.SelectStmt, rv *pg_query.RangeVar, t TableName, partition string) (*liveQuery, error) {
	sess, err := c.session()
	if err != nil {
		return nil, err
	}
	st, err := sess.Prepare("SELECT * FROM "+quoteIdent(t.Schema)+"."+quoteIdent(t.Name), nil)
	if err != nil {
		return nil, err
	}
	q := &liveQuery{table: t, name: t.String(), cols: st.Columns(), byName: make(map[string]int)}
	for i, col := range q.cols {
		q.byName[col.Name] = i
	}
	q.row = make([]any, len(q.cols)+1)
	alias := rv.Relname
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
	}
	scope := liveScope{q: q, alias: alias, schema: t.Schema, partition: partition}
	if sel.WhereClause != nil {
		params := &expr.Params{}
		if q.filter, err = expr.CompileBool(sel.WhereClause, scope, params, "WHERE"); err != nil {
			return nil, err
		}
		if len(params.Types) > 0 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "a live query cannot have parameters")
		}
	}
	for _, n := range sel.TargetList {
		rt := n.GetResTarget()
		cr := rt.GetVal().GetColumnRef()
		if cr == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "a live query selects plain columns or *")
		}
		var names []string
		star := false
		for _, f := range cr.Fields {
			if f.GetAStar() != nil {
				star = true
			} else {
				names = append(names, f.GetString_().GetSval())
			}
		}
		if star {
			for i, col := range q.cols {
				q.proj, q.names = append(q.proj, i), append(q.names, col.Name)
			}
			continue
		}
		i, _, err := scope.Column(names)
		if err != nil {
			return nil, err
		}
		name := names[len(names)-1]
		if rt.Name != "" {
			name = rt.Name
		}
		q.proj, q.names = append(q.proj, i), append(q.names, name)
	}
	user := c.user
	q.env = expr.Env{
		Loc: time.UTC, User: user, SessionUser: user, Database: "kalamdb",
		Version:                c.g.db.Engine().VersionString(),
		NextSeq:                func() int64 { return 0 },
		Setting:                func(string) (string, bool) { return "", false },
		ListeningChannels:      func() []string { return nil },
		NotificationQueueUsage: func() float64 { return 0 },
		Notify: func(string, string) error {
			return pgerr.New(pgerr.FeatureNotSupported, "pg_notify cannot run in a live query")
		},
	}
	return q, nil
}

// matches evaluates the WHERE on row (the table's columns then _seq); an
// evaluation error counts as no match, as a failing row would in a scan.
func (q *liveQuery) matches(row []any) bool {
	if q.filter == nil {
		return true
	}
	q.env.Now = time.Now()
	v, err := q.filter.Eval(&q.env, row)
	return err == nil && v == true
}

// subscribeQuery is the live-query form: validate, send the initial rows
// (or replay from from_seq), then every matching change.
func (c *wsConn) subscribeQuery(ctx context.Context, m *clientMessage) {
	id := m.ID
	if id == "" {
		c.sendError("", pgerr.New(pgerr.ProtocolViolation, `a live query needs an "id"`))
		return
	}
	fromSeq, replay, err := parseSeq(m.Options.FromSeq)
	if err != nil {
		c.sendError(id, err)
		return
	}
	tree, sel, rv, err := parseLiveSelect(m.SQL)
	if err != nil {
		c.sendError(id, err)
		return
	}
	t, partition, err := c.resolveLive(ctx, rv)
	if err != nil {
		if pgerr.Code(err) == pgerr.InsufficientPrivilege {
			c.g.metrics.wsRefused.WithLabelValues("permission").Inc()
		}
		c.sendError(id, err)
		return
	}
	q, err := c.compileLive(sel, rv, t, partition)
	if err != nil {
		c.sendError(id, err)
		return
	}
	s := &subscription{id: id, partition: partition, tables: []string{q.name}, query: q,
		seen: make(map[string]int64)}
	if err := c.addSub(s); err != nil {
		c.sendError(id, err)
		return
	}
	ack := append(appendString([]byte(`{"type":"subscribed","id":`), id), `,"table":`...)
	ack = appendString(ack, q.name)
	ack = append(ack, `,"columns":[`...)
	for i, p := range q.proj {
		if i > 0 {
			ack = append(ack, ',')
		}
		typ := types.Of(types.Int8)
		if p < len(q.cols) {
			typ = q.cols[p].Type
		}
		ack = append(ack, `{"name":`...)
		ack = appendString(ack, q.names[i])
		ack = append(ack, `,"type":`...)
		ack = appendString(ack, types.NameOf(typ))
		ack = append(ack, '}')
	}
	if err := c.send(append(ack, "]}"...)); err != nil {
		return
	}
	if replay {
		err = replayMerged(ctx, c.g.db.Engine(), []TableName{t}, partition, fromSeq, c.g.limits.MaxReplayInFlight,
			func(ch *notify.Change) error {
				s.remember(ch)
				if msg := q.renderChange(s.prefix, ch, false); msg != nil {
					return c.send(msg)
				}
				return nil
			})
	} else {
		err = c.initialRows(ctx, s, tree, sel, partition, m.Options.LastRows)
	}
	if err != nil {
		c.dropSub(id)
		c.sendError(id, err)
		return
	}
	c.goLive(s)
}

// initialRows sends the newest last_rows matching rows, oldest first, in
// batches with has_more.
func (c *wsConn) initialRows(ctx context.Context, s *subscription, tree *pg_query.ParseResult, sel *pg_query.SelectStmt, partition string, lastRows *int) error {
	q := s.query
	n := c.g.limits.DefaultLastRows
	if lastRows != nil {
		n = *lastRows
	}
	if n < 0 || n > c.g.limits.MaxLastRows {
		return pgerr.New(pgerr.InvalidParameterValue, "last_rows must be between 0 and %d", c.g.limits.MaxLastRows)
	}
	var rows [][]any
	if n > 0 {
		col := func(name string) *pg_query.Node {
			return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(name)}, 0)
		}
		sel.TargetList = []*pg_query.Node{
			pg_query.MakeResTargetNodeWithVal(pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeAStarNode()}, 0), 0),
			pg_query.MakeResTargetNodeWithVal(col("_seq"), 0),
		}
		sel.SortClause = []*pg_query.Node{pg_query.MakeSortByNode(col("_seq"), pg_query.SortByDir_SORTBY_DESC, pg_query.SortByNulls_SORTBY_NULLS_DEFAULT, 0)}
		sel.LimitCount = pg_query.MakeAConstIntNode(int64(n), 0)
		sel.LimitOption = pg_query.LimitOption_LIMIT_OPTION_COUNT
		text, err := pg_query.Deparse(tree)
		if err != nil {
			return pgerr.Wrap(err, pgerr.InternalError, "deparse live query: %v", err)
		}
		ctx, cancel := context.WithTimeout(ctx, c.g.limits.StatementTimeout)
		err = c.sess.Query(ctx, text, func(res *sql.Result) error {
			rows = append(rows, res.Rows...)
			return nil
		})
		cancel()
		if err != nil {
			return err
		}
		slices.Reverse(rows)
	}
	if len(rows) > 0 {
		if err := c.rememberRows(ctx, s, partition, rows); err != nil {
			return err
		}
	}
	for start := 0; ; start += c.g.limits.RowBatch {
		end := min(start+c.g.limits.RowBatch, len(rows))
		msg := append(appendString([]byte(`{"type":"rows","id":`), s.id), `,"rows":[`...)
		for i, row := range rows[start:end] {
			if i > 0 {
				msg = append(msg, ',')
			}
			msg = q.appendRow(msg, row)
		}
		msg = append(msg, `],"has_more":`...)
		if end < len(rows) {
			msg = append(msg, "true}"...)
		} else {
			msg = append(msg, "false}"...)
		}
		if err := c.send(msg); err != nil {
			return err
		}
		if end >= len(rows) {
			return nil
		}
	}
}

// rememberRows records the initial rows for the dedupe across the switch;
// the table's key comes from its first change record.
func (c *wsConn) rememberRows(ctx context.Context, s *subscription, partition string, rows [][]any) error {
	q := s.query
	var meta *notify.Table
	err := c.g.db.Engine().Replay(ctx, q.table.Schema, q.table.Name, partition, 0, func(ch *notify.Change) error {
		meta = ch.Table
		return errChunkFull
	})
	if err != nil && !errors.Is(err, errChunkFull) {
		return err
	}
	if meta == nil {
		return nil // erased meanwhile: nothing to deduplicate against
	}
	for _, row := range rows {
		seq, _ := row[len(q.cols)].(int64)
		s.remember(&notify.Change{Table: meta, Seq: seq, Row: row[:len(q.cols)]})
	}
	return nil
}

// appendRow appends the projected row object of row (columns then _seq).
func (q *liveQuery) appendRow(buf []byte, row []any) []byte {
	buf = append(buf, '{')
	for i, p := range q.proj {
		buf = append(appendString(buf, q.names[i]), ':')
		if p < len(q.cols) {
			buf = notify.AppendValueJSON(buf, q.cols[p].Type, row[p])
		} else {
			buf = notify.AppendValueJSON(buf, types.Of(types.Int8), row[len(q.cols)])
		}
		buf = append(buf, ',')
	}
	buf = append(buf, `"_seq":`...)
	buf = notify.AppendValueJSON(buf, types.Of(types.Int8), row[len(q.cols)])
	return append(buf, '}')
}

// decide applies the filter to a change: insert and delete pass when the
// row matches; an update that no longer matches is sent as a delete.
func (q *liveQuery) decide(op string, match bool) (string, bool) {
	switch {
	case match:
		return op, true
	case op == "update":
		return "delete", true
	}
	return "", false
}

// renderChange renders a change, replayed (from_seq) or live, filtered.
func (q *liveQuery) renderChange(prefix []byte, ch *notify.Change, live bool) []byte {
	row := q.row[:0]
	row = append(append(row, ch.Row...), ch.Seq)
	op := ch.Op.String()
	if live || ch.Op != notify.OpDelete { // a replayed delete knows only the key: pass it on
		var ok bool
		if op, ok = q.decide(op, q.matches(row)); !ok {
			return nil
		}
	}
	msg := append(append([]byte(nil), prefix...), `"table":`...)
	msg = append(appendString(msg, q.name), `,"op":"`...)
	msg = append(append(msg, op...), `","seq":`...)
	msg = append(appendInt(msg, ch.Seq), `,"row":`...)
	return append(q.appendRow(msg, row), '}')
}
