package sql

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// A query runs as a small tree of row sources. Rows stream through
// filters and joins; sorts, hash tables, groups and materialized inputs
// hold their rows in memory under the run's budget.

// defaultMemBudget bounds what one sort, hash table or materialized input
// may hold when the session sets no work_mem.
const defaultMemBudget = 256 << 20

// rowFunc receives rows; it returns false to stop the producer early.
type rowFunc func(row []any) (bool, error)

// rowSource produces the rows of a FROM item.
type rowSource interface {
	run(r *qrun, env *expr.Env, fn rowFunc) error
	explain(e *explainer)
}

// query is a bound SELECT, set operation or VALUES list.
type relQuery interface {
	resultColumns() []Column
	run(r *qrun, env *expr.Env, fn rowFunc) error
	explain(e *explainer)
}

// qrun is the state of one execution of a query tree.
type qrun struct {
	x      *execCtx
	budget int64
	// The maps are made on first use: most statements have neither WITH
	// nor subqueries.
	ctes map[*cteDef][][]any  // materialized WITH queries
	work map[*cteDef][][]any  // a recursive query's working table
	subs map[*subPlan][][]any // uncorrelated subqueries' rows
	n    int                  // rows seen, for periodic cancellation checks
}

func newRun(x *execCtx) *qrun {
	r := &qrun{x: x, budget: defaultMemBudget}
	if v, ok := x.s.settings.get("work_mem"); ok {
		if n, ok := parseMemSize(v); ok && n > 0 {
			r.budget = n
		}
	}
	return r
}

// setCTE keeps a materialized WITH query's rows.
func (r *qrun) setCTE(def *cteDef, rows [][]any) {
	if r.ctes == nil {
		r.ctes = map[*cteDef][][]any{}
	}
	r.ctes[def] = rows
}

// runOf finds the execution a subquery belongs to.
func runOf(env *expr.Env) (*qrun, error) {
	r, ok := env.Exec.(*qrun)
	if !ok {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "subqueries are not supported in this statement")
	}
	return r, nil
}

// tick checks for cancellation every so often.
func (r *qrun) tick() error {
	r.n++
	if r.n%1024 == 0 {
		return r.x.ctxErr()
	}
	return nil
}

// parseMemSize reads a PostgreSQL memory setting ("64MB", "4096" kB).
func parseMemSize(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	unit := int64(1024)
	for _, u := range []struct {
		s string
		m int64
	}{{"kB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40}} {
		if strings.HasSuffix(v, u.s) {
			v, unit = strings.TrimSpace(strings.TrimSuffix(v, u.s)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n * unit, err == nil
}

// memTracker counts the approximate bytes one operator holds.
type memTracker struct {
	r    *qrun
	used int64
}

func (m *memTracker) add(row []any) error {
	m.used += rowSize(row)
	if m.used > m.r.budget {
		return pgerr.New(pgerr.OutOfMemory, "out of memory: query needs more than %d MB", m.r.budget>>20)
	}
	return nil
}

func rowSize(row []any) int64 {
	n := int64(24 + 16*len(row))
	for _, v := range row {
		switch x := v.(type) {
		case string:
			n += int64(len(x))
		case []byte:
			n += int64(len(x))
		case []any:
			n += rowSize(x)
		case *apd.Decimal:
			n += 48
		case time.Time:
			n += 24
		}
	}
	return n
}

// collect materializes a source under the budget.
func collect(r *qrun, env *expr.Env, src interface {
	run(*qrun, *expr.Env, rowFunc) error
}) ([][]any, error) {
	m := memTracker{r: r}
	var rows [][]any
	err := src.run(r, env, func(row []any) (bool, error) {
		if err := m.add(row); err != nil {
			return false, err
		}
		rows = append(rows, row)
		return true, nil
	})
	return rows, err
}

// withOuter returns env with row pushed as the innermost outer row.
func withOuter(env *expr.Env, row []any) *expr.Env {
	child := *env
	child.Outer = append(env.Outer[:len(env.Outer):len(env.Outer)], row)
	return &child
}

// resultNode is the single empty row of a SELECT without FROM.
type resultNode struct{}

func (resultNode) run(_ *qrun, _ *expr.Env, fn rowFunc) error {
	_, err := fn(nil)
	return err
}

func (resultNode) explain(e *explainer) { e.line("Result", "") }

// scanNode reads one table's partition through its access path.
type scanNode struct {
	ref    *tableRef
	access *access
	// order describes the scan order for EXPLAIN ("" when not used).
	ordered bool
}

func (n *scanNode) run(r *qrun, env *expr.Env, fn rowFunc) error {
	return n.runRows(r, env, false, fn)
}

// runRows is run; reuse says fn keeps no row past its call (access.scanRows).
func (n *scanNode) runRows(r *qrun, env *expr.Env, reuse bool, fn rowFunc) error {
	part, err := r.x.s.partition(n.ref)
	if err != nil {
		return err
	}
	x := r.x
	if env != x.env {
		cx := *x
		cx.env = env
		x = &cx
	}
	return n.access.scanRows(x, part, reuse, fn)
}

// filterNode passes the rows for which cond is true.
type filterNode struct {
	in   rowSource
	cond expr.Expr
}

func (n *filterNode) run(r *qrun, env *expr.Env, fn rowFunc) error {
	return n.in.run(r, env, func(row []any) (bool, error) {
		ok, err := n.cond.Eval(env, row)
		if err != nil || ok != true {
			return err == nil, err
		}
		return fn(row)
	})
}

func (n *filterNode) explain(e *explainer) {
	e.line("Filter", "")
	e.child(n.in)
}

// queryNode is a subquery in FROM (or a CTE body run inline): its result
// rows, renamed by the FROM item's alias.
type queryNode struct {
	q relQuery
}

func (n *queryNode) run(r *qrun, env *expr.Env, fn rowFunc) error { return n.q.run(r, env, fn) }
func (n *queryNode) explain(e *explainer) {
	e.line("Subquery Scan", "")
	e.childQuery(n.q)
}

// queryPlan executes a query as a statement.
type queryPlan struct {
	q relQuery
}

func (p *queryPlan) kind() planKind    { return kindRead }
func (p *queryPlan) columns() []Column { return p.q.resultColumns() }
func (p *queryPlan) exec(_ context.Context, x *execCtx) (*Result, error) {
	return execQuery(x, p.q)
}

// execQuery runs q to completion as a statement's result.
func execQuery(x *execCtx, q relQuery) (*Result, error) {
	r := newRun(x)
	x.env.Exec = r
	var rows [][]any
	var err error
	if sp, ok := q.(*selectPlan); ok {
		rows, err = sp.collectRows(r, x.env)
	} else {
		rows, err = collect(r, x.env, q)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Columns: q.resultColumns(), Rows: rows, Tag: "SELECT " + strconv.Itoa(len(rows))}, nil
}
