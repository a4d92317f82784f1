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
// 32 MB memtables (3 of them), a 48 MB block cache, a 16 MB index cache,
// 256 MB value-log files and 2 compactors, for a machine with few cores that
// also runs the cold store. Most of the read memory goes to the store's own
// index range cache instead (192 MB, indexcache.go): the chat read, the
// newest messages of a conversation, is served from there without a
// Badger iterator, so the three caches together are 256 MB, the size of
// the PostgreSQL shared_buffers the bench compares against. NumLevelZeroTables is 1 (Badger's default is
// 5): each flushed memtable is merged into the small base level at once,
// which costs little and lets deletes meet their data (see below). Values
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
// # Durability and group commit
//
// Commit runs Badger's txn.CommitAt (written to the memtable WAL, unsynced),
// then under Fsync joins the current sync round. If no sync is running,
// the committer syncs the round itself (a lone client pays no goroutine
// switches); commits arriving during a sync join the next round, which
// the syncer goroutine runs as one sync for all of them. Stats counts
// commits and sync rounds.
//
// A round does not call DB.Sync (read in badger v4.9.6 db.go, value.go,
// memtable.go, ristretto z/file.go): Badger writes the memtable WAL
// (NNNNN.mem) and value log (NNNNNN.vlog) through MAP_SHARED mmaps, and
// DB.Sync msyncs both, which on Linux is fdatasync over the range, so a
// clean value log still costs a disk cache flush per round. Instead the
// syncer keeps its own descriptor of the active .mem and .vlog file and
// fdatasyncs the .mem file (pages dirtied through the mmap belong to the
// inode's page cache; the size Badger sets with ftruncate is included).
// The value log is synced only when a Put since the last sync carried a
// value of at least Badger's ValueThreshold (1 MB): smaller values live in
// the WAL only. txn.Commit returns after Badger's write goroutine copied
// the entries into the files, so a round that starts after it covers it.
//
// Badger rotates to file id+1 when a WAL or value log fills, without
// syncing the old file (it stays unsynced until its memtable is flushed to
// an SST) and without fsyncing the directory. A round lists the directory
// only when inotify reported a creation in it (every round where inotify
// is unavailable): Badger creates a file before writing into it, the
// create event is queued inside that system call, and a round drains the
// events before listing, so every file holding a commit the round
// acknowledges is in the listing. The listing fdatasyncs (once) every file
// older than the newest of its kind, moves the descriptors to the newest
// files and fsyncs the directory when a new file appeared. Probing for
// file id+1 instead would miss a WAL created and flushed between two rounds
// while a long iterator pins an older one. Under Async, commits return
// after txn.Commit and the syncer syncs every 200 ms when something was
// committed.
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
