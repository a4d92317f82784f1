// Package hotstore keeps every hot row of every partition in one Badger
// (v4) instance: per-(table, user) key prefixes, an order-preserving key
// codec, a schema-independent row codec, a seq index for "everything after
// seq N", _seq generation and durable group commit.
//
// Main types: Store (Open, Begin, NextSeq, DropTable, DropIndex, Reclaim), Txn (Get,
// Put, Scan, ScanSeq, the index and meta keyspaces, Savepoint, RollbackTo,
// Commit) and Iterator.
//
// # Key layout
//
// Every Badger key starts with a one-byte keyspace tag:
//
//	'r' table(uint32 BE) user(escaped) pk        -> record
//	's' table(uint32 BE) user(escaped) seq(u64 BE) -> pk
//	'i' index(uint32 BE) user(escaped) key         -> value (secondary indexes)
//	'm' key                                       -> value (catalog, GetMeta...)
//	'x' "seq-lease"                               -> int64 BE (NextSeq lease)
//	'x' "reclaim-pad"                             -> zeros (Reclaim's marker and pad)
//	'a' "reclaim-lo"                              -> empty (Reclaim's low marker)
//
// The user is escaped like AppendKey's strings (0x00 -> 0x00 0xFF, then a
// 0x00 0x01 terminator), so no partition prefix is a prefix of another and
// each partition is one contiguous range: scans never touch other users'
// rows. pk is the concatenation of AppendKey encodings.
//
// A record value is seq (8 bytes BE), a flags byte (0x01 = tombstone), then
// the EncodeRow data. The SQL layer writes DELETE as a tombstone Put, so
// change replay and flushes see deletes; Scan hides tombstones unless asked,
// Get and ScanSeq return them. Put reads the key's previous version and
// deletes its seq-index entry, so the index has one entry per live key.
//
// Index entries (index.go) are set, deleted and scanned raw by the SQL
// layer, which chooses their keys (AppendIndexKey, NULL sorting last) and
// values; they have no seq index. SetIndexRecord also stores a copy of the
// row's record in the entry, so a scan needs no lookup per hit (the writer
// keeps the copy current). DropIndex removes an index's entries in every
// partition; Partitions lists the users that have rows in a table.
// BeginRead opens a cheaper read-only transaction; read-only transactions
// with no write between them share one Badger snapshot (snapshot.go).
//
// # Timestamps and conflicts
//
// Badger runs in managed mode with its conflict detection off: the
// store's oracle (oracle.go) hands out read and commit timestamps and
// checks read-write conflicts with Badger's own rule, under one mutex and
// without Badger's watermark goroutines, whose channel sends woke a second
// thread several times per commit. Commit returns once every commit up to
// its timestamp is applied, so the next transaction reads it. Open starts
// above the newest version on disk, so stores written in Badger's own
// mode open unchanged.
//
// # Savepoints
//
// Badger cannot roll back part of a transaction, so while a savepoint is
// open every write first records the key's previous state (value and
// expiry, or absence) in an undo log; RollbackTo writes those states back,
// newest first (savepoint.go). Recording reads the key, which adds it to
// Badger's conflict set.
//
// # Codecs
//
// AppendKey is memcomparable: a type tag, then bool (0/1), int64 and
// time.Time (micros since the epoch) as big-endian with the sign bit flipped,
// float64 with the IEEE ordering trick (-0 == 0, NaN above +Inf), string and
// []byte escaped and terminated, UUID as its 16 bytes. EncodeRow writes
// (column id uvarint, kind, payload) for every value, NULL included, and
// decodes without the schema. Times keep microseconds (PostgreSQL's
// precision); numerics keep form, sign, exponent and coefficient exactly.
//
// # Badger settings
//
// SyncWrites is off: durability comes from group commit. NumVersionsToKeep
// is 1 (no MVCC history beyond Badger's transactions). Memory is modest:
// 32 MB memtables (3 of them), 256 MB value-log files and 2 compactors,
// for a machine with few cores that also runs the cold store. The caches
// come out of the server's --cache-size (kalamdb.Options.CacheBytes,
// 320 MB by default): Badger's block cache (48 MB at the default) and its
// index cache (16 MB) are fixed, and the rest is a budget the store's own
// index range cache (indexcache.go) shares with the cold store's row-group
// cache (Options.Cache, package cachebudget). The chat read, the newest
// messages of a conversation, is served from the range cache without a
// Badger iterator; after a flush, point lookups are served from the cold
// store's cache, so the memory follows the tier being read.
// NumLevelZeroTables is 1 (Badger's default is 5): each flushed memtable
// is merged into the small base level at once, which costs little and
// lets deletes meet their data (see below). Values
// under Badger's 1 MB value threshold live in the LSM; larger rows go to
// the value log (large content belongs in blobs). Badger's info and debug
// logs are dropped; warnings and errors go to the slog logger.
//
// # Reclaiming disk space
//
// A flush (RemoveFlushed) or an erasure (DropPartition) deletes entries,
// but Badger frees nothing then: a delete is a tombstone, and compaction
// drops the tombstone and the data it hides only when both meet on the
// way into the last level, which Badger's own compaction may not do for a
// long time (never while they sit in the memtable, L0, or a level that
// is under its target size). Reclaim (reclaim.go) forces it: it writes a
// marker (a key below and a key above every other, in one transaction),
// overwrites a pad key until the memtable must rotate (Badger has no call
// to flush one; about a memtable, 32 MB, of WAL writes, a few hundred KB
// once compressed in the SST, and only the newest version survives
// compaction), waits until the marker is below L0, runs DB.Flatten(1)
// (every level into the last one, dropping deleted keys), then
// DB.RunValueLogGC(0.5) until ErrNoRewrite (at most 16 files; Flatten's
// compactions recorded which value-log files hold dropped values; the
// active file is never collected). Because the marker spans the keyspace,
// the compactions that carry it down rewrite the last level too: Flatten
// alone never touches a last level with nothing above it, where versions
// that a transaction could still read when they got there stay forever
// (badger issue #2329). It logs the .sst/.vlog bytes before and after
// ("hot store reclaimed").
//
// Writers are never blocked: Flatten pauses Badger's compactors (not
// writes) and compacts L0 itself first, and DropPrefix, which stops all
// writes, is never used. Runs never overlap. A background goroutine runs
// one when at least 32 MB (estimated: keys and values deleted) of garbage
// committed since the last run, once deletes pause for 2 s (or 2 min after
// it became due), at most once a minute; Close waits for a run in
// progress. Cost: a run rewrites the whole LSM tree once (measured: 8 s
// for 250 MB on two busy cores); the hot store is meant to stay small
// (flush policies move rows to Parquet). A transaction left open holds
// Badger's discard timestamp back: what it can still read is kept, until
// a run after it ends.
//
// # Durability: the store's own write-ahead log
//
// Badger's memtable write-ahead files (NNNNN.mem) are written through a
// MAP_SHARED mmap. Syncing one per commit (what this store did before)
// write-protects the page being filled, so the next commit's memcpy
// faults, and the file's sparse blocks cost filesystem metadata commits.
// So the store keeps its own log (package wal, in dir/wal): a commit's
// write set (walrecord.go: the final value or deletion of every key it
// wrote) is appended to the log's buffer under the oracle's mutex, when
// the commit gets its timestamp, so the log holds commits in timestamp
// order. A sync round pwrites the buffer into a preallocated, zero-filled
// segment and fdatasyncs it, as PostgreSQL does with its WAL; Badger's
// .mem files are never synced on the commit path.
//
// Commit order: the oracle assigns the timestamp and appends the record;
// the commit goes to the applier's queue (apply.go) and, under Fsync, the
// committer joins the sync round that covers the record and returns. The
// applier applies queued commits to Badger (memtable and unsynced .mem)
// in batches, each its own Badger transaction at its own timestamp (so a
// crash leaves none of it in .mem or all), within a millisecond, or at once
// when a reader needs them: every transaction sees every commit that
// returned before it began (read-only ones wait for the applier, read-
// write ones catch up when they read what the queue wrote: stale.go). A
// commit with a value for Badger's value log (at least its
// ValueThreshold, 1 MB) waits until it is applied, so the round that
// acknowledges it also fdatasyncs the value log (vlogfiles.go) and the
// value a durable .mem entry points at is durable too. (Applying each
// commit on its own, before the sync or overlapped with it, cost a lone
// client about a tenth of its throughput: see apply.go.)
//
// Group commit: if no sync is running, the committer syncs the round
// itself (a lone client pays no goroutine switches); commits arriving
// during a sync join the next round, which the syncer goroutine runs as
// one sync for all of them. Stats counts commits and sync rounds. Under
// Async, commits return once written to the log (in the page cache, which
// outlives a killed process) and the syncer syncs every 200 ms
// when something was committed or logged. Once a log write or sync fails,
// every later commit fails until the store is reopened (a retried
// fdatasync may report success for pages the kernel dropped); so do the
// commits after one whose record is logged but which Badger failed to
// apply, since a replay would bring it back between commits made without
// it (ErrFailed, SQLSTATE 58030 at the front doors). The failed commit
// itself may have been acknowledged: it is in the log and comes back when
// the store is reopened.
//
// Internal writes go through the log as well (managed.go update): the
// deletes of DropTable, DropIndex and DropPartition and the seq lease.
// Reclamation's marker and pad keys are not logged: they hold no data,
// and losing them in a crash loses nothing.
//
// Recovery: Open opens Badger (which replays what survived of its .mem
// files), then replays every logged commit after the log's checkpoint
// with CommitAt at its original timestamp, skipping every key Badger
// already holds at that version (the same write survived) or a newer one
// (an older version must not land above it: walrecord.go replayer). So
// replay is idempotent, and a replayed commit can never hide a newer one.
// The oracle then starts above both Badger's and the log's highest
// timestamp.
//
// Value-log GC (Reclaim) moves live values and their pointers outside
// the log: it keeps an iterator open, which postpones Badger's deletion
// of the rewritten files, until it has fsynced the .mem and .vlog files.
//
// Checkpoints (checkpoint.go) bound the log: after 64 MB of records, a
// background goroutine takes the visible timestamp, fsyncs every .mem
// and .vlog file in the directory (Badger syncs its SSTs itself) and
// tells the log, which deletes the segments at or below it. Close
// checkpoints after Badger's Close flushed the memtables, so a clean
// restart replays nothing. The crash tests (crash_test.go) run a writer
// in a child process that exits without Close, take Badger's .mem files
// back to their content at their last fsync (the worst a power loss can
// do) and check that every acknowledged commit comes back.
//
// If Commit's context ends while waiting for the sync, Commit returns the
// context error: the transaction is committed and visible and will be
// synced by the next round, but was not confirmed durable. A committer
// syncing inline notices its context only when its sync returns.
//
// # Seqs
//
// NextSeq is unix milliseconds << 20 | counter, a logical clock that never
// goes backwards even when the wall clock does. A lease (an upper bound 3 s
// ahead) is persisted and synced before any seq beyond it is handed out;
// Open starts above it. Close persists the exact last seq.
//
// # Caveats
//
// A Txn is not safe for concurrent use; close iterators before Commit
// (Commit and Discard close any left open). Put and Scan in read-write
// transactions record read keys for conflict detection, so large scans
// cost memory. DropTable deletes in transactions of bounded size rather
// than with DropPrefix, which would stall every writer. A Flatten cannot be
// interrupted: Close (and shutdown) waits for one in progress.
package hotstore
