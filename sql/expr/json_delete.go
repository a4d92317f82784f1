package expr

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// jsonMinus compiles jsonb - text (drop a key, or matching string
// elements of an array), jsonb - text[] (drop several) and jsonb - int
// (drop an array element; negative counts from the end). An untyped right
// operand is text, as PostgreSQL prefers the string category.
func (c *compiler) jsonMinus(l, r Expr) (Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	var rw types.OID
	switch {
	case isInt(rt.OID):
		rw = types.Int4
	case rt.OID == types.TextArray:
		rw = types.TextArray
	default:
		rw = types.Text
	}
	r2, ok, err := c.coerce(r, types.Of(rw))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, opError("-", lt, rt)
	}
	x := &jsonExpr{l: l, r: r2, t: lt, fn: func(a, b any) (any, error) {
		v, err := parseJSON(a.(string))
		if err != nil {
			return nil, err
		}
		var out any
		switch k := b.(type) {
		case int64:
			out, err = jsonDeleteIndex(v, k)
		case string:
			out, err = jsonDeleteKeys(v, []any{k})
		case []any:
			out, err = jsonDeleteKeys(v, k)
		}
		if err != nil {
			return nil, err
		}
		return jsonText(out), nil
	}}
	if allConst(l, r2) {
		return fold(x), nil
	}
	return x, nil
}

func cannotDeleteFromScalar() error {
	return pgerr.New(pgerr.InvalidParameterValue, "cannot delete from scalar")
}

// jsonDeleteKeys drops the object keys, or the array's string elements,
// named by keys (NULL keys are ignored).
func jsonDeleteKeys(v any, keys []any) (any, error) {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		if s, ok := k.(string); ok {
			drop[s] = true
		}
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !drop[k] {
				out[k] = e
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok && drop[s] {
				continue
			}
			out = append(out, e)
		}
		return out, nil
	}
	return nil, cannotDeleteFromScalar()
}

// jsonDeleteIndex drops element i of an array; an index out of range
// leaves it unchanged.
func jsonDeleteIndex(v any, i int64) (any, error) {
	switch x := v.(type) {
	case []any:
		if i < 0 {
			i += int64(len(x))
		}
		if i < 0 || i >= int64(len(x)) {
			return x, nil
		}
		out := make([]any, 0, len(x)-1)
		out = append(out, x[:i]...)
		return append(out, x[i+1:]...), nil
	case map[string]any:
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot delete from object using integer index")
	}
	return nil, cannotDeleteFromScalar()
}
