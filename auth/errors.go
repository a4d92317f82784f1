package auth

import "errors"

// Sentinel errors. Callers test them with errors.Is; returned errors wrap
// them with detail.
var (
	// ErrBadPassword: a password or SCRAM proof does not match the verifier.
	ErrBadPassword = errors.New("auth: password does not match")

	// ErrBadToken: a JWT failed verification (signature, algorithm, issuer,
	// expiry, or claims). The cause is wrapped alongside it.
	ErrBadToken = errors.New("auth: invalid token")

	// ErrUnknownRole: a role name is not user, service, dba or system.
	ErrUnknownRole = errors.New("auth: unknown role")

	// ErrBadVerifier: a string is not a SCRAM-SHA-256 verifier in
	// PostgreSQL's format.
	ErrBadVerifier = errors.New("auth: malformed SCRAM-SHA-256 verifier")

	// ErrMalformedSCRAM: a SCRAM message from the client is malformed or out
	// of order (PostgreSQL's "malformed SCRAM message").
	ErrMalformedSCRAM = errors.New("auth: malformed SCRAM message")

	// ErrMD5Password: a password given to VerifierFor is a PostgreSQL MD5
	// hash, which KalamDB cannot log in with.
	ErrMD5Password = errors.New("auth: MD5 password hashes are not supported")

	// ErrWeakSecret: a JWT secret is empty or shorter than MinSecretLen.
	ErrWeakSecret = errors.New("auth: JWT secret too short")

	// ErrSecretPerm: the JWT secret file is readable or writable by group or
	// others.
	ErrSecretPerm = errors.New("auth: JWT secret file has group or world access")
)
