package types

import (
	"encoding/binary"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Arrays have lower bound 1 and are []any; a NULL element is nil. A
// multidimensional array (built by ARRAY[[...], [...]]) nests: its
// elements are the sub-arrays, all of one shape (array_dims.go). Their
// text input and other lower bounds are rejected.

func errMalformedArray(s, detail string) error {
	return &pgerr.Error{Code: pgerr.InvalidTextRepresentation,
		Message: "malformed array literal: " + quote(s), Detail: detail}
}

func errMultiDim() error {
	return pgerr.New(pgerr.FeatureNotSupported, "multidimensional arrays are not supported")
}

// appendArrayText is array_out.
func appendArrayText(buf []byte, elem OID, a []any, loc *time.Location) []byte {
	buf = append(buf, '{')
	for i, v := range a {
		if i > 0 {
			buf = append(buf, ',')
		}
		if v == nil {
			buf = append(buf, "NULL"...)
			continue
		}
		if sub, ok := v.([]any); ok {
			buf = appendArrayText(buf, elem, sub, loc)
			continue
		}
		p := len(buf)
		buf = AppendText(buf, elem, v, loc)
		if needsArrayQuote(buf[p:]) {
			tmp := append([]byte(nil), buf[p:]...)
			buf = append(buf[:p], '"')
			for _, c := range tmp {
				if c == '"' || c == '\\' {
					buf = append(buf, '\\')
				}
				buf = append(buf, c)
			}
			buf = append(buf, '"')
		}
	}
	return append(buf, '}')
}

func needsArrayQuote(e []byte) bool {
	if len(e) == 0 || (len(e) == 4 && strings.EqualFold(string(e), "null")) {
		return true
	}
	for _, c := range e {
		if c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || isSpace(c) {
			return true
		}
	}
	return false
}

// parseArrayText is array_in for one-dimensional arrays.
func parseArrayText(t Type, s string, loc *time.Location) ([]any, error) {
	elem := Type{OID: ElemOf(t.OID), Mod: t.Mod}
	p := s
	for len(p) > 0 && isSpace(p[0]) {
		p = p[1:]
	}
	want := -1
	if len(p) > 0 && p[0] == '[' {
		// Dimension decoration "[lo:hi]=".
		end := strings.IndexByte(p, ']')
		if end < 0 {
			return nil, errMalformedArray(s, "Missing \"]\" in array dimensions.")
		}
		lo, hi, ok := strings.Cut(p[1:end], ":")
		if !ok {
			lo, hi = "1", lo
		}
		l, err1 := parseInt(Int4, lo)
		h, err2 := parseInt(Int4, hi)
		if err1 != nil || err2 != nil {
			return nil, errMalformedArray(s, "\"[\" must introduce explicitly-specified array dimensions.")
		}
		if l != 1 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "array lower bounds other than 1 are not supported")
		}
		p = strings.TrimLeft(p[end+1:], " \t\n\r\v\f")
		if len(p) > 0 && p[0] == '[' {
			return nil, errMultiDim()
		}
		if len(p) == 0 || p[0] != '=' {
			return nil, errMalformedArray(s, "Missing \"=\" after array dimensions.")
		}
		p = strings.TrimLeft(p[1:], " \t\n\r\v\f")
		want = int(h - l + 1)
	}
	if len(p) == 0 || p[0] != '{' {
		return nil, errMalformedArray(s, "Array value must start with \"{\" or dimension information.")
	}
	p = p[1:]
	out := make([]any, 0, 4)
	var sb []byte
	for i := 0; ; {
		for i < len(p) && isSpace(p[i]) {
			i++
		}
		if i >= len(p) {
			return nil, errMalformedArray(s, "Unexpected end of input.")
		}
		if p[i] == '}' && len(out) == 0 {
			p = p[i+1:]
			break
		}
		if p[i] == '{' {
			if len(out) == 0 {
				return nil, errMultiDim()
			}
			return nil, errMalformedArray(s, "Unexpected \"{\" character.")
		}
		// One element, quoted or not.
		sb = sb[:0]
		quoted, escaped := false, false
		lastSig := 0 // length of sb up to its last non-space or escaped byte
		if p[i] == '"' {
			quoted = true
			i++
			for {
				if i >= len(p) {
					return nil, errMalformedArray(s, "Unexpected end of input.")
				}
				c := p[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' {
					i++
					if i >= len(p) {
						return nil, errMalformedArray(s, "Unexpected end of input.")
					}
					c = p[i]
				}
				sb = append(sb, c)
				i++
			}
			lastSig = len(sb)
			for i < len(p) && isSpace(p[i]) {
				i++
			}
		} else {
			for {
				if i >= len(p) {
					return nil, errMalformedArray(s, "Unexpected end of input.")
				}
				c := p[i]
				if c == ',' || c == '}' {
					break
				}
				if c == '"' || c == '{' {
					return nil, errMalformedArray(s, "Unexpected \""+string(c)+"\" character.")
				}
				if c == '\\' {
					i++
					if i >= len(p) {
						return nil, errMalformedArray(s, "Unexpected end of input.")
					}
					sb = append(sb, p[i])
					lastSig, escaped = len(sb), true
					i++
					continue
				}
				sb = append(sb, c)
				if !isSpace(c) {
					lastSig = len(sb)
				}
				i++
			}
			sb = sb[:lastSig]
			if len(sb) == 0 {
				return nil, errMalformedArray(s, "Unexpected \""+string(p[i])+"\" character.")
			}
		}
		if !quoted && !escaped && len(sb) == 4 && strings.EqualFold(string(sb), "null") {
			out = append(out, nil)
		} else {
			v, err := ParseText(elem, string(sb), loc)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if i >= len(p) {
			return nil, errMalformedArray(s, "Unexpected end of input.")
		}
		if p[i] == ',' {
			i++
			continue
		}
		if p[i] != '}' {
			return nil, errMalformedArray(s, "Unexpected \""+string(p[i])+"\" character.")
		}
		p = p[i+1:]
		break
	}
	if len(trimSpace(p)) != 0 {
		return nil, errMalformedArray(s, "Junk after closing right brace.")
	}
	if want >= 0 && want != len(out) {
		return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
	}
	return out, nil
}

