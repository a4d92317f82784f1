// Package pgcatalog computes PostgreSQL's system catalogs (pg_catalog) and
// the information_schema views from KalamDB's live catalog, so psql's
// meta-commands and drivers' metadata calls find our schemas, tables,
// columns, indexes, users and built-in types under PostgreSQL's names,
// column types and OIDs.
//
// Main types: Relation (one catalog table or view: its columns and a
// function computing its rows) and View (what the rows are computed from:
// a catalog snapshot and the asking session). Lookup finds a relation by
// schema and name; View.Call answers the catalog functions (format_type,
// pg_get_indexdef, regclass input and output, ...) that package expr
// forwards through expr.Env.Catalog.
//
// Every row is computed per query from the catalog, never canned by query
// text. OIDs: schemas, tables and secondary indexes use their catalog ids
// (which start at 16384, above PostgreSQL's built-in range); built-in types,
// pg_catalog itself and the access methods use PostgreSQL's own OIDs; the
// objects KalamDB has no id for (primary-key indexes, constraints, column
// defaults, table row types, roles) get OIDs derived from a table id or a
// name, stable across restarts.
//
// Caveats: there are no sequences, triggers, policies or user-defined
// functions, so their catalogs are empty; views are listed (pg_class,
// pg_views, information_schema) without their columns in pg_attribute; privileges are not
// modelled (has_*_privilege says yes, the ACL columns are NULL); int2vector
// and oidvector columns are int2[] and oid[]; regproc columns hold the
// function's name; a reg* value sent to a client prints as its number
// unless the query casts it to text (x::regclass::text gives the name).
package pgcatalog
