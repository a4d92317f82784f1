// Package pgrun starts a throwaway PostgreSQL 15 server for tests and
// benchmarks: initdb into a temporary directory, postgres on a free loopback
// port with trust authentication, and removal of everything on Stop.
//
// Start runs the server as a child process of the caller. When the caller is
// root (as in CI), initdb and postgres refuse to run, so pgrun drops to the
// `postgres` OS user for them and hands that user the temporary directory.
//
// Caveats: Linux only (Pids reads /proc); the binaries are looked up in
// DefaultBinDir unless Options.BinDir says otherwise; Available reports a
// clear error when they are missing, so callers can fail instead of skipping.
package pgrun
