package types

// ArrayDims returns the length of each dimension of array a: none for an
// empty array, one for a flat one, more when its elements are
// sub-arrays (which all share one shape).
func ArrayDims(a []any) []int {
	if len(a) == 0 {
		return nil
	}
	dims := []int{len(a)}
	for {
		sub, ok := a[0].([]any)
		if !ok {
			return dims
		}
		dims = append(dims, len(sub))
		if len(sub) == 0 {
			return dims
		}
		a = sub
	}
}

// FlattenArray returns the elements of a in storage order (row-major), a
// itself when it is flat.
func FlattenArray(a []any) []any {
	if len(a) == 0 {
		return a
	}
	if _, ok := a[0].([]any); !ok {
		return a
	}
	var out []any
	for _, e := range a {
		sub, _ := e.([]any)
		out = append(out, FlattenArray(sub)...)
	}
	return out
}
