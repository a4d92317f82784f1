// Package coldstore is the cold tier: a partition's flushed rows as Parquet
// segments (arrow-go pqarrow; zstd, LZ4 for fixed-width table columns)
// plus a manifest, merged on read with newest-version-per-key semantics.
//
// Main types: Store (Open, Flush, Scan, Get, Compact, ExportUser, EraseUser,
// DropPartition, DropTable), Partition (table id, schema, name, user),
// Iterator and Segment (a manifest entry).
//
// # Layout
//
//	<root>/users/<user>/<schema>.<table>/batch-<n>.parquet, manifest.json
//	<root>/shared/tables/<schema>.<table>/batch-<n>.parquet, manifest.json
//	<root>/trash/                       trees being deleted (emptied by Open)
//
// Names are escaped: bytes other than [A-Za-z0-9_-] become %XX (so dots
// inside a schema or table name cannot make "a.b"."c" and "a"."b.c"
// collide); user_alice and public.messages are unchanged.
//
// A segment has the columns _key (binary: the hot store's primary-key
// bytes, so byte order is hot order), _seq (int64), _deleted (bool), then
// one nullable column per table column named c<id>, with the SQL name,
// column id and type OID/typmod in the field metadata (stored as the Arrow
// schema). Types: bigint/oid int64, integer int32, smallint int16, double
// float64, real float32, boolean bool, text/varchar/char/name/json/jsonb
// utf8, numeric utf8 (its exact text: decimal128 cannot hold unconstrained
// numerics, NaN or Infinity), bytea binary, uuid fixed_size_binary(16),
// timestamptz timestamp[us, UTC], timestamp timestamp[us], date date32,
// time time64[us], interval struct<months int32, days int32, micros int64>
// (exact; Parquet's INTERVAL keeps only milliseconds), arrays list<element>.
// Rows are sorted by _key, one version per key per segment, in row groups
// of 4096 rows and data pages of ~4 KB (a wide text column's pages are one
// write batch, 64 rows), with a page index (offset index per column chunk)
// so one row can be read without its group. Pages are zstd-compressed,
// except those of fixed-width table columns (numbers, times, uuids,
// booleans): LZ4_RAW, several times faster to decompress (decompressing
// the row's pages is most of a lookup's cost). Segments written with ~16 KB pages, all zstd, read
// the same way, only slower; segments written before the page index
// (1 MiB pages, no index) still read: Get decodes their groups whole.
// Compaction rewrites both in the current layout. Tombstones are rows
// with _deleted and every column NULL.
//
// The manifest lists each segment's file, rows, tombstones, bytes, min/max
// _seq, min/max _key, schema version and columns with their null count and
// min/max. Min/max are hotstore.AppendKey encodings, so one byte comparison
// orders every type whose key order is SQL's (not numeric, interval, json,
// bpchar or arrays, which keep only null counts).
//
// # Reads
//
// Scan merges the segments with a heap: for each key the version with the
// highest _seq wins (on a tie, a row rewritten in place with its seq, the
// segment with the higher batch number); tombstones hide older versions
// and are returned only with IncludeDeleted. Hot versions always supersede cold ones (a flush
// removes a hot entry only if it is still the flushed version), so the
// caller merges hot over cold by key. Values come per column id, like
// hotstore.DecodeRow: columns a segment lacks (added later) are absent and
// the caller applies the column's Missing value; columns not in
// ScanOptions.Columns (or dropped) are not read.
//
// Pruning: segments outside the key range, entirely at or below AfterSeq,
// or entirely above MaxSeq are skipped. An Equal predicate skips a segment
// whose min/max (or all-NULL count) rule the value out, but such a segment
// may hold newer versions of keys in segments that are read; it is then
// read as a "shadow" (_key, _seq, _deleted only) whose winning keys are
// suppressed. It is skipped entirely when no read segment overlaps its key
// range with older seqs.
//
// Segments open lazily: pending segments are ordered by min key (max key
// when Reverse) and opened only when the merge reaches that key, and each
// open segment loads one row group at a time (row groups outside the key
// range are skipped by their _key statistics). With keys that grow over
// time (msg_id = _seq), ORDER BY key DESC LIMIT n opens only the newest
// segment and reads only its last row group(s).
//
// Get is the point lookup (no merge machinery): it visits the segments
// whose key range covers the key in order of MaxSeq (then batch number)
// descending, binary-searches the _key column of the one row group whose
// _key statistics cover it, and stops when no remaining segment can hold
// a newer version: the winner is the merge's (highest _seq, on a tie the
// later batch), which is not always the newest segment (a replayed flush
// can write an older version under a newer batch number).
//
// # Read cache
//
// Get reads through a per-Store cache: open segment readers (file,
// Parquet footer, per-row-group _key bounds), at most 128 by default (one
// file descriptor each), and per row group the decoded _key, _seq and
// _deleted columns (~90 KB for 4096 chat rows) and, while there is room,
// its table columns, within a memory budget (64 MiB of its own, or the one
// Store.ShareCache gives it, shared with the hot store's index cache: see
// package cachebudget), both LRU (Store.SetCacheLimits), table columns
// evicted before any group's system columns. A lookup whose group's table columns
// are not cached decodes them whole only if they fit the bound without
// evicting anything (so partitions that fit are served from memory);
// otherwise it reads just the data page of each column that holds the row
// (~0.1 ms instead of ~2.5 ms for a whole-group decode), with column
// readers pooled per group. A
// segment's reader and groups leave the cache when it leaves the manifest
// (flush/compaction swap, table id change) or its partition is erased or
// dropped; a reader still in use is closed by its last user. Memory in use
// by lookups in flight can briefly exceed the bound (evicted groups stay
// alive until their readers finish). Scans borrow the cached readers and
// use row groups a lookup cached, but never add groups: a full scan or a
// compaction would evict the lookups' working set.
//
// # Crash safety
//
// The manifest is the only source of truth: a segment file is live if and
// only if the manifest lists it. Every file is written under a .tmp- name,
// fsynced, renamed, and its directory fsynced; the manifest is replaced the
// same way, so a crash leaves the old or the new manifest, both valid.
//   - Flush: a crash before the manifest swap leaves an unlisted segment
//     (or a temp file); the hot rows were not deleted yet, so nothing is lost,
//     and the next flush rewrites them.
//   - Compact: before the swap the new file is an orphan; after it the old
//     files are. Either way the listed set holds every row once.
//   - A partition's first use after Open (lazy load) deletes temp files and
//     unlisted batch files. Open empties trash/, where EraseUser and drops
//     rename a tree (the durable point) before deleting it.
//
// Crash tests arm a failpoint with KALAMDB_FAILPOINT=<step>[:<n>] (read
// once by Open; FailpointEnv lists the steps): the process exits with
// status 3 at that step, and integration/crash_flush_test.go restarts it
// and checks that nothing was lost or duplicated.
//
// Files replaced while a scan still reads them are deleted when the last
// such scan closes.
//
// # Caveats
//
// One Store per root (no cross-process locking). Compaction drops
// tombstones, so a change feed resuming from before a compacted delete
// cannot see it from cold data. Renaming a table does not move its
// directories; DropTable lists users/ (one entry per user), and a partition
// it misses is discarded on next use because its manifest names the old
// table id. Erasing a user while its flush runs makes the flush fail with
// ErrErased (it may leave empty directories). Scans read whole row
// groups at a time, ~1 MB of chat rows, per open segment. Nested columns
// (interval, arrays) are read by Get with their whole column chunk:
// arrow-go's seeking record reader fails on int8[] across pages.
package coldstore
