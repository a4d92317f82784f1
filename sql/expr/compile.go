package expr

import (
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// Compile compiles an expression node against scope. An untyped literal
// that nothing gives a type becomes text, as in PostgreSQL's SELECT 'x'.
func Compile(node *pg_query.Node, scope Scope, params *Params) (Expr, error) {
	c := newCompiler(scope, params)
	e, err := c.expr(node)
	if err != nil {
		return nil, err
	}
	return c.resolveUnknown(e)
}

// CompileAs compiles node for a slot of type want (an INSERT value, an
// UPDATE SET, a column default): untyped literals and parameters take
// want, other types are converted with PostgreSQL's assignment casts
// (42804 when none exists).
func CompileAs(node *pg_query.Node, scope Scope, params *Params, want types.Type) (Expr, error) {
	return CompileAssign(node, scope, params, want, "")
}

// CompileAssign is CompileAs for a named column: the column's name appears
// in the 42804 message as in PostgreSQL's INSERT and UPDATE errors.
func CompileAssign(node *pg_query.Node, scope Scope, params *Params, want types.Type, column string) (Expr, error) {
	c := newCompiler(scope, params)
	e, err := c.expr(node)
	if err != nil {
		return nil, err
	}
	return c.assign(e, want, column)
}

// CompileBool compiles a WHERE/HAVING-style condition; clause names the
// clause in the 42804 message ("argument of WHERE must be type boolean").
func CompileBool(node *pg_query.Node, scope Scope, params *Params, clause string) (Expr, error) {
	c := newCompiler(scope, params)
	c.clause = clause
	e, err := c.expr(node)
	if err != nil {
		return nil, err
	}
	return c.boolArg(e, clause)
}

// Const returns an expression that always yields v of type t.
func Const(v any, t types.Type) Expr { return &constExpr{v: v, t: t} }

// IsAggregate reports whether name (lower case, unqualified) is an
// aggregate function: count, sum, avg, min, max, bool_and, bool_or,
// string_agg, array_agg, jsonb_agg.
func IsAggregate(name string) bool {
	switch name {
	case "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every",
		"string_agg", "array_agg", "jsonb_agg", "json_agg", "jsonb_object_agg", "json_object_agg":
		return true
	}
	return false
}

type compiler struct {
	scope  Scope
	params *Params
	clause string // WHERE, HAVING, ... for CompileBool's messages
}

func newCompiler(scope Scope, params *Params) *compiler {
	if params == nil {
		params = &Params{}
	}
	return &compiler{scope: scope, params: params}
}

// constExpr is a constant; with type unknown it is an untyped literal
// (string or NULL) waiting for its context to give it a type.
type constExpr struct {
	v any
	t types.Type
}

func (e *constExpr) Type() types.Type              { return e.t }
func (e *constExpr) Eval(*Env, []any) (any, error) { return e.v, nil }

// colExpr reads a column of the row.
type colExpr struct {
	idx int
	t   types.Type
}

func (e *colExpr) Type() types.Type { return e.t }
func (e *colExpr) Eval(_ *Env, row []any) (any, error) {
	if e.idx < 0 || e.idx >= len(row) {
		return nil, pgerr.New(pgerr.InternalError, "column index %d out of range", e.idx)
	}
	return row[e.idx], nil
}

func unsupported(what string) error {
	return pgerr.New(pgerr.FeatureNotSupported, "%s are not supported yet", what)
}

func (c *compiler) expr(n *pg_query.Node) (Expr, error) {
	if n == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "missing expression")
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_AConst:
		return c.aconst(x.AConst)
	case *pg_query.Node_ColumnRef:
		return c.columnRef(x.ColumnRef)
	case *pg_query.Node_ParamRef:
		return c.param(x.ParamRef.Number)
	case *pg_query.Node_AExpr:
		return c.aexpr(x.AExpr)
	case *pg_query.Node_BoolExpr:
		return c.boolExpr(x.BoolExpr)
	case *pg_query.Node_NullTest:
		return c.nullTest(x.NullTest)
	case *pg_query.Node_BooleanTest:
		return c.booleanTest(x.BooleanTest)
	case *pg_query.Node_TypeCast:
		return c.typeCast(x.TypeCast)
	case *pg_query.Node_FuncCall:
		return c.funcCall(x.FuncCall)
	case *pg_query.Node_CaseExpr:
		return c.caseExpr(x.CaseExpr)
	case *pg_query.Node_CoalesceExpr:
		return c.coalesce(x.CoalesceExpr.Args)
	case *pg_query.Node_MinMaxExpr:
		return c.minMax(x.MinMaxExpr)
	case *pg_query.Node_SqlvalueFunction:
		return c.sqlValueFunction(x.SqlvalueFunction)
	case *pg_query.Node_AArrayExpr:
		return c.arrayExpr(x.AArrayExpr)
	case *pg_query.Node_AIndirection:
		return c.indirection(x.AIndirection)
	case *pg_query.Node_CollateClause:
		// Text always compares in byte order (the C collation); a COLLATE
		// clause changes nothing we model.
		return c.expr(x.CollateClause.Arg)
	case *pg_query.Node_SubLink:
		return c.subLink(x.SubLink)
	case *pg_query.Node_RowExpr:
		return c.rowExpr(x.RowExpr)
	case *pg_query.Node_AStar:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "* is not supported in this context")
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "expression %T is not supported yet", n.Node)
}

