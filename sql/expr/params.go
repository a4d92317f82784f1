package expr

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// maxParams bounds $n in one statement. PostgreSQL accepts statements
// with more than 65535 parameters at Parse (only Bind, whose count is 16
// bits, cannot supply them); the bound keeps a stray $999999999 from
// growing the parameter list without end.
const maxParams = 1 << 20

// Finish gives every still unknown parameter type text, as PostgreSQL does
// for SELECT $1.
func (p *Params) Finish() {
	for i, t := range p.Types {
		if t == 0 || t == types.Unknown {
			p.Types[i] = types.Text
		}
	}
}

func (p *Params) get(n int) types.OID {
	if n < 1 || n > len(p.Types) {
		return 0
	}
	t := p.Types[n-1]
	if t == types.Unknown {
		return 0
	}
	return t
}

func (p *Params) set(n int, t types.OID) {
	for len(p.Types) < n {
		p.Types = append(p.Types, 0)
	}
	p.Types[n-1] = t
}

// paramExpr reads $n from Env.Params. Its type is read from the shared
// Params, so a later use of the same $n in the statement that settles its
// type is seen by every earlier use.
type paramExpr struct {
	n      int
	params *Params
}

func (e *paramExpr) Type() types.Type {
	t := e.params.get(e.n)
	if t == 0 {
		return types.Of(types.Text)
	}
	return types.Of(t)
}

func (e *paramExpr) Eval(env *Env, _ []any) (any, error) {
	if env == nil || e.n > len(env.Params) {
		return nil, pgerr.New(pgerr.ProtocolViolation, "there is no parameter $%d", e.n)
	}
	return env.Params[e.n-1], nil
}

func (c *compiler) param(n int32) (Expr, error) {
	if n < 1 || n > maxParams {
		return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", n)
	}
	if int(n) > len(c.params.Types) {
		c.params.set(int(n), 0)
	}
	return &paramExpr{n: int(n), params: c.params}, nil
}

// isUnknown reports whether e has no type yet: an untyped literal or NULL,
// or a parameter whose type nothing has settled.
func (c *compiler) isUnknown(e Expr) bool {
	switch x := e.(type) {
	case *constExpr:
		return x.t.OID == types.Unknown
	case *paramExpr:
		return x.params.get(x.n) == 0
	}
	return false
}

// typeOf is e's type, with unknown for untyped literals and parameters.
func (c *compiler) typeOf(e Expr) types.Type {
	if c.isUnknown(e) {
		return types.Of(types.Unknown)
	}
	return e.Type()
}

// IsUntypedParam reports whether e is a parameter whose type nothing has
// settled yet, so that a caller resolving an overloaded function can infer
// it from the other arguments, as PostgreSQL's function resolution does.
func IsUntypedParam(e Expr) bool {
	p, ok := e.(*paramExpr)
	return ok && p.params.get(p.n) == 0
}
