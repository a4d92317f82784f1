package expr

import (
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/pgcatalog"
	"github.com/kalamdb/kalamdb/types"
)

// The pg_catalog functions and the reg* casts psql and drivers use. Those
// that need the live catalog or the session go through Env.Catalog; the
// rest are computed here.

// catalogCall is a function the session answers through Env.Catalog.
func catalogCall(name string, ret types.Type, args []Expr, lenient bool) Expr {
	return &funcExpr{args: args, t: ret, strict: !lenient, fn: func(env *Env, vals []any) (any, error) {
		if env == nil || env.Catalog == nil {
			return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "%s() is not available here", name)
		}
		return env.Catalog(name, vals)
	}}
}

// resolveCatalog resolves the catalog functions.
func (c *compiler) resolveCatalog(name string, args []Expr) (*builtin, []Expr, error) {
	tOID := types.OIDType
	try := func(want ...types.OID) ([]Expr, bool, error) { return c.sig(args, want...) }
	var conv []Expr
	var ok bool
	var err error
	ret := types.Text
	lenient := false
	switch name {
	case "pg_get_userbyid":
		conv, ok, err = try(tOID)
		ret = types.Name
	case "format_type":
		conv, ok, err = try(tOID, types.Int4)
		lenient = true
	case "pg_get_expr":
		if conv, ok, err = try(tText, tOID); !ok && err == nil {
			conv, ok, err = try(tText, tOID, types.Bool)
		}
	case "pg_get_indexdef":
		if conv, ok, err = try(tOID); !ok && err == nil {
			conv, ok, err = try(tOID, types.Int4, types.Bool)
		}
	case "pg_get_constraintdef", "pg_get_viewdef", "pg_get_triggerdef", "pg_get_ruledef":
		if conv, ok, err = try(tOID); !ok && err == nil {
			conv, ok, err = try(tOID, types.Bool)
		}
	case "obj_description", "shobj_description":
		if conv, ok, err = try(tOID); !ok && err == nil {
			conv, ok, err = try(tOID, types.Name)
		}
	case "col_description":
		conv, ok, err = try(tOID, types.Int4)
	case "pg_get_function_result", "pg_get_function_arguments", "pg_get_function_identity_arguments",
		"pg_get_statisticsobjdef_columns", "pg_get_partkeydef":
		conv, ok, err = try(tOID)
	case "pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible", "pg_relation_is_publishable":
		conv, ok, err = try(tOID)
		ret = types.Bool
	case "to_regclass", "to_regtype", "to_regnamespace", "to_regproc", "to_regrole":
		conv, ok, err = try(tText)
		ret = regTypes[strings.TrimPrefix(name, "to_")].OID
	case "pg_backend_pid":
		ok, ret = len(args) == 0, types.Int4
	case "pg_sleep":
		// The session sleeps on the statement's context, so a cancel or
		// statement_timeout ends it.
		conv, ok, err = try(types.Float8)
		ret = types.Void
	case "pg_cancel_backend":
		conv, ok, err = try(types.Int4)
		ret = types.Bool
	case "pg_terminate_backend":
		if conv, ok, err = try(types.Int4); !ok && err == nil {
			conv, ok, err = try(types.Int4, types.Int8) // with a timeout, ignored
		}
		ret = types.Bool
	case "pg_postmaster_start_time":
		ok, ret = len(args) == 0, types.Timestamptz
	case "current_schemas":
		conv, ok, err = try(types.Bool)
		ret = types.NameArray
	case "set_config":
		conv, ok, err = try(tText, tText, types.Bool)
		return &builtin{ret: types.Text, volatile: true, fn: catalogFn(name)}, conv, err
	default:
		return c.resolveCatalogLocal(name, args)
	}
	if err != nil || !ok {
		return nil, nil, err
	}
	return &builtin{ret: ret, volatile: true, lenient: lenient, fn: catalogFn(name)}, conv, nil
}

