package gateway

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"
)

// recordingConn records each Write on the socket.
type recordingConn struct {
	net.Conn
	writes [][]byte
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

// frame builds a FIN text frame of n payload bytes, masked as a client's
// when masked.
func frame(n int, masked bool) []byte {
	f := []byte{0x81, 0}
	switch {
	case n > 0xFFFF:
		f[1] = 127
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	case n > 125:
		f[1] = 126
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f[1] = byte(n)
	}
	if masked {
		f[1] |= 0x80
		f = append(f, 1, 2, 3, 4)
	}
	for i := 0; i < n; i++ {
		f = append(f, byte('a'+i%26))
	}
	return f
}

// Each frame reaches the socket in one write however it is cut up, and no
// buffer is held between frames.
func TestFrameWriterOneWritePerFrame(t *testing.T) {
	for _, chunk := range []int{1, 3, 16, 1 << 20} {
		for _, size := range []int{0, 5, 125, 126, 300, 2000, 0xFFFF, 0x10000} {
			for _, masked := range []bool{false, true} {
				nc := &recordingConn{}
				w := &frameWriter{nc: nc}
				want := frame(size, masked)
				for p := want; len(p) > 0; {
					k := min(chunk, len(p))
					if n, err := w.Write(p[:k]); n != k || err != nil {
						t.Fatalf("Write = %d, %v; want %d, nil", n, err, k)
					}
					p = p[k:]
				}
				if got := bytes.Join(nc.writes, nil); !bytes.Equal(got, want) {
					t.Fatalf("chunk %d size %d masked %v: the socket got %d bytes, want the frame's %d", chunk, size, masked, len(got), len(want))
				}
				if len(want) <= maxFrameChunk && len(nc.writes) != 1 {
					t.Fatalf("chunk %d size %d masked %v: %d writes, want 1", chunk, size, masked, len(nc.writes))
				}
				if w.buf != nil || w.left != 0 || w.hn != 0 {
					t.Fatalf("chunk %d size %d: the writer holds state between frames", chunk, size)
				}
			}
		}
	}
}

// Frames written back to back in one call go out together, and a frame
// is not sent before its last byte.
func TestFrameWriterWaitsForTheWholeFrame(t *testing.T) {
	nc := &recordingConn{}
	w := &frameWriter{nc: nc}
	two := append(frame(3, false), frame(200, false)...)
	if _, err := w.Write(two); err != nil {
		t.Fatal(err)
	}
	if len(nc.writes) != 1 || !bytes.Equal(nc.writes[0], two) {
		t.Fatalf("two frames in one call: writes %d, want one with both", len(nc.writes))
	}
	f := frame(300, false)
	w.Write(f[:len(f)-1])
	if len(nc.writes) != 1 {
		t.Fatalf("an incomplete frame was sent: %d writes", len(nc.writes))
	}
	w.Write(f[len(f)-1:])
	if len(nc.writes) != 2 || !bytes.Equal(nc.writes[1], f) {
		t.Fatalf("the completed frame: writes %d, want it whole", len(nc.writes))
	}
}
