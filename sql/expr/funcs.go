package expr

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// funcName is a function's lower-case name without pg_catalog.
func funcName(names []*pg_query.Node) string {
	if len(names) == 0 {
		return ""
	}
	return strings.ToLower(stringArg(names[len(names)-1]))
}

// funcExpr calls a built-in function on its evaluated arguments.
type funcExpr struct {
	args []Expr
	t    types.Type
	fn   func(env *Env, vals []any) (any, error)
	// strict functions return NULL for any NULL argument without a call.
	strict bool
}

func (x *funcExpr) Type() types.Type { return x.t }
func (x *funcExpr) Eval(env *Env, row []any) (any, error) {
	var buf [4]any
	vals := buf[:0]
	for _, a := range x.args {
		v, err := a.Eval(env, row)
		if err != nil {
			return nil, err
		}
		if v == nil && x.strict {
			return nil, nil
		}
		vals = append(vals, v)
	}
	return x.fn(env, vals)
}

// builtin describes how a resolved function is evaluated.
type builtin struct {
	ret      types.OID
	fn       func(env *Env, vals []any) (any, error)
	lenient  bool // not strict: sees NULL arguments
	volatile bool // depends on the session, the clock or randomness
}

func (c *compiler) funcCall(fc *pg_query.FuncCall) (Expr, error) {
	name := funcName(fc.Funcname)
	if len(fc.Funcname) > 2 || (len(fc.Funcname) == 2 && strings.ToLower(stringArg(fc.Funcname[0])) != "pg_catalog") {
		return nil, c.noFunction(qualifiedName(fc.Funcname), nil)
	}
	if e, ok, err := c.callHook(fc); ok || err != nil {
		return e, err
	}
	if fc.Over != nil {
		return nil, unsupported("window functions")
	}
	if c.scope != nil {
		idx, t, ok, err := c.scope.Aggregate(fc)
		if err != nil {
			return nil, err
		}
		if ok {
			return &colExpr{idx: idx, t: t}, nil
		}
	}
	if IsAggregate(name) {
		return nil, pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed %s", c.aggWhere())
	}
	if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil || fc.AggWithinGroup {
		return nil, pgerr.New(pgerr.WrongObjectType, "%s is not an aggregate function", name)
	}
	if fc.FuncVariadic {
		return nil, unsupported("VARIADIC arguments")
	}
	argNodes, err := positionalArgs(name, fc.Args)
	if err != nil {
		return nil, err
	}
	args, err := c.exprs(argNodes)
	if err != nil {
		return nil, err
	}
	switch name {
	case "coalesce":
		return c.coalesce(fc.Args)
	case "nullif":
		if len(args) == 2 {
			return c.nullIf(args[0], args[1])
		}
	case "greatest", "least":
		return c.minMax(&pg_query.MinMaxExpr{Args: fc.Args, Op: map[bool]pg_query.MinMaxOp{true: pg_query.MinMaxOp_IS_LEAST, false: pg_query.MinMaxOp_IS_GREATEST}[name == "least"]})
	}
	return c.callBuiltin(name, args)
}

func (c *compiler) aggWhere() string {
	if c.clause != "" {
		return "in " + c.clause
	}
	return "here"
}

func qualifiedName(ns []*pg_query.Node) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = stringArg(n)
	}
	return strings.Join(parts, ".")
}

func (c *compiler) noFunction(name string, args []Expr) error {
	ts := make([]string, len(args))
	for i, a := range args {
		ts[i] = typeName(c.typeOf(a))
	}
	e := pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(ts, ", "))
	e.Hint = "No function matches the given name and argument types. You might need to add explicit type casts."
	return e
}

// callBuiltin resolves a scalar function by name and argument types.
func (c *compiler) callBuiltin(name string, args []Expr) (Expr, error) {
	b, conv, err := c.resolve(name, args)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, c.noFunction(name, args)
	}
	x := &funcExpr{args: conv, t: types.Of(b.ret), fn: b.fn, strict: !b.lenient}
	if !b.volatile && allConst(conv...) {
		for _, a := range conv {
			if sessionDependent(a.Type().OID, b.ret) {
				return x, nil
			}
		}
		return fold(x), nil
	}
	return x, nil
}

// sig converts args to the parameter types of one signature; 0 accepts
// any type (untyped becomes text). ok is false when they do not fit.
func (c *compiler) sig(args []Expr, want ...types.OID) ([]Expr, bool, error) {
	if len(args) != len(want) {
		return nil, false, nil
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		if want[i] == 0 {
			r, err := c.resolveUnknown(a)
			if err != nil {
				return nil, false, err
			}
			out[i] = r
			continue
		}
		r, ok, err := c.coerce(a, types.Of(want[i]))
		if err != nil || !ok {
			return nil, false, err
		}
		out[i] = r
	}
	return out, true, nil
}

// variadic converts every argument for a function taking "any" values.
func (c *compiler) variadic(args []Expr) ([]Expr, error) {
	out := make([]Expr, len(args))
	for i, a := range args {
		r, err := c.resolveUnknown(a)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// numFamily picks the numeric overload for a math function's argument:
// integers stay integers where PostgreSQL has an integer version (intOK),
// numeric stays numeric, everything else is float8.
func (c *compiler) numFamily(a Expr, intOK bool) (types.OID, bool) {
	t := c.typeOf(a).OID
	switch {
	case t == types.Unknown:
		return types.Float8, true
	case isInt(t) && intOK:
		return t, true
	case t == types.Numeric:
		return types.Numeric, true
	case numRank(t) > 0:
		return types.Float8, true
	}
	return 0, false
}

// resolve finds the built-in for name and args, returning the converted
// arguments; a nil builtin means no such function.
func (c *compiler) resolve(name string, args []Expr) (*builtin, []Expr, error) {
	for _, r := range []func(string, []Expr) (*builtin, []Expr, error){
		c.resolveSession, c.resolveString, c.resolveMath, c.resolveTime, c.resolveJSON,
		c.resolveNotify, c.resolveAdmin, c.resolveCatalog,
		c.resolveFormat, c.resolveInterval, c.resolveToChar, c.resolveJSONSet, c.resolveArray,
	} {
		b, conv, err := r(name, args)
		if err != nil || b != nil {
			return b, conv, err
		}
	}
	return nil, nil, nil
}
