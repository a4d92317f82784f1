package expr

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

var textType = types.Of(types.Text)

// toText renders a non-NULL value as text, as a cast to text would.
func toText(v any, oid types.OID, loc *time.Location) string {
	if s, ok := v.(string); ok && (isString(oid) || oid == types.Unknown || oid == types.JSON || oid == types.JSONB) {
		return s
	}
	return string(types.AppendText(nil, oid, v, loc))
}

// concatExpr is ||: text with text, or text with any value rendered as
// text (anytextcat); NULL on either side gives NULL.
type concatExpr struct {
	l, r   Expr
	lt, rt types.OID
}

func (x *concatExpr) Type() types.Type { return textType }
func (x *concatExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.l.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := x.r.Eval(env, row)
	if err != nil || b == nil {
		return nil, err
	}
	return catText(a, x.lt, env.loc()) + catText(b, x.rt, env.loc()), nil
}

// catText renders an operand of || as its cast to text would: booleans
// as true/false, unlike their output form.
func catText(v any, oid types.OID, loc *time.Location) string {
	if b, ok := v.(bool); ok && oid == types.Bool {
		return strconv.FormatBool(b)
	}
	return toText(v, oid, loc)
}

func (c *compiler) concatOp(l, r Expr) (Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	if lt.OID == types.JSONB && (rt.OID == types.JSONB || rt.OID == types.Unknown) {
		return c.jsonOp("||", l, r)
	}
	if elemOf(lt.OID) != 0 || elemOf(rt.OID) != 0 {
		return c.arrayConcat(l, r)
	}
	lu, ru := lt.OID == types.Unknown, rt.OID == types.Unknown
	if !(lu || ru || isString(lt.OID) || isString(rt.OID)) {
		return nil, opError("||", lt, rt)
	}
	var err error
	if lu || isString(lt.OID) {
		if l, err = c.mustCoerce(l, textType); err != nil {
			return nil, err
		}
	}
	if ru || isString(rt.OID) {
		if r, err = c.mustCoerce(r, textType); err != nil {
			return nil, err
		}
	}
	x := &concatExpr{l: l, r: r, lt: l.Type().OID, rt: r.Type().OID}
	if allConst(l, r) && isString(x.lt) && isString(x.rt) {
		return fold(x), nil
	}
	return x, nil
}

