package hotstore

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/kalamdb/kalamdb/hotstore/wal"
)

// logDir is the store's write-ahead log, inside Badger's directory (Badger
// ignores subdirectories).
const logDir = "wal"

// openLog opens the write-ahead log in dir/wal and replays into db every
// commit after its checkpoint: Badger's own memtable files are not synced
// per commit, so a crash may have lost any of them.
func openLog(db *badger.DB, dir string, sp *syncPolicy, logger *slog.Logger) (*wal.Log, error) {
	log, err := wal.Open(filepath.Join(dir, logDir), wal.Options{Sync: sp.datasync, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	start := time.Now()
	n, bytes := 0, 0
	r := newReplayer(db)
	err = log.Replay(log.Checkpointed(), func(ts uint64, rec []byte) error {
		n++
		bytes += len(rec)
		return r.apply(ts, rec)
	})
	r.close()
	if err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("replay log: %w", err)
	}
	if n > 0 {
		logger.Info("hot store replayed its log", "commits", n, "bytes", bytes,
			"after", log.Checkpointed(), "took", time.Since(start).Round(time.Millisecond))
	}
	return log, nil
}

// closeLog closes the log, if any.
func (s *Store) closeLog() error {
	if s.orc.log == nil {
		return nil
	}
	if err := s.orc.log.Close(); err != nil {
		return fmt.Errorf("close log: %w", err)
	}
	return nil
}
