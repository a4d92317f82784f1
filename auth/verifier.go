package auth

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb/pgerr"
)

const (
	// SCRAMMechanism is the SASL mechanism name offered in
	// AuthenticationSASL.
	SCRAMMechanism = "SCRAM-SHA-256"

	// DefaultIterations is PostgreSQL's default scram_iterations.
	DefaultIterations = 4096

	// MaxIterations caps the iteration count a verifier may carry; pgx
	// refuses servers that ask for more, and it bounds Check's CPU cost.
	MaxIterations = 10_000_000

	saltLen = 16 // PostgreSQL's SCRAM_DEFAULT_SALT_LEN
	keyLen  = sha256.Size
)

// Verifier is a stored SCRAM-SHA-256 password verifier.
type Verifier struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// NewVerifier derives a verifier for password (random salt, 4096 iterations).
func NewVerifier(password string) (*Verifier, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("new verifier: %w", err)
	}
	return deriveVerifier(password, salt, DefaultIterations)
}

// deriveVerifier computes the verifier for password with a given salt.
func deriveVerifier(password string, salt []byte, iterations int) (*Verifier, error) {
	salted, err := saltedPassword(password, salt, iterations)
	if err != nil {
		return nil, fmt.Errorf("new verifier: %w", err)
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	return &Verifier{
		Iterations: iterations,
		Salt:       append([]byte(nil), salt...),
		StoredKey:  storedKey[:],
		ServerKey:  hmacSHA256(salted, "Server Key"),
	}, nil
}

// saltedPassword is RFC 5802's Hi(Normalize(password), salt, i).
func saltedPassword(password string, salt []byte, iterations int) ([]byte, error) {
	return pbkdf2.Key(sha256.New, saslprep(password), salt, iterations, keyLen)
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// ParseVerifier reads PostgreSQL's "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>".
// Every error wraps ErrBadVerifier.
func ParseVerifier(s string) (*Verifier, error) {
	bad := func(why string) (*Verifier, error) {
		return nil, fmt.Errorf("%w: %s", ErrBadVerifier, why)
	}
	method, rest, ok := strings.Cut(s, "$")
	if !ok || method != SCRAMMechanism {
		return bad("does not start with " + SCRAMMechanism + "$")
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return bad("missing keys")
	}
	iterText, saltText, ok := strings.Cut(params, ":")
	if !ok {
		return bad("missing salt")
	}
	storedText, serverText, ok := strings.Cut(keys, ":")
	if !ok {
		return bad("missing server key")
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 || iter > MaxIterations {
		return bad("iteration count " + strconv.Quote(iterText))
	}
	v := &Verifier{Iterations: iter}
	if v.Salt, err = base64.StdEncoding.Strict().DecodeString(saltText); err != nil || len(v.Salt) == 0 {
		return bad("salt is not base64")
	}
	if v.StoredKey, err = base64.StdEncoding.Strict().DecodeString(storedText); err != nil || len(v.StoredKey) != keyLen {
		return bad("stored key is not 32 bytes of base64")
	}
	if v.ServerKey, err = base64.StdEncoding.Strict().DecodeString(serverText); err != nil || len(v.ServerKey) != keyLen {
		return bad("server key is not 32 bytes of base64")
	}
	return v, nil
}

// String formats v the way ParseVerifier reads it.
func (v *Verifier) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return SCRAMMechanism + "$" + strconv.Itoa(v.Iterations) + ":" + b64(v.Salt) +
		"$" + b64(v.StoredKey) + ":" + b64(v.ServerKey)
}

// Check reports whether password matches v (constant time).
func (v *Verifier) Check(password string) bool {
	if v == nil || v.Iterations < 1 || v.Iterations > MaxIterations {
		return false
	}
	w, err := deriveVerifier(password, v.Salt, v.Iterations)
	if err != nil {
		return false
	}
	// Both keys, without short-circuit, so timing reveals neither.
	return subtle.ConstantTimeCompare(w.StoredKey, v.StoredKey)&
		subtle.ConstantTimeCompare(w.ServerKey, v.ServerKey) == 1
}

// VerifierFor returns the verifier to store for CREATE/ALTER USER ...
// PASSWORD p, following PostgreSQL: p itself when it already is a
// SCRAM-SHA-256 verifier (what psql's \password sends), otherwise a new
// verifier of p as a plain password. A PostgreSQL MD5 hash
// ("md5" + 32 hex digits) is refused, since nothing could log in with it.
func VerifierFor(password string) (*Verifier, error) {
	if isMD5Hash(password) {
		return nil, pgerr.Wrap(ErrMD5Password, pgerr.FeatureNotSupported,
			"MD5 password hashes are not supported; use a plain password or a SCRAM-SHA-256 verifier")
	}
	if v, err := ParseVerifier(password); err == nil {
		return v, nil
	}
	return NewVerifier(password)
}

// isMD5Hash mirrors PostgreSQL's get_password_type test for MD5.
func isMD5Hash(s string) bool {
	if len(s) != 35 || !strings.HasPrefix(s, "md5") {
		return false
	}
	for _, c := range s[3:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// MockVerifier returns a verifier for a user that does not exist, so that a
// SCRAM exchange for an unknown name looks like one for a real user and
// always ends in ErrBadPassword, as PostgreSQL's mock authentication does.
// The salt is derived from key and user so repeated attempts see the same
// salt; key should be a server secret (the JWT secret will do).
func MockVerifier(key []byte, user string) *Verifier {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kalamdb scram mock\x00" + user))
	sum := m.Sum(nil)
	// Passing the proof check would need a ClientKey whose SHA-256 is
	// StoredKey: a preimage of a value no password produced.
	stored := sha256.Sum256(append([]byte("kalamdb mock stored key\x00"), sum...))
	return &Verifier{
		Iterations: DefaultIterations,
		Salt:       sum[:saltLen],
		StoredKey:  stored[:],
		ServerKey:  hmacSHA256(sum, "Server Key"),
	}
}
