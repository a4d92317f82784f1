// Package sql turns SQL text into results: pg_query parses (cached by
// statement text), bind resolves names against the catalog and compiles
// expressions (package expr) into a plan: for queries a tree of row
// sources (scans, joins, aggregation, windows, sorts, set operations) with
// a memory budget; for writes, DDL and session statements a plan of their
// own. Plans run inside the session's transaction.
//
// Main types: Engine (shared by every connection), Session (one client's
// settings, identity and transaction), Statement (a prepared statement) and
// Result.
//
// Isolation: a scan of a per-user table is built from a hotstore.Partition
// whose user comes only from Session.partition — the session's
// effective user, or an explicitly addressed partition that passed the
// permission check — so no plan can reach another user's rows by accident.
//
// Secondary indexes (index.go) live in each partition next to its rows;
// planAccess picks one over the primary key when it fixes more of the
// WHERE clause or serves an ORDER BY the key cannot, and every index hit
// reads its row through fetchRow. Row writes go through insertRow,
// updateRow and deleteRow (write.go), which keep indexes and the change
// channel in step. SAVEPOINT / ROLLBACK TO use the hot store's undo log
// and cut the session's pending notifications and settings back too.
//
// Tiers (tiers.go): reads merge each partition's hot rows with its Parquet
// segments (package coldstore), the hot version winning and hot tombstones
// hiding cold rows. kalamdb_flush / kalamdb_flush_all and the Flusher
// (flush_rows, flush_interval) move hot rows to Parquet, removing exactly
// the flushed versions, so a racing write stays hot (flush.go). Index
// entries stay hot and find flushed rows through the same merged reads;
// DDL that reads existing rows (CREATE INDEX, SET NOT NULL, ADD COLUMN
// with a volatile default) walks both tiers. A scan passes its column =
// constant conjuncts to the cold tier, which skips segments by min/max.
// Every flush and compaction is logged and kept in a ring of recent jobs,
// SELECT * FROM kalamdb_jobs() (service and above; jobs.go). An export
// flushes and compacts the user's partitions first, so its Parquet holds
// exactly the live rows; an erasure removes the user's rows, seq and
// index entries, cold files and earlier exports.
//
// Views (views.go) are stored in the catalog as SELECT text and bound as
// a derived table wherever a query names one. UPDATE ... FROM, DELETE ...
// USING and UPDATE/DELETE with subqueries in WHERE (modify_from.go) run
// through the query plan tree with the target table as the first FROM
// item; a target row joined to several rows is written once.
//
// Catalogs (catalogrel.go): pg_catalog.* and information_schema.* names,
// and unqualified names found in pg_catalog (searched before the search
// path, as in PostgreSQL), bind to relations of package pgcatalog computed
// from the live catalog when the query runs; expr.Env.Catalog answers the
// catalog functions and reg* casts. The engine's session registry
// (activity.go) feeds pg_stat_activity.
//
// Temporary tables (temp.go): CREATE TEMP TABLE makes a real catalog
// table in the session's own schema kalamdb_temp_<n> (PostgreSQL's
// pg_temp_<n>; names starting with pg_ are reserved in our catalog),
// created with its first temporary table. Name resolution looks there
// before the search path, pg_temp names it, other sessions may not use
// it, and pg_class shows relpersistence 't'. The schema is dropped when
// the session closes, and orphans of a crash when the engine starts;
// ON COMMIT DROP and DELETE ROWS run when the transaction ends.
//
// Connections (backendfn.go): the front door registers a ConnControl on
// the session, through which pg_cancel_backend, pg_terminate_backend and
// SQL DEALLOCATE act on a connection; pg_sleep waits on the statement's
// context, so cancels and statement_timeout end it.
//
// Caveats: DDL (including TRUNCATE and CREATE INDEX) commits on its own
// even inside a transaction block, and ROLLBACK TO does not undo it; in a
// multi-statement query string or a pipeline it first commits the writes
// before it, so each statement sees what it would in PostgreSQL but a
// later failure no longer undoes them (Session.runDDL); a
// unique index is unique within each partition; ALTER COLUMN TYPE accepts
// only changes that keep stored values valid (wider varchar or integer,
// varchar to text).
package sql
