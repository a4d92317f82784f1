// Package notify is KalamDB's channel hub: PostgreSQL LISTEN/NOTIFY and
// the per-user change channels, plus the committed-change record (Change)
// that the WebSocket gateway and live queries reuse.
//
// Main types: Hub (NewHub, Listen, Unlisten, UnlistenAll, Publish,
// Listening), Listener (one per session: a bounded queue drained by the
// front door), Entry (one notification or change of a committing
// transaction) and Change (table, partition, op, seq, row, old key) with
// its JSON payload.
//
// # Commit path
//
// A session collects its transaction's NOTIFYs and row changes and calls
// Publish after the hot-store commit returned, before it replies. Publish
// takes no global lock: channel names hash to shards (read-locked only for
// the lookup), and only the channels that have listeners are locked, in
// name order, while the entries are appended to their listeners' queues.
// Two publications that share a channel therefore reach every listener in
// the same order, and a listener on several channels sees them in one
// order too, as PostgreSQL's single queue gives. A commit that returned
// before another began is published before it (commit order); commits that
// overlap are ordered by their publication. A channel nobody listens to
// costs one shard lookup, and a change's JSON is built only when its
// channel has a listener: publishing costs O(listeners of the channel),
// however many users exist.
//
// # Slow listeners
//
// Each Listener's queue is bounded (Options.QueueLen notifications and
// Options.QueueBytes of payload). Publish never blocks on a listener: when
// a queue would overflow, the listener is marked overflowed, its queue is
// freed and later entries are dropped; Drain then returns ErrOverflow and
// the front door ends the connection with FATAL 54000. Memory is bounded
// and writers never stall.
//
// Delivery follows PostgreSQL: the front door drains a listener after a
// command completes and before ReadyForQuery, and while the connection is
// idle outside a transaction block (Listener.SetWake tells it there is
// something to drain). A session in a transaction block receives after
// it ends. UNLISTEN drops queued notifications of that channel.
//
// # Replay and the gap across the live switch
//
// A Change is replayable: the sql package's Engine.Replay rebuilds the
// changes of a partition after a _seq from the hot store's seq index
// (hotstore.Txn.ScanSeq), emitting a row's current version as an insert
// and a tombstone as a delete carrying the key. Seqs are allocated when a
// row is written, not at commit, so a transaction holding seq 100 may
// commit after one holding 101. A subscriber switches from replay to live
// without a gap or duplicate this way: (1) Listen first, buffering live
// entries; (2) replay from a fresh snapshot; (3) deliver the replayed
// changes, then the buffered and later live ones whose seq the replay did
// not already return (deduplicate by seq, not by "seq > last", because
// live order is commit order, not seq order). Resuming later from a
// client's last seen seq can still miss a change whose transaction was
// open (holding a smaller seq) while the client saw a larger one; clients
// that need that guarantee resume from a seq some time before their last
// one and deduplicate, since a transaction's writes are bounded in time by
// statement_timeout and idle transactions.
//
// Lock order: shard.mu, then channel.mu (several in name order), then
// Listener.mu. Listener.wake is called with no lock held.
package notify
