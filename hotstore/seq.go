package hotstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// seqShift is the number of counter bits below the milliseconds in a _seq.
const seqShift = 20

// leaseAhead is how far (in seq units: 3 s of milliseconds) a persisted
// lease runs ahead of the seqs handed out. A crash restarts numbering at
// most this far ahead of the wall clock; a clean Close persists the exact
// last seq instead.
const leaseAhead = 3000 << seqShift

// leaseKey holds the persisted seq lease (big-endian int64).
const leaseKey = string(tagSys) + "seq-lease"

// NextSeq returns a new _seq: unique, increasing, unix milliseconds << 20
// in the high bits, never going backwards across restarts.
//
// It is a logical clock: the wall clock when it is ahead of the last seq,
// otherwise last+1, so a clock stepping back only slows the millisecond
// part down. Before handing out a seq beyond the persisted lease it
// extends the lease synchronously; if that write fails the error is logged
// and the seq is still returned (the commit that uses it will most likely
// fail on the same disk).
func (s *Store) NextSeq() int64 {
	for {
		last := s.last.Load()
		next := s.now().UnixMilli() << seqShift
		if next <= last {
			next = last + 1
		}
		if next > s.lease.Load() {
			s.extendLease(next)
		}
		if s.last.CompareAndSwap(last, next) {
			return next
		}
	}
}

// extendLease persists a lease covering seq (and leaseAhead beyond it)
// before any seq above the old lease is handed out.
func (s *Store) extendLease(seq int64) {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	if seq <= s.lease.Load() {
		return
	}
	lease := seq + leaseAhead
	if err := s.storeLease(lease); err != nil {
		s.log.Error("hotstore: persist seq lease", "err", err)
	}
	s.lease.Store(lease)
}

// storeLease writes the lease key and syncs it to disk.
func (s *Store) storeLease(lease int64) error {
	_, err := s.update(true, func(b *blindTxn) error {
		return b.set([]byte(leaseKey), binary.BigEndian.AppendUint64(nil, uint64(lease)))
	})
	s.noteWrite()
	if err != nil {
		return fmt.Errorf("store seq lease: %w", err)
	}
	// Once the syncer has stopped (Close), sync the log directly.
	err = s.sync.wait(context.Background())
	if errors.Is(err, ErrClosed) && s.orc.log != nil {
		err = s.orc.log.Sync()
	} else if errors.Is(err, ErrClosed) {
		err = nil // in memory
	}
	if err != nil {
		return fmt.Errorf("sync seq lease: %w", err)
	}
	return nil
}

// loadLease starts numbering above the persisted lease.
func (s *Store) loadLease() error {
	var lease int64
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(leaseKey))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("%w: seq lease of %d bytes", ErrCorrupt, len(v))
			}
			lease = int64(binary.BigEndian.Uint64(v))
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load seq lease: %w", err)
	}
	s.last.Store(lease)
	s.lease.Store(lease)
	return nil
}
