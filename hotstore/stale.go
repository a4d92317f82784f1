package hotstore

import "github.com/dgraph-io/badger/v4"

// A read-write transaction begins at visible without waiting for the
// applier (oracle.beginUpdate), so commits that returned before it began,
// those in (readTs, target], may not be in its Badger snapshot yet. It
// must not miss them, yet waiting for them at every Begin would make a
// lone client's every INSERT wait for the previous one's apply, which is
// what the applier exists to batch.
//
// So a point read checks its key: a key none of those commits wrote reads
// the same at readTs as at target, and the read is recorded for conflict
// detection as usual. A read of a key one of them wrote, and every scan
// (a scan cannot be checked key by key: it would miss a row inserted into
// its range), first catch up: wait until visible reaches target and move
// the transaction there. Its reads so far stay valid at target, since
// each was checked, so conflicts are then checked from target. Its writes
// so far are carried into the new Badger transaction from the log's write
// set, which holds the final state of every key written. Scans catch up
// before they open, so no iterator is open on the old snapshot.

// stale reports whether the transaction may not see every commit that
// returned before it began.
func (t *Txn) stale() bool { return t.readTs < t.target }

// catchUpFor catches up when a commit the snapshot may lack wrote the
// key with fingerprint fp.
func (t *Txn) catchUpFor(fp uint64) error {
	if !t.stale() || !t.s.orc.writtenBetween(fp, t.readTs, t.target) {
		return nil
	}
	return t.catchUp()
}

// fresh catches a read-write transaction up before a scan.
func (t *Txn) fresh() error {
	if t.snap != nil || !t.stale() {
		return nil
	}
	return t.catchUp()
}

// catchUp moves the transaction's snapshot to target. If it fails (it
// cannot: the new Badger transaction holds no more than the old one), the
// transaction is discarded.
func (t *Txn) catchUp() error {
	t.s.orc.moveRead(t.readTs, t.target)
	t.readTs = t.target
	bt := t.s.db.NewTransactionAt(t.target, true)
	for _, e := range t.logged.entries {
		var err error
		if e.del {
			err = bt.Delete(e.key)
		} else {
			err = bt.SetEntry(&badger.Entry{Key: e.key, Value: e.value, ExpiresAt: e.expires})
		}
		if err != nil {
			bt.Discard()
			t.Discard()
			return mapWriteErr("catch up", err)
		}
	}
	t.bt.Discard() // no iterator is open on it: see above
	t.bt = bt
	return nil
}
