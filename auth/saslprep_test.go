package auth

import "testing"

func TestSASLprep(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii untouched", "Pa ss\tword\x01", "Pa ss\tword\x01"},
		{"invalid utf-8 raw", "caf\xe9", "caf\xe9"},
		{"nfc kept", "p\u00e4ss", "p\u00e4ss"},
		{"nfd composed", "pa\u0308ss", "p\u00e4ss"},
		{"ligature decomposed", "\ufb01x", "fix"},
		{"roman numeral", "I\u2168", "IIX"},
		{"soft hyphen removed", "a\u00adb", "ab"},
		{"zero-width space to space", "a\u200bb", "a b"},
		{"non-ASCII spaces", "a\u00a0b\u3000c", "a b c"},
		{"only mapped-to-nothing raw", "\u00ad", "\u00ad"},
		{"control raw", "\u0007\u00e9", "\u0007\u00e9"},
		{"private use raw", "\ue000\u00e9", "\ue000\u00e9"},
		{"unassigned in 3.2 raw", "\U0001f600\ufb01", "\U0001f600\ufb01"},
		{"bidi mix raw", "\u05d0a", "\u05d0a"},
		{"rtl ok", "\u05d0\u05d1", "\u05d0\u05d1"},
		{"rtl must end rtl", "\u05d01", "\u05d01"},
		{"rtl with digits inside", "\u05d01\u05d1", "\u05d01\u05d1"},
	}
	for _, tt := range tests {
		if got := saslprep(tt.in); got != tt.want {
			t.Fatalf("%s: saslprep(%+q) = %+q, want %+q", tt.name, tt.in, got, tt.want)
		}
	}
}
