package expr

import (
	"fmt"
	"strings"

	"github.com/kalamdb/kalamdb/types"
)

// resolveArray covers array_length, cardinality, array_ndims and
// array_dims.
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
			dims := types.ArrayDims(v[0].([]any))
			if !isLen {
				n := int64(0)
				if len(dims) > 0 {
					n = 1
					for _, d := range dims {
						n *= int64(d)
					}
				}
				return n, nil
			}
			d := v[1].(int64)
			if d < 1 || d > int64(len(dims)) {
				return nil, nil
			}
			return int64(dims[d-1]), nil
		}), conv, nil
	case "array_ndims", "array_dims":
		if len(args) != 1 || types.ElemOf(c.typeOf(args[0]).OID) == 0 {
			return nil, nil, nil
		}
		ret := types.OID(tInt)
		if name == "array_dims" {
			ret = tText
		}
		return pure(ret, func(v []any) (any, error) {
			dims := types.ArrayDims(v[0].([]any))
			if len(dims) == 0 {
				return nil, nil
			}
			if ret == tInt {
				return int64(len(dims)), nil
			}
			var b strings.Builder
			for _, d := range dims {
				fmt.Fprintf(&b, "[1:%d]", d)
			}
			return b.String(), nil
		}), args, nil
	}
	return nil, nil, nil
}
