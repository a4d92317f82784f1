package wal

import "errors"

// Errors returned by the log. Wrapped errors carry the operation and the
// file; test for these with errors.Is.
var (
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("wal: log closed")

	// ErrTsOrder is returned by Append when ts is not greater than every
	// ts appended before or found at Open: Replay and Checkpoint rely on
	// timestamps increasing along the log.
	ErrTsOrder = errors.New("wal: ts not increasing")

	// ErrRecordTooLarge is returned by Append for a payload that cannot fit
	// in one segment next to its header and the end-of-segment record.
	ErrRecordTooLarge = errors.New("wal: record too large for a segment")

	// ErrCorrupt is returned by Open for damage that the recovery rule
	// cannot explain as an unacknowledged tail: a corrupt checkpoint file,
	// a missing segment in the middle of the log, timestamps out of order.
	// Open refuses rather than guessing, since guessing may delete data.
	ErrCorrupt = errors.New("wal: log corrupt")

	// ErrFailed is returned by Append and Sync once a write or sync of a
	// segment has failed. After a failed fdatasync the kernel may have
	// dropped the dirty pages and a retry could report success for data
	// that never reached the disk, so the log stops; Close it and Open it
	// again, which recovers from what is really on disk.
	ErrFailed = errors.New("wal: log failed")

	// ErrReplayAfterAppend is returned by Replay once Append has been
	// called: Replay reads the records found at Open, and must finish
	// before new records arrive.
	ErrReplayAfterAppend = errors.New("wal: Replay after Append")
)
