package wire

import (
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
)

// copySession is implemented by sessions that can run COPY FROM STDIN and
// COPY TO STDOUT (sql.Session); others simply lack them.
type copySession interface {
	SetCopyChannel(sql.CopyChannel)
}

// initCopy gives the session this connection's COPY channel.
func (c *conn) initCopy() {
	if cs, ok := c.sess.(copySession); ok {
		cs.SetCopyChannel(copyChannel{c})
	}
}

// copyChannel runs the COPY sub-protocol on the connection. It is used
// from inside a statement, on the connection goroutine.
type copyChannel struct{ c *conn }

func copyFormats(binary bool, ncols int) (overall byte, cols []uint16) {
	cols = make([]uint16, ncols)
	if binary {
		overall = 1
		for i := range cols {
			cols[i] = 1
		}
	}
	return overall, cols
}

// CopyIn sends CopyInResponse and returns the client's data stream.
func (ch copyChannel) CopyIn(binary bool, ncols int) (io.Reader, error) {
	overall, cols := copyFormats(binary, ncols)
	if err := ch.c.send(&pgproto3.CopyInResponse{OverallFormat: overall, ColumnFormatCodes: cols}); err != nil {
		return nil, err
	}
	if err := ch.c.flush(); err != nil {
		return nil, err
	}
	return &copyReader{c: ch.c}, nil
}

// CopyOut sends CopyOutResponse and returns a writer of CopyData.
func (ch copyChannel) CopyOut(binary bool, ncols int) (io.WriteCloser, error) {
	overall, cols := copyFormats(binary, ncols)
	if err := ch.c.send(&pgproto3.CopyOutResponse{OverallFormat: overall, ColumnFormatCodes: cols}); err != nil {
		return nil, err
	}
	return &copyWriter{c: ch.c}, nil
}

// copyReader reads CopyData payloads until CopyDone (io.EOF) or CopyFail.
// Flush and Sync are ignored in between, as PostgreSQL does.
type copyReader struct {
	c   *conn
	buf []byte // unread part of the last CopyData; aliases the read buffer
	err error  // sticky: io.EOF after CopyDone, or the failure
}

func (r *copyReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		msg, err := r.c.rd.Receive()
		if err != nil {
			// The connection is unusable; the loop's next read fails too
			// and ends it.
			r.err = pgerr.Wrap(err, pgerr.ConnectionException, "read COPY data: %v", err)
			return 0, r.err
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			r.buf = m.Data
		case *pgproto3.CopyDone:
			r.err = io.EOF
		case *pgproto3.CopyFail:
			r.err = pgerr.New(pgerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
		default:
			r.err = pgerr.New(pgerr.ProtocolViolation, "unexpected message type %T during COPY from stdin", msg)
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// copyWriter sends each Write as one CopyData message.
type copyWriter struct{ c *conn }

func (w *copyWriter) Write(p []byte) (int, error) {
	if err := w.c.send(&pgproto3.CopyData{Data: p}); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close ends the data with CopyDone; CommandComplete follows as usual.
func (w *copyWriter) Close() error {
	return w.c.send(&pgproto3.CopyDone{})
}
