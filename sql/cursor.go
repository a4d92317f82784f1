package sql

import (
	"context"
	"math"
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// DECLARE's option bits, as in PostgreSQL's parsenodes.h.
const (
	cursorOptBinary   = 0x0001
	cursorOptNoScroll = 0x0004
	cursorOptHold     = 0x0020
)

// codeDuplicateCursor is PostgreSQL's duplicate_cursor.
const codeDuplicateCursor = "42P03"

// cursor is a SQL cursor (DECLARE). Its query runs once, at DECLARE, and
// FETCH hands out the materialized rows; the executor materializes query
// results anyway, so this costs no more than the query itself.
type cursor struct {
	cols     []Column
	rows     [][]any
	pos      int // 0: before the first row; len(rows)+1: after the last
	binary   bool
	hold     bool
	noScroll bool
	tx       *transaction // the transaction that declared it; nil once held past it
}

// declarePlan runs DECLARE name CURSOR FOR query.
type declarePlan struct {
	name string
	opts int32
	src  plan
}

func (p *declarePlan) kind() planKind    { return kindRead }
func (p *declarePlan) columns() []Column { return nil }

func (s *Session) bindDeclare(st *pg_query.DeclareCursorStmt, params *expr.Params) (plan, error) {
	src, err := s.bind(st.Query, params)
	if err != nil {
		return nil, err
	}
	if src.columns() == nil || src.kind() != kindRead {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "DECLARE CURSOR must be a query that returns rows")
	}
	return &declarePlan{name: st.Portalname, opts: st.Options, src: src}, nil
}

func (p *declarePlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	s := x.s
	hold := p.opts&cursorOptHold != 0
	if !hold && (s.tx == nil || !s.tx.explicit) {
		return nil, pgerr.New(pgerr.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, dup := s.cursors[p.name]; dup {
		return nil, pgerr.New(codeDuplicateCursor, "cursor \"%s\" already exists", p.name)
	}
	res, err := p.src.exec(ctx, x)
	if err != nil {
		return nil, err
	}
	if s.cursors == nil {
		s.cursors = make(map[string]*cursor)
	}
	s.cursors[p.name] = &cursor{
		cols: p.src.columns(), rows: res.Rows,
		binary: p.opts&cursorOptBinary != 0, hold: hold, noScroll: p.opts&cursorOptNoScroll != 0,
		tx: s.tx,
	}
	return tagOnly("DECLARE CURSOR"), nil
}

func (s *Session) cursor(name string) (*cursor, error) {
	c, ok := s.cursors[name]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidCursorName, "cursor \"%s\" does not exist", name)
	}
	return c, nil
}

// fetchPlan runs FETCH and MOVE.
type fetchPlan struct {
	st   *pg_query.FetchStmt
	cols []Column // nil for MOVE
	// late: the cursor did not exist when FETCH was bound, so its columns
	// are known only once it does (Statement.Columns asks again).
	late bool
}

func (p *fetchPlan) kind() planKind    { return kindUtility }
func (p *fetchPlan) columns() []Column { return p.cols }

func (s *Session) bindFetch(st *pg_query.FetchStmt) (plan, error) {
	p := &fetchPlan{st: st}
	c, err := s.cursor(st.Portalname)
	if err != nil {
		// PostgreSQL looks the cursor up when FETCH runs: prepared before
		// its DECLARE, it is described as returning no data.
		p.late = !st.Ismove
		return p, nil
	}
	if !st.Ismove {
		p.cols = c.cols
	}
	return p, nil
}

func (p *fetchPlan) exec(_ context.Context, x *execCtx) (*Result, error) {
	c, err := x.s.cursor(p.st.Portalname)
	if err != nil {
		return nil, err
	}
	rows, err := c.fetch(p.st.Direction, p.st.HowMany)
	if err != nil {
		return nil, err
	}
	if p.st.Ismove {
		return tagOnly("MOVE " + strconv.Itoa(len(rows))), nil
	}
	return &Result{Columns: c.cols, Rows: rows, Tag: "FETCH " + strconv.Itoa(len(rows)), Binary: c.binary}, nil
}

// fetch moves the cursor as FETCH direction how does and returns the rows
// passed over, following PostgreSQL's positioning rules.
func (c *cursor) fetch(dir pg_query.FetchDirection, how int64) ([][]any, error) {
	n := len(c.rows)
	backward := dir == pg_query.FetchDirection_FETCH_BACKWARD ||
		(dir == pg_query.FetchDirection_FETCH_RELATIVE && how < 0) ||
		(dir == pg_query.FetchDirection_FETCH_ABSOLUTE && (how < 0 || int64(c.pos) > how))
	if backward && c.noScroll {
		return nil, &pgerr.Error{Code: pgerr.ObjectNotInPrerequisiteState, Message: "cursor can only scan forward",
			Hint: "Declare it with SCROLL option to enable backward scan."}
	}
	current := func() [][]any {
		if c.pos >= 1 && c.pos <= n {
			return c.rows[c.pos-1 : c.pos]
		}
		return nil
	}
	absolute := func(k int64) [][]any {
		if k < 0 {
			k += int64(n) + 1
		}
		switch {
		case k <= 0:
			c.pos = 0
			return nil
		case k > int64(n):
			c.pos = n + 1
			return nil
		}
		c.pos = int(k)
		return current()
	}
	switch dir {
	case pg_query.FetchDirection_FETCH_ABSOLUTE:
		return absolute(how), nil
	case pg_query.FetchDirection_FETCH_RELATIVE:
		if how == 0 {
			return current(), nil
		}
		t := int64(c.pos) + how
		if t <= 0 {
			c.pos = 0
			return nil, nil
		}
		return absolute(t), nil
	case pg_query.FetchDirection_FETCH_BACKWARD:
		if how == 0 {
			return current(), nil
		}
		var out [][]any
		for c.pos > 1 && int64(len(out)) < how {
			c.pos--
			out = append(out, c.rows[c.pos-1])
		}
		if int64(len(out)) < how {
			c.pos = 0
		}
		return out, nil
	}
	// FORWARD (and FETCH with no direction).
	if how == 0 {
		return current(), nil
	}
	if how == math.MaxInt64 || how > int64(n) {
		how = int64(n) + 1
	}
	start := min(c.pos, n)
	end := min(start+int(how), n)
	out := c.rows[start:end]
	c.pos = end
	if int64(len(out)) < how {
		c.pos = n + 1
	}
	return out, nil
}

// bindClose runs CLOSE name and CLOSE ALL.
func (s *Session) bindClose(st *pg_query.ClosePortalStmt) (plan, error) {
	name := st.Portalname
	return utility(func(context.Context, *execCtx) (*Result, error) {
		if name == "" {
			clear(s.cursors)
			return tagOnly("CLOSE CURSOR ALL"), nil
		}
		if _, err := s.cursor(name); err != nil {
			return nil, err
		}
		delete(s.cursors, name)
		return tagOnly("CLOSE CURSOR"), nil
	}), nil
}

// cursorsAtEnd closes the cursors that end with tx: all but WITH HOLD
// ones, and on rollback also the held ones tx declared.
func (s *Session) cursorsAtEnd(tx *transaction, committed bool) {
	for name, c := range s.cursors {
		switch {
		case !c.hold:
			delete(s.cursors, name)
		case c.tx != nil && c.tx == tx && !committed:
			delete(s.cursors, name)
		case c.tx == tx:
			c.tx = nil
		}
	}
}