func catalogFn(name string) func(env *Env, vals []any) (any, error) {
	return func(env *Env, vals []any) (any, error) {
		if env == nil || env.Catalog == nil {
			return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "%s() is not available here", name)
		}
		return env.Catalog(name, vals)
	}
}

// resolveCatalogLocal resolves the catalog functions that need no catalog.
func (c *compiler) resolveCatalogLocal(name string, args []Expr) (*builtin, []Expr, error) {
	switch name {
	case "pg_encoding_to_char":
		conv, ok, err := c.sig(args, types.Int4)
		if !ok || err != nil {
			return nil, nil, err
		}
		return &builtin{ret: types.Name, fn: func(_ *Env, v []any) (any, error) {
			if v[0].(int64) == 6 {
				return "UTF8", nil
			}
			return "SQL_ASCII", nil
		}}, conv, nil
	case "has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
		"has_function_privilege", "has_sequence_privilege", "pg_has_role", "has_any_column_privilege":
		if len(args) < 2 || len(args) > 4 {
			return nil, nil, nil
		}
		conv, err := c.variadic(args)
		return &builtin{ret: types.Bool, fn: func(*Env, []any) (any, error) { return true, nil }}, conv, err
	case "pg_is_in_recovery":
		if len(args) != 0 {
			return nil, nil, nil
		}
		return &builtin{ret: types.Bool, fn: func(*Env, []any) (any, error) { return false, nil }}, nil, nil
	case "quote_ident":
		conv, ok, err := c.sig(args, tText)
		if !ok || err != nil {
			return nil, nil, err
		}
		return &builtin{ret: types.Text, fn: func(_ *Env, v []any) (any, error) { return pgcatalog.QuoteIdent(v[0].(string)), nil }}, conv, nil
	case "array_to_string":
		return c.arrayToString(args)
	case "array_upper", "array_lower":
		if len(args) != 2 || elemOfAny(c.typeOf(args[0]).OID) == 0 {
			return nil, nil, nil
		}
		dim, ok, err := c.coerce(args[1], types.Of(types.Int4))
		if !ok || err != nil {
			return nil, nil, err
		}
		upper := name == "array_upper"
		return &builtin{ret: types.Int4, fn: func(_ *Env, v []any) (any, error) {
			a, _ := v[0].([]any)
			if v[1].(int64) != 1 || len(a) == 0 {
				return nil, nil
			}
			if upper {
				return int64(len(a)), nil
			}
			return int64(1), nil
		}}, []Expr{args[0], dim}, nil
	}
	return nil, nil, nil
}

// elemOfAny is the element type of any array type (0 when not an array).
func elemOfAny(o types.OID) types.OID { return types.ElemOf(o) }

func (c *compiler) arrayToString(args []Expr) (*builtin, []Expr, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, nil, nil
	}
	at := c.typeOf(args[0])
	elem := types.ElemOf(at.OID)
	if elem == 0 {
		return nil, nil, nil
	}
	conv := []Expr{args[0]}
	for _, a := range args[1:] {
		r, ok, err := c.coerce(a, types.Of(tText))
		if !ok || err != nil {
			return nil, nil, err
		}
		conv = append(conv, r)
	}
	return &builtin{ret: types.Text, lenient: true, fn: func(env *Env, v []any) (any, error) {
		if v[0] == nil || v[1] == nil {
			return nil, nil
		}
		a := types.FlattenArray(v[0].([]any))
		sep := v[1].(string)
		var null any
		if len(v) > 2 {
			null = v[2]
		}
		var b strings.Builder
		first := true
		for _, x := range a {
			var s string
			switch {
			case x != nil:
				s = string(types.AppendText(nil, elem, x, envLoc(env)))
			case null != nil:
				s = null.(string)
			default:
				continue
			}
			if !first {
				b.WriteString(sep)
			}
			first = false
			b.WriteString(s)
		}
		return b.String(), nil
	}}, conv, nil
}

