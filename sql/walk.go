package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// walk calls fn for n and every node below it.
func walk(n *pg_query.Node, fn func(*pg_query.Node)) {
	if n == nil {
		return
	}
	fn(n)
	walkMessage(n.ProtoReflect(), fn)
}

func walkMessage(m protoreflect.Message, fn func(*pg_query.Node)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		visit := func(child protoreflect.Message) {
			if node, ok := child.Interface().(*pg_query.Node); ok {
				walk(node, fn)
				return
			}
			walkMessage(child, fn)
		}
		switch {
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				visit(l.Get(i).Message())
			}
		case fd.IsMap():
		default:
			visit(v.Message())
		}
		return true
	})
}
