// Package wal is the hot store's write-ahead log: one record per commit,
// tagged with the commit's ts, made durable in groups by a pwrite and an
// fdatasync of a preallocated, zero-filled segment file. Overwriting
// blocks that are already allocated lets fdatasync skip the filesystem
// metadata commit that syncing a growing or mmap'd file pays for.
//
// Main type: Log (Open, Append, Sync, Replay, Checkpoint, Close). The
// caller encodes its own payloads, appends under its own commit lock,
// calls Sync to make everything appended so far durable (group commit),
// replays the records after its checkpoint at Open, and calls Checkpoint
// once it made its store durable up to a ts, so old segments can go.
//
// # Files
//
// dir holds segments named by 16 hex digits (0000000000000001.wal, ...)
// and a checkpoint file (magic, ts, CRC-32C; missing means 0, damaged is
// an error). Files are prepared under a .tmp name and renamed into place;
// Open removes leftover .tmp files.
//
// A segment is created at full size by writing zeros, synced, renamed and
// the directory synced. A background goroutine keeps the next segment
// ready; a rotation that finds none creates it inline and logs a warning.
//
// # Records
//
// A record is a 17-byte header, payload length (uint32), CRC-32C, ts
// (uint64), kind (1 data, 2 end of segment), then the payload. The CRC
// covers the segment number, the header fields and the payload, so a
// record in the wrong segment does not check. Records never span
// segments, and every segment keeps room for the end marker, which is
// written when the next record does not fit.
//
// # Recovery rule
//
// A segment's records are read in order up to the first header that is
// zero (never written), invalid (CRC, kind, length) or the end marker.
// Only the end marker continues the log in the next segment; anything
// else is the end of the log. Sync syncs segments in log order, so the
// end marker is durable before any record after it is acknowledged, and
// whatever lies beyond the end was never acknowledged: Open removes the
// later segments. Open then writes an end marker at the valid tail (the
// bytes after it may be a torn write's leftovers with valid CRCs) and new
// records go to a fresh segment, so reopening after any number of crashes
// finds a consistent log.
//
// # Caveats
//
//   - Append does no I/O: it only encodes into a buffer, which holds every
//     record appended since the last Sync. The caller bounds its size by
//     syncing often (at least every 200 ms).
//   - ts must grow strictly with every Append (0 is never valid).
//   - Once a write or sync fails the log returns ErrFailed: a retried
//     fdatasync may report success for pages the kernel already dropped.
//     Close and Open again.
//   - Every Open starts a new segment, so repeated opens leave small
//     segments behind until a Checkpoint removes them.
//   - Checkpoint never removes the last segment of the log, so segment
//     numbers keep growing across restarts.
package wal