// textOperands converts both operands of a text operator (LIKE, ~) to
// text; the left one must be a string type or untyped.
func (c *compiler) textOperands(name string, l, r Expr) (Expr, Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	okType := func(t types.OID) bool { return t == types.Unknown || isString(t) }
	if !okType(lt.OID) || !okType(rt.OID) {
		return nil, nil, opError(name, lt, rt)
	}
	var err error
	if lt.OID == types.Bpchar {
		// bpcharlike and bpcharregexeq match the padded value.
		l = &retypeExpr{e: l, t: textType}
	} else if l, err = c.mustCoerce(l, textType); err != nil {
		return nil, nil, err
	}
	r, err = c.mustCoerce(r, textType)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

func (c *compiler) like(name string, ln, rn *pg_query.Node) (Expr, error) {
	l, err := c.expr(ln)
	if err != nil {
		return nil, err
	}
	var esc Expr
	if fc := rn.GetFuncCall(); fc != nil && funcName(fc.Funcname) == "like_escape" && len(fc.Args) == 2 {
		rn = fc.Args[0]
		if esc, err = c.expr(fc.Args[1]); err != nil {
			return nil, err
		}
		if esc, err = c.mustCoerce(esc, textType); err != nil {
			return nil, err
		}
	}
	r, err := c.expr(rn)
	if err != nil {
		return nil, err
	}
	return c.likeExprs(name, l, r, esc)
}

// likeExpr is [NOT] [I]LIKE. A constant pattern is compiled once.
type likeExpr struct {
	l, r, esc Expr
	fold, not bool
	pat       *likePattern
}

func (c *compiler) likeExprs(name string, l, r, esc Expr) (Expr, error) {
	l, r, err := c.textOperands(name, l, r)
	if err != nil {
		return nil, err
	}
	x := &likeExpr{l: l, r: r, esc: esc, fold: strings.Contains(name, "*"), not: name[0] == '!'}
	if k, ok := r.(*constExpr); ok && k.v != nil && (esc == nil || isConst(esc)) {
		escape, null, err := x.escape(nil, nil)
		if err != nil {
			return nil, err
		}
		if !null {
			p := k.v.(string)
			if x.fold {
				p = strings.ToLower(p)
			}
			if x.pat, err = compileLike(p, escape); err != nil {
				return nil, err
			}
		}
	}
	if allConst(l, r) && (esc == nil || isConst(esc)) {
		return fold(x), nil
	}
	return x, nil
}

// escape evaluates the ESCAPE string: -1 for none, null for a NULL one.
func (x *likeExpr) escape(env *Env, row []any) (rune, bool, error) {
	if x.esc == nil {
		return '\\', false, nil
	}
	v, err := x.esc.Eval(env, row)
	if err != nil || v == nil {
		return 0, true, err
	}
	s := v.(string)
	switch utf8.RuneCountInString(s) {
	case 0:
		return -1, false, nil
	case 1:
		r, _ := utf8.DecodeRuneInString(s)
		return r, false, nil
	}
	e := pgerr.New("22019", "invalid escape string")
	e.Hint = "Escape string must be empty or one character."
	return 0, false, e
}

func (x *likeExpr) Type() types.Type { return boolType }
func (x *likeExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.l.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	s := v.(string)
	pat := x.pat
	if pat == nil {
		pv, err := x.r.Eval(env, row)
		if err != nil || pv == nil {
			return nil, err
		}
		escape, null, err := x.escape(env, row)
		if err != nil || null {
			return nil, err
		}
		p := pv.(string)
		if x.fold {
			p = strings.ToLower(p)
		}
		if pat, err = compileLike(p, escape); err != nil {
			return nil, err
		}
	}
	if x.fold {
		s = strings.ToLower(s)
	}
	return pat.match(s) != x.not, nil
}

type likeTok struct {
	kind byte // 'l' literal run, '_' one character, '%' any run
	lit  string
}

type likePattern struct {
	toks   []likeTok
	prefix string // set when the pattern is a literal followed by one %
	exact  bool   // no wildcards: plain equality with prefix
}

func compileLike(p string, escape rune) (*likePattern, error) {
	var toks []likeTok
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, likeTok{kind: 'l', lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		i += n
		switch {
		case r == escape:
			if i >= len(p) {
				return nil, pgerr.New(pgerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			r2, n2 := utf8.DecodeRuneInString(p[i:])
			i += n2
			lit.WriteRune(r2)
		case r == '%':
			flush()
			if len(toks) == 0 || toks[len(toks)-1].kind != '%' {
				toks = append(toks, likeTok{kind: '%'})
			}
		case r == '_':
			flush()
			toks = append(toks, likeTok{kind: '_'})
		default:
			lit.WriteRune(r)
		}
	}
	flush()
	lp := &likePattern{toks: toks}
	switch {
	case len(toks) == 0:
		lp.exact = true
	case len(toks) == 1 && toks[0].kind == 'l':
		lp.exact, lp.prefix = true, toks[0].lit
	case len(toks) == 2 && toks[0].kind == 'l' && toks[1].kind == '%':
		lp.prefix = toks[0].lit
	}
	return lp, nil
}

func (p *likePattern) match(s string) bool {
	if p.exact {
		return s == p.prefix
	}
	if p.prefix != "" {
		return strings.HasPrefix(s, p.prefix)
	}
	return likeMatch(p.toks, s)
}

// likeMatch matches tokens against s, backtracking only to the last %.
func likeMatch(toks []likeTok, s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case '%':
				starT, starS = ti, si
				ti++
				continue
			case '_':
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case 'l':
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		ti, si = starT+1, starS
	}
}

// regexExpr is ~ ~* !~ !~* with Go's RE2 syntax.
type regexExpr struct {
	l, r     Expr
	re       *regexp.Regexp
	fold     bool
	not      bool
	compiled bool
}

func compileRegex(p string, fold bool) (*regexp.Regexp, error) {
	if fold {
		p = "(?i)" + p
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, pgerr.Wrap(err, "2201B", "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

func (c *compiler) regexOp(name string, l, r Expr) (Expr, error) {
	l, r, err := c.textOperands(name, l, r)
	if err != nil {
		return nil, err
	}
	x := &regexExpr{l: l, r: r, fold: strings.HasSuffix(name, "*"), not: name[0] == '!'}
	if k, ok := r.(*constExpr); ok && k.v != nil {
		if x.re, err = compileRegex(k.v.(string), x.fold); err != nil {
			return nil, err
		}
		x.compiled = true
	}
	if allConst(l, r) {
		return fold(x), nil
	}
	return x, nil
}

func (x *regexExpr) Type() types.Type { return boolType }
func (x *regexExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.l.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	re := x.re
	if !x.compiled {
		pv, err := x.r.Eval(env, row)
		if err != nil || pv == nil {
			return nil, err
		}
		if re, err = compileRegex(pv.(string), x.fold); err != nil {
			return nil, err
		}
	}
	return re.MatchString(v.(string)) != x.not, nil
}
