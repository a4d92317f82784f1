package gateway

import (
	"encoding/binary"
	"net"
	"sync"
)

// The WebSocket library writes through a bufio.Writer of the connection,
// whose buffer an idle connection would hold for its whole life. So that
// buffer is tiny (wsWriteBuffer) and a frameWriter under it gathers each
// frame in a pooled buffer, held only while the frame is being written,
// and sends the frame to the socket in one write once its last byte came:
// a message still costs one system call, and an idle connection holds no
// write buffer at all.
//
// The frameWriter finds the frames' ends by reading their headers (RFC
// 6455, 5.2). The library writes each frame whole under its own lock, so
// the bytes of two frames never mix. A frame longer than maxFrameChunk is
// sent in pieces as it comes.

// maxFrameChunk bounds what a frameWriter gathers before writing; buffers
// that grew past it are not pooled.
const maxFrameChunk = 64 << 10

var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

type frameWriter struct {
	nc   net.Conn
	buf  *[]byte // pooled; nil between frames
	left uint64  // payload bytes of the current frame still to come
	hdr  [14]byte
	hn   uint8 // header bytes seen of the next frame
}

// headerLen is the length of a frame header whose second byte is b1.
func headerLen(b1 byte) int {
	n := 2
	switch b1 & 0x7F {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4 // masking key (clients only)
	}
	return n
}

// payloadLen reads the payload length of a whole header.
func payloadLen(h []byte) uint64 {
	switch h[1] & 0x7F {
	case 126:
		return uint64(binary.BigEndian.Uint16(h[2:]))
	case 127:
		return binary.BigEndian.Uint64(h[2:])
	}
	return uint64(h[1] & 0x7F)
}

func (w *frameWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.buf == nil {
		w.buf = frameBufs.Get().(*[]byte)
	}
	*w.buf = append(*w.buf, p...)
	for len(p) > 0 {
		if w.left > 0 {
			k := uint64(len(p))
			if k > w.left {
				k = w.left
			}
			w.left -= k
			p = p[k:]
			continue
		}
		w.hdr[w.hn] = p[0]
		w.hn++
		p = p[1:]
		if w.hn >= 2 && int(w.hn) == headerLen(w.hdr[1]) {
			w.left = payloadLen(w.hdr[:w.hn])
			w.hn = 0
		}
	}
	if (w.left == 0 && w.hn == 0) || len(*w.buf) >= maxFrameChunk {
		return n, w.flush()
	}
	return n, nil
}

// flush writes what was gathered and gives the buffer back.
func (w *frameWriter) flush() error {
	b := w.buf
	w.buf = nil
	_, err := w.nc.Write(*b)
	if cap(*b) <= maxFrameChunk {
		*b = (*b)[:0]
		frameBufs.Put(b)
	}
	return err
}
