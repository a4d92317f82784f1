package expr

import (
	"sync/atomic"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// numRank orders the numeric types by PostgreSQL's implicit promotion;
// 0 for non-numeric types.
func numRank(o types.OID) int {
	switch o {
	case types.Int2:
		return 1
	case types.Int4:
		return 2
	case types.Int8:
		return 3
	case types.Numeric:
		return 4
	case types.Float4:
		return 5
	case types.Float8:
		return 6
	}
	return 0
}

func isInt(o types.OID) bool { return o == types.Int2 || o == types.Int4 || o == types.Int8 }

func isFloat(o types.OID) bool { return o == types.Float4 || o == types.Float8 }

// isString reports the string category, whose members share text's
// operators.
func isString(o types.OID) bool {
	return o == types.Text || o == types.Varchar || o == types.Bpchar || o == types.Name
}

// dtRank orders the date/time types by implicit promotion.
func dtRank(o types.OID) int {
	switch o {
	case types.Date:
		return 1
	case types.Timestamp:
		return 2
	case types.Timestamptz:
		return 3
	}
	return 0
}

// commonType is the type two known types meet in for comparison and
// arithmetic, or false when PostgreSQL has no implicit path.
func commonType(a, b types.Type) (types.Type, bool) {
	if a.OID == b.OID {
		if a.Mod == b.Mod {
			return a, true
		}
		return types.Of(a.OID), true
	}
	ra, rb := numRank(a.OID), numRank(b.OID)
	if ra > 0 && rb > 0 {
		if isFloat(a.OID) || isFloat(b.OID) {
			// int4 + real has no operator of its own; float8's is chosen
			// as the preferred type of the category.
			return types.Of(types.Float8), true
		}
		if ra > rb {
			return types.Of(a.OID), true
		}
		return types.Of(b.OID), true
	}
	if isString(a.OID) && isString(b.OID) {
		return types.Of(types.Text), true
	}
	da, db := dtRank(a.OID), dtRank(b.OID)
	if da > 0 && db > 0 {
		if da > db {
			return types.Of(a.OID), true
		}
		return types.Of(b.OID), true
	}
	if oidMeet(a.OID, b.OID) {
		return types.Of(types.OIDType), true
	}
	return types.Type{}, false
}

// implicitOK reports whether PostgreSQL casts from to to implicitly.
func implicitOK(from, to types.OID) bool {
	if from == to {
		return true
	}
	if rf, rt := numRank(from), numRank(to); rf > 0 && rt > 0 {
		return rf < rt
	}
	if isString(from) && isString(to) {
		return true
	}
	if df, dt := dtRank(from), dtRank(to); df > 0 && dt > 0 {
		return df < dt
	}
	if to == types.OIDType && (isInt(from) || isOIDish(from)) {
		return true
	}
	return false
}

// assignOK reports whether PostgreSQL casts from to to in assignment.
func assignOK(from, to types.OID) bool {
	if implicitOK(from, to) {
		return true
	}
	switch {
	case numRank(from) > 0 && numRank(to) > 0:
		return true
	case isString(to):
		// Every type converts to a string type through its output function.
		return true
	case dtRank(from) > 0 && dtRank(to) > 0:
		return true
	case (from == types.JSON && to == types.JSONB) || (from == types.JSONB && to == types.JSON):
		return true
	}
	return false
}

// retypeExpr gives e another type with the same Go representation
// (int4 read as int8, varchar as text).
type retypeExpr struct {
	e Expr
	t types.Type
}

func (r *retypeExpr) Type() types.Type                      { return r.t }
func (r *retypeExpr) Eval(env *Env, row []any) (any, error) { return r.e.Eval(env, row) }

// castExpr converts with types.Cast.
type castExpr struct {
	e        Expr
	from, to types.Type
}

func (x *castExpr) Type() types.Type { return x.to }
func (x *castExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	return types.Cast(v, x.from, x.to, env.loc())
}

func (env *Env) loc() *time.Location {
	if env == nil || env.Loc == nil {
		return time.UTC
	}
	return env.Loc
}

// sessionDependent reports whether converting between from and to reads
// the session time zone, which forbids folding it at compile time.
func sessionDependent(from, to types.OID) bool {
	return from == types.Timestamptz || to == types.Timestamptz
}

// convert wraps e in a conversion to t, using a plain retype when the Go
// value is already right.
func convert(e Expr, t types.Type) Expr {
	from := e.Type()
	if from.OID == t.OID && (t.Mod < 0 || from.Mod == t.Mod) {
		return e
	}
	// character(n) to text drops the padding, so it needs a real cast.
	if (isInt(from.OID) && isInt(t.OID) && numRank(from.OID) < numRank(t.OID)) ||
		(isString(from.OID) && from.OID != types.Bpchar && t.OID == types.Text) {
		return &retypeExpr{e: e, t: t}
	}
	x := &castExpr{e: e, from: from, to: t}
	if isConst(e) && !sessionDependent(from.OID, t.OID) {
		return fold(x)
	}
	return x
}

// coerce converts e implicitly to t; ok is false when PostgreSQL would not.
func (c *compiler) coerce(e Expr, t types.Type) (Expr, bool, error) {
	switch x := e.(type) {
	case *constExpr:
		if x.t.OID == types.Unknown {
			l, err := literal(x.v, t)
			return l, err == nil, err
		}
	case *paramExpr:
		if c.params.get(x.n) == 0 {
			c.params.set(x.n, t.OID)
			return x, true, nil
		}
	}
	if !implicitOK(e.Type().OID, t.OID) {
		return nil, false, nil
	}
	return convert(e, t), true, nil
}

// mustCoerce is coerce for callers that already checked the types meet.
func (c *compiler) mustCoerce(e Expr, t types.Type) (Expr, error) {
	r, ok, err := c.coerce(e, t)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "cannot convert %s to %s", typeName(e.Type()), typeName(t))
	}
	return r, nil
}

