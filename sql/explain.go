package sql

import (
	"context"
	"fmt"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// explainPlan is EXPLAIN [ANALYZE] of a query: one row per plan node and
// property, in PostgreSQL's text layout.
type explainPlan struct {
	q       relQuery
	analyze bool
}

func (s *Session) bindExplain(ex *pg_query.ExplainStmt, params *expr.Params) (plan, error) {
	p := &explainPlan{}
	for _, o := range ex.Options {
		d := o.GetDefElem()
		switch strings.ToLower(d.Defname) {
		case "analyze":
			p.analyze = d.Arg == nil || strings.ToLower(defElemText(d.Arg)) != "false"
		case "verbose", "costs", "buffers", "timing", "summary", "settings":
		case "format":
			if v := strings.ToLower(defElemText(d.Arg)); v != "text" {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "EXPLAIN format %s is not supported", v)
			}
		default:
			return nil, pgerr.New(pgerr.SyntaxError, "unrecognized EXPLAIN option %q", d.Defname)
		}
	}
	sel := ex.Query.GetSelectStmt()
	if sel == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "EXPLAIN supports only SELECT yet")
	}
	b := &binder{s: s, params: params}
	q, err := b.bindQuery(sel, nil)
	if err != nil {
		return nil, err
	}
	p.q = q
	return p, nil
}

func defElemText(n *pg_query.Node) string {
	if n == nil {
		return ""
	}
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	if b := n.GetBoolean(); b != nil {
		return fmt.Sprint(b.Boolval)
	}
	if c := n.GetAConst(); c != nil {
		if s := c.GetSval(); s != nil {
			return s.Sval
		}
		if b := c.GetBoolval(); b != nil {
			return fmt.Sprint(b.Boolval)
		}
	}
	return ""
}

func (p *explainPlan) kind() planKind { return kindRead }
func (p *explainPlan) columns() []Column {
	return []Column{{Name: "QUERY PLAN", Type: types.Of(types.Text)}}
}

func (p *explainPlan) exec(_ context.Context, x *execCtx) (*Result, error) {
	e := &explainer{x: x}
	p.q.explain(e)
	if p.analyze {
		start := time.Now()
		res, err := execQuery(x, p.q)
		if err != nil {
			return nil, err
		}
		e.lines = append(e.lines, fmt.Sprintf("Execution: rows=%d time=%.3f ms", len(res.Rows), float64(time.Since(start).Microseconds())/1000))
	}
	rows := make([][]any, len(e.lines))
	for i, l := range e.lines {
		rows[i] = []any{l}
	}
	return &Result{Columns: p.columns(), Rows: rows, Tag: fmt.Sprintf("EXPLAIN")}, nil
}

// explainer collects plan lines; nodes describe themselves and their
// inputs one level deeper.
type explainer struct {
	x     *execCtx
	lines []string
	depth int
}

func (e *explainer) line(name, detail string) {
	s := name
	if detail != "" {
		s += "  " + detail
	}
	if e.depth > 0 {
		s = strings.Repeat(" ", 6*(e.depth-1)) + "  ->  " + s
	}
	e.lines = append(e.lines, s)
}

// prop adds a property line to the node just written.
func (e *explainer) prop(s string) {
	indent := 2
	if e.depth > 0 {
		indent = 6*(e.depth-1) + 8
	}
	e.lines = append(e.lines, strings.Repeat(" ", indent)+s)
}

func (e *explainer) child(src rowSource) {
	e.depth++
	src.explain(e)
	e.depth--
}

func (e *explainer) childQuery(q relQuery) {
	e.depth++
	q.explain(e)
	e.depth--
}

func (p *selectPlan) explain(e *explainer) {
	depth := e.depth
	if p.limit != nil || p.offset != nil {
		detail := ""
		if limit, _, err := bounds(e.x.env, p.limit, nil); err == nil && limit >= 0 {
			detail = fmt.Sprintf("(rows=%d)", limit)
		}
		e.line("Limit", detail)
		e.depth++
	}
	if p.distinct || len(p.distinctOn) > 0 {
		e.line("Unique", "")
		e.depth++
	}
	if len(p.sortKeys) > 0 && !(p.ordered && p.agg == nil && p.win == nil) {
		e.line("Sort", fmt.Sprintf("(keys=%d)", len(p.sortKeys)))
		e.depth++
	}
	if p.srf != nil && len(p.srf.calls) > 0 {
		e.line("ProjectSet", "")
		e.depth++
	}
	if p.win != nil {
		e.line("WindowAgg", fmt.Sprintf("(functions=%d)", len(p.win.calls)))
		e.depth++
	}
	if p.agg != nil {
		if len(p.agg.groups) > 0 {
			e.line("HashAggregate", fmt.Sprintf("(groups by %d keys)", len(p.agg.groups)))
		} else {
			e.line("Aggregate", "(rows=1)")
		}
		if p.having != nil {
			e.prop("Filter: HAVING")
		}
		e.depth++
	}
	p.from.explain(e)
	if p.filter != nil {
		e.prop("Filter: WHERE")
	}
	e.depth = depth
}

