// Package auth holds KalamDB's identity primitives: roles, HS256 JWTs, the
// server's JWT secret on disk, and PostgreSQL-compatible SCRAM-SHA-256
// password verifiers and server exchanges.
//
// Main types:
//   - Role: user < service < dba < system.
//   - JWT: signs and verifies HS256 tokens with iss="kalamdb".
//   - Verifier: a stored SCRAM-SHA-256 secret in PostgreSQL's exact text form,
//     so verifiers copied from pg_authid or sent by psql's \password work.
//   - SCRAMServer: the server half of one SCRAM-SHA-256 exchange, as
//     PostgreSQL runs it (no channel binding, username attribute ignored).
//
// Caveats:
//   - Passwords are normalised with SASLprep as PostgreSQL does; the
//     normalisation uses Go's Unicode tables for NFKC and bidi classes and
//     RFC 3454's Unicode 3.2 table for unassigned code points, so exotic
//     non-ASCII passwords may differ from PostgreSQL in rare corner cases.
//   - SCRAM-SHA-256-PLUS (channel binding) is not offered; a client asking for
//     it is refused.
//   - Errors about malformed SCRAM messages carry SQLSTATE 08P01 (or 0A000 for
//     unsupported features); ErrBadPassword and ErrBadToken carry none, since
//     the caller knows the user name PostgreSQL puts in the message.
package auth
