// Package hotstore keeps every hot row of every partition in one Badger
// (v4) instance: per-(table, user) key prefixes, an order-preserving key
// codec, a schema-independent row codec, a seq index for "everything after
// seq N", _seq generation and durable group commit.
//
// Main types: Store (Open, Begin, NextSeq, DropTable), Txn (Get, Put, Scan,
// ScanSeq, the meta keyspace, Commit) and Iterator.
//
// # Key layout
//
// Every Badger key starts with a one-byte keyspace tag:
//
//	'r' table(uint32 BE) user(escaped) pk        -> record
//	's' table(uint32 BE) user(escaped) seq(u64 BE) -> pk
//	'm' key                                       -> value (catalog, GetMeta...)
//	'x' "seq-lease"                               -> int64 BE (NextSeq lease)
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
// 32 MB memtables (3 of them), a 64 MB block cache, a 32 MB index cache,
// 256 MB value-log files and 2 compactors, for a machine with few cores that
// also runs the cold store. Values under Badger's 1 MB value threshold live
// in the LSM; larger rows go to the value log, which is never garbage
// collected here (large content belongs in blobs). Badger's info and debug
// logs are dropped; warnings and errors go to the slog logger.
//
// # Durability and group commit
//
// Commit runs Badger's txn.Commit (written to the memtable WAL, unsynced),
// then under Fsync waits for the syncer goroutine: every commit that arrived
// while a sync ran is covered by the next single sync. Stats counts commits
// and sync rounds.
//
// What DB.Sync covers (read in badger v4.9.6 db.go, value.go, memtable.go):
// it msyncs (MS_SYNC) the mmap of the active memtable's WAL and of the
// current value-log file. Both files are written through mmap, and
// txn.Commit returns only after the write goroutine has copied the entries
// into them, so Sync after Commit covers the commit. It does not cover a
// WAL or value-log file that Badger rotated away from in between: rotation
// does not sync the old file, which stays unsynced until its memtable is
// flushed to an SST; nor does Badger fsync the directory after creating a
// new WAL file. So each sync round also lists the directory and fsyncs
// (once) every .mem/.vlog file older than the newest, and the directory
// when a new file appeared. Under Async, commits return after txn.Commit
// and the syncer syncs every 200 ms when something was committed.
//
// If Commit's context ends while waiting for the sync, Commit returns the
// context error: the transaction is committed and visible and will be
// synced by the next round, but was not confirmed durable.
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
// cost memory. DropTable deletes in bounded WriteBatch chunks rather than
// with DropPrefix, which would stall every writer.
package hotstore
