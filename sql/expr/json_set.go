package expr

import (
	"bytes"
	"strconv"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// resolveJSONSet is jsonb_set(target, path text[], new [, create]).
func (c *compiler) resolveJSONSet(name string, args []Expr) (*builtin, []Expr, error) {
	if name != "jsonb_set" || (len(args) != 3 && len(args) != 4) {
		return nil, nil, nil
	}
	want := []types.OID{types.JSONB, types.TextArray, types.JSONB, types.Bool}[:len(args)]
	conv, ok, err := c.sig(args, want...)
	if !ok || err != nil {
		return nil, nil, err
	}
	return pure(types.JSONB, func(v []any) (any, error) {
		target, err := parseJSON(v[0].(string))
		if err != nil {
			return nil, err
		}
		repl, err := parseJSON(v[2].(string))
		if err != nil {
			return nil, err
		}
		create := len(v) < 4 || v[3].(bool)
		path := v[1].([]any)
		switch target.(type) {
		case map[string]any, []any:
		default:
			return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot set path in scalar")
		}
		for i, p := range path {
			if p == nil {
				return nil, pgerr.New("22004", "path element at position %d is null", i+1)
			}
		}
		out, err := jsonSetPath(target, path, 0, repl, create)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		writeJSON(&b, out)
		return b.String(), nil
	}), conv, nil
}

// jsonSetPath returns v with path[i:] replaced by repl; a missing
// intermediate step or a scalar on the way leaves v unchanged.
func jsonSetPath(v any, path []any, i int, repl any, create bool) (any, error) {
	if i == len(path) {
		return repl, nil
	}
	key := path[i].(string)
	last := i == len(path)-1
	switch x := v.(type) {
	case map[string]any:
		cur, ok := x[key]
		if !ok && !(last && create) {
			return v, nil
		}
		if !ok {
			cur = nil
		}
		nv := repl
		if !last {
			var err error
			if nv, err = jsonSetPath(cur, path, i+1, repl, create); err != nil {
				return nil, err
			}
		}
		out := make(map[string]any, len(x)+1)
		for k, e := range x {
			out[k] = e
		}
		out[key] = nv
		return out, nil
	case []any:
		n, err := strconv.Atoi(key)
		if err != nil {
			return nil, pgerr.New(pgerr.InvalidTextRepresentation, "path element at position %d is not an integer: \"%s\"", i+1, key)
		}
		if n < 0 {
			n += len(x)
		}
		if n < 0 || n >= len(x) {
			if !last || !create {
				return v, nil
			}
			if n < 0 {
				return append([]any{repl}, x...), nil
			}
			return append(append([]any(nil), x...), repl), nil
		}
		nv := repl
		if !last {
			if nv, err = jsonSetPath(x[n], path, i+1, repl, create); err != nil {
				return nil, err
			}
		}
		out := append([]any(nil), x...)
		out[n] = nv
		return out, nil
	}
	return v, nil
}
