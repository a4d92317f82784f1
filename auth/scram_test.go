package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

// scramClient is the client half of SCRAM-SHA-256 per RFC 5802, written
// independently of the server code so the two check each other.
type scramClient struct {
	password, nonce, gs2 string
	clientBare, authMsg  string
	salted               []byte
}

func newSCRAMClient(password, nonce, gs2 string) *scramClient {
	return &scramClient{password: password, nonce: nonce, gs2: gs2}
}

func (c *scramClient) first(user string) string {
	c.clientBare = "n=" + user + ",r=" + c.nonce
	return c.gs2 + c.clientBare
}

func (c *scramClient) final(t *testing.T, serverFirst string) string {
	t.Helper()
	var nonce, salt string
	var iter int
	for _, kv := range strings.Split(serverFirst, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "r":
			nonce = v
		case "s":
			salt = v
		case "i":
			for _, d := range v {
				iter = iter*10 + int(d-'0')
			}
		}
	}
	if !strings.HasPrefix(nonce, c.nonce) || len(nonce) == len(c.nonce) {
		t.Fatalf("server nonce %q does not extend client nonce %q", nonce, c.nonce)
	}
	rawSalt, err := base64.StdEncoding.DecodeString(salt)
	if err != nil {
		t.Fatalf("salt: %v", err)
	}
	c.salted = pbkdf2Test(c.password, rawSalt, iter)
	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(c.gs2)) + ",r=" + nonce
	c.authMsg = c.clientBare + "," + serverFirst + "," + withoutProof
	clientKey := hmacTest(c.salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	sig := hmacTest(storedKey[:], c.authMsg)
	proof := make([]byte, len(sig))
	for i := range sig {
		proof[i] = clientKey[i] ^ sig[i]
	}
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)
}

func (c *scramClient) serverSignature() string {
	sig := hmacTest(hmacTest(c.salted, "Server Key"), c.authMsg)
	return "v=" + base64.StdEncoding.EncodeToString(sig)
}

