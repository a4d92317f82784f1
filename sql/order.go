package sql

import (
	"context"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/types"
)

// sortRows orders rows by keys; key values sit after the first width
// columns unless the key names an output column.
func sortRows(ctx context.Context, rows [][]any, keys []sortKey, width int) error {
	sort.SliceStable(rows, func(a, b int) bool {
		extra := 0
		for _, k := range keys {
			idx := k.output
			if idx < 0 {
				idx = width + extra
				extra++
			}
			if c := compareNullable(k.oid, rows[a][idx], rows[b][idx], k.desc, k.nullsFirst); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return ctx.Err()
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

// distinctRows keeps the first row of each distinct projected tuple.
func distinctRows(rows [][]any, width int, cols []Column) [][]any {
	seen := map[string]bool{}
	out := rows[:0]
	var key []byte
	for _, r := range rows {
		key = key[:0]
		for i := 0; i < width; i++ {
			if r[i] == nil {
				key = append(key, 0)
				continue
			}
			key = append(key, 1)
			key = types.AppendText(key, cols[i].Type.OID, r[i], nil)
			key = append(key, 0xff, 0)
		}
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
		return strVal(f[len(f)-1])
	case n.GetFuncCall() != nil:
		f := n.GetFuncCall().Funcname
		return strVal(f[len(f)-1])
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if name := figureColname(tc.Arg); name != "?column?" {
			return name
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
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return "nullif"
	case n.GetSubLink() != nil && n.GetSubLink().SubLinkType == pg_query.SubLinkType_EXISTS_SUBLINK:
		return "exists"
	}
	return "?column?"
}
