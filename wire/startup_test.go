package wire

import (
	"reflect"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestSplitOptions(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		code string
	}{
		{"", map[string]string{}, ""},
		{"-c search_path=chat", map[string]string{"search_path": "chat"}, ""},
		{"-csearch_path=chat --statement-timeout=5s", map[string]string{"search_path": "chat", "statement_timeout": "5s"}, ""},
		{`-c application_name=a\ b  -c x=`, map[string]string{"application_name": "a b", "x": ""}, ""},
		{"-c", nil, pgerr.SyntaxError},
		{"-c novalue", nil, pgerr.SyntaxError},
		{"-d 5", nil, pgerr.SyntaxError},
	}
	for _, tt := range tests {
		got, err := splitOptions(tt.in)
		if tt.code != "" {
			if pgerr.Code(err) != tt.code {
				t.Fatalf("%q: err %v, want %s", tt.in, err, tt.code)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Fatalf("%q: got %v %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckUTF8(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"héllo", ""},
		{"a\xffb", `invalid byte sequence for encoding "UTF8": 0xff`},
		{"ab\xc3\x28", `invalid byte sequence for encoding "UTF8": 0xc3 0x28`},
		{"x\xe2\x82", `invalid byte sequence for encoding "UTF8": 0xe2 0x82`},
		{"\xf0\x9f\x98\x80\xed\xa0\x80", `invalid byte sequence for encoding "UTF8": 0xed 0xa0 0x80`},
	}
	for _, tt := range tests {
		e := checkUTF8(tt.in)
		if tt.want == "" {
			if e != nil {
				t.Fatalf("%q: %v", tt.in, e)
			}
			continue
		}
		if e == nil || e.Code != pgerr.CharacterNotInRepertoire || e.Message != tt.want {
			t.Fatalf("%q: got %v, want %s", tt.in, e, tt.want)
		}
	}
}

func TestLooksLikeJWT(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig-_", true},
		{"a.b", false},
		{"a..c", false},
		{"a.b.c.d", false},
		{"pass word.b.c", false},
		{"secret", false},
	}
	for _, tt := range tests {
		if got := looksLikeJWT(tt.in); got != tt.want {
			t.Fatalf("%q: got %v", tt.in, got)
		}
	}
}

func TestParseAuthMode(t *testing.T) {
	tests := []struct {
		in   string
		want AuthMode
		ok   bool
	}{
		{"auto", AuthAuto, true},
		{"password", AuthPassword, true},
		{"scram-sha-256", AuthSCRAM, true},
		{"SCRAM-SHA-256", AuthSCRAM, true},
		{"md5", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseAuthMode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Fatalf("%q: got %v %v", tt.in, got, err)
		}
		if tt.ok && got.String() != map[AuthMode]string{AuthAuto: "auto", AuthPassword: "password", AuthSCRAM: "scram-sha-256"}[got] {
			t.Fatalf("String() = %q", got.String())
		}
	}
}

func TestDecodeStartup(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"ok", "\x00\x03\x00\x00user\x00root\x00\x00", true},
		{"empty", "\x00\x03\x00\x00\x00", true},
		{"no terminator", "\x00\x03\x00\x00user\x00root\x00", false},
		{"name only", "\x00\x03\x00\x00user\x00", false},
		{"trailing", "\x00\x03\x00\x00user\x00root\x00\x00x", false},
	}
	for _, tt := range tests {
		pkt, err := decodeStartup([]byte(tt.body))
		if (err == nil) != tt.ok {
			t.Fatalf("%s: err %v", tt.name, err)
		}
		if tt.name == "ok" && pkt.params["user"] != "root" {
			t.Fatalf("params %v", pkt.params)
		}
	}
}
