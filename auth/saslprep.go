package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// saslprep normalises a password as PostgreSQL's pg_saslprep does (RFC
// 4013, src/common/saslprep.c) before it is salted and hashed. Like
// PostgreSQL, it returns the password unchanged when it is pure ASCII, is not
// valid UTF-8, or would be rejected by SASLprep: PostgreSQL accepts any
// password, and the client falls back to the raw bytes the same way.
func saslprep(password string) string {
	if isASCII(password) || !utf8.ValidString(password) {
		return password
	}
	// 1) Map: non-ASCII spaces to SPACE, then "commonly mapped to nothing"
	// characters removed, in PostgreSQL's order (U+200B is in both tables).
	var b strings.Builder
	for _, r := range password {
		switch {
		case isNonASCIISpace(r):
			b.WriteByte(' ')
		case isMappedToNothing(r):
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return password
	}
	// 2) Normalise.
	out := norm.NFKC.String(b.String())
	// 3) Prohibit, including code points unassigned in Unicode 3.2.
	hasRandAL, hasL := false, false
	for _, r := range out {
		if isProhibited(r) || unicode.Is(saslprepUnassigned, r) {
			return password
		}
		switch bidiClass(r) {
		case bidi.R, bidi.AL:
			hasRandAL = true
		case bidi.L:
			hasL = true
		}
	}
	// 4) Bidi: a string with right-to-left characters must contain no
	// left-to-right ones and must begin and end with a right-to-left one.
	if hasRandAL {
		first, _ := utf8.DecodeRuneInString(out)
		last, _ := utf8.DecodeLastRuneInString(out)
		if hasL || !isRandAL(first) || !isRandAL(last) {
			return password
		}
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func bidiClass(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

func isRandAL(r rune) bool {
	c := bidiClass(r)
	return c == bidi.R || c == bidi.AL
}

// isNonASCIISpace is RFC 3454 table C.1.2.
func isNonASCIISpace(r rune) bool {
	switch {
	case r == 0x00A0, r == 0x1680, r >= 0x2000 && r <= 0x200B,
		r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

// isMappedToNothing is RFC 3454 table B.1.
func isMappedToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x1806, r >= 0x180B && r <= 0x180D,
		r >= 0x200B && r <= 0x200D, r == 0x2060, r >= 0xFE00 && r <= 0xFE0F,
		r == 0xFEFF:
		return true
	}
	return false
}

// isProhibited is RFC 4013 §2.3: RFC 3454 tables C.1.2 and C.2.1 to C.9.
func isProhibited(r rune) bool {
	switch {
	case isNonASCIISpace(r): // C.1.2
		return true
	case r < 0x20 || r == 0x7F: // C.2.1
		return true
	case r >= 0x80 && r <= 0x9F, r == 0x06DD, r == 0x070F, r == 0x180E,
		r == 0x200C, r == 0x200D, r == 0x2028, r == 0x2029,
		r >= 0x2060 && r <= 0x2063, r >= 0x206A && r <= 0x206F, r == 0xFEFF,
		r >= 0xFFF9 && r <= 0xFFFC, r >= 0x1D173 && r <= 0x1D17A: // C.2.2
		return true
	case r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD,
		r >= 0x100000 && r <= 0x10FFFD: // C.3 private use
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // C.4 non-characters
		return true
	case r >= 0xD800 && r <= 0xDFFF: // C.5 surrogates
		return true
	case r >= 0xFFF9 && r <= 0xFFFD: // C.6
		return true
	case r >= 0x2FF0 && r <= 0x2FFB: // C.7
		return true
	case r == 0x0340, r == 0x0341, r == 0x200E, r == 0x200F,
		r >= 0x202A && r <= 0x202E: // C.8 (206A-206F is in C.2.2)
		return true
	case r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // C.9
		return true
	}
	return false
}
