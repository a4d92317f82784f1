package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// onConflict is INSERT's ON CONFLICT clause. The arbiters are the
// constraints whose conflicts it handles: the primary key and unique
// indexes the conflict target names (every one of them for DO NOTHING
// without a target). A conflict on any other unique constraint is still
// an error, as in PostgreSQL.
type onConflict struct {
	pk      bool           // the primary key is an arbiter
	indexes []*indexLayout // unique indexes that are arbiters
	update  bool           // DO UPDATE (else DO NOTHING)
	sets    []assignment   // over the existing row followed by EXCLUDED
	where   expr.Expr      // DO UPDATE ... WHERE, same row
}

func (s *Session) bindOnConflict(oc *pg_query.OnConflictClause, ref *tableRef, layout *rowLayout, params *expr.Params) (*onConflict, error) {
	t := ref.t
	c := &onConflict{update: oc.Action == pg_query.OnConflictAction_ONCONFLICT_UPDATE}
	switch inf := oc.Infer; {
	case inf == nil:
		if c.update {
			return nil, pgerr.New(pgerr.SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name")
		}
		c.pk = len(t.PrimaryKey) > 0
		for _, il := range layout.indexes {
			if il.ix.Unique {
				c.indexes = append(c.indexes, il)
			}
		}
	case inf.Conname != "":
		if len(t.PrimaryKey) == 0 || inf.Conname != t.Name+"_pkey" {
			return nil, pgerr.New(pgerr.UndefinedObject, "constraint %q for table %q does not exist", inf.Conname, t.Name)
		}
		c.pk = true
	default:
		if inf.WhereClause != nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "ON CONFLICT with a WHERE clause on the target (partial indexes) is not supported")
		}
		want := map[int]bool{}
		for _, n := range inf.IndexElems {
			el := n.GetIndexElem()
			if el.Expr != nil {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
			}
			i := t.ColumnIndex(el.Name)
			if i < 0 {
				return nil, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", el.Name)
			}
			want[i] = true
		}
		c.pk = sameColumnSet(want, t.PrimaryKey)
		for _, il := range layout.indexes {
			if il.ix.Unique && sameColumnSet(want, il.cols) {
				c.indexes = append(c.indexes, il)
			}
		}
		if !c.pk && len(c.indexes) == 0 {
			return nil, pgerr.New(pgerr.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
		}
	}
	if !c.update {
		return c, nil
	}
	sc := excludedScope{ref: ref}
	for _, n := range oc.TargetList {
		rt := n.GetResTarget()
		i := t.ColumnIndex(rt.Name)
		if i < 0 {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", rt.Name, t.Name)
		}
		if len(rt.Indirection) > 0 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "assignment to array elements or fields is not supported")
		}
		a := assignment{col: i}
		node := rt.Val
		if node.GetSetToDefault() != nil {
			e, err := s.columnDefault(t, i, params)
			if err != nil {
				return nil, err
			}
			if e == nil {
				node = nil
			} else {
				a.e = e
				c.sets = append(c.sets, a)
				continue
			}
		}
		if node != nil {
			e, err := expr.CompileAssign(node, sc, params, t.Columns[i].Type, rt.Name)
			if err != nil {
				return nil, err
			}
			a.e = e
		}
		c.sets = append(c.sets, a)
	}
	if oc.WhereClause != nil {
		var err error
		if c.where, err = expr.CompileBool(oc.WhereClause, sc, params, "WHERE"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// sameColumnSet reports whether cols holds exactly the columns of want.
func sameColumnSet(want map[int]bool, cols []int) bool {
	if len(cols) == 0 {
		return false
	}
	seen := map[int]bool{}
	for _, c := range cols {
		if !want[c] {
			return false
		}
		seen[c] = true
	}
	return len(seen) == len(want)
}

// insert writes row unless it conflicts with an arbiter; then it does
// nothing or updates the existing row. It returns the row written (for
// RETURNING and the count) or nil when nothing was. touched holds the keys
// the statement inserted or updated so far: DO UPDATE may not reach one of
// them again (21000).
func (c *onConflict) insert(x *execCtx, p *insertPlan, part hotstore.Partition, row []any, touched map[string]bool) ([]any, error) {
	l := p.layout
	// NOT NULL comes first, as in PostgreSQL.
	if err := l.checkRow(row); err != nil {
		return nil, err
	}
	old, found, err := c.existing(x, l, part, row)
	if err != nil {
		return nil, err
	}
	if !found {
		if err := l.insertRow(x, part, p.changes, row); err != nil {
			return nil, err
		}
		return row, c.touch(l, row, touched)
	}
	if !c.update {
		return nil, nil
	}
	key, err := l.key(old)
	if err != nil {
		return nil, err
	}
	if touched[string(key)] {
		e := pgerr.New(pgerr.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time")
		e.Hint = "Ensure that no rows proposed for insertion within the same command have duplicate constrained values."
		return nil, e
	}
	// The SET and WHERE expressions see the existing row, then EXCLUDED.
	w := l.width()
	both := make([]any, 2*w)
	copy(both, old)
	copy(both[w:], row)
	if c.where != nil {
		ok, err := c.where.Eval(x.env, both)
		if err != nil || ok != true {
			return nil, err
		}
	}
	next := append([]any(nil), old...)
	for _, a := range c.sets {
		var v any
		if a.e != nil {
			if v, err = a.e.Eval(x.env, both); err != nil {
				return nil, err
			}
		}
		next[a.col] = v
	}
	if err := l.updateRow(x, part, p.changes, old, next); err != nil {
		return nil, err
	}
	return next, c.touch(l, next, touched)
}

// existing finds the live row an arbiter says row conflicts with.
func (c *onConflict) existing(x *execCtx, l *rowLayout, part hotstore.Partition, row []any) ([]any, bool, error) {
	if c.pk {
		key, err := l.key(row)
		if err != nil {
			return nil, false, err
		}
		if old, ok, err := fetchRow(x, part, l, key); err != nil || ok {
			return old, ok, err
		}
	}
	for _, il := range c.indexes {
		if old, ok, err := l.conflictingRow(x, part, il, row); err != nil || ok {
			return old, ok, err
		}
	}
	return nil, false, nil
}

func (c *onConflict) touch(l *rowLayout, row []any, touched map[string]bool) error {
	if !c.update {
		return nil
	}
	key, err := l.key(row)
	if err != nil {
		return err
	}
	touched[string(key)] = true
	return nil
}

// excludedScope resolves the names of ON CONFLICT DO UPDATE: the target
// table (by name or alias) is the first half of the row, EXCLUDED the
// second. An unqualified name is in both, hence ambiguous, as in
// PostgreSQL.
type excludedScope struct{ ref *tableRef }

func (sc excludedScope) Column(names []string) (int, types.Type, error) {
	ts := tableScope{ref: sc.ref}
	switch {
	case len(names) == 2 && names[0] == "excluded":
		i, t, err := ts.Column(names[1:])
		return i + ts.width(), t, err
	case len(names) == 1:
		if _, _, err := ts.Column(names); err != nil {
			return 0, types.Type{}, err
		}
		return 0, types.Type{}, pgerr.New(pgerr.AmbiguousColumn, "column reference %q is ambiguous", names[0])
	}
	return ts.Column(names)
}

func (excludedScope) Aggregate(*pg_query.FuncCall) (int, types.Type, bool, error) {
	return 0, types.Type{}, false, nil
}