func (n *scanNode) explain(e *explainer) {
	a := n.access
	t := n.ref.t
	kind := "Seq Scan"
	var detail []string
	switch {
	case a.index != nil:
		kind = "Index Scan using " + a.index.il.ix.Name
		if a.index.lo != nil || a.index.hi != nil {
			detail = append(detail, "(range)")
		}
	case len(t.PrimaryKey) > 0 && len(a.eq) == len(t.PrimaryKey):
		kind = "Point Get"
		detail = append(detail, "(rows=1)")
	case len(a.eq) > 0:
		kind = "Range Scan"
	}
	if a.reverse {
		kind += " Backward"
	}
	name := kind + " on " + t.Schema + "." + t.Name
	if n.ref.alias != t.Name {
		name += " " + n.ref.alias
	}
	e.line(name, strings.Join(detail, " "))
	part := "shared"
	if e.x != nil {
		if p, err := e.x.s.partition(n.ref); err == nil && p.User != "" {
			part = p.User
		} else if err != nil {
			part = "denied"
		}
	}
	e.prop("Partition: " + part)
	if a.index != nil {
		var names []string
		for _, c := range a.index.il.cols[:len(a.index.eq)] {
			names = append(names, t.Columns[c].Name)
		}
		if len(names) > 0 {
			e.prop("Index Cond: equality on (" + strings.Join(names, ", ") + ")")
		}
	}
	if len(a.eq) > 0 && a.index == nil {
		var conds []string
		for i, k := range a.eq {
			col := t.Columns[t.PrimaryKey[i]]
			val := "?"
			if e.x != nil {
				if v, err := k.Eval(e.x.env, nil); err == nil {
					if v == nil {
						val = "NULL"
					} else {
						val = "'" + string(types.AppendText(nil, k.Type().OID, v, e.x.env.Loc)) + "'"
					}
				}
			}
			conds = append(conds, col.Name+" = "+val)
		}
		e.prop("Key Cond: (" + strings.Join(conds, " AND ") + ")")
	}
	if n.ordered && (a.reverse || len(a.eq) < len(t.PrimaryKey)) {
		dir := "ascending"
		if a.reverse {
			dir = "descending"
		}
		e.prop("Order: primary key " + dir + " (serves ORDER BY; LIMIT stops the scan)")
	}
}

func (n *joinNode) explain(e *explainer) {
	name := "Nested Loop"
	if len(n.lkeys) > 0 {
		name = "Hash Join"
	}
	detail := "(" + n.kind.String()
	if n.lateral {
		detail += ", lateral"
	}
	e.line(name, detail+")")
	if len(n.lkeys) > 0 {
		e.prop(fmt.Sprintf("Hash Cond: %d equality keys", len(n.lkeys)))
	}
	if n.cond != nil {
		e.prop("Join Filter: ON")
	}
	e.child(n.left)
	e.child(n.right)
}

func (n *funcNode) explain(e *explainer) { e.line("Function Scan on "+n.f.name, "") }

func (n *cteNode) explain(e *explainer) {
	if n.self {
		e.line("WorkTable Scan on "+n.def.name, "")
		return
	}
	e.line("CTE Scan on "+n.def.name, "")
	if n.def.rec != nil {
		e.depth++
		e.line("Recursive Union", "")
		e.childQuery(n.def.q)
		e.childQuery(n.def.rec)
		e.depth--
		return
	}
	e.childQuery(n.def.q)
}

func (p *setopPlan) explain(e *explainer) {
	name := "HashSetOp " + strings.Title(strings.ToLower(opName(p.op)))
	if p.op == pg_query.SetOperation_SETOP_UNION {
		name = "HashAggregate (Union)"
		if p.all {
			name = "Append"
		}
	} else if p.all {
		name += " All"
	}
	e.line(name, "")
	e.childQuery(p.l)
	e.childQuery(p.r)
}

func (p *valuesPlan) explain(e *explainer) {
	e.line("Values Scan", fmt.Sprintf("(rows=%d)", len(p.rows)))
}

func (s *sortLimit) explain(e *explainer) {
	depth := e.depth
	if s.limit != nil || s.offset != nil {
		e.line("Limit", "")
		e.depth++
	}
	if len(s.keys) > 0 {
		e.line("Sort", fmt.Sprintf("(keys=%d)", len(s.keys)))
		e.depth++
	}
	s.q.explain(e)
	e.depth = depth
}
