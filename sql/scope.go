package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// Hidden system columns follow a table's columns in every evaluated row.
const (
	seqColumn     = "_seq"
	deletedColumn = "_deleted"
	hiddenColumns = 2
)

// noScope is the scope of expressions without a FROM clause.
type noScope struct{}

func (noScope) Column(names []string) (int, types.Type, error) {
	return 0, types.Type{}, errNoColumn(names)
}

func (noScope) Aggregate(*pg_query.FuncCall) (int, types.Type, bool, error) {
	return 0, types.Type{}, false, nil
}

func errNoColumn(names []string) error {
	name := names[len(names)-1]
	if len(names) > 1 {
		return pgerr.New(pgerr.UndefinedColumn, "column %s.%s does not exist", names[len(names)-2], name)
	}
	return pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
}

// tableScope resolves columns of one table; rows are the table's columns
// followed by _seq and _deleted.
type tableScope struct {
	ref *tableRef
}

func (sc tableScope) width() int { return len(sc.ref.t.Columns) + hiddenColumns }

func (sc tableScope) Column(names []string) (int, types.Type, error) {
	t := sc.ref.t
	switch len(names) {
	case 1:
	case 2:
		if names[0] != sc.ref.alias {
			return 0, types.Type{}, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", names[0])
		}
	case 3:
		if names[1] != sc.ref.alias || (names[0] != t.Schema && names[0] != sc.ref.addressed) {
			return 0, types.Type{}, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", names[1])
		}
	default:
		return 0, types.Type{}, pgerr.New(pgerr.SyntaxError, "improper qualified name (too many dotted names)")
	}
	name := names[len(names)-1]
	if i := t.ColumnIndex(name); i >= 0 {
		return i, t.Columns[i].Type, nil
	}
	switch name {
	case seqColumn:
		return len(t.Columns), types.Of(types.Int8), nil
	case deletedColumn:
		return len(t.Columns) + 1, types.Of(types.Bool), nil
	}
	return 0, types.Type{}, errNoColumn(names)
}

func (tableScope) Aggregate(*pg_query.FuncCall) (int, types.Type, bool, error) {
	return 0, types.Type{}, false, nil
}

// columnOf returns the table column a plain column reference names, for
// RowDescription's table OID and attribute number.
func columnOf(sc tableScope, n *pg_query.Node) (idx int, ok bool) {
	cr := n.GetColumnRef()
	if cr == nil {
		return 0, false
	}
	names := nameList(cr.Fields)
	i, _, err := sc.Column(names)
	if err != nil || i >= len(sc.ref.t.Columns) {
		return 0, false
	}
	return i, true
}

// tableColumn describes table column i as a result column.
func tableColumn(t *catalog.Table, i int) Column {
	return Column{Name: t.Columns[i].Name, Type: t.Columns[i].Type, TableOID: t.ID, Attr: int16(i + 1)}
}
