// Package server runs a KalamDB server: it opens the database, listens on
// the PostgreSQL port, and shuts everything down in order. cmd/kalamdb and
// the integration tests both start servers through it, so what the tests
// drive is exactly what users run.
package server
