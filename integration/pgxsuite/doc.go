// Package pgxsuite runs pgx v5's own test suites (packages pgconn and pgx,
// from the module cache) against KalamDB and against a throwaway
// PostgreSQL 15, and compares the two (issue #4).
//
// TestPgxSuite (suite_test.go) builds cmd/kalamdb, starts it and
// PostgreSQL, copies the pgx module out of the read-only module cache and
// runs `go test -json` there once per server with PGX_TEST_DATABASE and
// PGX_TEST_TCP_CONN_STRING pointing at it. The rest of the package is the
// bookkeeping, kept apart so it can be unit-tested:
//
//   - ParseEvents reads a `go test -json` stream into per-test outcomes;
//   - ParseExpected reads testdata/pgx-expected-failures.txt, the tests
//     known to fail on KalamDB, each with its reason;
//   - Compare puts the two runs and the list together.
//
// What counts: top-level tests (and examples) of both packages, named
// "pgconn.TestX" and "pgx.TestX". Subtests are reported for information
// only: a top-level test passes only when all of its subtests do, and the
// expected-failure list stays one line per test function. Tests that do
// not pass on PostgreSQL are left out of the comparison. The suite fails
// when a test passes on PostgreSQL but not on KalamDB and is not listed,
// or when a listed test passes on KalamDB (the list must stay honest),
// unless its reason starts with "flaky".
package pgxsuite
