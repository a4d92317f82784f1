package sql

import (
	"context"
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// insertPlan inserts VALUES rows or the rows of a SELECT.
type insertPlan struct {
	ref      *tableRef
	layout   *rowLayout
	targets  []int         // table column of each supplied value
	values   [][]expr.Expr // VALUES rows; nil entries mean DEFAULT
	source   plan          // INSERT ... SELECT
	defaults []expr.Expr   // per table column, nil for none
	ret      *returning
	changes  *notify.Table // per-user tables: rows go to the change channel
	conflict *onConflict   // ON CONFLICT, nil without
}

func (p *insertPlan) kind() planKind    { return kindWrite }
func (p *insertPlan) columns() []Column { return p.ret.columns() }

func (s *Session) bindInsert(ins *pg_query.InsertStmt, params *expr.Params) (plan, error) {
	if ins.WithClause != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "WITH is not supported yet")
	}
	ref, err := s.resolveTable(ins.Relation)
	if err != nil {
		return nil, err
	}
	layout, err := newRowLayout(ref.t)
	if err != nil {
		return nil, err
	}
	t := ref.t
	p := &insertPlan{ref: ref, layout: layout, changes: changeTable(ref.t)}
	if len(ins.Cols) == 0 {
		for i := range t.Columns {
			p.targets = append(p.targets, i)
		}
	}
	for _, c := range ins.Cols {
		rt := c.GetResTarget()
		i := t.ColumnIndex(rt.Name)
		if i < 0 {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", rt.Name, t.Name)
		}
		if len(rt.Indirection) > 0 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "assignment to array elements or fields is not supported")
		}
		for _, prev := range p.targets {
			if prev == i {
				return nil, pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", rt.Name)
			}
		}
		p.targets = append(p.targets, i)
	}
	if p.defaults, err = compileDefaults(s, t, params); err != nil {
		return nil, err
	}
	switch sel := ins.SelectStmt.GetSelectStmt(); {
	case sel == nil:
		// INSERT ... DEFAULT VALUES
	case len(sel.ValuesLists) > 0:
		for _, l := range sel.ValuesLists {
			items := l.GetList().Items
			if len(items) > len(p.targets) {
				return nil, pgerr.New(pgerr.SyntaxError, "INSERT has more expressions than target columns")
			}
			if len(items) < len(p.targets) && len(ins.Cols) > 0 {
				return nil, pgerr.New(pgerr.SyntaxError, "INSERT has more target columns than expressions")
			}
			row := make([]expr.Expr, len(items))
			for j, n := range items {
				if n.GetSetToDefault() != nil {
					continue
				}
				if row[j], err = expr.CompileAs(n, noScope{}, params, t.Columns[p.targets[j]].Type); err != nil {
					return nil, err
				}
			}
			p.values = append(p.values, row)
		}
	default:
		if p.source, err = s.bindSelect(sel, params); err != nil {
			return nil, err
		}
		if n := len(p.source.columns()); n > len(p.targets) {
			return nil, pgerr.New(pgerr.SyntaxError, "INSERT has more expressions than target columns")
		}
	}
	if err := applyIdentityOverride(t, ins.Override, p); err != nil {
		return nil, err
	}
	if ins.OnConflictClause != nil {
		if p.conflict, err = s.bindOnConflict(ins.OnConflictClause, ref, layout, params); err != nil {
			return nil, err
		}
	}
	if p.ret, err = bindReturning(ins.ReturningList, ref, params); err != nil {
		return nil, err
	}
	return p, nil
}

// compileDefaults compiles each column's default expression.
func compileDefaults(s *Session, t *catalog.Table, params *expr.Params) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(t.Columns))
	for i := range t.Columns {
		var err error
		if out[i], err = s.columnDefault(t, i, params); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// columnDefault compiles the default of column i of t: nil for none, the
// next value for an identity column.
func (s *Session) columnDefault(t *catalog.Table, i int, params *expr.Params) (expr.Expr, error) {
	c := t.Columns[i]
	if c.Identity != "" {
		return newIdentityExpr(s.eng, t, i), nil
	}
	if c.Default == "" {
		return nil, nil
	}
	n, err := s.eng.parseExpr(c.Default)
	if err != nil {
		return nil, err
	}
	return expr.CompileAs(n, noScope{}, params, c.Type)
}

func (p *insertPlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	part, err := x.s.partition(p.ref)
	if err != nil {
		return nil, err
	}
	var n int64
	var out [][]any
	var touched map[string]bool // ON CONFLICT DO UPDATE: keys written
	if p.conflict != nil && p.conflict.update {
		touched = map[string]bool{}
	}
	insert := func(supplied []any, exprs []expr.Expr) error {
		row, err := p.newRow(x, supplied, exprs)
		if err != nil {
			return err
		}
		if p.conflict != nil {
			if row, err = p.conflict.insert(x, p, part, row, touched); err != nil || row == nil {
				return err
			}
		} else if err := p.write(x, part, row); err != nil {
			return err
		}
		n++
		if p.ret != nil {
			r, err := p.ret.eval(x.env, row)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	}
	switch {
	case p.source != nil:
		res, err := p.source.exec(ctx, x)
		if err != nil {
			return nil, err
		}
		srcCols := p.source.columns()
		for _, r := range res.Rows {
			for j := range r {
				if r[j], err = assignCast(r[j], srcCols[j].Type, p.ref.t.Columns[p.targets[j]].Type, x.env); err != nil {
					return nil, err
				}
			}
			if err := insert(r, nil); err != nil {
				return nil, err
			}
		}
	case p.values == nil:
		if err := insert(nil, nil); err != nil {
			return nil, err
		}
	default:
		for _, exprs := range p.values {
			if err := insert(nil, exprs); err != nil {
				return nil, err
			}
		}
	}
	return p.ret.result(out, "INSERT 0 "+strconv.FormatInt(n, 10)), nil
}

// newRow builds a full row from supplied values (or VALUES expressions)
// and column defaults.
func (p *insertPlan) newRow(x *execCtx, supplied []any, exprs []expr.Expr) ([]any, error) {
	t := p.ref.t
	row := make([]any, p.layout.width())
	set := make([]bool, len(t.Columns))
	for j, e := range exprs {
		if e == nil {
			continue // DEFAULT
		}
		v, err := e.Eval(x.env, nil)
		if err != nil {
			return nil, err
		}
		row[p.targets[j]], set[p.targets[j]] = v, true
	}
	for j, v := range supplied {
		row[p.targets[j]], set[p.targets[j]] = v, true
	}
	for i, d := range p.defaults {
		if set[i] || d == nil {
			continue
		}
		v, err := d.Eval(x.env, nil)
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}

// write stores a new row, enforcing NOT NULL, key and index uniqueness.
func (p *insertPlan) write(x *execCtx, part hotstore.Partition, row []any) error {
	return p.layout.insertRow(x, part, p.changes, row)
}

// assignCast converts a value for a column of another type, as an
// INSERT ... SELECT or UPDATE assignment does.
func assignCast(v any, from, to types.Type, env *expr.Env) (any, error) {
	if v == nil || (from.OID == to.OID && to.Mod < 0) {
		return v, nil
	}
	return types.CastAssign(v, from, to, env.Loc)
}
