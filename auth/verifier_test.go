package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

// pg15Verifiers were produced by a real PostgreSQL 15 (initdb -E UTF8,
// CREATE ROLE ... PASSWORD ..., SELECT rolpassword FROM pg_authid). The
// non-ASCII ones pin SASLprep to PostgreSQL's behaviour.
var pg15Verifiers = []struct {
	name, password, verifier string
}{
	{"ascii", "secret", "SCRAM-SHA-256$4096:RmVWrxAv3FWGBaqbfaA3hQ==$G1kEaLW9v2TC1yhWMPaUbj/exgH7zvqb9Q6wdKoDyEc=:/HkoJEeapQ7QD2K0Yd9dVeXlAhwcRCB0X5ccuGIZGPU="},
	{"pencil", "pencil", "SCRAM-SHA-256$4096:B1RGG/mh8739vY7yUlgPfg==$VOAYGG3ww3oWcRuaHzHRUbin7852+o34mcZWXj5Rw6U=:G8+Ws0Ul90cyXugpaW0f+BPFJ1nJabHqnkx30baPKJo="},
	{"nfc", "p\u00e4ssw\u00f6rd", "SCRAM-SHA-256$4096:rNKuNV4SLJd4xR67F37YpA==$QblW4P+rYSM1BHbtlE1AgK151AHiEl9iECp0ewPmB6o=:ShpP4BMlK2Ts6v5VXo3aEgCGRRNWpqjyJO7p+Ah+LYY="},
	{"nfd", "pa\u0308ssw\u00f6rd", "SCRAM-SHA-256$4096:Uw3FabpaZ5RzeftwlJN1TA==$N50QCS7/23pJPcIhhi7/cRrofG1m+2258qDGeHsJbAU=:ZJ1gw7JGZlR6R/2YQ0ztGCTMxCO9PUnLCKKAegXd0MA="},
	{"ligature (NFKC)", "\ufb01x", "SCRAM-SHA-256$4096:QUOqkJlWZT6zRiDcpY9N1w==$IrTbVeeWKl3IRck1btIuqJHE1olUn3C+/9zRJtgY8ac=:4scgWhclWWW5XMu5IZctV+Lg4S7Kb+yYWrPgtO9vFA0="},
	{"soft hyphen", "a\u00adb", "SCRAM-SHA-256$4096:ZkJeBNQTS0pUpesCZd6Uaw==$ij0EcakYM9txsKXYYCvgUGuC9Qd3sklXlkWd2KzY0yo=:C/t2gGYvM6G3hTGtLiy66cYBoFAXS2lgjOG1HCJb57s="},
	{"non-ASCII spaces", "a\u00a0b\u3000c", "SCRAM-SHA-256$4096:squFLJ5GoXUYuLZloSYo7w==$i7M6mnfdpmLeATxf0mzS7kM0mrFm/lwLFUQDCNB+AuU=:z/PCE0vPwxG9Q8pqL/swXwHMxOC3n4E89FcWLpHtxv4="},
	{"bidi mix (raw)", "\u05d0a", "SCRAM-SHA-256$4096:zQzfKPIepebjXQWXXp9zrQ==$Z0RrMl11LqJOFUv/KtetVHYU+GK4k7arP5CHkEwWyR4=:IxsEHwvhVYqo2w5DdfYMNIAoeYzhAlvrsK1+XUkijkQ="},
	{"rtl only", "\u05d0\u05d1", "SCRAM-SHA-256$4096:pCLf9vClHU1dxw5tRFsD6w==$xOMU0V6d69tt6Jy/DOY90vEwIafhtZCIMsH2Sr376SA=:snDTaluqXthp1L0XcT4qze3d3eyYTLepHrmImsyypxM="},
	{"control (raw)", "\u0007\u00e9", "SCRAM-SHA-256$4096:jnS0wo5lDpWdj6v377Oxrg==$sWAP/QRshnWeuY+IoWd06AqEj/QQXO0aZc32dimGMLQ=:dMriHij9EBchoPWQJciujvUDKzu5Z4dEvaZovjuqo+s="},
	{"unassigned in 3.2 (raw)", "\U0001f600\ufb01", "SCRAM-SHA-256$4096:AsTo5R0PQi34XJj0jQ+pdg==$FdnVVJx5jqvdR7Ysm4LgWArEjvR88vzOpqorsJiDYVk=:jSbST24x4HrFRFjCcu+2IbjBAKgL+j/sons2sVKidVk="},
}

