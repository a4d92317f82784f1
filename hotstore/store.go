package hotstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/kalamdb/kalamdb/cachebudget"
	"github.com/kalamdb/kalamdb/hotstore/wal"
)

// Errors returned by the store. Conflicts and oversized transactions carry
// a SQLSTATE (pgerr) instead; see Txn.Commit.
var (
	ErrClosed    = errors.New("hotstore: store closed")
	ErrTxnDone   = errors.New("hotstore: transaction finished")
	ErrNullKey   = errors.New("hotstore: NULL in a primary key")
	ErrKeyType   = errors.New("hotstore: unsupported primary-key type")
	ErrValueType = errors.New("hotstore: unsupported value type")
	ErrCorrupt   = errors.New("hotstore: corrupt data")
	// ErrFailed: a commit already in the write-ahead log failed to apply
	// to Badger; the store refuses commits until it is reopened.
	ErrFailed = errors.New("hotstore: a logged commit failed to apply; reopen the store")

	errShortKey   = fmt.Errorf("%w: truncated key", ErrCorrupt)
	errBadKey     = fmt.Errorf("%w: malformed key", ErrCorrupt)
	errCorruptRow = fmt.Errorf("%w: malformed row", ErrCorrupt)
	errCorruptRec = fmt.Errorf("%w: malformed record", ErrCorrupt)
	errCorruptIdx = fmt.Errorf("%w: malformed index entry", ErrCorrupt)
	errDeepArray  = fmt.Errorf("%w: arrays nested deeper than %d", ErrValueType, maxArrayDepth)
)

// Durability says when a commit is acknowledged.
type Durability int

const (
	// Fsync acknowledges a commit only after an fsync covers it (group commit).
	Fsync Durability = iota
	// Async acknowledges a commit once it is in the OS page cache.
	Async
)

// Options configure Open.
type Options struct {
	Durability Durability
	Logger     *slog.Logger // required
	// InMemory keeps everything in memory (tests of upper layers only).
	InMemory bool
	// Now is the clock behind NextSeq; nil means time.Now. Tests inject a
	// clock that jumps backwards.
	Now func() time.Time
	// Cache is the memory budget the index range cache draws on, shared
	// with the cold store's cache; nil means one of its own of 192 MB.
	Cache *cachebudget.Budget
	// BadgerBlockCacheBytes and BadgerIndexCacheBytes size Badger's block cache
	// (decompressed SST blocks) and its cache of SST indexes and bloom
	// filters; 0 means 48 MB and 16 MB.
	BadgerBlockCacheBytes, BadgerIndexCacheBytes int64

	// memTableSize overrides Badger's memtable size (tests force WAL
	// rotations with a small one); 0 means the default.
	memTableSize int64
	// vlogFileSize overrides the value-log file size (tests make value-log
	// GC reachable with small files); 0 means the default.
	vlogFileSize int64
	// reclaimAfter overrides the garbage that makes a background
	// reclamation due; negative turns the background runs off.
	// reclaimQuiet overrides the pause and the spacing between runs.
	reclaimAfter int64
	reclaimQuiet time.Duration
	// checkpointEvery overrides how much log makes a checkpoint due
	// (tests make several with little data); 0 means the default.
	checkpointEvery int64
	// applyDelay overrides how long the applier waits for more commits
	// (apply.go); tests make it long, so only urging applies.
	applyDelay time.Duration
	// synced, when set, is called after each fsync of one of Badger's
	// .mem or .vlog files (crash tests keep what a power loss would
	// leave of them).
	synced func(path string)
}

// Badger sizing: modest, since one process serves every user from one
// instance and the cold store holds the bulk of the data. See doc.go.
const (
	memTableSize   = 32 << 20
	numMemtables   = 3
	blockCacheSize = 48 << 20
	indexCacheSize = 16 << 20
	vlogFileSize   = 256 << 20
	numCompactors  = 2
	// numLevelZeroTables 1: a flushed memtable is compacted into the
	// levels below at once (a small merge with a small base level), so
	// deletes reach the data they hide and reclamation can drop both.
	numLevelZeroTables = 1
)