// resolveUnknown gives an untyped literal the type text. Parameters stay
// open for the rest of the statement (Params.Finish settles them).
func (c *compiler) resolveUnknown(e Expr) (Expr, error) {
	if x, ok := e.(*constExpr); ok && x.t.OID == types.Unknown {
		return literal(x.v, types.Of(types.Text))
	}
	return e, nil
}

// boolArg checks that e is boolean for clause ("WHERE", "AND", ...).
func (c *compiler) boolArg(e Expr, clause string) (Expr, error) {
	if c.isUnknown(e) {
		return c.mustCoerce(e, types.Of(types.Bool))
	}
	if t := e.Type(); t.OID != types.Bool {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, typeName(t))
	}
	return e, nil
}

// assign converts e for a slot of type want with assignment casts.
func (c *compiler) assign(e Expr, want types.Type, column string) (Expr, error) {
	if c.isUnknown(e) {
		if p, ok := e.(*paramExpr); ok {
			c.params.set(p.n, want.OID)
			if want.Mod < 0 {
				return p, nil
			}
		} else {
			return literal(e.(*constExpr).v, want)
		}
	}
	from := e.Type()
	if from.OID == want.OID && (want.Mod < 0 || from.Mod == want.Mod) {
		return e, nil
	}
	if !assignOK(from.OID, want.OID) {
		err := pgerr.New(pgerr.DatatypeMismatch, "expression is of type %s but %s is expected", typeName(from), typeName(want))
		if column != "" {
			err.Message = "column \"" + column + "\" is of type " + typeName(want) + " but expression is of type " + typeName(from)
		}
		err.Hint = "You will need to rewrite or cast the expression."
		return nil, err
	}
	if (want.OID == types.Varchar || want.OID == types.Bpchar) && want.Mod >= 4 {
		return &lengthCheckExpr{e: convert(e, types.Of(want.OID)), t: want}, nil
	}
	return convert(e, want), nil
}

// lengthCheckExpr enforces varchar(n)/char(n) in assignment, where
// PostgreSQL fails instead of truncating (except for trailing spaces) and
// pads character(n).
type lengthCheckExpr struct {
	e Expr
	t types.Type
}

func (x *lengthCheckExpr) Type() types.Type { return x.t }
func (x *lengthCheckExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil || v == nil {
		return v, err
	}
	return types.CastAssign(v, types.Of(x.t.OID), x.t, env.loc())
}

// literal gives an untyped literal (string or nil) the type t.
func literal(v any, t types.Type) (Expr, error) {
	if v == nil {
		return &constExpr{t: t}, nil
	}
	s, _ := v.(string)
	switch t.OID {
	case types.Text, types.Unknown:
		return &constExpr{v: s, t: types.Of(types.Text)}, nil
	case types.Timestamptz:
		// Validate now; the value depends on the session's TimeZone.
		if _, err := types.ParseText(t, s, time.UTC); err != nil {
			return nil, err
		}
		return &tzLiteral{s: s, t: t}, nil
	}
	val, err := types.ParseText(t, s, time.UTC)
	if err != nil {
		return nil, err
	}
	return &constExpr{v: val, t: t}, nil
}

// tzLiteral is a timestamptz literal, read in the session's time zone.
// The last result is cached per zone: the common case evaluates it for
// every row of a scan with one zone.
type tzLiteral struct {
	s     string
	t     types.Type
	cache atomic.Pointer[tzCached]
}

type tzCached struct {
	loc *time.Location
	v   any
}

func (x *tzLiteral) Type() types.Type { return x.t }
func (x *tzLiteral) Eval(env *Env, _ []any) (any, error) {
	loc := env.loc()
	if c := x.cache.Load(); c != nil && c.loc == loc {
		return c.v, nil
	}
	v, err := types.ParseText(x.t, x.s, loc)
	if err != nil {
		return nil, err
	}
	x.cache.Store(&tzCached{loc: loc, v: v})
	return v, nil
}

// castTo is an explicit CAST.
func (c *compiler) castTo(e Expr, t types.Type) (Expr, error) {
	switch x := e.(type) {
	case *constExpr:
		if x.t.OID == types.Unknown {
			if (t.OID == types.Varchar || t.OID == types.Bpchar) && t.Mod >= 0 {
				// As in PostgreSQL, the literal is read without the length,
				// then the explicit length coercion truncates it.
				l, err := literal(x.v, types.Of(t.OID))
				if err != nil {
					return nil, err
				}
				return convert(l, t), nil
			}
			return literal(x.v, t)
		}
	case *paramExpr:
		if c.params.get(x.n) == 0 {
			c.params.set(x.n, t.OID)
			if t.Mod < 0 {
				return x, nil
			}
		}
	}
	return convert(e, t), nil
}

// typeName is format_type's name for t.
func typeName(t types.Type) string {
	if t.OID == types.Unknown || t.OID == 0 {
		return "unknown"
	}
	return types.NameOf(t)
}