func (c *compiler) aconst(a *pg_query.A_Const) (Expr, error) {
	if a.Isnull {
		return &constExpr{t: types.Of(types.Unknown)}, nil
	}
	switch v := a.Val.(type) {
	case *pg_query.A_Const_Ival:
		return &constExpr{v: int64(v.Ival.Ival), t: types.Of(types.Int4)}, nil
	case *pg_query.A_Const_Fval:
		return numericLiteral(v.Fval.Fval)
	case *pg_query.A_Const_Boolval:
		return &constExpr{v: v.Boolval.Boolval, t: types.Of(types.Bool)}, nil
	case *pg_query.A_Const_Sval:
		return &constExpr{v: v.Sval.Sval, t: types.Of(types.Unknown)}, nil
	case *pg_query.A_Const_Bsval:
		return nil, unsupported("bit string literals")
	}
	return &constExpr{t: types.Of(types.Unknown)}, nil
}

// numericLiteral types a literal the scanner did not fit in int4: bigint
// when it is an integer that fits, numeric otherwise.
func numericLiteral(s string) (Expr, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			if i >= -1<<31 && i < 1<<31 {
				return &constExpr{v: i, t: types.Of(types.Int4)}, nil
			}
			return &constExpr{v: i, t: types.Of(types.Int8)}, nil
		}
	}
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", s)
	}
	if d.Exponent > 0 {
		// PostgreSQL keeps no negative display scale: 1e3 is 1000.
		var r apd.Decimal
		if _, err := numCtx.Quantize(&r, d, 0); err == nil {
			d = &r
		}
	}
	return &constExpr{v: d, t: types.Of(types.Numeric)}, nil
}

func (c *compiler) columnRef(r *pg_query.ColumnRef) (Expr, error) {
	names := make([]string, 0, len(r.Fields))
	for _, f := range r.Fields {
		s := f.GetString_()
		if s == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "* is not supported in this context")
		}
		names = append(names, s.Sval)
	}
	if c.scope == nil {
		return nil, pgerr.New(pgerr.UndefinedColumn, "column \"%s\" does not exist", strings.Join(names, "."))
	}
	if e, ok, err := c.columnExpr(names); ok {
		return e, err
	}
	idx, t, err := c.scope.Column(names)
	if err != nil {
		return nil, err
	}
	return &colExpr{idx: idx, t: t}, nil
}

// isConst reports whether e is a constant (not an untyped one).
func isConst(e Expr) bool {
	k, ok := e.(*constExpr)
	return ok && k.t.OID != types.Unknown
}

// allConst reports whether every expression is a typed constant.
func allConst(es ...Expr) bool {
	for _, e := range es {
		if !isConst(e) {
			return false
		}
	}
	return true
}

// fold evaluates a session-independent expression over constants once.
// A failing evaluation is not folded, so that the error surfaces only if
// the expression is actually evaluated.
func fold(e Expr) Expr {
	v, err := e.Eval(&Env{}, nil)
	if err != nil {
		return e
	}
	return &constExpr{v: v, t: e.Type()}
}

// stringArg returns the text of a String node.
func stringArg(n *pg_query.Node) string {
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}
