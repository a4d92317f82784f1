package sql

import (
	"context"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// sortKey is one ORDER BY item: column col of the rows being sorted.
type sortKey struct {
	col        int
	desc       bool
	nullsFirst bool
	oid        types.OID
}

// sortKeyOf reads a SortBy's direction; NULLs sort as if larger than
// every value unless NULLS FIRST/LAST says otherwise.
func sortKeyOf(sb *pg_query.SortBy) sortKey {
	k := sortKey{desc: sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC}
	k.nullsFirst = k.desc
	switch sb.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		k.nullsFirst = true
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		k.nullsFirst = false
	}
	return k
}

func checkSortBy(sb *pg_query.SortBy) error {
	if sb.UseOp != nil {
		return pgerr.New(pgerr.FeatureNotSupported, "ORDER BY ... USING is not supported")
	}
	return nil
}

// sortRows orders rows by keys, stably.
func sortRows(ctx context.Context, rows [][]any, keys []sortKey) error {
	sortKeysStable(rows, keys)
	return ctx.Err()
}

func sortKeysStable(rows [][]any, keys []sortKey) {
	sort.SliceStable(rows, func(a, b int) bool { return compareRows(rows[a], rows[b], keys) < 0 })
}

func compareRows(a, b []any, keys []sortKey) int {
	for _, k := range keys {
		if c := compareNullable(k.oid, a[k.col], b[k.col], k.desc, k.nullsFirst); c != 0 {
			return c
		}
	}
	return 0
}

// compareNullable orders a before b (-1), after (+1) or equal, with
// NULLs placed first or last whatever the direction, and non-NULL values
// reversed for DESC.
func compareNullable(oid types.OID, a, b any, desc, nullsFirst bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsFirst {
			return -1
		}
		return 1
	case b == nil:
		if nullsFirst {
			return 1
		}
		return -1
	}
	c := types.Compare(oid, a, b)
	if desc {
		return -c
	}
	return c
}

// rowKey encodes the given columns of a row for hashing: equal values of
// one type give equal keys.
func rowKey(buf []byte, row []any, cols []int, oids []types.OID) []byte {
	for i, c := range cols {
		buf = appendGroupKey(buf, oids[i], row[c])
	}
	return buf
}

// distinctRows keeps the first row of each distinct tuple of the first
// width columns.
func distinctRows(rows [][]any, width int, cols []Column) [][]any {
	idx := make([]int, width)
	oids := make([]types.OID, width)
	for i := range idx {
		idx[i], oids[i] = i, cols[i].Type.OID
	}
	seen := map[string]bool{}
	out := rows[:0]
	var key []byte
	for _, r := range rows {
		key = rowKey(key[:0], r, idx, oids)
		if !seen[string(key)] {
			seen[string(key)] = true
			out = append(out, r)
		}
	}
	return out
}

// figureColname names an unnamed select-list item as PostgreSQL does.
func figureColname(n *pg_query.Node) string {
	switch {
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		if s := strVal(f[len(f)-1]); s != "" {
			return s
		}
	case n.GetFuncCall() != nil:
		f := n.GetFuncCall().Funcname
		return strVal(f[len(f)-1])
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		// A cast or CASE below names weakly: the outer type name wins.
		if tc.Arg.GetTypeCast() == nil && tc.Arg.GetCaseExpr() == nil {
			if name := figureColname(tc.Arg); name != "?column?" {
				return name
			}
		}
		names := tc.TypeName.Names
		return strVal(names[len(names)-1])
	case n.GetSqlvalueFunction() != nil:
		op := n.GetSqlvalueFunction().Op.String()
		return strings.ToLower(strings.TrimPrefix(op, "SVFOP_"))
	case n.GetCaseExpr() != nil:
		return "case"
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest"
		}
		return "least"
	case n.GetAArrayExpr() != nil:
		return "array"
	case n.GetRowExpr() != nil:
		return "row"
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return "nullif"
	case n.GetSubLink() != nil:
		sl := n.GetSubLink()
		switch sl.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists"
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array"
		case pg_query.SubLinkType_EXPR_SUBLINK:
			if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name
				}
				return figureColname(rt.Val)
			}
		}
	case n.GetAIndirection() != nil:
		return figureColname(n.GetAIndirection().Arg)
	}
	return "?column?"
}
