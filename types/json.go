package types

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kalamdb/kalamdb/pgerr"
)

// JSON values are parsed with PostgreSQL's lexer rules. json keeps its
// text verbatim once valid; jsonb is rewritten into PostgreSQL's canonical
// output: keys ordered by length then bytes, the last duplicate key wins,
// numbers as numeric_out prints them, ", " and ": " separators.

// jsonb node kinds, in jsonb's type order (jbvNull < jbvString < ...).
const (
	jNull byte = iota
	jString
	jNumber
	jBool
	jArray
	jObject
)

// jnode is one parsed JSON value. Objects keep keys and values in kids as
// key, value, key, value...
type jnode struct {
	kind byte
	b    bool
	str  string // string contents, or a number's numeric_out text
	kids []jnode
}

const jsonMaxDepth = 6400

type jsonParser struct {
	s     string
	i     int
	tree  bool // build nodes (jsonb) or only validate (json)
	depth int
}

func jsonError(detail string) error {
	return &pgerr.Error{Code: pgerr.InvalidTextRepresentation,
		Message: "invalid input syntax for type json", Detail: detail}
}

// validateJSON is json_in.
func validateJSON(s string) error {
	p := jsonParser{s: s}
	_, err := p.document()
	return err
}

// parseJSONB is jsonb_in; it returns the canonical text.
func parseJSONB(s string) (string, error) {
	n, err := parseJSONBTree(s)
	if err != nil {
		return "", err
	}
	return string(appendJSONB(make([]byte, 0, len(s)+len(s)/4), &n)), nil
}

func parseJSONBTree(s string) (jnode, error) {
	p := jsonParser{s: s, tree: true}
	return p.document()
}

func (p *jsonParser) document() (jnode, error) {
	n, err := p.value()
	if err != nil {
		return n, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return n, jsonError("Expected end of input, but found \"" + p.token() + "\".")
	}
	return n, nil
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// token is the offending token for error details, as PostgreSQL's lexer
// delimits it.
func (p *jsonParser) token() string {
	j := p.i
	if j >= len(p.s) {
		return ""
	}
	if strings.IndexByte("{}[],:\"", p.s[j]) >= 0 {
		return p.s[j : j+1]
	}
	for j < len(p.s) && isJSONAlnum(p.s[j]) {
		j++
	}
	if j == p.i {
		j += utf8Len(p.s[j:])
	}
	return p.s[p.i:j]
}

func isJSONAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func (p *jsonParser) value() (jnode, error) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return jnode{}, jsonError("The input string ended unexpectedly.")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return jnode{kind: jString, str: s}, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		tok := p.token()
		p.i += len(tok)
		switch tok {
		case "true":
			return jnode{kind: jBool, b: true}, nil
		case "false":
			return jnode{kind: jBool}, nil
		case "null":
			return jnode{kind: jNull}, nil
		}
		return jnode{}, jsonError("Token \"" + tok + "\" is invalid.")
	}
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > jsonMaxDepth {
		return &pgerr.Error{Code: codeStackDepth, Message: "stack depth limit exceeded"}
	}
	return nil
}

func (p *jsonParser) object() (jnode, error) {
	if err := p.enter(); err != nil {
		return jnode{}, err
	}
	defer func() { p.depth-- }()
	p.i++
	n := jnode{kind: jObject}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return n, jsonError("The input string ended unexpectedly.")
		}
		if p.s[p.i] != '"' {
			return n, jsonError("Expected string, but found \"" + p.token() + "\".")
		}
		k, err := p.str()
		if err != nil {
			return n, err
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return n, jsonError("The input string ended unexpectedly.")
		}
		if p.s[p.i] != ':' {
			return n, jsonError("Expected \":\", but found \"" + p.token() + "\".")
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return n, err
		}
		if p.tree {
			n.kids = append(n.kids, jnode{kind: jString, str: k}, v)
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return n, jsonError("The input string ended unexpectedly.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			if p.tree {
				n.kids = canonicalPairs(n.kids)
			}
			return n, nil
		default:
			return n, jsonError("Expected \",\" or \"}\", but found \"" + p.token() + "\".")
		}
	}
}

func (p *jsonParser) array() (jnode, error) {
	if err := p.enter(); err != nil {
		return jnode{}, err
	}
	defer func() { p.depth-- }()
	p.i++
	n := jnode{kind: jArray}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return n, err
		}
		if p.tree {
			n.kids = append(n.kids, v)
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return n, jsonError("The input string ended unexpectedly.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return n, nil
		default:
			return n, jsonError("Expected \",\" or \"]\", but found \"" + p.token() + "\".")
		}
	}
}