// Stats are counters for tests and metrics.
type Stats struct {
	Commits   uint64 // committed transactions that wrote something
	Fsyncs    uint64 // finished group-commit sync rounds
	Conflicts uint64 // commits refused with SQLSTATE 40001
	// IndexEntries counts secondary-index entries read by ScanIndex, so
	// tests and metrics can see how much an index scan touched.
	IndexEntries uint64
	// IndexCacheHits counts index scans that started from the index
	// cache (indexcache.go) instead of a Badger iterator.
	IndexCacheHits uint64
	// IndexCacheBytes is the size of the ranges the index cache holds.
	IndexCacheBytes int64
	// LogBytes counts the bytes of commit records appended to the
	// store's write-ahead log; Checkpoints counts checkpoints of it
	// (checkpoint.go).
	LogBytes    int64
	Checkpoints uint64
	// ApplyBatches counts the applier's batches of logged
	// commits (apply.go): Commits / ApplyBatches is how many shared one.
	ApplyBatches uint64
	// Reclaims counts finished reclamations; ReclaimedBytes is the .sst
	// and .vlog space they gave back (see Reclaim).
	Reclaims       uint64
	ReclaimedBytes int64
	// CompactionBacklog counts the LSM levels Badger's compaction still
	// has to work down (score at or over 1): 0 once the background work
	// of a bulk load or a flush has settled.
	CompactionBacklog int
}

// Store is the hot store: one Badger instance for every partition.
type Store struct {
	db  *badger.DB
	orc *oracle // timestamps, conflicts and the log (oracle.go)
	// syncPol calls fdatasync for the log and the value log; ckpt
	// checkpoints the log (nil in memory).
	syncPol *syncPolicy
	ckpt    *checkpointer
	opts    Options
	now     func() time.Time
	log     *slog.Logger
	sync    *syncer
	// apply applies logged commits to Badger after they return (nil in
	// memory: commits apply before they return).
	apply *applier
	// reclaim gives deleted rows' disk space back (reclaim.go).
	reclaim *reclaimer

	closed atomic.Bool // set by the first Close
	// commitGate is held shared by writing commits for their whole
	// course; Close takes it to set closing, which refuses later ones.
	commitGate sync.RWMutex
	closing    bool
	last       atomic.Int64 // the newest _seq handed out
	lease      atomic.Int64 // persisted bound: every handed-out seq is <= lease
	leaseMu    sync.Mutex   // serializes lease extensions (writes of the lease key)

	commits   atomic.Uint64
	fsyncs    atomic.Uint64
	conflicts atomic.Uint64

	indexEntries atomic.Uint64

	// valueThreshold is Badger's: values at least this long go to the
	// value log. vlogWrites counts Puts of such values, so the syncer
	// syncs the value log only when it may have changed.
	valueThreshold int
	vlogWrites     atomic.Uint64

	// icache serves recently scanned index ranges (indexcache.go).
	icache *indexCache

	// epoch counts finished writes; snaps caches the read-only snapshot
	// readers share while epoch stays put (snapshot.go).
	epoch atomic.Uint64
	snaps snapshots
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		return nil, errors.New("open hot store: Options.Logger is nil")
	}
	bo := badger.DefaultOptions(dir)
	if opts.InMemory {
		bo = badger.DefaultOptions("").WithInMemory(true)
	}
	bo = bo.WithSyncWrites(false).
		WithLogger(badgerLogger{opts.Logger}).
		WithNumVersionsToKeep(1).
		WithMemTableSize(memTableSize).
		WithNumMemtables(numMemtables).
		WithBlockCacheSize(cmp.Or(opts.BadgerBlockCacheBytes, blockCacheSize)).
		WithIndexCacheSize(cmp.Or(opts.BadgerIndexCacheBytes, indexCacheSize)).
		WithValueLogFileSize(vlogFileSize).
		WithNumCompactors(numCompactors).
		WithNumLevelZeroTables(numLevelZeroTables).
		WithMetricsEnabled(false).
		WithDetectConflicts(false) // the oracle checks them (oracle.go)
	if opts.memTableSize > 0 {
		bo = bo.WithMemTableSize(opts.memTableSize)
	}
	if opts.vlogFileSize > 0 {
		bo = bo.WithValueLogFileSize(opts.vlogFileSize)
	}
	db, err := badger.OpenManaged(bo)
	if err != nil {
		return nil, fmt.Errorf("open hot store %s: %w", dir, err)
	}
	sp := newSyncPolicy()
	var log *wal.Log
	if !opts.InMemory {
		// After Badger, whose directory lock keeps a second process out.
		if log, err = openLog(db, dir, sp, opts.Logger); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("open hot store %s: %w", dir, err)
		}
	}
	s := &Store{db: db, orc: newOracle(db, log), syncPol: sp, opts: opts, now: opts.Now, log: opts.Logger,
		valueThreshold: int(bo.ValueThreshold), icache: newIndexCache(opts.Cache)}
	if s.now == nil {
		s.now = time.Now
	}
	if log != nil {
		s.apply = startApplier(s)
	}
	if err := s.loadLease(); err != nil {
		if s.apply != nil {
			s.apply.stop()
		}
		s.closeLog()
		s.icache.close()
		_ = db.Close()
		return nil, fmt.Errorf("open hot store %s: %w", dir, err)
	}
	if log != nil {
		s.ckpt = startCheckpointer(s, dir) // before the syncer, which kicks it
	}
	s.sync = startSyncer(s, dir)
	s.reclaim = newReclaimer(s, dir, opts, bo.MemTableSize)
	go s.reclaim.loop()
	return s, nil
}

