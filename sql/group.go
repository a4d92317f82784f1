package sql

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// GROUP BY expressions are matched in the select list, HAVING and ORDER
// BY by the structure of their parse trees (locations ignored), as
// PostgreSQL matches them; a match is replaced, in a private copy of the
// tree, by a reference to the group key.

// groupRefPrefix starts the column name that stands for group key N; no
// SQL identifier can contain the NUL byte.
const groupRefPrefix = "\x00group"

func groupRef(i int) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
		Fields: []*pg_query.Node{{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: groupRefPrefix + strconv.Itoa(i)}}}},
	}}}
}

// groupRefIndex returns N when name is a group key reference.
func groupRefIndex(names []string) (int, bool) {
	if len(names) != 1 || !strings.HasPrefix(names[0], groupRefPrefix) {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimPrefix(names[0], groupRefPrefix))
	return i, err == nil
}

// nodeEqual compares two parse trees ignoring locations.
func nodeEqual(a, b *pg_query.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	return messageEqual(a.ProtoReflect(), b.ProtoReflect())
}

func messageEqual(a, b protoreflect.Message) bool {
	if a.Descriptor() != b.Descriptor() {
		return false
	}
	fields := a.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Name() == "location" {
			continue
		}
		if a.Has(fd) != b.Has(fd) {
			return false
		}
		if !a.Has(fd) {
			continue
		}
		va, vb := a.Get(fd), b.Get(fd)
		switch {
		case fd.IsList():
			la, lb := va.List(), vb.List()
			if la.Len() != lb.Len() {
				return false
			}
			for j := 0; j < la.Len(); j++ {
				if fd.Kind() == protoreflect.MessageKind {
					if !messageEqual(la.Get(j).Message(), lb.Get(j).Message()) {
						return false
					}
				} else if !la.Get(j).Equal(lb.Get(j)) {
					return false
				}
			}
		case fd.IsMap():
			if !va.Equal(vb) {
				return false
			}
		case fd.Kind() == protoreflect.MessageKind:
			if !messageEqual(va.Message(), vb.Message()) {
				return false
			}
		default:
			if !va.Equal(vb) {
				return false
			}
		}
	}
	return true
}

// rewriteGroups returns n with every subtree equal to a group expression
// replaced by its group reference; n itself when nothing matches.
// Aggregate calls and subqueries are left alone: their insides are not
// evaluated over groups.
func rewriteGroups(n *pg_query.Node, groups []*pg_query.Node) *pg_query.Node {
	if n == nil || len(groups) == 0 {
		return n
	}
	for i, g := range groups {
		if g != nil && g.GetColumnRef() == nil && nodeEqual(n, g) {
			return groupRef(i)
		}
	}
	if !containsGroup(n, groups) {
		return n
	}
	c := proto.Clone(n).(*pg_query.Node)
	replaceGroups(c.ProtoReflect(), groups)
	return c
}

func skipForGroups(n *pg_query.Node) bool {
	if fc := n.GetFuncCall(); fc != nil && fc.Over == nil && isAggregateCall(fc) {
		return true
	}
	return n.GetSubLink() != nil
}

func containsGroup(n *pg_query.Node, groups []*pg_query.Node) bool {
	found := false
	walkNoSub(n, func(c *pg_query.Node) bool {
		if found || skipForGroups(c) {
			return false
		}
		for _, g := range groups {
			if g != nil && g.GetColumnRef() == nil && nodeEqual(c, g) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// replaceGroups rewrites the Node fields below m in place (m is a copy).
func replaceGroups(m protoreflect.Message, groups []*pg_query.Node) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
			return true
		}
		visit := func(child protoreflect.Message) (*pg_query.Node, bool) {
			if node, ok := child.Interface().(*pg_query.Node); ok {
				if skipForGroups(node) {
					return nil, false
				}
				for i, g := range groups {
					if g != nil && g.GetColumnRef() == nil && nodeEqual(node, g) {
						return groupRef(i), true
					}
				}
			}
			replaceGroups(child, groups)
			return nil, false
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				if r, ok := visit(l.Get(i).Message()); ok {
					l.Set(i, protoreflect.ValueOfMessage(r.ProtoReflect()))
				}
			}
			return true
		}
		if r, ok := visit(v.Message()); ok {
			m.Set(fd, protoreflect.ValueOfMessage(r.ProtoReflect()))
		}
		return true
	})
}

// walkNoSub calls fn for n and the nodes below it while fn returns true,
// without entering subqueries (they have scopes of their own).
func walkNoSub(n *pg_query.Node, fn func(*pg_query.Node) bool) {
	if n == nil || !fn(n) || n.GetSubLink() != nil {
		return
	}
	walkChildren(n.ProtoReflect(), fn)
}

func walkChildren(m protoreflect.Message, fn func(*pg_query.Node) bool) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
			return true
		}
		visit := func(child protoreflect.Message) {
			if node, ok := child.Interface().(*pg_query.Node); ok {
				walkNoSub(node, fn)
				return
			}
			walkChildren(child, fn)
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				visit(l.Get(i).Message())
			}
			return true
		}
		visit(v.Message())
		return true
	})
}

// usesAggregate reports whether the select list, HAVING or ORDER BY calls
// an aggregate function (outside subqueries and window calls' OVER).
func usesAggregate(sel *pg_query.SelectStmt) bool {
	found := false
	check := func(n *pg_query.Node) {
		walkNoSub(n, func(c *pg_query.Node) bool {
			if fc := c.GetFuncCall(); fc != nil && fc.Over == nil && isAggregateCall(fc) {
				found = true
			}
			return !found
		})
	}
	for _, t := range sel.TargetList {
		check(t)
	}
	check(sel.HavingClause)
	for _, s := range sel.SortClause {
		check(s)
	}
	return found
}

// usesWindow reports whether the select list or ORDER BY calls a window
// function.
func usesWindow(sel *pg_query.SelectStmt) bool {
	found := false
	check := func(n *pg_query.Node) {
		walkNoSub(n, func(c *pg_query.Node) bool {
			if fc := c.GetFuncCall(); fc != nil && fc.Over != nil {
				found = true
			}
			return !found
		})
	}
	for _, t := range sel.TargetList {
		check(t)
	}
	for _, s := range sel.SortClause {
		check(s)
	}
	return found
}
