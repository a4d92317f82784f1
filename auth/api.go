package auth

import "time"

// This file fixes the package's API for the rest of the tree; bodies are
// filled in by the auth work item.

// Role is a user's role, weakest first.
type Role int

const (
	RoleUser Role = iota
	RoleService
	RoleDBA
	RoleSystem
)

// ParseRole reads "user", "service", "dba" or "system" (case-insensitive).
func ParseRole(s string) (Role, error) { panic("auth: unimplemented") }

// String returns the role's name.
func (r Role) String() string { panic("auth: unimplemented") }

// Claims are the JWT claims KalamDB issues and accepts.
type Claims struct {
	Subject string // sub: the user id
	Role    Role
	Expires time.Time
}

// JWT signs and verifies HS256 tokens with iss="kalamdb".
type JWT struct{}

// NewJWT returns a signer/verifier for secret.
func NewJWT(secret []byte) *JWT { panic("auth: unimplemented") }

// Sign issues a token for user with role, valid for ttl.
func (j *JWT) Sign(user string, role Role, ttl time.Duration) (string, error) {
	panic("auth: unimplemented")
}

// Verify checks signature, algorithm (HS256 only), issuer and expiry.
func (j *JWT) Verify(token string) (Claims, error) { panic("auth: unimplemented") }

// LoadOrCreateSecret returns the JWT secret kept in dir/jwt-secret,
// creating a random one (mode 0600, written durably) on first use.
func LoadOrCreateSecret(dir string) ([]byte, error) { panic("auth: unimplemented") }

// Verifier is a stored SCRAM-SHA-256 password verifier.
type Verifier struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// NewVerifier derives a verifier for password (random salt, 4096 iterations).
func NewVerifier(password string) (*Verifier, error) { panic("auth: unimplemented") }

// ParseVerifier reads PostgreSQL's "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>".
func ParseVerifier(s string) (*Verifier, error) { panic("auth: unimplemented") }

// String formats v the way ParseVerifier reads it.
func (v *Verifier) String() string { panic("auth: unimplemented") }

// Check reports whether password matches v (constant time).
func (v *Verifier) Check(password string) bool { panic("auth: unimplemented") }

// SCRAMServer runs the server side of one SCRAM-SHA-256 exchange (RFC 5802
// / 7677, no channel binding), as PostgreSQL does.
type SCRAMServer struct{}

// NewSCRAMServer starts an exchange against v.
func NewSCRAMServer(v *Verifier) *SCRAMServer { panic("auth: unimplemented") }

// First takes the client-first-message and returns the server-first-message.
func (s *SCRAMServer) First(clientFirst []byte) ([]byte, error) { panic("auth: unimplemented") }

// Final takes the client-final-message, checks the proof and returns the
// server-final-message. A wrong password returns ErrBadPassword.
func (s *SCRAMServer) Final(clientFinal []byte) ([]byte, error) { panic("auth: unimplemented") }
