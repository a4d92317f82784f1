package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// resolveFormat covers format() and regexp_replace().
func (c *compiler) resolveFormat(name string, args []Expr) (*builtin, []Expr, error) {
	switch name {
	case "format":
		if len(args) == 0 {
			return nil, nil, nil
		}
		conv, err := c.variadic(args)
		if err != nil {
			return nil, nil, err
		}
		if conv[0], err = c.mustCoerce(conv[0], textType); err != nil {
			return nil, nil, nil
		}
		oids := make([]types.OID, len(conv))
		for i, a := range conv {
			oids[i] = a.Type().OID
		}
		return &builtin{ret: tText, lenient: true, volatile: true, fn: func(env *Env, v []any) (any, error) {
			if v[0] == nil {
				return nil, nil
			}
			texts := make([]*string, len(v)-1)
			for i := 1; i < len(v); i++ {
				if v[i] != nil {
					s := formatArgText(v[i], oids[i], env)
					texts[i-1] = &s
				}
			}
			return formatText(v[0].(string), texts)
		}}, conv, nil
	case "regexp_replace":
		if len(args) != 3 && len(args) != 4 {
			return nil, nil, nil
		}
		want := []types.OID{tText, tText, tText, tText}[:len(args)]
		conv, ok, err := c.sig(args, want...)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(tText, func(v []any) (any, error) {
			flags := ""
			if len(v) == 4 {
				flags = v[3].(string)
			}
			return regexpReplace(v[0].(string), v[1].(string), v[2].(string), flags)
		}), conv, nil
	}
	return nil, nil, nil
}

// formatArgText renders a format() argument the way its output function
// would (booleans as t/f, like concat).
func formatArgText(v any, oid types.OID, env *Env) string {
	return toText(v, oid, env.loc())
}

// formatText implements format(): %s, %I, %L and %%, with optional
// argument positions (%2$s) and widths (%-10s, %*s is not supported).
func formatText(f string, args []*string) (any, error) {
	var b strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch != '%' {
			b.WriteByte(ch)
			continue
		}
		i++
		if i >= len(f) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// Optional argument position n$.
		j := i
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			j++
		}
		argIdx := -1
		if j < len(f) && f[j] == '$' && j > i {
			n, _ := strconv.Atoi(f[i:j])
			if n == 0 {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
			}
			argIdx = n - 1
			i = j + 1
		}
		// Optional flag '-' and width.
		left := false
		if i < len(f) && f[i] == '-' {
			left = true
			i++
		}
		j = i
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			j++
		}
		width := 0
		if j > i {
			width, _ = strconv.Atoi(f[i:j])
			i = j
		}
		if i >= len(f) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		kind := f[i]
		if kind != 's' && kind != 'I' && kind != 'L' {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unrecognized format() type specifier \"%c\"", kind)
		}
		if argIdx < 0 {
			argIdx = next
		}
		if argIdx >= len(args) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "too few arguments for format()")
		}
		next = argIdx + 1
		var s string
		a := args[argIdx]
		switch kind {
		case 's':
			if a != nil {
				s = *a
			}
		case 'I':
			if a == nil {
				return nil, pgerr.New("22004", "null values cannot be formatted as an SQL identifier")
			}
			s = quoteIdentifier(*a)
		case 'L':
			if a == nil {
				s = "NULL"
			} else {
				s = quoteLiteral(*a)
			}
		}
		if pad := width - utf8.RuneCountInString(s); pad > 0 {
			if left {
				s += strings.Repeat(" ", pad)
			} else {
				s = strings.Repeat(" ", pad) + s
			}
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// quoteIdentifier is quote_ident(): quoted unless all lower-case
// letters, digits and underscores and not a keyword beyond the
// unreserved ones.
func quoteIdentifier(s string) string {
	safe := s != ""
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			safe = false
			break
		}
	}
	if safe {
		if res, err := pg_query.Scan(s); err == nil && len(res.Tokens) == 1 {
			kw := res.Tokens[0].KeywordKind
			safe = kw == pg_query.KeywordKind_NO_KEYWORD || kw == pg_query.KeywordKind_UNRESERVED_KEYWORD
		}
	}
	if safe {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteLiteral is quote_literal(): an E” string when a backslash needs
// doubling.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// regexpReplace is regexp_replace with PostgreSQL's flags (g: every
// match, i: case-insensitive) and \1..\9, \& in the replacement.
func regexpReplace(s, pattern, repl, flags string) (any, error) {
	global, fold := false, false
	for _, f := range flags {
		switch f {
		case 'g':
			global = true
		case 'i':
			fold = true
		case 'c':
			fold = false
		default:
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid regular expression option: \"%c\"", f)
		}
	}
	re, err := compileRegex(pattern, fold)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		expandReplacement(&b, s, repl, m)
		last = m[1]
		if !global {
			break
		}
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

func expandReplacement(b *strings.Builder, s, repl string, m []int) {
	for i := 0; i < len(repl); i++ {
		if repl[i] != '\\' || i+1 >= len(repl) {
			b.WriteByte(repl[i])
			continue
		}
		c := repl[i+1]
		switch {
		case c >= '1' && c <= '9':
			g := int(c - '0')
			if 2*g+1 < len(m) && m[2*g] >= 0 {
				b.WriteString(s[m[2*g]:m[2*g+1]])
			}
			i++
		case c == '&':
			b.WriteString(s[m[0]:m[1]])
			i++
		case c == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte('\\')
		}
	}
}