// Close waits for the commits in progress (a commit begun after it fails
// with ErrClosed, having committed nothing), a reclamation in progress
// and a final sync, records the exact last seq and closes Badger. Later
// calls fail.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.commitGate.Lock()
	s.closing = true
	s.commitGate.Unlock()
	s.reclaim.stop()
	s.ckpt.stop()
	syncErr := s.sync.stop()
	leaseErr := s.storeLease(s.last.Load())
	if s.apply != nil {
		s.apply.stop()
	}
	s.dropSnapshot()
	s.icache.close()
	if err := s.db.Close(); err != nil {
		s.closeLog()
		return fmt.Errorf("close hot store: %w", err)
	}
	// Badger's Close flushed the memtables into synced SSTs: the log has
	// nothing left to replay.
	if log := s.orc.log; log != nil && syncErr == nil && leaseErr == nil {
		if err := log.Checkpoint(s.orc.checkpointTs()); err != nil {
			s.closeLog()
			return fmt.Errorf("close hot store: %w", err)
		}
	}
	if err := s.closeLog(); err != nil {
		return fmt.Errorf("close hot store: %w", err)
	}
	if syncErr != nil {
		return fmt.Errorf("close hot store: %w", syncErr)
	}
	if leaseErr != nil {
		return fmt.Errorf("close hot store: %w", leaseErr)
	}
	return nil
}

// Stats returns the current counters.
func (s *Store) Stats() Stats {
	return Stats{
		Commits:   s.commits.Load(),
		Fsyncs:    s.fsyncs.Load(),
		Conflicts: s.conflicts.Load(),

		IndexEntries:    s.indexEntries.Load(),
		IndexCacheHits:  s.icache.hits.Load(),
		IndexCacheBytes: s.icache.size(),

		LogBytes:     s.orc.loggedBytes.Load(),
		Checkpoints:  s.ckpt.count(),
		ApplyBatches: s.apply.appliedBatches(),

		Reclaims:       s.reclaim.runs.Load(),
		ReclaimedBytes: s.reclaim.freed.Load(),

		CompactionBacklog: s.compactionBacklog(),
	}
}

// compactionBacklog counts the levels Badger would pick for compaction
// now: Levels reports a score only for those, and 1 is its threshold.
func (s *Store) compactionBacklog() int {
	n := 0
	for _, l := range s.db.Levels() {
		if l.Score >= 1 {
			n++
		}
	}
	return n
}

// dropBatchKeys bounds how many deletes go in one transaction (and
// between context checks).
const dropBatchKeys = 1024

// DropTable removes every partition, record and index entry of a table
// without blocking other writers: it deletes the keys in transactions of
// bounded size (managed.go), instead of Badger's DropPrefix, which stops
// all writes while it runs.
func (s *Store) DropTable(ctx context.Context, table uint32) error {
	defer s.noteWrite()
	var garbage int64
	for _, tag := range []byte{tagRow, tagSeq} {
		n, err := s.deletePrefix(ctx, appendTable(nil, tag, table))
		if err != nil {
			return fmt.Errorf("drop table %d: %w", table, err)
		}
		garbage += n
	}
	s.reclaim.note(garbage)
	if s.opts.Durability == Fsync {
		if err := s.sync.wait(ctx); err != nil {
			return fmt.Errorf("drop table %d: %w", table, err)
		}
	}
	return nil
}

// badgerLogger forwards Badger's warnings and errors to slog; its info and
// debug chatter is dropped.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(format string, args ...any) {
	l.log.Error("badger: " + trimNewline(fmt.Sprintf(format, args...)))
}

func (l badgerLogger) Warningf(format string, args ...any) {
	l.log.Warn("badger: " + trimNewline(fmt.Sprintf(format, args...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}

func trimNewline(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}