// appendArrayBinary is array_send.
func appendArrayBinary(buf []byte, elem OID, a []any) ([]byte, error) {
	dims := ArrayDims(a)
	if len(dims) > 1 {
		a = FlattenArray(a)
	}
	hasNull := uint32(0)
	for _, v := range a {
		if v == nil {
			hasNull = 1
		}
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(dims)))
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, uint32(elem))
	for _, d := range dims {
		buf = binary.BigEndian.AppendUint32(buf, uint32(d))
		buf = binary.BigEndian.AppendUint32(buf, 1)
	}
	for _, v := range a {
		if v == nil {
			buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
			continue
		}
		p := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = AppendBinary(buf, elem, v); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[p:], uint32(len(buf)-p-4))
	}
	return buf, nil
}

// parseArrayBinary is array_recv.
func parseArrayBinary(oid OID, b []byte) ([]any, error) {
	elem := ElemOf(oid)
	if len(b) < 12 {
		return nil, errBinary("insufficient data left in message")
	}
	ndim := int32(binary.BigEndian.Uint32(b))
	flags := binary.BigEndian.Uint32(b[4:])
	et := OID(binary.BigEndian.Uint32(b[8:]))
	b = b[12:]
	if ndim < 0 || ndim > 6 {
		return nil, errBinary("invalid number of dimensions: " + itoa(int64(ndim)))
	}
	if flags > 1 {
		return nil, errBinary("invalid array flags")
	}
	if et != elem {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "binary data has array element type %d (%s) instead of expected %d (%s)",
			et, NameOf(Of(et)), elem, NameOf(Of(elem)))
	}
	if ndim == 0 {
		return []any{}, nil
	}
	if ndim > 1 {
		return nil, errMultiDim()
	}
	if len(b) < 8 {
		return nil, errBinary("insufficient data left in message")
	}
	n := int32(binary.BigEndian.Uint32(b))
	lb := int32(binary.BigEndian.Uint32(b[4:]))
	b = b[8:]
	if n < 0 || int64(n)*4 > int64(len(b)) {
		return nil, errBinary("insufficient data left in message")
	}
	if lb != 1 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "array lower bounds other than 1 are not supported")
	}
	out := make([]any, n)
	for i := range out {
		if len(b) < 4 {
			return nil, errBinary("insufficient data left in message")
		}
		l := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		if l == -1 {
			continue
		}
		if l < 0 || int(l) > len(b) {
			return nil, errBinary("insufficient data left in message")
		}
		v, err := ParseBinary(elem, b[:l])
		if err != nil {
			return nil, err
		}
		out[i], b = v, b[l:]
	}
	if len(b) != 0 {
		return nil, errBinary("incorrect binary data format in array element")
	}
	return out, nil
}

// compareArrays is array_cmp for one-dimensional arrays: element-wise,
// NULL above every value, then length.
func compareArrays(elem OID, a, b []any) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			return 1
		case y == nil:
			return -1
		}
		xs, xok := x.([]any)
		ys, yok := y.([]any)
		if xok && yok {
			if c := compareArrays(elem, xs, ys); c != 0 {
				return c
			}
			continue
		}
		if c := Compare(elem, x, y); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}
