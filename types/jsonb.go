package types

import (
	"slices"
	"strings"
)

// jsonbKeyCmp is jsonb's key order: shorter first, then bytes.
func jsonbKeyCmp(a, b string) int {
	if len(a) != len(b) {
		return cmpInt(int64(len(a)), int64(len(b)))
	}
	return strings.Compare(a, b)
}

// canonicalPairs sorts key/value pairs and keeps the last of duplicates.
func canonicalPairs(kv []jnode) []jnode {
	n := len(kv) / 2
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return jsonbKeyCmp(kv[2*a].str, kv[2*b].str) })
	out := make([]jnode, 0, len(kv))
	for j, i := range idx {
		if j+1 < n && kv[2*idx[j+1]].str == kv[2*i].str {
			continue // a later duplicate wins
		}
		out = append(out, kv[2*i], kv[2*i+1])
	}
	return out
}

func appendJSONB(buf []byte, n *jnode) []byte {
	switch n.kind {
	case jNull:
		return append(buf, "null"...)
	case jBool:
		if n.b {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case jNumber:
		return append(buf, n.str...)
	case jString:
		return appendJSONString(buf, n.str)
	case jArray:
		buf = append(buf, '[')
		for i := range n.kids {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSONB(buf, &n.kids[i])
		}
		return append(buf, ']')
	}
	buf = append(buf, '{')
	for i := 0; i+1 < len(n.kids); i += 2 {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = appendJSONString(buf, n.kids[i].str)
		buf = append(buf, ": "...)
		buf = appendJSONB(buf, &n.kids[i+1])
	}
	return append(buf, '}')
}

// appendJSONString is escape_json.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case '"':
			buf = append(buf, '\\', '"')
		case '\\':
			buf = append(buf, '\\', '\\')
		default:
			if c < 0x20 {
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				buf = append(buf, c)
			}
		}
	}
	return append(buf, '"')
}

// compareJSONB is jsonb's btree order (compareJsonbContainers).
func compareJSONB(a, b string) int {
	if a == b {
		return 0
	}
	na, errA := parseJSONBTree(a)
	nb, errB := parseJSONBTree(b)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	// Top-level scalars are one-element "raw scalar" arrays.
	wrap := func(n jnode) (jnode, bool) {
		if n.kind == jArray || n.kind == jObject {
			return n, false
		}
		return jnode{kind: jArray, kids: []jnode{n}}, true
	}
	na, rawA := wrap(na)
	nb, rawB := wrap(nb)
	if na.kind == jArray && nb.kind == jArray {
		res := 0
		if rawA != rawB {
			res = 1
			if rawA {
				res = -1
			}
		}
		if len(na.kids) != len(nb.kids) {
			res = cmpInt(int64(len(na.kids)), int64(len(nb.kids)))
		}
		if res != 0 {
			return res
		}
		return compareJSONKids(na.kids, nb.kids)
	}
	return compareJSONNode(&na, &nb)
}

func compareJSONNode(a, b *jnode) int {
	if a.kind != b.kind {
		return cmpInt(int64(a.kind), int64(b.kind))
	}
	switch a.kind {
	case jNull:
		return 0
	case jString:
		return strings.Compare(a.str, b.str)
	case jBool:
		return cmpBool(a.b, b.b)
	case jNumber:
		da, _ := parseNumeric(a.str)
		db, _ := parseNumeric(b.str)
		return compareNumeric(da, db)
	}
	if len(a.kids) != len(b.kids) {
		return cmpInt(int64(len(a.kids)), int64(len(b.kids)))
	}
	return compareJSONKids(a.kids, b.kids)
}

func compareJSONKids(a, b []jnode) int {
	for i := range a {
		if c := compareJSONNode(&a[i], &b[i]); c != 0 {
			return c
		}
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}