func hmacTest(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// pbkdf2Test is RFC 5802's Hi(), spelled out rather than borrowed from the
// package under test.
func pbkdf2Test(password string, salt []byte, iter int) []byte {
	u := hmacTest([]byte(password), string(salt)+"\x00\x00\x00\x01")
	out := append([]byte(nil), u...)
	for i := 1; i < iter; i++ {
		u = hmacTest([]byte(password), string(u))
		for j := range out {
			out[j] ^= u[j]
		}
	}
	return out
}

// TestSCRAMRFC7677 replays the exchange in RFC 7677 §3 byte for byte.
func TestSCRAMRFC7677(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v, err := deriveVerifier("pencil", salt, 4096)
	if err != nil {
		t.Fatalf("deriveVerifier: %v", err)
	}
	s := NewSCRAMServer(v)
	s.serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

	got, err := s.First([]byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
	if err != nil {
		t.Fatalf("First: %v", err)
	}
	want := "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	if string(got) != want {
		t.Fatalf("server-first = %q, want %q", got, want)
	}
	got, err = s.Final([]byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	if err != nil {
		t.Fatalf("Final: %v", err)
	}
	if want := "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="; string(got) != want {
		t.Fatalf("server-final = %q, want %q", got, want)
	}
}

// exchange runs a whole SCRAM conversation between the test client and a
// server built on verifier.
func exchange(t *testing.T, v *Verifier, password, gs2 string) ([]byte, error) {
	t.Helper()
	c := newSCRAMClient(password, "fyko+d2lbbFgONRv9qkxdawL", gs2)
	s := NewSCRAMServer(v)
	sf, err := s.First([]byte(c.first("ignored")))
	if err != nil {
		t.Fatalf("First: %v", err)
	}
	out, err := s.Final([]byte(c.final(t, string(sf))))
	if err == nil && string(out) != c.serverSignature() {
		t.Fatalf("server-final = %q, want %q", out, c.serverSignature())
	}
	return out, err
}

func TestSCRAMExchange(t *testing.T) {
	v, err := ParseVerifier(pg15Verifiers[0].verifier) // "secret", from PostgreSQL
	if err != nil {
		t.Fatalf("ParseVerifier: %v", err)
	}
	for _, gs2 := range []string{"n,,", "y,,"} {
		if _, err := exchange(t, v, "secret", gs2); err != nil {
			t.Fatalf("%s exchange with right password: %v", gs2, err)
		}
		if _, err := exchange(t, v, "wrong", gs2); !errors.Is(err, ErrBadPassword) {
			t.Fatalf("%s exchange with wrong password err = %v, want ErrBadPassword", gs2, err)
		}
	}
	// An unknown user fails only at the proof, like a wrong password.
	if _, err := exchange(t, MockVerifier([]byte("k"), "ghost"), "", "n,,"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("mock exchange err = %v, want ErrBadPassword", err)
	}
}

func TestSCRAMServerNonceIsFresh(t *testing.T) {
	v, _ := NewVerifier("x")
	a, _ := NewSCRAMServer(v).First([]byte("n,,n=,r=abc"))
	b, _ := NewSCRAMServer(v).First([]byte("n,,n=,r=abc"))
	if string(a) == string(b) {
		t.Fatalf("two exchanges got the same server nonce: %q", a)
	}
	if !strings.HasPrefix(string(a), "r=abc") || len(strings.SplitN(string(a), ",", 2)[0]) != len("r=abc")+24 {
		t.Fatalf("server-first %q: want the client nonce plus 24 base64 characters", a)
	}
}

func TestSCRAMFirstRejects(t *testing.T) {
	tests := []struct {
		name, msg, code string
	}{
		{"empty", "", pgerr.ProtocolViolation},
		{"channel binding requested", "p=tls-server-end-point,,n=,r=abc", pgerr.ProtocolViolation},
		{"bad flag", "x,,n=,r=abc", pgerr.ProtocolViolation},
		{"no comma after flag", "n", pgerr.ProtocolViolation},
		{"authzid", "n,a=bob,n=,r=abc", pgerr.FeatureNotSupported},
		{"missing second comma", "n,n=,r=abc", pgerr.ProtocolViolation},
		{"mandatory extension", "n,,m=ext,n=,r=abc", pgerr.FeatureNotSupported},
		{"no username", "n,,r=abc", pgerr.ProtocolViolation},
		{"no nonce", "n,,n=user", pgerr.ProtocolViolation},
		{"empty nonce", "n,,n=user,r=", pgerr.ProtocolViolation},
		{"unprintable nonce", "n,,n=user,r=a\x01b", pgerr.ProtocolViolation},
		{"bad extension", "n,,n=user,r=abc,1=x", pgerr.ProtocolViolation},
	}
	v, _ := NewVerifier("x")
	for _, tt := range tests {
		_, err := NewSCRAMServer(v).First([]byte(tt.msg))
		if err == nil {
			t.Fatalf("%s: First(%q) succeeded", tt.name, tt.msg)
		}
		if got := pgerr.Code(err); got != tt.code {
			t.Fatalf("%s: First(%q) code %s, want %s (%v)", tt.name, tt.msg, got, tt.code, err)
		}
	}
	// Extensions after the nonce are allowed and ignored.
	if _, err := NewSCRAMServer(v).First([]byte("n,,n=user,r=abc,x=1,y=2")); err != nil {
		t.Fatalf("First with extensions: %v", err)
	}
}

func TestSCRAMFinalRejects(t *testing.T) {
	v, _ := NewVerifier("secret")
	// start returns a server past First, its combined nonce, and a valid
	// client-final for the right password.
	start := func(gs2 string) (*SCRAMServer, string, string) {
		c := newSCRAMClient("secret", "abc", gs2)
		s := NewSCRAMServer(v)
		s.serverNonce = "XYZ"
		sf, err := s.First([]byte(c.first("u")))
		if err != nil {
			t.Fatalf("First: %v", err)
		}
		return s, "abcXYZ", c.final(t, string(sf))
	}
	_, _, good := start("n,,")
	proof := good[strings.Index(good, ",p="):]
	tests := []struct {
		name, gs2, msg string
	}{
		{"empty", "n,,", ""},
		{"no channel binding", "n,,", "r=abcXYZ" + proof},
		{"cbind for y after n", "n,,", "c=eSws,r=abcXYZ" + proof},
		{"cbind for n after y", "y,,", "c=biws,r=abcXYZ" + proof},
		{"cbind with data", "n,,", "c=cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAAAA,r=abcXYZ" + proof},
		{"nonce mismatch", "n,,", "c=biws,r=abcXYQ" + proof},
		{"client nonce only", "n,,", "c=biws,r=abc" + proof},
		{"no proof", "n,,", "c=biws,r=abcXYZ"},
		{"proof not last", "n,,", "c=biws,r=abcXYZ" + proof + ",x=1"},
		{"proof not base64", "n,,", "c=biws,r=abcXYZ,p=!!!"},
		{"proof too short", "n,,", "c=biws,r=abcXYZ,p=AAAA"},
		{"bad attribute", "n,,", "c=biws,r=abcXYZ,==1" + proof},
	}
	for _, tt := range tests {
		s, _, _ := start(tt.gs2)
		_, err := s.Final([]byte(tt.msg))
		if !errors.Is(err, ErrMalformedSCRAM) || pgerr.Code(err) != pgerr.ProtocolViolation {
			t.Fatalf("%s: Final(%q) err = %v, want a 08P01 ErrMalformedSCRAM", tt.name, tt.msg, err)
		}
	}
	// Extensions before the proof count in the AuthMessage, so a client
	// that signs them passes; the good message passes as is.
	s, _, msg := start("n,,")
	if _, err := s.Final([]byte(msg)); err != nil {
		t.Fatalf("Final(good): %v", err)
	}
	// A flipped proof bit is a wrong password, not a malformed message.
	s, _, msg = start("n,,")
	bad := []byte(msg)
	p := strings.Index(msg, ",p=") + 3
	if bad[p] == 'A' {
		bad[p] = 'B'
	} else {
		bad[p] = 'A'
	}
	if _, err := s.Final(bad); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("Final(flipped proof) err = %v, want ErrBadPassword", err)
	}
}

func TestSCRAMOutOfOrder(t *testing.T) {
	v, _ := NewVerifier("secret")
	s := NewSCRAMServer(v)
	if _, err := s.Final([]byte("c=biws,r=x,p=AAAA")); !errors.Is(err, ErrMalformedSCRAM) {
		t.Fatalf("Final before First err = %v", err)
	}
	if _, err := s.First([]byte("n,,n=,r=abc")); !errors.Is(err, ErrMalformedSCRAM) {
		t.Fatalf("First after a failed exchange err = %v, want refusal", err)
	}

	s = NewSCRAMServer(v)
	if _, err := s.First([]byte("n,,n=,r=abc")); err != nil {
		t.Fatalf("First: %v", err)
	}
	if _, err := s.First([]byte("n,,n=,r=abc")); !errors.Is(err, ErrMalformedSCRAM) {
		t.Fatalf("second First err = %v", err)
	}

	if _, err := NewSCRAMServer(nil).First([]byte("n,,n=,r=abc")); err == nil {
		t.Fatalf("First with nil verifier succeeded")
	}
}