// number lexes -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? followed by
// no letters or digits.
func (p *jsonParser) number() (jnode, error) {
	start := p.i
	s := p.s
	i := p.i
	bad := func() (jnode, error) {
		p.i = start
		tok := p.token()
		if tok == "-" || tok == "" {
			// PostgreSQL reports the sign and what follows as one token.
			j := start + 1
			for j < len(s) && isJSONAlnum(s[j]) {
				j++
			}
			tok = s[start:j]
		}
		return jnode{}, jsonError("Token \"" + tok + "\" is invalid.")
	}
	if s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if i < len(s) && s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return bad()
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return bad()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return bad()
		}
	}
	if i < len(s) && isJSONAlnum(s[i]) {
		return bad()
	}
	p.i = i
	if !p.tree {
		return jnode{kind: jNumber}, nil
	}
	d, err := parseNumeric(s[start:i])
	if err != nil {
		return jnode{}, err
	}
	return jnode{kind: jNumber, str: string(appendNumeric(nil, d))}, nil
}

// str lexes a string at p.i (an opening quote) and returns its decoded
// contents (only when building a tree).
func (p *jsonParser) str() (string, error) {
	s := p.s
	i := p.i + 1
	start := i
	var out []byte
	plain := true
	hi := rune(-1)
	for {
		if i >= len(s) {
			return "", jsonError("The input string ended unexpectedly.")
		}
		c := s[i]
		if c == '"' {
			break
		}
		if c < 0x20 {
			p.i = i
			return "", jsonError("Character with value 0x" + string([]byte{hexDigits[c>>4], hexDigits[c&15]}) + " must be escaped.")
		}
		if c != '\\' {
			if hi >= 0 && p.tree {
				return "", jsonError("Unicode low surrogate must follow a high surrogate.")
			}
			if !plain && p.tree {
				out = append(out, c)
			}
			i++
			continue
		}
		if plain && p.tree {
			out = append(out, s[start:i]...)
		}
		plain = false
		if i+1 >= len(s) {
			return "", jsonError("The input string ended unexpectedly.")
		}
		e := s[i+1]
		if e == 'u' {
			if i+6 > len(s) {
				return "", jsonError("\"\\u\" must be followed by four hexadecimal digits.")
			}
			var r rune
			for k := 2; k < 6; k++ {
				h, ok := unhex(s[i+k])
				if !ok {
					return "", jsonError("\"\\u\" must be followed by four hexadecimal digits.")
				}
				r = r<<4 | rune(h)
			}
			i += 6
			if !p.tree {
				continue // json checks only the escape's syntax
			}
			switch {
			case r >= 0xd800 && r <= 0xdbff:
				if hi >= 0 {
					return "", jsonError("Unicode high surrogate must not follow a high surrogate.")
				}
				hi = r
				continue
			case r >= 0xdc00 && r <= 0xdfff:
				if hi < 0 {
					return "", jsonError("Unicode low surrogate must follow a high surrogate.")
				}
				r = utf16.DecodeRune(hi, r)
				hi = -1
			default:
				if hi >= 0 {
					return "", jsonError("Unicode low surrogate must follow a high surrogate.")
				}
			}
			if p.tree {
				if r == 0 {
					return "", &pgerr.Error{Code: codeUntranslatable, Message: "unsupported Unicode escape sequence",
						Detail: "\\u0000 cannot be converted to text."}
				}
				out = utf8.AppendRune(out, r)
			}
			continue
		}
		if hi >= 0 && p.tree {
			return "", jsonError("Unicode low surrogate must follow a high surrogate.")
		}
		var d byte
		switch e {
		case '"', '\\', '/':
			d = e
		case 'b':
			d = '\b'
		case 'f':
			d = '\f'
		case 'n':
			d = '\n'
		case 'r':
			d = '\r'
		case 't':
			d = '\t'
		default:
			return "", jsonError("Escape sequence \"\\" + s[i+1:i+1+utf8Len(s[i+1:])] + "\" is invalid.")
		}
		out = append(out, d)
		i += 2
	}
	if hi >= 0 && p.tree {
		return "", jsonError("Unicode low surrogate must follow a high surrogate.")
	}
	p.i = i + 1
	if plain {
		return s[start:i], nil
	}
	return string(out), nil
}
