// Package catalog keeps KalamDB's schema objects and users: schemas,
// tables with their type (user, shared, stream), options, columns and
// primary key, views (their SELECT text), and login users with their
// roles and password verifiers.
//
// The catalog lives in the hot store's meta keyspace (one JSON document per
// object) and in memory. Objects handed out are immutable snapshots: a DDL
// change builds a new *Table and swaps it in, so a statement that bound a
// table keeps a consistent view while DDL runs. DDL commits on its own,
// outside any SQL transaction (a deviation from PostgreSQL's transactional
// DDL, kept simple on purpose).
package catalog
