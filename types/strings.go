package types

import (
	"unicode/utf8"

	"github.com/kalamdb/kalamdb/pgerr"
)

// checkUTF8 rejects what PostgreSQL's UTF8 server encoding rejects:
// invalid sequences and NUL bytes.
func checkUTF8(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c != 0 && c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if c == 0 || (r == utf8.RuneError && n <= 1) {
			return badEncoding(s[i:])
		}
		i += n
	}
	return nil
}

func badEncoding(s string) error {
	l := 1
	switch c := s[0]; {
	case c >= 0xf0 && c < 0xf8:
		l = 4
	case c >= 0xe0:
		l = 3
	case c >= 0xc0:
		l = 2
	}
	l = min(l, len(s))
	msg := make([]byte, 0, 64)
	msg = append(msg, "invalid byte sequence for encoding \"UTF8\": "...)
	for i := 0; i < l; i++ {
		if i > 0 {
			msg = append(msg, ' ')
		}
		msg = append(msg, '0', 'x', hexDigits[s[i]>>4], hexDigits[s[i]&15])
	}
	return &pgerr.Error{Code: pgerr.CharacterNotInRepertoire, Message: string(msg)}
}

const hexDigits = "0123456789abcdef"

// charLen is the length of s in characters.
func charLen(s string) int { return utf8.RuneCountInString(s) }

// charPrefix returns the first n characters of s.
func charPrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// coerceChars applies a varchar(n)/character(n) length to s: explicit
// casts truncate; input and assignment fail unless only spaces are cut.
// character(n) is then padded with spaces.
func coerceChars(oid OID, mod int32, s string, explicit bool) (string, error) {
	if mod < 4 || (oid != Varchar && oid != Bpchar) {
		return s, nil
	}
	n := int(mod - 4)
	l := len(s)
	if l > n { // bytes bound characters: only count when it may matter
		l = charLen(s)
	}
	if l > n {
		cut := charPrefix(s, n)
		if !explicit {
			for i := len(cut); i < len(s); i++ {
				if s[i] != ' ' {
					what := "character varying("
					if oid == Bpchar {
						what = "character("
					}
					return "", &pgerr.Error{Code: pgerr.StringDataRightTruncation,
						Message: "value too long for type " + what + itoa(int64(n)) + ")"}
				}
			}
		}
		s, l = cut, n
	}
	if oid == Bpchar && l < n {
		b := make([]byte, len(s), len(s)+n-l)
		copy(b, s)
		for ; l < n; l++ {
			b = append(b, ' ')
		}
		s = string(b)
	}
	return s, nil
}

// rtrimSpaces drops character(n)'s padding, as bpchar-to-text casts and
// comparisons do.
func rtrimSpaces(s string) string {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// clipName truncates s to NAMEDATALEN-1 bytes on a character boundary.
func clipName(s string) string {
	if len(s) <= 63 {
		return s
	}
	i := 63
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// parseChar is charin for the one-byte "char" type.
func parseChar(s string) string {
	if len(s) == 4 && s[0] == '\\' && isOctal(s[1]) && isOctal(s[2]) && isOctal(s[3]) {
		return string([]byte{(s[1]-'0')<<6 | (s[2]-'0')<<3 | (s[3] - '0')})
	}
	if len(s) == 0 || s[0] == 0 {
		return ""
	}
	return s[:1]
}

func appendChar(buf []byte, s string) []byte {
	if len(s) == 0 || s[0] == 0 {
		return buf
	}
	if c := s[0]; c >= 0x80 {
		return append(buf, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
	}
	return append(buf, s[0])
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// appendBytea is byteaout with bytea_output = hex.
func appendBytea(buf, b []byte) []byte {
	buf = append(buf, '\\', 'x')
	for _, c := range b {
		buf = append(buf, hexDigits[c>>4], hexDigits[c&15])
	}
	return buf
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseBytea is byteain: "\x" hex (whitespace between digit pairs
// allowed) or the escape format.
func parseBytea(s string) ([]byte, error) {
	if len(s) >= 2 && s[0] == '\\' && s[1] == 'x' {
		out := make([]byte, 0, (len(s)-2)/2)
		for i := 2; i < len(s); {
			c := s[i]
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				i++
				continue
			}
			hi, ok := unhex(c)
			if !ok {
				return nil, pgerr.New(codeInvalidParameter, "invalid hexadecimal digit: \"%s\"", s[i:i+utf8Len(s[i:])])
			}
			if i+1 >= len(s) {
				return nil, pgerr.New(codeInvalidParameter, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := unhex(s[i+1])
			if !ok {
				return nil, pgerr.New(codeInvalidParameter, "invalid hexadecimal digit: \"%s\"", s[i+1:i+1+utf8Len(s[i+1:])])
			}
			out = append(out, hi<<4|lo)
			i += 2
		}
		return out, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i += 2
		case i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
		default:
			return nil, &pgerr.Error{Code: pgerr.InvalidTextRepresentation, Message: "invalid input syntax for type bytea"}
		}
	}
	return out, nil
}

func utf8Len(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	return max(n, 1)
}

// appendUUID is uuid_out: lower-case 8-4-4-4-12.
func appendUUID(buf []byte, u UUID) []byte {
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf = append(buf, '-')
		}
		buf = append(buf, hexDigits[c>>4], hexDigits[c&15])
	}
	return buf
}

// parseUUID is uuid_in: optional braces, and an optional hyphen after any
// group of four hex digits.
func parseUUID(s string) (UUID, error) {
	var u UUID
	src := s
	braces := len(src) > 0 && src[0] == '{'
	if braces {
		src = src[1:]
	}
	for i := 0; i < 16; i++ {
		if len(src) < 2 {
			return u, errSyntax("uuid", s)
		}
		hi, ok1 := unhex(src[0])
		lo, ok2 := unhex(src[1])
		if !ok1 || !ok2 {
			return u, errSyntax("uuid", s)
		}
		u[i] = hi<<4 | lo
		src = src[2:]
		if len(src) > 0 && src[0] == '-' && i%2 == 1 && i < 15 {
			src = src[1:]
		}
	}
	if braces {
		if len(src) == 0 || src[0] != '}' {
			return u, errSyntax("uuid", s)
		}
		src = src[1:]
	}
	if len(src) != 0 {
		return u, errSyntax("uuid", s)
	}
	return u, nil
}
