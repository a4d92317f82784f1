// Package kalamdb is the embeddable database: Open a data directory, then
// open sessions that run SQL as a user. The PostgreSQL protocol server
// (package wire) and, later, the HTTP gateway are front doors over the same
// sessions; package server wires them to a DB.
package kalamdb
