package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Decoding a query body with encoding/json (reflection, a scanner state
// per byte) cost as much as the rest of the gateway's own work per
// request. Nearly every body is {"sql": "...", "params": [scalars]}, so
// a direct scan handles that shape and hands anything else — other keys,
// nested values, duplicates, malformed input — to encoding/json, whose
// results and error messages stay the contract.

// readQueryRequest reads and decodes r's body, at most limit bytes.
func readQueryRequest(w http.ResponseWriter, r *http.Request, limit int64) (queryRequest, error) {
	src := r.Body // a declared length within limit is all net/http reads
	if r.ContentLength <= 0 || r.ContentLength > limit {
		src = http.MaxBytesReader(w, r.Body, limit)
	}
	body, err := readBody(src, r.ContentLength, limit)
	if err == nil {
		var req queryRequest
		if parseQueryRequest(body, &req) {
			return req, nil
		}
		// The stream decoder, as before: it reads the first value and
		// ignores what follows.
		var full queryRequest
		if err = json.NewDecoder(bytes.NewReader(body)).Decode(&full); err == nil {
			return full, nil
		}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return queryRequest{}, pgerr.New(pgerr.ProgramLimitExceeded, "request body exceeds %d bytes", tooBig.Limit)
	}
	return queryRequest{}, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid request body: %v", err)
}

// readBody reads all of body in one allocation when its length is known.
func readBody(body io.Reader, length, limit int64) ([]byte, error) {
	if length <= 0 || length > limit {
		return io.ReadAll(body)
	}
	buf := make([]byte, length)
	if _, err := io.ReadFull(body, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // a body shorter than its Content-Length
		}
		return nil, err
	}
	return buf, nil
}

// parseQueryRequest decodes b into req when b is an object with only the
// keys "sql" (a string) and "params" (an array of strings, numbers,
// booleans and nulls), each once; it reports false for anything else,
// leaving req to encoding/json. Params alias b.
func parseQueryRequest(b []byte, req *queryRequest) bool {
	p := scanner{b: b}
	if !p.byte('{') {
		return false
	}
	var sawSQL, sawParams bool
	if !p.byte('}') {
		for {
			key, ok := p.plainString()
			if !ok || !p.byte(':') {
				return false
			}
			switch {
			case key == "sql" && !sawSQL:
				sawSQL = true
				if req.SQL, ok = p.stringValue(); !ok {
					return false
				}
			case key == "params" && !sawParams:
				sawParams = true
				if req.Params, ok = p.scalarArray(); !ok {
					return false
				}
			default:
				return false
			}
			if p.byte('}') {
				break
			}
			if !p.byte(',') {
				return false
			}
		}
	}
	p.space()
	return p.i == len(b)
}

// scanner reads JSON tokens from b; every method skips leading white
// space and reports false on anything it does not handle.
type scanner struct {
	b []byte
	i int
}

func (p *scanner) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c if it comes next.
func (p *scanner) byte(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// stringToken consumes a valid JSON string and returns it with its quotes;
// plain reports that it has no escapes and only ASCII.
func (p *scanner) stringToken() (tok []byte, plain, ok bool) {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false, false
	}
	start := p.i
	plain = true
	for i := p.i + 1; i < len(p.b); i++ {
		switch c := p.b[i]; {
		case c == '"':
			p.i = i + 1
			return p.b[start:p.i], plain, true
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			plain = false
		case c == '\\':
			plain = false
			if i+1 >= len(p.b) {
				return nil, false, false
			}
			i++
			switch p.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(p.b) || !isHex(p.b[i+1]) || !isHex(p.b[i+2]) || !isHex(p.b[i+3]) || !isHex(p.b[i+4]) {
					return nil, false, false
				}
				i += 4
			default:
				return nil, false, false
			}
		}
	}
	return nil, false, false
}

// plainString consumes a string without escapes or non-ASCII bytes (a
// key: encoding/json matches keys case-insensitively, so only exact ones
// are ours).
func (p *scanner) plainString() (string, bool) {
	tok, plain, ok := p.stringToken()
	if !ok || !plain {
		return "", false
	}
	return string(tok[1 : len(tok)-1]), true
}

// stringValue consumes a string value; escapes and non-ASCII text go
// through encoding/json so that they decode exactly as before (invalid
// UTF-8 becomes U+FFFD).
func (p *scanner) stringValue() (string, bool) {
	tok, plain, ok := p.stringToken()
	if !ok {
		return "", false
	}
	if plain {
		return string(tok[1 : len(tok)-1]), true
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", false
	}
	return s, true
}

// scalarArray consumes an array of strings, numbers, booleans and nulls
// and returns each value's JSON text.
func (p *scanner) scalarArray() ([]json.RawMessage, bool) {
	if !p.byte('[') {
		return nil, false
	}
	out := make([]json.RawMessage, 0, 4)
	if p.byte(']') {
		return out, true
	}
	for {
		v, ok := p.scalar()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if p.byte(']') {
			return out, true
		}
		if !p.byte(',') {
			return nil, false
		}
	}
}

// scalar consumes a string, number, true, false or null.
func (p *scanner) scalar() (json.RawMessage, bool) {
	p.space()
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		tok, _, ok := p.stringToken()
		return tok, ok
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return nil, false
}

func (p *scanner) literal(word string) (json.RawMessage, bool) {
	end := p.i + len(word)
	if end > len(p.b) || string(p.b[p.i:end]) != word || !p.delimited(end) {
		return nil, false
	}
	tok := p.b[p.i:end]
	p.i = end
	return tok, true
}

// number consumes a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *scanner) number() (json.RawMessage, bool) {
	b, i := p.b, p.i
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	if !p.delimited(i) {
		return nil, false
	}
	tok := b[p.i:i]
	p.i = i
	return tok, true
}

// delimited reports whether a token ending at end is followed by white
// space, a comma, a closing bracket or the end.
func (p *scanner) delimited(end int) bool {
	if end == len(p.b) {
		return true
	}
	switch p.b[end] {
	case ' ', '\t', '\n', '\r', ',', ']', '}':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
