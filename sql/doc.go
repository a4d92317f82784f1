// Package sql turns SQL text into results: pg_query parses (cached by
// statement text), bind resolves names against the catalog and compiles
// expressions (package expr), and small plans execute against the hot store
// inside the session's transaction.
//
// Main types: Engine (shared by every connection), Session (one client's
// settings, identity and transaction), Statement (a prepared statement) and
// Result.
//
// Isolation: a scan of a per-user table is built from a hotstore.Partition
// whose user comes only from Session.partitionUser — the session's
// effective user, or an explicitly addressed partition that passed the
// permission check — so no plan can reach another user's rows by accident.
//
// Caveats: DDL commits on its own even inside a transaction block; savepoints
// are not supported yet.
package sql
