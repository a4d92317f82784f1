package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// Issuer is the iss claim KalamDB puts in and requires of every token.
	Issuer = "kalamdb"

	// MinSecretLen is the shortest HS256 secret accepted: RFC 7518 §3.2
	// asks for a key at least as long as the hash output.
	MinSecretLen = 32

	// jwtLeeway absorbs clock skew between the issuer and this server.
	jwtLeeway = 30 * time.Second

	// maxTokenLen bounds the work spent on a token before its signature is
	// checked; real tokens are a few hundred bytes.
	maxTokenLen = 8 << 10
)

// Claims are the JWT claims KalamDB issues and accepts.
type Claims struct {
	Subject string // sub: the user id
	Role    Role
	Expires time.Time
}

// tokenClaims is the JSON shape of a token's payload.
type tokenClaims struct {
	jwt.RegisteredClaims
	Role string `json:"role,omitempty"`
}

// JWT signs and verifies HS256 tokens with iss="kalamdb".
// It is safe for concurrent use.
type JWT struct {
	secret []byte
	now    func() time.Time // injectable for tests
	// verified remembers tokens whose signature checked out, so a client
	// sending the same token on every request pays the HMAC and JSON
	// decoding once; expiry is still checked on every use.
	verified verifiedTokens
}

// NewJWT returns a signer/verifier for secret. A secret shorter than
// MinSecretLen makes Sign and Verify fail with ErrWeakSecret rather than
// issue or accept forgeable tokens.
func NewJWT(secret []byte) *JWT {
	return &JWT{secret: append([]byte(nil), secret...), now: time.Now}
}

// Sign issues a token for user with role, valid for ttl.
func (j *JWT) Sign(user string, role Role, ttl time.Duration) (string, error) {
	if len(j.secret) < MinSecretLen {
		return "", fmt.Errorf("sign token: %w (%d bytes, need %d)", ErrWeakSecret, len(j.secret), MinSecretLen)
	}
	if user == "" {
		return "", errors.New("sign token: empty user")
	}
	if !role.Valid() {
		return "", fmt.Errorf("sign token: %w: %v", ErrUnknownRole, role)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("sign token: non-positive ttl %v", ttl)
	}
	now := j.now()
	c := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   user,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: role.String(),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(j.secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Verify checks signature, algorithm (HS256 only), issuer and expiry, and
// that sub is present. A token without a role claim is a RoleUser token.
// Every failure wraps ErrBadToken together with its cause.
func (j *JWT) Verify(token string) (Claims, error) {
	if c, ok := j.verified.get(token); ok && j.now().Before(c.Expires.Add(jwtLeeway)) {
		return c, nil
	}
	c, err := j.verify(token)
	if err == nil {
		j.verified.put(token, c)
	}
	return c, err
}

func (j *JWT) verify(token string) (Claims, error) {
	if len(j.secret) < MinSecretLen {
		return Claims{}, fmt.Errorf("%w: %w", ErrBadToken, ErrWeakSecret)
	}
	if len(token) > maxTokenLen {
		return Claims{}, fmt.Errorf("%w: token longer than %d bytes", ErrBadToken, maxTokenLen)
	}
	p := jwt.NewParser(
		// The allow-list is what defeats "alg":"none" and RS256/HS256
		// confusion: any other alg fails before the key is used.
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(jwtLeeway),
		jwt.WithTimeFunc(j.now),
	)
	var c tokenClaims
	_, err := p.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodHS256 {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return j.secret, nil
	})
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if c.Subject == "" {
		return Claims{}, fmt.Errorf("%w: %w: sub", ErrBadToken, jwt.ErrTokenRequiredClaimMissing)
	}
	role := RoleUser
	if c.Role != "" {
		if role, err = ParseRole(c.Role); err != nil {
			return Claims{}, fmt.Errorf("%w: %w", ErrBadToken, err)
		}
	}
	return Claims{Subject: c.Subject, Role: role, Expires: c.ExpiresAt.Time}, nil
}
