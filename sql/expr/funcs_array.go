package expr

import (
	"github.com/kalamdb/kalamdb/types"
)

// resolveArray covers array_length and cardinality over the
// one-dimensional arrays KalamDB stores.
func (c *compiler) resolveArray(name string, args []Expr) (*builtin, []Expr, error) {
	switch name {
	case "array_length", "cardinality":
		if (name == "array_length") != (len(args) == 2) || len(args) == 0 {
			return nil, nil, nil
		}
		at := c.typeOf(args[0]).OID
		if types.ElemOf(at) == 0 {
			return nil, nil, nil
		}
		conv := []Expr{args[0]}
		if len(args) == 2 {
			dim, err := c.mustCoerce(args[1], types.Of(tInt))
			if err != nil {
				return nil, nil, nil
			}
			conv = append(conv, dim)
		}
		isLen := name == "array_length"
		return pure(tInt, func(v []any) (any, error) {
			arr := v[0].([]any)
			if isLen && (v[1].(int64) != 1 || len(arr) == 0) {
				return nil, nil
			}
			return int64(len(arr)), nil
		}), conv, nil
	}
	return nil, nil, nil
}
