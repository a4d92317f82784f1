package auth

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func FuzzParseVerifier(f *testing.F) {
	for _, v := range pg15Verifiers {
		f.Add(v.verifier)
	}
	f.Add("SCRAM-SHA-256$1:AA==$" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add("SCRAM-SHA-256$$:")
	f.Add("md5abc")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVerifier(s)
		if err != nil {
			if !errors.Is(err, ErrBadVerifier) {
				t.Fatalf("error %v does not wrap ErrBadVerifier", err)
			}
			return
		}
		back, err := ParseVerifier(v.String())
		if err != nil {
			t.Fatalf("ParseVerifier(%q) ok but its String %q does not parse: %v", s, v.String(), err)
		}
		if back.Iterations != v.Iterations || !bytes.Equal(back.Salt, v.Salt) ||
			!bytes.Equal(back.StoredKey, v.StoredKey) || !bytes.Equal(back.ServerKey, v.ServerKey) {
			t.Fatalf("round trip of %q changed the verifier", s)
		}
	})
}

func FuzzSCRAMServer(f *testing.F) {
	f.Add([]byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
		[]byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	f.Add([]byte("y,,n=,r=abc,x=1"), []byte("c=eSws,r=abc%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,e=1,p=AAAA"))
	f.Add([]byte("p=tls-server-end-point,,n=,r=abc"), []byte("c=,r=,p="))
	f.Add([]byte("n,a=x,n=,r=abc"), []byte(""))
	f.Add([]byte(""), []byte(",,,,"))
	salt := []byte("W22ZaJ0SNY7soEsU") // any salt: the server never runs PBKDF2
	v, err := deriveVerifier("pencil", salt, 1)
	if err != nil {
		f.Fatalf("deriveVerifier: %v", err)
	}
	f.Fuzz(func(t *testing.T, first, final []byte) {
		s := NewSCRAMServer(v)
		s.serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
		if _, err := s.First(first); err != nil {
			// A refused first message must end the exchange.
			if _, err := s.Final(final); err == nil {
				t.Fatalf("Final succeeded after First failed")
			}
			return
		}
		out, err := s.Final(final)
		if err == nil && !bytes.HasPrefix(out, []byte("v=")) {
			t.Fatalf("server-final %q lacks v=", out)
		}
		if _, err := s.Final(final); err == nil {
			t.Fatalf("a second Final succeeded")
		}
	})
}

func FuzzJWTVerify(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	j := fixedJWT(testSecret, now)
	good, err := j.Sign("user_alice", RoleService, time.Hour)
	if err != nil {
		f.Fatalf("Sign: %v", err)
	}
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhIn0.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := j.Verify(token)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("error %v does not wrap ErrBadToken", err)
			}
			return
		}
		if c.Subject == "" || !c.Role.Valid() {
			t.Fatalf("accepted token with claims %+v", c)
		}
	})
}