func TestParseVerifierFromPostgreSQL(t *testing.T) {
	for _, tt := range pg15Verifiers {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseVerifier(tt.verifier)
			if err != nil {
				t.Fatalf("ParseVerifier: %v", err)
			}
			if v.Iterations != 4096 || len(v.Salt) != 16 {
				t.Fatalf("parsed %d iterations, %d-byte salt", v.Iterations, len(v.Salt))
			}
			if got := v.String(); got != tt.verifier {
				t.Fatalf("String() = %q, want %q", got, tt.verifier)
			}
			if !v.Check(tt.password) {
				t.Fatalf("Check(%q) = false, want true", tt.password)
			}
			if v.Check(tt.password + "x") {
				t.Fatalf("Check(wrong password) = true")
			}
		})
	}
}

func TestNewVerifier(t *testing.T) {
	v, err := NewVerifier("secret")
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	if v.Iterations != 4096 || len(v.Salt) != 16 || len(v.StoredKey) != 32 || len(v.ServerKey) != 32 {
		t.Fatalf("verifier shape %+v", v)
	}
	if !v.Check("secret") || v.Check("Secret") || v.Check("") {
		t.Fatalf("Check gives wrong answers")
	}
	back, err := ParseVerifier(v.String())
	if err != nil {
		t.Fatalf("ParseVerifier(String()): %v", err)
	}
	if back.String() != v.String() || !back.Check("secret") {
		t.Fatalf("round trip changed the verifier")
	}
	w, _ := NewVerifier("secret")
	if bytes.Equal(v.Salt, w.Salt) {
		t.Fatalf("two verifiers share a salt")
	}
}

func TestParseVerifierRejects(t *testing.T) {
	good := pg15Verifiers[0].verifier
	tests := []string{
		"",
		"secret",
		"md5" + strings.Repeat("a", 32),
		strings.Replace(good, "SCRAM-SHA-256", "SCRAM-SHA-1", 1),
		strings.Replace(good, "SCRAM-SHA-256", "scram-sha-256", 1),
		strings.Replace(good, "4096:", "0:", 1),
		strings.Replace(good, "4096:", "-1:", 1),
		strings.Replace(good, "4096:", "x:", 1),
		strings.Replace(good, "4096:", "99999999999:", 1),
		strings.Replace(good, "4096:", "4096", 1),
		strings.Replace(good, "4096:RmVWrxAv3FWGBaqbfaA3hQ==", "4096:", 1),
		strings.Replace(good, "RmVWrxAv3FWGBaqbfaA3hQ==", "RmVWrxAv3FWGBaqbfaA3hQ", 1),
		strings.Replace(good, "G1kEaLW9", "G1k", 1),
		strings.Replace(good, "=:/Hko", "=/Hko", 1),
		strings.TrimSuffix(good, "U="),
		good + "$",
		"SCRAM-SHA-256$4096:RmVWrxAv3FWGBaqbfaA3hQ==",
	}
	for _, s := range tests {
		if v, err := ParseVerifier(s); !errors.Is(err, ErrBadVerifier) {
			t.Fatalf("ParseVerifier(%q) = %v, %v; want ErrBadVerifier", s, v, err)
		}
	}
}

func TestCheckNilAndBroken(t *testing.T) {
	var v *Verifier
	if v.Check("x") {
		t.Fatalf("nil verifier accepted a password")
	}
	if (&Verifier{}).Check("") {
		t.Fatalf("zero verifier accepted a password")
	}
}

func TestVerifierFor(t *testing.T) {
	pg := pg15Verifiers[0].verifier
	v, err := VerifierFor(pg)
	if err != nil || v.String() != pg {
		t.Fatalf("VerifierFor(verifier) = %v, %v; want it kept as is", v, err)
	}
	v, err = VerifierFor("hunter2")
	if err != nil || !v.Check("hunter2") {
		t.Fatalf("VerifierFor(plain) = %v, %v", v, err)
	}
	// Like PostgreSQL, a broken verifier is just an odd plain password.
	odd := "SCRAM-SHA-256$nope"
	v, err = VerifierFor(odd)
	if err != nil || !v.Check(odd) {
		t.Fatalf("VerifierFor(%q) = %v, %v", odd, v, err)
	}
	_, err = VerifierFor("md5" + strings.Repeat("0f", 16))
	if !errors.Is(err, ErrMD5Password) || pgerr.Code(err) != pgerr.FeatureNotSupported {
		t.Fatalf("VerifierFor(md5) err = %v", err)
	}
}

func TestMockVerifier(t *testing.T) {
	key := []byte("server key")
	a, b := MockVerifier(key, "ghost"), MockVerifier(key, "ghost")
	if a.String() != b.String() {
		t.Fatalf("mock verifier for one user changes between calls")
	}
	if c := MockVerifier(key, "other"); bytes.Equal(c.Salt, a.Salt) {
		t.Fatalf("two users share a mock salt")
	}
	if _, err := ParseVerifier(a.String()); err != nil {
		t.Fatalf("mock verifier does not look real: %v", err)
	}
	for _, pw := range []string{"", "ghost", "secret"} {
		if a.Check(pw) {
			t.Fatalf("mock verifier accepted %q", pw)
		}
	}
}
