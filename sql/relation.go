package sql

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// SQLSTATEs pgerr has no name for yet.
const (
	codeDuplicateAlias = "42712"
	codeWindowingError = "42P20"
)

// relCol is one column of a relation (a FROM item, a join, a subquery).
type relCol struct {
	qual   string // the FROM item's alias; "" for merged USING columns
	schema string // schema (or addressed user) for schema.table.column
	name   string
	t      types.Type
	hidden bool // _seq and _deleted: reachable by name, never by *
	// noUnqual marks a side column merged away by USING/NATURAL: the
	// unqualified name means the merged column.
	noUnqual bool
	// wholeRow marks the only column of a function in FROM: its bare
	// alias reads it, as PostgreSQL's whole-row reference to a function
	// returning one value yields that value.
	wholeRow bool
	tableOID uint32
	attr     int16
}

// outerScope is a scope that subqueries and LATERAL items can reach
// through: it resolves a name to a row of some enclosing level.
type outerScope interface {
	expr.Scope
	// lookup resolves names to the column idx of the row level levels
	// out (0: the scope's own row).
	lookup(names []string) (level, idx int, t types.Type, err error)
}

// relScope resolves names against a relation's columns, then against the
// enclosing query (correlated references).
type relScope struct {
	b     *binder
	cols  []relCol
	star  []int // columns of an unqualified *, in order
	outer outerScope
}

func newRelScope(b *binder, cols []relCol, outer outerScope) *relScope {
	sc := &relScope{b: b, cols: cols, outer: outer}
	for i, c := range cols {
		if !c.hidden && !c.noUnqual {
			sc.star = append(sc.star, i)
		}
	}
	return sc
}

func isNotFound(err error) bool {
	code := pgerr.Code(err)
	return code == pgerr.UndefinedColumn || code == pgerr.UndefinedTable
}

// Column resolves names among the relation's own columns.
func (sc *relScope) Column(names []string) (int, types.Type, error) {
	i, err := findColumn(sc.cols, names)
	if err != nil {
		return 0, types.Type{}, err
	}
	return i, sc.cols[i].t, nil
}

func (sc *relScope) lookup(names []string) (int, int, types.Type, error) {
	i, t, err := sc.Column(names)
	if err == nil || !isNotFound(err) || sc.outer == nil {
		return 0, i, t, err
	}
	level, idx, ot, oerr := sc.outer.lookup(names)
	if oerr != nil {
		if isNotFound(oerr) {
			return 0, 0, types.Type{}, err
		}
		return 0, 0, types.Type{}, oerr
	}
	if sc.b != nil {
		sc.b.outerRefs++
	}
	return level + 1, idx, ot, nil
}

func (sc *relScope) ColumnExpr(names []string) (expr.Expr, error) {
	return levelExpr(sc.lookup(names))
}

// levelExpr turns a lookup into a column read of this row or an outer one.
func levelExpr(level, idx int, t types.Type, err error) (expr.Expr, error) {
	if err != nil {
		return nil, err
	}
	if level == 0 {
		return columnExpr{idx, t}, nil
	}
	return expr.OuterColumn(level, idx, t), nil
}

func (sc *relScope) Aggregate(*pg_query.FuncCall) (int, types.Type, bool, error) {
	return 0, types.Type{}, false, nil
}

func (sc *relScope) Subquery(sel *pg_query.Node) (expr.Subquery, error) {
	return sc.b.subquery(sel, sc)
}

// findColumn finds names (column, table.column or schema.table.column).
func findColumn(cols []relCol, names []string) (int, error) {
	name := names[len(names)-1]
	var qual, schema string
	switch len(names) {
	case 1:
	case 2:
		qual = names[0]
	case 3:
		schema, qual = names[0], names[1]
	default:
		return 0, pgerr.New(pgerr.SyntaxError, "improper qualified name (too many dotted names)")
	}
	found, qualSeen := -1, false
	for i, c := range cols {
		if qual != "" {
			if c.qual != qual || (schema != "" && c.schema != schema) {
				continue
			}
			qualSeen = true
		} else if c.noUnqual || c.qual == "" && c.name == "" {
			continue
		}
		if c.name != name {
			continue
		}
		if found >= 0 {
			return 0, pgerr.New(pgerr.AmbiguousColumn, "column reference %q is ambiguous", strings.Join(names, "."))
		}
		found = i
	}
	if found >= 0 {
		return found, nil
	}
	if qual != "" && !qualSeen {
		return 0, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", qual)
	}
	if len(names) == 1 {
		for i, c := range cols {
			if c.wholeRow && c.qual == name {
				return i, nil
			}
		}
	}
	return 0, errNoColumn(names)
}

// noColsScope is a scope with no columns of its own inside a query that
// may be correlated: LIMIT, VALUES rows, function arguments.
func (b *binder) noColsScope(outer outerScope) expr.Scope {
	if outer == nil {
		return noScopeSub{b: b}
	}
	return newRelScope(b, nil, outer)
}

// noScopeSub is noScope that still plans (uncorrelated) subqueries.
type noScopeSub struct {
	noScope
	b *binder
}

func (n noScopeSub) Subquery(sel *pg_query.Node) (expr.Subquery, error) {
	return n.b.subquery(sel, newRelScope(n.b, nil, nil))
}
