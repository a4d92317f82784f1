package expr

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

const (
	tText = types.Text
	tInt  = types.Int4
)

// asciiLower and asciiUpper map case as the C locale does: ASCII only.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// asciiInitcap is initcap under the C locale: a word is a run of ASCII
// letters and digits, so every other byte (UTF-8 included) separates words.
func asciiInitcap(s string) string {
	b := []byte(s)
	inWord := false
	for i, ch := range b {
		lower, upper := ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z'
		switch {
		case inWord && upper:
			b[i] = ch + 'a' - 'A'
		case !inWord && lower:
			b[i] = ch - 'a' + 'A'
		}
		inWord = lower || upper || (ch >= '0' && ch <= '9')
	}
	return string(b)
}

func pure(ret types.OID, fn func(vals []any) (any, error)) *builtin {
	return &builtin{ret: ret, fn: func(_ *Env, vals []any) (any, error) { return fn(vals) }}
}

// substr is PostgreSQL's substring by characters, from start (1-based)
// for count characters (to the end when count < 0 is not given).
func substr(s string, start, count int64, hasCount bool) (any, error) {
	if hasCount && count < 0 {
		return nil, pgerr.New("22011", "negative substring length not allowed")
	}
	end := int64(1 << 62)
	if hasCount {
		end = start + count
		if count > 0 && end < start { // overflow
			end = 1 << 62
		}
	}
	if start < 1 {
		start = 1
	}
	if end <= start {
		return "", nil
	}
	var b strings.Builder
	pos := int64(1)
	for _, r := range s {
		if pos >= end {
			break
		}
		if pos >= start {
			b.WriteRune(r)
		}
		pos++
	}
	return b.String(), nil
}

func trimFunc(s, chars string, left, right bool) string {
	if left {
		s = strings.TrimLeft(s, chars)
	}
	if right {
		s = strings.TrimRight(s, chars)
	}
	return s
}

// runePrefix returns the first n characters of s (n may exceed it).
func runePrefix(s string, n int64) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

