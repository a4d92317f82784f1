package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Idle connections are the common case (a chat client keeps one open and
// LISTENs), so a connection holds no read or write buffer while it waits:
// buffers are borrowed from the server's pools while there is something to
// read or write, and given back before the connection blocks again.

const (
	// readBufSize is the smallest pooled read buffer, the size of
	// pgproto3's and PostgreSQL's own.
	readBufSize = 8 << 10
	// readClasses is the number of pooled read buffer sizes, doubling from
	// readBufSize; larger messages get a buffer of their own.
	readClasses = 8
	// maxPooledWrite is the largest write buffer kept for reuse.
	maxPooledWrite = 4 * flushThreshold
	// idleReadSize is the connection's own read buffer, used while it
	// waits for a message: a small batch (a simple query, a Sync, an
	// Execute of a cached statement) is read and decoded from it without
	// borrowing anything.
	idleReadSize = 128
)

// bufPools lends byte buffers to the connections of one server.
type bufPools struct {
	read  [readClasses]sync.Pool // *[]byte of exactly readBufSize<<i bytes
	write sync.Pool              // *[]byte, empty, capacity at most maxPooledWrite
}

// readClass is the index of the smallest read class holding n bytes, or -1
// when n is larger than all of them.
func readClass(n int) int {
	for i := range readClasses {
		if n <= readBufSize<<i {
			return i
		}
	}
	return -1
}

// getRead returns a buffer of at least n bytes.
func (p *bufPools) getRead(n int) *[]byte {
	i := readClass(n)
	if i < 0 {
		b := make([]byte, n)
		return &b
	}
	if v, ok := p.read[i].Get().(*[]byte); ok {
		return v
	}
	b := make([]byte, readBufSize<<i)
	return &b
}

func (p *bufPools) putRead(b *[]byte) {
	if i := readClass(len(*b)); i >= 0 && len(*b) == readBufSize<<i {
		p.read[i].Put(b)
	}
}

// getWrite returns an empty buffer to append messages to.
func (p *bufPools) getWrite() *[]byte {
	if v, ok := p.write.Get().(*[]byte); ok {
		return v
	}
	b := make([]byte, 0, 1024)
	return &b
}

func (p *bufPools) putWrite(b *[]byte) {
	if cap(*b) <= maxPooledWrite {
		*b = (*b)[:0]
		p.write.Put(b)
	}
}

// msgReader reads typed, length-prefixed frontend messages, as
// pgproto3.Backend.Receive does, without keeping pgproto3's 8 KiB buffer
// for the life of the connection: it waits for a message with only its
// small idle buffer, borrows a pooled buffer for what does not fit, and
// gives it back once everything read has been consumed.
type msgReader struct {
	r        io.Reader
	pools    *bufPools
	maxBody  int    // largest body accepted; 0 is no limit
	authType uint32 // says which message a 'p' is

	buf    *[]byte // borrowed buffer, nil while data is small
	data   []byte  // small[:] or *buf
	rp, wp int     // read and write positions in data
	small  [idleReadSize]byte
}

// init prepares r to read from rd; the zero msgReader is not usable.
func (r *msgReader) init(rd io.Reader, pools *bufPools, maxBody int) {
	*r = msgReader{r: rd, pools: pools, maxBody: maxBody}
	r.data = r.small[:]
}

// SetAuthType tells which authentication response a 'p' message is
// (pgproto3.AuthTypeSASL and the like).
func (r *msgReader) SetAuthType(t uint32) { r.authType = t }

// Receive reads the next message. It and the bytes it refers to are valid
// until the next call.
func (r *msgReader) Receive() (pgproto3.FrontendMessage, error) {
	if r.rp == r.wp {
		r.release()
	}
	hdr, err := r.next(5)
	if err != nil {
		return nil, eofIsUnexpected(err)
	}
	typ := hdr[0]
	n := int(int32(binary.BigEndian.Uint32(hdr[1:])))
	if n < 4 {
		return nil, fmt.Errorf("invalid message length: %d", n)
	}
	n -= 4
	if r.maxBody > 0 && n > r.maxBody {
		return nil, &pgproto3.ExceededMaxBodyLenErr{MaxExpectedBodyLen: r.maxBody, ActualBodyLen: n}
	}
	msg := r.newMessage(typ)
	if msg == nil {
		return nil, fmt.Errorf("unknown message type: %c", typ)
	}
	body, err := r.next(n)
	if err != nil {
		return nil, eofIsUnexpected(err)
	}
	if err := msg.Decode(body); err != nil {
		return nil, err
	}
	return msg, nil
}

// wait blocks until input arrives, holding no borrowed buffer while it
// waits. It returns at once when input is buffered.
func (r *msgReader) wait() error {
	if r.rp < r.wp {
		return nil
	}
	r.release()
	n, err := io.ReadAtLeast(r.r, r.data, 1)
	r.wp = n
	return eofIsUnexpected(err)
}

// waitBusy is wait for a worker in the busy window: it keeps a borrowed
// buffer of the smallest pooled size, so a batch larger than the
// connection's own idleReadSize buffer (a Bind with a message's text)
// arrives in one read rather than two. A larger buffer, left by one big
// message, goes back. The connection goroutine's wait gives the buffer
// back once the connection is quiet.
func (r *msgReader) waitBusy() error {
	if r.rp < r.wp {
		return nil
	}
	if r.buf != nil && len(*r.buf) != readBufSize {
		r.release()
	}
	r.rp, r.wp = 0, 0
	n, err := io.ReadAtLeast(r.r, r.data, 1)
	r.wp = n
	return eofIsUnexpected(err)
}

// buffered reports whether input waits in the buffer.
func (r *msgReader) buffered() bool { return r.rp < r.wp }

// release gives the borrowed buffer back; nothing is buffered.
func (r *msgReader) release() {
	if r.buf != nil {
		r.pools.putRead(r.buf)
		r.buf = nil
	}
	r.data = r.small[:]
	r.rp, r.wp = 0, 0
}

// next returns the next n bytes, reading as many more as the buffer holds.
func (r *msgReader) next(n int) ([]byte, error) {
	if pending := r.wp - r.rp; pending < n {
		if n > len(r.data) {
			nb := r.pools.getRead(n)
			copy(*nb, r.data[r.rp:r.wp])
			if r.buf != nil {
				r.pools.putRead(r.buf)
			}
			r.buf, r.data = nb, *nb
			r.rp, r.wp = 0, pending
		} else if len(r.data)-r.rp < n {
			copy(r.data, r.data[r.rp:r.wp])
			r.rp, r.wp = 0, pending
		}
		m, err := io.ReadAtLeast(r.r, r.data[r.wp:], n-pending)
		r.wp += m
		if err != nil {
			return nil, err
		}
	}
	b := r.data[r.rp : r.rp+n : r.rp+n]
	r.rp += n
	return b, nil
}

// newMessage returns an empty message of type typ, nil for an unknown one.
func (r *msgReader) newMessage(typ byte) pgproto3.FrontendMessage {
	switch typ {
	case 'B':
		return new(pgproto3.Bind)
	case 'C':
		return new(pgproto3.Close)
	case 'D':
		return new(pgproto3.Describe)
	case 'E':
		return new(pgproto3.Execute)
	case 'F':
		return new(pgproto3.FunctionCall)
	case 'f':
		return new(pgproto3.CopyFail)
	case 'd':
		return new(pgproto3.CopyData)
	case 'c':
		return new(pgproto3.CopyDone)
	case 'H':
		return new(pgproto3.Flush)
	case 'P':
		return new(pgproto3.Parse)
	case 'p':
		switch r.authType {
		case pgproto3.AuthTypeSASL:
			return new(pgproto3.SASLInitialResponse)
		case pgproto3.AuthTypeSASLContinue, pgproto3.AuthTypeSASLFinal:
			return new(pgproto3.SASLResponse)
		case pgproto3.AuthTypeGSS, pgproto3.AuthTypeGSSCont:
			return new(pgproto3.GSSResponse)
		}
		return new(pgproto3.PasswordMessage)
	case 'Q':
		return new(pgproto3.Query)
	case 'S':
		return new(pgproto3.Sync)
	case 'X':
		return new(pgproto3.Terminate)
	}
	return nil
}

// eofIsUnexpected reports a connection closed before a whole message as
// pgproto3 does.
func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