// regTypes are the reg* types a cast can name; the ones package types has
// no type for are oids.
var regTypes = map[string]types.Type{
	"regclass": types.Of(types.Regclass), "regtype": types.Of(types.Regtype),
	"regnamespace": types.Of(types.OIDType), "regproc": types.Of(types.OIDType),
	"regprocedure": types.Of(types.OIDType), "regrole": types.Of(types.OIDType),
	"regoper": types.Of(types.OIDType), "regoperator": types.Of(types.OIDType),
}

// regCast handles casts to and through the reg* types: a name becomes an
// OID through the catalog (regclassin), and x::regclass::text a name
// again (regclassout). ok is false for every other cast.
func (c *compiler) regCast(tc *pg_query.TypeCast) (Expr, bool, error) {
	if tc.TypeName == nil || len(tc.TypeName.Names) == 0 || len(tc.TypeName.ArrayBounds) > 0 {
		return nil, false, nil
	}
	target := strings.ToLower(stringArg(tc.TypeName.Names[len(tc.TypeName.Names)-1]))
	if rt, ok := regTypes[target]; ok {
		if target == "regprocedure" {
			target = "regproc"
		}
		e, err := c.expr(tc.Arg)
		if err != nil {
			return nil, true, err
		}
		if at := c.typeOf(e).OID; at == types.Unknown || isString(at) {
			if e, err = c.castTo(e, types.Of(types.Text)); err != nil {
				return nil, true, err
			}
			if target == "regproc" {
				// The catalogs' regproc columns hold function names
				// (pgcatalog/doc.go), so a regproc literal is the name:
				// pgjdbc compares typinput = 'pg_catalog.array_in'::regproc.
				return regprocName{e}, true, nil
			}
			return catalogCall(target+"in", rt, []Expr{e}, false), true, nil
		}
		e, err = c.castTo(e, types.Of(types.OIDType))
		if err != nil {
			return nil, true, err
		}
		return retype{e, rt}, true, nil
	}
	switch target {
	case "text", "name", "varchar":
	default:
		return nil, false, nil
	}
	inner := tc.Arg.GetTypeCast()
	if inner == nil || inner.TypeName == nil || len(inner.TypeName.Names) == 0 {
		return nil, false, nil
	}
	kind := strings.ToLower(stringArg(inner.TypeName.Names[len(inner.TypeName.Names)-1]))
	if _, ok := regTypes[kind]; !ok {
		return nil, false, nil
	}
	if kind == "regprocedure" {
		kind = "regproc"
	}
	e, ok, err := c.regCast(inner)
	if err != nil || !ok {
		return nil, ok, err
	}
	out := catalogCall(kind+"out", types.Of(types.Text), []Expr{e}, false)
	t, err := typeOfName(tc.TypeName)
	if err != nil {
		return nil, true, err
	}
	r, err := c.castTo(out, t)
	return r, true, err
}

// regprocName is a regproc literal as the function name the catalogs'
// regproc columns hold, without a pg_catalog qualification.
type regprocName struct{ e Expr }

func (r regprocName) Type() types.Type { return types.Of(types.Name) }
func (r regprocName) Eval(env *Env, row []any) (any, error) {
	v, err := r.e.Eval(env, row)
	if s, ok := v.(string); ok {
		return strings.TrimPrefix(s, "pg_catalog."), err
	}
	return v, err
}

// retype gives an OID expression a reg* type.
type retype struct {
	e Expr
	t types.Type
}

func (r retype) Type() types.Type                      { return r.t }
func (r retype) Eval(env *Env, row []any) (any, error) { return r.e.Eval(env, row) }

func envLoc(env *Env) *time.Location {
	if env == nil || env.Loc == nil {
		return time.UTC
	}
	return env.Loc
}

// isOIDish reports the oid family: oid and the reg* types, which compare
// as oids.
func isOIDish(o types.OID) bool {
	return o == types.OIDType || o == types.Regclass || o == types.Regtype
}

// oidMeet reports whether a and b compare as oids: an oid against an
// integer (int4 and int8 cast to oid implicitly) or another reg* type.
func oidMeet(a, b types.OID) bool {
	return isOIDish(a) && (isOIDish(b) || isInt(b)) || isOIDish(b) && isInt(a)
}
