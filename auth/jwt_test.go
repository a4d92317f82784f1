package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// fixedJWT returns a JWT whose clock reads now.
func fixedJWT(secret []byte, now time.Time) *JWT {
	j := NewJWT(secret)
	j.now = func() time.Time { return now }
	return j
}

// rawToken signs arbitrary claims with HS256 and testSecret.
func rawToken(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(testSecret)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// unsignedToken builds header.payload.sig by hand, for algorithms we must
// refuse without holding their keys.
func unsignedToken(t *testing.T, header map[string]any, claims map[string]any, sig string) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + "." + sig
}

func TestJWTRoundTrip(t *testing.T) {
	now := time.Now()
	j := fixedJWT(testSecret, now)
	for _, role := range []Role{RoleUser, RoleService, RoleDBA, RoleSystem} {
		tok, err := j.Sign("user_alice", role, time.Hour)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		got, err := j.Verify(tok)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		want := Claims{Subject: "user_alice", Role: role, Expires: now.Add(time.Hour).Truncate(time.Second)}
		if got.Subject != want.Subject || got.Role != want.Role || !got.Expires.Equal(want.Expires) {
			t.Fatalf("Verify = %+v, want %+v", got, want)
		}
	}
}

func TestJWTClaimsOnTheWire(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tok, err := fixedJWT(testSecret, now).Sign("bob", RoleDBA, time.Minute)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	parts := strings.Split(tok, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var h, p map[string]any
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatalf("header: %v", err)
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if h["alg"] != "HS256" {
		t.Fatalf("alg = %v", h["alg"])
	}
	want := map[string]any{"iss": "kalamdb", "sub": "bob", "role": "dba", "iat": 1_700_000_000.0, "exp": 1_700_000_060.0}
	for k, v := range want {
		if p[k] != v {
			t.Fatalf("claim %s = %v, want %v (payload %s)", k, p[k], v, payload)
		}
	}
}

func TestJWTRejects(t *testing.T) {
	now := time.Now()
	j := fixedJWT(testSecret, now)
	good := jwt.MapClaims{"iss": "kalamdb", "sub": "alice", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	otherSecret, err := NewJWT([]byte("another secret, also 32 bytes ok")).Sign("alice", RoleSystem, time.Hour)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	goodPayload := map[string]any(good)

	tests := []struct {
		name  string
		token string
		cause error
	}{
		{"expired", rawToken(t, with("exp", now.Add(-time.Hour).Unix())), jwt.ErrTokenExpired},
		{"no exp", rawToken(t, with("exp", nil)), jwt.ErrTokenRequiredClaimMissing},
		{"wrong issuer", rawToken(t, with("iss", "someone")), jwt.ErrTokenInvalidIssuer},
		{"no issuer", rawToken(t, with("iss", nil)), jwt.ErrTokenRequiredClaimMissing},
		{"issued in the future", rawToken(t, with("iat", now.Add(time.Hour).Unix())), jwt.ErrTokenUsedBeforeIssued},
		{"missing sub", rawToken(t, with("sub", nil)), jwt.ErrTokenRequiredClaimMissing},
		{"empty sub", rawToken(t, with("sub", "")), jwt.ErrTokenRequiredClaimMissing},
		{"unknown role", rawToken(t, with("role", "root")), ErrUnknownRole},
		{"wrong secret", otherSecret, jwt.ErrTokenSignatureInvalid},
		{"alg none", unsignedToken(t, map[string]any{"alg": "none", "typ": "JWT"}, goodPayload, ""), jwt.ErrTokenSignatureInvalid},
		{"alg RS256", unsignedToken(t, map[string]any{"alg": "RS256", "typ": "JWT"}, goodPayload, "c2ln"), jwt.ErrTokenSignatureInvalid},
		{"alg HS512", unsignedToken(t, map[string]any{"alg": "HS512", "typ": "JWT"}, goodPayload, "c2ln"), jwt.ErrTokenSignatureInvalid},
		{"garbage", "not.a.token", jwt.ErrTokenMalformed},
		{"empty", "", jwt.ErrTokenMalformed},
		{"too long", strings.Repeat("a", maxTokenLen+1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := j.Verify(tt.token)
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("Verify err = %v, want ErrBadToken", err)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("Verify err = %v, want cause %v", err, tt.cause)
			}
		})
	}
}

func TestJWTLeewayAndDefaultRole(t *testing.T) {
	now := time.Now()
	j := fixedJWT(testSecret, now)
	// Expired 5s ago: within leeway, so accepted; no role claim means user.
	tok := rawToken(t, jwt.MapClaims{"iss": "kalamdb", "sub": "alice", "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(-5 * time.Second).Unix()})
	c, err := j.Verify(tok)
	if err != nil {
		t.Fatalf("Verify within leeway: %v", err)
	}
	if c.Role != RoleUser || c.Subject != "alice" {
		t.Fatalf("Verify = %+v, want alice/user", c)
	}
}

func TestJWTSignErrors(t *testing.T) {
	j := NewJWT(testSecret)
	if _, err := j.Sign("", RoleUser, time.Hour); err == nil {
		t.Fatalf("Sign with empty user succeeded")
	}
	if _, err := j.Sign("a", RoleUser, 0); err == nil {
		t.Fatalf("Sign with zero ttl succeeded")
	}
	if _, err := j.Sign("a", Role(7), time.Hour); !errors.Is(err, ErrUnknownRole) {
		t.Fatalf("Sign with bad role err = %v", err)
	}
	short := NewJWT([]byte("short"))
	if _, err := short.Sign("a", RoleUser, time.Hour); !errors.Is(err, ErrWeakSecret) {
		t.Fatalf("Sign with short secret err = %v", err)
	}
	tok, _ := j.Sign("a", RoleUser, time.Hour)
	if _, err := short.Verify(tok); !errors.Is(err, ErrBadToken) || !errors.Is(err, ErrWeakSecret) {
		t.Fatalf("Verify with short secret err = %v", err)
	}
	// NewJWT copies the secret: the caller zeroing theirs changes nothing.
	s := append([]byte(nil), testSecret...)
	k := NewJWT(s)
	tok, _ = k.Sign("a", RoleUser, time.Hour)
	clear(s)
	if _, err := k.Verify(tok); err != nil {
		t.Fatalf("Verify after caller cleared secret: %v", err)
	}
}

func TestVerifiedTokenStillExpires(t *testing.T) {
	j := NewJWT(make([]byte, MinSecretLen))
	now := time.Now()
	j.now = func() time.Time { return now }
	tok, err := j.Sign("user_a", RoleUser, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second call is served from the cache
		if c, err := j.Verify(tok); err != nil || c.Subject != "user_a" {
			t.Fatalf("verify %d: %+v %v", i, c, err)
		}
	}
	now = now.Add(time.Hour)
	if _, err := j.Verify(tok); !errors.Is(err, ErrBadToken) {
		t.Fatalf("expired token from the cache: %v", err)
	}
	if _, err := j.Verify(tok[:len(tok)-2] + "xx"); !errors.Is(err, ErrBadToken) {
		t.Fatalf("tampered token accepted: %v", err)
	}
}
