package expr

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/types"
)

// jsonExpr evaluates a json operator or function on evaluated operands.
type jsonExpr struct {
	l, r Expr
	t    types.Type
	fn   func(a, b any) (any, error)
}

func (x *jsonExpr) Type() types.Type { return x.t }
func (x *jsonExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.l.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := x.r.Eval(env, row)
	if err != nil || b == nil {
		return nil, err
	}
	return x.fn(a, b)
}

// jsonPath follows keys (object fields or array indexes) from v.
func jsonPath(v any, path []any) (any, bool) {
	for _, p := range path {
		if p == nil {
			return nil, false
		}
		switch x := v.(type) {
		case map[string]any:
			key, ok := p.(string)
			if !ok {
				return nil, false
			}
			if v, ok = x[key]; !ok {
				return nil, false
			}
		case []any:
			var i int64
			switch k := p.(type) {
			case int64:
				i = k
			case string:
				n, err := strconv.ParseInt(k, 10, 64)
				if err != nil {
					return nil, false
				}
				i = n
			}
			if i < 0 {
				i += int64(len(x))
			}
			if i < 0 || i >= int64(len(x)) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func (c *compiler) jsonOp(name string, l, r Expr) (Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	if lt.OID == types.Unknown {
		lt = types.Of(types.JSONB)
	}
	if lt.OID != types.JSON && lt.OID != types.JSONB {
		return nil, opError(name, c.typeOf(l), rt)
	}
	jsonb := lt.OID == types.JSONB
	var err error
	if l, err = c.mustCoerce(l, lt); err != nil {
		return nil, err
	}
	var rw types.OID
	var ret types.Type
	var fn func(a, b any) (any, error)
	switch name {
	case "->", "->>":
		rw = types.Text
		if isInt(rt.OID) {
			rw = types.Int4
		}
		ret = lt
		if name == "->>" {
			ret = textType
		}
		fn = func(a, b any) (any, error) {
			v, err := parseJSON(a.(string))
			if err != nil {
				return nil, err
			}
			e, ok := jsonPath(v, []any{b})
			if !ok {
				return nil, nil
			}
			if name == "->>" {
				return jsonScalarText(e), nil
			}
			return jsonText(e), nil
		}
	case "#>", "#>>":
		rw, ret = types.TextArray, lt
		if name == "#>>" {
			ret = textType
		}
		fn = func(a, b any) (any, error) {
			v, err := parseJSON(a.(string))
			if err != nil {
				return nil, err
			}
			e, ok := jsonPath(v, b.([]any))
			if !ok {
				return nil, nil
			}
			if name == "#>>" {
				return jsonScalarText(e), nil
			}
			return jsonText(e), nil
		}
	case "@>", "<@":
		if !jsonb {
			return nil, opError(name, lt, rt)
		}
		rw, ret = types.JSONB, boolType
		fn = func(a, b any) (any, error) {
			x, err := parseJSON(a.(string))
			if err != nil {
				return nil, err
			}
			y, err := parseJSON(b.(string))
			if err != nil {
				return nil, err
			}
			if name == "<@" {
				x, y = y, x
			}
			return jsonContains(x, y, true), nil
		}
	case "?", "?|", "?&":
		if !jsonb {
			return nil, opError(name, lt, rt)
		}
		rw, ret = types.Text, boolType
		if name != "?" {
			rw = types.TextArray
		}
		fn = func(a, b any) (any, error) {
			x, err := parseJSON(a.(string))
			if err != nil {
				return nil, err
			}
			keys, ok := b.([]any)
			if !ok {
				keys = []any{b}
			}
			hits := 0
			for _, k := range keys {
				if s, ok := k.(string); ok && jsonHasKey(x, s) {
					hits++
				}
			}
			if name == "?&" {
				return hits == len(keys), nil
			}
			return hits > 0, nil
		}
	case "||":
		rw, ret = types.JSONB, lt
		fn = func(a, b any) (any, error) {
			x, err := parseJSON(a.(string))
			if err != nil {
				return nil, err
			}
			y, err := parseJSON(b.(string))
			if err != nil {
				return nil, err
			}
			return jsonText(jsonConcat(x, y)), nil
		}
	default:
		return nil, opError(name, lt, rt)
	}
	r, ok, err := c.coerce(r, types.Of(rw))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, opError(name, lt, rt)
	}
	x := &jsonExpr{l: l, r: r, t: ret, fn: fn}
	if allConst(l, r) {
		return fold(x), nil
	}
	return x, nil
}

func jsonHasKey(v any, k string) bool {
	switch x := v.(type) {
	case map[string]any:
		_, ok := x[k]
		return ok
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == k {
				return true
			}
		}
	case string:
		return x == k
	}
	return false
}

// jsonContains is jsonb @>: top tells whether a scalar may be contained
// in an array at the top level (PostgreSQL's special case).
func jsonContains(a, b any, top bool) bool {
	switch y := b.(type) {
	case map[string]any:
		x, ok := a.(map[string]any)
		if !ok {
			return false
		}
		for k, bv := range y {
			av, ok := x[k]
			if !ok || !jsonContains(av, bv, false) {
				return false
			}
		}
		return true
	case []any:
		x, ok := a.([]any)
		if !ok {
			return false
		}
		for _, bv := range y {
			found := false
			for _, av := range x {
				if jsonContains(av, bv, false) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	if x, ok := a.([]any); ok && top {
		for _, av := range x {
			if jsonEqualScalar(av, b) {
				return true
			}
		}
		return false
	}
	return jsonEqualScalar(a, b)
}

func jsonEqualScalar(a, b any) bool {
	if x, ok := a.(json.Number); ok {
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		dx, _, e1 := apd.NewFromString(string(x))
		dy, _, e2 := apd.NewFromString(string(y))
		return e1 == nil && e2 == nil && dx.Cmp(dy) == 0
	}
	switch a.(type) {
	case map[string]any, []any:
		return false
	}
	return a == b
}

func jsonConcat(a, b any) any {
	if x, ok := a.(map[string]any); ok {
		if y, ok := b.(map[string]any); ok {
			out := make(map[string]any, len(x)+len(y))
			for k, v := range x {
				out[k] = v
			}
			for k, v := range y {
				out[k] = v
			}
			return out
		}
	}
	asArray := func(v any) []any {
		if arr, ok := v.([]any); ok {
			return arr
		}
		return []any{v}
	}
	return append(slices.Clone(asArray(a)), asArray(b)...)
}
