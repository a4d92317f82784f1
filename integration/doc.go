// Package integration holds KalamDB's end-to-end tests: they start the real
// server (in-process on 127.0.0.1:0, or the built binary as a child process
// for crash tests) and drive it with real clients — pgx over the extended
// and simple protocols, psql, raw TCP — and compare results with a
// throwaway PostgreSQL 15 (package pgrun).
//
// Every test needs only loopback. Tests that need psql or PostgreSQL fail,
// never skip, when those are missing: CI installs them.
//
// Fixtures live in testdata/<case>/: script.sql is run with
// `psql -X -v ON_ERROR_STOP=1 -f script.sql`, expected.out lists lines its
// output must contain, in order.
package integration
