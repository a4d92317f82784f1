package gateway

import (
	"context"
	"errors"

	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/sql"
)

// errChunkFull stops one Engine.Replay call once a chunk is read.
var errChunkFull = errors.New("replay chunk full")

// replayCursor reads one table's changes in chunks.
type replayCursor struct {
	table TableName
	after int64 // the last seq taken from this table
	buf   []*notify.Change
	done  bool // the table has nothing after buf
}

// replayMerged calls fn for the changes of tables in user's partition
// with _seq > after, in _seq order across the tables. Each table is read
// in chunks of at most chunk changes (one snapshot per chunk), so memory
// stays bounded however long the history; a change committed between two
// chunks is after the caller's Listen and arrives live instead.
func replayMerged(ctx context.Context, eng *sql.Engine, tables []TableName, user string, after int64, chunk int, fn func(*notify.Change) error) error {
	curs := make([]*replayCursor, len(tables))
	for i, t := range tables {
		curs[i] = &replayCursor{table: t, after: after}
	}
	fill := func(c *replayCursor) error {
		c.buf = c.buf[:0]
		err := eng.Replay(ctx, c.table.Schema, c.table.Name, user, c.after, func(ch *notify.Change) error {
			c.buf = append(c.buf, ch)
			if len(c.buf) >= chunk {
				return errChunkFull
			}
			return nil
		})
		switch {
		case errors.Is(err, errChunkFull):
		case err != nil:
			return err
		default:
			c.done = true
		}
		return nil
	}
	last := after
	for {
		var min *replayCursor
		for _, c := range curs {
			if len(c.buf) == 0 && !c.done {
				if err := fill(c); err != nil {
					return err
				}
			}
			if len(c.buf) > 0 && (min == nil || c.buf[0].Seq < min.buf[0].Seq) {
				min = c
			}
		}
		if min == nil {
			return nil
		}
		ch := min.buf[0]
		min.buf[0] = nil
		min.buf = min.buf[1:]
		min.after = ch.Seq
		if ch.Seq <= last {
			continue // cannot happen (chunks start after the last seq taken); keep the order anyway
		}
		last = ch.Seq
		if err := fn(ch); err != nil {
			return err
		}
	}
}