func (c *compiler) resolveString(name string, args []Expr) (*builtin, []Expr, error) {
	text1 := func(fn func(s string) any, ret types.OID) (*builtin, []Expr, error) {
		conv, ok, err := c.sig(args, tText)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(ret, func(v []any) (any, error) { return fn(v[0].(string)), nil }), conv, nil
	}
	switch name {
	case "lower":
		return text1(func(s string) any { return asciiLower(s) }, tText)
	case "upper":
		return text1(func(s string) any { return asciiUpper(s) }, tText)
	case "initcap":
		return text1(func(s string) any { return asciiInitcap(s) }, tText)
	case "length", "char_length", "character_length", "octet_length":
		if len(args) == 1 && c.typeOf(args[0]).OID == types.Bytea {
			return pure(tInt, func(v []any) (any, error) { return int64(len(v[0].([]byte))), nil }), args, nil
		}
		if name == "octet_length" && len(args) == 1 && c.typeOf(args[0]).OID == types.Bpchar {
			// bpcharoctetlen counts the padding, unlike bpcharlen.
			return pure(tInt, func(v []any) (any, error) { return int64(len(v[0].(string))), nil }), args, nil
		}
		if name == "octet_length" {
			return text1(func(s string) any { return int64(len(s)) }, tInt)
		}
		return text1(func(s string) any { return int64(utf8.RuneCountInString(s)) }, tInt)
	case "reverse":
		return text1(func(s string) any {
			r := []rune(s)
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return string(r)
		}, tText)
	case "md5":
		return text1(func(s string) any {
			h := md5.Sum([]byte(s))
			return hex.EncodeToString(h[:])
		}, tText)
	case "substr", "substring":
		if conv, ok, err := c.sig(args, tText, tInt); ok || err != nil {
			return pure(tText, func(v []any) (any, error) {
				return substr(v[0].(string), v[1].(int64), 0, false)
			}), conv, err
		}
		conv, ok, err := c.sig(args, tText, tInt, tInt)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(tText, func(v []any) (any, error) {
			return substr(v[0].(string), v[1].(int64), v[2].(int64), true)
		}), conv, nil
	case "strpos", "position":
		conv, ok, err := c.sig(args, tText, tText)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(tInt, func(v []any) (any, error) {
			s := v[0].(string)
			i := strings.Index(s, v[1].(string))
			if i < 0 {
				return int64(0), nil
			}
			return int64(utf8.RuneCountInString(s[:i]) + 1), nil
		}), conv, nil
	case "starts_with":
		conv, ok, err := c.sig(args, tText, tText)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(types.Bool, func(v []any) (any, error) {
			return strings.HasPrefix(v[0].(string), v[1].(string)), nil
		}), conv, nil
	case "replace":
		conv, ok, err := c.sig(args, tText, tText, tText)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(tText, func(v []any) (any, error) {
			if v[1].(string) == "" {
				return v[0], nil
			}
			return strings.ReplaceAll(v[0].(string), v[1].(string), v[2].(string)), nil
		}), conv, nil
	case "btrim", "ltrim", "rtrim", "trim":
		left, right := name != "rtrim", name != "ltrim"
		if len(args) == 1 {
			args = append(args, &constExpr{v: " ", t: textType})
		}
		conv, ok, err := c.sig(args, tText, tText)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(tText, func(v []any) (any, error) {
			return trimFunc(v[0].(string), v[1].(string), left, right), nil
		}), conv, nil
	case "split_part":
		conv, ok, err := c.sig(args, tText, tText, tInt)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(tText, func(v []any) (any, error) { return splitPart(v[0].(string), v[1].(string), v[2].(int64)) }), conv, nil
	case "left", "right":
		conv, ok, err := c.sig(args, tText, tInt)
		if !ok || err != nil {
			return nil, nil, err
		}
		isLeft := name == "left"
		return pure(tText, func(v []any) (any, error) {
			s, n := v[0].(string), v[1].(int64)
			cnt := int64(utf8.RuneCountInString(s))
			if n < 0 {
				n = max(cnt+n, 0)
			}
			if isLeft {
				return runePrefix(s, n), nil
			}
			return s[len(runePrefix(s, max(cnt-n, 0))):], nil
		}), conv, nil
	case "repeat":
		conv, ok, err := c.sig(args, tText, tInt)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(tText, func(v []any) (any, error) {
			s, n := v[0].(string), v[1].(int64)
			if n <= 0 || s == "" {
				return "", nil
			}
			if int64(len(s))*n > 1<<30-1 {
				return nil, pgerr.New(pgerr.ProgramLimitExceeded, "requested length too large")
			}
			return strings.Repeat(s, int(n)), nil
		}), conv, nil
	case "concat", "concat_ws":
		conv, err := c.variadic(args)
		if err != nil {
			return nil, nil, err
		}
		if name == "concat_ws" {
			if len(conv) == 0 {
				return nil, nil, nil
			}
			if conv[0], err = c.mustCoerce(conv[0], textType); err != nil {
				return nil, nil, nil
			}
		}
		oids := make([]types.OID, len(conv))
		for i, a := range conv {
			oids[i] = a.Type().OID
		}
		ws := name == "concat_ws"
		return &builtin{ret: tText, lenient: true, fn: func(env *Env, v []any) (any, error) {
			var b strings.Builder
			sep, first := "", 0
			if ws {
				if v[0] == nil {
					return nil, nil
				}
				sep, first = v[0].(string), 1
			}
			n := 0
			for i := first; i < len(v); i++ {
				if v[i] == nil {
					continue
				}
				if n > 0 {
					b.WriteString(sep)
				}
				b.WriteString(toText(v[i], oids[i], env.loc()))
				n++
			}
			return b.String(), nil
		}, volatile: true}, conv, nil
	}
	return nil, nil, nil
}

// splitPart is split_part: field n (1-based; negative counts from the end).
func splitPart(s, delim string, n int64) (any, error) {
	if n == 0 {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "field position must not be zero")
	}
	var parts []string
	if delim == "" {
		parts = []string{s}
		if s == "" {
			parts = nil
		}
	} else {
		parts = strings.Split(s, delim)
	}
	if n < 0 {
		n = int64(len(parts)) + n + 1
	}
	if n < 1 || n > int64(len(parts)) {
		return "", nil
	}
	return parts[n-1], nil
}
